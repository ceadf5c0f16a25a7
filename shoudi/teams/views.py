"""The pages of units, teams and members: lists, a team with its members, a member with his attendance, appointing
and ending an assignment, the masked phone and ID shown on request (logged)."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db.models import Count, Q
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from shoudi.core.audit import log_access
from shoudi.core.models import AccessLog
from shoudi.core.scope import get_object_for, in_scope, user_can
from shoudi.core.views import ObjectDetailView, ObjectEditView, ObjectListView
from shoudi.registry.models import Household

from . import services
from .attendance import month_rows
from .filters import MemberFilterSet, SupportUnitFilterSet, TeamFilterSet
from .forms import EndForm, MakeUpForm, MemberForm, SupportUnitForm, TeamForm
from .models import Absence, CheckIn, SupportUnit, Team, TeamMember
from .tables import MemberTable, SupportUnitTable, TeamTable

__all__ = [
    "MemberDetailView",
    "MemberEditView",
    "MemberListView",
    "SupportUnitDetailView",
    "SupportUnitEditView",
    "SupportUnitListView",
    "TeamDetailView",
    "TeamEditView",
    "TeamListView",
    "member_add",
    "member_end",
    "member_unmask",
]


class SupportUnitListView(ObjectListView):
    queryset = SupportUnit.objects.annotate(team_count=Count("teams", distinct=True))
    filterset_class = SupportUnitFilterSet
    table_class = SupportUnitTable
    title = "后盾单位"
    add_url_name = "teams:supportunit_add"


class SupportUnitDetailView(ObjectDetailView):
    queryset = SupportUnit.objects.select_related("region")
    template_name = "teams/supportunit_detail.html"
    fields = ("name", "level", "main_leader", "deputy_leader", "contact", "phone", "region")

    def get_context(self, request, obj):
        context = super().get_context(request, obj)
        context["teams"] = Team.objects.restrict(request.user, "view").filter(unit=obj).select_related("village")
        context["can_unmask"] = in_scope(request.user, obj, "unmask")
        return context


class SupportUnitEditView(ObjectEditView):
    queryset = SupportUnit.objects.all()
    form_class = SupportUnitForm


CURRENT = Q(members__end_date__isnull=True)


class TeamListView(ObjectListView):
    queryset = Team.objects.select_related("village__parent", "unit").annotate(
        member_count=Count("members", filter=CURRENT)
    )
    filterset_class = TeamFilterSet
    table_class = TeamTable
    title = "驻村工作队"
    add_url_name = "teams:team_add"


class TeamDetailView(ObjectDetailView):
    queryset = Team.objects.select_related("village__parent", "unit")
    template_name = "teams/team_detail.html"
    fields = ("village", "unit", "formed_on", "address", "latitude", "longitude", "note")

    def get_context(self, request, obj):
        context = super().get_context(request, obj)
        today = timezone.localdate()
        members = TeamMember.objects.restrict(request.user, "view").filter(team=obj).select_related("unit")
        current = [m for m in members.select_related("team__village") if m.is_current]
        context.update(
            {
                "current": current,
                "former": members.filter(end_date__isnull=False).order_by("-end_date"),
                "month": month_rows(current, today.year, today.month, today=today),
                "can_appoint": user_can(request.user, TeamMember, "add"),
                "may_list": user_can(request.user, Household, "view"),
            }
        )
        return context


class TeamEditView(ObjectEditView):
    queryset = Team.objects.all()
    form_class = TeamForm


class MemberListView(ObjectListView):
    queryset = TeamMember.objects.select_related("team__village__parent", "unit")
    filterset_class = MemberFilterSet
    table_class = MemberTable
    title = "驻村工作队人员信息"
    add_url_name = "teams:teammember_add"


class MemberDetailView(ObjectDetailView):
    queryset = TeamMember.objects.select_related("team__village__parent", "unit", "user", "cadre")
    template_name = "teams/member_detail.html"
    fields = (
        "team",
        "name",
        "post",
        "unit",
        "position",
        "phone",
        "id_number",
        "start_date",
        "end_date",
        "term_years",
        "end_reason",
        "user",
        "cadre",
    )

    def get_context(self, request, obj):
        context = super().get_context(request, obj)
        today = timezone.localdate()
        user = request.user
        context.update(
            {
                "month": next(iter(month_rows([obj], today.year, today.month, today=today)), None),
                "checkins": CheckIn.objects.restrict(user, "view").filter(member=obj)[:31],
                "absences": Absence.objects.restrict(user, "view").filter(member=obj)[:20],
                "evaluations": obj.evaluations.all(),
                "trainings": obj.trainings.all(),
                "county_training": obj.trainings.filter(level__in=("中央", "省级", "市级", "县级")).exists(),
                "can_unmask": in_scope(user, obj, "unmask"),
                "can_end": obj.is_current and in_scope(user, obj, "change"),
                "can_make_up": services.may_make_up(user, obj),
                "end_form": EndForm(prefix="end"),
                "makeup_form": MakeUpForm(prefix="makeup"),
            }
        )
        return context


class MemberEditView(ObjectEditView):
    queryset = TeamMember.objects.all()
    form_class = MemberForm


def member_add(request):
    """选派: appoint a member to a team (``?team=`` preselects it), through the service (login, pairing cadre)."""
    if not user_can(request.user, TeamMember, "add"):
        raise PermissionDenied("您的角色不能选派驻村工作队员")
    initial = {}
    if request.GET.get("team", "").isdigit():
        initial["team"] = request.GET["team"]
    form = MemberForm(request.POST or None, user=request.user, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            member = services.appoint_member(
                user=request.user,
                team=data["team"],
                name=data["name"],
                post=data["post"],
                unit=data["unit"],
                position=data["position"],
                phone=data["phone"],
                id_number=data["id_number"],
                start_date=data["start_date"],
                term_years=data["term_years"],
                login=data["login"],
                pairing_cadre=data["pairing_cadre"],
            )
        except services.Refused as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, f"已选派：{member}到{member.team}")
            return redirect(member)
    status = 422 if request.method == "POST" else 200
    context = {"form": form, "title": "选派驻村工作队员", "cancel_url": reverse("teams:teammember_list")}
    return render(request, "generic/object_edit.html", context, status=status)


@require_POST
def member_end(request, pk: int):
    member = get_object_for(request.user, TeamMember.objects.all(), "change", pk=pk)
    form = EndForm(request.POST, prefix="end")
    if not form.is_valid():
        messages.error(request, "请填写结束日期和结束原因")
        return redirect(member)
    try:
        services.end_assignment(user=request.user, member=member, **form.cleaned_data)
    except services.Refused as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, f"{member.name}已结束驻村，记录保留在人员信息中")
    return redirect(member)


UNMASKED = {"phone": "联系电话", "id_number": "身份证号"}


def member_unmask(request, pk: int, field: str):
    """One member's full phone or ID number (htmx); the act is written to the access log."""
    if field not in UNMASKED:
        raise Http404("没有这项信息")
    member = get_object_for(request.user, TeamMember.objects.all(), "unmask", pk=pk)
    log_access(user=request.user, action=AccessLog.UNMASK, obj=member, field=field, request=request)
    return render(request, "accounts/_phone.html", {"phone": getattr(member, field)})
