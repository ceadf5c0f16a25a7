"""零就业家庭 in the worklist until one member works; 公益性岗位 subsidies under minimum wage × share flagged (exactly
the share passes, one fen under does not); the 帮扶车间 稳岗补贴 at its boundaries; the 交通补贴 list; scope."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.urls import reverse

from shoudi.assistance.worklist import item_queryset, worklist
from shoudi.employment import services
from shoudi.employment.models import (
    Attendance,
    EmploymentSettings,
    Placement,
    Post,
    TransportSubsidy,
    Workshop,
    WorkshopEmployee,
)
from shoudi.employment.record_views import workshop_rows
from shoudi.employment.selectors import flagged_attendance, zero_employment_households
from shoudi.registry.testing import make_household, make_member

pytestmark = pytest.mark.django_db


def _lifted(village, head="户主", **member):
    home = make_household(village, household_type="脱贫户", head="")
    make_member(home, name=head, relation="户主", labour_skill="普通劳动力", **member)
    return home


def _count(user, key):
    return next(item.count for item in worklist(user) if item.key == key)


# --- 零就业家庭 --------------------


def test_a_zero_employment_household_stays_in_the_worklist_until_one_member_works(world, client_for):
    idle = _lifted(world.village_a, head="无业户主")
    make_member(idle, name="丧失劳动力者", labour_skill="丧失劳动力")
    working = _lifted(world.village_a, head="务工户主", employed=True)
    no_labour = make_household(world.village_a, household_type="脱贫户", head="")
    make_member(no_labour, name="老人", relation="户主", labour_skill="无劳动力")
    ordinary = make_household(world.village_a, head="")  # 一般农户, not monitored: not covered
    make_member(ordinary, name="普通户主", relation="户主", labour_skill="普通劳动力")

    assert list(zero_employment_households(world.officer_a)) == [idle]
    assert _count(world.officer_a, "zero_employment") == 1
    page = client_for(world.officer_a).get(reverse("employment:zero_list"), {"todo": "zero_employment"})
    assert page.status_code == 200 and "无业户主" in page.content.decode()
    assert "务工户主" not in page.content.decode() and "普通户主" not in page.content.decode()
    assert working not in item_queryset("zero_employment", world.officer_a)
    assert _count(world.officer_b, "zero_employment") == 0  # another village's officer

    # the village verifies the head as employed: the household drops out by itself
    from shoudi.employment.testing import started_round

    round_ = started_round(world.admin, world.county, 2026, datetime.date(2026, 12, 31))
    row = round_.rows.get(member__name="无业户主")
    services.verify(user=world.officer_a, verification=row, employed=True, work_place="县工业园", work_months=6)
    assert _count(world.officer_a, "zero_employment") == 0
    assert "无业户主" not in client_for(world.officer_a).get(reverse("employment:zero_list")).content.decode()


def test_a_public_welfare_post_counts_as_employment(world):
    home = _lifted(world.village_a, head="护林员", public_welfare_job="护林员")
    assert home not in zero_employment_households(world.admin)


# --- 公益性岗位 and the subsidy floor --------------------


@pytest.fixture
def posts(world):
    EmploymentSettings.objects.create(region=world.county, minimum_wage=Decimal("1930.00"))  # floor 965.00
    person = _lifted(world.village_a, head="保洁员").head
    post = Post.objects.create(
        name="保洁员", region=world.village_a, employer="甲村村委会", monthly_subsidy=Decimal("965.00")
    )
    placement = Placement.objects.create(post=post, member=person, start_date=datetime.date(2026, 1, 1))
    return post, placement


def _month(placement, month: int, paid: str) -> Attendance:
    return Attendance.objects.create(
        placement=placement, month=datetime.date(2026, month, 15), days=22, subsidy_paid=Decimal(paid)
    )


def test_a_subsidy_of_exactly_the_share_passes_and_one_fen_under_is_flagged(world, posts):
    _, placement = posts
    exact, under, above = _month(placement, 1, "965.00"), _month(placement, 2, "964.99"), _month(placement, 3, "1200")
    assert list(flagged_attendance()) == [under]
    assert exact.month == datetime.date(2026, 1, 1)  # one row a month
    assert EmploymentSettings.for_region(world.village_a).subsidy_floor == Decimal("965.00")
    assert above not in flagged_attendance()


def test_the_share_is_configurable(world, posts):
    _, placement = posts
    settings = EmploymentSettings.objects.get()
    settings.subsidy_share = Decimal("60")  # 1158.00
    settings.save()
    row = _month(placement, 1, "1157.99")
    assert list(flagged_attendance()) == [row]
    _month(placement, 2, "1158.00")
    assert flagged_attendance().count() == 1


def test_the_township_sees_the_flagged_subsidies_in_its_worklist(world, posts, client_for):
    _, placement = posts
    _month(placement, 1, "965.00")
    low = _month(placement, 2, "800.00")
    assert _count(world.reviewer_a, "post_subsidy_low") == 1
    assert list(item_queryset("post_subsidy_low", world.reviewer_a)) == [low]
    own = {item.key: item.own for item in worklist(world.reviewer_a)}
    assert own["post_subsidy_low"] is True
    page = client_for(world.reviewer_a).get(reverse("employment:attendance_list"), {"todo": "post_subsidy_low"})
    assert page.status_code == 200
    assert [r.pk for r in page.context["table"].data] == [low.pk]
    assert "是" in page.content.decode()
    assert _count(world.officer_b, "post_subsidy_low") == 0


def test_the_post_page_shows_the_floor_and_the_flag(world, posts, client_for):
    post, placement = posts
    _month(placement, 2, "964.99")
    page = client_for(world.reviewer_a).get(post.get_absolute_url()).content.decode()
    assert "965.00 元/月" in page and "低于下限 965.00" in page
    assert "岗位补贴标准低于下限" not in page
    post.monthly_subsidy = Decimal("964.99")
    post.save()
    assert "岗位补贴标准低于下限" in client_for(world.reviewer_a).get(post.get_absolute_url()).content.decode()


def test_recording_attendance_through_the_form(world, posts, client_for):
    _, placement = posts
    response = client_for(world.officer_a).post(
        reverse("employment:attendance_add"),
        {"placement": placement.pk, "month": "2026-05-20", "days": "20", "subsidy_paid": "900"},
    )
    assert response.status_code == 302
    row = Attendance.objects.get()
    assert row.month == datetime.date(2026, 5, 1) and row in flagged_attendance()
    twice = client_for(world.officer_a).post(
        reverse("employment:attendance_add"),
        {"placement": placement.pk, "month": "2026-05-03", "days": "20", "subsidy_paid": "900"},
    )
    assert twice.status_code == 200 and "该月已有考勤" in twice.content.decode()


# --- 帮扶车间 --------------------


@pytest.fixture
def workshop(world):
    return Workshop.objects.create(name="甲村竹编车间", region=world.village_a, operator="甲村竹编合作社")


def _worker(workshop, name, months, income, village):
    member = _lifted(village, head=name).head
    return WorkshopEmployee.objects.create(
        workshop=workshop, member=member, year=2026, months=months, income=Decimal(income)
    )


def test_the_workshop_subsidy_at_its_boundaries(world, workshop, client_for):
    eligible = _worker(workshop, "六个月六千", 6, "6000.00", world.village_a)
    _worker(workshop, "五个月", 5, "9000.00", world.village_a)
    _worker(workshop, "差一分", 6, "5999.99", world.village_a)
    rows, total = workshop_rows(WorkshopEmployee.objects.select_related("member__household__village"))
    assert {e.member.name: (ok, amount) for e, ok, amount in rows} == {
        "六个月六千": (True, Decimal("2000.00")),
        "五个月": (False, Decimal("0.00")),
        "差一分": (False, Decimal("0.00")),
    }
    assert total == Decimal("2000.00")
    page = client_for(world.reviewer_a).get(workshop.get_absolute_url()).content.decode()
    assert "符合，2000.00 元" in page and "符合条件 1 人" in page
    assert eligible.member.name in page


def test_the_workshop_rule_is_configurable(world, workshop):
    EmploymentSettings.objects.create(
        region=world.county, workshop_months=5, workshop_income=Decimal("5000"), workshop_subsidy=Decimal("1500")
    )
    _worker(workshop, "五个月", 5, "5000", world.village_a)
    rows, total = workshop_rows(WorkshopEmployee.objects.select_related("member__household__village"))
    assert [(ok, amount) for _, ok, amount in rows] == [(True, Decimal("1500.00"))]


def test_only_lifted_or_monitored_persons_are_workshop_workers(world, workshop, client_for):
    ordinary = make_household(world.village_a, head="普通农户")
    response = client_for(world.reviewer_a).post(
        reverse("employment:workshopemployee_add"),
        {"workshop": workshop.pk, "member": ordinary.head.pk, "year": "2026", "months": "8", "income": "9000"},
    )
    assert response.status_code == 200
    assert "普通农户不是脱贫人口或监测对象" in response.content.decode()
    assert not WorkshopEmployee.objects.exists()


# --- 交通补贴 --------------------


def test_the_transport_subsidy_list_is_scoped(world, client_for):
    a = _lifted(world.village_a, head="甲村外出").head
    b = _lifted(world.village_b, head="乙村外出").head
    for member in (a, b):
        TransportSubsidy.objects.create(
            member=member,
            year=2026,
            destination="浙江省义乌市",
            amount=Decimal("500"),
            paid_on=datetime.date(2026, 3, 1),
        )
    page = client_for(world.officer_a).get(reverse("employment:transportsubsidy_list")).content.decode()
    assert "甲村外出" in page and "乙村外出" not in page
    county = client_for(world.admin).get(reverse("employment:transportsubsidy_list")).content.decode()
    assert "甲村外出" in county and "乙村外出" in county
    added = client_for(world.officer_a).post(
        reverse("employment:transportsubsidy_add"),
        {"member": b.pk, "year": "2026", "destination": "广州", "amount": "300", "paid_on": ""},
    )
    assert added.status_code == 200 and TransportSubsidy.objects.count() == 2  # another village's person: refused


def test_a_placement_sets_the_members_post_and_clears_zero_employment(world, client_for):
    home = _lifted(world.village_a, head="待安置")
    post = Post.objects.create(name="护林员", region=world.village_a, employer="县林业局", monthly_subsidy=1000)
    assert home in zero_employment_households(world.reviewer_a)
    response = client_for(world.reviewer_a).post(
        reverse("employment:placement_add"),
        {"post": post.pk, "member": home.head.pk, "start_date": "2026-01-01", "end_date": ""},
    )
    assert response.status_code == 302 and response.url == post.get_absolute_url()
    home.head.refresh_from_db()
    assert home.head.public_welfare_job == "护林员"
    assert home not in zero_employment_households(world.reviewer_a)
    placement = Placement.objects.get()
    client_for(world.reviewer_a).post(
        reverse("employment:placement_edit", args=[placement.pk]),
        {"post": post.pk, "member": home.head.pk, "start_date": "2026-01-01", "end_date": "2026-02-01"},
    )
    home.head.refresh_from_db()
    assert home.head.public_welfare_job == ""
    assert home in zero_employment_households(world.reviewer_a)


def _queries(client, url) -> int:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured)


def test_the_lists_read_a_fixed_number_of_queries(world, posts, client_for):
    client = client_for(world.admin)
    _, placement = posts
    for n in range(2):
        _lifted(world.village_a, head=f"零就业{n}")
        _month(placement, n + 1, "900")
    urls = [reverse("employment:zero_list"), reverse("employment:attendance_list")]
    [_queries(client, url) for url in urls]  # the first request of a session fills the menu and badge caches
    before = [_queries(client, url) for url in urls]
    for n in range(2, 8):
        _lifted(world.village_b, head=f"零就业{n}")
        _month(placement, n + 1, "900")
    assert [_queries(client, url) for url in urls] == before


def test_the_zero_list_searches_by_head_without_repeating_rows(world, client_for):
    home = _lifted(world.village_a, head="王大山")
    make_member(home, name="王小山", labour_skill="普通劳动力")
    client = client_for(world.admin)
    page = client.get(reverse("employment:zero_list"), {"q": home.household_no[-6:]})
    assert [h.pk for h in page.context["table"].data] == [home.pk]
    page = client.get(reverse("employment:zero_list"), {"q": "王大山"})
    assert [h.pk for h in page.context["table"].data] == [home.pk]
    assert page.context["table"].data[0].labour_count == 2


def test_the_household_page_shows_its_employment(world, posts, client_for):
    post, placement = posts
    services.save_placement(placement=placement)
    idle = _lifted(world.village_a, head="无业者")
    client = client_for(world.officer_a)
    page = client.get(idle.get_absolute_url()).content.decode()
    assert "household-zero-employment" in page
    holder = client.get(placement.member.household.get_absolute_url()).content.decode()
    assert "公益性岗位：保洁员" in holder and "household-zero-employment" not in holder
    ordinary = make_household(world.village_a, head="普通户")
    assert "household-employment" not in client.get(ordinary.get_absolute_url()).content.decode()
