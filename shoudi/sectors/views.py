"""The pages of 送教上门: the list of children (this month's visits against the two required), enrolling a child,
his page with the visits month by month, correcting and ending an enrolment, recording a visit."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db.models import Count
from django.db.models.functions import TruncMonth
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST
from django_tables2 import RequestConfig

from shoudi.core.masking import mask_value
from shoudi.core.scope import get_object_for, in_scope, user_can
from shoudi.core.views import ObjectEditView, ObjectListView

from . import services
from .filters import HomeTeachingFilterSet
from .forms import EndForm, EnrolForm, HomeTeachingForm, VisitForm
from .models import HomeTeaching, HomeTeachingVisit
from .selectors import MIN_VISITS_A_MONTH, month_bounds, with_month_visits
from .tables import HomeTeachingTable, VisitTable

__all__ = [
    "HomeTeachingEditView",
    "HomeTeachingListView",
    "hometeaching_add",
    "hometeaching_detail",
    "hometeaching_end",
    "visit_add",
]

CHILD = ("member__household__village__parent",)


class HomeTeachingListView(ObjectListView):
    queryset = HomeTeaching.objects.select_related(*CHILD)
    filterset_class = HomeTeachingFilterSet
    table_class = HomeTeachingTable
    title = "送教上门"
    add_url_name = "sectors:hometeaching_add"

    def get_queryset(self, request, action: str = "view"):
        return with_month_visits(super().get_queryset(request, action), timezone.localdate())


def _form_page(request, form, template: str, context: dict):
    status = 422 if request.method == "POST" else 200
    return render(request, template, {"form": form, **context}, status=status)


def hometeaching_add(request):
    """Enrol a child of the user's villages, found by his ID number."""
    if not user_can(request.user, HomeTeaching, "add"):
        raise PermissionDenied("您的角色不能登记送教上门对象")
    form = EnrolForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            enrolment = services.enrol(
                user=request.user,
                member=form.member,
                school=data["school"],
                teacher=data["teacher"],
                teacher_phone=data["teacher_phone"],
                start_date=data["start_date"],
                note=data["note"],
            )
        except services.Refused as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, f"已登记送教上门对象：{enrolment.member.name}")
            return redirect(enrolment)
    context = {"title": "登记送教上门对象", "cancel_url": reverse("sectors:hometeaching_list")}
    return _form_page(request, form, "generic/object_edit.html", context)


def _months(enrolment: HomeTeaching, today) -> list[dict]:
    """The visits per calendar month from the start (at most the last 12), each against the two required."""
    counts = dict(
        HomeTeachingVisit.objects.filter(enrolment=enrolment)
        .annotate(month=TruncMonth("taught_on"))
        .order_by()
        .values_list("month")
        .annotate(n=Count("pk"))
    )
    counts = {(m.year, m.month): n for m, n in counts.items()}
    last = min(today, enrolment.end_date) if enrolment.end_date else today
    index, first = last.year * 12 + last.month - 1, enrolment.start_date.year * 12 + enrolment.start_date.month - 1
    months = []
    for i in range(index, max(first, index - 11) - 1, -1):
        year, month = divmod(i, 12)
        n = counts.get((year, month + 1), 0)
        months.append({"label": f"{year}年{month + 1}月", "count": n, "short": n < MIN_VISITS_A_MONTH})
    return months


def hometeaching_detail(request, pk: int):
    enrolment = get_object_for(
        request.user, HomeTeaching.objects.select_related("member__household__village__parent"), "view", pk=pk
    )
    today = timezone.localdate()
    first, last = month_bounds(today)
    visits = VisitTable(enrolment.visits.select_related("recorded_by"), request=request)
    RequestConfig(request, paginate={"per_page": 50}).configure(visits)
    member = enrolment.member
    can_change = in_scope(request.user, enrolment, "change")
    context = {
        "title": str(enrolment),
        "enrolment": enrolment,
        "member": member,
        "id_number": mask_value("id_number", member.id_number),
        "teacher_phone": mask_value("phone", enrolment.teacher_phone) if enrolment.teacher_phone else "",
        "age": member.age_on(today),
        "this_month": enrolment.visits.filter(taught_on__range=(first, last)).count(),
        "required": MIN_VISITS_A_MONTH,
        "months": _months(enrolment, today),
        "visits": visits,
        "can_record": enrolment.is_current and user_can(request.user, HomeTeachingVisit, "add") and can_change,
        "can_change": can_change,
        "end_form": EndForm() if enrolment.is_current and can_change else None,
    }
    return render(request, "sectors/hometeaching_detail.html", context)


class HomeTeachingEditView(ObjectEditView):
    queryset = HomeTeaching.objects.select_related("member")
    form_class = HomeTeachingForm


@require_POST
def hometeaching_end(request, pk: int):
    enrolment = get_object_for(request.user, HomeTeaching.objects.select_related("member"), "change", pk=pk)
    form = EndForm(request.POST)
    if form.is_valid():
        try:
            services.end_enrolment(
                user=request.user,
                enrolment=enrolment,
                end_date=form.cleaned_data["end_date"],
                reason=form.cleaned_data["reason"],
            )
        except services.Refused as exc:
            messages.error(request, str(exc))
        else:
            messages.success(request, f"已结束{enrolment.member.name}的送教上门")
    else:
        messages.error(request, "；".join(f"{form.fields[k].label}：{' '.join(v)}" for k, v in form.errors.items()))
    return redirect(enrolment)


def visit_add(request, pk: int):
    """Record a visit of a child (the teacher's school or the village enters it)."""
    enrolment = get_object_for(request.user, HomeTeaching.objects.select_related("member"), "view", pk=pk)
    if not user_can(request.user, HomeTeachingVisit, "add") or not in_scope(request.user, enrolment, "change"):
        raise PermissionDenied("您的角色不能录入送教记录")
    form = VisitForm(request.POST or None, initial={"teacher": enrolment.teacher})
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.record_visit(
                user=request.user,
                enrolment=enrolment,
                taught_on=data["taught_on"],
                teacher=data["teacher"],
                content=data["content"],
                hours=data["hours"],
            )
        except services.Refused as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, f"已录入{enrolment.member.name} {data['taught_on']:%Y-%m-%d} 的送教记录")
            return redirect(enrolment)
    context = {"title": f"录入送教记录：{enrolment.member.name}", "cancel_url": enrolment.get_absolute_url()}
    return _form_page(request, form, "generic/object_edit.html", context)
