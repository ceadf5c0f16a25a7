"""The filters of the campaign list, and the 攻坚行动 filter the campaigns add to work's problem list."""

from __future__ import annotations

import django_filters
from django.db.models import Q
from django.utils import timezone

from shoudi.core.filters import ScopedFilterSet

from . import choices as c
from .models import Campaign

__all__ = ["CampaignFilterSet", "campaign_problem_filter"]


class CampaignFilterSet(ScopedFilterSet):
    q = django_filters.CharFilter(label="行动名称/文件编号", method="search")
    state = django_filters.ChoiceFilter(label="状态", choices=c.STATE_CHOICES, method="in_state", empty_label="全部")

    class Meta:
        model = Campaign
        fields = []

    def search(self, queryset, name, value):
        return queryset.filter(Q(name__contains=value) | Q(document_no__contains=value))

    def in_state(self, queryset, name, value):
        today = timezone.localdate()
        if value == c.BEFORE:
            return queryset.filter(start_date__gt=today)
        if value == c.ENDED:
            return queryset.filter(end_date__lt=today)
        return queryset.filter(start_date__lte=today, end_date__gte=today)


def _campaigns_in_scope(request):
    if request is None:
        return Campaign.objects.none()
    return Campaign.objects.restrict(request.user, "view")


def _of_campaign(queryset, name, value):
    return queryset.filter(campaign_link__campaign=value)


def campaign_problem_filter() -> django_filters.Filter:
    """问题整改's list, narrowed to one campaign's problems (the campaign page's figures link to it)."""
    return django_filters.ModelChoiceFilter(label="攻坚行动", queryset=_campaigns_in_scope, method=_of_campaign)
