"""The Content-Security-Policy (issue 15): every page says scripts, styles, images, fonts and requests come from Shoudi
itself, nothing may frame it, and nothing inline runs. So no template, and no HTML that Python code writes, may hold an
inline script, a <style> element, an on*= handler, a style= attribute, a javascript: URL or an htmx feature that
evaluates a string; the rendered pages of every role are checked the same way by the crawl (tests/test_crawl.py), and
tests/test_csp_browser.py watches Chromium's console for refusals.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest
from django.conf import settings
from django.http import HttpResponse
from django.test import RequestFactory

from shoudi.core.crawl import inline_code
from shoudi.core.csp import DocumentCSPMiddleware
from shoudi.registry.testing import make_household

PACKAGE = Path(settings.PACKAGE_DIR)
POLICY = {
    "default-src": "'self'",
    "script-src": "'self'",
    "style-src": "'self'",
    "img-src": "'self' data: blob:",
    "font-src": "'self'",
    "connect-src": "'self'",
    "object-src": "'none'",
    "base-uri": "'self'",
    "form-action": "'self'",
    "frame-ancestors": "'none'",
}


def directives(header: str) -> dict[str, str]:
    parts = (part.strip().split(None, 1) for part in header.split(";") if part.strip())
    return {part[0]: part[1] if len(part) > 1 else "" for part in parts}


def template_files() -> list[Path]:
    dirs = [PACKAGE / "templates", *PACKAGE.glob("*/templates")]
    return sorted(path for folder in dirs for path in folder.rglob("*.html"))


def test_the_login_page_carries_the_strict_policy(client):
    response = client.get("/login/")
    assert response.status_code == 200
    header = response["Content-Security-Policy"]
    assert directives(header) == POLICY
    assert "unsafe" not in header
    assert response["X-Frame-Options"] == "DENY"  # the same refusal for browsers without frame-ancestors


@pytest.mark.django_db
def test_pages_and_htmx_fragments_of_a_signed_in_user_carry_it(world, client_for):
    home = make_household(world.village_a, household_no="A001", head="张三", phone="13512345678")
    client = client_for(world.officer_a)
    for url in ("/", f"/registry/households/{home.pk}/", "/registry/households/?q=张", "/assistance/visit/"):
        response = client.get(url)
        assert response.status_code == 200, url
        assert directives(response["Content-Security-Policy"]) == POLICY, url
    fragment = client.get("/registry/pick/households/?q=张&list=picker-1", headers={"HX-Request": "true"})
    assert fragment.status_code == 200 and "张三" in fragment.content.decode()
    assert "<html" not in fragment.content.decode()  # the picker's options, swapped in by htmx
    assert directives(fragment["Content-Security-Policy"]) == POLICY


def test_the_base_page_turns_off_htmx_inline_styles_and_eval(client):
    html = client.get("/login/").content.decode()
    assert '<meta name="htmx-config" content=\'{"includeIndicatorStyles": false, "allowEval": false}\'>' in html
    css = (PACKAGE / "static" / "shoudi" / "shoudi.css").read_text()
    assert ".htmx-request .htmx-indicator" in css  # the indicator rule htmx would otherwise inject as <style>


def test_an_inline_pdf_carries_no_policy():
    """Chromium shows an inline PDF inside a page of its own, under the PDF's policy: object-src 'none' would leave
    the 下载 PDF preview of the work cards blank, so only HTML documents get the header."""
    middleware = DocumentCSPMiddleware(lambda request: HttpResponse(b"%PDF-1.7", content_type="application/pdf"))
    response = middleware(RequestFactory().get("/cards/work/1/pdf/"))
    assert "Content-Security-Policy" not in response
    page = DocumentCSPMiddleware(lambda request: HttpResponse("<p>好</p>"))(RequestFactory().get("/"))
    assert directives(page["Content-Security-Policy"]) == POLICY


def test_no_template_holds_inline_script_or_style():
    files = template_files()
    assert len(files) > 50  # the scan reads the real templates
    problems = [f"{path.relative_to(PACKAGE)}: {item}" for path in files for item in inline_code(path.read_text())]
    assert not problems, "\n".join(problems)


def blocked_attribute_names(tree: ast.AST) -> list[ast.Constant]:
    """Widget attributes named style or on…: attrs={"style": …}, attrs["style"] = …, attrs.setdefault("style", …)."""
    names = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Dict):
            names += node.keys
        elif isinstance(node, ast.Subscript):
            names.append(node.slice)
        elif isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.args:
            names += [node.args[0]] if node.func.attr in ("setdefault", "pop", "get") else []
    return [
        n
        for n in names
        if isinstance(n, ast.Constant) and isinstance(n.value, str) and re.fullmatch(r"style|on[a-z]+", n.value)
    ]


def test_no_html_written_in_python_holds_inline_script_or_style():
    """format_html / mark_safe strings in views, tables and template tags (every string constant with a tag in it),
    and widget attributes set in forms."""
    problems, scanned = [], 0
    for path in sorted(PACKAGE.rglob("*.py")):
        tree = ast.parse(path.read_text(), str(path))
        where = path.relative_to(PACKAGE)
        for node in ast.walk(tree):
            if isinstance(node, ast.Constant) and isinstance(node.value, str) and re.search(r"<[a-z]", node.value):
                scanned += 1
                problems += [f"{where}:{node.lineno}: {item}" for item in inline_code(node.value)]
        problems += [f'{where}:{n.lineno}: widget attribute "{n.value}"' for n in blocked_attribute_names(tree)]
    assert scanned > 10
    assert not problems, "\n".join(problems)


def test_shoudi_scripts_neither_eval_nor_write_style_attributes():
    """Setting element.style from a script is allowed; a style attribute in markup, eval and new Function are not."""
    forbidden = re.compile(
        r"setAttribute\(\s*[\"']style|\.cssText\b|innerHTML|insertAdjacentHTML|\beval\(|new Function\b"
    )
    scripts = sorted((PACKAGE / "static").rglob("*.js"))
    assert scripts
    problems = [f"{path.name}: {m.group()}" for path in scripts for m in forbidden.finditer(path.read_text())]
    assert not problems, problems


def test_the_detector_names_what_the_policy_blocks():
    html = """<script src="/static/x.js" defer></script><script type="application/json" id="d">{"a": 1}</script>
    <script>alert(1)</script><style>.x{}</style><p style="color:red">红</p><button onclick="go()">走</button>
    <a href="javascript:history.back()">返回</a><div hx-on:click="x()"></div><div hx-vals="js:{a: 1}"></div>
    <input hx-trigger="keyup[key=='Enter']"><div data-sd-width="40" class="sd-mw-40" hx-get="/x/"></div>"""
    assert inline_code(html) == [
        "inline script at line 2",
        "style element at line 2",
        '<p style="color:red">',
        '<button onclick="go()">',
        '<a href="javascript:history.back()">',
        '<div hx-on:click="x()">',
        '<div hx-vals="js:{a: 1}"> (htmx eval)',
        "<input hx-trigger=\"keyup[key=='Enter']\"> (htmx trigger filter: eval)",
    ]
