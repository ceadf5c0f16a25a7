"""The 项目库 chain (issue 21 §1–2): a village's project from 村申报 through 乡镇审核, 县级论证, a 公示 with an
objection, 入库, the annual plan, 下达, 预算执行, payments by progress, 竣工, 验收 and 报账 to its asset; an upheld
objection sends it back; a department's project starts at 县级论证; the refusals on the way."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from shoudi.accounts.roles import DEPARTMENT, TOWNSHIP_REVIEWER
from shoudi.accounts.testing import make_user
from shoudi.projects import choices as c
from shoudi.projects import services
from shoudi.projects.models import Project
from shoudi.projects.testing import advance, propose
from shoudi.registry.testing import make_household

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("national_calendar")]
D = datetime.date


def _client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


PROPOSAL = {
    "name": "甲村产业路硬化",
    "project_type": "基础设施",
    "subtype": "农村道路",
    "location": "甲村一组至三组",
    "implementing_unit": "县交通运输局",
    "year": "2026",
    "content": "硬化道路 3 公里，宽 4.5 米",
    "budget_central": "300000",
    "budget_province": "100000",
    "budget_city": "0",
    "budget_county": "50000",
    "budget_other": "20000.50",
    "linkage": "优先聘用脱贫劳动力务工",
    "beneficiaries": "H-1，H-2",
}


def test_a_village_project_through_the_whole_chain_with_an_objection(world):
    h1 = make_household(world.village_a, household_no="H-1", head="张三")
    h2 = make_household(world.village_a, household_no="H-2", head="李四")
    officer, reviewer, admin = _client(world.officer_a), _client(world.reviewer_a), _client(world.admin)

    page = officer.post("/projects/add/", {**PROPOSAL, "region": world.village_a.pk})
    assert page.status_code == 302
    project = Project.objects.get(name="甲村产业路硬化")
    assert project.state == c.PROPOSED and project.proposer_level == "village"
    assert project.budget_total == Decimal("470000.50") and project.budget_linkage == Decimal("450000.00")
    assert project.beneficiaries.count() == 2
    url = f"/projects/{project.pk}/"

    # 乡镇审核: the township's reviewer, not the village
    assert 'id="form-township_review"' not in officer.get(url).content.decode()
    assert 'id="form-township_review"' in reviewer.get(url).content.decode()
    assert officer.post(url + "township_review/", {"decision": "approve"}).status_code == 403
    reviewer.post(url + "township_review/", {"township_review-text": "符合村级需求", "decision": "approve"})
    project.refresh_from_db()
    assert project.state == c.REVIEWED

    # 县级论证
    admin.post(url + "county_assess/", {"county_assess-text": "论证可行，纳入项目库", "decision": "approve"})
    project.refresh_from_db()
    assert project.state == c.ASSESSED and project.assessment == "论证可行，纳入项目库"
    with pytest.raises(services.TransitionRefused, match="入库前须公告公示"):
        services.enter_library(project=project, user=world.admin, today=D(2026, 4, 1))

    # 公示 with an objection, which holds the project until it is resolved
    photo = SimpleUploadedFile("公示.jpg", b"\xff\xd8\xff\xe0 photo", content_type="image/jpeg")
    officer.post(
        url + "publicize/",
        {
            "publicize-stage": "入库公示",
            "publicize-start": "2026-03-02",
            "publicize-end": "2026-03-08",
            "publicize-place": "甲村村务公开栏",
            "publicize-photo": photo,
        },
    )
    publicity = project.publicities.get()
    assert publicity.days == 7
    with pytest.raises(services.TransitionRefused, match="期满后方可入库"):
        services.enter_library(project=project, user=world.admin, today=D(2026, 3, 8))
    officer.post(
        url + "objection/",
        {
            "objection-publicity": publicity.pk,
            "objection-received_on": "2026-03-05",
            "objection-raised_by": "村民王五",
            "objection-content": "线路未经过三组",
        },
    )
    objection = publicity.objections.get()
    with pytest.raises(services.TransitionRefused, match="还有未处理的公示异议"):
        services.enter_library(project=project, user=world.admin, today=D(2026, 3, 10))
    assert "线路未经过三组" in admin.get(url).content.decode()
    officer.post(
        url + "resolve/",
        {"resolve-objection": objection.pk, "resolve-upheld": "0", "resolve-resolution": "经核实线路已覆盖三组"},
    )
    objection.refresh_from_db()
    assert objection.upheld is False
    with pytest.raises(services.TransitionRefused, match="县级管理员"):
        services.enter_library(project=project, user=world.reviewer_a, today=D(2026, 3, 10))
    project = services.enter_library(project=project, user=world.admin, today=D(2026, 3, 10))
    assert project.state == c.LIBRARY and project.library_on == D(2026, 3, 10)

    project = _plan_build_and_pay(world, project, officer, admin, url)

    asset = services.register_asset(
        project=project, user=world.officer_a, name="甲村产业路", kind="公益性", value="300000", region=world.village_a
    )
    assert asset.transfer_due == D(2026, 10, 3) and set(asset.beneficiaries.all()) == {h1, h2}
    actions = list(project.steps.values_list("action", flat=True))
    assert actions[:7] == ["村申报", "乡镇审核通过", "县级论证通过", "公告公示", "收到公示异议", "处理公示异议", "入库"]
    assert actions[7:] == [
        "纳入年度计划",
        "资金下达",
        "预算执行",
        "民主议事（四议两公开）",
        "开工",
        "进度",
        "资金拨付",
        "村监委会监督",
        "竣工",
        "竣工验收",
        "资金拨付",
        "报账",
        "登记资产",
    ]
    # the 公示 photo is served to whoever sees the project, and to nobody else
    assert officer.get(f"/system/files/project_publicity/{publicity.pk}/").status_code == 200
    assert _client(world.officer_b).get(f"/system/files/project_publicity/{publicity.pk}/").status_code == 404


def _plan_build_and_pay(world, project, officer, admin, url):
    """The annual plan, 下达, 预算执行, 民主议事, 开工, payments by progress, 竣工, 验收 and 报账."""
    # the annual plan: the chosen projects are shown before they are confirmed
    preview = admin.post("/projects/plan/", {"year": "2026", "projects": [project.pk]})
    assert "确认纳入 2026 年度项目计划" in preview.content.decode()
    project.refresh_from_db()
    assert project.state == c.LIBRARY  # nothing written yet
    admin.post("/projects/plan/", {"year": "2026", "projects": [project.pk], "confirm": "1"})
    project.refresh_from_db()
    assert project.state == c.PLANNED and project.plan_year == 2026
    assert "甲村产业路硬化" in admin.get("/projects/plan/?year=2026").content.decode()

    # 下达, 预算执行, 民主议事, 开工, payments by progress
    with pytest.raises(services.TransitionRefused, match="超过项目中央衔接资金预算"):
        services.allocate(
            project=project, user=world.admin, source="central", amount="300000.01", allocated_on=D(2026, 4, 1)
        )
    admin.post(
        url + "allocate/",
        {"allocate-source": "central", "allocate-amount": "300000", "allocate-allocated_on": "2026-04-01"},
    )
    allocation = project.allocations.get()
    assert allocation.execution_due == D(2026, 4, 23)  # 15 working days: 清明 4-4…4-6 off
    services.start_execution(allocation=allocation, user=world.admin, started_on=D(2026, 4, 10), note="签订施工合同")
    services.record_decision(
        project=project,
        user=world.officer_a,
        kind="民主议事（四议两公开）",
        decided_on=D(2026, 4, 12),
        content="村民代表会议决议由村集体组织施工",
        steps=list(c.FOUR_TWO_STEPS),
    )
    services.start_works(project=project, user=world.officer_a, started_on=D(2026, 4, 15))
    officer.post(
        url + "progress/", {"progress-percent": "40", "progress-reported_on": "2026-05-15", "progress-text": "路基完成"}
    )
    project.refresh_from_db()
    assert project.progress == 40
    with pytest.raises(services.TransitionRefused, match="按进度拨付"):
        services.record_payment(
            project=project, user=world.admin, kind="进度款", amount="200000", paid_on=D(2026, 5, 20)
        )
    services.record_payment(project=project, user=world.admin, kind="进度款", amount="180000", paid_on=D(2026, 5, 20))
    with pytest.raises(services.TransitionRefused, match="不能低于上次"):
        services.record_progress(project=project, user=world.officer_a, percent=30, text="回退")
    services.record_supervision(
        project=project, user=world.officer_a, content="检查路面厚度", issues="", supervised_on=D(2026, 6, 1)
    )
    project = services.complete(project=project, user=world.officer_a, completed_on=D(2026, 6, 30))
    with pytest.raises(services.TransitionRefused, match="在竣工验收后拨付"):
        services.record_payment(project=project, user=world.admin, kind="结算款", amount="100", paid_on=D(2026, 7, 1))
    project = services.accept(project=project, user=world.reviewer_a, accepted_on=D(2026, 7, 3), text="质量合格")
    services.record_payment(project=project, user=world.admin, kind="结算款", amount="120000", paid_on=D(2026, 7, 10))
    with pytest.raises(services.TransitionRefused, match="少于已拨付"):
        services.settle(project=project, user=world.admin, settled_on=D(2026, 7, 15), kind="报账", amount="200000")
    project = services.settle(
        project=project, user=world.admin, settled_on=D(2026, 7, 15), kind="报账", amount="300000"
    )
    assert project.state == c.SETTLED

    return project


def test_an_upheld_objection_sends_the_project_back_for_revision(world):
    project = advance(
        propose(world.officer_a, world.village_a), c.ASSESSED, reviewer=world.reviewer_a, admin=world.admin
    )
    publicity = services.publicize(
        project=project, user=world.officer_a, stage="入库公示", start=D(2026, 3, 2), end=D(2026, 3, 8), place="公开栏"
    )
    objection = services.add_objection(
        publicity=publicity, user=world.officer_a, content="受益户名单有误", received_on=D(2026, 3, 3)
    )
    services.resolve_objection(objection=objection, user=world.officer_a, upheld=True, resolution="调整受益户名单")
    project.refresh_from_db()
    assert project.state == c.RETURNED and "调整受益户名单" in project.returned_reason
    page = _client(world.officer_a).get(f"/projects/{project.pk}/").content.decode()
    assert "退回修改：公示异议成立：调整受益户名单" in page and "修改申报内容" in page
    services.revise_project(project=project, user=world.officer_a, **_fields(project, name="甲村产业路硬化（调整）"))
    services.resubmit(project=project, user=world.officer_a, text="已调整")
    project.refresh_from_db()
    assert project.state == c.PROPOSED and project.name == "甲村产业路硬化（调整）"


def _fields(project, **changes) -> dict:
    names = ("name", "project_type", "subtype", "region", "implementing_unit", "year", "budget_central", "linkage")
    return {**{n: getattr(project, n) for n in names}, **changes}


def test_refusals_at_each_review(world):
    reviewer_b = make_user("reviewer_b", TOWNSHIP_REVIEWER, world.township_b, name="乙镇审核员")
    project = propose(world.officer_a, world.village_a)
    with pytest.raises(services.TransitionRefused, match="不在您的管辖范围"):
        services.township_review(project=project, user=reviewer_b, decision="approve")
    with pytest.raises(services.TransitionRefused, match="请填写理由"):
        services.township_review(project=project, user=world.reviewer_a, decision="return")
    with pytest.raises(services.TransitionRefused, match="乡镇审核员"):
        services.township_review(project=project, user=world.admin, decision="approve")
    services.township_review(project=project, user=world.reviewer_a, decision="reject", text="与已建项目重复")
    project.refresh_from_db()
    assert project.state == c.REJECTED
    with pytest.raises(services.TransitionRefused, match="不能进行此操作"):
        services.county_assess(project=project, user=world.admin, decision="approve")
    with pytest.raises(services.TransitionRefused, match="不属于"):
        propose(world.officer_a, world.village_a, subtype="光伏")
    with pytest.raises(services.TransitionRefused, match="不在您的管辖范围"):
        propose(world.officer_a, world.village_b)
    other = make_household(world.village_b, household_no="B-1")
    with pytest.raises(services.TransitionRefused, match="不在建设地点"):
        propose(world.reviewer_a, world.village_a, beneficiaries=[other])


def test_a_departments_project_starts_at_the_county_assessment(world):
    department = make_user("nongye", DEPARTMENT, world.county, department="rural_revitalization", name="县乡村振兴局")
    page = _client(department).post("/projects/add/", {**PROPOSAL, "beneficiaries": "", "region": world.village_a2.pk})
    assert page.status_code == 302
    project = Project.objects.get()
    assert project.state == c.REVIEWED and project.proposer_level == "county"
    assert project.proposer_unit == "测试县乡村振兴"
    assert services.project_actions(project, world.reviewer_a) == {"publicize", "target"}  # no township review
    services.county_assess(project=project, user=department, decision="approve", text="可行")
    project.refresh_from_db()
    assert project.state == c.ASSESSED
    with pytest.raises(services.TransitionRefused, match="县级管理员"):
        services.enter_library(project=project, user=department)


def test_a_project_is_taken_out_of_the_plan_until_funds_are_allocated(world, client_for):
    project = advance(
        propose(world.officer_a, world.village_a), c.PLANNED, reviewer=world.reviewer_a, admin=world.admin
    )
    services.withdraw_from_plan(project=project, user=world.admin, reason="资金不足，调整至下年")
    project.refresh_from_db()
    assert project.state == c.LIBRARY and project.plan_year is None
    services.select_into_plan(projects=[project], user=world.admin, year=2026)
    services.allocate(project=project, user=world.admin, source="central", amount="1000", allocated_on=D(2026, 3, 20))
    with pytest.raises(services.TransitionRefused, match="已下达资金"):
        services.withdraw_from_plan(project=project, user=world.admin, reason="再调")
    with pytest.raises(services.TransitionRefused, match="只有已入库项目"):
        services.select_into_plan(projects=[project], user=world.admin, year=2027)


def test_only_proposals_still_in_the_villages_hands_are_edited(world, client_for):
    project = propose(world.officer_a, world.village_a)
    client = client_for(world.officer_a)
    assert client.get(f"/projects/{project.pk}/edit/").status_code == 200
    page = client.post(f"/projects/{project.pk}/publicize/", {"publicize-place": "公开栏"}, follow=True)
    assert "未提交：公示类型：这个字段是必填项。；公示开始：这个字段是必填项。" in page.content.decode()
    assert not project.publicities.exists()
    services.township_review(project=project, user=world.reviewer_a, decision="approve")
    assert client.get(f"/projects/{project.pk}/edit/").status_code == 403
