"""送教上门 (S001 15): enrolment rules, the two-a-month rule at its boundaries in 我的待办, the pages, the 送教上门台账;
and the 慢病签约台账 from the latest 卫健 list."""

from __future__ import annotations

import datetime
import io

import pytest
from django.utils import timezone
from python_calamine import CalamineWorkbook

from shoudi.assistance.worklist import item_queryset, tally
from shoudi.ledgers import engine
from shoudi.matching.testing import run_list
from shoudi.registry.testing import make_household, make_member
from shoudi.sectors import services
from shoudi.sectors.models import HomeTeaching, HomeTeachingVisit
from shoudi.sectors.selectors import short_this_month

from .test_ledgers import build

pytestmark = pytest.mark.django_db

TODAY = datetime.date(2026, 5, 20)
START = datetime.date(2026, 1, 5)
KEY = "home_teaching_short"


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "files"


def child(household, name, birth, *, grade="1", category="5", **fields):
    return make_member(
        household,
        name=name,
        relation="之子",
        birth=birth,
        disability_category=category,
        disability_grade=grade,
        **fields,
    )


def enrol(user, member, start=START, **kwargs):
    return services.enrol(user=user, member=member, school="甲镇中心小学", teacher="刘老师", start_date=start, **kwargs)


def visit(user, enrolment, day, content="识字"):
    return services.record_visit(user=user, enrolment=enrolment, taught_on=day, content=content, today=TODAY)


@pytest.fixture
def home(world):
    return make_household(world.village_a, household_no="S1", head="送教户主", household_type="脱贫户")


# --- enrolment --------------------------------------------------------------------------------------------------


def test_enrolment_is_for_severely_disabled_children_of_6_to_15(world, home):
    cases = {
        "五岁": child(home, "五岁", "20210101"),  # 5 on the start day
        "十六岁": child(home, "十六岁", "20100105"),  # turned 16 on the start day
        "三级": child(home, "三级", "20160101", grade="3"),
        "无残疾": child(home, "无残疾", "20160101", category="", grade=""),
        "已故": child(home, "已故", "20160101", status="死亡"),
    }
    refusals = {}
    for name, member in cases.items():
        with pytest.raises(services.Refused) as refused:
            enrol(world.admin, member)
        refusals[name] = str(refused.value)
    assert "6—15周岁" in refusals["五岁"] and "5周岁" in refusals["五岁"]
    assert "16周岁" in refusals["十六岁"]
    assert "重度" in refusals["三级"] and "智力三级" in refusals["三级"]
    assert "未录入残疾信息" in refusals["无残疾"]
    assert "死亡" in refusals["已故"]
    fifteen = child(home, "十五岁", "20100106")  # 15 on the start day: the last day before he turns 16
    enrolment = enrol(world.officer_a, fifteen)
    assert enrolment.member == fifteen and enrolment.is_current
    with pytest.raises(services.Refused, match="已在送教上门名单中"):
        enrol(world.officer_a, fifteen)
    with pytest.raises(services.Refused, match="管辖范围"):
        enrol(world.officer_b, child(home, "他村", "20160101"))
    assert HomeTeaching.objects.count() == 1


def test_visits_are_refused_in_the_future_before_the_start_or_without_content(world, home):
    enrolment = enrol(world.officer_a, child(home, "甲", "20160101"))
    with pytest.raises(services.Refused, match="晚于今天"):
        visit(world.officer_a, enrolment, TODAY + datetime.timedelta(days=1))
    with pytest.raises(services.Refused, match="送教期间"):
        visit(world.officer_a, enrolment, START - datetime.timedelta(days=1))
    with pytest.raises(services.Refused, match="送教内容"):
        visit(world.officer_a, enrolment, TODAY, content=" ")
    with pytest.raises(services.Refused, match="无权"):
        visit(world.reviewer_a, enrolment, TODAY)  # the township reviews, the village records
    recorded = visit(world.officer_a, enrolment, TODAY)
    assert (recorded.teacher, recorded.recorded_by) == ("刘老师", world.officer_a)


# --- the rule of two a month ------------------------------------------------------------------------------------


def shortfall(user, today=TODAY) -> set[str]:
    return set(short_this_month(user, today).values_list("member__name", flat=True))


def test_two_visits_a_month_boundaries(world, home):
    once = enrol(world.officer_a, child(home, "一次", "20160101"))
    twice = enrol(world.officer_a, child(home, "两次", "20160102"))
    last_month = enrol(world.officer_a, child(home, "上月", "20160103"))
    visit(world.officer_a, once, datetime.date(2026, 5, 3))
    visit(world.officer_a, twice, datetime.date(2026, 5, 1))
    visit(world.officer_a, twice, datetime.date(2026, 5, 20))
    for day in (datetime.date(2026, 4, 10), datetime.date(2026, 4, 30), datetime.date(2026, 5, 2)):
        visit(world.officer_a, last_month, day)  # two in April, one in May: short this month
    assert shortfall(world.officer_a) == {"一次", "上月"}
    # the same rows behind 我的待办's line
    assert set(item_queryset(KEY, world.officer_a, TODAY).values_list("member__name", flat=True)) == {"一次", "上月"}
    # on the last day of April, April's visits are the month's: 上月 has two, 一次 and 两次 none
    assert shortfall(world.officer_a, datetime.date(2026, 4, 30)) == {"一次", "两次"}
    # a second visit clears the line
    visit(world.officer_a, once, datetime.date(2026, 5, 19))
    assert shortfall(world.officer_a) == {"上月"}


def test_a_child_who_turned_16_or_ended_leaves_the_line(world, home):
    enrol(world.officer_a, child(home, "今天满16", "20100520"))  # 16 on TODAY
    enrol(world.officer_a, child(home, "明天满16", "20100521"))  # 15 until tomorrow
    ended = enrol(world.officer_a, child(home, "已入校", "20160101"))
    services.end_enrolment(
        user=world.officer_a, enrolment=ended, end_date=datetime.date(2026, 5, 10), reason="入校就读"
    )
    later = enrol(world.officer_a, child(home, "下月开始", "20160101"), start=datetime.date(2026, 5, 21))
    assert shortfall(world.officer_a) == {"明天满16"}
    assert later.start_date > TODAY
    with pytest.raises(services.Refused, match="已结束"):
        services.end_enrolment(user=world.officer_a, enrolment=ended, end_date=TODAY, reason="重复")


def test_the_line_is_in_scope(world, home):
    enrol(world.officer_a, child(home, "甲村儿童", "20160101"))
    assert shortfall(world.officer_a) == {"甲村儿童"}
    assert shortfall(world.reviewer_a) == {"甲村儿童"}  # the township above sees it
    assert shortfall(world.officer_b) == set()
    items = {item.key: item for item in tally(world.officer_a, TODAY)[0]}
    assert items[KEY].count == 1 and items[KEY].label == "本月送教上门不足2次" and items[KEY].own
    assert items[KEY].url.endswith(f"?todo={KEY}")
    assert {item.key: item for item in tally(world.officer_b, TODAY)[0]}[KEY].count == 0


# --- pages ------------------------------------------------------------------------------------------------------


def test_pages_enrol_record_and_end(world, home, client_for):
    today = timezone.localdate()
    member = child(home, "王小宝", "20160101")
    client = client_for(world.officer_a)
    response = client.post(
        "/sectors/home-teaching/add/",
        {
            "id_number": member.id_number,
            "school": "甲镇中心小学",
            "teacher": "陈老师",
            "start_date": (today - datetime.timedelta(days=40)).isoformat(),
        },
    )
    enrolment = HomeTeaching.objects.get(member=member)
    assert response.status_code == 302 and response["Location"] == f"/sectors/home-teaching/{enrolment.pk}/"
    listed = client.get(f"/sectors/home-teaching/?todo={KEY}").content.decode()
    assert "王小宝" in listed and "不足2次" in listed
    exported = client_for(world.admin).get("/sectors/home-teaching/?export=xlsx")
    rows = CalamineWorkbook.from_filelike(io.BytesIO(exported.content)).get_sheet_by_index(0).to_python()
    assert any("王小宝" in row and 0 in row for row in rows)  # this month's visits: none yet
    client = client_for(world.officer_a)
    response = client.post(
        f"/sectors/home-teaching/{enrolment.pk}/visits/add/",
        {"taught_on": today.isoformat(), "content": "认识颜色", "teacher": ""},
    )
    assert response.status_code == 302
    assert HomeTeachingVisit.objects.get(enrolment=enrolment).teacher == "陈老师"
    page = client.get(f"/sectors/home-teaching/{enrolment.pk}/").content.decode()
    assert "认识颜色" in page and "本月送教" in page and "1 次" in page
    refused = client.post(
        f"/sectors/home-teaching/{enrolment.pk}/visits/add/",
        {"taught_on": (today + datetime.timedelta(days=1)).isoformat(), "content": "明天"},
    )
    assert refused.status_code == 422 and "送教日期不能晚于今天" in refused.content.decode()
    other = client_for(world.officer_b)
    assert other.get(f"/sectors/home-teaching/{enrolment.pk}/").status_code == 404
    assert "王小宝" not in other.get("/sectors/home-teaching/").content.decode()
    client = client_for(world.officer_a)
    client.post(f"/sectors/home-teaching/{enrolment.pk}/end/", {"end_date": today.isoformat(), "reason": "入校就读"})
    enrolment.refresh_from_db()
    assert (enrolment.end_date, enrolment.end_reason) == (today, "入校就读")


def test_enrolling_an_unknown_id_number_says_so(world, client_for):
    response = client_for(world.officer_a).post(
        "/sectors/home-teaching/add/",
        {"id_number": "11010519491231002X", "school": "校", "teacher": "师", "start_date": "2026-01-05"},
    )
    assert response.status_code == 422 and "本辖区没有该证件号码的家庭成员" in response.content.decode()


# --- ledgers ----------------------------------------------------------------------------------------------------


def test_home_teaching_ledger_rows(world, home, tmp_path):
    short = enrol(world.officer_a, child(home, "不足", "20160101"))
    met = enrol(world.officer_a, child(home, "达标", "20160102", grade="2"))
    visit(world.officer_a, short, datetime.date(2026, 5, 3))
    visit(world.officer_a, met, datetime.date(2026, 5, 4))
    visit(world.officer_a, met, datetime.date(2026, 5, 18))
    visit(world.officer_a, short, datetime.date(2026, 4, 18))  # another month
    other = make_household(world.village_b, household_no="S2", head="乙户主")
    enrol(world.officer_b, child(other, "乙村", "20160101"))
    sheet = build("home-teaching", world.officer_a, tmp_path, month="2026-05-20")
    assert sheet.names() == ["不足", "达标"]  # village B's child is out of scope
    assert sheet.row_of("姓名", "不足")["当月送教次数"] == 1
    assert sheet.row_of("姓名", "不足")["达到每月2次"] == "否"
    assert sheet.row_of("姓名", "达标")["送教日期"] == "4日、18日"
    assert sheet.row_of("姓名", "达标")["残疾等级"] == "二级"
    assert sheet.row_of("姓名", "达标")["达到每月2次"] == "是"
    ledger = engine.resolve("home-teaching", world.admin)
    ledger.filter_values["short"] = True
    ctx = engine.make_context(ledger, world.admin, "", {"month": "2026-05-20"})
    assert list(engine.build_queryset(ledger, ctx).values_list("member__name", flat=True)) == ["不足", "乙村"]


HEALTH_HEADERS = ["姓名", "证件号码", "病种", "是否签约", "本年度服务次数", "签约医生"]


def test_chronic_ledger_takes_the_latest_list_of_the_year(world, home, tmp_path):
    year = timezone.localdate().year
    head = home.members.get(relation="户主")
    wife = make_member(home, name="送教妻", relation="配偶", male=False)
    son = make_member(home, name="送教子", relation="之子", birth="19990101")
    ordinary = make_household(world.village_a, household_no="S3", head="普通户主")
    outsider = ordinary.members.get(relation="户主")
    earlier = [
        ["送教户主", head.id_number, "高血压", "已签约", 2, "李医生"],
        ["送教妻", wife.id_number, "糖尿病", "未签约", 0, ""],
        ["送教子", son.id_number, "冠心病", "已签约", 6, "李医生"],  # not one of the four
        ["普通户主", outsider.id_number, "高血压", "已签约", 1, "李医生"],  # not 脱贫/监测
    ]
    run_list(tmp_path, "health", HEALTH_HEADERS, earlier, period=f"{year}-03", user=world.admin, name="a.xlsx")
    later = [["送教户主", head.id_number, "原发性高血压", "是", 4, "王医生"]]  # served again since
    run_list(tmp_path, "health", HEALTH_HEADERS, later, period=f"{year}-06", user=world.admin, name="b.xlsx")
    sheet = build("chronic-signing", world.admin, tmp_path, year=str(year))
    assert sheet.names() == ["送教户主", "送教妻"]
    assert sheet.row_of("姓名", "送教户主")["本年度服务次数"] == "4"  # a health column: text, masked like 病种
    assert sheet.row_of("姓名", "送教户主")["签约且服务满4次"] == "是"
    assert sheet.row_of("姓名", "送教户主")["名单期"] == f"{year}-06"
    wife_row = sheet.row_of("姓名", "送教妻")
    assert (wife_row["病种"], wife_row["是否签约"], wife_row["签约且服务满4次"]) == ("糖尿病", "否", "否")
    ledger = engine.resolve("chronic-signing", world.admin)
    ledger.filter_values["unmet"] = True
    ctx = engine.make_context(ledger, world.admin, "", {"year": str(year)})
    assert list(engine.build_queryset(ledger, ctx).values_list("name", flat=True)) == ["送教妻"]
    assert build("chronic-signing", world.officer_b, tmp_path, year=str(year)).names() == []
    assert build("chronic-signing", world.admin, tmp_path, year=str(year - 1)).names() == []
