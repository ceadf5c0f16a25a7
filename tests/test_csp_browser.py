"""The Content-Security-Policy in Chromium (issue 15): every role's home and the pages with behaviour open without one
refusal in the console, and what used to be inline script still works from static/shoudi/*.js: the region picker
submits on change, 全选 ticks every row, 记录位置 fills the visit's coordinates, an error box is focused,
返回上一页 goes back, htmx swaps (the picker, 显示 on a masked phone, a job's progress poll) and the progress bar's
width comes from a class."""

from __future__ import annotations

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from shoudi.accounts.roles import CADRE, DEPARTMENT
from shoudi.accounts.testing import make_user, make_world
from shoudi.assistance.models import Cadre, Pairing
from shoudi.core.jobs import start_job
from shoudi.core.models import Job
from shoudi.registry.testing import make_household

from .browser import log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# A violation reaches the console as "Refused to … because it violates the following Content Security Policy
# directive"; the securitypolicyviolation event catches the ones a console message might word differently.
RECORD_VIOLATIONS = """
window.__cspViolations = [];
document.addEventListener("securitypolicyviolation", (e) => {
  window.__cspViolations.push(`${e.violatedDirective} ${e.blockedURI || "inline"} ${e.sourceFile}:${e.lineNumber}`);
});
"""


class Watched:
    """A page whose console and policy violations are recorded from its first script on."""

    def __init__(self, context, base_url: str):
        self.base_url = base_url
        self.page = context.new_page()
        self.console: list[str] = []
        self.page.add_init_script(RECORD_VIOLATIONS)
        self.page.on("console", lambda message: self.console.append(message.text))
        self.page.on("pageerror", lambda error: self.console.append(f"page error: {error}"))

    def open(self, path: str):
        self.page.goto(f"{self.base_url}{path}")
        self.assert_no_violation(path)
        return self.page

    def assert_no_violation(self, where: str) -> None:
        refused = [text for text in self.console if "Content Security Policy" in text or "page error" in text]
        violations = self.page.evaluate("window.__cspViolations || []")
        assert not refused and not violations, (where, refused, violations)


@pytest.fixture
def county():
    world = make_world()
    cadre_user = make_user("cadre_a", CADRE, world.village_a, name="帮扶干部甲")
    make_user("yibao", DEPARTMENT, world.county, name="县医保局经办人", department="medical_insurance")
    cadre = Cadre.objects.create(name="帮扶干部甲", unit="县农业农村局", region=world.village_a, user=cadre_user)
    home = make_household(world.village_a, household_no="A900", head="吴䶮", phone="13512345678")
    Pairing.objects.create(household=home, cadre=cadre)
    make_household(world.village_a, household_no="A901", head="吴建国")
    return world, home


def test_every_role_home_opens_without_a_refusal(live_server, browser, county):
    for username in ("officer_a", "reviewer_a", "admin", "inspector", "cadre_a", "yibao"):
        context = browser.new_context(locale="zh-CN", viewport={"width": 1366, "height": 768})
        watched = Watched(context, live_server.url)
        log_in(watched.page, live_server.url, username)
        page = watched.open("/")
        expect(page.locator("#todo-badge")).to_be_visible()
        watched.open("/registry/households/")
        context.close()


def test_pages_with_behaviour_work_under_the_policy(live_server, browser, county):
    world, home = county
    context = browser.new_context(locale="zh-CN", viewport={"width": 1366, "height": 768})
    watched = Watched(context, live_server.url)
    log_in(watched.page, live_server.url, "admin")

    # household detail: 显示 swaps the full phone number in through htmx
    page = watched.open(f"/registry/households/{home.pk}/")
    expect(page.locator("#household-phone")).to_contain_text("135****5678")
    page.locator("#household-phone button").click()
    expect(page.locator("#household-phone")).to_contain_text("13512345678")
    watched.assert_no_violation("unmask")

    # the region picker in the header submits its form on change (was onchange="this.form.submit()")
    with page.expect_navigation():
        page.select_option("#region-picker", world.village_a.code)
    expect(page.locator(".sd-regionbar .breadcrumb-item.active")).to_have_text("甲村")
    watched.assert_no_violation("region picker")

    # the household picker: htmx fetches the options as one types
    page = watched.open("/registry/incomes/add/")
    box = page.locator("#id_household")
    box.click()
    box.press_sequentially("吴", delay=30)
    expect(page.locator("#id_household-options [role=option]")).to_have_count(2)
    watched.assert_no_violation("picker")

    # the import page, and an error page whose 返回上一页 goes back (was href="javascript:history.back()")
    watched.open("/registry/import/")
    expect(page.locator("#import-form")).to_be_visible()
    watched.open("/system/jobs/999999/")
    page.get_by_role("button", name="返回上一页").click()
    expect(page).to_have_url(f"{live_server.url}/registry/import/")
    context.close()


def test_a_job_page_polls_and_draws_its_bar_under_the_policy(live_server, browser, county):
    world, _home = county
    job = start_job(kind="core.demo", user=world.admin, params={"steps": 3})  # no worker in this test: say one runs it
    now = timezone.now()
    running = {"status": Job.RUNNING, "worker_host": "worker-2", "worker_pid": 4242, "started_at": now}
    Job.objects.filter(pk=job.pk).update(**running, heartbeat_at=now, total=10, done=4)
    context = browser.new_context(locale="zh-CN", viewport={"width": 1366, "height": 768})
    watched = Watched(context, live_server.url)
    log_in(watched.page, live_server.url, "admin")
    page = watched.open(f"/system/jobs/{job.pk}/")
    bar = page.locator("#job-progress")
    expect(bar).to_have_text("40%")
    with page.expect_response(lambda response: f"/system/jobs/{job.pk}/" in response.url, timeout=5000):
        pass  # htmx polls every second
    Job.objects.filter(pk=job.pk).update(done=7, heartbeat_at=timezone.now())
    expect(bar).to_have_text("70%", timeout=5000)
    page.wait_for_timeout(800)  # Bootstrap's width transition (0.6 s)
    ratio = page.evaluate("(b => b.offsetWidth / b.parentElement.clientWidth)(document.getElementById('job-progress'))")
    assert 0.65 < ratio < 0.75, ratio  # the width comes from the class sd-pct-70, not a style attribute
    watched.assert_no_violation("job poll")
    context.close()


def test_visit_form_and_batch_review_behaviours(live_server, browser, county):
    _world, home = county
    context = browser.new_context(
        locale="zh-CN",
        viewport={"width": 390, "height": 844},
        is_mobile=True,
        has_touch=True,
        permissions=["geolocation"],
        geolocation={"latitude": 26.647661, "longitude": 106.630153},
    )
    watched = Watched(context, live_server.url)
    log_in(watched.page, live_server.url, "cadre_a")
    page = watched.open(f"/assistance/visit/{home.pk}/")
    page.click("#locate")  # static/shoudi/visit.js
    expect(page.locator("#location-text")).to_have_text("已记录位置")
    assert page.input_value("#id_latitude") == "26.647661"
    assert page.input_value("#id_longitude") == "106.630153"
    page.fill("#id_content", "了解家庭收入情况")
    with page.expect_navigation():  # nothing ticked in the checklist: refused, with the error box on top
        page.get_by_role("button", name="保存走访").click()
    expect(page.locator("#visit-errors")).to_be_focused()  # data-sd-focus: the error box, brought into view
    watched.assert_no_violation("visit form")
    context.close()

    context = browser.new_context(locale="zh-CN", viewport={"width": 1366, "height": 768})
    watched = Watched(context, live_server.url)
    log_in(watched.page, live_server.url, "admin")
    page = watched.open("/assistance/pairings/bulk/?todo=")  # every household, not only those lacking a cadre
    boxes = page.locator("input[name=household]")
    expect(boxes).to_have_count(2)
    page.get_by_label("全选").check()  # data-sd-check-all (was an onclick)
    assert all(boxes.nth(i).is_checked() for i in range(2))
    watched.assert_no_violation("bulk pair")
    context.close()
