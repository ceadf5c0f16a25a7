"""行业帮扶 follow-ups kept outside the department lists: 送教上门 (S001 15, S004 (三)) — the severely disabled
children of 6–15 taught at home, their teacher and school, and each teaching visit (child, teacher, date, content).

The 慢病签约 status is not stored here: it is the latest 卫健 list the matching app holds, read by the ledger."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone

from shoudi.core.models import ChangeLoggedModel

__all__ = ["HomeTeaching", "HomeTeachingVisit"]

CHILD_CODE = "member__household__village__code"


class HomeTeaching(ChangeLoggedModel):
    """A child enrolled for 送教上门: a severely disabled member (一级/二级) of 6–15, the teacher who teaches him at
    home and the school he is enrolled at. It ends (end date and reason) when he goes to school, turns 16 or leaves;
    a child has one current enrolment."""

    member = models.ForeignKey(
        "registry.Member", verbose_name="送教对象", on_delete=models.PROTECT, related_name="home_teachings"
    )
    school = models.CharField("学籍学校", max_length=100)
    teacher = models.CharField("送教教师", max_length=50)
    teacher_phone = models.CharField("教师电话", max_length=30, blank=True)
    start_date = models.DateField("开始送教日期", default=timezone.localdate)
    end_date = models.DateField("结束日期", null=True, blank=True)
    end_reason = models.CharField("结束原因", max_length=100, blank=True)
    note = models.CharField("备注", max_length=200, blank=True)

    scope_code_field = CHILD_CODE
    personal_fields = {"teacher_phone": "phone"}

    class Meta:
        verbose_name = verbose_name_plural = "送教上门对象"
        ordering = ["member__household__village__code", "member__household__household_no", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["member"], condition=Q(end_date__isnull=True), name="home_teaching_one_current"
            )
        ]

    def __str__(self) -> str:
        return f"{self.member.name}（送教上门）"

    def get_absolute_url(self) -> str:
        return reverse("sectors:hometeaching_detail", args=[self.pk])

    @property
    def is_current(self) -> bool:
        return self.end_date is None


class HomeTeachingVisit(ChangeLoggedModel):
    """One 送教上门 visit: the day, the teacher who came and what was taught (recorded by the teacher's school or
    the village). The rule is at least two in every calendar month."""

    enrolment = models.ForeignKey(
        HomeTeaching, verbose_name="送教对象", on_delete=models.PROTECT, related_name="visits"
    )
    taught_on = models.DateField("送教日期", default=timezone.localdate)
    teacher = models.CharField("送教教师", max_length=50)
    content = models.TextField("送教内容")
    hours = models.DecimalField("课时", max_digits=4, decimal_places=1, null=True, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="录入人",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )

    scope_code_field = f"enrolment__{CHILD_CODE}"

    class Meta:
        verbose_name = verbose_name_plural = "送教上门记录"
        ordering = ["-taught_on", "-id"]
        indexes = [models.Index(fields=["enrolment", "taught_on"], name="home_teaching_visit_day")]

    def __str__(self) -> str:
        return f"{self.enrolment.member.name} {self.taught_on:%Y-%m-%d} 送教"

    def get_absolute_url(self) -> str:
        return self.enrolment.get_absolute_url()

    def audit_parent(self):
        return self.enrolment
