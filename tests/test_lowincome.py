"""The 低收入人口 register (issue 20 §1, S003 三(二)): who is in it (a category in force, or a household whose risk
was eliminated), seen within the user's scope; the monthly visit line of 我的待办 at its boundaries; the 分类帮扶
actions' one-way decisions; the 分户台账 on the household page; the forms on it."""

from __future__ import annotations

import datetime
import io

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from shoudi.assistance.models import Visit
from shoudi.assistance.worklist import tally
from shoudi.lowincome import choices as c
from shoudi.lowincome import services
from shoudi.lowincome.models import CareRecord, Designation, LowIncomeSettings, SupportAction
from shoudi.lowincome.selectors import unvisited
from shoudi.lowincome.wiring import UNVISITED
from shoudi.monitoring import choices as mc
from shoudi.monitoring.models import MonitoringCase
from shoudi.registry.testing import make_household, make_member

pytestmark = [pytest.mark.django_db]
REGISTER = "lowincome:register"


def _client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _designate(household, category="农村低保", since=datetime.date(2025, 1, 1), **fields):
    return Designation.objects.create(household=household, category=category, since=since, **fields)


def _visit(household, day, kind="入户"):
    return Visit.objects.create(household=household, visited_on=day, kind=kind, visitor="专班", content="走访")


@pytest.fixture
def register(world):
    """Village A: a 低保 household, a 风险消除户, an ended designation and an ordinary household; village B: a
    特困 household."""
    dibao = make_household(world.village_a, household_no="A-DB", head="低保户主")
    _designate(dibao)
    eliminated = make_household(world.village_a, household_no="A-XC", head="消除户主")
    MonitoringCase.objects.create(
        household=eliminated,
        category="边缘易致贫户",
        clue_date=datetime.date(2025, 1, 1),
        identified_on=datetime.date(2025, 2, 1),
        eliminated_on=datetime.date(2025, 10, 1),
        step=mc.ELIMINATED,
        chain=mc.ELIMINATION,
        is_open=False,
    )
    ended = make_household(world.village_a, household_no="A-END", head="退出户主")
    _designate(ended, until=datetime.date(2025, 6, 30), end_reason="收入超标")
    make_household(world.village_a, household_no="A-ORD", head="一般户主")
    tekun = make_household(world.village_b, household_no="B-TK", head="特困户主")
    _designate(tekun, "特困供养（分散）")
    return {"dibao": dibao, "eliminated": eliminated, "ended": ended, "tekun": tekun}


def _numbers(response) -> list[str]:
    return sorted(row.record.household_no for row in response.context["table"].page.object_list)


def test_a_village_officer_sees_only_his_village_in_the_register(world, register):
    response = _client(world.officer_a).get(reverse(REGISTER))
    assert response.status_code == 200
    assert _numbers(response) == ["A-DB", "A-XC"]
    page = response.content.decode()
    assert "低收入人口" in page and "风险消除户" in page and "农村低保" in page
    assert _numbers(_client(world.officer_b).get(reverse(REGISTER))) == ["B-TK"]
    assert _numbers(_client(world.admin).get(reverse(REGISTER))) == ["A-DB", "A-XC", "B-TK"]


def test_the_register_filters_by_category_and_village(world, register):
    client = _client(world.admin)
    assert _numbers(client.get(reverse(REGISTER), {"category": c.ELIMINATED})) == ["A-XC"]
    assert _numbers(client.get(reverse(REGISTER), {"category": "特困供养（分散）"})) == ["B-TK"]
    assert _numbers(client.get(reverse(REGISTER), {"village": world.village_a.pk})) == ["A-DB", "A-XC"]
    assert _numbers(client.get(reverse(REGISTER), {"area": world.township_b.code})) == ["B-TK"]


def test_a_household_with_an_open_case_again_is_no_longer_a_risk_eliminated_household(world, register):
    MonitoringCase.objects.create(
        household=register["eliminated"], clue_date=timezone.localdate(), step=mc.VERIFICATION
    )
    assert _numbers(_client(world.officer_a).get(reverse(REGISTER))) == ["A-DB"]


def test_visited_on_the_first_of_the_month_counts_and_the_last_day_before_does_not(world, register):
    today = datetime.date(2026, 3, 15)
    _visit(register["dibao"], datetime.date(2026, 3, 1))
    _visit(register["eliminated"], datetime.date(2026, 2, 28))
    _visit(register["eliminated"], datetime.date(2026, 3, 5), kind="电话")  # a call is no visit by default
    rows = unvisited(world.officer_a, today)
    assert sorted(h.household_no for h in rows) == ["A-XC"]
    items = {item.key: item for item in tally(world.officer_a, today)[0]}
    assert items[UNVISITED].count == 1 and items[UNVISITED].own
    assert items[UNVISITED].label == "低收入人口本月未走访"
    # a county may count calls and WeChat as visits
    LowIncomeSettings.objects.create(region=world.county, remote_counts=True)
    assert not unvisited(world.officer_a, today).exists()


def test_a_two_month_rhythm_counts_the_period_from_its_first_day(world, register):
    LowIncomeSettings.objects.create(region=world.county, visit_months=2)
    _visit(register["dibao"], datetime.date(2026, 3, 1))  # period March–April
    _visit(register["eliminated"], datetime.date(2026, 2, 28))
    assert sorted(h.household_no for h in unvisited(world.officer_a, datetime.date(2026, 4, 30))) == ["A-XC"]


def test_the_worklist_link_lists_this_months_unvisited_households(world, register):
    first = timezone.localdate().replace(day=1)
    _visit(register["dibao"], first)
    _visit(register["eliminated"], first - datetime.timedelta(days=1))
    response = _client(world.officer_a).get(reverse(REGISTER), {"todo": UNVISITED})
    assert _numbers(response) == ["A-XC"]
    worklist = _client(world.officer_a).get(reverse("assistance:worklist")).content.decode()
    assert "低收入人口本月未走访" in worklist


def test_an_action_is_decided_once_and_only_by_whoever_may_change_it(world, register):
    household = register["dibao"]
    action = services.apply_for(
        user=world.officer_a,
        household=household,
        kind="申请特困",
        content="无劳动能力",
        applied_on=timezone.localdate(),
    )
    assert action.status == c.APPLIED
    with pytest.raises(services.Refused, match="不能审批"):
        services.decide_action(user=world.officer_a, action=action, approve=True)
    with pytest.raises(services.Refused, match="原因"):
        services.decide_action(user=world.reviewer_a, action=action, approve=False)
    services.decide_action(user=world.reviewer_a, action=action, approve=True)
    action.refresh_from_db()
    assert (action.status, action.decided_by, action.decision) == (c.APPROVED, world.reviewer_a, "同意")
    with pytest.raises(services.Refused, match="已批准，不能改为未批准"):
        services.decide_action(user=world.reviewer_a, action=action, approve=False, decision="改判")
    with pytest.raises(services.Refused, match="已批准，不能改为已批准"):
        services.decide_action(user=world.admin, action=action, approve=True)
    with pytest.raises(services.Refused, match="管辖范围"):
        services.apply_for(
            user=world.officer_b, household=household, kind="申请低保", content="x", applied_on=timezone.localdate()
        )


def test_the_decision_buttons_post_to_the_service(world, register):
    action = SupportAction.objects.create(household=register["dibao"], kind="申请低保", content="收入低")
    client = _client(world.reviewer_a)
    client.post(reverse("lowincome:action_decide", args=[action.pk, "reject"]), {"decision": "收入超过标准"})
    action.refresh_from_db()
    assert (action.status, action.decision) == (c.REJECTED, "收入超过标准")
    assert (
        _client(world.officer_a).post(reverse("lowincome:action_decide", args=[action.pk, "approve"])).status_code
        == 403
    )


def test_a_designation_is_entered_on_the_household_and_ended_not_deleted(world, register):
    household = register["dibao"]
    child = make_member(household, name="低保小孩", relation="之子", birth="20160101")
    client = _client(world.officer_a)
    url = reverse("lowincome:designation_add", args=[household.pk])
    assert "登记低收入人口类别" in client.get(url).content.decode()
    response = client.post(url, {"category": "留守儿童", "member": child.pk, "since": "2026-09-01", "note": ""})
    assert response.status_code == 302
    designation = Designation.objects.get(category="留守儿童")
    assert (designation.member, designation.source) == (child, c.HAND)
    again = client.post(url, {"category": "留守儿童", "member": child.pk, "since": "2026-09-02"})
    assert again.status_code == 422 and "已有在册的“留守儿童”认定" in again.content.decode()
    end = reverse("lowincome:designation_end", args=[designation.pk])
    client.post(end, {"until": "2026-08-01", "reason": "父母返乡"})
    designation.refresh_from_db()
    assert designation.until is None  # before it began: refused
    client.post(end, {"until": "2026-11-01", "reason": "父母返乡"})
    designation.refresh_from_db()
    assert (designation.until, designation.end_reason) == (datetime.date(2026, 11, 1), "父母返乡")
    assert Designation.objects.filter(pk=designation.pk).exists()


def test_the_household_page_shows_the_ledger_of_the_household(world, register):
    household = register["dibao"]
    today = timezone.localdate()
    _visit(household, today)
    SupportAction.objects.create(household=household, kind="申请低保", content="因病支出大")
    elder = make_member(household, name="两无老人", relation="之父", birth="19400101")
    services.record_care(
        user=world.officer_a,
        member=elder,
        kind="两无老人关爱",
        served_on=today,
        server="公益岗位张姐",
        server_post="光伏扶贫公益岗位",
        content="打扫卫生，送米面油",
    )
    page = _client(world.officer_a).get(reverse("registry:household_detail", args=[household.pk])).content.decode()
    assert "低收入人口分户台账" in page
    assert "农村低保" in page and "已走访" in page
    assert "申请低保" in page and "申请中" in page
    assert "两无老人关爱" in page and "公益岗位张姐" in page
    assert f"{today.year} 年走访（1 次）" in page


def test_a_care_record_is_entered_from_the_form(world, register):
    household = register["dibao"]
    child = make_member(household, name="留守娃", relation="之孙子", birth="20170101")
    url = reverse("lowincome:care_add", args=[household.pk])
    response = _client(world.officer_a).post(
        url,
        {
            "member": child.pk,
            "kind": "留守儿童关爱",
            "served_on": timezone.localdate().isoformat(),
            "server": "李阿姨",
            "server_post": "光伏扶贫公益岗位",
            "content": "辅导作业",
        },
    )
    assert response.status_code == 302
    record = CareRecord.objects.get()
    assert (record.member, record.server) == (child, "李阿姨")
    assert _client(world.officer_b).get(url).status_code == 404


def test_an_inspector_reads_the_register_but_cannot_designate(world, register):
    client = _client(world.inspector)
    assert _numbers(client.get(reverse(REGISTER))) == ["A-DB", "A-XC", "B-TK"]
    assert client.get(reverse("lowincome:designation_add", args=[register["dibao"].pk])).status_code == 403


def test_every_page_of_the_register_is_chinese_and_csp_clean(world, register, settings, tmp_path):
    from python_calamine import CalamineWorkbook

    from shoudi.core.crawl import foreign_words, inline_code, visible_text

    settings.MEDIA_ROOT = tmp_path
    household = register["dibao"]
    SupportAction.objects.create(household=household, kind="申请低保", content="收入低")
    LowIncomeSettings.objects.create(region=world.county)
    pages = [
        reverse(REGISTER),
        reverse(REGISTER) + f"?category={c.ELIMINATED}&todo={UNVISITED}",
        reverse("lowincome:designation_import"),
        reverse("lowincome:import_list"),
        reverse("lowincome:lowincomesettings_list"),
        reverse("lowincome:designation_add", args=[household.pk]),
        reverse("lowincome:action_add", args=[household.pk]),
        reverse("lowincome:care_add", args=[household.pk]),
        reverse("registry:household_detail", args=[household.pk]),
    ]
    client = _client(world.admin)
    for url in pages:
        response = client.get(url)
        assert response.status_code == 200, url
        html = response.content.decode()
        assert foreign_words(visible_text(html)) == [], url
        assert inline_code(html) == [], url
        assert "------" not in html or "registry" in url, url  # an empty choice reads 全部, 整户 or 请选择
    export = client.get(reverse(REGISTER), {"export": "xlsx"})
    cells = CalamineWorkbook.from_filelike(io.BytesIO(export.content)).get_sheet_by_index(0).to_python()
    header = cells[2]
    rows = {row[header.index("户编号")]: row for row in cells[3:]}
    assert rows["A-DB"][header.index("低收入人口类别")] == "农村低保"
    assert rows["A-XC"][header.index("低收入人口类别")] == "风险消除户"


def test_the_dashboard_counts_households_by_category_and_this_months_unvisited(world, register):
    from shoudi.lowincome.selectors import category_figures

    today = timezone.localdate()
    _visit(register["dibao"], today.replace(day=1))
    assert category_figures(world.county.code, today) == {
        c.ELIMINATED: (1, 1),
        "农村低保": (1, 0),
        "特困供养（分散）": (1, 1),
    }
    assert category_figures(world.township_a.code, today) == {c.ELIMINATED: (1, 1), "农村低保": (1, 0)}
