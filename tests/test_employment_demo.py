"""The demo county's employment assistance: a round half verified in the first village, posts with attendance (one
month under the floor), a workshop with eligible and ineligible workers, transport subsidies; built once."""

from __future__ import annotations

import io

import pytest
from django.urls import reverse

from shoudi.accounts.roles import COUNTY_ADMIN, TOWNSHIP_REVIEWER
from shoudi.accounts.testing import make_region, make_user
from shoudi.core.democounty import DemoContext
from shoudi.employment import demo
from shoudi.employment.models import TransportSubsidy, Verification, VerificationRound, WorkshopEmployee
from shoudi.employment.record_views import workshop_rows
from shoudi.employment.selectors import flagged_attendance
from shoudi.employment.testing import lifted_person

pytestmark = pytest.mark.django_db


def test_the_demo_county_shows_every_employment_page(client):
    county = make_region("520199", "守望县")
    make_region("520199001", "青山镇")
    village = make_region("520199001001", "高南村")
    make_region("520199001002", "高北村")
    for n in range(10):
        lifted_person(village, f"脱贫{n}", birth=f"19{70 + n}0101")
    for n in range(4):
        lifted_person(village, f"外出{n}", employed=True, work_place="广东省东莞市", work_months=8)
    admin = make_user("admin", COUNTY_ADMIN, county)
    make_user("shenhe", TOWNSHIP_REVIEWER, village.parent)
    out = io.StringIO()
    demo.build(DemoContext(seed=1, stdout=out))

    round_ = VerificationRound.objects.get()
    verified = Verification.objects.filter(round=round_, verified_at__isnull=False).count()
    assert round_.persons == 14 and verified == 7  # half of the village
    assert flagged_attendance().exists()
    rows, _ = workshop_rows(WorkshopEmployee.objects.select_related("member__household__village"))
    assert {eligible for _, eligible, _ in rows} == {True, False}
    assert TransportSubsidy.objects.count() >= 4

    client.force_login(admin)
    for name in (
        "employment:round_list",
        "employment:zero_list",
        "employment:post_list",
        "employment:attendance_list",
        "employment:workshop_list",
        "employment:transportsubsidy_list",
        "employment:employmentsettings_list",
    ):
        assert client.get(reverse(name)).status_code == 200, name
    page = client.get(round_.get_absolute_url()).content.decode()
    assert "高南村" in page and "已核实 7 人" in page

    demo.build(DemoContext(seed=1, stdout=out))
    assert VerificationRound.objects.count() == 1 and "跳过" in out.getvalue()
