"""Users: one role and one region each."""

from __future__ import annotations

from django.contrib.auth.models import AbstractUser, UserManager
from django.core.exceptions import ValidationError
from django.db import models
from django.urls import reverse

from shoudi.core.models import ChangeLoggedModel
from shoudi.core.scope import RestrictedQuerySet

from .roles import DEPARTMENT, DEPARTMENT_CHOICES, ROLE_CHOICES, ROLE_LABELS, ROLE_LEVEL

__all__ = ["User"]


class ShoudiUserManager(UserManager.from_queryset(RestrictedQuerySet)):
    pass


class User(AbstractUser, ChangeLoggedModel):
    """A person who logs in. Sees and changes only what lies inside ``region`` and what ``role`` allows."""

    name = models.CharField("姓名", max_length=50, blank=True)
    role = models.CharField("角色", max_length=20, choices=ROLE_CHOICES)
    region = models.ForeignKey(
        "regions.Region", verbose_name="所属区划", null=True, blank=True, on_delete=models.PROTECT, related_name="users"
    )
    department = models.CharField("所属部门", max_length=30, choices=DEPARTMENT_CHOICES, blank=True)
    phone = models.CharField("联系电话", max_length=20, blank=True)

    scope_code_field = "region__code"
    audit_exclude = ("password", "last_login", "created_at", "updated_at")
    personal_fields = {"phone": "phone"}

    objects = ShoudiUserManager()

    class Meta:
        verbose_name = verbose_name_plural = "用户"
        ordering = ["region__code", "username"]

    def __str__(self) -> str:
        return self.name or self.username

    def get_full_name(self) -> str:
        return self.name or super().get_full_name()

    def get_absolute_url(self) -> str:
        return reverse("accounts:user_detail", args=[self.pk])

    @property
    def role_label(self) -> str:
        return ROLE_LABELS.get(self.role, "")

    def clean(self) -> None:
        super().clean()
        if self.is_superuser:
            return
        if not self.role:
            raise ValidationError({"role": "请选择角色"})
        if self.region_id is None:
            raise ValidationError({"region": "请选择所属区划"})
        level = ROLE_LEVEL.get(self.role)
        if level and self.region.level != level:
            wanted = {"county": "县", "township": "乡镇", "village": "村"}[level]
            raise ValidationError({"region": f"{self.role_label}的所属区划应为{wanted}级"})
        if self.role == DEPARTMENT and not self.department:
            raise ValidationError({"department": "行业部门用户请选择所属部门"})
