"""The register's list (a table on a desk, cards on a phone) and the settings list. The categories and this period's
last visit of a page's households are read once per page (``before_render``), not per row."""

from __future__ import annotations

import django_tables2 as tables
from django.db.models import Max
from django.utils import timezone

from shoudi.core.tables import BaseTable
from shoudi.registry.tables import CARDS

from .models import LowIncomeSettings
from .selectors import categories_of, settings_for, visit_period, visits_in

__all__ = ["RegisterTable", "SettingsTable"]


class RegisterTable(BaseTable):
    household_no = tables.Column(verbose_name="户编号", linkify=lambda record: record.get_absolute_url())
    head = tables.Column(verbose_name="户主", accessor="head_name", orderable=False, empty_values=())
    township = tables.Column(verbose_name="乡镇", accessor="village__parent__name")
    village = tables.Column(verbose_name="行政村", accessor="village__name")
    household_type = tables.Column(verbose_name="户类型")
    categories = tables.Column(verbose_name="低收入人口类别", empty_values=(), orderable=False)
    last_visit = tables.Column(verbose_name="本期走访", empty_values=(), orderable=False)

    class Meta(BaseTable.Meta):
        template_name = CARDS
        fields = ("household_no", "head", "township", "village", "household_type", "categories", "last_visit")

    def before_render(self, request):
        if not hasattr(self, "page"):
            return
        self._facts(request.user, [row.record.pk for row in self.page.object_list])

    def _facts(self, user, ids):
        today = timezone.localdate()
        self._categories = categories_of(ids, today)
        settings = settings_for(user)
        start, _ = visit_period(today, settings)
        visits = visits_in(start, today, settings).filter(household_id__in=ids)
        self._visits = dict(visits.order_by().values_list("household_id").annotate(last=Max("visited_on")))

    def _ensure(self, record):
        if not hasattr(self, "_categories"):  # the export renders every row without a page
            self._facts(self.request.user, [r.pk for r in self.data])

    def render_categories(self, record):
        self._ensure(record)
        return "、".join(self._categories.get(record.pk, [])) or "—"

    def value_categories(self, record):
        return self.render_categories(record)

    def render_last_visit(self, record):
        self._ensure(record)
        day = self._visits.get(record.pk)
        return f"{day:%Y-%m-%d}" if day else "未走访"

    def value_last_visit(self, record):
        return self.render_last_visit(record)

    def render_head(self, value):
        return value or "—"


class SettingsTable(BaseTable):
    edit = tables.TemplateColumn(
        "<a href=\"{% url 'lowincome:lowincomesettings_edit' record.pk %}\">修改</a>", verbose_name="", orderable=False
    )

    class Meta(BaseTable.Meta):
        template_name = CARDS
        model = LowIncomeSettings
        fields = ("region", "visit_months", "remote_counts")
