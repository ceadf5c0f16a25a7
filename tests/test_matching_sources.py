"""Department sources: each with a crafted registry and list, asserting the exact findings (rule, person)."""

import datetime
from decimal import Decimal

import pytest

from shoudi.matching.models import Finding, MatchingSettings
from shoudi.matching.sources import department_choices, get_source
from shoudi.matching.testing import accept_any_coverage, findings_of, run_list
from shoudi.monitoring.models import MonitoringCase, MonitoringSettings
from shoudi.registry.testing import make_household, make_id_number, make_member

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "files"


def member(household, name, *, birth="19800101", relation="之子", **fields):
    return make_member(household, name=name, relation=relation, birth=birth, **fields)


def head_of(household):
    return household.members.get(relation="户主")


def identified(household, *, is_open=True, eliminated=False):
    """A household identified as 监测对象 (open, or eliminated and closed)."""
    return MonitoringCase.objects.create(
        household=household,
        category="边缘易致贫户",
        identified_on=datetime.date(2024, 3, 1),
        step="eliminated" if eliminated else "monitoring",
        is_open=is_open and not eliminated,
        eliminated_on=datetime.date(2024, 12, 1) if eliminated else None,
    )


def figures(run, rule, id_number) -> dict:
    """The figures as the run stored them (pages show a birth date by its year: Finding.figure_pairs)."""
    stored = Finding.objects.get(run=run, rule=rule, id_number=id_number).figures
    return {str(k): "" if v is None else str(v) for k, v in stored}


OUTSIDE_ID = "11010519491231002X"  # valid, in nobody's registry


# --- 医保 ---------------------------------------------------------------------------------------------------------


@pytest.fixture
def insured(world):
    """Registry of 测试县: who is 脱贫/监测 and who is not, in and out of the county."""
    lifted = make_household(world.village_a, household_no="A1", head="张三", household_type="脱贫户")
    p = {"head": head_of(lifted)}
    p["child"] = member(lifted, "张小二", birth="20100101")
    p["spouse"] = member(lifted, "李梅", relation="配偶", male=False)
    p["dead"] = member(lifted, "张老汉", relation="之父", birth="19400101", status="死亡")
    ordinary = make_household(world.village_a, household_no="A2", head="王五")
    p["ordinary_head"] = head_of(ordinary)
    p["ordinary_low"] = member(ordinary, "王小一")
    p["ordinary_high"] = member(ordinary, "王小二")
    monitored = make_household(world.village_a2, household_no="A3", head="赵六")
    identified(monitored, eliminated=True)  # an eliminated 监测对象 is still on the base list
    p["monitored_head"] = head_of(monitored)
    p["stopped"] = member(monitored, "赵小七")
    other_township = make_household(world.village_b, household_no="B1", head="钱八", household_type="脱贫户")
    p["village_b"] = head_of(other_township)
    neighbour = make_household(world.other_village, household_no="N1", head="孙九", household_type="脱贫户")
    p["other_county"] = head_of(neighbour)
    return p


MEDICAL_HEADERS = ["序号", "姓名", "公民身份号码", "参保状态", "合规自付费用（元）"]


def medical_rows(p):
    return [
        [1, "张叁", p["head"].id_number, "正常参保", "10000.00"],  # at the 脱贫 line (50 % of 20000): not above
        [2, "张 小二", p["child"].id_number.lower(), "参保", 10000.01],  # spaces in the name are no mismatch
        [3, "王五", p["ordinary_head"].id_number, "参保", ""],
        [4, "王小一", p["ordinary_low"].id_number, "参保", "20000"],  # at the other line (100 %): not above
        [5, "王小二", p["ordinary_high"].id_number, "参保", "20000.01"],
        [6, "赵六", p["monitored_head"].id_number, "参保", "800"],
        [7, "赵小七", p["stopped"].id_number, "停保", ""],
        [8, "孙九", p["other_county"].id_number, "参保", ""],  # another county's person: not in this registry
        [9, "路人甲", OUTSIDE_ID, "参保", "30000"],
    ]


def test_medical_insurance_findings(world, tmp_path, insured):
    accept_any_coverage()  # village B's one person is absent: a list this small would otherwise be held back
    p = insured
    run = run_list(tmp_path, "medical_insurance", MEDICAL_HEADERS, medical_rows(p), user=world.admin)
    assert findings_of(run) == {
        ("not_insured", p["spouse"].id_number),  # 脱贫 and absent
        ("not_insured", p["stopped"].id_number),  # 监测 and 停保
        ("not_insured", p["village_b"].id_number),  # 脱贫 in another township of the county, absent
        ("high_medical", p["child"].id_number),  # 10000.01 > 10000 (脱贫人口)
        ("high_medical", p["ordinary_high"].id_number),  # 20000.01 > 20000 (others)
        ("name_mismatch", p["head"].id_number),  # 张叁 ≠ 张三
    }
    assert run.counts["not_in_registry"]["hits"] == 2  # 孙九 (other county) and 路人甲
    assert figures(run, "high_medical", p["child"].id_number) == {
        "合规自付费用": "10000.01",
        "预警线": "10000.00",
        "人员类别": "脱贫人口",
    }
    assert figures(run, "high_medical", p["ordinary_high"].id_number)["预警线"] == "20000.00"
    assert figures(run, "name_mismatch", p["head"].id_number) == {"名单姓名": "张叁", "系统姓名": "张三"}
    assert figures(run, "not_insured", p["stopped"].id_number) == {"参保名单": "未参保"}
    assert figures(run, "not_insured", p["spouse"].id_number) == {"参保名单": "名单中无此人"}
    finding = Finding.objects.get(run=run, rule="not_insured", id_number=p["village_b"].id_number)
    assert (finding.village, finding.household.household_no, finding.member, finding.period) == (
        world.village_b,
        "B1",
        p["village_b"],
        "2025-05",
    )
    assert finding.status == "待核实" and finding.due_on is not None
    named = Finding.objects.get(run=run, rule="name_mismatch")
    assert named.name == "张叁"  # the name as the list writes it


def test_medical_threshold_is_configuration(world, tmp_path, insured):
    MatchingSettings.objects.create(
        region=world.county, rural_income=Decimal("30000"), medical_lifted_percent=40, medical_other_percent=60
    )
    p = insured
    run = run_list(tmp_path, "medical_insurance", MEDICAL_HEADERS, medical_rows(p), user=world.admin)
    # lines 12000 (40 % of 30000) and 18000 (60 %): the child (10000.01) is below, 王小一 (20000) above
    assert findings_of(run, rule="high_medical") == {
        ("high_medical", p["ordinary_low"].id_number),
        ("high_medical", p["ordinary_high"].id_number),
    }
    assert figures(run, "high_medical", p["ordinary_low"].id_number)["预警线"] == "18000.00"


def test_region_limits_the_registry_side(world, tmp_path, insured):
    p = insured
    run = run_list(tmp_path, "medical_insurance", MEDICAL_HEADERS, medical_rows(p), region_code=world.other_county.code)
    # in the neighbouring county only 孙九 is in the registry, and he is on the list
    assert findings_of(run) == set()
    assert run.counts["not_in_registry"]["hits"] == 8


# --- 民政 ---------------------------------------------------------------------------------------------------------


def test_civil_affairs_findings(world, tmp_path):
    new_dibao = make_household(world.village_a, household_no="C1", head="周一")  # not monitored
    wife = member(new_dibao, "吴二", relation="配偶", male=False)
    monitored = make_household(world.village_a, household_no="C2", head="郑三", household_type="脱贫户")
    identified(monitored)
    tekun = head_of(monitored)
    tekun.tekun = "农村特困"
    tekun.save()
    registry_only = make_household(world.village_a, household_no="C3", head="冯四", household_type="脱贫户")
    identified(registry_only)
    listed_dibao = head_of(registry_only)
    listed_dibao.dibao = "农村低保"
    listed_dibao.save()
    dying = make_household(world.village_a2, household_no="C4", head="陈五", household_type="脱贫户")
    identified(dying)
    dead = head_of(dying)
    dead.dibao = "农村低保"
    dead.save()
    stopped = make_household(world.village_a2, household_no="C5", head="褚六", household_type="脱贫户")
    identified(stopped)
    stopped_head = head_of(stopped)
    stopped_head.dibao = "城市低保"
    stopped_head.save()
    rows = [
        ["周一", head_of(new_dibao).id_number, "农村低保", "", ""],
        ["吴二", wife.id_number, "城乡低保", "正常", ""],
        ["郑三", tekun.id_number, "分散供养特困人员", "", ""],
        ["陈五", dead.id_number, "低保", "死亡", "2025-04-12"],
        ["褚六", stopped_head.id_number, "低保", "停保", ""],
        ["路人乙", OUTSIDE_ID, "低保边缘家庭", "", ""],
    ]
    run = run_list(
        tmp_path, "civil_affairs", ["姓名", "身份证号", "救助类型", "人员状态", "死亡日期"], rows, user=world.admin
    )
    c1 = head_of(new_dibao).id_number
    assert findings_of(run) == {
        ("welfare_not_monitored", c1),  # one per household, on its first listed person
        ("welfare_flag_mismatch", c1),  # 低保 on the list, 未享受 in the registry
        ("welfare_flag_mismatch", wife.id_number),
        ("welfare_flag_mismatch", listed_dibao.id_number),  # 农村低保 in the registry, absent from the list
        ("welfare_flag_mismatch", stopped_head.id_number),  # 城市低保 in the registry, 停保 on the list
        ("deceased", dead.id_number),
    }
    assert run.counts["not_in_registry"]["hits"] == 1
    household_finding = Finding.objects.get(run=run, rule="welfare_not_monitored")
    assert household_finding.subject == "H:C1" and household_finding.household == new_dibao
    assert dict(household_finding.figure_pairs) == {"救助类型": "低保", "户内名单人数": "2"}
    assert figures(run, "deceased", dead.id_number) == {"人员状态": "死亡", "死亡日期": "2025-04-12"}
    assert figures(run, "welfare_flag_mismatch", listed_dibao.id_number) == {
        "民政名单": "名单中无此人",
        "系统低保": "农村低保",
        "系统特困": "未填写",
    }
    assert figures(run, "welfare_flag_mismatch", stopped_head.id_number)["民政名单"] == "停保"


# --- 残联 ---------------------------------------------------------------------------------------------------------


def test_disabled_federation_findings(world, tmp_path):
    home = make_household(world.village_a, household_no="D1", head="残一", household_type="脱贫户")
    missing = head_of(home)
    differs = member(home, "残二", disability_category="4", disability_grade="3", health="残疾")
    same = member(home, "残三", disability_category="4", disability_grade="2", health="残疾")
    by_columns = member(home, "残四")
    rows = [
        ["残一", missing.id_number, missing.id_number + "42", "", ""],
        ["残二", differs.id_number, differs.id_number + "42", "", ""],
        ["残三", same.id_number, same.id_number + "42", "", ""],
        ["残四", by_columns.id_number, "", "视力残疾", "一级"],
    ]
    run = run_list(
        tmp_path,
        "disabled_federation",
        ["姓名", "证件号码", "残疾人证号", "残疾类别", "残疾等级"],
        rows,
        user=world.admin,
    )
    assert findings_of(run) == {
        ("disability_missing", missing.id_number),
        ("disability_missing", by_columns.id_number),
        ("disability_differs", differs.id_number),
    }
    assert figures(run, "disability_missing", missing.id_number) == {"证载残疾类别": "肢体", "证载残疾等级": "二级"}
    assert figures(run, "disability_missing", by_columns.id_number) == {"证载残疾类别": "视力", "证载残疾等级": "一级"}
    assert figures(run, "disability_differs", differs.id_number) == {
        "证载残疾类别": "肢体",
        "证载残疾等级": "二级",
        "系统残疾类别": "肢体",
        "系统残疾等级": "三级",
    }


def test_a_list_of_certificate_numbers_alone_is_read(world, tmp_path):
    home = make_household(world.village_a, household_no="D2", head="残五", household_type="脱贫户")
    person = head_of(home)
    run = run_list(
        tmp_path,
        "disabled_federation",
        ["残疾人姓名", "残疾人证号"],
        [["残五", person.id_number + "51"]],
        user=world.admin,
    )
    assert findings_of(run) == {("disability_missing", person.id_number)}
    assert figures(run, "disability_missing", person.id_number)["证载残疾类别"] == "智力"


# --- 教育 ---------------------------------------------------------------------------------------------------------


def test_education_age_boundaries_at_the_period(world, tmp_path):
    # 2025-05 lies in the school year that began on 1 September 2024: the age on 31 August 2024 counts
    home = make_household(world.village_a, household_no="E1", head="学一", household_type="脱贫户")
    six = member(home, "满六岁", birth="20180831")  # 6 on 2024-08-31
    five = member(home, "九月生", birth="20180901")  # 5 on 2024-08-31: school from September 2025
    sixteen = member(home, "十六岁", birth="20070901")  # 16 on 2024-08-31 (17 in the period itself)
    member(home, "十七岁", birth="20070831")
    enrolled = member(home, "在读生", birth="20120303")
    dropped = member(home, "辍学生", birth="20130101")
    member(home, "已故", birth="20140101", status="死亡")
    ordinary = make_household(world.village_a, household_no="E2", head="学二")
    member(ordinary, "一般户孩子", birth="20150101")  # not 脱贫/监测: not on the base list
    rows = [["在读生", enrolled.id_number, "在读", "县一中"], ["辍学生", dropped.id_number, "辍学", ""]]
    headers = ["学生姓名", "身份证号", "学籍状态", "学校名称"]
    run = run_list(tmp_path, "education", headers, rows, period="2025-05", user=world.admin)
    assert findings_of(run) == {
        ("school_age_not_enrolled", six.id_number),
        ("school_age_not_enrolled", sixteen.id_number),
        ("school_age_not_enrolled", dropped.id_number),
    }
    assert figures(run, "school_age_not_enrolled", six.id_number) == {
        "出生日期": "2018-08-31",
        "比对期年龄": "6",
        "学年年龄": "6",
        "学籍情况": "学籍名单中无此人",
    }
    sixteen_figures = figures(run, "school_age_not_enrolled", sixteen.id_number)
    assert (sixteen_figures["比对期年龄"], sixteen_figures["学年年龄"]) == ("17", "16")
    assert figures(run, "school_age_not_enrolled", dropped.id_number)["学籍情况"] == "辍学"
    # in August the school year is the same; in September the next one begins and the boundaries move a year
    august = run_list(tmp_path, "education", headers, rows, period="2025-08", user=world.admin, name="aug.xlsx")
    assert findings_of(august) == findings_of(run)
    september = run_list(tmp_path, "education", headers, rows, period="2025-09", user=world.admin, name="sep.xlsx")
    assert findings_of(september) == {
        ("school_age_not_enrolled", six.id_number),
        ("school_age_not_enrolled", five.id_number),
        ("school_age_not_enrolled", dropped.id_number),
    }
    assert figures(september, "school_age_not_enrolled", five.id_number)["学年年龄"] == "6"


def test_school_ages_are_configuration(world, tmp_path):
    MonitoringSettings.objects.create(region=world.county, school_age_min=7, school_age_max=15)
    home = make_household(world.village_a, household_no="E3", head="学三", household_type="脱贫户")
    six = member(home, "六岁", birth="20180101")  # 6 on 2024-08-31, the cut-off of period 2025-05
    fifteen = member(home, "十五岁", birth="20090101")
    member(home, "十六岁", birth="20080101")
    accept_any_coverage()  # none of the school-age children is on this one-row list
    run = run_list(tmp_path, "education", ["姓名", "证件号码"], [["学三", head_of(home).id_number]], user=world.admin)
    assert findings_of(run) == {("school_age_not_enrolled", fifteen.id_number)}
    assert six.id_number not in {i for _, i in findings_of(run)}


# --- 住建 ---------------------------------------------------------------------------------------------------------


def test_housing_findings_one_per_household(world, tmp_path):
    unsafe = make_household(
        world.village_a, household_no="F1", head="房一", household_type="脱贫户", housing_secure=True
    )
    wife = member(unsafe, "房一妻", relation="配偶", male=False)
    safe = make_household(world.village_a, household_no="F2", head="房二")
    rows = [
        ["房一", head_of(unsafe).id_number, "C级", "2025-03-02"],
        ["房一妻", wife.id_number, "D", "2025-03-02"],
        ["房二", head_of(safe).id_number, "B级", "2025-03-02"],
    ]
    run = run_list(tmp_path, "housing", ["户主姓名", "户主身份证号", "鉴定等级", "鉴定日期"], rows, user=world.admin)
    assert findings_of(run) == {("unsafe_house", head_of(unsafe).id_number)}
    finding = Finding.objects.get(run=run)
    assert finding.subject == "H:F1"
    assert dict(finding.figure_pairs) == {"鉴定等级": "C级", "鉴定日期": "2025-03-02", "系统住房安全": "安全"}
    assert run.counts["unsafe_house"]["hits"] == 2 and run.counts["unsafe_house"]["findings"] == 1


# --- 人社 ---------------------------------------------------------------------------------------------------------


def test_human_resources_findings(world, tmp_path):
    home = make_household(world.village_a, household_no="G1", head="工一", household_type="脱贫户")
    not_recorded = head_of(home)
    not_recorded.employed = False
    not_recorded.save()
    insured_only = member(home, "工二")  # 是否已务工 blank
    unemployed = member(home, "工三", employed=True, work_place="广东")
    working = member(home, "工四", employed=True)
    rows = [
        ["工一", not_recorded.id_number, "已就业", "", "某厂"],
        ["工二", insured_only.id_number, "", "城镇职工基本养老保险", ""],
        ["工三", unemployed.id_number, "登记失业", "", ""],
        ["工四", working.id_number, "就业", "企业职工基本养老保险", "某公司"],
    ]
    run = run_list(
        tmp_path, "human_resources", ["姓名", "证件号码", "就业状态", "参保险种", "就业单位"], rows, user=world.admin
    )
    assert findings_of(run) == {
        ("employment_not_recorded", not_recorded.id_number),
        ("employment_not_recorded", insured_only.id_number),
        ("unemployed_but_working", unemployed.id_number),
    }
    assert figures(run, "employment_not_recorded", insured_only.id_number) == {
        "部门就业状态": "未注明",
        "职工社保": "有",
        "就业单位": "",
        "系统是否已务工": "未填写",
    }
    assert figures(run, "employment_not_recorded", not_recorded.id_number)["系统是否已务工"] == "否"


# --- every source -------------------------------------------------------------------------------------------------

EXTRA = {
    "civil_affairs": (("救助类型", "低保边缘"),),
    "housing": (("鉴定等级", "A"),),
    "health": (("病种", "高血压"), ("本年度服务次数", 4)),
}


@pytest.mark.parametrize("department", [key for key, _ in department_choices()])
def test_every_source_reports_name_mismatch_and_rows_not_in_the_registry(world, tmp_path, department):
    home = make_household(world.village_a, household_no="Z1", head="正名", household_type="脱贫户")
    identified(home)
    person = head_of(home)
    headers, values = ["姓名", "证件号码"], []
    for header, value in EXTRA.get(department, ()):
        headers.append(header)
        values.append(value)
    rows = [["错名", person.id_number, *values], ["无此人", make_id_number("19900101", area="130101"), *values]]
    run = run_list(tmp_path, department, headers, rows, user=world.admin)
    assert findings_of(run, rule="name_mismatch") == {("name_mismatch", person.id_number)}
    assert run.counts["not_in_registry"]["hits"] == 1
    assert run.summary["not_in_registry"] == 1
    assert get_source(department).rule("name_mismatch") is not None
