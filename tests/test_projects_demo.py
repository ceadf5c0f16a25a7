"""The demo county's projects (issue 21): a project in every state, the overdue items, the assets and plans; built
once (a second run adds nothing)."""

from __future__ import annotations

import io

import pytest

from shoudi.accounts.roles import COUNTY_ADMIN, TOWNSHIP_REVIEWER, VILLAGE_OFFICER
from shoudi.accounts.testing import make_region, make_user
from shoudi.core.democounty import DemoContext
from shoudi.projects import choices as c
from shoudi.projects import demo, selectors
from shoudi.projects.models import Asset, DistributionPlan, Objection, Project
from shoudi.registry.testing import make_household

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("national_calendar")]


def test_the_demo_county_has_projects_in_every_state():
    make_region("520199", "守望县")
    make_region("520199001", "青山镇")
    village = make_region("520199001001", "高南村")
    make_region("520199001002", "高北村")
    for n in range(5):
        make_household(village, household_no=f"520199001001{n:06d}", size=n + 1)
    admin = make_user("admin", COUNTY_ADMIN, village.parent.parent)
    make_user("shenhe", TOWNSHIP_REVIEWER, village.parent)
    make_user("xinxiyuan", VILLAGE_OFFICER, village)
    out = io.StringIO()
    demo.build(DemoContext(seed=1, stdout=out))
    assert set(Project.objects.values_list("state", flat=True)) == {s for s, _ in c.STATE_CHOICES}
    assert Project.objects.filter(name="高南村产业路硬化").exists()
    assert {a.state for a in Asset.objects.all()} == {c.PENDING, c.TRANSFERRED, c.DISPOSED}
    assert set(DistributionPlan.objects.values_list("state", flat=True)) == {c.PAID, c.DECIDED}
    assert Objection.objects.filter(upheld__isnull=True).exists()
    counts = selectors.todo_counts(admin)
    for key in ("project_execution_overdue", "project_acceptance_overdue", "asset_transfer_overdue", "project_review"):
        assert counts[key], key
    projects = Project.objects.count()
    demo.build(DemoContext(seed=1, stdout=out))
    assert Project.objects.count() == projects and "已有项目库，跳过" in out.getvalue()
