import django_tables2 as tables

from shoudi.core.masking import mask_id_number, mask_phone
from shoudi.core.tables import BaseTable

from .models import Household, Member


class MaskedColumn(tables.Column):
    """A personal value shown (and exported) masked."""

    def __init__(self, *args, kind="phone", **kwargs):
        self.mask = mask_id_number if kind == "id_number" else mask_phone
        super().__init__(*args, **kwargs)

    def render(self, value):
        return self.mask(value)

    def value(self, value):
        return self.mask(value)


class HouseholdTable(BaseTable):
    household_no = tables.Column(linkify=True)
    head_name = tables.Column(verbose_name="户主", accessor="head_name", orderable=False)
    village = tables.Column(verbose_name="行政村", accessor="village__name")
    phone = MaskedColumn(kind="phone")
    member_count = tables.Column(verbose_name="人数", accessor="member_count")

    class Meta(BaseTable.Meta):
        model = Household
        fields = (
            "household_no",
            "head_name",
            "village",
            "group_name",
            "household_type",
            "lifted_year",
            "member_count",
            "phone",
        )


class MemberTable(BaseTable):
    name = tables.Column(linkify=True)
    id_number = MaskedColumn(kind="id_number")
    phone = MaskedColumn(kind="phone")
    household = tables.Column(verbose_name="户编号", accessor="household__household_no")
    village = tables.Column(verbose_name="行政村", accessor="household__village__name")

    class Meta(BaseTable.Meta):
        model = Member
        fields = (
            "name",
            "gender",
            "id_number",
            "relation",
            "household",
            "village",
            "labour_skill",
            "health",
            "student_status",
            "status",
            "phone",
        )
