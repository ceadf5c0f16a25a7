import django_filters
from django.db.models import Q

from shoudi.core.filters import ScopedFilterSet

from .models import LEVEL_CHOICES, Region


class RegionFilterSet(ScopedFilterSet):
    q = django_filters.CharFilter(label="名称或代码", method="search")
    level = django_filters.ChoiceFilter(label="级别", choices=LEVEL_CHOICES)
    parent = django_filters.ModelChoiceFilter(label="上级区划", queryset=Region.objects.none())

    class Meta:
        model = Region
        fields = []

    def __init__(self, *args, request=None, **kwargs):
        super().__init__(*args, request=request, **kwargs)
        if request is not None:
            self.filters["parent"].queryset = Region.objects.restrict(request.user, "view").exclude(level="village")
            self.form.fields["parent"].queryset = self.filters["parent"].queryset

    def search(self, queryset, name, value):
        return queryset.filter(Q(name__icontains=value) | Q(code__startswith=value.strip()))


def _villages_in_scope(request):
    if request is None:
        return Region.objects.none()
    return Region.objects.restrict(request.user, "view").filter(level="village")


class VillageFilter(django_filters.ModelChoiceFilter):
    """A 行政村 choice offering only the villages inside the user's scope (django-filter passes the request)."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("label", "行政村")
        kwargs.setdefault("queryset", _villages_in_scope)
        super().__init__(*args, **kwargs)
