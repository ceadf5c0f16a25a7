"""一户一画像 (S004 (二)二): a 民政 finding about 新申请低保 / 分散供养特困 / 低保边缘 is not closed without a clue
before the household has its portrait; the portrait's checklist, its page (members, income trend) and its printed
sheet."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from shoudi.assistance import choices as ac
from shoudi.assistance.models import Portrait
from shoudi.assistance.portraits import create_portrait
from shoudi.core.models import AccessLog, ObjectChange
from shoudi.matching import services as matching
from shoudi.matching.models import Finding
from shoudi.matching.testing import run_list
from shoudi.monitoring.models import MonitoringCase, MonitoringLine
from shoudi.registry.testing import make_household, make_income, make_member
from tests.test_workcards import RARE_SPOUSE, pdf_text, squash

pytestmark = pytest.mark.django_db

HEADERS = ["姓名", "身份证号", "救助类型", "人员状态", "供养方式"]
LOOKS = {name: f"{label.split('：')[0]}：已入户查看" for name, label in ac.FIVE_LOOKS.items()}
PREVENTS = dict.fromkeys(ac.FIVE_PREVENTS, True)


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "files"


def head_of(household):
    return household.members.get(relation="户主")


def portrait(household, user, **changes):
    kwargs = {
        "household": household,
        "user": user,
        "group": ac.NEW_DIBAO,
        "looks": dict(LOOKS),
        "prevents": dict(PREVENTS),
        "medical_out_of_pocket": Decimal("6800"),
        "schooling_cost": Decimal("3200"),
        "conclusion": "收入稳定，刚性支出可承受，暂无返贫风险",
        **changes,
    }
    return create_portrait(**kwargs)


@pytest.fixture
def roster(world, tmp_path):
    """A 民政 list of four households of village A, none monitored: 低保, 低保边缘, 分散供养特困 and 集中供养特困."""
    homes = {
        "dibao": make_household(world.village_a, household_no="P1", head="周低保"),
        "edge": make_household(world.village_a, household_no="P2", head="吴边缘"),
        "dispersed": make_household(world.village_a, household_no="P3", head="郑分散"),
        "centralised": make_household(world.village_a, household_no="P4", head="王集中"),
    }
    rows = [
        ["周低保", head_of(homes["dibao"]).id_number, "农村低保", "正常", ""],
        ["吴边缘", head_of(homes["edge"]).id_number, "低保边缘家庭", "", ""],
        ["郑分散", head_of(homes["dispersed"]).id_number, "特困人员", "", "分散供养"],
        ["王集中", head_of(homes["centralised"]).id_number, "特困人员", "", "集中供养"],
    ]
    run = run_list(tmp_path, "civil_affairs", HEADERS, rows, user=world.admin)
    findings = {
        key: Finding.objects.get(run=run, rule="welfare_not_monitored", household=home) for key, home in homes.items()
    }
    return homes, findings


def confirm(finding, user):
    matching.verify_finding(finding=finding, user=user, confirmed=True, note="入户核实属实")
    finding.refresh_from_db()
    return finding


def test_the_group_comes_from_the_list(roster):
    _, findings = roster
    assert {key: matching.portrait_group_of(f) for key, f in findings.items()} == {
        "dibao": "新申请低保",
        "edge": "低保边缘",
        "dispersed": "分散供养特困",
        "centralised": "",  # 集中供养 is none of the three groups
    }


def test_a_finding_is_not_closed_without_a_clue_before_the_portrait(world, roster):
    homes, findings = roster
    finding = confirm(findings["dibao"], world.officer_a)
    with pytest.raises(matching.FindingRefused, match="新申请低保群体，须先完成“一户一画像”"):
        matching.resolve_finding(finding=finding, user=world.officer_a, action="registry", note="已核实享受低保")
    finding.refresh_from_db()
    assert finding.status == "属实" and finding.action == ""
    made = portrait(homes["dibao"], world.officer_a)
    assert ObjectChange.objects.filter(object_id=str(made.pk), content_type__model="portrait", action="create").exists()
    done = matching.resolve_finding(finding=finding, user=world.officer_a, action="registry", note="已核实享受低保")
    assert done.status == "已处理" and done.action == "registry"


def test_not_true_is_refused_too_until_the_portrait(world, roster):
    homes, findings = roster
    with pytest.raises(matching.FindingRefused, match=r"低保边缘群体.*才能核实为不属实"):
        matching.verify_finding(finding=findings["edge"], user=world.officer_a, confirmed=False, note="不是本户")
    assert Finding.objects.get(pk=findings["edge"].pk).status == "待核实"
    portrait(homes["edge"], world.officer_a, group=ac.DIBAO_EDGE)
    matching.verify_finding(finding=findings["edge"], user=world.officer_a, confirmed=False, note="不是本户")
    assert Finding.objects.get(pk=findings["edge"].pk).status == "不属实"


def test_a_clue_needs_no_portrait_and_centralised_tekun_is_not_guarded(world, roster):
    homes, findings = roster
    clue = matching.resolve_finding(
        finding=confirm(findings["dispersed"], world.officer_a), user=world.officer_a, action="clue"
    )
    assert clue.case is not None and MonitoringCase.objects.filter(household=homes["dispersed"]).exists()
    centralised = confirm(findings["centralised"], world.officer_a)
    done = matching.resolve_finding(finding=centralised, user=world.officer_a, action="registry", note="集中供养")
    assert done.status == "已处理" and not Portrait.objects.exists()


def test_the_checklist_must_be_complete(world):
    household = make_household(world.village_a, household_no="P9", head="冯四")
    looks = {**LOOKS, "look_students": " "}
    prevents = {**PREVENTS, "prevent_dibao_instead": False}
    with pytest.raises(ValidationError) as refused:
        portrait(household, world.officer_a, looks=looks, prevents=prevents)
    message = refused.value.messages[0]
    assert "五看五防止" in message and "四看读书郎" in message and "防止以纳入低保代替监测" in message
    with pytest.raises(ValidationError, match="画像结论"):
        portrait(household, world.officer_a, conclusion="  ")
    assert not Portrait.objects.exists()


def test_scope_refusals(world, client_for, client):
    household = make_household(world.village_a, household_no="P8", head="褚六")
    with pytest.raises(PermissionDenied):
        portrait(household, world.officer_b)
    made = portrait(household, world.officer_a)
    for url in (f"/assistance/households/{household.pk}/portrait/", f"/ledgers/cards/portrait/{made.pk}/"):
        client.logout()
        assert client.get(url).status_code == 302  # to the login page
        assert client_for(world.officer_b).get(url).status_code == 404
        assert client_for(world.officer_a).get(url).status_code == 200


def test_the_page_shows_members_income_trend_and_the_checklist(world, client_for):
    household = make_household(world.village_a, household_no="P7", head="陈五")
    make_member(household, name=RARE_SPOUSE, relation="配偶", male=False, labour_skill="普通劳动力")
    make_income(household, 2024, size=2, wage=24000)
    make_income(household, 2025, size=2, wage=18000, transfer=1000)
    MonitoringLine.objects.create(year=datetime.date.today().year, amount=Decimal("8000"))
    page = client_for(world.officer_a).get(f"/assistance/households/{household.pk}/portrait/").content.decode()
    assert "陈五" in page and RARE_SPOUSE in page and "普通劳动力 1人" in page
    assert "12000.00" in page and "9500.00" in page and "下降（-2500.00）" in page
    assert "低保不能替代防返贫监测" in page and "尚未画像" in page
    assert f"{datetime.date.today().year}年监测线：8000.00 元/人·年" in page and "不低于监测线" in page
    portrait(household, world.officer_a, at_risk=True, conclusion="收入下降，医疗支出大，建议纳入监测")
    page = client_for(world.officer_a).get(f"/assistance/households/{household.pk}/portrait/").content.decode()
    assert "一看房：住房是否安全" in page and "建议纳入监测" in page and "6800.00" in page
    assert "存在返贫致贫风险" in page
    detail = client_for(world.officer_a).get(household.get_absolute_url()).content.decode()
    assert f"/assistance/households/{household.pk}/portrait/" in detail and "最近画像" in detail


def test_the_pdf_carries_the_names_rare_characters_included(world, client_for, tmp_path):
    household = make_household(world.village_a, household_no="P6", head="陈𠮷")
    make_member(household, name=RARE_SPOUSE, relation="配偶", male=False)
    made = portrait(household, world.officer_a)
    response = client_for(world.officer_a).get(f"/ledgers/cards/portrait/{made.pk}/?format=pdf")
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    text = squash("".join(pdf_text(response.content, tmp_path)))
    assert "陈𠮷" in text and RARE_SPOUSE in text and "一户一画像" in text and "五看五防止" in text
    assert AccessLog.objects.filter(user=world.officer_a, detail__contains="打印一户一画像").exists()


def test_the_finding_page_says_a_portrait_is_needed(world, roster, client_for):
    homes, findings = roster
    client = client_for(world.officer_a)
    page = client.get(findings["dibao"].get_absolute_url()).content.decode()
    assert "该户属于新申请低保群体：须先完成“一户一画像”" in page
    assert f"/assistance/households/{homes['dibao'].pk}/portrait/" in page
    response = client.post(
        f"{findings['dibao'].get_absolute_url()}verify/", {"result": "不属实", "note": "核实不符"}, follow=True
    )
    assert "须先完成“一户一画像”（全面分析收入" in response.content.decode()
    assert Finding.objects.get(pk=findings["dibao"].pk).status == "待核实"
    portrait(homes["dibao"], world.officer_a)
    assert "已完成“一户一画像”" in client.get(findings["dibao"].get_absolute_url()).content.decode()
    assert "须先完成" not in client.get(findings["centralised"].get_absolute_url()).content.decode()
