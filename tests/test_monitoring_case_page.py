"""The case page: the progress stepper, forms that keep what was typed, buttons only when the action is allowed,
no forms for read-only users, and step names of the right chain."""

import datetime
import re
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from shoudi.accounts.testing import make_user
from shoudi.monitoring import choices as c
from shoudi.monitoring import services as s
from shoudi.monitoring.deadlines import case_deadlines
from shoudi.monitoring.models import MonitoringCase, MonitoringLine
from shoudi.monitoring.testing import case_at
from shoudi.registry.testing import make_household

TODAY = timezone.localdate()


@pytest.fixture
def home(world):
    MonitoringLine.objects.create(region=world.county, year=2025, amount=Decimal("8000"))
    return make_household(world.village_a, household_no="A810", head="步骤户")


def stages(html, chain_index=1):
    """(stage key, state, detail) of each stage of one stepper, as shown."""
    block = html[html.index(f'id="progress-{chain_index}"') :]
    block = block[: block.index("</ol>")]
    out = []
    stage = r'<li class="sd-step sd-step-(\w+)"[^>]*data-stage="(\w+)">(.*?)</li>'
    for state, key, body in re.findall(stage, block, re.S):
        detail = re.search(r'<span class="sd-step-date">([^<]*)</span>', body)
        out.append((key, state, detail.group(1) if detail else ""))
    return out


def page(client, case):
    return client.get(f"/monitoring/cases/{case.pk}/").content.decode()


def test_the_stepper_shows_done_steps_with_dates_the_current_one_and_the_rest(client_for, world, home):
    case = s.open_clue(household=home, user=world.officer_a, source="农户自主申报", clue_date=TODAY)
    case = s.verify(
        case=case,
        user=world.officer_a,
        visited_on=TODAY,
        findings="属实",
        signed=True,
        authorization_file=SimpleUploadedFile("sq.pdf", b"%PDF"),
    )
    shown = stages(page(client_for(world.officer_a), case))
    today = f"{TODAY:%Y-%m-%d}"
    assert shown == [
        ("clue", "done", today),
        ("verification", "done", today),
        ("village_review", "current", f"自 {today}"),
        ("publicity", "todo", ""),
        ("township_review", "todo", ""),
        ("county_review", "todo", ""),
        ("monitoring", "todo", ""),
    ]
    assert 'id="progress-2"' not in page(client_for(world.officer_a), case)  # no elimination chain yet


def test_step_dates_are_local_days(client_for, world, home):
    case = case_at(home, c.VILLAGE_REVIEW)
    # 17:30 UTC on 1 December is 01:30 on 2 December in Beijing
    case.step_since = datetime.datetime(2026, 12, 1, 17, 30, tzinfo=datetime.UTC)
    case.save()
    current = [st for st in stages(page(client_for(world.officer_a), case)) if st[1] == "current"]
    assert current == [("village_review", "current", "自 2026-12-02")]
    in_step = next(d for d in case_deadlines(case, today=datetime.date(2026, 12, 3)) if d.kind == "in_step")
    assert in_step.detail == "自 2026-12-02" and in_step.label.endswith("已 1 天")


def test_the_elimination_chain_has_its_own_stepper(client_for, world, home):
    case = case_at(home, c.PUBLICITY, chain=c.ELIMINATION)
    html = page(client_for(world.officer_a), case)
    assert all(state == "done" for _, state, _ in stages(html, 1))
    elimination = stages(html, 2)
    assert [key for key, _, _ in elimination] == [key for key, _ in c.ELIMINATION_STAGES]
    assert elimination[0] == ("apply", "done", f"{case.elimination_applied_on:%Y-%m-%d}")
    assert elimination[3][:2] == ("publicity", "current")
    assert elimination[6] == ("eliminated", "todo", "")


def test_a_rejected_case_shows_where_it_stopped(client_for, world, home):
    case = case_at(home, c.VILLAGE_REVIEW)
    s.reject(case=case, user=world.officer_a, reason="收入稳定")
    shown = stages(page(client_for(world.officer_a), case))
    assert shown[2][:2] == ("village_review", "stopped") and shown[2][2].startswith("不予纳入")
    assert [state for _, state, _ in shown[3:]] == ["todo"] * 4


def test_a_refused_step_keeps_what_was_typed_and_shows_the_error_at_the_form(client_for, world, home):
    case = s.open_clue(household=home, user=world.officer_a, source="农户自主申报")
    response = client_for(world.officer_a).post(
        f"/monitoring/cases/{case.pk}/act/verification/",
        {
            "verification-visited_on": "2026-11-20",
            "verification-findings": "户主住院三周，自付医疗费约四万元",
            "verification-signed": "1",
        },
    )
    html = response.content.decode()
    assert response.status_code == 422
    assert "户主住院三周，自付医疗费约四万元</textarea>" in html and 'value="2026-11-20"' in html
    errors = html[html.index('id="form-errors"') :]
    assert errors.index("请上传农户签字的承诺授权书") < errors.index('action="/monitoring/cases/')  # above the form
    assert "文件需重新选择" in html and 'id="form-errors" role="alert" tabindex="-1" data-sd-focus>' in html  # focused
    case.refresh_from_db()
    assert case.step == c.VERIFICATION


def test_an_invalid_field_is_marked_beside_it(client_for, world, home):
    case = case_at(home, c.PUBLICITY)
    response = client_for(world.officer_a).post(
        f"/monitoring/cases/{case.pk}/act/publicity/", {"publicity-start": "2026-11-20", "publicity-note": "村委公告栏"}
    )
    html = response.content.decode()
    assert response.status_code == 422
    end = html[html.index('name="publicity-end"') - 200 :]
    assert "is-invalid" in end[:400] and "这个字段是必填项" in end[:900]
    assert 'value="村委公告栏"' in html and "公示结束：这个字段是必填项" in html


def test_submit_after_publicity_is_disabled_with_the_reason_until_the_end(client_for, world, home):
    case = case_at(home, c.PUBLICITY)
    case.publicity_start, case.publicity_end = TODAY - datetime.timedelta(days=3), TODAY + datetime.timedelta(days=2)
    case.save()
    client = client_for(world.officer_a)
    html = page(client, case)
    button = re.search(r'<button[^>]*id="submit-publicity"[^>]*>', html).group(0)
    opens = TODAY + datetime.timedelta(days=3)
    assert "disabled" in button and f"{opens:%Y-%m-%d} 起可报乡镇审核" in html
    assert "/act/submit_publicity/" not in html
    case.publicity_end = TODAY - datetime.timedelta(days=1)
    case.save()
    s.add_objection(case=case, user=world.officer_a, content="邻居反映有车")
    assert "还有 1 条公示异议未处理" in page(client, case)
    s.resolve_objection(objection=case.objections.get(), user=world.officer_a, resolution="车辆为借用")
    html = page(client, case)
    button = re.search(r'<button[^>]*id="submit-publicity"[^>]*>', html).group(0)
    assert "disabled" not in button and "/act/submit_publicity/" in html


def test_read_only_users_get_no_forms(client_for, world, home):
    department = make_user("dept", "department", world.county)
    for step in (*c.WORKING_STEPS, c.MONITORING):
        case = case_at(make_household(world.village_a, household_no=f"A8{step[:3]}", head="只读户"), step)
        for user in (world.inspector, department):
            html = page(client_for(user), case)
            assert "/act/" not in html and "当前环节无需您办理" in html, (step, user.role)


def test_missing_materials_on_the_case_page_need_a_confirmation(client_for, world, home):
    case = case_at(home, c.TOWNSHIP_REVIEW, materials=False)
    client = client_for(world.reviewer_a)
    html = page(client, case)
    assert "⚠ 缺少入户核实记录、公示记录、承诺授权书" in html and 'name="township_review-missing_confirmed"' in html
    url = f"/monitoring/cases/{case.pk}/act/township_review/"
    response = client.post(url, {"township_review-approve": "1", "township_review-note": "同意"})
    assert response.status_code == 422 and "已逐项核对，缺少材料仍予通过" in response.content.decode()
    assert MonitoringCase.objects.get(pk=case.pk).step == c.TOWNSHIP_REVIEW
    client.post(url, {"township_review-approve": "1", "township_review-missing_confirmed": "on"})
    assert MonitoringCase.objects.get(pk=case.pk).step == c.COUNTY_REVIEW
    complete = case_at(make_household(world.village_a, household_no="A811", head="齐全户"), c.TOWNSHIP_REVIEW)
    assert "missing_confirmed" not in page(client, complete)


def test_apply_elimination_is_disabled_while_the_guards_refuse(client_for, world, home):
    case = case_at(home, c.MONITORING)
    case.identified_on = TODAY
    case.save()
    html = page(client_for(world.officer_a), case)
    blocked = html[html.index('id="action-apply_elimination"') :]
    assert "暂不能申请风险消除" in blocked and "识别监测不足" in blocked
    assert "<fieldset disabled>" in blocked[: blocked.index("</form>")]


def test_step_names_follow_the_chain_in_every_list(client_for, world, home):
    case = case_at(home, c.VILLAGE_REVIEW, chain=c.ELIMINATION)
    assert str(case).endswith("·消除村级评议")  # the 监测记录 dropdowns of measures and assessments
    assert case.step_label == "消除村级评议"
    html = client_for(world.officer_a).get(f"/registry/households/{home.pk}/").content.decode()
    assert "消除村级评议" in html
    listing = client_for(world.officer_a).get("/monitoring/cases/").content.decode()
    assert '<option value="village_review">村级研判/评议</option>' in listing
    identified = case_at(make_household(world.village_a, household_no="A812", head="识别户"), c.COUNTY_REVIEW)
    assert str(identified).endswith("·县级审定")
