"""易地扶贫搬迁安置点 as a user meets them: the 安置区 of the national file creating the site it names (with a warning,
never refusing the household) and written back by the export, the site's page and its counts, the masked phones, a
quarterly 排查 raising problems that run to 销号, and the rule of at least one employed member per household with
labour, as the data-quality rule, the site page and the dashboard card count it."""

from __future__ import annotations

import datetime

import pytest
from django.urls import reverse
from python_calamine import CalamineWorkbook

from shoudi.core.context import acting_as
from shoudi.core.models import AccessLog
from shoudi.dashboards.cards import CardContext
from shoudi.dashboards.resettlement import sites_present
from shoudi.quality.engine import evaluate, params_for
from shoudi.quality.rules import rule_by_code
from shoudi.registry.exporting import export_households
from shoudi.registry.importing import commit_household_import, preview_household_import
from shoudi.registry.models import Household, ResettlementSite, SiteInspection
from shoudi.registry.national import write_national_xlsx
from shoudi.registry.synthetic import generate_rows
from shoudi.registry.testing import make_household, make_member, make_site
from shoudi.work import services as work
from shoudi.work.models import Problem

pytestmark = pytest.mark.django_db

RULE = "9_01_010"


def _rows(world, village, count: int, *, seed: int, start_no: int = 1, site: str = "") -> list[dict]:
    rows = list(generate_rows([village], households=count, seed=seed, start_no=start_no))
    for row in rows:
        row["是否易地扶贫搬迁户"] = "是" if site else "否"
        row["安置区"] = site
    return rows


def _write(path, rows):
    write_national_xlsx(path, rows, title="测试县农户信息", details="导出时间：2026-01-15 10:20:30")
    return path


def _read(path) -> list[list]:
    return CalamineWorkbook.from_path(str(path)).get_sheet_by_index(0).to_python(skip_empty_area=False)


# --- the national file ---------------------------------------------------------------------------------------------


def test_an_unknown_site_is_created_in_the_county_with_a_warning_and_the_export_writes_its_name(world, tmp_path):
    known = make_site(world.village_a, name="幸福家园")
    rows = [
        *_rows(world, world.village_a, 1, seed=3, site="城南  安置点"),
        *_rows(world, world.village_b, 1, seed=4, start_no=2, site="城南 安置点"),
        *_rows(world, world.village_b, 1, seed=5, start_no=3, site="幸福家园"),
        *_rows(world, world.village_a, 1, seed=6, start_no=4),
    ]
    path = _write(tmp_path / "a.xlsx", rows)

    with acting_as(world.admin, source="web"):
        checked = preview_household_import(path, user=world.admin)
    assert checked.ok and not ResettlementSite.objects.filter(name="城南 安置点").exists()  # a check creates nothing
    assert [w.message for w in checked.warnings if "城南 安置点" in w.message] == [
        "安置区“城南 安置点”尚未登记为安置点，确认导入时将在本县新建该安置点"
    ]

    with acting_as(world.admin, source="web"):
        result = commit_household_import(path, user=world.admin)
    assert result.committed and result.ok
    created = ResettlementSite.objects.get(name="城南 安置点")
    assert (created.county, created.community) == (world.county, world.village_a)  # the first household's village
    warned = [w for w in result.warnings if "安置区" in w.message]
    assert len(warned) == 1 and warned[0].row == 4 and warned[0].field == "安置区"
    assert "已新建安置点" in warned[0].message and "幸福家园" not in warned[0].message
    by_no = {h.household_no: h for h in Household.objects.select_related("resettlement_site")}
    numbers = list(dict.fromkeys(row["户编号"] for row in rows))
    assert [by_no[n].resettlement_site for n in numbers] == [created, created, known, None]

    out = tmp_path / "export.xlsx"
    export_households(out, region=world.county, user=world.admin)
    sheet = _read(out)
    header = sheet[2]
    column, number = header.index("安置区"), header.index("户编号")
    written = {row[number]: row[column] for row in sheet[3:]}
    assert [written[n] for n in numbers] == ["城南 安置点", "城南 安置点", "幸福家园", ""]

    # the exported file imported again changes nothing and creates no site
    with acting_as(world.admin, source="web"):
        again = commit_household_import(out, user=world.admin)
    assert again.ok and ResettlementSite.objects.count() == 2
    assert not [w for w in again.warnings if "安置区" in w.message]


def test_a_site_of_another_county_with_the_same_name_is_another_site(world, tmp_path):
    make_site(world.other_village, name="城南安置点")
    path = _write(tmp_path / "a.xlsx", _rows(world, world.village_a, 1, seed=8, site="城南安置点"))
    with acting_as(None, source="cli"):
        result = commit_household_import(path, user=None)
    assert result.ok
    household = Household.objects.get(village=world.village_a)
    assert household.resettlement_site.county == world.county
    assert ResettlementSite.objects.filter(name="城南安置点").count() == 2


# --- the pages -----------------------------------------------------------------------------------------------------


@pytest.fixture
def site(world):
    """幸福家园 in village A: a household of A (head and a son of labour, nobody employed, a dead father), one of B
    (its wife on a 公益性岗位), both relocated; a household of A not resettled."""
    site = make_site(
        world.village_a,
        name="幸福家园",
        leader_name="赵县长",
        leader_phone="13912345678",
        manager_name="钱主任",
        manager_phone="13887654321",
    )
    a = make_household(world.village_a, head="孙甲", relocated=True, resettlement_site=site)
    a.members.update(labour_skill="普通劳动力")
    make_member(a, name="孙甲子", labour_skill="技能劳动力", birth="20000101")
    make_member(a, name="孙甲父", relation="之父", birth="19400101", status="死亡")
    b = make_household(world.village_b, head="周乙", relocated=True, resettlement_site=site)
    make_member(b, name="吴乙妻", relation="配偶", labour_skill="普通劳动力", public_welfare_job="保洁员", male=False)
    make_household(world.village_a, head="郑丙")
    return {"site": site, "a": a, "b": b}


def test_the_site_page_counts_households_persons_labour_and_employment(world, site, client):
    client.force_login(world.admin)
    page = client.get(reverse("registry:resettlementsite_detail", args=[site["site"].pk])).content.decode()
    assert "安置 <strong>2</strong> 户 <strong>4</strong> 人；有劳动力 3 人，已就业 1 人" in page
    assert "有劳动力但无人就业 1 户" in page
    assert "孙甲" in page and "周乙" in page and "郑丙" not in page

    listing = client.get(reverse("registry:resettlementsite_list")).content.decode()
    assert "幸福家园" in listing and "甲村" in listing and "33%" in listing


def test_a_village_officer_sees_the_phones_masked_and_cannot_show_them(world, site, client):
    url = reverse("registry:resettlementsite_detail", args=[site["site"].pk])
    client.force_login(world.officer_a)
    page = client.get(url).content.decode()
    assert "139****5678" in page and "138****4321" in page
    assert "13912345678" not in page and "13887654321" not in page and "显示完整号码" not in page
    # his list shows only his village's household among those resettled here
    assert "孙甲" in page and "周乙" not in page
    unmask = reverse("registry:resettlementsite_unmask", args=[site["site"].pk, "leader_phone"])
    assert client.get(unmask).status_code == 403

    client.force_login(world.admin)
    assert "显示完整号码" in client.get(url).content.decode()
    assert "13912345678" in client.get(unmask).content.decode()
    logged = AccessLog.objects.get(action=AccessLog.UNMASK, user=world.admin)
    assert logged.object_id == str(site["site"].pk) and logged.field == "leader_phone"


def test_sites_are_seen_within_the_users_region_only(world, site, client):
    url = reverse("registry:resettlementsite_detail", args=[site["site"].pk])
    client.force_login(world.officer_b)  # his household lives there, the site lies in village A
    assert client.get(url).status_code == 404
    assert "幸福家园" not in client.get(reverse("registry:resettlementsite_list")).content.decode()
    client.force_login(world.reviewer_a)
    assert client.get(url).status_code == 200
    assert client.get(reverse("registry:resettlementsite_add")).status_code == 403  # the county keeps the list
    client.force_login(world.officer_a)
    assert client.get(reverse("registry:siteinspection_add", args=[site["site"].pk])).status_code == 403


def test_the_county_admin_adds_a_site_and_a_second_of_the_same_name_is_refused(world, client):
    client.force_login(world.admin)
    form = {
        "county": world.county.pk,
        "name": "安康小区",
        "community": world.village_b.pk,
        "leader_phone": "13900000000",
    }
    response = client.post(reverse("registry:resettlementsite_add"), form)
    site = ResettlementSite.objects.get(name="安康小区")
    assert response.status_code == 302 and site.region_code == world.village_b.code
    again = client.post(reverse("registry:resettlementsite_add"), form)
    assert again.status_code == 200 and ResettlementSite.objects.filter(name="安康小区").count() == 1


# --- the quarterly 排查 ---------------------------------------------------------------------------------------------


def test_an_inspection_raises_problems_that_run_to_closure(world, site, client, national_calendar):
    client.force_login(world.reviewer_a)
    url = reverse("registry:siteinspection_add", args=[site["site"].pk])
    response = client.post(
        url,
        {
            "year": 2026,
            "quarter": 4,
            "inspected_on": "2026-11-20",
            "inspector": "甲镇排查组",
            "findings": "住房质量、消防通道排查",
            "problems": "3号楼外墙渗水\n\n消防通道堵塞\n",
            "category": "其他",
            "due_workdays": 10,
        },
    )
    assert response.status_code == 302
    inspection = SiteInspection.objects.get(site=site["site"])
    problems = list(Problem.objects.filter(source_model="registry.siteinspection").order_by("id"))
    assert [p.title for p in problems] == [
        "幸福家园2026年第四季度排查：3号楼外墙渗水",
        "幸福家园2026年第四季度排查：消防通道堵塞",
    ]
    assert {(p.source, p.region, p.issuer_region, p.issued_on) for p in problems} == {
        ("专项排查", world.village_a, world.township_a, datetime.date(2026, 11, 20))
    }
    assert problems[0].due_date == datetime.date(2026, 12, 4)  # 10 working days

    # the village rectifies, the township closes: the site's page follows
    first = problems[0]
    work.record_progress(problem=first, user=world.officer_a, text="已修补外墙")
    work.apply_closure(problem=Problem.objects.get(pk=first.pk), user=world.officer_a, text="修补完成")
    work.decide_closure(problem=Problem.objects.get(pk=first.pk), user=world.reviewer_a, approve=True)
    page = client.get(reverse("registry:resettlementsite_detail", args=[site["site"].pk])).content.decode()
    assert f'id="inspection-{inspection.pk}"' in page
    assert "3号楼外墙渗水</a> — 已销号" in page
    assert "消防通道堵塞</a> — 已下发（整改期限 2026-12-04）" in page


def test_an_inspection_without_problems_raises_none_and_a_site_without_community_refuses_problems(world, client):
    site = ResettlementSite.objects.create(county=world.county, name="未定点")
    client.force_login(world.admin)
    data = {
        "year": 2026,
        "quarter": 3,
        "inspected_on": "2026-09-10",
        "inspector": "县发改局",
        "category": "其他",
        "due_workdays": 10,
    }
    url = reverse("registry:siteinspection_add", args=[site.pk])
    assert client.post(url, data).status_code == 302
    refused = client.post(url, {**data, "problems": "路灯损坏"})
    assert refused.status_code == 422 and "请先在安置点信息中填写所在社区" in refused.content.decode()
    assert SiteInspection.objects.filter(site=site).count() == 1 and not Problem.objects.exists()


# --- 每户至少 1 人就业 ----------------------------------------------------------------------------------------------


def test_the_quality_rule_and_the_card_count_the_resettled_households_with_labour_and_nobody_employed(world, site):
    # a resettled household without labour is not counted, nor one not resettled with nobody employed
    none = make_household(world.village_a, head="冯老", relocated=True, resettlement_site=site["site"])
    none.members.update(labour_skill="丧失劳动力")
    idle = make_household(world.village_a, head="陈闲")
    idle.members.update(labour_skill="普通劳动力")

    found = evaluate(params_for("520102"), "520102", [rule_by_code(RULE)])[RULE]
    assert set(found) == {site["a"].pk}
    assert found[site["a"].pk].figures == {"户编号": site["a"].household_no, "安置点": "幸福家园", "劳动力": "2"}

    ctx = CardContext(region=world.county, user=world.admin, today=datetime.date(2026, 12, 1), figures={})
    data = sites_present(ctx)
    assert data.categories == ["幸福家园"]
    assert [s.values for s in data.series] == [[1], [3]]
    township = CardContext(region=world.township_b, user=world.admin, today=datetime.date(2026, 12, 1), figures={})
    assert [s.values for s in sites_present(township).series] == [[0], [1]]  # B's household only, employed


def test_the_card_links_to_the_households_it_counts(world, site, client):
    data = sites_present(
        CardContext(region=world.county, user=world.admin, today=datetime.date(2026, 12, 1), figures={})
    )
    client.force_login(world.admin)
    zero = client.get(data.series[0].links[0]).content.decode()
    assert "孙甲" in zero and "周乙" not in zero and "冯老" not in zero
    everyone = client.get(data.series[1].links[0]).content.decode()
    assert "孙甲" in everyone and "周乙" in everyone and "郑丙" not in everyone


# --- 安置点名单 ----------------------------------------------------------------------------------------------------


def test_the_site_list_ledger_and_page_show_the_sites_figures_leaders_and_team(world, site, tmp_path, client):
    from shoudi.teams.testing import make_member as make_team_member
    from shoudi.teams.testing import make_team, make_unit

    from .test_ledgers import build

    team = make_team(world.village_a, unit=make_unit(world.county, name="县发改局"))
    make_team_member(team, "钱书记", post="第一书记")
    make_site(world.other_village, name="邻县安置点")  # another county's site is not in the ledger

    sheet = build("resettlement-sites", world.admin, tmp_path)
    assert sheet.column("安置点名称") == ["幸福家园"]
    row = sheet.row_of("安置点名称", "幸福家园")
    assert (row["安置户数"], row["安置人数"], row["有劳动力人数"], row["已就业人数"]) == (2, 4, 3, 1)
    assert row["有劳动力无人就业（户）"] == 1 and row["务工占比"] == "33%"
    assert row["挂点领导"] == "赵县长" and row["挂点领导电话"] == "13912345678"
    assert row["驻村工作队"] == "县发改局：第一书记钱书记"

    client.force_login(world.officer_a)
    page = client.get(reverse("registry:resettlementsite_detail", args=[site["site"].pk])).content.decode()
    assert "甲村驻村工作队</a>（后盾单位：县发改局）" in page and "第一书记 钱书记" in page

    masked = build("resettlement-sites", world.officer_a, tmp_path)
    assert masked.row_of("安置点名称", "幸福家园")["挂点领导电话"] == "139****5678"
    assert build("resettlement-sites", world.officer_b, tmp_path).rows == []
