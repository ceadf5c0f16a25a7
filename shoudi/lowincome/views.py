"""The pages of the register: the list of low-income households, the forms on a household's page (a category, a
分类帮扶 action, a 关爱 record), ending a designation and deciding an action, the 民政 list import with its history
and 撤回, and the visit settings."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from shoudi.core.scope import get_object_for, user_can
from shoudi.core.views import ObjectEditView, ObjectListView
from shoudi.core.views.list_import import ListImport
from shoudi.registry.models import Household, Member
from shoudi.registry.pickers import HEAD_NAME

from . import services
from .filters import RegisterFilterSet
from .forms import ActionForm, CareForm, DecideForm, DesignationForm, EndForm, ImportForm, SettingsForm
from .importing import read_designation_list
from .models import CareRecord, Designation, DesignationImport, LowIncomeSettings, SupportAction
from .selectors import in_register
from .tables import RegisterTable, SettingsTable

__all__ = [
    "RegisterView",
    "SettingsEditView",
    "SettingsListView",
    "action_add",
    "action_decide",
    "care_add",
    "designation_add",
    "designation_end",
    "designation_import",
    "import_list",
    "import_withdraw",
]


class RegisterView(ObjectListView):
    """低收入人口台账 on screen: the households in the register today, with their categories and this period's visit."""

    queryset = Household.objects.select_related("village__parent").annotate(head_name=HEAD_NAME)
    filterset_class = RegisterFilterSet
    table_class = RegisterTable
    title = "低收入人口"
    template_name = "lowincome/register.html"

    def get_queryset(self, request, action: str = "view"):
        return (
            super()
            .get_queryset(request, action)
            .filter(in_register(timezone.localdate()))
            .order_by("village__code", "household_no")
        )

    def get(self, request):
        if not user_can(request.user, Designation, "view"):
            raise PermissionDenied("您的角色无权查看低收入人口")
        return super().get(request)

    def export(self, request):
        if not user_can(request.user, Designation, "export"):
            raise PermissionDenied("您的角色无权导出低收入人口")
        return super().export(request)


def _household_page(household_id: int) -> str:
    return reverse("registry:household_detail", args=[household_id]) + "#lowincome"


def _form_page(request, form, household, title: str, status: int = 200):
    context = {"form": form, "household": household, "title": title, "cancel_url": _household_page(household.pk)}
    return render(request, "lowincome/form.html", context, status=status)


def _household_for(request, pk: int, model) -> Household:
    household = get_object_for(request.user, Household, "view", pk=pk)
    if not user_can(request.user, model, "add"):
        raise PermissionDenied(f"您的角色不能登记{model._meta.verbose_name}")
    return household


def designation_add(request, pk: int):
    """认定类别 on a household's page (手工录入)."""
    household = _household_for(request, pk, Designation)
    form = DesignationForm(request.POST or None, household=household)
    title = f"登记低收入人口类别：{household}"
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.designate(
                user=request.user,
                household=household,
                category=data["category"],
                member=data["member"],
                since=data["since"],
                note=data["note"],
            )
        except services.Refused as exc:
            form.add_error(None, str(exc))
            return _form_page(request, form, household, title, status=422)
        messages.success(request, f"已登记“{data['category']}”")
        return redirect(_household_page(household.pk))
    return _form_page(request, form, household, title, status=422 if request.method == "POST" else 200)


@require_POST
def designation_end(request, pk: int):
    designation = get_object_for(request.user, Designation, "change", pk=pk)
    form = EndForm(request.POST)
    if not form.is_valid():
        messages.error(request, "请填写终止日期和终止原因")
    else:
        try:
            services.end_designation(
                user=request.user,
                designation=designation,
                until=form.cleaned_data["until"],
                reason=form.cleaned_data["reason"],
            )
            messages.success(request, f"已终止“{designation.category}”认定")
        except services.Refused as exc:
            messages.error(request, str(exc))
    return redirect(_household_page(designation.household_id))


def action_add(request, pk: int):
    """分类帮扶: apply for 低保 or 特困, or ask for a targeted measure."""
    household = _household_for(request, pk, SupportAction)
    form = ActionForm(request.POST or None)
    title = f"分类帮扶申请：{household}"
    if request.method == "POST" and form.is_valid():
        try:
            action = services.apply_for(user=request.user, household=household, **form.cleaned_data)
        except services.Refused as exc:
            form.add_error(None, str(exc))
            return _form_page(request, form, household, title, status=422)
        messages.success(request, f"已登记{action.kind}（申请中）")
        return redirect(_household_page(household.pk))
    return _form_page(request, form, household, title, status=422 if request.method == "POST" else 200)


@require_POST
def action_decide(request, pk: int, action: str):
    """批准 (``approve``) or 不批准 (``reject``, with the reason) an action still 申请中."""
    support = get_object_for(request.user, SupportAction, "change", pk=pk)
    if action not in ("approve", "reject"):
        raise PermissionDenied("未知的操作")
    form = DecideForm(request.POST)
    form.is_valid()
    try:
        services.decide_action(
            user=request.user,
            action=support,
            approve=action == "approve",
            decision=form.cleaned_data.get("decision", ""),
        )
        messages.success(request, "已批准" if action == "approve" else "已记录未批准")
    except services.Refused as exc:
        messages.error(request, str(exc))
    return redirect(_household_page(support.household_id))


def care_add(request, pk: int):
    """关爱行动 record for a person of the household."""
    household = _household_for(request, pk, CareRecord)
    form = CareForm(request.POST or None, household=household, initial=_care_initial(request, household))
    title = f"登记关爱服务：{household}"
    if request.method == "POST" and form.is_valid():
        try:
            services.record_care(user=request.user, **form.cleaned_data)
        except services.Refused as exc:
            form.add_error(None, str(exc))
            return _form_page(request, form, household, title, status=422)
        messages.success(request, "已登记关爱服务")
        return redirect(_household_page(household.pk))
    return _form_page(request, form, household, title, status=422 if request.method == "POST" else 200)


def _care_initial(request, household) -> dict:
    member = request.GET.get("member", "")
    if member.isdigit() and Member.objects.filter(household=household, pk=member).exists():
        return {"member": int(member)}
    return {}


_designation_import = ListImport(
    model=Designation,
    title="导入民政名单",
    form_class=ImportForm,
    template="lowincome/import.html",
    folder="lowincome",
    read=read_designation_list,
    write=services.import_designations,
    done=lambda count: f"已导入 {count} 条认定（新增与终止）",
    here="lowincome:designation_import",
    done_url="lowincome:import_list",
    context_name="result",
    refusals=(services.Refused,),
).view


def designation_import(request):
    """导入民政名单: the ListImport page, refused to a 行业部门 user of another department than 民政."""
    if not services.brings_the_list(request.user):
        raise PermissionDenied("只有民政部门的用户可以导入民政名单")
    return _designation_import(request)


def import_list(request):
    """The 民政 lists imported in the user's region, newest first, each with its 撤回."""
    if not user_can(request.user, DesignationImport, "view"):
        raise PermissionDenied("您的角色无权查看民政名单导入")
    batches = DesignationImport.objects.restrict(request.user, "view").select_related("imported_by", "withdrawn_by")
    context = {
        "batches": batches[:100],
        "can_withdraw": user_can(request.user, DesignationImport, "change") and services.brings_the_list(request.user),
        "can_import": user_can(request.user, Designation, "import") and services.brings_the_list(request.user),
    }
    return render(request, "lowincome/import_list.html", context)


@require_POST
def import_withdraw(request, pk: int):
    batch = get_object_for(request.user, DesignationImport, "change", pk=pk)
    if not services.brings_the_list(request.user):
        raise PermissionDenied("只有民政部门的用户可以撤回民政名单导入")
    try:
        services.withdraw_import(user=request.user, batch=batch)
        messages.success(request, f"已撤回：{batch.file_name}")
    except services.Refused as exc:
        messages.error(request, str(exc))
    return redirect("lowincome:import_list")


class SettingsListView(ObjectListView):
    queryset = LowIncomeSettings.objects.select_related("region")
    table_class = SettingsTable
    title = "低收入人口走访参数"
    add_url_name = "lowincome:lowincomesettings_add"


class SettingsEditView(ObjectEditView):
    queryset = LowIncomeSettings.objects.all()
    form_class = SettingsForm
