from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db.models import OuterRef, Subquery
from django.http import HttpResponseNotAllowed
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from shoudi.core.scope import get_object_for, user_can
from shoudi.core.views import ObjectEditView, ObjectListView
from shoudi.registry.models import Household, Member

from . import choices as c
from . import forms as f
from . import services
from .deadlines import case_deadlines
from .filters import CaseFilterSet
from .models import MonitoringCase, MonitoringLine, MonitoringSettings, Objection
from .panels import case_panels
from .selectors import cases_waiting_for
from .tables import CaseTable, MonitoringLineTable, MonitoringSettingsTable

HEAD_NAME = Subquery(Member.objects.filter(household=OuterRef("household"), relation="户主").values("name")[:1])


class CaseListView(ObjectListView):
    queryset = MonitoringCase.objects.select_related("household__village").annotate(head_name=HEAD_NAME)
    filterset_class = CaseFilterSet
    table_class = CaseTable
    title = "监测对象"


def _action_forms(case, actions):
    """The form the case page shows for each action the user may take now."""
    forms = {}
    step_form = {
        c.VERIFICATION: f.VerifyForm if case.chain == c.IDENTIFICATION else f.EliminationVerifyForm,
        c.VILLAGE_REVIEW: f.VillageReviewForm,
        c.PUBLICITY: f.PublicityForm,
        c.TOWNSHIP_REVIEW: f.ReviewForm,
        c.COUNTY_REVIEW: f.ReviewForm,
    }
    for action in actions:
        if action in step_form:
            initial = {}
            if action == c.VILLAGE_REVIEW:
                initial = {"category": case.category, "risk_types": case.risk_types}
            forms[action] = step_form[action](initial=initial, prefix=action)
    if "reject" in actions:
        forms["reject"] = f.RejectForm(prefix="reject")
    if c.PUBLICITY in actions:
        forms["objection"] = f.ObjectionForm(prefix="objection")
    if "apply_elimination" in actions:
        forms["apply_elimination"] = f.ApplyEliminationForm(prefix="apply_elimination")
    if "reverse" in actions:
        forms["reverse"] = f.ReverseForm(prefix="reverse")
    if "attach" in actions:
        forms["attach"] = f.AttachmentForm(prefix="attach")
    return forms


def case_detail(request, pk):
    case = get_object_for(
        request.user, MonitoringCase.objects.select_related("household__village__parent"), "view", pk=pk
    )
    actions = services.allowed_actions(case, request.user)
    context = {
        "object": case,
        "title": str(case),
        "case": case,
        "events": case.events.all(),
        "attachments": case.attachments.all(),
        "objections": case.objections.all(),
        "deadlines": case_deadlines(case),
        "actions": actions,
        "forms": _action_forms(case, actions),
        "elimination": services.elimination_check(case) if case.step == c.MONITORING else None,
        "can_flag_no_labour": Household.objects.restrict(request.user, "change").filter(pk=case.household_id).exists(),
        "other_cases": case.household.cases.exclude(pk=case.pk),
        "panels": case_panels(request, case),
    }
    return render(request, "monitoring/case_detail.html", context)


ACTIONS = {
    c.VERIFICATION: lambda case: f.VerifyForm if case.chain == c.IDENTIFICATION else f.EliminationVerifyForm,
    c.VILLAGE_REVIEW: lambda case: f.VillageReviewForm,
    c.PUBLICITY: lambda case: f.PublicityForm,
    c.TOWNSHIP_REVIEW: lambda case: f.ReviewForm,
    c.COUNTY_REVIEW: lambda case: f.ReviewForm,
    "reject": lambda case: f.RejectForm,
    "objection": lambda case: f.ObjectionForm,
    "resolve_objection": lambda case: f.ResolveObjectionForm,
    "submit_publicity": lambda case: None,
    "apply_elimination": lambda case: f.ApplyEliminationForm,
    "reverse": lambda case: f.ReverseForm,
    "no_labour": lambda case: None,
    "attach": lambda case: f.AttachmentForm,
}


def _run(action, case, user, data):
    """Call the service for ``action`` with the cleaned form data; return (message, case to show)."""
    if action == c.VERIFICATION:
        if case.chain == c.IDENTIFICATION:
            case = services.verify(
                case=case,
                user=user,
                visited_on=data["visited_on"],
                findings=data["findings"],
                signed=data["signed"],
                authorization_file=data.get("authorization_file"),
            )
        else:
            checklist = {k: data[k] for k in services.ELIMINATION_CHECKLIST}
            case = services.verify(
                case=case,
                user=user,
                visited_on=data["visited_on"],
                findings=data["findings"],
                signed=data["signed"],
                checklist=checklist,
            )
        return "已登记入户核实/核查", case
    if action == c.VILLAGE_REVIEW:
        case = services.village_review(
            case=case,
            user=user,
            held_on=data["held_on"],
            participants=data["participants"],
            approve=data["approve"],
            note=data["note"],
            category=data["category"] or None,
            risk_types=data["risk_types"] or None,
        )
        return "已登记村级研判/评议", case
    if action == c.PUBLICITY:
        services.publicize(
            case=case, user=user, start=data["start"], end=data["end"], note=data["note"], photo=data.get("photo")
        )
        return "已登记公示", case
    if action == "submit_publicity":
        return "已报乡镇审核", services.submit_after_publicity(case=case, user=user)
    if action == c.TOWNSHIP_REVIEW:
        return ("审核通过" if data["approve"] else "已退回"), services.township_review(
            case=case, user=user, approve=data["approve"], note=data["note"]
        )
    if action == c.COUNTY_REVIEW:
        return ("审定通过" if data["approve"] else "已退回"), services.county_review(
            case=case, user=user, approve=data["approve"], note=data["note"]
        )
    if action == "reject":
        return "已办结", services.reject(case=case, user=user, reason=data["reason"])
    if action == "objection":
        services.add_objection(case=case, user=user, content=data["content"])
        return "已登记公示异议", case
    if action == "resolve_objection":
        objection = Objection.objects.get(pk=data["objection"], case=case)
        services.resolve_objection(objection=objection, user=user, resolution=data["resolution"])
        return "已登记异议处理结果", case
    if action == "apply_elimination":
        case = services.apply_elimination(
            case=case,
            user=user,
            elimination_type=data["elimination_type"],
            note=data["note"],
            delayed_exit_confirmed=data["delayed_exit_confirmed"],
        )
        return "已提出风险消除申请", case
    if action == "reverse":
        new = services.reverse_elimination(case=case, user=user, note=data["note"], risk_types=data["risk_types"])
        return "已标注返贫并生成新的监测线索", new
    if action == "attach":
        services.add_attachment(case=case, user=user, kind=data["kind"], file=data["file"])
        return "已上传材料", case
    if action == "no_labour":
        services.mark_no_labour_guarantee(household=case.household, user=user)
        return "已标注为整户无劳动能力兜底保障户", case
    raise PermissionDenied


@require_POST
def case_act(request, pk, action):
    case = get_object_for(request.user, MonitoringCase.objects.all(), "view", pk=pk)
    if action not in ACTIONS:
        raise PermissionDenied("未知操作")
    form_class = ACTIONS[action](case)
    data = {}
    if form_class is not None:
        prefix = None if action == "resolve_objection" else action
        form = form_class(request.POST, request.FILES, prefix=prefix)
        if not form.is_valid():
            for field, errors in form.errors.items():
                label = form.fields[field].label if field in form.fields else ""
                messages.error(request, f"{label}：{'；'.join(errors)}" if label else "；".join(errors))
            return redirect(case.get_absolute_url())
        data = form.cleaned_data
    try:
        message, shown = _run(action, case, request.user, data)
    except services.TransitionRefused as exc:
        messages.error(request, str(exc))
        return redirect(case.get_absolute_url())
    messages.success(request, message)
    return redirect(shown.get_absolute_url())


def open_clue(request):
    household = get_object_for(request.user, Household.objects.all(), "view", pk=request.GET.get("household") or 0)
    if not user_can(request.user, MonitoringCase, "add"):
        raise PermissionDenied("您的角色不能提出监测线索")
    form = f.ClueForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            case = services.open_clue(
                household=household,
                user=request.user,
                source=d["source"],
                risk_types=d["risk_types"],
                category=d["category"],
                clue_date=d["clue_date"],
                note=d["note"],
            )
        except services.TransitionRefused as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, "已提出监测线索，下一步：入户核实")
            return redirect(case.get_absolute_url())
    return render(
        request,
        "monitoring/clue_form.html",
        {"form": form, "household": household, "title": f"提出监测线索：{household}"},
    )


def batch_review(request):
    """乡镇/县级批量审核: select many, approve or return, see a result per case."""
    if not user_can(request.user, MonitoringCase, "change"):
        raise PermissionDenied
    waiting = (
        cases_waiting_for(request.user)
        .filter(step__in=[c.TOWNSHIP_REVIEW, c.COUNTY_REVIEW])
        .select_related("household__village")
        .annotate(head_name=HEAD_NAME)
        .order_by("step_since")
    )
    results = []
    if request.method == "POST":
        form = f.ReviewForm(request.POST)
        ids = [int(i) for i in request.POST.getlist("case") if i.isdigit()]
        if not ids:
            messages.error(request, "请至少选择一户")
        elif form.is_valid():
            approve, note = form.cleaned_data["approve"], form.cleaned_data["note"]
            for case in MonitoringCase.objects.restrict(request.user, "view").filter(pk__in=ids):
                # the reviewer's own step decides which review runs: a case moved on meanwhile is refused
                if request.user.is_superuser:
                    review = services.township_review if case.step == c.TOWNSHIP_REVIEW else services.county_review
                else:
                    review = services.county_review if request.user.role == "county_admin" else services.township_review
                try:
                    review(case=case, user=request.user, approve=approve, note=note)
                    results.append((case, True, "通过" if approve else "已退回"))
                except services.TransitionRefused as exc:
                    results.append((case, False, str(exc)))
        else:
            messages.error(request, "请选择结论")
    elif request.method != "GET":
        return HttpResponseNotAllowed(["GET", "POST"])
    return render(
        request,
        "monitoring/batch_review.html",
        {
            "title": "批量审核",
            "cases": waiting,
            "results": results,
            "form": f.ReviewForm(),
        },
    )


class MonitoringLineListView(ObjectListView):
    queryset = MonitoringLine.objects.select_related("region")
    table_class = MonitoringLineTable
    title = "监测线"
    add_url_name = "monitoring:monitoringline_add"


class MonitoringLineEditView(ObjectEditView):
    queryset = MonitoringLine.objects.all()
    form_class = f.MonitoringLineForm


class MonitoringSettingsListView(ObjectListView):
    queryset = MonitoringSettings.objects.select_related("region")
    table_class = MonitoringSettingsTable
    title = "监测参数"
    add_url_name = "monitoring:monitoringsettings_add"


class MonitoringSettingsEditView(ObjectEditView):
    queryset = MonitoringSettings.objects.all()
    form_class = f.MonitoringSettingsForm
