"""Random case operations through the monitoring services, each marking its village stale after its commit (the
change listener), then the worker's refresh of the stale villages: every stored figure must equal a fresh count from
the registry, and the main figures plain queries."""

from __future__ import annotations

import datetime

import pytest
from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import Exists, OuterRef
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from shoudi.accounts.models import User
from shoudi.dashboards.cards import all_cards
from shoudi.dashboards.models import VillageFigure, VillageRefresh
from shoudi.dashboards.refresh import rebuild, refresh_stale
from shoudi.dashboards.testing import build_scenario
from shoudi.monitoring import choices as mc
from shoudi.monitoring import services
from shoudi.monitoring.models import MonitoringCase
from shoudi.monitoring.services import TransitionRefused
from shoudi.registry.models import Household

pytestmark = pytest.mark.django_db

OPERATIONS = ["clue", "advance", "reject", "apply_elimination", "reverse"]


def _advance(case, user, today):
    """The next step of an identification case, with what the step needs."""
    step = case.step
    if step == mc.VERIFICATION:
        services.verify(
            case=case,
            user=user,
            visited_on=today,
            findings="入户核实情况属实",
            signed=True,
            authorization_file=ContentFile(b"%PDF-1.4", name="承诺授权书.pdf"),
        )
    elif step == mc.VILLAGE_REVIEW:
        services.village_review(
            case=case, user=user, held_on=today, participants="村两委", approve=True, category="边缘易致贫户",
            risk_types=["因病", "因学"],
        )  # fmt: skip
    elif step == mc.PUBLICITY:
        services.publicize(
            case=case, user=user, start=today - datetime.timedelta(days=9), end=today - datetime.timedelta(days=2)
        )
        services.submit_after_publicity(case=MonitoringCase.objects.get(pk=case.pk), user=user, today=today)
    elif step == mc.TOWNSHIP_REVIEW:
        services.township_review(case=case, user=user, approve=True, missing_confirmed=True)
    elif step == mc.COUNTY_REVIEW:
        services.county_review(case=case, user=user, approve=True, missing_confirmed=True, decided_on=today)


def _apply(operation: str, pick: int, user, today) -> None:
    cases = list(MonitoringCase.objects.order_by("pk"))
    try:
        if operation == "clue":
            free = list(
                Household.objects.exclude(
                    Exists(MonitoringCase.objects.filter(household=OuterRef("pk"), is_open=True))
                ).order_by("pk")
            )
            if free:
                services.open_clue(
                    household=free[pick % len(free)], user=user, source="基层干部排查", risk_types=["因残"]
                )
            return
        wanted = {
            "advance": lambda c: c.chain == mc.IDENTIFICATION and c.step in mc.WORKING_STEPS,
            "reject": lambda c: c.chain == mc.IDENTIFICATION and c.step in mc.WORKING_STEPS,
            "apply_elimination": lambda c: c.step == mc.MONITORING,
            "reverse": lambda c: c.step == mc.ELIMINATED,
        }[operation]
        candidates = [c for c in cases if wanted(c)]
        if not candidates:
            return
        case = candidates[pick % len(candidates)]
        if operation == "advance":
            _advance(case, user, today)
        elif operation == "reject":
            services.reject(case=case, user=user, reason="经核实不符合纳入条件")
        elif operation == "apply_elimination":
            services.apply_elimination(case=case, user=user, delayed_exit_confirmed=True, today=today)
        else:
            services.reverse_elimination(case=case, user=user, note="再次因病", risk_types=["因病"])
    except TransitionRefused:
        pass  # a refused step changes nothing, and must leave the figures as they are


def _stored() -> dict:
    return {(r.village_code, r.card, r.bucket): r.value for r in VillageFigure.objects.all()}


def _fresh(today) -> dict:
    return {
        (code, card.key, bucket): value
        for card in all_cards()
        if card.compute is not None
        for code, bucket, value in card.compute(None, today)
        if value
    }


def _total(stored: dict, card: str, prefix: str = "") -> int:
    return sum(v for (_, c, b), v in stored.items() if c == card and b.startswith(prefix))


def test_random_operations_keep_every_summary_figure_equal_to_a_direct_count(world, django_capture_on_commit_callbacks):
    build_scenario(world)
    rebuild()
    operator = User.objects.create_superuser("运维", password="x")
    today = timezone.localdate()

    @settings(max_examples=12, deadline=None, suppress_health_check=list(HealthCheck))
    @given(st.lists(st.tuples(st.sampled_from(OPERATIONS), st.integers(0, 50)), min_size=1, max_size=8))
    def run(operations):
        with transaction.atomic():
            with django_capture_on_commit_callbacks(execute=True):
                for operation, pick in operations:
                    with django_capture_on_commit_callbacks(execute=True):  # each its own commit
                        _apply(operation, pick, operator, today)
            assert VillageRefresh.objects.filter(stale=True).count() <= 3  # the changed villages wait for the worker
            refresh_stale()
            assert not VillageRefresh.objects.filter(stale=True).exists()
            stored = _stored()
            assert stored == _fresh(today)
            monitored = MonitoringCase.objects.filter(is_open=True, identified_on__isnull=False)
            assert _total(stored, "case_categories", "c:") == monitored.count()
            assert _total(stored, "funnel", "clue") == MonitoringCase.objects.count()
            assert _total(stored, "funnel", "eliminated") == MonitoringCase.objects.filter(step=mc.ELIMINATED).count()
            with_card = Household.objects.filter(cases__identified_on__isnull=False).distinct().count()
            assert _total(stored, "work_cards") == with_card
            transaction.set_rollback(True)

    run()
