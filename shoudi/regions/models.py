"""The county → township → village tree, keyed by 统计用区划代码 (6 / 9 / 12 digits)."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import models
from django.urls import reverse

from shoudi.core.models import ChangeLoggedModel

__all__ = ["Region", "level_for_code", "parent_code_of", "validate_region_code"]

COUNTY, TOWNSHIP, VILLAGE = "county", "township", "village"
LEVEL_CHOICES = [(COUNTY, "县"), (TOWNSHIP, "乡镇"), (VILLAGE, "村")]
CODE_LENGTHS = {6: COUNTY, 9: TOWNSHIP, 12: VILLAGE}
PARENT_LENGTH = {TOWNSHIP: 6, VILLAGE: 9}


def level_for_code(code: str) -> str | None:
    return CODE_LENGTHS.get(len(code)) if code.isdigit() else None


def parent_code_of(code: str) -> str | None:
    level = level_for_code(code)
    return code[: PARENT_LENGTH[level]] if level in PARENT_LENGTH else None


def validate_region_code(code: str) -> None:
    if not code.isdigit():
        raise ValidationError("区划代码只能由数字组成")
    if len(code) not in CODE_LENGTHS:
        raise ValidationError("区划代码应为 6 位（县）、9 位（乡镇）或 12 位（村）")


class Region(ChangeLoggedModel):
    """A county, township or village. A child's code always starts with its parent's code."""

    code = models.CharField("区划代码", max_length=12, unique=True, validators=[validate_region_code])
    name = models.CharField("名称", max_length=100)
    level = models.CharField("级别", max_length=10, choices=LEVEL_CHOICES, editable=False)
    parent = models.ForeignKey(
        "self", verbose_name="上级区划", null=True, blank=True, on_delete=models.PROTECT, related_name="children"
    )

    scope_code_field = "code"

    class Meta:
        verbose_name = verbose_name_plural = "行政区划"
        ordering = ["code"]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("regions:region_detail", args=[self.pk])

    def clean(self) -> None:
        super().clean()
        level = level_for_code(self.code or "")
        if level is None:
            return  # the field validator reports it
        self.level = level
        expected_parent = parent_code_of(self.code)
        if expected_parent is None:
            if self.parent_id is not None:
                raise ValidationError({"parent": "县级区划不应有上级区划"})
        elif self.parent is None:
            raise ValidationError({"parent": f"请选择上级区划（代码 {expected_parent}）"})
        elif self.parent.code != expected_parent:
            raise ValidationError(
                {"code": f"区划代码 {self.code} 应以上级区划代码 {self.parent.code} 开头，且位数正确"}
            )

    def save(self, *args, **kwargs):
        self.level = level_for_code(self.code) or self.level
        super().save(*args, **kwargs)

    @property
    def ancestors_codes(self) -> list[str]:
        return [self.code[:n] for n in (6, 9) if n < len(self.code)]

    def ancestors(self) -> list[Region]:
        by_code = {r.code: r for r in Region.objects.filter(code__in=self.ancestors_codes)}
        return [by_code[c] for c in self.ancestors_codes if c in by_code]

    @property
    def full_name(self) -> str:
        return "".join(r.name for r in [*self.ancestors(), self])

    def contains(self, code: str) -> bool:
        return code.startswith(self.code)
