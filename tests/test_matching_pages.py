"""Matching pages: scope (a village sees only its findings, a department only its own), verification and actions,
the upload with its mapping preview and saved profile, the run page, exports and the access log, the worklist
lines, the base list, the commands."""

import datetime
import io
import re

import pytest
from django.core.management import call_command
from django.test import TestCase
from django.utils import timezone
from python_calamine import load_workbook

from shoudi.accounts.roles import DEPARTMENT
from shoudi.accounts.testing import make_user
from shoudi.assistance.models import GuaranteeProblem, Measure
from shoudi.core.models import AccessLog
from shoudi.matching.models import Finding, MappingProfile, MatchingSettings, MatchRun
from shoudi.matching.testing import accept_any_coverage, run_list, write_list
from shoudi.monitoring.models import MonitoringCase
from shoudi.registry.testing import make_household, make_member

pytestmark = pytest.mark.django_db

HEADERS = ["姓名", "证件号码", "合规自付费用"]


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "files"
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}


@pytest.fixture
def departments(world):
    return {
        "yibao": make_user("yibao", DEPARTMENT, world.county, department="medical_insurance", name="医保经办"),
        "minzheng": make_user("minzheng", DEPARTMENT, world.county, department="civil_affairs"),
    }


@pytest.fixture
def homes(world):
    a = make_household(world.village_a, household_no="PA1", head="甲户主", household_type="脱贫户")
    absent_a = make_member(a, name="甲未保", relation="配偶", male=False)
    b = make_household(world.village_b, household_no="PB1", head="乙户主", household_type="脱贫户")
    absent_b = make_member(b, name="乙未保", relation="配偶", male=False)
    return {
        "a": a,
        "b": b,
        "absent_a": absent_a,
        "absent_b": absent_b,
        "head_a": a.members.get(relation="户主"),
        "head_b": b.members.get(relation="户主"),
    }


@pytest.fixture
def run(world, tmp_path, homes, departments):
    rows = [["甲户主", homes["head_a"].id_number, "15000"], ["乙户主", homes["head_b"].id_number, "100"]]
    return run_list(tmp_path, "medical_insurance", HEADERS, rows, user=departments["yibao"])


def finding(homes, key, rule="not_insured"):
    return Finding.objects.current().get(id_number=homes[key].id_number, rule=rule)


def list_part(response) -> str:
    html = response.content.decode()
    return html[html.index('id="object-list"') :]


# --- scope --------------------------------------------------------------------------------------------------------


def test_pages_need_a_login(client, run, homes):
    f = finding(homes, "absent_a")
    for url in (
        "/matching/",
        "/matching/findings/",
        "/matching/upload/",
        f"/matching/runs/{run.pk}/",
        f"/matching/findings/{f.pk}/",
        "/matching/base/",
        "/matching/settings/",
    ):
        response = client.get(url)
        assert response.status_code == 302 and "/login/" in response["Location"], url


def test_a_village_sees_only_its_findings(client_for, world, run, homes):
    fa, fb = finding(homes, "absent_a"), finding(homes, "absent_b")
    listed = list_part(client_for(world.officer_a).get("/matching/findings/"))
    assert "甲未保" in listed and "甲户主" in listed and "乙未保" not in listed
    listed = list_part(client_for(world.officer_b).get("/matching/findings/"))
    assert "乙未保" in listed and "甲未保" not in listed
    listed = list_part(client_for(world.reviewer_a).get("/matching/findings/"))
    assert "甲未保" in listed and "乙未保" not in listed
    listed = list_part(client_for(world.admin).get("/matching/findings/"))
    assert "甲未保" in listed and "乙未保" in listed
    assert client_for(world.officer_a).get(f"/matching/findings/{fa.pk}/").status_code == 200
    assert client_for(world.officer_a).get(f"/matching/findings/{fb.pk}/").status_code == 404
    assert client_for(world.reviewer_a).get(f"/matching/findings/{fb.pk}/").status_code == 404
    # runs are a county's business: villages have no run pages
    assert client_for(world.officer_a).get(f"/matching/runs/{run.pk}/").status_code == 404
    assert client_for(world.officer_a).get("/matching/").status_code == 403


def test_a_department_sees_its_own_runs_and_findings(client_for, world, run, homes, departments):
    yibao, minzheng = departments["yibao"], departments["minzheng"]
    assert client_for(yibao).get(f"/matching/runs/{run.pk}/").status_code == 200
    assert "甲未保" in list_part(client_for(yibao).get("/matching/findings/"))
    assert client_for(minzheng).get(f"/matching/runs/{run.pk}/").status_code == 404
    assert "甲未保" not in list_part(client_for(minzheng).get("/matching/findings/"))
    other_county = make_user("yibao_b", DEPARTMENT, world.other_county, department="medical_insurance")
    assert client_for(other_county).get(f"/matching/runs/{run.pk}/").status_code == 404
    # a department reads the findings but the village verifies them
    f = finding(homes, "absent_a")
    assert client_for(yibao).post(f"/matching/findings/{f.pk}/verify/", {"result": "属实"}).status_code == 403


def test_ids_are_masked_and_the_export_is_logged(client_for, world, run, homes):
    full = homes["absent_a"].id_number
    client = client_for(world.officer_a)
    html = client.get("/matching/findings/").content.decode()
    assert full not in html and full[:6] + "********" + full[-4:] in html
    detail = client.get(f"/matching/findings/{finding(homes, 'absent_a').pk}/").content.decode()
    assert full not in detail
    response = client.get("/matching/findings/", {"export": "xlsx"})
    rows = load_workbook(io.BytesIO(response.content)).get_sheet_by_index(0).to_python()
    cells = [str(v) for row in rows for v in row]
    assert full not in cells and any(c.startswith(full[:6] + "****") for c in cells)
    entry = AccessLog.objects.get(action="export", user=world.officer_a)
    assert entry.record_count == 2 and "比对结果" in entry.detail


def test_finding_list_query_count_does_not_grow_with_rows(client_for, world, tmp_path, run, homes):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client = client_for(world.admin)
    client.get("/matching/findings/")  # warm the 待办 badge cache

    def queries() -> int:
        with CaptureQueriesContext(connection) as context:
            assert client.get("/matching/findings/").status_code == 200
        return len(context)

    few = queries()
    for n in range(15):
        make_member(homes["a"], name=f"新成员{n}", relation="之孙子")
    rows = [["甲户主", homes["head_a"].id_number, "15000"], ["乙户主", homes["head_b"].id_number, "100"]]
    accept_any_coverage()  # 2 of 19 people: the 15 new members are to be findings all the same
    run_list(tmp_path, "medical_insurance", HEADERS, rows, period="2025-06", user=world.admin, name="june.xlsx")
    assert Finding.objects.current().count() >= 18
    assert queries() == few


# --- verification and actions -------------------------------------------------------------------------------------


def test_the_village_verifies_and_opens_a_clue(client_for, world, run, homes):
    client = client_for(world.officer_a)
    f = finding(homes, "head_a", "high_medical")
    page = client.get(f"/matching/findings/{f.pk}/").content.decode()
    assert 'id="verify-form"' in page and "15000.00" in page
    assert client.post(f"/matching/findings/{f.pk}/verify/", {"result": "属实", "note": "住院"}).status_code == 302
    f.refresh_from_db()
    assert (f.status, f.verified_by, f.note) == ("属实", world.officer_a, "住院")
    response = client.post(f"/matching/findings/{f.pk}/resolve/", {"action": "clue", "note": ""})
    case = MonitoringCase.objects.get(household=homes["a"])
    assert response.status_code == 302 and response["Location"] == case.get_absolute_url()
    assert case.source == "部门筛查预警" and case.clue_rules == ["合规自付医疗费用超过预警线"]
    assert case.clue_figures["合规自付费用"] == "15000.00" and case.clue_figures["比对期"] == "2025-05"
    f.refresh_from_db()
    assert (f.status, f.action, f.case, f.closed_by) == ("已处理", "clue", case, world.officer_a)
    # the household now has an open case: a second clue is not opened, the finding is linked to it
    other = finding(homes, "absent_a")
    client.post(f"/matching/findings/{other.pk}/verify/", {"result": "属实"})
    client.post(f"/matching/findings/{other.pk}/resolve/", {"action": "clue"})
    other.refresh_from_db()
    assert other.status == "已处理" and other.case == case
    assert MonitoringCase.objects.filter(household=homes["a"]).count() == 1


def test_not_true_needs_a_reason_and_reviewers_cannot_verify(client_for, world, run, homes):
    f = finding(homes, "absent_a")
    client = client_for(world.officer_a)
    client.post(f"/matching/findings/{f.pk}/verify/", {"result": "不属实", "note": ""})
    f.refresh_from_db()
    assert f.status == "待核实"
    assert (
        client_for(world.reviewer_a).post(f"/matching/findings/{f.pk}/verify/", {"result": "属实"}).status_code == 403
    )
    assert client_for(world.officer_b).post(f"/matching/findings/{f.pk}/verify/", {"result": "属实"}).status_code == 404
    client = client_for(world.officer_a)  # one test client: log the village officer in again
    client.post(f"/matching/findings/{f.pk}/verify/", {"result": "不属实", "note": "在外省参保"})
    f.refresh_from_db()
    assert f.status == "不属实" and f.note == "在外省参保"
    assert "已办结" in client.get(f"/matching/findings/{f.pk}/").content.decode()


def test_measure_and_registry_actions(client_for, world, run, homes):
    client = client_for(world.officer_a)
    f = finding(homes, "absent_a")
    client.post(f"/matching/findings/{f.pk}/verify/", {"result": "属实"})
    page = client.get(f"/matching/findings/{f.pk}/").content.decode()
    assert f"/assistance/measures/add/?household={homes['a'].pk}" in page
    assert f"/registry/members/{homes['absent_a'].pk}/edit/" in page
    client.post(f"/matching/findings/{f.pk}/resolve/", {"action": "measure"})
    f.refresh_from_db()
    assert f.status == "属实"  # no measure chosen yet
    measure = Measure.objects.create(
        household=homes["a"], category="健康帮扶", sub_item="其他", content="资助参加城乡居民医保"
    )
    client.post(f"/matching/findings/{f.pk}/resolve/", {"action": "measure", "measure": measure.pk})
    f.refresh_from_db()
    assert (f.status, f.action, f.measure) == ("已处理", "measure", measure)
    head = finding(homes, "head_a", "high_medical")
    client.post(f"/matching/findings/{head.pk}/verify/", {"result": "属实"})
    client.post(f"/matching/findings/{head.pk}/resolve/", {"action": "registry", "note": ""})
    head.refresh_from_db()
    assert head.status == "属实"  # what was corrected must be said
    client.post(f"/matching/findings/{head.pk}/resolve/", {"action": "registry", "note": "已更正健康状况"})
    head.refresh_from_db()
    assert head.status == "已处理" and head.action_note == "已更正健康状况"


def test_housing_finding_opens_a_guarantee_problem(client_for, world, tmp_path, homes):
    run = run_list(
        tmp_path,
        "housing",
        ["户主姓名", "户主身份证号", "鉴定等级"],
        [["甲户主", homes["head_a"].id_number, "D级"]],
        user=world.admin,
    )
    f = Finding.objects.get(run=run)
    client = client_for(world.officer_a)
    client.post(f"/matching/findings/{f.pk}/verify/", {"result": "属实"})
    client.post(f"/matching/findings/{f.pk}/resolve/", {"action": "problem", "note": "已报危改"})
    problem = GuaranteeProblem.objects.get(household=homes["a"])
    assert problem.kind == "住房安全有保障" and "D级" in problem.description and "已报危改" in problem.description
    f.refresh_from_db()
    assert f.problem == problem and f.status == "已处理"


# --- upload, preview, profile, run page ---------------------------------------------------------------------------


def upload(client, path, department="medical_insurance", period="2025-05"):
    """Post the file; the preview job runs as the request commits; returns the page the upload leads to."""
    with path.open("rb") as handle, TestCase.captureOnCommitCallbacks(execute=True):
        response = client.post("/matching/upload/", {"department": department, "period": period, "file": handle})
    return client.get(response["Location"]) if response.status_code == 302 else response


def post_preview(client, data):
    """A confirmation that reads the file again (another mapping): the new preview job runs, its page is returned."""
    with TestCase.captureOnCommitCallbacks(execute=True):
        response = client.post("/matching/upload/", data)
    assert response.status_code == 302 and "?token=" in response["Location"]
    return client.get(response["Location"])


def token_of(html: str) -> str:
    return re.search(r'name="token" value="([0-9a-f]+)"', html).group(1)


def test_upload_preview_then_run(client_for, world, tmp_path, homes, departments, django_capture_on_commit_callbacks):
    yibao = departments["yibao"]
    client = client_for(yibao)
    path = write_list(
        tmp_path / "参保名单.xlsx",
        ["序号", "参保人姓名", "身份证号码", "自付金额"],
        [[1, "甲户主", homes["head_a"].id_number, "15000"], [2, "乙户主", homes["head_b"].id_number, "9"]],
    )
    html = upload(client, path).content.decode()
    assert 'id="mapping-preview"' in html
    assert re.search(r'name="map_id_number".*?<option value="身份证号码" selected', html, re.S)
    assert re.search(r'name="map_amount".*?<option value="">（不使用）</option>(?:(?!selected).)*</select>', html, re.S)
    assert homes["head_a"].id_number not in html and homes["head_a"].id_number[:6] + "********" in html
    token = token_of(html)
    # 自付金额 is not a known header: map it by hand, preview again, then run
    mapping = {"token": token, "map_id_number": "身份证号码", "map_name": "参保人姓名", "map_amount": "自付金额"}
    again = post_preview(client, {**mapping, "refresh": "1"}).content.decode()
    assert "15000" in again[again.index('id="preview-rows"') :]
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/matching/upload/", mapping)
    run = MatchRun.objects.get()
    assert response.status_code == 302 and response["Location"] == run.get_absolute_url()
    # two steps: the run is a preview until the department releases it (before: released at once)
    assert run.status == "preview" and run.started_by == yibao and run.region_code == world.county.code
    assert ("high_medical", homes["head_a"].id_number) in set(Finding.objects.values_list("rule", "id_number"))
    profile = MappingProfile.objects.get(department="medical_insurance", region=world.county)
    assert profile.mapping == {"id_number": "身份证号码", "name": "参保人姓名", "amount": "自付金额"}
    page = client.get(run.get_absolute_url()).content.decode()
    assert 'id="rule-counts"' in page and "合规自付医疗费用超过预警线" in page and 'id="report-download"' in page
    assert "这是该部门第一次比对" in page and "hx-trigger" not in page  # finished: nothing polls
    assert 'id="run-preview"' in page and "尚未下发到村" in page
    assert client.post(f"/matching/runs/{run.pk}/release/").status_code == 302
    run.refresh_from_db()
    assert run.status == "succeeded"
    # next month's file with the same headers maps itself through the profile
    html = upload(client, path, period="2025-06").content.decode()
    assert re.search(r'name="map_amount".*?<option value="自付金额" selected', html, re.S)


def test_upload_refuses_other_departments_and_bad_files(client_for, world, tmp_path, homes, departments):
    client = client_for(departments["yibao"])
    path = write_list(
        tmp_path / "民政.xlsx", ["姓名", "证件号码", "救助类型"], [["甲户主", homes["head_a"].id_number, "低保"]]
    )
    html = upload(client, path, department="civil_affairs").content.decode()
    assert 'id="mapping-preview"' not in html and "不在可用的选项中" in html
    wrong = write_list(tmp_path / "wrong.xlsx", ["甲", "乙"], [["1", "2"]])
    html = upload(client, wrong).content.decode()
    assert "未找到表头" in html and 'id="mapping-preview"' not in html
    assert client_for(world.officer_a).get("/matching/upload/").status_code == 403
    no_source = make_user("xiangcun", DEPARTMENT, world.county, department="rural_revitalization")
    assert client_for(no_source).get("/matching/upload/").status_code == 403


def test_run_page_compares_with_the_previous_month(client_for, world, tmp_path, homes, departments):
    yibao = departments["yibao"]
    rows = [["甲户主", homes["head_a"].id_number, "15000"], ["乙户主", homes["head_b"].id_number, "100"]]
    run_list(tmp_path, "medical_insurance", HEADERS, rows, period="2025-04", user=yibao, name="april.xlsx")
    rows.append(["乙未保", homes["absent_b"].id_number, "100"])
    may = run_list(tmp_path, "medical_insurance", HEADERS, rows, period="2025-05", user=yibao, name="may.xlsx")
    client = client_for(yibao)
    page = client.get(may.get_absolute_url()).content.decode()
    assert "新增 0" in page and "连续出现 2" in page and "已消失 1" in page
    resolved = list_part(client.get("/matching/findings/", {"resolved_by": may.pk}))
    assert "乙未保" in resolved and "甲未保" not in resolved
    recurring = list_part(client.get("/matching/findings/", {"run": may.pk, "change": "recurring"}))
    assert "甲未保" in recurring and "甲户主" in recurring


def test_a_queued_run_page_follows_the_run(client_for, world, run, departments):
    from shoudi.core.jobs import start_job
    from shoudi.matching.models import DepartmentList

    job = start_job(kind="matching.run", user=departments["yibao"], params={}, title="比对")  # never enqueued
    queued = MatchRun.objects.create(
        list=DepartmentList.objects.get(),
        department="medical_insurance",
        period="2025-06",
        region_code=world.county.code,
        job=job,
    )
    client = client_for(departments["yibao"])
    page = client.get(queued.get_absolute_url()).content.decode()
    # the job's progress display, polled through the job page, which reloads the run page once the job has finished
    assert 'id="run-waiting"' in page and f'id="job-progress-{job.pk}"' in page and "排队中" in page
    assert f'hx-get="/system/jobs/{job.pk}/?progress=1&amp;reload=1" hx-trigger="every 1s"' in page
    poll = {"HTTP_HX_REQUEST": "true"}
    partial = client.get(f"/system/jobs/{job.pk}/", {"progress": 1, "reload": 1}, **poll)
    assert partial.content.decode().lstrip().startswith(f'<div id="job-progress-{job.pk}"')
    assert "HX-Refresh" not in partial
    job.status, job.done, job.total = job.SUCCEEDED, 3, 3
    job.save()
    partial = client.get(f"/system/jobs/{job.pk}/", {"progress": 1, "reload": 1}, **poll)
    assert partial["HX-Refresh"] == "true" and "100%" in partial.content.decode()


# --- worklist, base list, settings, commands ---------------------------------------------------------------------


def test_overdue_findings_appear_in_the_worklist(client_for, world, run, homes):
    late = finding(homes, "absent_a")
    Finding.objects.filter(pk=late.pk).update(due_on=timezone.localdate() - datetime.timedelta(days=1))
    client = client_for(world.officer_a)
    page = client.get("/assistance/todo/").content.decode()
    item = re.search(r'data-key="findings_overdue">\s*<span>(.*?)</span>\s*<span[^>]*>(\d+)</span>', page, re.S)
    assert item.group(1) == "部门比对结果核实已逾期" and item.group(2) == "1"
    assert "/matching/findings/?todo=findings_overdue" in page
    listed = list_part(client.get("/matching/findings/", {"todo": "findings_overdue"}))
    # the household's head names the row now; 甲户主's own (not overdue) high-cost finding is not listed
    assert "甲未保" in listed and "合规自付医疗费用超过预警线" not in listed
    admin_page = client_for(world.admin).get("/assistance/todo/").content.decode()
    assert 'id="village-table"' in admin_page


def test_base_list_export_is_a_job_and_is_logged(
    client_for, world, homes, departments, django_capture_on_commit_callbacks
):
    ordinary = make_household(world.village_a, household_no="PA2", head="一般户主")
    MonitoringCase.objects.create(
        household=ordinary, category="边缘易致贫户", identified_on=datetime.date(2024, 1, 1), step="monitoring"
    )
    make_household(world.village_a, household_no="PA3", head="不在名单")
    make_member(homes["a"], name="已故者", relation="之父", status="死亡")
    assert client_for(world.officer_a).get("/matching/base/").status_code == 403
    client = client_for(world.admin)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/matching/base/", {"period": "2025-05"})
    job_page = client.get(response["Location"]).content.decode()
    assert "人数" in job_page
    from shoudi.core.models import Job

    job = Job.objects.get(kind="matching.export_base")
    download = client.get(f"/system/jobs/{job.pk}/download/")
    rows = load_workbook(io.BytesIO(b"".join(download.streaming_content))).get_sheet_by_index(0).to_python()
    header = rows[2]
    people = {row[header.index("姓名")]: row for row in rows[3:]}
    assert set(people) == {"甲户主", "甲未保", "乙户主", "乙未保", "一般户主"}
    assert people["甲未保"][header.index("证件号码")] == homes["absent_a"].id_number  # full IDs
    assert people["一般户主"][header.index("人员类别")] == "监测对象"
    assert people["一般户主"][header.index("监测对象类别")] == "边缘易致贫户"
    export = AccessLog.objects.get(action="export")
    assert export.record_count == 5 and "基础名单" in export.detail and export.user == world.admin
    assert AccessLog.objects.filter(action="download", user=world.admin).exists()


def test_settings_are_for_the_county_admin(client_for, world):
    assert client_for(world.officer_a).get("/matching/settings/add/").status_code == 403
    response = client_for(world.admin).post(
        "/matching/settings/add/",
        {
            "region": world.county.pk,
            "verification_days": 10,
            "rural_income": "22000",
            "medical_lifted_percent": 50,
            "medical_other_percent": 100,
            "absence_min_coverage_percent": 60,
            "absence_min_village_percent": 90,
        },
    )
    assert response.status_code == 302
    saved = MatchingSettings.objects.get()
    assert str(saved.medical_threshold_lifted) == "11000.00"


def test_match_command_prints_counts_and_writes_the_report(world, tmp_path, homes):
    path = write_list(
        tmp_path / "yb.xlsx",
        HEADERS,
        [["甲户主", homes["head_a"].id_number, "15000"], ["路人", "11010519491231002X", "1"]],
    )
    out = io.StringIO()
    report = tmp_path / "report.xlsx"
    accept_any_coverage()  # one of four 脱贫 people on the list
    call_command("match", "医保", str(path), period="2025-05", region=world.county.code, report=str(report), stdout=out)
    text = out.getvalue()
    assert "医保 2025-05 比对：名单 2 行，载入 2 行" in text
    lines = {line.split()[0]: line.split()[1:] for line in text.splitlines() if line.strip()}
    assert lines["脱贫/监测人口未参加基本医疗保险"][:2] == ["3", "3"]  # 甲未保, 乙户主 and 乙未保
    assert lines["合规自付医疗费用超过预警线"][:2] == ["1", "1"]
    assert lines["名单人员不在系统中"] == ["1"]
    sheets = load_workbook(str(report))
    findings = sheets.get_sheet_by_index(0).to_python()
    assert homes["absent_a"].id_number in [str(v) for row in findings for v in row]
    assert sheets.get_sheet_by_index(1).to_python()[3][2] == "11010519491231002X"
    assert AccessLog.objects.filter(action="export", detail__contains="命令行生成").exists()


def test_export_base_command(world, tmp_path, homes):
    out = io.StringIO()
    target = tmp_path / "base.xlsx"
    call_command("export_base", period="2025-05", out=str(target), region=world.village_a.code, stdout=out)
    assert "已导出 2 人" in out.getvalue()
    rows = load_workbook(str(target)).get_sheet_by_index(0).to_python()
    assert {row[rows[2].index("姓名")] for row in rows[3:]} == {"甲户主", "甲未保"}
    assert AccessLog.objects.get().record_count == 2
