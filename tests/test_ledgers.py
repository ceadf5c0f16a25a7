"""Ledgers (台账): every standard ledger's rows on a crafted county, masking per role, a county's own copy, scope,
the centre page, the job for large ledgers, the command line — asserted on the files as a user opens them."""

from __future__ import annotations

import ast
import csv
import datetime
import io
import shutil
import subprocess
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

import pytest
from django.core.cache import cache
from django.core.management import call_command
from python_calamine import CalamineWorkbook

from shoudi.assistance.models import Cadre, GuaranteeProblem, Measure, Pairing, Visit
from shoudi.core.models import AccessLog, Job
from shoudi.core.registry import registry
from shoudi.core.scope import user_can
from shoudi.ledgers import engine
from shoudi.ledgers.models import SavedLedger
from shoudi.monitoring import choices as mc
from shoudi.monitoring.models import MonitoringCase, MonitoringLine
from shoudi.registry.models import Member
from shoudi.registry.testing import make_household, make_income, make_member, make_site

REF = datetime.date(2025, 9, 1)  # the reference date of 控辍保学 in these tests
STANDARD = [
    "monitoring",
    "lifted",
    "pairing",
    "measures",
    "visits",
    "notices",
    "dropout",
    "insurance",
    "housing",
    "water",
    "welfare",
    "relocation",
    "public-jobs",
    "microcredit",
    "yulu",
    "resettlement-sites",
    "income",
    "income-estimates",
    "problems",
    "problems-assessment",
    "problems-inspection",
    "problems-audit",
    "problems-hotline",
    "campaign-progress",
    "tasks",
    "team-members",
    "team-attendance",
    "team-attendance-year",
    "team-absences",
    "team-logs",
    "team-units",
    "project-library",
    "project-plan",
    "linkage-funds",
    "assets-county",
    "assets-township",
    "assets-village",
    "income-distribution",
    "project-publicity",
    "lowincome",
    "home-teaching",
    "chronic-signing",
    "public-post-attendance",
    "workshop-employees",
    "transport-subsidies",
    "zero-employment",
]


# --- reading a ledger back ----------------------------------------------------------------------------------------


@dataclass
class Sheet:
    title: str
    subtitle: str
    header: list
    rows: list[list]
    subtotals: list[list]
    total: list
    signature: list

    def column(self, label: str) -> list:
        i = self.header.index(label)
        return [row[i] for row in self.rows]

    def names(self, label: str = "姓名") -> list:
        return self.column(label)

    def row_of(self, label: str, value) -> dict:
        i = self.header.index(label)
        row = next(r for r in self.rows if r[i] == value)
        return dict(zip(self.header, row, strict=True))


def read_sheet(source) -> Sheet:
    """A ledger file as a user sees it: title, subtitle, header, data rows, subtotals, total, signature."""
    book = (
        CalamineWorkbook.from_filelike(io.BytesIO(source))
        if isinstance(source, bytes)
        else CalamineWorkbook.from_path(str(source))
    )
    cells = book.get_sheet_by_index(0).to_python()
    width = len([h for h in cells[2] if h != ""])
    rows, subtotals, i = [], [], 3
    while not str(cells[i][0]).startswith("合计："):
        (subtotals if "小计：" in str(cells[i][0]) else rows).append(cells[i][:width])
        i += 1
    return Sheet(
        cells[0][0],
        cells[1][0],
        cells[2][:width],
        rows,
        subtotals,
        cells[i][:width],
        [c for c in cells[i + 2] if c != ""],
    )


def build(name: str, user, tmp_path: Path, region: str = "", **params) -> Sheet:
    ledger = engine.resolve(name, user)
    ctx = engine.make_context(ledger, user, region, params)
    path = tmp_path / f"{name}-{getattr(user, 'username', 'cli')}.xlsx"
    count = engine.write_xlsx(ledger, ctx, path)
    sheet = read_sheet(path)
    assert len(sheet.rows) == count == engine.count_rows(ledger, ctx)
    return sheet


# --- the crafted county ------------------------------------------------------------------------------------------


def member(household, name, birth, **fields):
    return make_member(household, name=name, relation=fields.pop("relation", "之子"), birth=birth, **fields)


@pytest.fixture
def county(world):
    """Village A: a1 (脱贫户, relocated, unsafe house, children of school age, 低保, 护林员) and a2 (监测对象 with a
    cadre, measures, a visit, an open water problem, income below the line); village B: b1 (脱贫户, income fell,
    a 14-year-old out of school) and b2 (income up); a neighbouring county's child out of school."""
    MonitoringLine.objects.create(year=2025, amount=Decimal("8000"))
    a1 = make_household(
        world.village_a,
        household_no="520102001001000001",
        head="张大山",
        household_type="脱贫户",
        lifted_year=2019,
        size=8,
        phone="13800001234",
        group_name="1组",
        housing_secure=False,
        housing_checked_on=datetime.date(2025, 5, 1),
        water_secure=True,
        relocated=True,
        resettlement_site=make_site(world.village_a, name="幸福小区"),
    )
    member(a1, "张小五", "20100301")  # 15 on REF, no school
    member(a1, "张十七", "20080301")  # 17 on REF
    member(a1, "张小六", "20080902", relation="之女", male=False)  # 16 on 31 August 2025, 17 the day after REF
    member(a1, "张六六", "20190831", student_status="学前教育")  # 6 on 31 August 2025 itself: school from REF
    member(a1, "张十岁", "20150301", student_status="小学")
    member(a1, "张五岁", "20200101", student_status="学龄前儿童")
    member(a1, "张护林", "19750101", public_welfare_job="护林员", phone="13912345678", employed=True)
    member(a1, "张低保", "19500101", relation="之父", dibao="农村低保")
    member(a1, "张故", "19400101", relation="之母", male=False, status="死亡")

    a2 = make_household(
        world.village_a,
        household_no="520102001001000002",
        head="李二河",
        household_type="一般农户",
        size=3,
        phone="13800005678",
        housing_secure=True,
        water_secure=True,
    )
    member(a2, "李中职", "20080601", student_status="中职二年级")
    member(
        a2,
        "李残",
        "19700101",
        relation="配偶",
        male=False,
        disability_category="4",
        disability_grade="2",
        health="残疾",
    )
    MonitoringCase.objects.create(
        household=a2,
        category="边缘易致贫户",
        risk_types=["因病", "因学"],
        source="农户自主申报",
        clue_date=datetime.date(2025, 3, 1),
        publicity_start=datetime.date(2025, 3, 10),
        publicity_end=datetime.date(2025, 3, 15),
        identified_on=datetime.date(2025, 3, 20),
        step=mc.MONITORING,
    )
    cadre = Cadre.objects.create(
        name="王干部", unit="县农业农村局", position="科员", phone="13700001111", region=world.county
    )
    Pairing.objects.create(household=a2, cadre=cadre, start_date=datetime.date(2025, 3, 25), reason="新识别")
    Measure.objects.create(
        household=a2,
        category="金融帮扶",
        sub_item="小额信贷",
        content="发展养殖贷款",
        amount=Decimal("50000"),
        department="县农商行",
        status="已落实",
        implemented_on=datetime.date(2025, 4, 1),
    )
    Measure.objects.create(
        household=a2,
        category="金融帮扶",
        sub_item="小额信贷",
        content="已终止的贷款",
        amount=Decimal("9999"),
        status="终止",
    )
    Measure.objects.create(
        household=a2,
        category="其他教育帮扶",
        sub_item="雨露计划",
        content="中职学生资助",
        amount=Decimal("3000"),
        status="已落实",
        implemented_on=datetime.date(2025, 5, 1),
    )
    GuaranteeProblem.objects.create(
        household=a2, kind="饮水安全有保障", description="自来水停水", opened_on=datetime.date(2025, 6, 1)
    )
    Visit.objects.create(
        household=a2,
        cadre=cadre,
        visited_on=datetime.date(2025, 6, 1),
        kind="入户",
        visitor="王干部",
        content="了解收入情况",
        water_ok=False,
    )
    make_income(a2, 2025, size=2, wage=6000)  # 3000 a head: below the line and below 1 万

    b1 = make_household(
        world.village_b,
        household_no="520102002001000001",
        head="赵一",
        household_type="脱贫户",
        size=3,
        housing_secure=True,
        water_secure=False,
    )
    member(b1, "赵小", "20110101")  # 14, no school
    make_income(b1, 2024, size=2, wage=30000)  # 15000
    make_income(b1, 2025, size=2, wage=24000)  # 12000: fell
    Measure.objects.create(
        household=b1,
        category="金融帮扶",
        sub_item="小额信贷",
        content="种植贷款",
        amount=Decimal("20000"),
        status="已落实",
    )
    ended = Cadre.objects.create(name="前干部", unit="县教育局", region=world.county)
    Pairing.objects.create(
        household=b1, cadre=ended, start_date=datetime.date(2024, 1, 1), end_date=datetime.date(2024, 12, 31)
    )
    Visit.objects.create(household=b1, visited_on=datetime.date(2024, 6, 1), visitor="前干部", content="2024 年走访")

    b2 = make_household(
        world.village_b,
        household_no="520102002001000002",
        head="钱二",
        household_type="一般农户",
        housing_secure=True,
        water_secure=True,
    )
    make_income(b2, 2024, size=1, wage=18000)
    make_income(b2, 2025, size=1, wage=20000)
    GuaranteeProblem.objects.create(
        household=b2, kind="饮水安全有保障", opened_on=datetime.date(2025, 1, 1), resolved_on=datetime.date(2025, 2, 1)
    )
    MonitoringCase.objects.create(
        household=b2, category="边缘易致贫户", step=mc.REJECTED, is_open=False, clue_date=datetime.date(2025, 2, 1)
    )

    elsewhere = make_household(
        world.other_village,
        household_no="520103001001000001",
        head="孙外县",
        household_type="脱贫户",
        housing_secure=False,
    )
    member(elsewhere, "孙小", "20100301")

    Member.objects.update(resident_medical=True)
    Member.objects.filter(name__in=["张十七", "张故"]).update(resident_medical=None, employee_medical=False)
    return world


# --- each standard ledger's rows ------------------------------------------------------------------------------------


def test_every_standard_ledger_is_registered_in_order():
    assert [d.code for d in engine.standard_definitions()] == STANDARD


def _ledger_module_path(name: str) -> Path | None:
    """The file of a ``shoudi.ledgers`` module, or None when ``name`` is no module of the package."""
    package = Path(engine.__file__).parent
    relative = name.removeprefix("shoudi.ledgers").lstrip(".").replace(".", "/")
    if not name.startswith("shoudi.ledgers.") or not relative:
        return None
    for candidate in (package / f"{relative}.py", package / relative / "__init__.py"):
        if candidate.exists():
            return candidate
    return None


def _ledger_imports(module: str) -> set[str]:
    """The ``shoudi.ledgers`` modules ``module`` imports, directly or through other ledger modules (read with ``ast``,
    imports inside functions included)."""
    seen: set[str] = set()
    todo = [module]
    while todo:
        name = todo.pop()
        path = _ledger_module_path(name)
        if name in seen or path is None:
            continue
        seen.add(name)
        here = name if path.name == "__init__.py" else name.rpartition(".")[0]
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                todo += [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom):
                base = node.module or ""
                if node.level:
                    base = ".".join(here.split(".")[: len(here.split(".")) - node.level + 1] + ([base] if base else []))
                todo += [base] + [f"{base}.{alias.name}" for alias in node.names]
    return seen - {module}


def test_the_engine_imports_no_ledger_definition():
    """The engine reads the ledgers from the registry (filled by ``ledgers.wiring`` at start-up): neither it nor what
    it imports loads the standard definitions, so the two can no longer import each other."""
    reached = _ledger_imports("shoudi.ledgers.engine")
    assert {"shoudi.ledgers.definitions", "shoudi.ledgers.models"} <= reached  # the check follows the imports
    assert sorted(name for name in reached if name.startswith("shoudi.ledgers.standard")) == []
    assert "shoudi.ledgers.standard.parts" in _ledger_imports("shoudi.ledgers.wiring")


def test_dropout_lists_school_age_children_not_in_school(county, tmp_path):
    sheet = build("dropout", county.admin, tmp_path, reference=REF)
    assert sheet.names() == ["张小五", "张小六", "张六六", "赵小"]  # not 17, not 10 in school, not 5, not 邻县
    assert sheet.row_of("姓名", "张小五")["年龄（周岁）"] == 15
    assert sheet.row_of("姓名", "张小六")["年龄（周岁）"] == 16
    assert sheet.row_of("姓名", "张六六")["在校生状况"] == "学前教育"
    assert sheet.row_of("姓名", "张六六")["学年年龄（周岁）"] == 6
    assert "口径：按学年计算，当学年8月31日前（含）满6周岁至16周岁；" in sheet.subtitle
    # the age on 31 August holds the whole school year: the girl, 17 the day after REF, stays until 31 August 2026
    later = build("dropout", county.admin, tmp_path, reference=REF + datetime.timedelta(days=1))
    girl = later.row_of("姓名", "张小六")
    assert (girl["年龄（周岁）"], girl["学年年龄（周岁）"]) == (17, 16)
    assert "张小六" in build("dropout", county.admin, tmp_path, reference=datetime.date(2026, 8, 31)).names()
    assert "张小六" not in build("dropout", county.admin, tmp_path, reference=datetime.date(2026, 9, 1)).names()
    # the school year before, the six-year-old of today was five on its 31 August
    assert "张六六" not in build("dropout", county.admin, tmp_path, reference=datetime.date(2025, 8, 31)).names()


def test_insurance_lists_persons_without_medical_insurance(county, tmp_path):
    sheet = build("insurance", county.admin, tmp_path)
    assert sheet.names() == ["张十七"]  # the dead 张故 is not in the register
    row = sheet.row_of("姓名", "张十七")
    assert (row["城乡居民基本医疗保险"], row["城镇职工基本医疗保险"]) == ("", "否")


def test_monitoring_ledger_has_procedure_dates_cadre_and_measures(county, tmp_path):
    sheet = build("monitoring", county.admin, tmp_path)
    assert sheet.column("户编号") == ["520102001001000002"]  # the rejected clue of b2 is no 监测对象
    row = sheet.row_of("户编号", "520102001001000002")
    assert row["户主姓名"] == "李二河" and row["监测对象类别"] == "边缘易致贫户"
    assert row["致贫/返贫风险"] == "因病、因学"
    assert (row["线索日期"], row["公示开始"], row["公示结束"], row["识别监测时间"]) == (
        datetime.date(2025, 3, 1),
        datetime.date(2025, 3, 10),
        datetime.date(2025, 3, 15),
        datetime.date(2025, 3, 20),
    )
    assert row["当前环节"] == "已识别（帮扶中）" and row["风险是否已消除"] == "否"
    assert (row["帮扶干部"], row["干部单位"], row["干部电话"]) == ("王干部", "县农业农村局", "13700001111")
    assert row["帮扶措施"] == "金融帮扶（小额信贷）；其他教育帮扶（雨露计划）"


def test_lifted_ledger_lists_members_of_lifted_households(county, tmp_path):
    sheet = build("lifted", county.admin, tmp_path)
    assert sheet.names() == [
        "张大山",
        "张小五",
        "张十七",
        "张小六",
        "张六六",
        "张十岁",
        "张五岁",
        "张护林",
        "张低保",
        "赵一",
        "赵小",
    ]
    assert sheet.row_of("姓名", "张护林")["是否务工"] == "是"
    assert set(sheet.column("户编号")) == {"520102001001000001", "520102002001000001"}


def test_pairing_measures_and_visits_ledgers(county, tmp_path):
    pairing = build("pairing", county.admin, tmp_path)
    assert pairing.column("帮扶干部") == ["王干部"]  # the ended pairing of b1 is not current
    assert pairing.rows[0][pairing.header.index("最近走访日期")] == datetime.date(2025, 6, 1)

    measures = build("measures", county.admin, tmp_path)
    assert measures.column("措施内容") == ["发展养殖贷款", "中职学生资助", "种植贷款"]  # not the ended one
    assert measures.total[measures.header.index("金额（元）")] == 73000

    visits = build("visits", county.admin, tmp_path, year=2025)
    assert visits.column("走访内容") == ["了解收入情况"]
    assert visits.rows[0][visits.header.index("饮水安全有保障")] == "否"
    assert build("visits", county.admin, tmp_path, year=2024).column("走访内容") == ["2024 年走访"]


def test_housing_water_welfare_relocation_and_public_jobs(county, tmp_path):
    assert build("housing", county.admin, tmp_path).column("户主姓名") == ["张大山"]  # 邻县 is out of scope
    water = build("water", county.admin, tmp_path)
    assert water.column("户主姓名") == ["李二河", "赵一"]  # an open problem; a 核查 of 不安全 — not a solved problem
    assert water.row_of("户主姓名", "李二河")["未解决的饮水安全问题"] == "2025-06-01 自来水停水"

    welfare = build("welfare", county.admin, tmp_path)
    assert welfare.names() == ["张低保", "李残"]
    assert welfare.row_of("姓名", "李残")["残疾类别"] == "肢体"

    relocation = build("relocation", county.admin, tmp_path)
    assert relocation.column("安置区") == ["幸福小区"]
    assert relocation.row_of("安置区", "幸福小区")["务工人数"] == 1

    jobs = build("public-jobs", county.admin, tmp_path)
    assert jobs.names() == ["张护林"]
    assert jobs.row_of("姓名", "张护林")["公益性岗位"] == "护林员"


def test_microcredit_is_grouped_by_village_with_subtotals(county, tmp_path):
    sheet = build("microcredit", county.admin, tmp_path)
    amount = sheet.header.index("贷款金额（元）")
    assert sheet.column("贷款内容（用途）") == ["发展养殖贷款", "种植贷款"]
    assert [(r[0], r[amount]) for r in sheet.subtotals] == [
        ("甲镇甲村小计：1 笔", 50000),
        ("乙镇乙村小计：1 笔", 20000),
    ]
    assert sheet.total[0] == "合计：2 笔" and sheet.total[amount] == 70000


def test_yulu_lists_the_students(county, tmp_path):
    sheet = build("yulu", county.admin, tmp_path)
    assert sheet.column("在读学生（中职/高职）") == ["李中职（中职二年级）"]
    assert sheet.column("资助金额（元）") == [3000]


def test_income_ledger_below_line_below_floor_and_fallen(county, tmp_path):
    sheet = build("income", county.admin, tmp_path, year=2025)
    assert sheet.column("户主姓名") == ["李二河", "赵一"]  # 钱二's income rose
    assert sheet.row_of("户主姓名", "李二河")["预警情形"] == "低于监测线、低于10,000元"
    fallen = sheet.row_of("户主姓名", "赵一")
    assert (fallen["人均纯收入"], fallen["上年人均纯收入"], fallen["比上年增减"]) == (12000, 15000, -3000)
    assert fallen["预警情形"] == "收入不增反降" and fallen["监测线"] == 8000
    assert "2025 年监测线：8,000 元/人·年" in sheet.subtitle
    assert build("income", county.admin, tmp_path, year=2024).rows == []


def test_title_subtitle_and_signature(county, tmp_path):
    sheet = build("dropout", county.admin, tmp_path, region=county.village_a.code, reference=REF)
    assert sheet.title == "控辍保学台账"
    assert sheet.subtitle.startswith("区划：测试县甲镇甲村    统计日期：")
    assert "参考日期：2025-09-01" in sheet.subtitle
    assert sheet.signature[0] == "制表人：县管理员" and sheet.signature[1] == "审核人："
    assert sheet.signature[2].startswith("日期：")
    assert sheet.total[0] == "合计：3 人"


# --- masking, scope, permissions --------------------------------------------------------------------------------------


def download(client, name: str, **data) -> bytes:
    response = client.post(f"/ledgers/download/{name}/", data)
    assert response.status_code == 200, response.content[:500]
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    return b"".join(response.streaming_content)


def test_inspector_gets_masked_ids_and_phones_admin_does_not(county, client_for):
    masked = read_sheet(download(client_for(county.inspector), "dropout", reference="2025-09-01"))
    row = masked.row_of("姓名", "张小五")
    full_id = Member.objects.get(name="张小五").id_number
    assert row["证件号码"] == full_id[:6] + "********" + full_id[-4:]
    assert row["户联系电话"] == "138****1234"
    assert masked.signature[0] == "制表人：督查员"

    plain = read_sheet(download(client_for(county.admin), "dropout", reference="2025-09-01"))
    row = plain.row_of("姓名", "张小五")
    assert row["证件号码"] == full_id and row["户联系电话"] == "13800001234"

    log = AccessLog.objects.filter(action=AccessLog.EXPORT).order_by("id")
    assert [(e.user, e.record_count) for e in log] == [(county.inspector, 4), (county.admin, 4)]
    assert "已脱敏：户联系电话、证件号码" in log[0].detail


def test_health_is_hidden_from_the_inspector_and_shown_to_the_admin(county, client_for):
    masked = read_sheet(download(client_for(county.inspector), "welfare"))
    assert masked.row_of("姓名", "李残")["健康状况"] == "（已隐藏）"
    assert "健康状况" in AccessLog.objects.get(user=county.inspector, action=AccessLog.EXPORT).detail
    plain = read_sheet(download(client_for(county.admin), "welfare"))
    assert plain.row_of("姓名", "李残")["健康状况"] == "残疾"


def test_a_village_officer_gets_only_his_village(county, client_for, tmp_path):
    officer = read_sheet(download(client_for(county.officer_a), "dropout", reference="2025-09-01"))
    assert officer.names() == ["张小五", "张小六", "张六六"]
    assert set(officer.column("行政村")) == {"甲村"}
    assert build("dropout", county.officer_b, tmp_path, reference=REF).names() == ["赵小"]
    assert build("income", county.reviewer_a, tmp_path, year=2025).column("户主姓名") == ["李二河"]


def test_region_outside_the_scope_is_refused(county, client_for):
    client = client_for(county.officer_a)
    assert client.post("/ledgers/download/dropout/", {"region": county.village_b.code}).status_code == 403
    assert client.get(f"/ledgers/view/dropout/?region={county.other_county.code}").status_code == 403
    assert client_for(county.admin).get("/ledgers/view/nonsense/").status_code == 404


def test_anonymous_is_sent_to_login(client, county):
    assert client.get("/ledgers/").status_code == 302
    assert client.post("/ledgers/download/dropout/").status_code == 302


def test_a_cadre_gets_his_paired_households(county, tmp_path):
    from shoudi.accounts.testing import make_user

    user = make_user("cadre_wang", "cadre", county.village_a, name="王干部")
    Cadre.objects.filter(name="王干部").update(user=user)
    assert build("pairing", user, tmp_path).column("户主姓名") == ["李二河"]
    assert build("dropout", user, tmp_path, reference=REF).rows == []  # a2 has no child out of school


def test_columns_of_models_a_role_cannot_view_are_left_out(county, tmp_path):
    from shoudi.accounts.testing import make_user

    department = make_user("yibao", "department", county.county, name="医保局", department="medical_insurance")
    sheet = build("monitoring", department, tmp_path)
    assert "帮扶干部" not in sheet.header and "户主姓名" in sheet.header  # a department may not view pairings


# --- the centre page --------------------------------------------------------------------------------------------------


def test_centre_lists_every_ledger_with_its_count(county, client_for, django_assert_max_num_queries):
    client = client_for(county.officer_a)
    # one COUNT per ledger, about one per line of 我的待办 (the 待办 badge of the menu: the line's count and, for a few,
    # their settings), the page's own reads besides (PostgreSQL makes three more than SQLite)
    lines = len(registry.entries("worklist_items"))
    with django_assert_max_num_queries(24 + len(engine.standard_definitions()) + lines):
        response = client.get("/ledgers/")
    html = response.content.decode()
    for definition in engine.standard_definitions():
        # a ledger whose rows the role may not view is not offered (a village officer: the teams' leave, check-ins)
        offered = user_can(county.officer_a, definition.model, "view")
        assert (f'data-ledger="{definition.code}"' in html) == offered, definition.code
    assert 'data-ledger="team-members"' in html and 'data-ledger="team-absences"' not in html

    def count(code):
        row = html[html.index(f'data-ledger="{code}"') :]
        return row[row.index('class="ledger-count">') + 21 :].split("<", 1)[0]

    assert (count("insurance"), count("welfare"), count("income"), count("lifted")) == ("1", "2", "1", "9")
    assert "复制" not in html  # only a county admin keeps the county's own ledgers


def test_centre_counts_at_most_once_a_minute_and_says_when(county, client_for, django_assert_max_num_queries):
    client = client_for(county.officer_a)
    first = client.get("/ledgers/").content.decode()
    assert "统计于" in first and 'class="ledger-count">9<' in first  # 脱贫户台账
    make_household(county.village_a, household_type="脱贫户", lifted_year=2020)
    with django_assert_max_num_queries(20):  # the counts of a minute ago, not fifteen COUNTs again
        again = client.get("/ledgers/").content.decode()
    assert 'class="ledger-count">9<' in again
    assert 'id="ledger-count">10<' in client.get("/ledgers/view/lifted/").content.decode()  # a ledger itself is live
    cache.clear()  # the minute has passed
    assert 'class="ledger-count">10<' in client.get("/ledgers/").content.decode()


@pytest.mark.parametrize("who", ["inspector", "admin"])
def test_ledger_page_previews_masked_rows(county, client_for, who):
    html = client_for(getattr(county, who)).get("/ledgers/view/dropout/?reference=2025-09-01").content.decode()
    assert 'id="ledger-count">4<' in html and "参考日期：2025-09-01" in html
    full_id = Member.objects.get(name="张小五").id_number
    assert full_id not in html and full_id[:6] + "********" + full_id[-4:] in html  # on screen always masked
    assert "13800001234" not in html and "138****1234" in html


# --- a county's own copy --------------------------------------------------------------------------------------------


def copy_form(definition_code: str, *, title: str, drop: tuple[str, ...] = (), move_last: str = "", **filters):
    definition = engine.get_definition(definition_code)
    data = {"title": title}
    for position, column in enumerate(definition.columns, start=1):
        if column.default and column.key not in drop:
            data[f"col_{column.key}"] = "on"
        data[f"pos_{column.key}"] = 999 if column.key == move_last else position
    for f in definition.filters:
        value = filters.get(f.key, f.default)
        if f.is_choice:
            data[f"f_{f.key}"] = value or ""
        elif value:
            data[f"f_{f.key}"] = "on"
    return data


def test_county_admin_copies_a_ledger_without_the_id_column(county, client_for):
    admin = client_for(county.admin)
    data = copy_form(
        "dropout",
        title="控辍保学（脱贫户，不含证件号）",
        drop=("id_number",),
        move_last="name",
        household_type="脱贫户",
    )
    response = admin.post("/ledgers/copy/dropout/", data)
    saved = SavedLedger.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/ledgers/view/saved-{saved.pk}/"
    assert saved.region == county.county and saved.created_by == county.admin
    assert "id_number" not in saved.columns and saved.columns[-1] == "name"
    assert saved.filters["household_type"] == "脱贫户"

    # a village officer of the county sees it, with his village's rows only
    officer = client_for(county.officer_a)
    assert f'data-ledger="saved-{saved.pk}"' in officer.get("/ledgers/").content.decode()
    sheet = read_sheet(download(officer, saved.name, reference="2025-09-01"))
    assert sheet.title == "控辍保学（脱贫户，不含证件号）"
    assert "证件号码" not in sheet.header and sheet.header[-1] == "姓名"
    assert sheet.column("姓名") == ["张小五", "张小六", "张六六"]
    assert "户类型：脱贫户" in sheet.subtitle


def test_a_copy_with_a_changed_filter_and_another_county(county, client_for, tmp_path):
    admin = client_for(county.admin)
    admin.post("/ledgers/copy/dropout/", copy_form("dropout", title="一般农户控辍保学", household_type="一般农户"))
    saved = SavedLedger.objects.get()
    assert build(saved.name, county.admin, tmp_path, reference=REF).rows == []
    # another county's user does not reach it
    from shoudi.accounts.testing import make_user

    neighbour = make_user("neighbour", "county_admin", county.other_county, name="邻县管理员")
    with pytest.raises(engine.LedgerError):
        engine.resolve(saved.name, neighbour)
    assert client_for(neighbour).get(f"/ledgers/view/{saved.name}/").status_code == 404


def test_copy_form_refuses_an_empty_group_and_a_duplicate_title(county, client_for):
    admin = client_for(county.admin)
    data = copy_form("income", title="收入台账", below_line=False, below_floor=False, dropped=False)
    response = admin.post("/ledgers/copy/income/", data)
    assert response.status_code == 200 and "以下条件至少选择一项" in response.content.decode()
    assert admin.post("/ledgers/copy/income/", copy_form("income", title="收入台账")).status_code == 302
    response = admin.post("/ledgers/copy/income/", copy_form("income", title="收入台账"))
    assert "本县已有同名台账" in response.content.decode()
    assert SavedLedger.objects.count() == 1


def test_only_the_county_admin_copies_edits_and_deletes(county, client_for):
    assert client_for(county.officer_a).get("/ledgers/copy/dropout/").status_code == 403
    admin = client_for(county.admin)
    admin.post("/ledgers/copy/dropout/", copy_form("dropout", title="我的台账"))
    saved = SavedLedger.objects.get()
    assert client_for(county.officer_a).get(f"/ledgers/saved/{saved.pk}/edit/").status_code == 403
    admin = client_for(county.admin)  # one test client: log the admin in again
    data = copy_form("dropout", title="改名后的台账", drop=("health",))
    assert admin.post(f"/ledgers/saved/{saved.pk}/edit/", data).status_code == 302
    saved.refresh_from_db()
    assert saved.title == "改名后的台账" and "health" not in saved.columns
    assert admin.post(f"/ledgers/saved/{saved.pk}/delete/").status_code == 302
    assert not SavedLedger.objects.exists()


# --- large ledgers run as jobs ----------------------------------------------------------------------------------------


def test_a_large_ledger_is_exported_by_a_job(
    county, client_for, settings, tmp_path, django_capture_on_commit_callbacks
):
    settings.SHOUDI_LEDGER_JOB_ROWS = 3
    settings.MEDIA_ROOT = tmp_path / "files"
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    client = client_for(county.admin)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/ledgers/download/lifted/")
    job = Job.objects.get()
    assert response.status_code == 302 and response["Location"] == job.get_absolute_url()
    job.refresh_from_db()
    assert job.status == Job.SUCCEEDED, job.error
    assert (job.kind, job.done, job.total, job.result["行数"]) == ("ledgers.export", 11, 11, 11)
    file = client.get(f"/system/jobs/{job.pk}/download/")
    sheet = read_sheet(b"".join(file.streaming_content))
    assert len(sheet.rows) == 11 and sheet.title == "脱贫户台账"
    assert AccessLog.objects.filter(action=AccessLog.EXPORT, user=county.admin, record_count=11).exists()


# --- command line -----------------------------------------------------------------------------------------------------


def test_cli_lists_and_writes_a_ledger_unmasked(county, tmp_path, capsys):
    out = io.StringIO()
    call_command("ledger", "--list", stdout=out)
    names = [line.split("\t")[0] for line in out.getvalue().splitlines()]
    assert names == STANDARD
    target = tmp_path / "dropout.xlsx"
    out = io.StringIO()
    call_command(
        "ledger", "dropout", "--region", county.county.code, "--out", str(target), "--date", "2025-09-01", stdout=out
    )
    assert out.getvalue().strip() == f"控辍保学台账（测试县）：4 人 → {target}"
    sheet = read_sheet(target)
    assert sheet.column("证件号码")[0] == Member.objects.get(name="张小五").id_number
    assert sheet.signature[0] == "制表人：命令行"


# --- the file opens in LibreOffice ------------------------------------------------------------------------------------


def soffice() -> str:
    """LibreOffice's soffice (`make test` installs it). Missing: skipped, or failed if SHOUDI_REQUIRE_BROWSER is set."""
    from tests.browser import browser_required

    path = shutil.which("soffice")
    if path is None:
        message = "LibreOffice (soffice) is not installed (apt-get install libreoffice-calc-nogui; make test does)"
        if browser_required():
            pytest.fail(f"SHOUDI_REQUIRE_BROWSER is set: {message}", pytrace=False)
        pytest.skip(message)
    return path


def libreoffice_csv(xlsx: Path, tmp_path: Path) -> list[list[str]]:
    """The first sheet as LibreOffice shows it (cells formatted as displayed), through a CSV conversion."""
    outdir = tmp_path / "csv"
    profile = tmp_path / "lo-profile"  # its own profile: other LibreOffice runs on the machine hold theirs locked
    subprocess.run(
        [
            soffice(),
            f"-env:UserInstallation={profile.as_uri()}",
            "--headless",
            "--convert-to",
            "csv:Text - txt - csv (StarCalc):44,34,76,1",
            "--outdir",
            str(outdir),
            str(xlsx),
        ],
        check=True,
        capture_output=True,
        timeout=180,
    )
    text = (outdir / f"{xlsx.stem}.csv").read_text(encoding="utf-8")
    return list(csv.reader(io.StringIO(text)))


def test_the_file_opens_in_libreoffice(county, tmp_path):
    ledger = engine.resolve("microcredit", county.admin)
    ctx = engine.make_context(ledger, county.admin, today=datetime.date(2026, 1, 15))
    path = tmp_path / "microcredit.xlsx"
    engine.write_xlsx(ledger, ctx, path)
    rows = libreoffice_csv(path, tmp_path)
    width = 14

    def line(*cells):
        return [*cells, *[""] * (width - len(cells))]

    head_id = Member.objects.get(name="李二河").id_number
    assert rows[0] == line("小额信贷清单")
    assert rows[1] == line("区划：测试县    统计日期：2026-01-15    筛选：不含已终止的措施")
    assert rows[2] == [
        "序号",
        "乡镇",
        "行政村",
        "户编号",
        "户类型",
        "户联系电话",
        "户主姓名",
        "户主证件号码",
        "监测对象类别",
        "贷款内容（用途）",
        "贷款金额（元）",
        "放贷机构/责任部门",
        "发放日期",
        "状态",
    ]
    assert rows[3:8] == [
        [
            "1",
            "甲镇",
            "甲村",
            "520102001001000002",
            "一般农户",
            "13800005678",
            "李二河",
            head_id,
            "边缘易致贫户",
            "发展养殖贷款",
            "50,000.00",
            "县农商行",
            "2025-04-01",
            "已落实",
        ],
        line("甲镇甲村小计：1 笔", *[""] * 9, "50,000.00"),
        [
            "2",
            "乙镇",
            "乙村",
            "520102002001000001",
            "脱贫户",
            "",
            "赵一",
            Member.objects.get(name="赵一").id_number,
            "",
            "种植贷款",
            "20,000.00",
            "",
            "",
            "已落实",
        ],
        line("乙镇乙村小计：1 笔", *[""] * 9, "20,000.00"),
        line("合计：2 笔", *[""] * 9, "70,000.00"),
    ]
    assert rows[9] == line("制表人：县管理员", "", "", "", "审核人：", "", "", "", "", "日期：2026年1月15日")
