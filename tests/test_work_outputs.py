"""What problem rectification puts out (issue 17 §7) and the responsible-person picker: 问题整改台账 combined and
per source, read back from the file; the dashboard cards by source and by township against crafted problems, with
their links; the picker offering only users of the chosen region, and the form refusing anyone else."""

from __future__ import annotations

import datetime
import re

import pytest
from django.test import RequestFactory
from django.utils import timezone

from shoudi.accounts.testing import make_user
from shoudi.dashboards.models import VillageRefresh
from shoudi.dashboards.problems import mark_changed_problems
from shoudi.dashboards.refresh import rebuild, refresh_stale
from shoudi.dashboards.views import cards_for
from shoudi.work import choices as c
from shoudi.work import services
from shoudi.work.models import Problem

from .test_ledgers import build, copy_form

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("national_calendar")]
DAY = datetime.timedelta(days=1)
HEADER = [
    "序号",
    "问题来源",
    "文件编号",
    "问题类别",
    "问题",
    "责任区划",
    "责任单位",
    "责任人",
    "下发日期",
    "整改期限",
    "状态",
    "整改措施",
    "销号日期",
]


@pytest.fixture
def problems(world):
    """暗访督导: village A closed after two measures, village B overdue; 审计: township A itself, running;
    12317 热线: village A2, issued by the township, suspended."""
    today = timezone.localdate()

    def issue(by, region, source, title, issued, due, **extra):
        return services.issue_problem(
            user=by, region=region, source=source, category="饮水", title=title, issued_on=issued, due_date=due, **extra
        )

    closed = issue(
        world.admin,
        world.village_a,
        "暗访督导",
        "甲村饮水不达标",
        today - 40 * DAY,
        today - 5 * DAY,
        document_no="县督〔2026〕3号",
        unit="甲村村委会",
        responsible=world.officer_a,
    )
    services.record_progress(problem=closed, user=world.officer_a, text="已更换管道")
    services.apply_closure(problem=closed, user=world.officer_a, text="管道更换完成，水质检测合格")
    services.decide_closure(problem=closed, user=world.admin, approve=True)
    overdue = issue(world.admin, world.village_b, "暗访督导", "乙村走访记录雷同", today - 30 * DAY, today - 2 * DAY)
    services.record_progress(problem=overdue, user=world.officer_b, text="重新入户走访")
    township = issue(world.admin, world.township_a, "审计", "甲镇资金拨付滞后", today - 20 * DAY, today + 9 * DAY)
    suspended = issue(world.reviewer_a, world.village_a2, "12317 热线", "甲二村来电", today - 10 * DAY, today + DAY)
    services.suspend(problem=suspended, user=world.reviewer_a, reason="等待县级政策")
    return {"closed": closed, "overdue": overdue, "township": township, "suspended": suspended}


# --- 问题整改台账 ----------------------------------------------------------------------------------------------------


def test_the_combined_ledger_lists_every_problem_with_its_latest_measure(world, problems, tmp_path):
    today = timezone.localdate()
    sheet = build("problems", world.admin, tmp_path)
    assert sheet.title == "问题整改台账"
    assert sheet.header == HEADER
    assert sheet.column("问题") == ["甲村饮水不达标", "乙村走访记录雷同", "甲镇资金拨付滞后", "甲二村来电"]
    assert sheet.column("序号") == [1, 2, 3, 4]
    row = sheet.row_of("问题", "甲村饮水不达标")
    assert (row["问题来源"], row["文件编号"], row["问题类别"]) == ("暗访督导", "县督〔2026〕3号", "饮水")
    assert (row["责任区划"], row["责任单位"], row["责任人"]) == ("甲镇甲村", "甲村村委会", "甲村信息员")
    assert (row["下发日期"], row["整改期限"], row["销号日期"]) == (today - 40 * DAY, today - 5 * DAY, today)
    assert (row["状态"], row["整改措施"]) == ("已销号", "管道更换完成，水质检测合格")  # the latest, not the first
    row = sheet.row_of("问题", "乙村走访记录雷同")
    assert (row["状态"], row["整改措施"], row["销号日期"], row["责任人"]) == ("整改中", "重新入户走访", "", "")
    row = sheet.row_of("问题", "甲镇资金拨付滞后")
    assert (row["责任区划"], row["状态"], row["整改措施"]) == ("甲镇", "已下发", "")
    assert sheet.row_of("问题", "甲二村来电")["状态"] == "挂起"
    assert sheet.total[0] == "合计：4 个"


def test_one_ledger_per_source(world, problems, tmp_path):
    sheet = build("problems-inspection", world.admin, tmp_path)
    assert sheet.title == "问题整改台账（暗访督导）" and sheet.header == HEADER
    assert sheet.column("问题") == ["甲村饮水不达标", "乙村走访记录雷同"]
    assert build("problems-audit", world.admin, tmp_path).column("问题") == ["甲镇资金拨付滞后"]
    assert build("problems-hotline", world.admin, tmp_path).column("问题") == ["甲二村来电"]
    assert build("problems-assessment", world.admin, tmp_path).rows == []


def test_the_ledger_follows_the_users_scope(world, problems, tmp_path):
    assert build("problems", world.officer_b, tmp_path).column("问题") == ["乙村走访记录雷同"]
    assert build("problems", world.reviewer_a, tmp_path).column("问题") == [
        "甲村饮水不达标",
        "甲镇资金拨付滞后",
        "甲二村来电",
    ]


def test_a_county_copy_picks_a_source_and_groups_by_region(world, problems, client_for, tmp_path):
    from shoudi.ledgers.models import SavedLedger

    form = copy_form("problems", title="暗访督导在办问题", source="暗访督导", open=True) | {"grouped": "on"}
    assert client_for(world.admin).post("/ledgers/copy/problems/", form).status_code == 302
    sheet = build(SavedLedger.objects.get().name, world.admin, tmp_path)
    assert sheet.column("问题") == ["乙村走访记录雷同"]
    assert [row[0] for row in sheet.subtotals] == ["乙镇乙村小计：1 个"]


# --- dashboard cards -------------------------------------------------------------------------------------------------


def _card(user, region, key):
    request = RequestFactory().get("/")
    request.user = user
    return next(data for card, data in cards_for(request, region) if card.key == key)


def _figures(data) -> dict[str, dict[str, int]]:
    return {s.name: dict(zip(data.categories, s.values, strict=True)) for s in data.series}


ROW_COUNT = re.compile(r'id="row-count">(\d+)<')


def _listed(client, link: str) -> int:
    return int(ROW_COUNT.search(client.get(link).content.decode()).group(1))


def test_the_cards_count_open_overdue_and_closed_problems(world, problems, client_for):
    rebuild()
    by_source = _card(world.admin, world.county, "problem_sources")
    assert by_source.categories == ["暗访督导", "审计"]  # the suspended 12317 one is neither in hand nor closed
    assert _figures(by_source) == {
        "在办": {"暗访督导": 1, "审计": 1},
        "其中逾期": {"暗访督导": 1, "审计": 0},
        "已销号": {"暗访督导": 1, "审计": 0},
    }
    assert by_source.notes == ["在办 2 个，其中逾期 1 个；已销号 1 个"]
    by_township = _card(world.admin, world.county, "problem_regions")
    assert by_township.categories == ["甲镇", "乙镇"]
    assert _figures(by_township) == {
        "在办": {"甲镇": 1, "乙镇": 1},
        "其中逾期": {"甲镇": 0, "乙镇": 1},
        "已销号": {"甲镇": 1, "乙镇": 0},
    }
    assert by_township.drill[0] == f"/dashboard/region/{world.township_a.pk}/"
    # a township's card: its villages, and a row for the problems given to the township itself
    villages = _card(world.reviewer_a, world.township_a, "problem_regions")
    assert villages.categories == ["甲村", "甲二村", "本级"]
    assert _figures(villages)["在办"] == {"甲村": 0, "甲二村": 0, "本级": 1}
    assert _figures(villages)["已销号"] == {"甲村": 1, "甲二村": 0, "本级": 0}
    # every figure is the count of the problem list it links to
    for user, region in ((world.admin, world.county), (world.reviewer_a, world.township_a)):
        client = client_for(user)
        for key in ("problem_sources", "problem_regions"):
            data = _card(user, region, key)
            for series in data.series:
                for label, value, link in zip(data.categories, series.values, series.links, strict=True):
                    assert link.startswith("/work/problems/?"), link
                    assert _listed(client, link) == value, (key, series.name, label, link)


def test_a_changed_problem_reaches_the_cards_within_seconds(world, problems):
    rebuild()
    assert mark_changed_problems() == ""  # nothing changed since
    services.record_progress(problem=problems["township"], user=world.reviewer_a, text="已拨付一半")
    services.issue_problem(
        user=world.admin,
        region=world.village_a,
        source="审计",
        category="项目资金",
        title="甲村项目未验收",
        due_date=timezone.localdate() + 30 * DAY,
    )
    assert mark_changed_problems() == "整改问题变动：2 个区划待更新看板"
    assert set(VillageRefresh.objects.filter(stale=True).values_list("village_code", flat=True)) == {
        world.township_a.code,
        world.village_a.code,
    }
    refresh_stale()
    by_source = _card(world.admin, world.county, "problem_sources")
    assert _figures(by_source)["在办"]["审计"] == 2
    assert mark_changed_problems() == ""


# --- the responsible-person picker -----------------------------------------------------------------------------------


def _options(response) -> list[str]:
    assert response.status_code == 200
    return re.findall(r'data-label="([^"]*)"', response.content.decode())


def test_the_picker_offers_only_users_of_the_chosen_region(world, client_for):
    make_user("officer_a2", "village_officer", world.village_a2, name="甲二村信息员")
    make_user("cadre_a", "cadre", world.village_a, name="甲村帮扶干部")  # may not rectify problems
    url = "/work/problems/pick/responsible/"
    admin = client_for(world.admin)
    assert _options(admin.get(url, {"region": world.village_a.pk})) == ["甲村信息员"]
    assert _options(admin.get(url, {"region": world.township_a.pk})) == ["甲镇审核员", "甲村信息员", "甲二村信息员"]
    assert _options(admin.get(url, {"region": world.village_a.pk, "q": "甲二"})) == []
    assert _options(admin.get(url, {})) == []  # no region chosen yet
    reviewer = client_for(world.reviewer_a)
    assert _options(reviewer.get(url, {"region": world.village_b.pk})) == []  # another township's village
    assert _options(reviewer.get(url, {"region": world.township_a.pk})) == ["甲村信息员", "甲二村信息员"]
    assert client_for(world.officer_a).get(url, {"region": world.village_a.pk}).status_code == 403
    form = client_for(world.admin).get("/work/problems/add/").content.decode()
    assert 'hx-include="#id_region"' in form and "/work/problems/pick/responsible/" in form


def test_the_form_refuses_a_responsible_person_outside_the_region(world, client_for):
    admin = client_for(world.admin)
    fields = {
        "source": "暗访督导",
        "category": "饮水",
        "severity": "一般",
        "title": "甲村饮水不达标",
        "region": world.village_a.pk,
        "due_date": (timezone.localdate() + 30 * DAY).isoformat(),
    }
    page = admin.post("/work/problems/add/", {**fields, "responsible": world.officer_b.pk})
    assert page.status_code == 422 and "乙村信息员不是甲村（含下级）的用户" in page.content.decode()
    page = admin.post("/work/problems/add/", {**fields, "responsible": world.inspector.pk})
    assert page.status_code == 422  # a county user who rectifies nothing is not offered
    assert admin.post("/work/problems/add/", {**fields, "responsible": world.officer_a.pk}).status_code == 302
    problem = Problem.objects.get(title="甲村饮水不达标")
    assert problem.responsible == world.officer_a and problem.state == c.ISSUED
    assert "甲村信息员" in admin.get(f"/work/problems/{problem.pk}/").content.decode()
