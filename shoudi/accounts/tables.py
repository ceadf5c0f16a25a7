import django_tables2 as tables

from shoudi.core.masking import mask_phone
from shoudi.core.tables import BaseTable

from .models import User


class UserTable(BaseTable):
    username = tables.Column(linkify=True)
    region = tables.Column(verbose_name="所属区划")

    class Meta(BaseTable.Meta):
        model = User
        fields = ("username", "name", "role", "region", "department", "phone", "is_active", "last_login")

    def render_phone(self, value):
        return mask_phone(value)

    def value_phone(self, value):
        return mask_phone(value)
