"""衔接资金使用情况月报 and the quarterly 督查 (issue 21 §2, S001 41): the month's and the year's allocations and
payments by fund source and by township, on the page and in its Excel; the county's reminder until this quarter's
督查 is recorded."""

from __future__ import annotations

import datetime
import io

import pytest
from django.test import Client
from django.utils import timezone
from python_calamine import CalamineWorkbook

from shoudi.projects import choices as c
from shoudi.projects import services
from shoudi.projects.models import Inspection
from shoudi.projects.testing import advance, propose

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("national_calendar")]
D = datetime.date


def _client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def funded(world):
    a = propose(world.officer_a, world.village_a, name="甲村路", budget_county="40000")
    a = advance(a, c.PLANNED, reviewer=world.reviewer_a, admin=world.admin, start=D(2026, 1, 5))
    services.allocate(project=a, user=world.admin, source="central", amount="100000", allocated_on=D(2026, 3, 20))
    county = services.allocate(project=a, user=world.admin, source="county", amount="40000", allocated_on=D(2026, 4, 8))
    services.start_works(project=a, user=world.admin, started_on=D(2026, 4, 9))
    services.record_payment(
        project=a, user=world.admin, kind="预付款", amount="30000", paid_on=D(2026, 4, 10), allocation=county
    )
    with pytest.raises(services.TransitionRefused, match="请选择本次拨付的资金批次"):
        services.record_payment(project=a, user=world.admin, kind="预付款", amount="1", paid_on=D(2026, 4, 10))
    b = propose(world.officer_b, world.village_b, name="乙村路")
    from shoudi.accounts.roles import TOWNSHIP_REVIEWER
    from shoudi.accounts.testing import make_user

    reviewer_b = make_user("reviewer_b", TOWNSHIP_REVIEWER, world.township_b)
    b = advance(b, c.PLANNED, reviewer=reviewer_b, admin=world.admin, start=D(2026, 1, 5))
    services.allocate(project=b, user=world.admin, source="central", amount="50000", allocated_on=D(2026, 4, 15))
    services.record_payment(project=b, user=world.admin, kind="预付款", amount="10000", paid_on=D(2026, 4, 20))
    return a, b


def test_the_monthly_report_by_source_and_township(world, funded):
    page = _client(world.admin).get("/projects/funds/report/?month=2026-04").content.decode()
    assert "衔接资金使用情况月报（2026年4月）" in page
    source, place = page.split('id="by-source"')[1].split('id="by-place"')
    central = source.split("中央衔接资金")[1].split("</tr>")[0]
    assert ">50,000.00<" in central and ">150,000.00<" in central and ">10,000.00<" in central  # month, year, paid
    assert "甲镇" in place and "乙镇" in place
    total = source.split("合计")[1].split("</tr>")[0]
    assert ">90,000.00<" in total and ">190,000.00<" in total and ">40,000.00<" in total and "21.1%" in total

    content = _client(world.admin).get("/projects/funds/report/?month=2026-04&export=xlsx").content
    rows = CalamineWorkbook.from_filelike(io.BytesIO(content)).get_sheet_by_index(0).to_python()
    assert rows[0][0] == "衔接资金使用情况月报（2026年4月）"
    by_label = {row[0]: row for row in rows[3:]}
    assert by_label["县级衔接资金"][1:5] == [40000.0, 40000.0, 30000.0, 30000.0]
    assert by_label["甲镇"][2] == 140000.0 and by_label["乙镇"][4] == 10000.0

    village = _client(world.officer_a).get("/projects/funds/report/?month=2026-04").content.decode()
    assert "甲镇" in village and "乙镇" not in village  # his own projects only


def test_a_quarter_without_its_inspection_is_on_the_county_home_page(world, funded):
    today = timezone.localdate()
    services.allocate(project=funded[1], user=world.admin, source="central", amount="1", allocated_on=today)
    admin = _client(world.admin)
    assert "本季度尚未登记衔接资金督查" in admin.get("/").content.decode()
    page = admin.post(
        "/projects/inspections/add/",
        {
            "region": world.county.pk,
            "year": today.year,
            "quarter": (today.month - 1) // 3 + 1,
            "inspected_on": today.isoformat(),
            "inspectors": "县财政局督查组",
            "findings": "甲村路拨付进度滞后",
            "amount_checked": "190000",
        },
    )
    assert page.status_code == 302
    assert Inspection.objects.get().findings == "甲村路拨付进度滞后"
    assert "本季度尚未登记衔接资金督查" not in admin.get("/").content.decode()
    assert "甲村路拨付进度滞后" in _client(world.reviewer_a).get("/projects/inspections/").content.decode()
    assert _client(world.officer_a).get("/projects/inspections/").status_code == 403
