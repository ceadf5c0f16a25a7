"""节假日: the working-day calendar's table by year (list, add, edit, delete), and the warning that next year's
holidays are missing (from November on)."""

from __future__ import annotations

import django_filters
import django_tables2 as tables
from django import forms
from django.contrib import messages
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html

from ..filters import ScopedFilterSet
from ..forms import ScopedModelForm, date_widget
from ..models import Holiday
from ..scope import user_can
from ..tables import BaseTable
from ..workdays import entered_years
from .generic import ObjectDeleteView, ObjectEditView, ObjectListView

__all__ = ["HolidayDeleteView", "HolidayEditView", "HolidayListView", "holiday_warning", "missing_next_year"]

WARN_FROM_MONTH = 11  # the State Council's notice of next year's holidays usually comes in November–December


def missing_next_year(today=None) -> int | None:
    """Next year, from November on, while none of its holidays are entered; otherwise None."""
    today = today or timezone.localdate()
    if today.month < WARN_FROM_MONTH:
        return None
    year = today.year + 1
    return None if entered_years(range(year, year + 1)) else year


def _warning_text(year: int) -> str:
    return f"{year} 年的节假日和调休安排尚未录入：在录入之前，按工作日计算的期限只扣除周末，并标注“未按节假日计算”。"


def holiday_warning(request) -> str | None:
    """A home-page panel for those who maintain the calendar."""
    user = request.user
    if not user.is_authenticated or not user_can(user, Holiday, "add"):
        return None
    year = missing_next_year()
    if year is None:
        return None
    return format_html(
        '<div class="alert alert-warning" id="holiday-warning">{} <a href="{}?year={}">录入节假日</a></div>',
        _warning_text(year),
        reverse("core:holiday_list"),
        year,
    )


class HolidayFilterSet(ScopedFilterSet):
    year = django_filters.NumberFilter(label="年份", field_name="date", lookup_expr="year")
    kind = django_filters.ChoiceFilter(label="类型", choices=Holiday.KIND_CHOICES)

    class Meta:
        model = Holiday
        fields = []


class HolidayTable(BaseTable):
    date = tables.DateColumn(format="Y-m-d")
    weekday = tables.Column(verbose_name="星期", accessor="date", orderable=False)
    scope = tables.Column(verbose_name="范围", accessor="region_code", orderable=False)
    edit = tables.Column(verbose_name="", accessor="pk", orderable=False)

    class Meta(BaseTable.Meta):
        model = Holiday
        fields = ("date", "weekday", "kind", "name", "scope")

    def render_weekday(self, value):
        return "一二三四五六日"[value.weekday()]

    def render_edit(self, record):
        user = self.request.user
        if record.region_code == "" and not user.is_superuser:
            return "—"  # the national calendar: a county corrects a day by entering its own row for it
        return format_html(
            '<a href="{}">修改</a> <a href="{}">删除</a>',
            reverse("core:holiday_edit", args=[record.pk]),
            reverse("core:holiday_delete", args=[record.pk]),
        )

    def render_scope(self, value):
        return "本县" if value else "全国"


class HolidayForm(ScopedModelForm):
    class Meta:
        model = Holiday
        fields = ("date", "kind", "name")
        widgets = {"date": date_widget()}

    def clean(self):
        cleaned = super().clean()
        day, kind = cleaned.get("date"), cleaned.get("kind")
        if day and kind == Holiday.WORK and day.weekday() < 5:
            self.add_error("kind", "调休上班日应是周六或周日：工作日本来就上班")
        if day and kind == Holiday.REST and day.weekday() >= 5:
            self.add_error("kind", "周六、周日本来就休息，不必录入为放假")
        if day and self.instance.region_code == "" and self.user is not None and not self.user.is_superuser:
            self.instance.region_code = self.user.region.code[:6] if self.user.region_id else ""
        code = self.instance.region_code
        if day and Holiday.objects.filter(region_code=code, date=day).exclude(pk=self.instance.pk).exists():
            self.add_error("date", f"{day:%Y-%m-%d} 已录入")
        return cleaned


class HolidayListView(ObjectListView):
    queryset = Holiday.objects.all()
    filterset_class = HolidayFilterSet
    table_class = HolidayTable
    title = "节假日"
    add_url_name = "core:holiday_add"
    per_page = 100

    def get_queryset(self, request, action: str = "view"):
        # not narrowed to the region picked in the bar: the national rows hold no village's code
        return self.queryset.all().restrict(request.user, action)

    def get(self, request):
        year = missing_next_year()
        if year is not None:
            messages.warning(request, _warning_text(year))
        return super().get(request)


class HolidayEditView(ObjectEditView):
    queryset = Holiday.objects.all()
    form_class = HolidayForm

    def get_form(self, request, instance, data=None, files=None):
        form = super().get_form(request, instance, data, files)
        form.fields["date"].widget = forms.DateInput(attrs={"type": "date", "class": "form-control"}, format="%Y-%m-%d")
        return form


class HolidayDeleteView(ObjectDeleteView):
    queryset = Holiday.objects.all()
