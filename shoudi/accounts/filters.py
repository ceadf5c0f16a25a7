import django_filters
from django.db.models import Q

from shoudi.core.filters import ScopedFilterSet

from .models import User
from .roles import ROLE_CHOICES


class UserFilterSet(ScopedFilterSet):
    q = django_filters.CharFilter(label="用户名或姓名", method="search")
    role = django_filters.ChoiceFilter(label="角色", choices=ROLE_CHOICES)
    is_active = django_filters.BooleanFilter(label="启用")

    class Meta:
        model = User
        fields = []

    def search(self, queryset, name, value):
        return queryset.filter(Q(username__icontains=value) | Q(name__icontains=value))
