from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count, Q
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from shoudi.core.audit import log_access
from shoudi.core.excel import rows_xlsx_bytes
from shoudi.core.jobs import job_dir
from shoudi.core.masking import mask_phone
from shoudi.core.models import AccessLog, Job
from shoudi.core.scope import get_object_for, in_scope, user_can
from shoudi.core.uploads import read_job_data, start_upload_job
from shoudi.core.views import ObjectDetailView, ObjectEditView, ObjectListView
from shoudi.monitoring.models import MonitoringCase
from shoudi.registry.models import Household
from shoudi.registry.pickers import HEAD_NAME
from shoudi.registry.search import search_households
from shoudi.registry.tables import with_head_name

from . import forms as f
from . import services
from .filters import CadreFilterSet, MeasureFilterSet, PairingFilterSet, ProblemFilterSet, VisitFilterSet
from .models import Assessment, Cadre, GuaranteeProblem, Measure, Pairing, RhythmSettings, Visit
from .tables import CadreTable, MeasureTable, PairingTable, ProblemTable, RhythmTable, VisitTable
from .worklist import all_items, badge_of, remember_badge, tally

# --- 我的待办 ---------------------------------------------------------------------------------------------------


def worklist_page(request):
    today = timezone.localdate()
    items, villages = tally(request.user, today)  # one computation for the list, the table and the badge
    remember_badge(request.user, items, today)
    columns = all_items()
    level = getattr(getattr(request.user, "region", None), "level", None)
    if not (request.user.is_superuser or level in ("county", "township")):
        villages = []
    else:
        sort = request.GET.get("sort", "code")
        key = sort.lstrip("-")
        if key in {"code", "total", *[i.key for i in columns]}:
            villages.sort(key=lambda r: r.get(key, 0), reverse=sort.startswith("-"))
        if request.GET.get("export") == "xlsx":
            headers = ["区划代码", "行政村", *[i.label for i in columns], "合计"]
            rows = [[r["code"], r["name"], *[r.get(i.key, 0) for i in columns], r["total"]] for r in villages]
            content = rows_xlsx_bytes(
                title="待办事项分村统计",
                headers=headers,
                rows=rows,
                subtitle=f"{request.user.region.full_name if request.user.region_id else ''}"
                f"  {timezone.localdate():%Y-%m-%d}",
            )
            response = HttpResponse(
                content, content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
            )
            response["Content-Disposition"] = "attachment; filename*=UTF-8''%E5%BE%85%E5%8A%9E%E7%BB%9F%E8%AE%A1.xlsx"
            return response
    return render(
        request,
        "assistance/worklist.html",
        {
            "title": "我的待办",
            "items": items,
            "own": [i for i in items if i.own],
            "others": [i for i in items if not i.own and i.count],
            "own_total": badge_of(items),
            "villages": villages,
            **_screen_columns(columns, villages),
            "sort": request.GET.get("sort", "code"),
        },
    )


SCREEN_COLUMNS = 10  # the per-village table's line columns that fit a 1366 px window


def _screen_columns(columns, villages) -> dict:
    """On screen the lines some village has rows of, at most SCREEN_COLUMNS of them, those with the most rows first
    chosen and then shown in their usual order; the others are named under the table (the Excel file keeps every
    line)."""
    totals = {i.key: sum(row.get(i.key) or 0 for row in villages) for i in columns}
    busy = [i for i in columns if totals[i.key]]
    shown = {i.key for i in sorted(busy, key=lambda i: -totals[i.key])[:SCREEN_COLUMNS]}
    return {"columns": [i for i in busy if i.key in shown], "more_columns": [i for i in busy if i.key not in shown]}


# --- cadres and pairing -----------------------------------------------------------------------------------------


class CadreListView(ObjectListView):
    queryset = Cadre.objects.select_related("region").annotate(
        current_count=Count("pairings", filter=Q(pairings__end_date__isnull=True))
    )
    filterset_class = CadreFilterSet
    table_class = CadreTable
    title = "帮扶干部"
    add_url_name = "assistance:cadre_add"
    import_url_name = "assistance:cadre_import"


class CadreDetailView(ObjectDetailView):
    queryset = Cadre.objects.select_related("region", "user")
    template_name = "assistance/cadre_detail.html"
    fields = ("name", "unit", "position", "phone", "region", "user", "active")

    def get_context(self, request, obj):
        context = super().get_context(request, obj)
        context["pairings"] = with_head_name(
            Pairing.objects.restrict(request.user, "view").filter(cadre=obj, end_date__isnull=True)
        )
        context["handover_form"] = f.HandoverForm(user=request.user)
        context["can_pair"] = user_can(request.user, Pairing, "add")
        context["can_unmask"] = in_scope(request.user, obj, "unmask")
        return context


def unmask_cadre_phone(request, pk):
    """Show one cadre's full phone number (htmx); the act is written to the access log."""
    cadre = get_object_for(request.user, Cadre.objects.all(), "unmask", pk=pk)
    log_access(user=request.user, action=AccessLog.UNMASK, obj=cadre, field="phone", request=request)
    return render(request, "accounts/_phone.html", {"phone": cadre.phone})


class CadreEditView(ObjectEditView):
    queryset = Cadre.objects.all()
    form_class = f.CadreForm


@require_POST
def cadre_handover(request, pk):
    cadre = get_object_for(request.user, Cadre.objects.all(), "view", pk=pk)
    if not user_can(request.user, Pairing, "add"):
        raise PermissionDenied("您的角色不能调整结对")
    form = f.HandoverForm(request.POST, user=request.user)
    if not form.is_valid():
        messages.error(request, "请选择移交对象并填写原因")
        return redirect(cadre.get_absolute_url())
    try:
        n = services.handover(
            from_cadre=cadre,
            to_cadre=form.cleaned_data["to_cadre"],
            user=request.user,
            reason=form.cleaned_data["reason"],
        )
    except (PermissionDenied, ValidationError) as exc:
        messages.error(request, _message(exc))
        return redirect(cadre.get_absolute_url())
    messages.success(request, f"已将 {n} 户移交给 {form.cleaned_data['to_cadre']}")
    return redirect(form.cleaned_data["to_cadre"].get_absolute_url())


def _message(exc) -> str:
    if isinstance(exc, ValidationError):
        return "；".join(exc.messages)
    return str(exc) or "无权操作"


class PairingListView(ObjectListView):
    queryset = with_head_name(Pairing.objects.select_related("cadre"))
    filterset_class = PairingFilterSet
    table_class = PairingTable
    title = "结对帮扶"


def bulk_pair(request):
    """Bulk assign: pick households (e.g. from 未落实帮扶干部) and a cadre."""
    if not user_can(request.user, Pairing, "add"):
        raise PermissionDenied("您的角色不能调整结对")
    form = f.PairForm(request.POST or None, user=request.user)
    households = (
        Household.objects.restrict(request.user, "view").select_related("village").annotate(head_name=HEAD_NAME)
    )
    todo = request.GET.get("todo", "no_cadre")
    if todo:
        from .worklist import item_queryset

        households = households.filter(pk__in=item_queryset(todo, request.user).values("pk"))
    if request.method == "POST" and form.is_valid():
        asked = {int(v) for v in request.POST.getlist("household") if v.isdigit()}
        # resolved through the scope: an id outside it must not even reveal its 户编号
        chosen = list(Household.objects.restrict(request.user, "view").filter(pk__in=asked))
        if len(chosen) < len(asked):
            messages.error(request, f"所选农户中有 {len(asked) - len(chosen)} 户不存在或不在您的管辖范围内，未结对")
        elif not chosen:
            messages.error(request, "请至少选择一户")
        else:
            try:
                services.bulk_assign(
                    households=chosen,
                    cadre=form.cleaned_data["cadre"],
                    user=request.user,
                    reason=form.cleaned_data["reason"],
                )
            except (PermissionDenied, ValidationError) as exc:
                messages.error(request, _message(exc))
            else:
                messages.success(request, f"已为 {len(chosen)} 户落实帮扶干部 {form.cleaned_data['cadre']}")
                return redirect(request.get_full_path())
    return render(
        request, "assistance/bulk_pair.html", {"title": "批量结对", "form": form, "households": households[:500]}
    )


@require_POST
def household_pair(request, pk):
    household = get_object_for(request.user, Household.objects.all(), "view", pk=pk)
    if not user_can(request.user, Pairing, "add"):
        raise PermissionDenied("您的角色不能调整结对")
    form = f.PairForm(request.POST, user=request.user)
    if form.is_valid():
        try:
            services.pair(
                household=household,
                cadre=form.cleaned_data["cadre"],
                user=request.user,
                reason=form.cleaned_data["reason"],
            )
            messages.success(request, f"已结对：{form.cleaned_data['cadre']}")
        except (PermissionDenied, ValidationError) as exc:
            messages.error(request, _message(exc))
    else:
        messages.error(request, "请选择帮扶干部")
    return redirect(household.get_absolute_url() + "#assistance")


# --- measures, problems -----------------------------------------------------------------------------------------


class MeasureListView(ObjectListView):
    queryset = with_head_name(Measure.objects.all())
    filterset_class = MeasureFilterSet
    table_class = MeasureTable
    title = "帮扶措施"
    add_url_name = "assistance:measure_add"


class MeasureEditView(ObjectEditView):
    queryset = Measure.objects.all()
    form_class = f.MeasureForm

    def get_form(self, request, instance, data=None, files=None):
        initial = {}
        if instance.pk is None:
            for key in ("household", "category", "sub_item"):
                if request.GET.get(key):
                    initial[key] = request.GET[key]
            if request.GET.get("household", "").isdigit():
                case = MonitoringCase.objects.filter(household_id=request.GET["household"], is_open=True).first()
                if case is not None:
                    initial["case"] = case.pk
        form = self.form_class(data, files, instance=instance, user=request.user, initial=initial)
        return form


class ProblemListView(ObjectListView):
    queryset = with_head_name(GuaranteeProblem.objects.all())
    filterset_class = ProblemFilterSet
    table_class = ProblemTable
    title = "保障问题"


@require_POST
def problem_resolve(request, pk):
    problem = get_object_for(request.user, GuaranteeProblem.objects.all(), "change", pk=pk)
    form = f.ResolveProblemForm(request.POST)
    if form.is_valid():
        try:
            services.resolve_problem(problem=problem, user=request.user, resolution=form.cleaned_data["resolution"])
        except ValidationError as exc:
            messages.error(request, _message(exc))
        else:
            messages.success(request, f"已登记{problem.kind}问题的解决情况")
    else:
        messages.error(request, "请填写解决情况")
    return redirect(problem.get_absolute_url())


# --- visits and assessments -------------------------------------------------------------------------------------


class VisitListView(ObjectListView):
    queryset = with_head_name(Visit.objects.all())
    filterset_class = VisitFilterSet
    table_class = VisitTable
    title = "走访记录"


def visit_quick(request):
    """The phone page: pick one of my households, then record the visit."""
    if not user_can(request.user, Visit, "add"):
        raise PermissionDenied("您的角色不能登记走访")
    households = (
        Household.objects.restrict(request.user, "view").select_related("village").annotate(head_name=HEAD_NAME)
    )
    q = request.GET.get("q", "").strip()
    households = search_households(households, q)[:100]
    return render(request, "assistance/visit_pick.html", {"title": "走访登记", "households": households, "q": q})


def visit_record(request, pk):
    if not user_can(request.user, Visit, "add"):
        raise PermissionDenied("您的角色不能登记走访")  # not a form that fails only when sent
    household = get_object_for(request.user, Household.objects.select_related("village"), "view", pk=pk)
    form = f.VisitForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            visit = services.record_visit(
                household=household,
                user=request.user,
                visited_on=d["visited_on"],
                kind=d["kind"],
                content=d["content"],
                checklist=form.checklist(),
                photos=[d["photo"]] if d.get("photo") else [],
                latitude=d.get("latitude"),
                longitude=d.get("longitude"),
            )
        except (PermissionDenied, ValidationError) as exc:
            form.add_error(None, _message(exc))
        else:
            opened = visit.problems.count()
            found = f"，发现 {opened} 项保障问题" if opened else ""
            messages.success(request, f"已登记走访：{household.label}{found}")
            return redirect("assistance:visit_quick")
    from .choices import CHECKLIST

    return render(
        request,
        "assistance/visit_form.html",
        {
            "title": f"走访：{household.label}",
            "form": form,
            "household": household,
            "checklist_fields": [form[name] for name in CHECKLIST],
            **_estimate_link(request.user, household),
        },
    )


def _estimate_link(user, household) -> dict:
    """The visit page's link to the year's 收入预估 (S004 (七): the cadre estimates the income at a visit)."""
    from .models import IncomeEstimate

    if not user_can(user, IncomeEstimate, "add"):
        return {"can_estimate": False}
    year = timezone.localdate().year
    return {
        "can_estimate": True,
        "estimate_year": year,
        "estimate": IncomeEstimate.objects.filter(household=household, year=year).first(),
        "last_visit": Visit.objects.restrict(user, "view").filter(household=household).first(),
    }


def assessment_record(request, case_pk):
    case = get_object_for(request.user, MonitoringCase.objects.select_related("household"), "view", pk=case_pk)
    if not user_can(request.user, Assessment, "add"):
        raise PermissionDenied("您的角色不能登记帮扶成效评估")  # a read-only role gets no form that fails on submit
    form = f.AssessmentForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            assessment, refused = services.record_assessment(
                case=case,
                user=request.user,
                assessed_on=d["assessed_on"],
                measures_effective=d["measures_effective"],
                income_trend=d["income_trend"],
                risk_status=d["risk_status"],
                note=d["note"],
            )
        except (PermissionDenied, ValidationError) as exc:
            form.add_error(None, _message(exc))
        else:
            messages.success(request, f"已登记{assessment}")
            if d["risk_status"] == "建议消除":
                if refused:
                    messages.warning(request, refused)
                else:
                    messages.success(request, "已据此提出风险消除申请，下一步：消除入户核查")
                return redirect(case.get_absolute_url())
            return redirect(case.household.get_absolute_url() + "#assistance")
    return render(
        request,
        "assistance/assessment_form.html",
        {"title": f"帮扶成效评估：{case.household.label}", "form": form, "case": case},
    )


# --- the 结对帮扶手册 print page ---------------------------------------------------------------------------------


def handbook(request, pk):
    """The household's 结对帮扶手册. Birth dates in full (年月) and the cadres' full numbers only for a role that may
    unmask them (a cadre always reads his own number); the print is written to the access log."""
    household = get_object_for(request.user, Household.objects.select_related("village__parent__parent"), "view", pk=pk)
    full_births = in_scope(request.user, household, "unmask")
    pairings = list(household.pairings.select_related("cadre").order_by("start_date"))
    full_phones = []
    for pairing in pairings:
        cadre = pairing.cadre
        full = cadre.user_id == request.user.pk or in_scope(request.user, cadre, "unmask")
        pairing.cadre_phone = cadre.phone if full else mask_phone(cadre.phone)
        if full and cadre.phone and cadre.user_id != request.user.pk:
            full_phones.append(cadre.name)
    shown = "含成员出生年月" if full_births else "成员出生日期仅显示年份"
    shown += f"、帮扶干部完整电话（{'、'.join(full_phones)}）" if full_phones else "，帮扶干部电话已脱敏"
    log_access(
        user=request.user, action="export", obj=household, detail=f"打印结对帮扶手册（{shown}）", request=request
    )
    context = {
        "household": household,
        "full_births": full_births,
        "members": household.members.filter(status="正常").order_by("id"),
        "incomes": household.incomes.all()[:3],
        "pairings": pairings,
        "measures": household.measures.order_by("planned_on", "id"),
        "visits": household.visits.order_by("visited_on"),
        "assessments": household.assessments.order_by("year", "quarter"),
        "cases": household.cases.order_by("clue_date"),
        "printed_on": timezone.localdate(),
    }
    return render(request, "assistance/handbook.html", context)


class RhythmSettingsListView(ObjectListView):
    queryset = RhythmSettings.objects.select_related("region")
    table_class = RhythmTable
    title = "帮扶节奏参数"
    add_url_name = "assistance:rhythmsettings_add"


class RhythmSettingsEditView(ObjectEditView):
    queryset = RhythmSettings.objects.all()
    form_class = f.RhythmSettingsForm


def _may_import_cadres(request) -> None:
    if not user_can(request.user, Cadre, "import"):
        raise PermissionDenied("您的角色不能导入帮扶干部")


def cadre_import(request):
    """Upload the cadre directory: the request stores it and starts the import job (its page shows the progress)."""
    _may_import_cadres(request)
    form = f.CadreImportForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        job = start_upload_job(
            upload,
            folder="cadres",
            kind="assistance.import_cadres",
            user=request.user,
            title=f"导入帮扶干部：{upload.name}",
        )
        return redirect("assistance:cadre_import_job", pk=job.pk)
    return render(request, "assistance/cadre_import.html", {"title": "导入帮扶干部", "form": form})


def cadre_import_job(request, pk):
    """One cadre import: its progress, then every row's error (nothing imported) or what was imported."""
    _may_import_cadres(request)
    job = get_object_for(
        request.user, Job.objects.filter(kind="assistance.import_cadres", user=request.user), "view", pk=pk
    )
    data = read_job_data(job_dir(job.pk)) if job.is_finished else None
    context = {"title": "导入帮扶干部", "form": f.CadreImportForm(), "job": job, "result": data}
    return render(request, "assistance/cadre_import.html", context)
