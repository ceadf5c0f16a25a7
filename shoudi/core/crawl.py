"""The page walk behind the crawl test, the browser overflow pass and the page-time benchmark.

A role's walk opens every entry of its menu, then follows the links those pages show — the first object of every
list, its detail page, the edit and add pages it offers — once per kind of page (URL name), so that a role visits
each view with one sample object. Tabs are panes of the detail page itself, so opening the page opens them all.

``visible_text`` and ``foreign_words`` judge what a page says: the text a user reads (no tags, scripts, styles or
attributes) must hold no English UI words and no raw choice keys. ``inline_code`` names what the Content-Security-Policy
(settings.CONTENT_SECURITY_POLICY: scripts and styles from 'self' only, no eval) would refuse on the page.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from html.parser import HTMLParser
from urllib.parse import urljoin, urlsplit

from django.urls import Resolver404, resolve

__all__ = ["ALLOWED_WORDS", "Page", "foreign_words", "inline_code", "page_links", "visible_text", "walk"]

# Words a Chinese county office reads as its own: file formats and names of products it uses. Everything else in
# Latin letters (three or more) is either English UI or a raw key.
ALLOWED_WORDS = frozenset(
    {
        "pdf",  # 下载 PDF
        "excel",  # 导出 Excel
        "xlsx",  # file extensions in file names and upload hints
        "xls",
        "csv",
        "wps",  # WPS 表格, the office suite the counties use
        "utf",  # CSV encodings, named as Excel's and WPS's own save dialogs name them ("CSV UTF-8")
        "gbk",
    }
)
# Raw keys: snake_case identifiers, Python literals, and the internal codes of the policy documents (S000 附件3)
RAW_KEY = re.compile(
    r"(?<![A-Za-z0-9_])[a-z]+(?:_[a-z0-9]+)+(?![A-Za-z0-9_])"  # snake_case: a choice key (below_line)
    r"|(?<![A-Za-z])(?:True|False|None)(?![A-Za-z])"
    r"|(?<![A-Za-z0-9])S\d{3}(?![0-9])"  # the seed documents' codes, which no county official knows
)
LATIN_WORD = re.compile(r"(?<![A-Za-z])[A-Za-z]{3,}(?![A-Za-z])")
SKIPPED_TAGS = {"script", "style", "template", "noscript", "svg"}
# URL names never opened by the walk: files, personal data revealed (each opening is logged), leaving the session
UNWALKED = re.compile(r"download|export|unmask|_phone$|logout|healthz|job_retry|^regions:pick$")


class _TextAndLinks(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.links: list[str] = []
        self._skip = 0

    def handle_starttag(self, tag, attrs):
        if tag in SKIPPED_TAGS:
            self._skip += 1
        elif tag == "a":
            href = dict(attrs).get("href")
            if href:
                self.links.append(href)

    def handle_endtag(self, tag):
        if tag in SKIPPED_TAGS and self._skip:
            self._skip -= 1

    def handle_data(self, data):
        if not self._skip:
            self.parts.append(data)


def _parse(html: str) -> _TextAndLinks:
    parser = _TextAndLinks()
    parser.feed(html)
    parser.close()
    return parser


def visible_text(html: str) -> str:
    """The text a user reads on the page, whitespace folded."""
    return " ".join(" ".join(_parse(html).parts).split())


def foreign_words(text: str, allowed: frozenset[str] = frozenset()) -> list[str]:
    """English words (three letters or more) and raw keys in ``text``, each once, in order of appearance."""
    allowed = {w.lower() for w in allowed} | ALLOWED_WORDS
    found: dict[str, None] = {}
    for match in RAW_KEY.finditer(text):
        if match.group().lower() not in allowed:
            found.setdefault(match.group(), None)
    for match in LATIN_WORD.finditer(text):
        word = match.group()
        if (
            word.lower() not in allowed
            and not any(word in key for key in found)
            and not _inside_allowed(match, text, allowed)
        ):
            found.setdefault(word, None)
    return list(found)


def _inside_allowed(match, text: str, allowed: set[str]) -> bool:
    """Whether the word is part of an allowed login name such as officer_b."""
    start, end = match.span()
    while start and (text[start - 1].isascii() and (text[start - 1].isalnum() or text[start - 1] == "_")):
        start -= 1
    while end < len(text) and text[end].isascii() and (text[end].isalnum() or text[end] == "_"):
        end += 1
    return text[start:end].lower() in allowed


# <script type="application/json"> (``json_script``) is data the browser never runs
DATA_SCRIPT_TYPES = frozenset({"application/json"})


class _InlineCode(HTMLParser):
    """Collects what a strict policy blocks: inline scripts, style elements, on*= handlers, style= attributes,
    javascript: URLs and the htmx features that evaluate strings (hx-on, js: values, trigger filters)."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.found: list[str] = []

    def handle_starttag(self, tag, attrs):
        values = dict(attrs)
        script_type = (values.get("type") or "").strip().lower()
        if tag == "script" and not values.get("src") and script_type not in DATA_SCRIPT_TYPES:
            self.found.append(f"inline script at line {self.getpos()[0]}")
        elif tag == "style":
            self.found.append(f"style element at line {self.getpos()[0]}")
        for name, value in attrs:
            value = (value or "").strip()
            if name.startswith(("on", "hx-on")) or name == "style" or value.lower().startswith("javascript:"):
                self.found.append(f'<{tag} {name}="{value[:60]}">')
            elif name.startswith(("hx-", "data-hx-")) and (value.startswith("js:") or value.startswith("javascript:")):
                self.found.append(f'<{tag} {name}="{value[:60]}"> (htmx eval)')
            elif name in ("hx-trigger", "data-hx-trigger") and "[" in value:
                self.found.append(f'<{tag} {name}="{value[:60]}"> (htmx trigger filter: eval)')

    handle_startendtag = handle_starttag


def inline_code(html: str) -> list[str]:
    """What ``html`` holds that the Content-Security-Policy would block, one line each, in page order."""
    parser = _InlineCode()
    parser.feed(html)
    parser.close()
    return parser.found


def page_links(html: str, base: str) -> list[str]:
    """Same-site links on the page, absolute paths with their query, in page order."""
    links = []
    for href in _parse(html).links:
        if href.startswith(("#", "javascript:", "mailto:", "tel:")):
            continue
        parts = urlsplit(urljoin(base, href))
        if parts.scheme not in ("", "http", "https") or (parts.netloc and parts.netloc != urlsplit(base).netloc):
            continue
        links.append(parts.path + (f"?{parts.query}" if parts.query else ""))
    return links


def url_name(path: str) -> str | None:
    try:
        match = resolve(urlsplit(path).path)
    except Resolver404:
        return None
    return match.view_name


@dataclass
class Page:
    url: str
    name: str  # the URL name ("registry:household_detail")
    via: str  # the page whose link led here ("menu" for menu entries)
    status: int
    content_type: str
    html: str
    seconds: float

    @property
    def is_html(self) -> bool:
        return self.content_type.startswith("text/html")


def walk(get, menu_urls: list[str], depth: int = 2) -> Iterator[Page]:
    """Open ``menu_urls`` and the pages reachable from them in ``depth`` clicks, one page per URL name.

    ``get(url) -> (status, content_type, html, seconds)`` opens one page (a test client, a browser, a timer).
    Links with ``export=`` in the query (file downloads) and URL names matching ``UNWALKED`` are not followed.
    """
    seen: set[str] = set()
    queue: list[tuple[str, str, int]] = []
    for url in menu_urls:
        name = url_name(url) or url
        if name not in seen:
            seen.add(name)
            queue.append((url, "menu", 0))
    while queue:
        url, via, level = queue.pop(0)
        status, content_type, html, seconds = get(url)
        page = Page(url, url_name(url) or "", via, status, content_type, html, seconds)
        yield page
        if level >= depth or status != 200 or not page.is_html:
            continue
        for link in page_links(html, url):
            name = url_name(link)
            if name is None or name in seen or UNWALKED.search(name) or "export=" in link:
                continue
            seen.add(name)
            queue.append((link, url, level + 1))
