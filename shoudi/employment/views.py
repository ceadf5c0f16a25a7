"""The pages of the verification round: the rounds, the preview and its confirmation, a round's progress per
village, a village's persons and the verification of one person, the withdrawal; and the 零就业家庭 list."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db.models import Count, Q
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST
from django_tables2 import RequestConfig

from shoudi.core.models import Job
from shoudi.core.scope import get_object_for, in_scope, user_can
from shoudi.core.views import ObjectListView
from shoudi.regions.models import Region
from shoudi.registry.choices import NO_LABOUR
from shoudi.registry.models import Household
from shoudi.registry.pickers import HEAD_NAME

from . import choices as c
from . import services
from .filters import VerificationFilterSet, ZeroEmploymentFilterSet
from .forms import RoundForm, VerifyForm, county_of
from .models import EmploymentSettings, Verification, VerificationRound
from .selectors import preview, progress, zero_employment_households
from .tables import VerificationTable, ZeroEmploymentTable

__all__ = [
    "ZeroEmploymentListView",
    "round_detail",
    "round_list",
    "round_persons",
    "round_retry",
    "round_start",
    "round_withdraw",
    "verify",
]


def round_list(request):
    if not user_can(request.user, VerificationRound, "view"):
        raise PermissionDenied("您的角色无权查看务工信息核实")
    rounds = VerificationRound.objects.restrict(request.user, "view").select_related("county", "started_by")
    context = {
        "title": "务工信息核实",
        "rounds": rounds,
        "can_start": user_can(request.user, VerificationRound, "add") and county_of(request.user) is not None,
    }
    return render(request, "employment/round_list.html", context)


def round_start(request):
    """The year and the date; 预览 counts per village (nothing written); 确认发起 writes the round."""
    county = county_of(request.user)
    if not user_can(request.user, VerificationRound, "add") or county is None:
        raise PermissionDenied("您的角色无权发起务工信息核实")
    data = request.POST if request.method == "POST" else (request.GET if "year" in request.GET else None)
    form = RoundForm(data)
    rows = None
    status = 200
    if form.is_bound and form.is_valid():
        year, day = form.cleaned_data["year"], form.cleaned_data["reference_date"]
        if request.method == "POST":
            try:
                round_ = services.start_round(user=request.user, county=county, year=year, reference_date=day)
            except services.RoundRefused as refused:
                form.add_error(None, str(refused))
                status = 422
            else:
                messages.success(request, f"已发起{round_}，正在后台生成核实名单")
                return redirect(round_.get_absolute_url())
        rows = preview(county.code, day, EmploymentSettings.for_region(county))
    elif form.is_bound:
        status = 422 if request.method == "POST" else 200
    context = {
        "title": "发起务工信息核实",
        "county": county,
        "form": form,
        "rows": rows,
        "total_working": sum(r.working_age for r in rows or ()),
        "total_over": sum(r.over_60 for r in rows or ()),
        "settings": EmploymentSettings.for_region(county),
    }
    return render(request, "employment/round_start.html", context, status=status)


def round_detail(request, pk):
    """A round's progress per village; while its rows are being written, the job's live progress instead."""
    round_ = get_object_for(request.user, VerificationRound.objects.select_related("county", "job"), "view", pk=pk)
    county_user = in_scope(request.user, round_, "change") and user_can(request.user, VerificationRound, "add")
    if round_.is_creating:
        context = {
            "title": f"{round_.county.name}{round_}",
            "object": round_,
            "job": round_.job,
            # the job's live progress for those who may see the job (its starter, the county's admins)
            "can_follow": round_.job is not None
            and Job.objects.restrict(request.user, "view").filter(pk=round_.job_id).exists(),
            "can_retry": county_user and round_.job is not None and round_.job_failed,
            "can_withdraw": county_user and round_.job_failed,
        }
        return render(request, "employment/round_creating.html", context)
    rows = progress(round_, request.user)
    verified = sum(r.verified for r in rows)
    context = {
        "title": f"{round_.county.name}{round_}",
        "object": round_,
        "rows": rows,
        "total": sum(r.total for r in rows),
        "verified": verified,
        "employed": sum(r.employed for r in rows),
        "can_withdraw": round_.state == c.STARTED
        and not round_.rows.filter(verified_at__isnull=False).exists()
        and county_user,
    }
    return render(request, "employment/round_detail.html", context)


@require_POST
def round_retry(request, pk):
    """重新生成名单: the failed job of the round run again; back to the round's page, which follows it."""
    round_ = get_object_for(request.user, VerificationRound.objects.all(), "change", pk=pk)
    try:
        services.retry_round(user=request.user, round_=round_)
    except services.RoundRefused as refused:
        messages.error(request, str(refused))
    else:
        messages.success(request, "已重新加入队列：生成核实名单（已写入的人员不会重复写入）")
    return redirect(round_.get_absolute_url())


@require_POST
def round_withdraw(request, pk):
    round_ = get_object_for(request.user, VerificationRound.objects.all(), "change", pk=pk)
    try:
        round_ = services.withdraw_round(user=request.user, round_=round_)
    except services.RoundRefused as refused:
        messages.error(request, str(refused))
    else:
        messages.success(request, f"已撤回{round_}")
    return redirect(round_.get_absolute_url())


def round_persons(request, pk):
    """The persons of a round (of one village with ?village=<code>), to verify one by one."""
    round_ = get_object_for(request.user, VerificationRound.objects.select_related("county"), "view", pk=pk)
    if not user_can(request.user, Verification, "view"):
        raise PermissionDenied("您的角色无权查看核实名单")
    qs = Verification.objects.restrict(request.user, "view").filter(round=round_)
    code = request.GET.get("village", "")
    village = Region.objects.restrict(request.user, "view").filter(code=code).first() if code else None
    if village is not None:
        qs = qs.filter(village__code__startswith=village.code)
    qs = qs.select_related("member__household", "village")
    filterset = VerificationFilterSet(request.GET or None, queryset=qs, request=request)
    table = VerificationTable(filterset.qs if filterset.is_valid() else qs.none(), request=request)
    RequestConfig(request, paginate={"per_page": 50}).configure(table)
    context = {
        "title": f"{round_}：{village.name if village else '核实名单'}",
        "object": round_,
        "village": village,
        "table": table,
        "filterset": filterset,
        "can_verify": round_.state == c.STARTED and user_can(request.user, Verification, "change"),
    }
    return render(request, "employment/round_persons.html", context)


def verify(request, pk):
    verification = get_object_for(
        request.user, Verification.objects.select_related("round", "member__household", "village"), "change", pk=pk
    )
    member = verification.member
    if verification.is_verified:
        initial = {
            "employed": "1" if verification.employed else "0",
            "work_place": verification.work_place,
            "work_months": verification.work_months,
            "work_type": verification.work_type,
        }
    else:  # what the registry holds, to confirm or correct
        initial = {
            "employed": "1" if member.employed else "0",
            "work_place": member.work_place,
            "work_months": member.work_months,
        }
    form = VerifyForm(request.POST or None, initial=initial)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                services.verify(user=request.user, verification=verification, **form.cleaned_data)
            except services.RoundRefused as refused:
                form.add_error(None, str(refused))
                status = 422
            else:
                messages.success(request, f"已核实：{member.name}")
                url = reverse("employment:round_persons", args=[verification.round_id])
                return redirect(f"{url}?village={verification.village.code}")
        else:
            status = 422
    context = {
        "title": f"核实：{member.name}",
        "object": verification,
        "member": member,
        "form": form,
        "cancel_url": reverse("employment:round_persons", args=[verification.round_id])
        + f"?village={verification.village.code}",
    }
    return render(request, "employment/verify.html", context, status=status)


LABOUR = Q(members__status="正常") & ~Q(members__labour_skill="") & ~Q(members__labour_skill__in=NO_LABOUR)


class ZeroEmploymentListView(ObjectListView):
    """零就业家庭 (S001 11): covered households with labour and nobody employed, in the user's scope; each stays
    until one member is recorded employed (a verification, a 公益性岗位)."""

    queryset = Household.objects.all()
    filterset_class = ZeroEmploymentFilterSet
    table_class = ZeroEmploymentTable
    title = "零就业家庭"

    def get_queryset(self, request, action: str = "view"):
        households = super().get_queryset(request, action)
        return (
            zero_employment_households(request.user, households)
            .select_related("village__parent")
            .annotate(
                head_name=HEAD_NAME,
                labour_count=Count("members", filter=LABOUR, distinct=True),
                member_count=Count("members", filter=Q(members__status="正常"), distinct=True),
            )
        )
