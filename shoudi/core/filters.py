"""Filtersets: the scoped base every list uses (styled widgets, the request, the filters higher apps register)."""

import django_filters
from django.apps import apps
from django.contrib.contenttypes.models import ContentType
from django.db.models import Q

from .models import AccessLog, ChangeLoggedModel, ObjectChange
from .registry import registry

__all__ = ["AccessLogFilterSet", "ObjectChangeFilterSet", "ScopedFilterSet"]


class ScopedFilterSet(django_filters.FilterSet):
    """A filterset that receives the request (for choices in scope) and styles its widgets with Bootstrap.

    It also carries the filters higher apps register for it (``FilterExtension("registry.HouseholdFilterSet",
    "monitored", build)`` in the ``filter_extensions`` store): the filterset adds them to its own class the first
    time it is used, after its declared ones, so no app patches another app's class.
    """

    def __init__(self, *args, request=None, **kwargs):
        type(self).add_extensions()
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
            widget.attrs.setdefault(
                "class", "form-select form-select-sm" if "Select" in name else "form-control form-control-sm"
            )

    @classmethod
    def extension_name(cls) -> str:
        """How extensions name this filterset: "app_label.ClassName"."""
        config = apps.get_containing_app_config(cls.__module__)
        return f"{config.label if config else cls.__module__}.{cls.__name__}"

    @classmethod
    def add_extensions(cls) -> None:
        """Add the registered extensions of this class and of its filterset ancestors to ``base_filters`` (again
        only when the registered ones change)."""
        names = {
            klass.extension_name()
            for klass in cls.__mro__
            if isinstance(klass, type) and issubclass(klass, ScopedFilterSet)
        }
        extensions = tuple(e for e in registry.entries("filter_extensions") if e.filterset in names)
        if cls.__dict__.get("_extensions") == extensions:
            return
        declared = cls.__dict__["_declared_filters"] if "_declared_filters" in cls.__dict__ else dict(cls.base_filters)
        added = {}
        for extension in extensions:
            if extension.name in declared or extension.name in added:
                raise ValueError(f"{cls.extension_name()}: the filter {extension.name!r} exists already")
            added[extension.name] = extension.build()
        cls._declared_filters = declared
        cls.base_filters = {**declared, **added}
        cls._extensions = extensions


def logged_model_choices() -> list[tuple[int, str]]:
    """The kinds of object the change log holds, by their Chinese names."""
    models = [m for m in apps.get_models() if issubclass(m, ChangeLoggedModel)]
    types = ContentType.objects.get_for_models(*models)
    return sorted(((types[m].pk, str(m._meta.verbose_name)) for m in models), key=lambda choice: choice[1])


class ObjectChangeFilterSet(ScopedFilterSet):
    q = django_filters.CharFilter(label="对象/操作人", method="search")
    action = django_filters.ChoiceFilter(label="操作", choices=ObjectChange.ACTION_CHOICES)
    source = django_filters.ChoiceFilter(label="来源", choices=ObjectChange._meta.get_field("source").choices)
    content_type = django_filters.ChoiceFilter(label="对象类型", choices=lambda: logged_model_choices())
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
