import datetime

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db.models import OuterRef, Subquery
from django.http import HttpResponseNotAllowed
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from shoudi.core.scope import get_object_for, user_can
from shoudi.core.views import ObjectEditView, ObjectListView
from shoudi.registry.models import Household, Member

from . import choices as c
from . import forms as f
from . import services
from .deadlines import case_deadlines
from .filters import CaseFilterSet
from .materials import missing_materials, review_facts
from .models import MonitoringCase, MonitoringLine, MonitoringSettings, Objection
from .panels import case_panels
from .policy import settings_for
from .progress import case_progress
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
            if action == c.PUBLICITY:
                initial = _publicity_initial(case)
            forms[action] = _fitted(step_form[action](initial=initial, prefix=action), action, case)
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


def _fitted(form, action, case):
    """Category and risks are decided at identification: the elimination's village review does not ask again."""
    if action == c.VILLAGE_REVIEW and case.chain == c.ELIMINATION:
        del form.fields["category"], form.fields["risk_types"]
    return form


def _publicity_initial(case) -> dict:
    """The dates registered, or a 公示 from today for the configured number of days."""
    if case.publicity_start:
        return {"start": case.publicity_start, "end": case.publicity_end}
    today = timezone.localdate()
    days = settings_for(case.household.village.code, today.year).publicity_days
    return {"start": today, "end": today + datetime.timedelta(days=days - 1)}


def _without_missing_confirmation(form, missing):
    """The review form asks for the confirmation only when materials are missing."""
    if not missing and "missing_confirmed" in form.fields:
        del form.fields["missing_confirmed"]
    return form


def _marked_invalid(form):
    for name in form.errors:
        if name in form.fields:
            widget = form.fields[name].widget
            widget.attrs["class"] = f"{widget.attrs.get('class', '')} is-invalid".strip()
            widget.attrs["aria-invalid"] = "true"
    return form


def _publicity_submit(case, actions):
    """Whether 公示期满报审 can be taken now, and if not, why (the button shows disabled with the reason)."""
    if c.PUBLICITY not in actions or case.publicity_end is None:
        return None
    today = timezone.localdate()
    if today <= case.publicity_end:
        opens = case.publicity_end + datetime.timedelta(days=1)
        reason = f"公示期至 {case.publicity_end:%Y-%m-%d} 结束，{opens:%Y-%m-%d} 起可报乡镇审核"
        return {"allowed": False, "reason": reason}
    open_objections = case.objections.filter(chain=case.chain, resolved_on__isnull=True).count()
    if open_objections:
        return {"allowed": False, "reason": f"还有 {open_objections} 条公示异议未处理，处理后方可报乡镇审核"}
    return {"allowed": True, "reason": ""}


def _case_page(request, case, *, failed_action=None, failed_form=None, status=200):
    """The case page; after a refused or invalid submission the form comes back as the user filled it, with the
    errors at its top and beside each field."""
    actions = services.allowed_actions(case, request.user)
    missing = missing_materials(case) if case.step in (c.TOWNSHIP_REVIEW, c.COUNTY_REVIEW) else []
    forms = _action_forms(case, actions)
    if failed_action is not None and failed_action in forms:
        forms[failed_action] = _marked_invalid(failed_form)
    for action in (c.TOWNSHIP_REVIEW, c.COUNTY_REVIEW):
        if action in forms:
            _without_missing_confirmation(forms[action], missing)
    in_question = case.step == c.MONITORING or (case.chain == c.ELIMINATION and case.step == c.COUNTY_REVIEW)
    elimination = services.elimination_check(case) if in_question else None
    apply_blocked = []
    if "apply_elimination" in actions:
        # the 缓退 confirmation is a box of the form itself; anything else blocking disables the form
        apply_blocked = services.elimination_check(case, delayed_exit_confirmed=True).blocking
    events = list(case.events.all())
    context = {
        "object": case,
        "title": str(case),
        "case": case,
        "events": events,
        "progress": case_progress(case, events),
        "attachments": case.attachments.all(),
        "objections": case.objections.all(),
        "deadlines": case_deadlines(case),
        "actions": actions,
        "forms": forms,
        "failed_action": failed_action,
        "missing": missing,
        "publicity_submit": _publicity_submit(case, actions),
        "apply_blocked": apply_blocked,
        "elimination": elimination,
        "can_flag_no_labour": Household.objects.restrict(request.user, "change").filter(pk=case.household_id).exists(),
        "other_cases": case.household.cases.exclude(pk=case.pk),
        "panels": case_panels(request, case),
    }
    return render(request, "monitoring/case_detail.html", context, status=status)


def case_detail(request, pk):
    case = get_object_for(
        request.user, MonitoringCase.objects.select_related("household__village__parent"), "view", pk=pk
    )
    return _case_page(request, case)


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
            category=data.get("category") or None,
            risk_types=data.get("risk_types") or None,
        )
        return "已登记村级研判/评议", case
    if action == c.PUBLICITY:
        services.publicize(
            case=case, user=user, start=data["start"], end=data["end"], note=data["note"], photo=data.get("photo")
        )
        return "已登记公示", case
    if action == "submit_publicity":
        return "已报乡镇审核", services.submit_after_publicity(case=case, user=user)
    if action in (c.TOWNSHIP_REVIEW, c.COUNTY_REVIEW):
        review = services.township_review if action == c.TOWNSHIP_REVIEW else services.county_review
        case = review(
            case=case,
            user=user,
            approve=data["approve"],
            note=data["note"],
            missing_confirmed=data.get("missing_confirmed", False),
        )
        passed = "审核通过" if action == c.TOWNSHIP_REVIEW else "审定通过"
        return (passed if data["approve"] else "已退回"), case
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
    case = get_object_for(
        request.user, MonitoringCase.objects.select_related("household__village__parent"), "view", pk=pk
    )
    if action not in ACTIONS:
        raise PermissionDenied("未知操作")
    if not user_can(request.user, MonitoringCase, "change"):
        raise PermissionDenied("您的角色只能查看监测对象")
    step_roles = services.STEP_ROLES.get(action)
    if step_roles is not None and not request.user.is_superuser and request.user.role not in step_roles:
        raise PermissionDenied("这一环节不由您的角色办理")  # refused before any form is read, not after
    form_class = ACTIONS[action](case)
    form, data = None, {}
    if form_class is not None:
        prefix = None if action == "resolve_objection" else action
        form = _fitted(form_class(request.POST, request.FILES, prefix=prefix), action, case)
        if not form.is_valid():
            return _refused(request, case, action, form)
        data = form.cleaned_data
    try:
        message, shown = _run(action, case, request.user, data)
    except services.TransitionRefused as exc:
        if form is None:
            messages.error(request, str(exc))
            return redirect(case.get_absolute_url())
        form.add_error(None, str(exc))
        return _refused(request, case, action, form)
    messages.success(request, message)
    return redirect(shown.get_absolute_url())


def _refused(request, case, action, form):
    """Show the case page again with the user's input kept: the form in its place when the page offers it, else
    the errors as messages (an action the page does not show, such as 登记处理 of an objection)."""
    case.refresh_from_db()
    if action in _action_forms(case, services.allowed_actions(case, request.user)):
        return _case_page(request, case, failed_action=action, failed_form=form, status=422)
    for field, errors in form.errors.items():
        label = form.fields[field].label if field in form.fields else ""
        messages.error(request, f"{label}：{'；'.join(errors)}" if label else "；".join(errors))
    return redirect(case.get_absolute_url())


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


BATCH_LIMIT = 300  # rows on one batch page; the oldest first, the rest after these are done


def batch_review(request):
    """乡镇/县级批量审核: the list shows what to judge by (risk, income vs the line, 公示, materials); an error —
    no conclusion, a return without reason, missing materials not confirmed — approves nothing and keeps the
    user's conclusion, note and ticks."""
    if not user_can(request.user, MonitoringCase, "change"):
        raise PermissionDenied
    if request.method not in ("GET", "POST"):
        return HttpResponseNotAllowed(["GET", "POST"])
    results, selected, errors = [], set(), []
    form = f.ReviewForm(request.POST or None)
    if request.method == "POST":
        selected = {int(i) for i in request.POST.getlist("case") if i.isdigit()}
        if not selected:
            errors.append("请至少选择一户")
        if not form.is_valid():
            errors.extend(e for field_errors in form.errors.values() for e in field_errors)
        chosen = list(
            MonitoringCase.objects.restrict(request.user, "view")
            .filter(pk__in=selected)
            .select_related("household__village")
            .annotate(head_name=HEAD_NAME)
        )
        if not errors and form.cleaned_data["approve"] and not form.cleaned_data["missing_confirmed"]:
            lacking = [(case, fact.missing) for case, fact in _facts_of(chosen) if fact.missing]
            for case, gaps in lacking:
                errors.append(f"{case.head_name or '户'}（{case.household.household_no}）缺少{'、'.join(gaps)}")
            if lacking:
                errors.append(
                    f"以上 {len(lacking)} 户未审核：请逐户核对后勾选“{f.MISSING_CONFIRMED_LABEL}”，或取消勾选这些户"
                )
        if not errors:
            results = _review_all(request.user, chosen, form.cleaned_data)
            selected, form = set(), f.ReviewForm()
    waiting = (
        cases_waiting_for(request.user)
        .filter(step__in=[c.TOWNSHIP_REVIEW, c.COUNTY_REVIEW])
        .select_related("household__village")
        .annotate(head_name=HEAD_NAME)
        .order_by("step_since", "pk")
    )
    total = waiting.count()
    rows = _facts_of(list(waiting[:BATCH_LIMIT]))
    return render(
        request,
        "monitoring/batch_review.html",
        {
            "title": "批量审核",
            "rows": rows,
            "total": total,
            "limit": BATCH_LIMIT,
            "selected": selected,
            "errors": errors,
            "results": results,
            "form": form,
            "lacking_count": sum(1 for _, fact in rows if fact.missing),
        },
        status=422 if errors else 200,
    )


def _facts_of(cases):
    facts = review_facts(cases)
    return [(case, facts[case.pk]) for case in cases]


def _review_all(user, cases, data) -> list[tuple]:
    """Each case through the reviewer's own step (a case moved on meanwhile is refused), one result per case."""
    approve, note, confirmed = data["approve"], data["note"], data["missing_confirmed"]
    results = []
    for case in cases:
        if user.is_superuser:
            review = services.township_review if case.step == c.TOWNSHIP_REVIEW else services.county_review
        else:
            review = services.county_review if user.role == "county_admin" else services.township_review
        try:
            review(case=case, user=user, approve=approve, note=note, missing_confirmed=confirmed)
            results.append((case, True, "通过" if approve else "已退回"))
        except services.TransitionRefused as exc:
            results.append((case, False, str(exc)))
    return results


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
