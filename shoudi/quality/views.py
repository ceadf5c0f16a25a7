"""The data-quality pages: the overview (counts per rule by township or village, the quality score), the hit list
with figures, a village's to-fix list, a hit with its waiver forms, the rules, the run and report buttons and the
settings."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db.models import Count
from django.http import Http404
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.views.decorators.http import require_POST

from shoudi.core.models import Job
from shoudi.core.scope import get_object_for, user_can
from shoudi.core.views import ObjectEditView, ObjectListView
from shoudi.regions.models import Region
from shoudi.registry.tables import with_head_name

from . import services
from .display import may_see_details, message_for, shown_figures, status_label
from .filters import HitFilterSet
from .forms import SettingsForm
from .models import Hit, QualitySettings
from .rules import all_rules
from .selectors import home_region, open_hits_for, overview, pending_waivers, todo_for
from .tables import HitTable, SettingsTable

__all__ = [
    "HitListView",
    "SettingsEditView",
    "SettingsListView",
    "hit_detail",
    "home_panel",
    "overview_page",
    "report",
    "rule_list",
    "start",
    "todo",
]


def _may_view(user) -> None:
    if not user_can(user, Hit, "view"):
        raise PermissionDenied("您的角色无权查看数据质量问题")


def _region(request, param: str = "area") -> Region:
    """The region asked for (``?area=`` code), inside the user's scope; his own by default."""
    code = (request.GET.get(param) or request.POST.get(param) or "").strip()
    if not code:
        region = home_region(request.user)
        if region is None:
            raise Http404("没有区划")
        return region
    return get_object_for(request.user, Region.objects.all(), "view", code=code)


def overview_page(request):
    _may_view(request.user)
    region = _region(request)
    data = overview(request.user, region)
    last_run = (
        Job.objects.restrict(request.user, "view")
        .filter(
            kind=services.RUN_KIND, status=Job.SUCCEEDED, params__region_code__in=[*region.ancestors_codes, region.code]
        )
        .order_by("-finished_at")
        .first()
    )
    context = {
        "title": f"数据质量：{region.name}",
        "region": region,
        "data": data,
        "parent": region.parent if region.parent_id and user_can(request.user, Region, "view") else None,
        "can_run": user_can(request.user, Hit, "add"),
        "can_report": user_can(request.user, Hit, "export"),
        "last_run": last_run,
    }
    return render(request, "quality/overview.html", context)


class HitListView(ObjectListView):
    queryset = with_head_name(Hit.objects.select_related("village", "member", "problem"))
    filterset_class = HitFilterSet
    table_class = HitTable
    title = "数据质量问题"


def todo(request):
    """A village's list of problems to fix, by household (above a village: its villages to choose from)."""
    _may_view(request.user)
    village = _region(request)
    if village.level != "village":
        data = overview(request.user, village)
        context = {"title": "本村数据待整改", "region": village, "data": data}
        return render(request, "quality/todo_pick.html", context)
    details = may_see_details(request.user)
    households = [
        (household, head, [(hit, message_for(hit, request.user, details=details)) for hit in hits])
        for household, head, hits in todo_for(request.user, village)
    ]
    context = {
        "title": f"本村数据待整改：{village.name}",
        "village": village,
        "households": households,
        "count": sum(len(items) for *_, items in households),
    }
    return render(request, "quality/todo.html", context)


def hit_detail(request, pk: int):
    hit = get_object_for(
        request.user, Hit.objects.select_related("village__parent", "household", "member", "problem"), "view", pk=pk
    )
    rule = hit.rule_object
    details = may_see_details(request.user)
    context = {
        "title": f"数据质量问题：{rule.title if rule else hit.rule}",
        "hit": hit,
        "rule": rule,
        "message": message_for(hit, request.user, details=details),
        "figures": shown_figures(hit.figures, request.user, details=details),
        "steps": hit.problem.steps.all() if hit.problem_id else [],
        "status": status_label(hit),
    }
    return render(request, "quality/hit_detail.html", context)


def rule_list(request):
    _may_view(request.user)
    counts = dict(open_hits_for(request.user).order_by().values_list("rule").annotate(n=Count("pk")))
    rows = [(rule, counts.get(rule.code, 0)) for rule in all_rules()]
    return render(request, "quality/rules.html", {"title": "数据质量规则", "rows": rows})


@require_POST
def start(request):
    """运行检查 of the region on the overview page: a job, whose page shows its progress."""
    region = _region(request)
    job = services.start_run(user=request.user, region=region)
    messages.success(request, f"已开始数据质量检查：{region.name}")
    return redirect(job)


@require_POST
def report(request):
    region = _region(request)
    job = services.start_report(user=request.user, region=region)
    messages.success(request, f"正在生成数据质量报告：{region.name}，完成后可在任务页面下载")
    return redirect(job)


class SettingsListView(ObjectListView):
    queryset = QualitySettings.objects.select_related("region")
    table_class = SettingsTable
    title = "数据质量参数"
    add_url_name = "quality:qualitysettings_add"


class SettingsEditView(ObjectEditView):
    queryset = QualitySettings.objects.all()
    form_class = SettingsForm


def home_panel(request) -> str | None:
    """工作台 of a village officer: his village's problems to fix."""
    user = request.user
    if not user.is_authenticated or getattr(user, "role", "") != "village_officer" or not user_can(user, Hit, "view"):
        return None
    hits = open_hits_for(user)
    total = hits.count()
    if not total:
        return None
    pending = pending_waivers(hits).count()
    url = reverse("quality:todo") + f"?area={user.region.code}"
    return render_to_string(
        "quality/_home_panel.html", {"total": total, "pending": pending, "url": url}, request=request
    )
