import django_filters
from django.db.models import Q

from .models import AccessLog, ObjectChange

__all__ = ["AccessLogFilterSet", "ObjectChangeFilterSet", "ScopedFilterSet"]


class ScopedFilterSet(django_filters.FilterSet):
    """A filterset that receives the request (for choices in scope) and styles its widgets with Bootstrap."""

    def __init__(self, *args, request=None, **kwargs):
        super().__init__(*args, request=request, **kwargs)
        for f in self.form.fields.values():
            f.required = False
            widget = f.widget
            name = type(widget).__name__
            if name == "NullBooleanSelect":
                widget.choices = [("unknown", "全部"), ("true", "是"), ("false", "否")]
            elif hasattr(f, "empty_label") and f.empty_label is not None:
                f.empty_label = "全部"
            elif hasattr(widget, "choices") and getattr(f, "choices", None):
                f.choices = [("", "全部") if value == "" else (value, label) for value, label in f.choices]
            widget.attrs.setdefault("class", "form-select form-select-sm" if "Select" in name
                                    else "form-control form-control-sm")


class ObjectChangeFilterSet(ScopedFilterSet):
    q = django_filters.CharFilter(label="对象/操作人", method="search")
    action = django_filters.ChoiceFilter(label="操作", choices=ObjectChange.ACTION_CHOICES)
    content_type__model = django_filters.CharFilter(label="对象类型（英文名）")
    time_after = django_filters.DateFilter(label="起始日期", field_name="time", lookup_expr="date__gte")
    time_before = django_filters.DateFilter(label="截止日期", field_name="time", lookup_expr="date__lte")

    class Meta:
        model = ObjectChange
        fields = []

    def search(self, queryset, name, value):
        return queryset.filter(Q(object_repr__icontains=value) | Q(user_name__icontains=value))


class AccessLogFilterSet(ScopedFilterSet):
    q = django_filters.CharFilter(label="对象/操作人", method="search")
    action = django_filters.ChoiceFilter(label="操作", choices=AccessLog.ACTION_CHOICES)
    time_after = django_filters.DateFilter(label="起始日期", field_name="time", lookup_expr="date__gte")
    time_before = django_filters.DateFilter(label="截止日期", field_name="time", lookup_expr="date__lte")

    class Meta:
        model = AccessLog
        fields = []

    def search(self, queryset, name, value):
        return queryset.filter(Q(object_repr__icontains=value) | Q(user_name__icontains=value))
