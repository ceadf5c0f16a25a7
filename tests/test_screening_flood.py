"""One-click floods in 预警筛查: the preview writes nothing and shows counts per rule and per village with a
sample; the confirmation writes the rules and villages kept as one batch; the batch is withdrawn as a whole while
nobody has acted on its clues, and a clue somebody has acted on stays."""

import io
import re
from decimal import Decimal

import pytest
from django.core.management import call_command

from shoudi.core.models import ObjectChange
from shoudi.monitoring import services
from shoudi.monitoring.models import MonitoringCase, MonitoringLine, ScreeningBatch
from shoudi.registry.testing import make_household, make_income

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def immediate_jobs(settings):
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}


@pytest.fixture
def county(world):
    """Below the line: 4 households in 甲村, 2 in 甲二村, 3 in 乙村; 2 more in 甲村 only at the edge."""
    MonitoringLine.objects.create(region=world.county, year=2025, amount=Decimal("8000"))
    homes = {}
    for village, mark, below, edge in (
        (world.village_a, "甲", 4, 2),
        (world.village_a2, "丙", 2, 0),
        (world.village_b, "乙", 3, 0),
    ):
        for n in range(below + edge):
            home = make_household(village, household_no=f"{village.code}{n:05d}", head=f"{mark}户{n}")
            make_income(home, 2025, size=1, wage=7000 if n < below else 11000)
            homes[f"{mark}{n}"] = home
    return homes


def visible(html: str) -> str:
    """The page's text as a user reads it (no tags, no attribute values)."""
    body = html[html.index("<main") :] if "<main" in html else html
    return re.sub(r"<[^>]+>", " ", body)


def preview(client, capture, year="2025"):
    with capture(execute=True):
        response = client.post("/monitoring/screen/", {"year": year})
    assert response.status_code == 302
    return ScreeningBatch.objects.latest("id"), response["Location"]


def test_the_preview_counts_per_rule_and_village_and_writes_nothing(
    client_for, world, county, django_capture_on_commit_callbacks
):
    batch, url = preview(client_for(world.admin), django_capture_on_commit_callbacks)
    assert MonitoringCase.objects.count() == 0
    page = client_for(world.admin).get(url).content.decode()
    text = visible(page)
    assert "尚未生成任何线索" in text and "将为 11 户生成监测线索" in text
    rules = page[page.index('id="rule-counts"') : page.index('id="village-counts"')]
    assert re.search(
        r'data-rule="below_line">.*?人均纯收入低于监测线.*?>9</td>\s*<td class="text-end">9</td>', rules, re.S
    )
    assert re.search(
        r'data-rule="edge">.*?人均纯收入低于监测线×边缘系数.*?>2</td>\s*<td class="text-end">2</td>', rules, re.S
    )
    villages = page[page.index('id="village-counts"') : page.index('id="clue-sample"')]
    assert re.search(r"<td>甲镇</td><td>甲村</td>.*?<td class=\"text-end\">6</td></tr>", villages, re.S)
    assert re.search(r"<td>乙镇</td><td>乙村</td>.*?<td class=\"text-end\">3</td></tr>", villages, re.S)
    sample = visible(page[page.index('id="clue-sample"') :])
    assert "甲户0" in sample and "…100000" in sample and "甲村" in sample and "乙户0" in sample
    # every result key is shown by its Chinese label
    for key in ("below_line", "edge", "below_floor", "income_drop", "lifted_below_line", "no_labour"):
        assert key not in text
    assert batch.status == "preview"


def test_confirm_writes_the_rules_and_villages_kept_as_one_audited_batch(
    client_for, world, county, django_capture_on_commit_callbacks
):
    batch, url = preview(client_for(world.admin), django_capture_on_commit_callbacks)
    with django_capture_on_commit_callbacks(execute=True):
        client_for(world.admin).post(
            url, {"rule": ["below_line"], "village": [world.village_a.code, world.village_b.code]}
        )
    batch.refresh_from_db()
    assert batch.status == "created" and batch.clue_count == 7  # 4 in 甲村 and 3 in 乙村; not the edge, not 甲二村
    clues = MonitoringCase.objects.filter(screening_batch=batch)
    assert set(clues.values_list("household__members__name", flat=True)) == {
        *(f"甲户{n}" for n in range(4)),
        *(f"乙户{n}" for n in range(3)),
    }
    assert all(rules == ["below_line"] for rules in clues.values_list("clue_rules", flat=True))
    page = visible(client_for(world.admin).get(url).content.decode())
    assert "已生成 7 条监测线索（规则：人均纯收入低于监测线；2 个行政村）" in page
    logged = ObjectChange.objects.filter(object_id=str(batch.pk), object_repr__contains="预警筛查").order_by("id")
    assert logged.last().after["status"] == "created" and logged.last().user == world.admin
    # confirmed once: a second confirmation is refused and writes nothing more
    with django_capture_on_commit_callbacks(execute=True):
        again = client_for(world.admin).post(url, {"rule": ["edge"], "all_villages": "1"}, follow=True)
    assert "不能再次确认" in again.content.decode() and MonitoringCase.objects.count() == 7


def test_withdraw_takes_back_untouched_clues_and_keeps_those_acted_on(
    client_for, world, county, django_capture_on_commit_callbacks
):
    batch, url = preview(client_for(world.admin), django_capture_on_commit_callbacks)
    with django_capture_on_commit_callbacks(execute=True):
        client_for(world.admin).post(url, {"rule": ["below_line", "edge"], "all_villages": "1"})
    acted_on = MonitoringCase.objects.get(household=county["甲0"])
    services.reject(case=acted_on, user=world.officer_a, reason="入户核实：已外出务工，收入稳定")
    page = visible(client_for(world.admin).get(url).content.decode())
    assert "已生成 11 条监测线索" in page and "整批撤回尚未办理的 10 条线索" in page
    assert client_for(world.officer_a).post(f"{url}withdraw/").status_code in (403, 404)
    response = client_for(world.admin).post(f"{url}withdraw/", follow=True).content.decode()
    assert "已撤回 10 条线索；1 条已有人办理，予以保留" in response
    assert list(MonitoringCase.objects.values_list("pk", flat=True)) == [acted_on.pk]
    batch.refresh_from_db()
    assert (batch.status, batch.withdrawn_count, batch.kept_count, batch.withdrawn_by) == (
        "withdrawn",
        10,
        1,
        world.admin,
    )
    change = ObjectChange.objects.filter(object_id=str(batch.pk), object_repr__contains="预警筛查").latest("id")
    assert change.after["status"] == "withdrawn" and change.before["status"] == "created"
    # the officer's case list no longer shows the withdrawn clues
    cases = client_for(world.officer_a).get("/monitoring/cases/").content.decode()
    assert "甲户1" not in cases


def test_the_command_previews_and_creates_a_batch(world, county):
    out = io.StringIO()
    call_command("screen", "--year", "2025", "--preview", stdout=out)
    assert "预览：将新增线索 11 户" in out.getvalue() and "甲镇甲村：6 户" in out.getvalue()
    assert MonitoringCase.objects.count() == 0
    out = io.StringIO()
    call_command("screen", "--year", "2025", "--rule", "edge", stdout=out)
    assert "新增线索 2 户" in out.getvalue()
    batch = ScreeningBatch.objects.get()
    assert batch.rules == ["edge"] and MonitoringCase.objects.filter(screening_batch=batch).count() == 2
