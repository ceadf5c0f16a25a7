"""HTML → PDF with WeasyPrint: one document in this process, or a large batch split over worker processes and merged.

Measured on the 2-core servers (docs: STACK-FACTS): WeasyPrint lays out about 20 card pages a second in one process,
most of it in layout, and no option makes one document faster. A batch is therefore handed out as several HTML
documents (chunks of cards) to ``workers`` processes started with ``spawn`` (never ``fork``: the parent may hold
database connections and a job's heartbeat thread). Each worker renders a contiguous share of the chunks with the
garbage collector off (WeasyPrint allocates millions of short-lived objects; the collector only slows it), joins its
pages into one document so each font subset is written once per worker, and writes it to a temporary file; the
parent merges the files in order with pypdf. Fonts come from fontconfig: no remote fonts, and every font used is
embedded (subset) in the PDF.

This module imports no Django model: the worker processes import only it and WeasyPrint.
"""

from __future__ import annotations

import contextlib
import gc
import logging
import multiprocessing
import os
import queue as queue_module
import tempfile
import time
import traceback
from collections.abc import Callable, Sequence
from pathlib import Path

__all__ = ["PdfError", "merge_pdfs", "print_stylesheet", "render_documents", "render_pdf"]

# A worker that sends nothing for this long (not even a finished chunk) is taken as hung.
WORKER_SILENCE_SECONDS = 600

# The user-agent stylesheet for print pages, in place of WeasyPrint's full HTML5 one (~250 rules, every page margin
# box): matching each element against those rules and laying out 16 empty margin boxes per page was about a tenth
# of the time of a card. It covers the elements the print templates use; they style everything else themselves.
PRINT_UA_CSS = """
[hidden], head, link, meta, script, style, template, title { display: none }
html, body, section, article, header, footer, main, nav, div, h1, h2, h3, h4, p, ul, ol { display: block }
li { display: list-item }
table { display: table; box-sizing: border-box; border-spacing: 2px; border-collapse: separate; text-indent: initial }
caption { display: table-caption }
colgroup { display: table-column-group }
col { display: table-column }
thead { display: table-header-group; vertical-align: middle }
tbody { display: table-row-group; vertical-align: middle }
tfoot { display: table-footer-group; vertical-align: middle }
tr { display: table-row; vertical-align: inherit }
td, th { display: table-cell; vertical-align: inherit; padding: 1px }
th { font-weight: bold; text-align: center }
b, strong, h1, h2, h3, h4 { font-weight: bold }
h1 { font-size: 2em; margin: .67em 0 }
h2 { font-size: 1.5em; margin: .83em 0 }
h3 { font-size: 1.17em; margin: 1em 0 }
p, ul, ol { margin: 1em 0 }
ul, ol { padding-left: 40px }
br::before { content: "\\A"; white-space: pre-line }
"""


class PdfError(RuntimeError):
    """Rendering failed in a worker process; the message carries the worker's traceback."""


def print_stylesheet() -> str:
    """The text of ``static/shoudi/print.css``, found the way the static files are served (no URL fetching)."""
    from django.contrib.staticfiles import finders

    path = finders.find("shoudi/print.css")
    if not path:  # pragma: no cover - the file ships with the package
        raise PdfError("找不到打印样式 shoudi/print.css")
    return Path(path).read_text(encoding="utf-8")


@contextlib.contextmanager
def _gc_paused(pause: bool):
    was_enabled = gc.isenabled()
    if pause:
        gc.disable()
    try:
        yield
    finally:
        if pause and was_enabled:
            gc.enable()


def _print_html_class():
    """WeasyPrint's ``HTML`` with ``PRINT_UA_CSS`` as its user-agent stylesheet (``_ua_stylesheets`` is WeasyPrint's
    own hook for it; should a later version drop it, the full stylesheet is used and only speed changes)."""
    from weasyprint import CSS, HTML

    if not hasattr(HTML, "_ua_stylesheets"):  # pragma: no cover - WeasyPrint is pinned
        return HTML
    ua = CSS(string=PRINT_UA_CSS)

    class PrintHTML(HTML):
        def _ua_stylesheets(self, forms=False):
            return [ua]

    return PrintHTML


class _Renderer:
    """One process's WeasyPrint set-up: the font configuration and the parsed stylesheets, reused for every chunk."""

    def __init__(self, css: str):
        # A log line per laid-out page costs time and buries real warnings.
        logging.getLogger("weasyprint.progress").setLevel(logging.WARNING)
        from weasyprint import CSS
        from weasyprint.text.fonts import FontConfiguration

        self.html_class = _print_html_class()
        self.font_config = FontConfiguration()
        self.stylesheets = [CSS(string=css, font_config=self.font_config)] if css else []

    def render(self, html: str):
        return self.html_class(string=html, base_url=None).render(
            stylesheets=self.stylesheets, font_config=self.font_config
        )

    def write(self, documents: list, target=None):
        """One PDF of the pages of ``documents``, in order (fonts subset once for all of them)."""
        pages = [page for document in documents for page in document.pages]
        return documents[0].copy(pages).write_pdf(target)


def render_pdf(html: str | Sequence[str], *, css: str = "", pause_gc: bool = False) -> bytes:
    """A PDF of ``html`` (one HTML document, or several whose pages follow each other), rendered in this process."""
    return _render_here([html] if isinstance(html, str) else list(html), css=css, pause_gc=pause_gc)[0]


def _render_here(documents: list[str], *, css: str, pause_gc: bool, progress=None) -> tuple[bytes, int]:
    if not documents:
        raise ValueError("nothing to render")
    with _gc_paused(pause_gc):
        renderer = _Renderer(css)
        rendered = []
        for html in documents:
            rendered.append(renderer.render(html))
            if progress:
                progress(len(rendered[-1].pages))
        data = renderer.write(rendered)
        pages = sum(len(d.pages) for d in rendered)
        del rendered
    if pause_gc:
        gc.collect()
    return data, pages


def _worker(index: int, html_paths: list[str], css: str, out_path: str, messages) -> None:
    """Worker process: render the HTML files with the collector off, report each chunk's pages, write one PDF.

    The HTML travels as files, not as process arguments: ``spawn`` writes the arguments into a pipe the parent keeps
    open until the child has imported its modules, so large arguments would serialise the start of the workers.
    """
    try:
        gc.disable()
        started = time.perf_counter()
        renderer = _Renderer(css)
        rendered = []
        for path in html_paths:
            document = renderer.render(Path(path).read_text(encoding="utf-8"))
            rendered.append(document)
            messages.put(("progress", index, len(document.pages)))
        laid_out = time.perf_counter()
        renderer.write(rendered, out_path)
        messages.put(
            (
                "done",
                index,
                {
                    "pages": sum(len(d.pages) for d in rendered),
                    "layout_s": laid_out - started,
                    "write_s": time.perf_counter() - laid_out,
                    "cpu_s": time.process_time(),
                },
            )
        )
    except BaseException:
        messages.put(("error", index, traceback.format_exc()))
        raise


def merge_pdfs(paths: Sequence[str | os.PathLike], target: str | os.PathLike) -> int:
    """Concatenate PDFs in order into ``target``; returns the number of pages."""
    from pypdf import PdfWriter

    writer = PdfWriter()
    for path in paths:
        writer.append(str(path))
    with open(target, "wb") as out:
        writer.write(out)
    return len(writer.pages)


def _shares(count: int, workers: int) -> list[range]:
    """Contiguous shares of ``count`` chunks for ``workers`` processes, as even as possible."""
    base, extra = divmod(count, workers)
    shares, start = [], 0
    for i in range(workers):
        size = base + (1 if i < extra else 0)
        if size:
            shares.append(range(start, start + size))
        start += size
    return shares


def render_documents(
    documents: Sequence[str],
    target: str | os.PathLike,
    *,
    css: str = "",
    workers: int = 2,
    progress: Callable[[int], None] | None = None,
    stats: dict | None = None,
) -> int:
    """Render the HTML ``documents`` (chunks of one batch, in order) into the PDF file ``target``.

    With ``workers`` > 1 (and more than one chunk) the chunks are split into contiguous shares rendered by that many
    spawned processes and merged; with 1 they are rendered here, the collector paused. ``progress(pages)`` is called
    with the pages finished since the last call; ``stats``, if given, receives timings (for the benchmark). Returns
    the page count. Raises ``PdfError`` when a worker fails.
    """
    documents = list(documents)
    if not documents:
        raise ValueError("nothing to render")
    workers = max(1, min(workers, len(documents)))
    if workers == 1:
        data, pages = _render_here(documents, css=css, pause_gc=True, progress=progress)
        Path(target).write_bytes(data)
        return pages

    context = multiprocessing.get_context("spawn")
    messages = context.Queue()
    with tempfile.TemporaryDirectory(prefix="shoudi-pdf-") as tmp:
        html_paths = []
        for i, html in enumerate(documents):
            html_paths.append(os.path.join(tmp, f"chunk-{i:05d}.html"))
            Path(html_paths[-1]).write_text(html, encoding="utf-8")
        parts = []
        processes = []
        for index, share in enumerate(_shares(len(documents), workers)):
            part = os.path.join(tmp, f"part-{index}.pdf")
            parts.append(part)
            process = context.Process(
                target=_worker,
                args=(index, [html_paths[i] for i in share], css, part, messages),
                name=f"shoudi-pdf-{index}",
                daemon=True,
            )
            process.start()
            processes.append(process)
        try:
            reports = _wait(processes, messages, progress)
        finally:
            for process in processes:
                if process.is_alive():
                    process.terminate()
                process.join(timeout=5)
            messages.close()
        merging = time.perf_counter()
        pages = merge_pdfs(parts, target)
        if stats is not None:
            stats["workers"] = [reports[i] for i in sorted(reports)]
            stats["merge_s"] = time.perf_counter() - merging
        return pages


def _wait(processes: list, messages, progress) -> dict[int, dict]:
    """Relay progress until every worker is done; their final reports by worker index."""
    pending = set(range(len(processes)))
    reports = {}
    last_heard = time.monotonic()
    while pending:
        try:
            kind, index, value = messages.get(timeout=1.0)
        except queue_module.Empty:
            dead = [i for i in pending if not processes[i].is_alive() and processes[i].exitcode not in (None, 0)]
            if dead:
                raise PdfError(f"PDF 生成进程意外退出（退出码 {processes[dead[0]].exitcode}）") from None
            if time.monotonic() - last_heard > WORKER_SILENCE_SECONDS:
                raise PdfError("PDF 生成进程长时间无响应") from None
            continue
        last_heard = time.monotonic()
        if kind == "progress":
            if progress:
                progress(value)
        elif kind == "done":
            pending.discard(index)
            reports[index] = value
        else:
            raise PdfError(f"PDF 生成失败：\n{value}")
    return reports
