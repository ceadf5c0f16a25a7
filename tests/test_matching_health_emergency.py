"""卫健 (慢病签约) and 应急管理 (受灾人员) lists: crafted registries, the exact findings, the clue's risk."""

import datetime

import pytest

from shoudi.matching import services
from shoudi.matching.models import Finding
from shoudi.matching.testing import findings_of, run_list
from shoudi.monitoring.models import MonitoringCase
from shoudi.registry.testing import make_household, make_member

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "files"


def head_of(household):
    return household.members.get(relation="户主")


def monitored(household):
    return MonitoringCase.objects.create(
        household=household,
        category="边缘易致贫户",
        identified_on=datetime.date(2024, 3, 1),
        step="monitoring",
        is_open=True,
    )


def figures(run, rule, id_number) -> dict:
    return {str(k): str(v) for k, v in Finding.objects.get(run=run, rule=rule, id_number=id_number).figures}


# --- 卫健 ---------------------------------------------------------------------------------------------------------

HEALTH_HEADERS = ["序号", "姓名", "证件号码", "病种", "是否签约", "本年度服务次数"]


@pytest.fixture
def patients(world):
    lifted = make_household(world.village_a, household_no="H1", head="张三", household_type="脱贫户")
    p = {"three": head_of(lifted)}
    for key, name in (("four", "张四"), ("unsigned", "张五"), ("heart", "张六"), ("blank", "张七"), ("tb", "张八")):
        p[key] = make_member(lifted, name=name, relation="之子", birth="19800101")
    watched = make_household(world.village_a2, household_no="H2", head="李大", household_type="一般农户")
    monitored(watched)
    p["monitored"] = head_of(watched)
    ordinary = make_household(world.village_a, household_no="H3", head="王大", household_type="一般农户")
    p["ordinary"] = head_of(ordinary)
    p["ordinary_unsigned"] = make_member(ordinary, name="王二", relation="之子", birth="19800101")
    return p


def health_rows(p):
    return [
        [1, "张三", p["three"].id_number, "高血压", "已签约", 3],  # 3 services: one short of 4
        [2, "张四", p["four"].id_number, "2型糖尿病", "是", 4],  # 4: enough
        [3, "张五", p["unsigned"].id_number, "严重精神障碍", "未签约", 0],
        [4, "张六", p["heart"].id_number, "冠心病", "否", 0],  # not one of the four diseases
        [5, "张七", p["blank"].id_number, "高血压", "已签约", ""],  # count unknown: no finding on the count
        [6, "张八", p["tb"].id_number, "肺结核", "签约", 2],
        [7, "李大", p["monitored"].id_number, "糖尿病", "已签约", 1],  # a 监测 person counts too
        [8, "王大", p["ordinary"].id_number, "高血压", "已签约", 1],  # an ordinary household: not 脱贫/监测
        [9, "王二", p["ordinary_unsigned"].id_number, "糖尿病", "未签约", 0],
    ]


@pytest.mark.parametrize("name", ["list.xlsx", "list.csv"])  # a CSV takes fastload's COPY on PostgreSQL
def test_health_findings_four_services_a_year(world, tmp_path, patients, name):
    p = patients
    run = run_list(tmp_path, "health", HEALTH_HEADERS, health_rows(p), user=world.admin, name=name)
    assert findings_of(run) == {
        ("chronic_few_services", p["three"].id_number),
        ("chronic_not_signed", p["unsigned"].id_number),
        ("chronic_few_services", p["tb"].id_number),
        ("chronic_few_services", p["monitored"].id_number),
    }
    assert figures(run, "chronic_few_services", p["three"].id_number) == {
        "病种": "高血压",
        "本年度服务次数": "3",
        "应服务次数": "4",
    }
    assert figures(run, "chronic_not_signed", p["unsigned"].id_number) == {"病种": "严重精神障碍", "签约情况": "未签约"}
    assert figures(run, "chronic_few_services", p["tb"].id_number)["病种"] == "结核病"


def test_health_unknown_disease_is_kept_and_reported(world, tmp_path, patients):
    p = patients
    run = run_list(tmp_path, "health", HEALTH_HEADERS, health_rows(p), user=world.admin)
    assert run.list.rows_loaded == 9  # nobody refused
    messages = [issue["message"] for issue in run.list.issues]
    assert any("冠心病" in m and "已按原样载入" in m for m in messages)
    from shoudi.matching.models import ListRow

    assert ListRow.objects.get(list=run.list, id_number=p["heart"].id_number).category == "冠心病"


def test_health_a_list_without_signing_column_counts_everyone_signed(world, tmp_path, patients):
    p = patients
    rows = [[p["three"].id_number, "张三", "高血压", 4], [p["four"].id_number, "张四", "糖尿病", 3]]
    run = run_list(tmp_path, "health", ["身份证号", "姓名", "慢病病种", "服务次数"], rows, user=world.admin)
    assert findings_of(run) == {("chronic_few_services", p["four"].id_number)}


# --- 应急管理 -----------------------------------------------------------------------------------------------------

EMERGENCY_HEADERS = ["姓名", "证件号码", "受灾类型", "受灾日期", "损失金额"]


@pytest.fixture
def affected(world):
    flood = make_household(world.village_a, household_no="E1", head="陈一", household_type="一般农户")
    fire = make_household(world.village_a, household_no="E2", head="陈二", household_type="脱贫户")
    odd = make_household(world.village_a, household_no="E3", head="陈三", household_type="一般农户")
    p = {"flood": head_of(flood), "fire": head_of(fire), "odd": head_of(odd)}
    p["flood_son"] = make_member(flood, name="陈小一", relation="之子", birth="20000101")
    p["dead"] = make_member(odd, name="陈老三", relation="之父", birth="19400101", status="死亡")
    make_household(world.village_a, household_no="E4", head="陈四")  # not on the list: no finding
    return p


def emergency_rows(p):
    return [
        ["陈一", p["flood"].id_number, "洪涝", "2025-06-20", 30000],
        ["陈小一", p["flood_son"].id_number, "洪涝", "2025-06-20", ""],  # same household: one finding
        ["陈二", p["fire"].id_number, "房屋火灾", "2025-05-02", 80000],
        ["陈三", p["odd"].id_number, "冰凌", "2025-01-10", 2000],  # a type nobody knows
        ["陈老三", p["dead"].id_number, "洪涝", "2025-06-20", ""],  # dead in the registry: no finding
    ]


def test_emergency_one_finding_per_household_with_the_risk(world, tmp_path, affected):
    p = affected
    run = run_list(tmp_path, "emergency", EMERGENCY_HEADERS, emergency_rows(p), user=world.admin)
    assert findings_of(run) == {
        ("disaster_affected", p["flood"].id_number),
        ("disaster_affected", p["fire"].id_number),
        ("disaster_affected", p["odd"].id_number),
    }
    assert figures(run, "disaster_affected", p["flood"].id_number) == {
        "致贫/返贫风险": "因自然灾害(洪涝)",
        "受灾类型": "因自然灾害(洪涝)",
        "受灾日期": "2025-06-20",
        "损失金额": "30000.00",
        "户内名单人数": "2",
    }
    assert figures(run, "disaster_affected", p["fire"].id_number)["致贫/返贫风险"] == "因意外事故"
    odd = figures(run, "disaster_affected", p["odd"].id_number)
    assert (odd["致贫/返贫风险"], odd["受灾类型"]) == ("因自然灾害", "冰凌")  # kept as written, default risk
    assert any("冰凌" in issue["message"] for issue in run.list.issues)


@pytest.mark.parametrize(("who", "risk"), [("flood", "因自然灾害"), ("fire", "因意外事故"), ("odd", "因自然灾害")])
def test_emergency_clue_opens_with_the_risk(world, tmp_path, affected, who, risk):
    p = affected
    run = run_list(tmp_path, "emergency", EMERGENCY_HEADERS, emergency_rows(p), user=world.admin)
    finding = Finding.objects.get(run=run, id_number=p[who].id_number)
    finding = services.verify_finding(finding=finding, user=world.officer_a, confirmed=True, note="入户看过")
    finding = services.resolve_finding(finding=finding, user=world.officer_a, action="clue")
    case = MonitoringCase.objects.get(household=p[who].household, is_open=True)
    assert finding.case == case
    assert case.risk_types == [risk]
    assert case.source == "部门筛查预警"


def test_other_sources_open_clues_without_a_risk(world, tmp_path):
    home = make_household(world.village_a, household_no="M1", head="周一", household_type="脱贫户")
    rows = [["周一", head_of(home).id_number, "参保", 50000]]
    run = run_list(tmp_path, "medical_insurance", ["姓名", "证件号码", "参保状态", "合规自付费用"], rows)
    finding = Finding.objects.get(run=run, rule="high_medical")
    finding = services.verify_finding(finding=finding, user=world.officer_a, confirmed=True, note="住院")
    services.resolve_finding(finding=finding, user=world.officer_a, action="clue")
    assert MonitoringCase.objects.get(household=home, is_open=True).risk_types == []
