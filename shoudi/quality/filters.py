"""The filters of the hit list: rule, topic, severity, state (current hits unless asked for history), region."""

from __future__ import annotations

import django_filters
from django.db.models import Q

from shoudi.core.filters import ScopedFilterSet
from shoudi.work import choices as wc

from .models import Hit
from .rules import TOPICS, all_rules
from .rules.base import SEVERITIES

__all__ = ["STATUS_CHOICES", "HitFilterSet"]

STATUS_CHOICES = [
    ("open", "待整改"),
    ("pending", "待确认“不是问题”"),
    ("waived", "不是问题"),
    ("fixed", "已整改"),
    ("closed", "已销号"),
    ("all", "全部（含历史）"),
]


def _rule_choices():
    return [(rule.code, rule.label) for rule in all_rules()]


class HitFilterSet(ScopedFilterSet):
    rule = django_filters.ChoiceFilter(label="规则", choices=_rule_choices)
    topic = django_filters.ChoiceFilter(label="类别", choices=[(t, t) for t in TOPICS], method="by_topic")
    severity = django_filters.ChoiceFilter(label="严重程度", choices=[(s, s) for s in SEVERITIES], method="by_severity")
    status = django_filters.ChoiceFilter(label="状态", choices=STATUS_CHOICES, method="by_status")
    area = django_filters.CharFilter(label="区划代码", method="in_area")
    q = django_filters.CharFilter(label="户编号/姓名", method="search")

    class Meta:
        model = Hit
        fields = []

    def by_topic(self, queryset, name, value):
        return queryset.filter(rule__in=[rule.code for rule in all_rules() if rule.topic == value])

    def by_severity(self, queryset, name, value):
        return queryset.filter(rule__in=[rule.code for rule in all_rules() if rule.severity == value])

    def by_status(self, queryset, name, value):
        current = queryset.filter(active=True)
        if value == "open":
            return current.filter(problem__state__in=wc.UNCLOSED_STATES)
        if value == "pending":
            return current.filter(problem__state=wc.APPLIED, problem__outcome=wc.NOT_A_PROBLEM)
        if value == "waived":
            return queryset.filter(problem__state=wc.CLOSED, problem__outcome=wc.NOT_A_PROBLEM)
        if value in (Hit.FIXED, Hit.CLOSED):
            return queryset.filter(state=value)
        return queryset

    def in_area(self, queryset, name, value):
        return queryset.filter(village__code__startswith=value.strip())

    def search(self, queryset, name, value):
        value = value.strip()
        return queryset.filter(
            Q(household__household_no=value)
            | Q(member__name=value)
            | Q(household__members__relation="户主", household__members__name=value)
        ).distinct()

    @property
    def qs(self):
        queryset = super().qs
        if not (self.is_bound and self.form.cleaned_data.get("status")):
            queryset = queryset.filter(active=True)  # the current hits unless a state (or history) is asked for
        return queryset
