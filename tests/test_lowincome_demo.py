"""The demo county's 低收入人口 (issue 20): every category on some household, some households visited this month and
some not, actions in every state, 关爱 records and the 民政 list the 低保 came from; built once."""

from __future__ import annotations

import io

import pytest

from shoudi.accounts.roles import COUNTY_ADMIN, VILLAGE_OFFICER
from shoudi.accounts.testing import make_region, make_user
from shoudi.core.democounty import DemoContext
from shoudi.lowincome import choices as c
from shoudi.lowincome import demo
from shoudi.lowincome.models import CareRecord, Designation, DesignationImport, SupportAction
from shoudi.lowincome.selectors import register, unvisited
from shoudi.registry.testing import make_household, make_member

pytestmark = [pytest.mark.django_db]


def test_the_demo_county_has_a_register_with_visited_and_unvisited_households():
    make_region("520199", "守望县")
    make_region("520199001", "青山镇")
    village = make_region("520199001001", "高南村")
    for n in range(400):
        household = make_household(village, household_no=f"520199001001{n:06d}")
        make_member(household, name="小孩", relation="之子", birth="20180101")
        make_member(household, name="老人", relation="之父", birth="19400101")
    admin = make_user("admin", COUNTY_ADMIN, village.parent.parent)
    officer = make_user("xinxiyuan", VILLAGE_OFFICER, village)
    out = io.StringIO()
    demo.build(DemoContext(seed=1, stdout=out))
    categories = set(Designation.objects.values_list("category", flat=True))
    assert categories == set(c.CATEGORY_VOCABULARY.values)
    assert Designation.objects.filter(until__isnull=False).exists()
    assert DesignationImport.objects.get().created.filter(category="农村低保").exists()
    assert 0 < unvisited(officer).count() < register(officer).count()
    assert set(SupportAction.objects.values_list("status", flat=True)) == {c.APPLIED, c.APPROVED, c.REJECTED}
    assert CareRecord.objects.filter(server_post="光伏扶贫公益岗位").exists()
    count = Designation.objects.count()
    demo.build(DemoContext(seed=1, stdout=out))
    assert Designation.objects.count() == count and "已有认定，跳过" in out.getvalue()
    assert register(admin).count() == register(officer).count()
