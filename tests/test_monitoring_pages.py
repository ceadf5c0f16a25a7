"""Case pages: the timeline, actions offered only to the user who may take them, refusals shown, batch review."""

from decimal import Decimal

import pytest
from django.utils import timezone

from shoudi.accounts.testing import make_user
from shoudi.monitoring import choices as c
from shoudi.monitoring import services as s
from shoudi.monitoring.models import MonitoringCase, MonitoringLine
from shoudi.monitoring.testing import case_at
from shoudi.registry.testing import make_household


@pytest.fixture
def cases(world):
    MonitoringLine.objects.create(region=world.county, year=2025, amount=Decimal("8000"))
    a = make_household(world.village_a, household_no="A200", head="刘甲")
    b = make_household(world.village_b, household_no="B200", head="陈乙")
    case_a = s.open_clue(household=a, user=world.officer_a, source="农户自主申报", note="因病支出大")
    case_b = s.open_clue(household=b, user=world.officer_b, source="基层干部排查")
    return case_a, case_b


def test_case_list_and_page_are_scoped(client_for, world, cases):
    case_a, case_b = cases
    client = client_for(world.officer_a)
    html = client.get("/monitoring/cases/").content.decode()
    assert "A200" in html and "B200" not in html
    assert client.get(f"/monitoring/cases/{case_b.pk}/").status_code == 404
    assert client_for(world.admin).get(f"/monitoring/cases/{case_b.pk}/").status_code == 200


def test_the_page_offers_the_next_step_only_to_who_may_take_it(client_for, world, cases):
    case_a, _ = cases
    officer = client_for(world.officer_a).get(f"/monitoring/cases/{case_a.pk}/").content.decode()
    assert f"/monitoring/cases/{case_a.pk}/act/verification/" in officer
    reviewer = client_for(world.reviewer_a).get(f"/monitoring/cases/{case_a.pk}/").content.decode()
    assert "/act/verification/" not in reviewer and "/act/reject/" not in reviewer
    inspector = client_for(world.inspector).get(f"/monitoring/cases/{case_a.pk}/").content.decode()
    assert "当前环节无需您办理" in inspector


def test_posting_a_step_moves_the_case_and_a_refusal_is_shown(client_for, world, cases):
    case_a, _ = cases
    client = client_for(world.officer_a)
    response = client.post(
        f"/monitoring/cases/{case_a.pk}/act/verification/",
        {
            "verification-visited_on": "2026-11-20",
            "verification-findings": "属实",
            "verification-signed": "1",
        },
        follow=True,
    )
    assert "请上传农户签字的承诺授权书" in response.content.decode()
    from django.core.files.uploadedfile import SimpleUploadedFile

    response = client.post(
        f"/monitoring/cases/{case_a.pk}/act/verification/",
        {
            "verification-visited_on": "2026-11-20",
            "verification-findings": "属实",
            "verification-signed": "1",
            "verification-authorization_file": SimpleUploadedFile("sq.pdf", b"%PDF"),
        },
        follow=True,
    )
    case_a.refresh_from_db()
    assert case_a.step == c.VILLAGE_REVIEW
    assert "已登记入户核实" in response.content.decode()


def test_a_user_out_of_scope_cannot_act(client_for, world, cases):
    case_a, _ = cases
    response = client_for(world.officer_b).post(f"/monitoring/cases/{case_a.pk}/act/reject/", {"reject-reason": "x"})
    assert response.status_code == 404
    case_a.refresh_from_db()
    assert case_a.is_open


def test_clue_form_from_the_household(client_for, world):
    home = make_household(world.village_a, household_no="A300", head="新户")
    client = client_for(world.officer_a)
    response = client.post(
        f"/monitoring/clue/?household={home.pk}",
        {"source": "农户自主申报", "clue_date": "2026-11-20", "note": "申请", "risk_types": ["因病"]},
    )
    case = MonitoringCase.objects.get(household=home)
    assert response.status_code == 302 and response["Location"] == f"/monitoring/cases/{case.pk}/"
    again = client.post(
        f"/monitoring/clue/?household={home.pk}",
        {"source": "农户自主申报", "clue_date": "2026-11-20", "note": "再次申请"},
    )
    assert "已有进行中的监测记录" in again.content.decode()


def test_batch_review_reports_each_case(client_for, world):
    homes = [make_household(world.village_a, household_no=f"A4{i}", head=f"户{i}") for i in range(3)]
    made = [case_at(h, c.TOWNSHIP_REVIEW) for h in homes]
    made[2].step = c.COUNTY_REVIEW  # already moved by someone else: the reviewer's list is stale
    made[2].save()
    client = client_for(world.reviewer_a)
    page = client.get("/monitoring/review/").content.decode()
    assert "A40" in page and "A41" in page and "A42" not in page
    response = client.post("/monitoring/review/", {"case": [m.pk for m in made], "approve": "1", "note": "同意"})
    html = response.content.decode()
    assert html.count("table-success") == 2 and html.count("table-danger") == 1
    assert "可能已被他人处理" in html
    assert [MonitoringCase.objects.get(pk=m.pk).step for m in made] == [c.COUNTY_REVIEW] * 3


def test_batch_review_for_the_county(client_for, world):
    home = make_household(world.village_b, household_no="B500", head="乙户")
    case = case_at(home, c.COUNTY_REVIEW)
    response = client_for(world.admin).post("/monitoring/review/", {"case": [case.pk], "approve": "0", "note": ""})
    assert "退回须填写原因" in response.content.decode()
    case.refresh_from_db()
    assert case.step == c.COUNTY_REVIEW
    client_for(world.admin).post("/monitoring/review/", {"case": [case.pk], "approve": "1"})
    case.refresh_from_db()
    assert case.step == c.MONITORING and case.identified_on == timezone.localdate()


def test_case_filters(client_for, world, cases):
    client = client_for(world.admin)
    html = client.get("/monitoring/cases/", {"source": "基层干部排查"}).content.decode()
    listed = html[html.index('id="object-list"') :]
    assert "B200" in listed and "A200" not in listed


def test_screen_page_starts_a_job(client_for, world, settings, django_capture_on_commit_callbacks):
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    home = make_household(world.village_a, household_no="A600", head="低收入户")
    from shoudi.registry.testing import make_income

    make_income(home, 2025, size=1, wage=5000)
    MonitoringLine.objects.create(region=world.county, year=2025, amount=Decimal("8000"))
    assert client_for(world.officer_a).get("/monitoring/screen/").status_code == 403
    with django_capture_on_commit_callbacks(execute=True):
        response = client_for(world.admin).post("/monitoring/screen/", {"year": "2025"})
    assert response.status_code == 302
    # two steps (issue 14): the page previews, and only the confirmation writes the clues
    preview = client_for(world.admin).get(response["Location"]).content.decode()
    assert "将为 1 户生成监测线索" in preview
    assert not MonitoringCase.objects.filter(household=home).exists()
    with django_capture_on_commit_callbacks(execute=True):
        client_for(world.admin).post(response["Location"], {"rule": ["below_line"], "all_villages": "1"})
    assert "已生成 1 条监测线索" in client_for(world.admin).get(response["Location"]).content.decode()
    assert MonitoringCase.objects.filter(household=home, source="部门筛查预警").exists()


def test_line_admin_is_for_the_county_admin(client_for, world):
    assert client_for(world.officer_a).get("/monitoring/lines/add/").status_code == 403
    response = client_for(world.admin).post(
        "/monitoring/lines/add/",
        {"region": world.county.pk, "year": 2026, "amount": "8300", "document_no": "测发〔2026〕2号"},
    )
    assert response.status_code == 302
    assert MonitoringLine.objects.get(year=2026).amount == Decimal("8300")
    other = make_user("admin_b", "county_admin", world.other_county)
    assert "测发〔2026〕2号" not in client_for(other).get("/monitoring/lines/").content.decode()
    officer_page = client_for(world.officer_a).get("/monitoring/lines/").content.decode()
    assert "测发〔2026〕2号" in officer_page
    line = MonitoringLine.objects.get(year=2026)
    edit = f"/monitoring/lines/{line.pk}/edit/"
    assert edit not in officer_page  # the village officer may read the line, not change it
    assert edit in client_for(world.admin).get("/monitoring/lines/").content.decode()


def test_household_page_shows_cases_and_offers_a_clue(client_for, world, cases):
    case_a, _ = cases
    html = client_for(world.officer_a).get(f"/registry/households/{case_a.household_id}/").content.decode()
    assert f"/monitoring/cases/{case_a.pk}/" in html and "入户核实" in html
    assert "提出监测线索" not in html  # one open case already
    fresh = make_household(world.village_a, household_no="A700", head="无记录户")
    html = client_for(world.officer_a).get(f"/registry/households/{fresh.pk}/").content.decode()
    assert "提出监测线索" in html and "无监测记录" in html


def test_household_list_filters_from_monitoring(client_for, world, cases):
    from shoudi.registry.testing import make_income

    case_a, case_b = cases
    case_a.step, case_a.category = c.MONITORING, "边缘易致贫户"
    case_a.save()
    make_income(case_b.household, 2025, size=1, wage=6000)
    client = client_for(world.admin)

    def listed(**params):
        html = client.get("/registry/households/", params).content.decode()
        return {no for no in ("A200", "B200") if no in html[html.index('id="object-list"') :]}

    assert listed(monitored="true") == {"A200"}
    assert listed(category="边缘易致贫户") == {"A200"}
    assert listed(below_line_year="2025") == {"B200"}


def test_attachments_are_uploaded_in_scope(client_for, world, cases):
    from django.core.files.uploadedfile import SimpleUploadedFile

    case_a, _ = cases
    response = client_for(world.officer_a).post(
        f"/monitoring/cases/{case_a.pk}/act/attach/",
        {"attach-kind": "会议记录", "attach-file": SimpleUploadedFile("研判会议记录.pdf", b"%PDF")},
        follow=True,
    )
    assert "已上传材料" in response.content.decode()
    assert case_a.attachments.get().kind == "会议记录"
    refused = client_for(world.inspector).post(
        f"/monitoring/cases/{case_a.pk}/act/attach/",
        {"attach-kind": "会议记录", "attach-file": SimpleUploadedFile("x.pdf", b"%PDF")},
    )
    assert refused.status_code == 403 and "您的角色只能查看监测对象" in refused.content.decode()
    assert case_a.attachments.count() == 1  # the read-only role's file was not kept


def test_case_list_filters_by_a_chinese_risk_type(client_for, world):
    ill = case_at(make_household(world.village_a, head="王病"), "identified", risk_types=("因病", "因残"))
    case_at(make_household(world.village_a, head="李学"), "identified", risk_types=("因学",))
    html = client_for(world.admin).get("/monitoring/cases/", {"risk": "因残"}).content.decode()
    assert "王病" in html and "李学" not in html and ill.household.household_no[-4:] in html
