import django_tables2 as tables

from shoudi.core.tables import BaseTable

from .models import Region


class RegionTable(BaseTable):
    code = tables.Column(linkify=True)
    name = tables.Column(linkify=True)
    parent = tables.Column(verbose_name="上级区划")

    class Meta(BaseTable.Meta):
        model = Region
        fields = ("code", "name", "level", "parent")
