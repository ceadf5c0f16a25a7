"""The crawl: each of the six demo roles opens every entry of its menu and, from there, the first object of every
list with its detail page (its tabs are panes of that page), its edit page and the other pages it links to.

No page may answer with a server error, and no page may show English UI words or raw choice keys: the text a user
reads (``shoudi.core.crawl.visible_text``) is judged by ``foreign_words``. No page may hold what the
Content-Security-Policy refuses (``inline_code``: inline scripts and styles, on*= handlers, javascript: URLs; issue 15,
tests/test_csp.py). A failure names the role, the page and the page that linked to it.

The demo county is built once for the module, with fewer households than ``shoudi demo`` (the pages are the same;
bench/bench_pages.py walks the full county and times them), plus the first-day jobs a county admin starts.
"""

from __future__ import annotations

import io
from unittest import mock

import pytest
from django.contrib.contenttypes.models import ContentType
from django.core.management import call_command
from django.test import Client, override_settings

from shoudi.accounts.demo import DEMO_USERS
from shoudi.accounts.models import User
from shoudi.core.crawl import foreign_words, inline_code, visible_text, walk
from shoudi.core.jobs import start_job
from shoudi.core.menu import menu_for
from shoudi.core.models import Job
from shoudi.registry import demo as registry_demo

DEMO_HOUSEHOLDS = 2_400  # 30 a village: enough for every demo scenario of the village officer's village
IMMEDIATE_TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
ROLES = [username for username, *_ in DEMO_USERS]


@pytest.fixture(scope="module")
def demo_county(django_db_setup, django_db_blocker, tmp_path_factory):
    """The demo county, committed for the whole module and flushed after it."""
    media = tmp_path_factory.mktemp("crawl-files")
    with django_db_blocker.unblock(), override_settings(MEDIA_ROOT=media, TASKS=IMMEDIATE_TASKS):
        try:  # flushed even when the set-up fails: rows committed here must not reach the modules after
            with mock.patch.object(registry_demo, "HOUSEHOLDS", DEMO_HOUSEHOLDS):
                call_command("demo", stdout=io.StringIO())
            admin = User.objects.get(username="admin")
            # the jobs of a first day: one small job with a result file, then the early-warning screening (the
            # newest: the first row of the job list, whose page the walk opens); the demo ran jobs of its own
            done = Job.objects.filter(status=Job.SUCCEEDED).count()
            start_job(kind="core.demo", user=admin, params={"steps": 3})
            start_job(kind="monitoring.screen", user=admin, params={"year": 2025, "region_code": admin.region.code})
            assert Job.objects.filter(status=Job.SUCCEEDED).count() == done + 2
            yield
        finally:
            call_command("flush", interactive=False, verbosity=0)
            ContentType.objects.clear_cache()


def open_page(client: Client):
    def get(url: str):
        response = client.get(url)
        content_type = response.get("Content-Type", "")
        html = "" if response.streaming or not content_type.startswith("text/html") else response.content.decode()
        return response.status_code, content_type, html, 0.0

    return get


@pytest.mark.django_db
@pytest.mark.parametrize("username", ROLES)
def test_every_page_a_role_reaches_answers_in_chinese(demo_county, username, settings):
    settings.MEDIA_ROOT = settings.DATA_DIR / "files"  # the demo's department lists were written here
    user = User.objects.get(username=username)
    client = Client(raise_request_exception=False)
    client.force_login(user)
    logins = frozenset(User.objects.values_list("username", flat=True))  # login names are data, not UI words
    menu = [item["url"] for _group, items in menu_for(user) for item in items]

    problems, opened = [], 0
    for page in walk(open_page(client), menu):
        opened += 1
        where = f"{user.get_role_display()} {username} {page.url} (from {page.via})"
        if page.status >= 500:
            problems.append(f"{where}: HTTP {page.status}")
        elif page.is_html and (words := foreign_words(visible_text(page.html), logins)):
            problems.append(f"{where}: {', '.join(words[:15])}")
        if page.is_html and (blocked := inline_code(page.html)):
            problems.append(f"{where}: blocked by the Content-Security-Policy: {'; '.join(blocked[:5])}")

    assert opened > len(menu), f"{username}: the walk opened only the menu"
    assert not problems, f"{len(problems)} of {opened} pages:\n" + "\n".join(problems)


@pytest.mark.django_db
def test_the_walk_reaches_detail_and_edit_pages(demo_county):
    """The crawl is only as good as what it opens: from a list, the county admin reaches the first object's page and
    its edit page; from the job list, the screening job's page (but not its result file)."""
    client = Client(raise_request_exception=False)
    client.force_login(User.objects.get(username="admin"))
    pages = list(walk(open_page(client), ["/regions/", "/system/jobs/"]))
    names = {page.name for page in pages}
    assert {"regions:region_detail", "regions:region_edit", "core:job_detail"} <= names
    assert not any("download" in name for name in names)
    job_page = next(page for page in pages if page.name == "core:job_detail")
    assert "预警筛查" in visible_text(job_page.html) and "已完成" in visible_text(job_page.html)


def test_the_detector_names_english_and_raw_keys():
    html = """<html><head><title>t</title><style>.x{color:red}</style><script>var below_line = true;</script></head>
    <body><p class="text-muted" data-step="county_review">环节：county_review → 公示</p><p>导出 Excel · 下载 PDF ·
    名单.xlsx · Server Error (500) · 在岗 True · 按 S000 附件3 制作</p><input value="English hidden"></body></html>"""
    words = foreign_words(visible_text(html))
    assert words == ["county_review", "True", "S000", "Server", "Error"]
