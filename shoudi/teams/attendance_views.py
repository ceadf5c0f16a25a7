"""The attendance pages: the phone's 签到, the check-in list, the manager's 补录, leave and 公出 with their approval
chain, the month's attendance of a township, and the settings."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from shoudi.core.scope import get_object_for, user_can
from shoudi.core.views import ObjectEditView, ObjectListView

from . import choices as c
from . import services
from .attendance import month_rows, parse_month
from .filters import AbsenceFilterSet, CheckInFilterSet
from .forms import AbsenceForm, CheckInForm, DecisionForm, MakeUpForm, RegionChoiceForm, ReturnForm, TeamSettingsForm
from .models import Absence, CheckIn, TeamMember, TeamSettings
from .selectors import attendance_for
from .tables import AbsenceTable, CheckInTable, SettingsTable

__all__ = [
    "AbsenceListView",
    "CheckInListView",
    "TeamSettingsEditView",
    "TeamSettingsListView",
    "absence_act",
    "absence_add",
    "absence_detail",
    "attendance_page",
    "checkin_page",
    "make_up",
]


def _distance(checkin: CheckIn) -> str:
    if checkin.distance is None:
        return ""
    metres = checkin.distance
    return f"，距驻村地点 {metres / 1000:.1f} 公里" if metres >= 1000 else f"，距驻村地点 {metres} 米"


def checkin_page(request):
    """签到 on the phone: one tap; the time is the server's, the position and the photo are optional."""
    if not user_can(request.user, CheckIn, "add"):
        raise PermissionDenied("您的角色不能签到")
    member = services.current_assignment(request.user)
    form = CheckInForm(request.POST if request.method == "POST" else None, request.FILES or None)
    if request.method == "POST" and member is not None and (form.is_valid() or "photo" not in form.errors):
        # a position the phone sent garbled is left out: the tap itself must not fail for it
        data = form.cleaned_data if not form.errors else {"photo": form.cleaned_data.get("photo")}
        try:
            checkin, new = services.check_in(
                user=request.user,
                latitude=data.get("latitude"),
                longitude=data.get("longitude"),
                accuracy=data.get("accuracy"),
                photo=data.get("photo"),
            )
        except services.Refused as exc:
            messages.error(request, str(exc))
        else:
            when = f"{timezone.localtime(checkin.at):%H:%M}"
            if not new:
                messages.info(request, f"刚刚已签到（{when}），无需重复签到")
            elif checkin.flagged:
                messages.warning(request, f"已签到 {when}。位置存疑：{checkin.flag_note}，将由乡镇核实")
            else:
                located = _distance(checkin) if checkin.latitude is not None else "（未记录位置）"
                messages.success(request, f"已签到 {when}{located}")
            return redirect("teams:checkin")
    today = timezone.localdate()
    context = {"title": "签到", "member": member, "form": form}
    if member is not None:
        context.update(
            {
                "today_checkins": CheckIn.objects.filter(member=member, day=today).order_by("at"),
                "month": next(iter(month_rows([member], today.year, today.month, today=today)), None),
                "site_missing": not member.team.has_site,
            }
        )
    return render(request, "teams/checkin.html", context, status=422 if request.method == "POST" else 200)


class CheckInListView(ObjectListView):
    queryset = CheckIn.objects.select_related("member__team__village")
    filterset_class = CheckInFilterSet
    table_class = CheckInTable
    title = "签到记录"


@require_POST
def make_up(request, pk: int):
    """补录 from the member's page, by the township's manager."""
    member = get_object_for(request.user, TeamMember.objects.select_related("team__village"), "view", pk=pk)
    if not services.may_make_up(request.user, member):
        raise PermissionDenied("补录由乡镇驻村管理员办理")
    form = MakeUpForm(request.POST, prefix="makeup")
    if not form.is_valid():
        messages.error(request, "未补录：请填写在村日期和补录原因")
        return redirect(member)
    try:
        checkin = services.make_up(user=request.user, member=member, **form.cleaned_data)
    except services.Refused as exc:
        messages.error(request, f"未补录：{exc}")
    else:
        messages.success(request, f"已补录 {member.name} {checkin.day:%Y-%m-%d} 在村")
    return redirect(member.get_absolute_url() + "#attendance")


# --- leave and 公出 --------------------------------------------------------------------------------------------------


class AbsenceListView(ObjectListView):
    queryset = Absence.objects.select_related("member__team__village")
    filterset_class = AbsenceFilterSet
    table_class = AbsenceTable
    title = "请假与公出"
    add_url_name = "teams:absence_add"


def _member_for_absence(request) -> TeamMember | None:
    """Whose absence the form registers: ``?member=`` for a manager, else the user's own assignment."""
    asked = request.GET.get("member") or request.POST.get("member")
    if asked and str(asked).isdigit():
        return get_object_for(request.user, TeamMember.objects.select_related("team__village"), "view", pk=asked)
    return services.current_assignment(request.user)


def absence_add(request):
    if not user_can(request.user, Absence, "add"):
        raise PermissionDenied("您的角色不能登记请假或公出")
    member = _member_for_absence(request)
    form = AbsenceForm(request.POST or None)
    if request.method == "POST" and member is not None and form.is_valid():
        try:
            absence = services.report_absence(user=request.user, member=member, **form.cleaned_data)
        except services.Refused as exc:
            form.add_error(None, str(exc))
        else:
            if absence.category == c.OFFICIAL:
                messages.success(request, f"已报备公出 {absence.days} 天，计入在村天数")
            else:
                messages.success(request, f"已提交请假 {absence.days} 天，{absence.get_state_display()}")
            return redirect(absence)
    members = []
    if member is None:  # a manager picks the member
        members = TeamMember.objects.restrict(request.user, "view").filter(end_date__isnull=True)
        members = members.select_related("team__village").order_by("team__village__code", "name")[:300]
    context = {"title": "请假 / 公出报备", "form": form, "member": member, "members": members}
    status = 422 if request.method == "POST" else 200
    return render(request, "teams/absence_form.html", context, status=status)


def absence_detail(request, pk: int):
    absence = get_object_for(
        request.user, Absence.objects.select_related("member__team__village__parent", "entered_by"), "view", pk=pk
    )
    actions = services.allowed_actions(absence, request.user)
    context = {
        "title": f"{absence.category}：{absence.member.name}",
        "absence": absence,
        "actions": actions,
        "limit": services.township_limit(absence),
        "decision_form": DecisionForm(prefix="decide"),
        "return_form": ReturnForm(prefix="return"),
    }
    return render(request, "teams/absence_detail.html", context)


@require_POST
def absence_act(request, pk: int, action: str):
    absence = get_object_for(request.user, Absence.objects.select_related("member"), "view", pk=pk)
    if action not in ("decide", "withdraw", "return") or action not in services.allowed_actions(absence, request.user):
        raise PermissionDenied("您不能对该申请进行此操作")
    try:
        if action == "decide":
            form = DecisionForm(request.POST, prefix="decide")
            form.is_valid()
            approve = request.POST.get("decision") == "approve"
            opinion = form.cleaned_data.get("opinion", "")
            absence = services.decide_absence(user=request.user, absence=absence, approve=approve, opinion=opinion)
        elif action == "withdraw":
            absence = services.withdraw_absence(user=request.user, absence=absence)
        else:
            form = ReturnForm(request.POST, prefix="return")
            if not form.is_valid():
                raise services.Refused("请填写回村日期")
            absence = services.return_from_leave(
                user=request.user, absence=absence, returned_on=form.cleaned_data["returned_on"]
            )
    except services.Refused as exc:
        messages.error(request, f"未办理：{exc}")
    else:
        messages.success(request, f"已办理，当前状态：{absence.get_state_display()}")
    return redirect(absence)


# --- the month's attendance --------------------------------------------------------------------------------------


def attendance_page(request):
    """月度考勤: every member of the township (or the user's scope) in a month, those under the minimum flagged;
    ``?area=<region code>&month=YYYY-MM``, as the dashboards link."""
    if not user_can(request.user, CheckIn, "view"):
        raise PermissionDenied("您的角色不能查看考勤")
    today = timezone.localdate()
    data = request.GET.copy()
    data.setdefault("month", f"{today.year}-{today.month:02d}")
    form = RegionChoiceForm(data, user=request.user)
    rows, error, region = [], "", None
    if form.is_valid():
        region = form.cleaned_data["area"]
        try:
            year, month = parse_month(form.cleaned_data["month"])
        except ValueError as exc:
            error = str(exc)
        else:
            rows = attendance_for(request.user, year, month, region_code=region.code if region else "", today=today)
            if form.cleaned_data["under"]:
                rows = [row for row in rows if row.under]
    else:
        error = "；".join(e for errors in form.errors.values() for e in errors)
    own = request.user.region if getattr(request.user, "region_id", None) else None
    context = {
        "title": "月度考勤",
        "form": form,
        "rows": rows,
        "under": sum(1 for r in rows if r.under),
        "error": error,
        "region": region or own,
        "ledger_url": reverse("ledgers:ledger_detail", args=["team-attendance"]),
    }
    return render(request, "teams/attendance.html", context)


# --- settings -----------------------------------------------------------------------------------------------------


class TeamSettingsListView(ObjectListView):
    queryset = TeamSettings.objects.select_related("region")
    table_class = SettingsTable
    title = "驻村管理参数"
    add_url_name = "teams:teamsettings_add"


class TeamSettingsEditView(ObjectEditView):
    queryset = TeamSettings.objects.all()
    form_class = TeamSettingsForm
