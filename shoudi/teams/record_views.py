"""The pages of what a team records besides attendance: work logs, meetings and 讲评, the 后盾单位's visits and
funds, assessments and training."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db.models import Prefetch
from django.shortcuts import redirect, render
from django.urls import reverse

from shoudi.core.files import served_file_url
from shoudi.core.scope import get_object_for, user_can
from shoudi.core.views import ObjectEditView, ObjectListView

from . import services
from .filters import MeetingFilterSet, WorkLogFilterSet
from .forms import EvaluationForm, MeetingForm, TrainingForm, UnitFundForm, UnitVisitForm, WorkLogForm
from .logs import record_log
from .models import Evaluation, Meeting, Training, UnitFund, UnitVisit, WorkLog
from .tables import (
    EvaluationTable,
    MeetingTable,
    TrainingTable,
    UnitFundTable,
    UnitVisitTable,
    WorkLogTable,
)

__all__ = [
    "EvaluationEditView",
    "EvaluationListView",
    "MeetingEditView",
    "MeetingListView",
    "TrainingEditView",
    "TrainingListView",
    "UnitFundEditView",
    "UnitFundListView",
    "UnitVisitEditView",
    "UnitVisitListView",
    "WorkLogListView",
    "worklog_detail",
    "worklog_edit",
]


class WorkLogListView(ObjectListView):
    queryset = WorkLog.objects.select_related("member__team__village")
    filterset_class = WorkLogFilterSet
    table_class = WorkLogTable
    title = "驻村工作日志"
    add_url_name = "teams:worklog_add"


def worklog_edit(request, pk: int | None = None):
    """The member writes (or corrects) his log of a day: work done, problems, the plan, households, a photo."""
    if not user_can(request.user, WorkLog, "add"):
        raise PermissionDenied("您的角色不能填写工作日志")
    log = None
    if pk is not None:
        log = get_object_for(request.user, WorkLog.objects.select_related("member"), "change", pk=pk)
    initial = {}
    if log is not None:
        initial = {
            "day": log.day,
            "work_done": log.work_done,
            "problems": log.problems,
            "next_plan": log.next_plan,
            "households": ",".join(log.households.values_list("household_no", flat=True)),
        }
    elif request.GET.get("day"):
        initial["day"] = request.GET["day"]
    form = WorkLogForm(request.POST or None, request.FILES or None, initial=initial)
    member = services.current_assignment(request.user)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        numbers = data["households"].replace("，", ",").split(",")
        try:
            log = record_log(
                user=request.user,
                day=data["day"],
                work_done=data["work_done"],
                problems=data["problems"],
                next_plan=data["next_plan"],
                household_numbers=numbers,
                photos=[data["photo"]] if data.get("photo") else [],
                log=log,
            )
        except services.Refused as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, f"已保存{log}")
            return redirect(log)
    context = {
        "title": "修改工作日志" if log is not None else "填写工作日志",
        "form": form,
        "member": member,
        "cancel_url": reverse("teams:worklog_list"),
    }
    return render(request, "teams/worklog_form.html", context, status=422 if request.method == "POST" else 200)


def worklog_detail(request, pk: int):
    log = get_object_for(
        request.user,
        WorkLog.objects.select_related("member__team__village").prefetch_related(
            "photos", Prefetch("visits"), "households__village"
        ),
        "view",
        pk=pk,
    )
    context = {
        "title": str(log),
        "log": log,
        "photos": [served_file_url("worklog_photo", photo) for photo in log.photos.all()],
        "can_change": log.member.user_id == request.user.pk and user_can(request.user, WorkLog, "change"),
    }
    return render(request, "teams/worklog_detail.html", context)


class MeetingListView(ObjectListView):
    queryset = Meeting.objects.select_related("region")
    filterset_class = MeetingFilterSet
    table_class = MeetingTable
    title = "会议与讲评"
    add_url_name = "teams:meeting_add"


class MeetingEditView(ObjectEditView):
    queryset = Meeting.objects.all()
    form_class = MeetingForm


class UnitVisitListView(ObjectListView):
    queryset = UnitVisit.objects.select_related("team__village", "unit")
    table_class = UnitVisitTable
    title = "后盾单位到村指导"
    add_url_name = "teams:unitvisit_add"


class UnitVisitEditView(ObjectEditView):
    queryset = UnitVisit.objects.all()
    form_class = UnitVisitForm


class UnitFundListView(ObjectListView):
    queryset = UnitFund.objects.select_related("team__village", "unit")
    table_class = UnitFundTable
    title = "后盾单位帮扶资金"
    add_url_name = "teams:unitfund_add"


class UnitFundEditView(ObjectEditView):
    queryset = UnitFund.objects.all()
    form_class = UnitFundForm


class EvaluationListView(ObjectListView):
    queryset = Evaluation.objects.select_related("member__team__village")
    table_class = EvaluationTable
    title = "驻村考核"
    add_url_name = "teams:evaluation_add"
    template_name = "teams/evaluation_list.html"


class EvaluationEditView(ObjectEditView):
    queryset = Evaluation.objects.all()
    form_class = EvaluationForm


class TrainingListView(ObjectListView):
    queryset = Training.objects.select_related("member__team__village")
    table_class = TrainingTable
    title = "驻村干部培训"
    add_url_name = "teams:training_add"
    template_name = "teams/evaluation_list.html"


class TrainingEditView(ObjectEditView):
    queryset = Training.objects.all()
    form_class = TrainingForm
