"""One-click floods in department matching: a run is a preview until released (counts per rule and per village, a
sample), a released run can be withdrawn as a whole (verified findings stay), and an absence rule holds back when
the list cannot be complete (8 people against a county's 脱贫人口)."""

import pytest

from shoudi.accounts.roles import DEPARTMENT
from shoudi.accounts.testing import make_user
from shoudi.core.models import ObjectChange
from shoudi.matching.models import Finding, MatchRun
from shoudi.matching.selectors import pending_findings
from shoudi.matching.testing import run_list, write_list
from shoudi.registry.testing import make_household

pytestmark = pytest.mark.django_db

HEADERS = ["姓名", "证件号码", "参保状态"]


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "files"
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}


@pytest.fixture
def yibao(world):
    return make_user("yibao", DEPARTMENT, world.county, department="medical_insurance", name="医保经办")


@pytest.fixture
def county(world):
    """30 脱贫户 of one person each, 10 in each of three villages; heads named by village and number."""
    heads = {}
    for village, mark in ((world.village_a, "甲"), (world.village_a2, "丙"), (world.village_b, "乙")):
        for n in range(10):
            home = make_household(
                village, household_no=f"{village.code}{n:05d}", head=f"{mark}户{n}", household_type="脱贫户"
            )
            heads[f"{mark}{n}"] = home.members.get()
    return heads


def rows_for(heads, keys):
    return [[heads[k].name, heads[k].id_number, "正常参保"] for k in keys]


def everybody_but(heads, *absent):
    return [k for k in heads if k not in absent]


def upload_and_run(client, tmp_path, rows, period="2025-05", name="list.xlsx"):
    """The web flow: upload, accept the detected columns, the job runs (immediately in tests)."""
    import re

    from django.test import TestCase

    path = write_list(tmp_path / name, HEADERS, rows)
    with path.open("rb") as handle, TestCase.captureOnCommitCallbacks(execute=True):
        response = client.post(
            "/matching/upload/", {"department": "medical_insurance", "period": period, "file": handle}
        )
    html = client.get(response["Location"]).content.decode()  # the preview job has run
    token = re.search(r'name="token" value="([0-9a-f]+)"', html).group(1)
    mapping = {"token": token, "map_id_number": "证件号码", "map_name": "姓名", "map_status": "参保状态"}
    with TestCase.captureOnCommitCallbacks(execute=True):
        response = client.post("/matching/upload/", mapping)
    assert response.status_code == 302
    return MatchRun.objects.latest("id")


def officer_list(client_for, officer) -> str:
    html = client_for(officer).get("/matching/findings/").content.decode()
    return html[html.index('id="object-list"') :]


def test_an_eight_row_list_raises_no_absence_findings_and_the_run_says_why(client_for, world, tmp_path, county, yibao):
    run = run_list(tmp_path, "medical_insurance", HEADERS, rows_for(county, [f"甲{n}" for n in range(8)]), user=yibao)
    assert Finding.objects.filter(run=run, rule="not_insured").count() == 0
    page = client_for(yibao).get(run.get_absolute_url()).content.decode()
    assert "名单覆盖不足，未生成“名单中无此人”的比对结果" in page
    assert "本辖区脱贫/监测人口 30 人，名单中只有 8 人（26.7%，低于比对参数要求的 50%）" in page
    assert "有脱贫/监测人口的 3 个行政村中，名单只覆盖 1 个（33.3%，低于比对参数要求的 80%）" in page
    # a person the list itself calls 未参保 is still raised: only the absence part is held back
    rows = rows_for(county, [f"甲{n}" for n in range(8)])
    rows[0][2] = "未参保"
    june = run_list(tmp_path, "medical_insurance", HEADERS, rows, period="2025-06", user=yibao, name="june.xlsx")
    assert set(Finding.objects.filter(run=june, rule="not_insured").values_list("name", flat=True)) == {"甲户0"}


def test_a_list_covering_every_village_but_one_is_held_back(world, tmp_path, county, yibao):
    # 20 of 30 people (67 %), but nobody of 乙村: 2 of 3 villages
    keys = [k for k in county if not k.startswith("乙")]
    run = run_list(tmp_path, "medical_insurance", HEADERS, rows_for(county, keys), user=yibao)
    assert Finding.objects.filter(run=run, rule="not_insured").count() == 0
    assert "3 个行政村中，名单只覆盖 2 个" in run.counts["not_insured"]["withheld"]


def test_the_threshold_is_configuration(client_for, world, tmp_path, county, yibao):
    from shoudi.matching.models import MatchingSettings

    MatchingSettings.objects.create(
        region=world.county, absence_min_coverage_percent=20, absence_min_village_percent=30
    )
    run = run_list(tmp_path, "medical_insurance", HEADERS, rows_for(county, [f"甲{n}" for n in range(8)]), user=yibao)
    assert Finding.objects.filter(run=run, rule="not_insured").count() == 22
    assert "withheld" not in run.counts["not_insured"]


def test_preview_shows_counts_per_rule_and_village_and_reaches_no_village(client_for, world, tmp_path, county, yibao):
    run = upload_and_run(client_for(yibao), tmp_path, rows_for(county, everybody_but(county, "甲1", "甲2", "乙3")))
    assert run.status == "preview"
    page = client_for(yibao).get(run.get_absolute_url()).content.decode()
    assert "待确认下发" in page and "以下 3 条比对结果尚未下发到村" in page
    villages = page[page.index('id="village-counts"') : page.index('id="finding-sample"')]
    assert "甲镇</td><td>甲村</td>" in villages and "乙镇</td><td>乙村</td>" in villages and "甲二村" not in villages
    assert '<td class="text-end">2</td>' in villages  # 甲村: two people not insured
    sample = page[page.index('id="finding-sample"') :]
    assert "甲户1户 · …100001" in sample and "乙户3户 · …100003" in sample  # head, short 户编号, village
    assert "甲镇甲村" in sample and "乙镇乙村" in sample
    # nothing reached the villages: no list rows, no 待办
    assert "甲户1" not in officer_list(client_for, world.officer_a)
    assert pending_findings(world.officer_a).count() == 0 and pending_findings(world.admin).count() == 0
    assert client_for(world.officer_a).post(f"/matching/runs/{run.pk}/release/").status_code in (403, 404)


def test_confirm_releases_the_findings_to_their_villages(client_for, world, tmp_path, county, yibao):
    run = upload_and_run(client_for(yibao), tmp_path, rows_for(county, everybody_but(county, "甲1", "甲2", "乙3")))
    response = client_for(yibao).post(f"/matching/runs/{run.pk}/release/", follow=True)
    assert "已下发 3 条比对结果到各村核实" in response.content.decode()
    run.refresh_from_db()
    assert run.status == "succeeded" and run.released_by == yibao
    listed = officer_list(client_for, world.officer_a)
    assert "甲户1" in listed and "甲户2" in listed and "乙户3" not in listed
    assert "乙户3" in officer_list(client_for, world.officer_b)
    change = ObjectChange.objects.filter(object_repr=str(run), action="update").latest("id")
    assert change.after["status"] == "succeeded" and change.user == yibao
    # released once: a second click changes nothing
    again = client_for(yibao).post(f"/matching/runs/{run.pk}/release/", follow=True).content.decode()
    assert "该比对已下发，不能下发" in again


def test_withdraw_removes_untouched_findings_and_keeps_verified_ones(client_for, world, tmp_path, county, yibao):
    run = upload_and_run(client_for(yibao), tmp_path, rows_for(county, everybody_but(county, "甲1", "甲2", "乙3")))
    client_for(yibao).post(f"/matching/runs/{run.pk}/release/")
    verified = Finding.objects.get(run=run, name="甲户1")
    client_for(world.officer_a).post(f"/matching/findings/{verified.pk}/verify/", {"result": "属实", "note": "已断保"})
    page = client_for(yibao).get(run.get_absolute_url()).content.decode()
    assert "撤回尚未核实的 2 条" in page
    response = client_for(yibao).post(f"/matching/runs/{run.pk}/withdraw/", follow=True).content.decode()
    assert "已撤回 2 条比对结果；1 条已有村级核实或处理，予以保留" in response
    assert "已撤回" in response and 'id="run-withdrawn"' in response
    assert set(Finding.objects.filter(run=run).values_list("name", flat=True)) == {"甲户1"}
    listed = officer_list(client_for, world.officer_a)
    assert "甲户1" in listed and "甲户2" not in listed
    assert "乙户3" not in officer_list(client_for, world.officer_b)
    change = ObjectChange.objects.filter(object_repr=str(run), action="update").latest("id")
    assert change.after["status"] == "withdrawn" and change.user == yibao


def test_a_preview_leaves_last_month_current_and_can_be_discarded(client_for, world, tmp_path, county, yibao):
    april = upload_and_run(
        client_for(yibao), tmp_path, rows_for(county, everybody_but(county, "甲1")), period="2025-04"
    )
    client_for(yibao).post(f"/matching/runs/{april.pk}/release/")
    may = upload_and_run(
        client_for(yibao),
        tmp_path,
        rows_for(county, everybody_but(county, "甲1", "甲2")),
        period="2025-05",
        name="may.xlsx",
    )
    listed = officer_list(client_for, world.officer_a)
    assert (
        "甲户1" in listed and "2025-04" in listed and "甲户2" not in listed
    )  # April's finding still the one to work on
    page = client_for(yibao).get(may.get_absolute_url()).content.decode()
    assert "这是该部门第一次比对" not in page and "2025-04" in page
    response = client_for(yibao).post(f"/matching/runs/{may.pk}/withdraw/", follow=True).content.decode()
    assert "已撤回 2 条比对结果" in response
    assert not Finding.objects.filter(run=may).exists()
    assert Finding.objects.current().get(name="甲户1").run == april


def test_a_county_run_compares_with_the_townships_earlier_month(client_for, world, tmp_path, county, yibao):
    """The run page said 这是该部门第一次比对 while the township's earlier months existed."""
    township_rows = rows_for(county, [k for k in county if k.startswith(("甲", "丙")) and k != "甲1"])
    run_list(
        tmp_path,
        "medical_insurance",
        HEADERS,
        township_rows,
        period="2025-04",
        region_code=world.township_a.code,
        name="april.xlsx",
    )
    may = run_list(tmp_path, "medical_insurance", HEADERS, rows_for(county, everybody_but(county, "甲1")), user=yibao)
    page = client_for(yibao).get(may.get_absolute_url()).content.decode()
    assert "这是该部门第一次比对" not in page and may.previous_run.period == "2025-04"
    assert "连续出现 1" in page


def test_the_command_can_preview(world, tmp_path, county):
    import io

    from django.core.management import call_command

    path = write_list(tmp_path / "yb.xlsx", HEADERS, rows_for(county, everybody_but(county, "甲1", "甲2", "乙3")))
    out = io.StringIO()
    call_command("match", "医保", str(path), period="2025-05", region=world.county.code, preview=True, stdout=out)
    assert "预览：比对结果尚未下发到村" in out.getvalue()
    run = MatchRun.objects.get()
    assert run.status == "preview" and Finding.objects.filter(run=run).count() == 3
    assert not Finding.objects.restrict(world.admin).exists()


def test_a_verification_made_during_the_preview_carries_into_the_release(client_for, world, tmp_path, county, yibao):
    april = upload_and_run(
        client_for(yibao), tmp_path, rows_for(county, everybody_but(county, "甲1")), period="2025-04"
    )
    client_for(yibao).post(f"/matching/runs/{april.pk}/release/")
    may = upload_and_run(
        client_for(yibao), tmp_path, rows_for(county, everybody_but(county, "甲1")), period="2025-05", name="may.xlsx"
    )
    earlier = Finding.objects.restrict(world.officer_a).current().get(name="甲户1")  # April's: May is a preview
    client_for(world.officer_a).post(
        f"/matching/findings/{earlier.pk}/verify/", {"result": "不属实", "note": "已在外省参保"}
    )
    client_for(yibao).post(f"/matching/runs/{may.pk}/release/")
    later = Finding.objects.restrict(world.officer_a).current().get(name="甲户1")
    assert (later.run, later.status, later.note) == (may, "不属实", "已在外省参保")  # not raised again
    may.refresh_from_db()
    assert may.summary["pending"] == 0 and may.counts["not_insured"]["suppressed"] == 1
