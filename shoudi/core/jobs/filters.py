import django_filters

from ..filters import ScopedFilterSet
from ..models import Job
from .registry import job_types

__all__ = ["JobFilterSet"]


def kind_choices():
    """The registered job kinds, for the filter's select."""
    return [(t.kind, t.title) for t in job_types()]


class JobFilterSet(ScopedFilterSet):
    q = django_filters.CharFilter(label="名称", field_name="title", lookup_expr="icontains")
    status = django_filters.ChoiceFilter(label="状态", choices=Job.STATUS_CHOICES)
    kind = django_filters.ChoiceFilter(label="类型", choices=kind_choices)
    created_after = django_filters.DateFilter(label="起始日期", field_name="created_at", lookup_expr="date__gte")
    created_before = django_filters.DateFilter(label="截止日期", field_name="created_at", lookup_expr="date__lte")

    class Meta:
        model = Job
        fields = []
