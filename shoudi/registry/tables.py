import django_tables2 as tables
from django.db.models import OuterRef, QuerySet, Subquery
from django.utils.html import format_html

from shoudi.core.masking import mask_id_number, mask_phone
from shoudi.core.tables import BaseTable

from .models import Household, Member, ResettlementSite
from .sites import employed_share

CARDS = "registry/_cards_table.html"  # a table on a desk, cards on a phone

__all__ = [
    "CARDS",
    "HouseholdColumn",
    "HouseholdExportColumns",
    "HouseholdTable",
    "MaskedColumn",
    "MemberTable",
    "ResettlementSiteTable",
    "TextColumn",
    "with_head_name",
]


def with_head_name(queryset: QuerySet, path: str = "household") -> QuerySet:
    """Rows of a list that points at households, with the head's name (``household_head``) for HouseholdColumn."""
    heads = Member.objects.filter(household=OuterRef(path), relation="户主").values("name")[:1]
    return queryset.select_related(f"{path}__village").annotate(household_head=Subquery(heads))


class HouseholdColumn(tables.Column):
    """The household as every page names it (户主 · 村 · short 户编号), linked, the full 户编号 below.

    The list's queryset comes through ``with_head_name`` so that no row asks for its head separately."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("verbose_name", "农户")
        kwargs.setdefault("accessor", "household")
        kwargs.setdefault("order_by", ("household__household_no",))
        kwargs.setdefault("exclude_from_export", True)  # exported as 户编号, 户主, 行政村 (HouseholdExportColumns)
        super().__init__(*args, **kwargs)

    @staticmethod
    def household_of(record, value):
        if isinstance(record, Household):
            return record  # the household list: its queryset carries ``head_name`` itself
        if hasattr(record, "household_head"):
            value.__dict__["head_name"] = record.household_head
        return value

    def render(self, record, value):
        household = self.household_of(record, value)
        return format_html(
            '<a href="{}">{}</a><div class="small text-body-secondary">{}</div>',
            household.get_absolute_url(),
            household.label,
            household.household_no,
        )

    def value(self, record, value):
        household = self.household_of(record, value)
        return f"{household.label}（{household.household_no}）"


class HouseholdExportColumns(BaseTable):
    """户编号, 户主 and 行政村 as separate columns of the Excel export (hidden on screen, where HouseholdColumn
    shows them in one cell): for rows pointing at a household through ``household``, via ``with_head_name``."""

    export_household_no = tables.Column(verbose_name="户编号", accessor="household__household_no", visible=False)
    export_head = tables.Column(verbose_name="户主", accessor="household_head", visible=False, default="")
    export_village = tables.Column(verbose_name="行政村", accessor="household__village__name", visible=False)


class TextColumn(tables.Column):
    """Free text (措施内容, 走访内容) cut to one short line in the list, whole in the export and the tooltip."""

    def __init__(self, *args, length: int = 24, **kwargs):
        self.length = length
        super().__init__(*args, **kwargs)

    def render(self, value):
        text = str(value)
        short = text if len(text) <= self.length else text[: self.length - 1] + "…"
        return format_html('<span title="{}">{}</span>', text, short)

    def value(self, value):
        return value


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
    household = HouseholdColumn(accessor="household_no", order_by=("household_no",))
    export_household_no = tables.Column(verbose_name="户编号", accessor="household_no", visible=False)
    export_head = tables.Column(verbose_name="户主", accessor="head_name", visible=False, default="")
    export_village = tables.Column(verbose_name="行政村", accessor="village__name", visible=False)
    phone = MaskedColumn(kind="phone")
    member_count = tables.Column(verbose_name="人数", accessor="member_count")

    class Meta(BaseTable.Meta):
        template_name = CARDS
        model = Household
        fields = ("household", "group_name", "household_type", "lifted_year", "member_count", "phone")


class MemberTable(HouseholdExportColumns):
    name = tables.Column(linkify=True)
    id_number = MaskedColumn(kind="id_number")
    phone = MaskedColumn(kind="phone")
    household = HouseholdColumn()

    class Meta(BaseTable.Meta):
        template_name = CARDS
        model = Member
        fields = (
            "name",
            "gender",
            "id_number",
            "relation",
            "household",
            "labour_skill",
            "health",
            "student_status",
            "status",
            "phone",
        )


class ResettlementSiteTable(BaseTable):
    """The 安置点名单: names before numbers; 务工占比 is the employed share of the persons of labour."""

    name = tables.Column(linkify=True)
    community = tables.Column(verbose_name="所在社区（村）", accessor="community__name", default="—")
    households = tables.Column(verbose_name="安置户数", accessor="household_count")
    persons = tables.Column(verbose_name="安置人数", accessor="person_count")
    employed = tables.Column(verbose_name="务工占比", empty_values=(), orderable=False)
    leader_name = tables.Column(verbose_name="挂点领导")
    manager_name = tables.Column(verbose_name="社区管理负责人")

    class Meta(BaseTable.Meta):
        template_name = CARDS
        model = ResettlementSite
        fields = ("name", "community", "households", "persons", "employed", "leader_name", "manager_name")

    def render_employed(self, record):
        return employed_share(record.labour_count, record.working_count)

    def value_employed(self, record):
        return self.render_employed(record)
