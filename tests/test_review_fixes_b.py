"""Review fixes (b): only 民政 among the 行业部门 imports and withdraws the 民政 list; exporting the 交通补贴 and 考勤
lists is logged; the 送教上门台账 takes the worklist's children (enrolled and of 6–15 on the day); the 慢病签约台账
leaves 签约且服务满4次 blank without a service count and masks the signing columns like the disease."""

from __future__ import annotations

import datetime
import io
from decimal import Decimal

import pytest
import xlsxwriter
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from shoudi.accounts.roles import DEPARTMENT
from shoudi.accounts.testing import make_user
from shoudi.core.masking import HIDDEN
from shoudi.core.models import AccessLog
from shoudi.employment.models import Attendance, Placement, Post, TransportSubsidy
from shoudi.ledgers import engine
from shoudi.lowincome import services as lowincome
from shoudi.lowincome.models import Designation, DesignationImport
from shoudi.matching.testing import run_list
from shoudi.registry.models import Member
from shoudi.registry.testing import make_household, make_member
from shoudi.sectors.models import HomeTeaching
from shoudi.sectors.selectors import short_this_month

from .test_ledgers import Sheet, build, read_sheet

pytestmark = pytest.mark.django_db

IMPORT = "lowincome:designation_import"
HEADER = ["序号", "姓名", "证件号码", "类别", "起始日期", "终止日期", "备注"]


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "files"


# --- 1. the 民政 list: 民政 only among the departments ---------------------------------------------------------


def _xlsx(rows) -> SimpleUploadedFile:
    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(buffer, {"in_memory": True})
    sheet = book.add_worksheet("名单")
    sheet.write_row(0, 0, ["民政低保名单"])
    for n, row in enumerate([HEADER, *rows], start=1):
        sheet.write_row(n, 0, row)
    book.close()
    return SimpleUploadedFile("民政低保名单.xlsx", buffer.getvalue())


@pytest.fixture
def departments(world):
    return {
        "civil": make_user("civil", DEPARTMENT, world.county, department="civil_affairs", name="民政局"),
        "health": make_user("health", DEPARTMENT, world.county, department="health", name="卫健局"),
    }


def _import(client, household) -> int:
    client.post(reverse(IMPORT), {"file": _xlsx([[1, "王大", household.head.id_number, "低保", "2026-11-01", "", ""]])})
    return client.post(reverse(IMPORT), {"confirm": "1"}).status_code


def test_another_department_may_not_import_the_civil_affairs_list(world, departments, client_for):
    household = make_household(world.village_a, household_no="A-1", head="王大")
    client = client_for(departments["health"])
    page = client.get(reverse(IMPORT))
    assert page.status_code == 403 and "民政" in page.content.decode()
    assert client.post(reverse(IMPORT), {"file": _xlsx([])}).status_code == 403
    listing = client.get(reverse("lowincome:import_list")).content.decode()
    assert reverse(IMPORT) not in listing
    assert not DesignationImport.objects.exists()
    # the service refuses it too, whatever page leads there
    with pytest.raises(lowincome.Refused, match="只有民政部门"):
        lowincome.import_designations(object(), user=departments["health"])

    # 民政 and the county admin import as before
    assert _import(client_for(departments["civil"]), household) == 302
    assert Designation.objects.filter(member=household.head, category="农村低保").count() == 1
    Designation.objects.all().delete()
    DesignationImport.objects.all().delete()
    assert _import(client_for(world.admin), household) == 302
    assert DesignationImport.objects.count() == 1


def test_another_department_may_not_withdraw_an_import(world, departments, client_for):
    household = make_household(world.village_a, household_no="A-1", head="王大")
    assert _import(client_for(departments["civil"]), household) == 302
    batch = DesignationImport.objects.get()
    with pytest.raises(lowincome.Refused, match="只有民政部门的用户可以撤回"):
        lowincome.withdraw_import(user=departments["health"], batch=batch)
    client = client_for(departments["health"])
    assert client.post(reverse("lowincome:import_withdraw", args=[batch.pk])).status_code == 403
    batch.refresh_from_db()
    assert batch.withdrawn_at is None and Designation.objects.filter(batch=batch).count() == 1
    lowincome.withdraw_import(user=departments["civil"], batch=batch)
    batch.refresh_from_db()
    assert batch.withdrawn_at is not None and not Designation.objects.filter(batch=batch).exists()


# --- 2. exporting named people's subsidies is logged ------------------------------------------------------------


def _lifted(village, head):
    home = make_household(village, household_type="脱贫户", head="")
    return make_member(home, name=head, relation="户主", labour_skill="普通劳动力")


def test_exporting_the_transport_subsidy_list_is_logged(world, client_for):
    TransportSubsidy.objects.create(
        member=_lifted(world.village_a, "甲村外出"), year=2026, destination="浙江省义乌市", amount=Decimal("500")
    )
    response = client_for(world.admin).get(reverse("employment:transportsubsidy_list") + "?export=xlsx")
    assert response.status_code == 200 and response["Content-Type"].startswith("application/vnd.openxml")
    log = AccessLog.objects.get()
    assert (log.action, log.user, log.record_count) == (AccessLog.EXPORT, world.admin, 1)
    assert "一次性交通补贴" in log.detail


def test_exporting_the_attendance_list_is_logged(world, client_for):
    post = Post.objects.create(name="保洁员", region=world.village_a, employer="甲村村委会", monthly_subsidy=965)
    placement = Placement.objects.create(
        post=post, member=_lifted(world.village_a, "保洁员"), start_date=datetime.date(2026, 1, 1)
    )
    Attendance.objects.create(placement=placement, month=datetime.date(2026, 3, 1), days=22, subsidy_paid=965)
    response = client_for(world.admin).get(reverse("employment:attendance_list") + "?export=xlsx")
    assert response.status_code == 200
    assert AccessLog.objects.filter(action=AccessLog.EXPORT, user=world.admin, record_count=1).count() == 1


# --- 3. the 送教上门台账 takes the worklist's children -----------------------------------------------------------


def test_a_child_who_turned_16_leaves_the_ledger_as_he_leaves_the_worklist(world, tmp_path):
    today = timezone.localdate()
    home = make_household(world.village_a, household_no="S1", head="送教户主", household_type="脱贫户")

    def enrol(name, birth):
        member = make_member(
            home, name=name, relation="之子", birth=f"{birth:%Y%m%d}", disability_category="5", disability_grade="1"
        )
        start = max(birth.replace(year=birth.year + 6), today - datetime.timedelta(days=200))
        # enrolled while of age (the service would refuse one already 16): created directly, as time passes
        return HomeTeaching.objects.create(member=member, school="甲镇中心小学", teacher="刘老师", start_date=start)

    def sixteen_on(day):  # born on the day 16 years before ``day``: 16 that day
        try:
            return day.replace(year=day.year - 16)
        except ValueError:  # 29 February
            return day.replace(year=day.year - 16, day=28)

    turned = enrol("满十六", sixteen_on(today))
    young = enrol("十五岁", sixteen_on(today) + datetime.timedelta(days=1))
    worklist = set(short_this_month(world.officer_a, today).values_list("pk", flat=True))
    assert young.pk in worklist and turned.pk not in worklist
    sheet = build("home-teaching", world.officer_a, tmp_path, month=today.isoformat())
    assert sheet.names() == ["十五岁"]
    ledger = engine.resolve("home-teaching", world.officer_a)
    ledger.filter_values["short"] = True
    ctx = engine.make_context(ledger, world.officer_a, "", {"month": today.isoformat()})
    assert set(engine.build_queryset(ledger, ctx).values_list("pk", flat=True)) == worklist
    # an enrolment that ended before the day is in neither
    HomeTeaching.objects.filter(pk=young.pk).update(end_date=today - datetime.timedelta(days=1))
    assert not short_this_month(world.officer_a, today).exists()
    assert build("home-teaching", world.officer_a, tmp_path, month=today.isoformat()).names() == []


# --- 3 and 4. the 慢病签约台账: a blank count says nothing; the signing columns are masked ----------------------------

HEALTH_HEADERS = ["姓名", "证件号码", "病种", "是否签约", "本年度服务次数", "签约医生"]
SIGNING = ("病种", "是否签约", "本年度服务次数", "签约且服务满4次", "签约医生")


@pytest.fixture
def patients(world, tmp_path):
    year = timezone.localdate().year
    home = make_household(world.village_a, household_no="S1", head="慢病户主", household_type="脱贫户")
    head = home.members.get(relation="户主")
    wife = make_member(home, name="慢病妻", relation="配偶", male=False)
    son = make_member(home, name="慢病子", relation="之子", birth="19990101")
    rows = [
        ["慢病户主", head.id_number, "高血压", "已签约", 5, "李医生"],
        ["慢病妻", wife.id_number, "糖尿病", "已签约", "", "李医生"],  # signed, no service count
        ["慢病子", son.id_number, "结核病", "未签约", "", ""],
    ]
    run_list(tmp_path, "health", HEALTH_HEADERS, rows, period=f"{year}-06", user=world.admin, name="wj.xlsx")
    return year


def test_a_blank_service_count_leaves_met_blank(world, patients, tmp_path):
    sheet = build("chronic-signing", world.admin, tmp_path, year=str(patients))
    assert sheet.names() == ["慢病户主", "慢病妻", "慢病子"]
    assert sheet.row_of("姓名", "慢病户主")["签约且服务满4次"] == "是"
    wife = sheet.row_of("姓名", "慢病妻")
    assert wife["是否签约"] == "是" and wife["签约且服务满4次"] in (None, "")
    son = sheet.row_of("姓名", "慢病子")
    assert son["是否签约"] == "否" and son["签约且服务满4次"] == "否"


def _with_doctor(user, year, tmp_path) -> Sheet:
    """The ledger with its optional 签约医生 column, as a county's copy would offer it."""
    ledger = engine.resolve("chronic-signing", user)
    ledger.column_keys.append("doctor")
    ctx = engine.make_context(ledger, user, "", {"year": str(year)})
    path = tmp_path / f"chronic-{user.username}.xlsx"
    engine.write_xlsx(ledger, ctx, path)
    return read_sheet(path)


def test_the_signing_columns_are_masked_for_the_inspector_not_for_the_county_admin(world, patients, tmp_path):
    inspected = _with_doctor(world.inspector, patients, tmp_path)
    assert inspected.names() == ["慢病户主", "慢病妻", "慢病子"]
    head = inspected.row_of("姓名", "慢病户主")
    assert [head[label] for label in SIGNING] == [HIDDEN] * len(SIGNING)
    assert head["证件号码"] != Member.objects.get(name="慢病户主").id_number  # masked as before
    assert head["名单期"] == f"{patients}-06"  # not a health column
    admin = _with_doctor(world.admin, patients, tmp_path).row_of("姓名", "慢病户主")
    assert [str(admin[label]) for label in SIGNING] == ["高血压", "是", "5", "是", "李医生"]
