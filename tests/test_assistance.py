"""Cadres, pairing and hand-over, the cadre's scope, visits opening guarantee problems, assessments starting
elimination, the 10/30-day rules and the worklist for each user of the fixture."""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from shoudi.accounts.testing import make_user
from shoudi.assistance import services as a
from shoudi.assistance.models import Cadre, GuaranteeProblem, Measure, Pairing
from shoudi.assistance.worklist import item_queryset, worklist
from shoudi.monitoring import choices as mc
from shoudi.monitoring import services as ms
from shoudi.monitoring.models import MonitoringCase, MonitoringLine
from shoudi.registry.models import Household
from shoudi.registry.testing import make_household, make_income, make_member

TODAY = datetime.date(2026, 11, 20)


def identified_case(household, on: datetime.date, **extra) -> MonitoringCase:
    return MonitoringCase.objects.create(
        household=household,
        category="边缘易致贫户",
        risk_types=["因病"],
        source="农户自主申报",
        clue_date=on,
        identified_on=on,
        step=mc.MONITORING,
        **extra,
    )


@pytest.fixture
def area(world):
    cadre_user = make_user("cadre_a", "cadre", world.village_a, name="帮扶干部甲")
    cadre = Cadre.objects.create(
        name="帮扶干部甲",
        unit="县农业农村局",
        position="科员",
        region=world.village_a,
        user=cadre_user,
        phone="13700001111",
    )
    other = Cadre.objects.create(name="帮扶干部乙", unit="县教育局", region=world.township_a)
    mine = make_household(world.village_a, household_no="A1", head="甲户", household_type="脱贫户", lifted_year=2019)
    theirs = make_household(world.village_a, household_no="A2", head="乙户", household_type="脱贫户", lifted_year=2019)
    b = make_household(world.village_b, household_no="B1", head="丙户", household_type="脱贫户", lifted_year=2019)
    a.pair(household=mine, cadre=cadre, user=world.officer_a, start_date=datetime.date(2026, 1, 1))
    a.pair(household=theirs, cadre=other, user=world.officer_a, start_date=datetime.date(2026, 1, 1))
    return world, cadre_user, cadre, other, mine, theirs, b


def test_a_cadre_sees_only_his_paired_households(area, client_for):
    world, cadre_user, cadre, other, mine, theirs, b = area
    assert list(Household.objects.restrict(cadre_user, "view")) == [mine]
    html = client_for(cadre_user).get("/registry/households/").content.decode()
    listed = html[html.index('id="object-list"') :]
    assert "A1" in listed and "A2" not in listed
    assert client_for(cadre_user).get(f"/registry/households/{theirs.pk}/").status_code == 404
    a.pair(household=theirs, cadre=cadre, user=world.officer_a, reason="调整")
    assert set(Household.objects.restrict(cadre_user, "view")) == {mine, theirs}


def test_repairing_keeps_history_and_needs_a_reason(area):
    world, cadre_user, cadre, other, mine, *_ = area
    with pytest.raises(ValidationError):
        a.pair(household=mine, cadre=other, user=world.officer_a)
    a.pair(household=mine, cadre=other, user=world.officer_a, reason="干部调整", start_date=TODAY)
    history = list(Pairing.objects.filter(household=mine).order_by("start_date"))
    assert [(p.cadre, p.end_date, p.end_reason) for p in history] == [
        (cadre, TODAY - datetime.timedelta(days=1), "干部调整"),
        (other, None, ""),
    ]


def test_handover_moves_all_households_of_a_cadre(area):
    world, cadre_user, cadre, other, mine, theirs, b = area
    a.pair(household=theirs, cadre=cadre, user=world.admin, reason="调整")
    moved = a.handover(from_cadre=cadre, to_cadre=other, user=world.admin, reason="调往县教育局")
    assert moved == 2
    assert not Pairing.objects.filter(cadre=cadre, end_date__isnull=True).exists()
    assert Pairing.objects.filter(cadre=other, end_date__isnull=True).count() == 2
    assert not Household.objects.restrict(cadre_user, "view").exists()


def test_handover_out_of_scope_is_refused(area):
    world, cadre_user, cadre, other, *_ = area
    with pytest.raises(PermissionDenied):
        a.handover(from_cadre=cadre, to_cadre=other, user=world.officer_b, reason="越权")
    assert Pairing.objects.filter(cadre=cadre, end_date__isnull=True).count() == 1


def test_handover_page(area, client_for):
    world, cadre_user, cadre, other, *_ = area
    response = client_for(world.reviewer_a).post(
        f"/assistance/cadres/{cadre.pk}/handover/", {"to_cadre": other.pk, "reason": "调动"}, follow=True
    )
    assert "已将 1 户移交给" in response.content.decode()


def test_a_visit_answer_opens_a_guarantee_problem(area, client_for):
    world, cadre_user, cadre, other, mine, *_ = area
    client = client_for(cadre_user)
    response = client.post(
        f"/assistance/visit/{mine.pk}/",
        {
            "visited_on": str(datetime.date.today()),
            "kind": "入户",
            "content": "屋顶漏雨",
            "food_clothing_ok": "1",
            "education_ok": "1",
            "medical_ok": "1",
            "housing_ok": "0",
            "water_ok": "",
        },
        follow=True,
    )
    assert "发现 1 项保障问题" in response.content.decode()
    problem = GuaranteeProblem.objects.get(household=mine)
    assert problem.kind == "住房安全有保障" and problem.resolved_on is None and problem.visit.cadre == cadre
    # the open problem blocks elimination, with its reason
    case = identified_case(mine, datetime.date(2026, 1, 5))
    assert any("住房安全有保障" in r for r in ms.elimination_check(case, today=TODAY).blocking)
    # a second "no" does not open the same problem twice
    a.record_visit(
        household=mine,
        user=cadre_user,
        visited_on=datetime.date.today(),
        kind="电话",
        content="回访",
        checklist={"housing_ok": False},
    )
    assert GuaranteeProblem.objects.filter(household=mine).count() == 1


def test_a_cadre_cannot_visit_a_household_not_his(area, client_for):
    world, cadre_user, cadre, other, mine, theirs, b = area
    assert client_for(cadre_user).get(f"/assistance/visit/{theirs.pk}/").status_code == 404


@pytest.fixture
def eligible(area):
    world, cadre_user, cadre, other, mine, *_ = area
    MonitoringLine.objects.create(region=world.county, year=2025, amount=Decimal("8000"))
    mine.members.update(labour_skill="普通劳动力")
    make_income(mine, 2025, size=1, wage=15000)
    case = identified_case(mine, datetime.date(2026, 3, 1))
    Measure.objects.create(
        household=mine,
        case=case,
        category="产业帮扶",
        sub_item="种植业",
        content="种植辣椒",
        status="已落实",
        implemented_on=datetime.date(2026, 4, 1),
    )
    return world, cadre_user, case


def test_an_assessment_suggesting_elimination_starts_the_application(eligible):
    world, cadre_user, case = eligible
    assessment, refused = a.record_assessment(
        case=case,
        user=cadre_user,
        assessed_on=TODAY,
        measures_effective=True,
        income_trend="上升",
        risk_status="建议消除",
    )
    assert refused is None and (assessment.year, assessment.quarter) == (2026, 4)
    case.refresh_from_db()
    assert case.chain == mc.ELIMINATION and case.step == mc.VERIFICATION
    with pytest.raises(ValidationError, match="已评估"):
        a.record_assessment(
            case=case,
            user=cadre_user,
            assessed_on=TODAY,
            measures_effective=True,
            income_trend="上升",
            risk_status="稳定",
        )


def test_a_refused_elimination_keeps_the_assessment_and_says_why(eligible):
    world, cadre_user, case = eligible
    Measure.objects.all().update(status="实施中")
    assessment, refused = a.record_assessment(
        case=case,
        user=cadre_user,
        assessed_on=TODAY,
        measures_effective=True,
        income_trend="上升",
        risk_status="建议消除",
    )
    assert assessment.pk and "尚无已落实的帮扶措施" in refused
    case.refresh_from_db()
    assert case.step == mc.MONITORING


def test_assessment_page_starts_elimination(eligible, client_for):
    world, cadre_user, case = eligible
    response = client_for(cadre_user).post(
        f"/assistance/cases/{case.pk}/assess/",
        {"assessed_on": str(TODAY), "measures_effective": "1", "income_trend": "上升", "risk_status": "建议消除"},
        follow=True,
    )
    assert "已据此提出风险消除申请" in response.content.decode()


def test_the_ten_and_thirty_day_rules(world):
    home = make_household(world.village_a, household_no="A9", head="新识别户")
    case = identified_case(home, TODAY - datetime.timedelta(days=10))
    assert home not in item_queryset("no_cadre", world.admin, TODAY)  # 10 days: still in time
    assert home in item_queryset("no_cadre", world.admin, TODAY + datetime.timedelta(days=1))
    assert case not in item_queryset("no_measure", world.admin, TODAY + datetime.timedelta(days=20))
    assert case in item_queryset("no_measure", world.admin, TODAY + datetime.timedelta(days=21))
    Measure.objects.create(household=home, case=case, category="健康帮扶", sub_item="医疗救助", content="救助")
    assert case not in item_queryset("no_measure", world.admin, TODAY + datetime.timedelta(days=21))


def counts(user, today):
    return {w.key: w.count for w in worklist(user, today)}


def test_worklist_counts_for_each_user_of_the_fixture(world):
    """Village A has one lifted household without a cadre and one monitored household not visited this month;
    village B has one case waiting at township review (which the reviewer of A may not see)."""
    make_household(world.village_a, household_no="A10", head="脱贫户甲", household_type="脱贫户", lifted_year=2018)
    monitored = make_household(world.village_a, household_no="A11", head="监测户甲")
    identified_case(monitored, datetime.date(2026, 9, 1))
    waiting = MonitoringCase.objects.create(
        household=make_household(world.village_b, household_no="B10", head="乙"),
        source="农户自主申报",
        step=mc.TOWNSHIP_REVIEW,
    )
    today = datetime.date(2026, 11, 20)
    a_counts = counts(world.officer_a, today)
    assert a_counts["no_cadre"] == 2  # the lifted household, and the monitored one past 10 days
    assert a_counts["visit_due"] == 2  # monthly for the monitored, quarterly for the lifted one
    assert a_counts["visit_overdue"] == 2  # October passed without a visit for A11; Q3 for A10
    assert a_counts["contact_due"] == 1 and a_counts["assessment_due"] == 1
    assert a_counts["steps_waiting"] == 0
    r_counts = counts(world.reviewer_a, today)
    assert r_counts["no_cadre"] == 2 and r_counts["steps_waiting"] == 0  # B's case is another township's
    b_counts = counts(world.officer_b, today)
    assert b_counts["no_cadre"] == 0 and b_counts["visit_due"] == 0 and b_counts["steps_waiting"] == 0
    reviewer_b = make_user("reviewer_b", "township_reviewer", world.township_b)
    assert counts(reviewer_b, today)["steps_waiting"] == 1
    assert waiting in item_queryset("steps_waiting", reviewer_b, today)


def test_visits_clear_the_worklist_items(world):
    monitored = make_household(world.village_a, household_no="A12", head="监测户乙")
    identified_case(monitored, datetime.date(2026, 9, 1))
    make_member(monitored, name="成员", relation="之子")
    today = datetime.date(2026, 11, 20)
    assert monitored in item_queryset("visit_due", world.officer_a, today)
    from shoudi.assistance.models import Visit

    Visit.objects.create(
        household=monitored, visited_on=datetime.date(2026, 11, 3), kind="入户", visitor="x", content="走访"
    )
    assert monitored not in item_queryset("visit_due", world.officer_a, today)
    # in December it is due again, but not overdue: November had its visit
    assert monitored in item_queryset("visit_due", world.officer_a, datetime.date(2026, 12, 2))
    assert monitored not in item_queryset("visit_overdue", world.officer_a, datetime.date(2026, 12, 2))
    assert monitored in item_queryset("visit_overdue", world.officer_a, datetime.date(2027, 1, 2))


def test_worklist_page_and_per_village_table(world, client_for):
    make_household(world.village_a, household_no="A13", head="脱贫户丙", household_type="脱贫户", lifted_year=2018)
    page = client_for(world.officer_a).get("/assistance/todo/").content.decode()
    assert "未落实帮扶干部" in page and "/registry/households/?todo=no_cadre" in page and "分村统计" not in page
    county = client_for(world.admin).get("/assistance/todo/?sort=-no_cadre").content.decode()
    assert "分村统计" in county and "甲村" in county
    export = client_for(world.admin).get("/assistance/todo/?export=xlsx")
    assert export["Content-Type"].startswith("application/vnd.openxmlformats")


def test_todo_link_lists_the_households(world, client_for):
    make_household(world.village_a, household_no="A14", head="脱贫户丁", household_type="脱贫户", lifted_year=2018)
    make_household(world.village_a, household_no="A15", head="普通户")
    html = client_for(world.officer_a).get("/registry/households/?todo=no_cadre").content.decode()
    listed = html[html.index('id="object-list"') :]
    assert "A14" in listed and "A15" not in listed


def test_badge_shows_the_count(world, client_for):
    make_household(world.village_a, household_no="A16", head="脱贫户戊", household_type="脱贫户", lifted_year=2018)
    html = client_for(world.officer_a).get("/").content.decode()
    assert 'id="todo-badge">' in html and 'id="todo-badge">0<' not in html


def test_bulk_assign(area, client_for):
    world, cadre_user, cadre, other, mine, theirs, b = area
    extra = make_household(world.village_a, household_no="A3", head="丁户", household_type="脱贫户", lifted_year=2019)
    response = client_for(world.officer_a).post(
        "/assistance/pairings/bulk/?todo=no_cadre", {"household": [extra.pk], "cadre": cadre.pk}, follow=True
    )
    assert "已为 1 户落实帮扶干部" in response.content.decode()
    assert Pairing.objects.get(household=extra, end_date__isnull=True).cadre == cadre


def test_cadre_import(world, client_for, tmp_path, settings):
    import xlsxwriter

    path = tmp_path / "cadres.xlsx"
    book = xlsxwriter.Workbook(str(path))
    sheet = book.add_worksheet()
    for r, row in enumerate(
        [
            ["帮扶干部名册"],
            ["姓名", "后盾单位", "职务", "联系电话", "区划代码"],
            ["张帮扶", "县财政局", "副局长", "13800138000", "520102001001"],
            ["李帮扶", "县医保局", "科员", "12345", "520103001001"],
        ]
    ):
        for c, value in enumerate(row):
            sheet.write_string(r, c, value)
    book.close()
    client = client_for(world.admin)
    html = post_cadre_file(client, path, settings)
    assert "第 4 行" in html and "联系电话“12345”格式不正确" in html and "不在您的管辖范围内" in html
    assert not Cadre.objects.exists()
    book = xlsxwriter.Workbook(str(path))
    sheet = book.add_worksheet()
    rows = [["姓名", "后盾单位", "职务", "联系电话"], ["张帮扶", "县财政局", "副局长", "13800138000"]]
    for r, row in enumerate(rows):
        for c, value in enumerate(row):
            sheet.write_string(r, c, value)
    book.close()
    assert "帮扶干部已导入：新增 1" in post_cadre_file(client, path, settings)
    assert Cadre.objects.get().region == world.county
    assert client_for(world.officer_a).get("/assistance/cadres/import/").status_code == 403


def test_measure_suggestions_follow_need(world, client_for):
    home = make_household(world.village_a, household_no="A20", head="病户")
    home.members.update(labour_skill="弱劳动力或半劳动力")
    identified_case(home, datetime.date(2026, 5, 1))
    html = client_for(world.officer_a).get(f"/registry/households/{home.pk}/").content.decode()
    section = html[html.index('id="suggestions"') :]
    assert "健康帮扶·医疗救助" in section and "公益岗位帮扶·公益性岗位" in section
    assert not Measure.objects.exists()  # never applied automatically


def test_measure_form_checks_the_sub_item(world, client_for):
    home = make_household(world.village_a, household_no="A21", head="户")
    response = client_for(world.officer_a).post(
        "/assistance/measures/add/",
        {"household": home.pk, "category": "金融帮扶", "sub_item": "种植业", "content": "x", "status": "计划"},
    )
    assert "「金融帮扶」的具体项目应为" in response.content.decode()


def test_handbook_prints_the_household(area, client_for):
    world, cadre_user, cadre, other, mine, *_ = area
    html = client_for(world.officer_a).get(f"/assistance/households/{mine.pk}/handbook/").content.decode()
    assert "结对帮扶手册" in html and "帮扶干部甲" in html and "县农业农村局" in html


def test_national_measures_become_implemented_measures_once(world):
    from shoudi.assistance.national import IMPORTED, measures_from_national

    household = make_household(world.village_a, household_no="NM1")
    household.national_data = {
        "measure_industry": "种植业，养殖业",
        "measure_health": "医疗救助",
        "measure_housing": "否",
        "measure_water": "",
    }
    household.save()
    other = make_household(world.village_a, household_no="NM2")
    assert measures_from_national(household_ids=[household.pk, other.pk]) == 3
    rows = sorted(Measure.objects.filter(household=household).values_list("category", "sub_item", "content", "status"))
    assert rows == [
        ("产业帮扶", "养殖业", IMPORTED, "已落实"),
        ("产业帮扶", "种植业", IMPORTED, "已落实"),
        ("健康帮扶", "医疗救助", IMPORTED, "已落实"),
    ]
    assert all(m.created_at is not None for m in Measure.objects.filter(household=household))
    assert not Measure.objects.filter(household=other).exists()
    # the next import of the same file adds nothing; a new item is added alone
    assert measures_from_national(household_ids=[household.pk]) == 0
    household.national_data["measure_employment"] = "外出务工"
    household.save()
    assert measures_from_national(household_ids=[household.pk]) == 1
    assert Measure.objects.filter(household=household).count() == 4


def post_cadre_file(client, path, settings):
    """Upload the file; the import job runs when the request commits (django-tasks' ImmediateBackend); returns the
    import's page."""
    from django.test import TestCase

    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    with path.open("rb") as fh, TestCase.captureOnCommitCallbacks(execute=True):
        response = client.post("/assistance/cadres/import/", {"file": fh})
    assert response.status_code == 302
    return client.get(response.url).content.decode()
