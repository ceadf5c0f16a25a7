"""The record pages: 公益性岗位 with their holders and attendance (subsidies under the floor flagged), 帮扶车间
with their 脱贫 workers and the 稳岗补贴 each earns, the 一次性交通补贴 list, and the settings."""

from __future__ import annotations

from decimal import Decimal

from django.db.models import Count, Q

from shoudi.core.scope import user_can
from shoudi.core.views import ObjectDetailView, ObjectEditView, ObjectListView

from .filters import AttendanceFilterSet, PostFilterSet, TransportSubsidyFilterSet, WorkshopFilterSet
from .forms import (
    AttendanceForm,
    EmploymentSettingsForm,
    PlacementForm,
    PostForm,
    TransportSubsidyForm,
    WorkshopEmployeeForm,
    WorkshopForm,
)
from .models import (
    Attendance,
    EmploymentSettings,
    Placement,
    Post,
    TransportSubsidy,
    Workshop,
    WorkshopEmployee,
)
from .selectors import SettingsResolver, floor_case
from .tables import AttendanceTable, PostTable, SettingsTable, TransportSubsidyTable, WorkshopTable

__all__ = [
    "AttendanceEditView",
    "AttendanceListView",
    "PlacementEditView",
    "PostDetailView",
    "PostEditView",
    "PostListView",
    "SettingsEditView",
    "SettingsListView",
    "TransportSubsidyEditView",
    "TransportSubsidyListView",
    "WorkshopDetailView",
    "WorkshopEditView",
    "WorkshopEmployeeEditView",
    "WorkshopListView",
    "workshop_rows",
]

ATTENDANCE_CODE = "placement__member__household__village__code"


class InitialFromQuery(ObjectEditView):
    """A new record with its parent chosen from the page it was added from (?post=, ?workshop=)."""

    initial_params: tuple[str, ...] = ()

    def get_form(self, request, instance, data=None, files=None):
        initial = {name: request.GET[name] for name in self.initial_params if name in request.GET}
        return self.form_class(data, files, instance=instance, user=request.user, initial=initial)


# --- 公益性岗位 --------------------


class PostListView(ObjectListView):
    queryset = Post.objects.select_related("region").annotate(
        holder_count=Count("placements", filter=Q(placements__end_date__isnull=True))
    )
    filterset_class = PostFilterSet
    table_class = PostTable
    title = "公益性岗位"
    add_url_name = "employment:post_add"


class PostEditView(ObjectEditView):
    queryset = Post.objects.all()
    form_class = PostForm


class PostDetailView(ObjectDetailView):
    queryset = Post.objects.select_related("region")
    template_name = "employment/post_detail.html"
    fields = ("name", "region", "employer", "monthly_subsidy", "note")

    def get_context(self, request, obj):
        context = super().get_context(request, obj)
        placements = Placement.objects.restrict(request.user, "view").filter(post=obj)
        months = (
            Attendance.objects.restrict(request.user, "view")
            .filter(placement__post=obj)
            .annotate(floor=floor_case(ATTENDANCE_CODE))
            .select_related("placement__member")[:120]
        )
        floor = SettingsResolver()(obj.region.code).subsidy_floor
        context.update(
            {
                "placements": placements.select_related("member__household__village"),
                "months": months,
                "floor": floor,
                "post_low": obj.monthly_subsidy < floor,
                "can_place": user_can(request.user, Placement, "add"),
                "can_record": user_can(request.user, Attendance, "add"),
            }
        )
        return context


class PlacementEditView(InitialFromQuery):
    queryset = Placement.objects.all()
    form_class = PlacementForm
    initial_params = ("post",)


class AttendanceListView(ObjectListView):
    queryset = Attendance.objects.select_related("placement__member__household__village", "placement__post")
    filterset_class = AttendanceFilterSet
    table_class = AttendanceTable
    title = "公益性岗位考勤与补贴"
    add_url_name = "employment:attendance_add"

    def get_queryset(self, request, action: str = "view"):
        return super().get_queryset(request, action).annotate(floor=floor_case(ATTENDANCE_CODE))


class AttendanceEditView(InitialFromQuery):
    queryset = Attendance.objects.all()
    form_class = AttendanceForm
    initial_params = ("placement",)


# --- 就业帮扶车间 --------------------


class WorkshopListView(ObjectListView):
    queryset = Workshop.objects.select_related("region").annotate(employee_count=Count("employees"))
    filterset_class = WorkshopFilterSet
    table_class = WorkshopTable
    title = "就业帮扶车间"
    add_url_name = "employment:workshop_add"


class WorkshopEditView(ObjectEditView):
    queryset = Workshop.objects.all()
    form_class = WorkshopForm


def workshop_rows(employees) -> tuple[list[tuple[WorkshopEmployee, bool, Decimal]], Decimal]:
    """Each worker with his 稳岗补贴 eligibility and amount under the settings of his village; and the total."""
    resolve = SettingsResolver()
    rows, total = [], Decimal("0.00")
    for employee in employees:
        rules = resolve(employee.member.household.village.code)
        eligible = rules.workshop_eligible(employee.months, employee.income)
        amount = rules.workshop_subsidy if eligible else Decimal("0.00")
        rows.append((employee, eligible, amount))
        total += amount
    return rows, total


class WorkshopDetailView(ObjectDetailView):
    queryset = Workshop.objects.select_related("region")
    template_name = "employment/workshop_detail.html"
    fields = ("name", "region", "operator", "contact")

    def get_context(self, request, obj):
        context = super().get_context(request, obj)
        employees = (
            WorkshopEmployee.objects.restrict(request.user, "view")
            .filter(workshop=obj)
            .select_related("member__household__village")
            .order_by("-year", "member__household__village__code", "id")
        )
        rows, total = workshop_rows(employees)
        rules = SettingsResolver()(obj.region.code)
        context.update(
            {
                "rows": rows,
                "subsidy_total": total,
                "eligible_count": sum(1 for _, eligible, _ in rows if eligible),
                "rules": rules,
                "can_add_employee": user_can(request.user, WorkshopEmployee, "add"),
                "can_change_employee": user_can(request.user, WorkshopEmployee, "change"),
            }
        )
        return context


class WorkshopEmployeeEditView(InitialFromQuery):
    queryset = WorkshopEmployee.objects.all()
    form_class = WorkshopEmployeeForm
    initial_params = ("workshop",)


# --- 一次性交通补贴 --------------------


class TransportSubsidyListView(ObjectListView):
    queryset = TransportSubsidy.objects.select_related("member__household__village__parent")
    filterset_class = TransportSubsidyFilterSet
    table_class = TransportSubsidyTable
    title = "一次性交通补贴"
    add_url_name = "employment:transportsubsidy_add"


class TransportSubsidyEditView(ObjectEditView):
    queryset = TransportSubsidy.objects.all()
    form_class = TransportSubsidyForm


# --- 参数 --------------------


class SettingsListView(ObjectListView):
    queryset = EmploymentSettings.objects.select_related("region")
    table_class = SettingsTable
    title = "就业帮扶参数"
    add_url_name = "employment:employmentsettings_add"


class SettingsEditView(ObjectEditView):
    queryset = EmploymentSettings.objects.all()
    form_class = EmploymentSettingsForm
