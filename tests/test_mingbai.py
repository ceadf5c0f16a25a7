"""收入及政策享受明白卡: the year's income items with 家庭纯收入/人均纯收入 computed, the policies and amounts the
household receives (measures of the year with amounts, 低保/特困 from the members), its cadre; page, PDF, scope."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.utils import timezone

from shoudi.assistance.models import Cadre, Measure, Pairing
from shoudi.cards.workcards import mingbai_card
from shoudi.core.models import AccessLog
from shoudi.monitoring.models import MonitoringLine
from shoudi.registry.testing import make_household, make_income, make_member
from tests.test_workcards import RARE_HEAD, RARE_SPOUSE, pdf_fonts, pdf_text, squash


@pytest.fixture
def family(world):
    household = make_household(
        world.village_a,
        household_no="M001",
        head=RARE_HEAD,
        phone="13812345678",
        address="甲村一组8号",
        household_type="脱贫户",
        lifted_year=2019,
    )
    make_member(household, name=RARE_SPOUSE, relation="配偶", male=False, dibao="农村低保")
    make_member(household, name="王父", relation="之父", birth="19400101", tekun="农村特困")
    make_member(household, name="王子", relation="之子", birth="20100101", dibao="未享受", tekun="不享受")
    make_income(
        household, 2025, size=4, wage=20000, business=8000, property_income=500, transfer=3000, business_cost=2000
    )
    make_income(household, 2024, size=4, wage=10000)
    MonitoringLine.objects.create(year=2025, amount=Decimal("8000"))
    cadre = Cadre.objects.create(
        name="李帮扶", unit="测试县农业农村局", position="副局长", phone="13900001111", region=world.county
    )
    Pairing.objects.create(household=household, cadre=cadre, start_date=datetime.date(2024, 1, 1))
    measures = [
        ("产业帮扶", "产业奖补", "养牛奖补", "2000", "已落实", datetime.date(2025, 3, 1), datetime.date(2025, 5, 10)),
        ("健康帮扶", "医疗救助", "住院医疗救助", "3500.50", "实施中", datetime.date(2025, 8, 1), None),
        ("就业帮扶", "外出务工补贴", "交通补助", "500", "已落实", datetime.date(2024, 2, 1), datetime.date(2024, 3, 1)),
        ("金融帮扶", "小额信贷", "小额信贷5万元", "50000", "终止", datetime.date(2025, 2, 1), None),
        ("公益岗位帮扶", "公益性岗位", "护林员", None, "已落实", datetime.date(2025, 1, 1), datetime.date(2025, 1, 5)),
    ]
    for category, item, content, amount, status, planned, done in measures:
        Measure.objects.create(
            household=household,
            category=category,
            sub_item=item,
            content=content,
            amount=Decimal(amount) if amount else None,
            status=status,
            planned_on=planned,
            implemented_on=done,
        )
    return world, household


def test_card_of_the_latest_year(family):
    world, household = family
    card = mingbai_card(household, user=world.officer_a)
    assert card.year == 2025 and card.county == "测试县" and card.head_name == RARE_HEAD
    assert card.income_items == [
        ("工资性收入", Decimal("20000.00")),
        ("生产经营性收入", Decimal("8000.00")),
        ("财产性收入", Decimal("500.00")),
        ("转移性收入", Decimal("3000.00")),
        ("生产经营性支出", Decimal("2000.00")),
    ]
    assert (card.net_income, card.per_capita, card.line, card.below_line) == (
        Decimal("29500.00"),
        Decimal("7375.00"),
        Decimal("8000.00"),
        True,
    )
    assert [(p.category, p.item, p.amount) for p in card.policies] == [
        ("产业帮扶", "产业奖补", Decimal("2000.00")),
        ("健康帮扶", "医疗救助", Decimal("3500.50")),  # not yet 落实: dated by its plan
        ("综合保障", "农村低保", None),
        ("综合保障", "农村特困", None),
    ]
    assert card.policies[2].detail == f"享受人员：{RARE_SPOUSE}" and card.policies[3].detail == "享受人员：王父"
    assert card.policy_total == Decimal("5500.50")
    assert (card.cadre_name, card.cadre_unit, card.cadre_phone) == ("李帮扶", "测试县农业农村局 副局长", "13900001111")


def test_print_page_for_a_chosen_year(family, client_for):
    world, household = family
    client = client_for(world.officer_a)
    html = client.get(f"/ledgers/cards/mingbai/{household.pk}/").content.decode()
    assert 'class="card mingbai"' in html and "测试县收入及政策享受明白卡" in html and "（2025年度）" in html
    for text in (
        "29500.00",
        "7375.00",
        "家庭纯收入÷4人",
        "2025年监测线8000元，低于监测线",
        "养牛奖补",
        "3500.50",
        f"享受人员：{RARE_SPOUSE}",
        "5500.50",
        "李帮扶",
        "13900001111",
        "13812345678",
        "户主（签字）",
    ):
        assert text in html, text
    assert "交通补助" not in html and "小额信贷" not in html and "护林员" not in html
    assert 'href="?year=2024"' in html and "year=2025&amp;format=pdf" in html

    html = client.get(f"/ledgers/cards/mingbai/{household.pk}/?year=2024").content.decode()
    assert "（2024年度）" in html and "10000.00" in html and "2500.00" in html and "交通补助" in html
    assert "养牛奖补" not in html and "监测线" not in html  # no line set for 2024

    html = client.get(f"/ledgers/cards/mingbai/{household.pk}/?year=2023").content.decode()
    assert "2023年度暂无收入数据" in html
    assert client.get(f"/ledgers/cards/mingbai/{household.pk}/?year=abc").status_code == 404
    assert [a.detail for a in AccessLog.objects.order_by("pk")] == [
        "打印2025年收入及政策享受明白卡",
        "打印2024年收入及政策享受明白卡",
        "打印2023年收入及政策享受明白卡",
    ]


def test_pdf_holds_the_figures_and_the_rare_names(family, client_for, tmp_path):
    world, household = family
    response = client_for(world.officer_a).get(f"/ledgers/cards/mingbai/{household.pk}/?format=pdf")
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert "M001-2025" in response["Content-Disposition"]
    (page,) = pdf_text(response.content, tmp_path)
    text = squash(page)
    for expected in (
        "测试县收入及政策享受明白卡",
        "（2025年度）",
        RARE_HEAD,
        RARE_SPOUSE,
        "29500.00",
        "7375.00",
        "产业奖补",
        "5500.50",
        "李帮扶",
        "13900001111",
    ):
        assert expected in text, expected
    assert all(f["emb"] == "yes" for f in pdf_fonts(response.content, tmp_path))
    assert AccessLog.objects.get().detail == "打印2025年收入及政策享受明白卡（PDF）"


def test_scope_and_masking(family, client, client_for):
    world, household = family
    url = f"/ledgers/cards/mingbai/{household.pk}/"
    assert client.get(url).status_code == 302
    assert client_for(world.officer_b).get(url).status_code == 404
    assert client_for(world.officer_b).get(url + "?format=pdf").status_code == 404
    html = client_for(world.inspector).get(url).content.decode()
    assert "138****5678" in html and "13812345678" not in html
    assert not AccessLog.objects.filter(user=world.officer_b).exists()


def test_a_household_without_incomes_or_cadre(world, client_for):
    household = make_household(world.village_a, household_no="M002", head="钱空")
    html = client_for(world.officer_a).get(f"/ledgers/cards/mingbai/{household.pk}/").content.decode()
    year = timezone.localdate().year
    assert f"（{year}年度）" in html and f"{year}年度暂无收入数据" in html
    assert f"{year}年度暂无享受政策记录" in html and "未落实" in html
