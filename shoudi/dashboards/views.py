"""The dashboard of a region (county, township, village) and the Excel of its cards' figures."""

from __future__ import annotations

import io
from urllib.parse import quote

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.template.loader import render_to_string
from django.utils import timezone

from shoudi.core.excel import open_workbook, write_cell, write_header, write_title
from shoudi.regions.models import Region

from .cards import CardContext, all_cards, card_by_key
from .refresh import refresh_stale, refresh_villages
from .selectors import child_figures, missing_villages, refreshed_at, region_figures, stale_villages

__all__ = ["board_context", "dashboard", "dashboard_panel", "export"]

CHILD_LENGTH = {"county": 9, "township": 12}
INLINE_STALE = 3  # a page of at most this many stale villages computes them before it shows


def _allowed_region(request, pk: int | None) -> Region:
    user = request.user
    own = user.region if getattr(user, "region_id", None) else None
    if pk is None:
        if own is None:
            raise Http404("您的账号未设置所属区划")
        return own
    region = get_object_or_404(Region, pk=pk)
    if not user.is_superuser and (own is None or not region.code.startswith(own.code)):
        raise Http404("该区划不在您的管辖范围内")
    return region


def _as_of(moment) -> str:
    if moment is None:
        return "数据尚未汇总"
    local = timezone.localtime(moment)
    if local.date() == timezone.localdate():
        return f"数据截至 {local:%H:%M}"
    return f"数据截至 {local.month}月{local.day}日 {local:%H:%M}"


def cards_for(request, region: Region) -> list[tuple]:
    """(card, CardData) of every card with something to show for the region, in order."""
    missing = missing_villages(region)
    if missing:  # never an empty dashboard: villages not yet computed are computed now
        refresh_villages(missing)
    stale = stale_villages(region, INLINE_STALE)
    if stale and len(stale) <= INLINE_STALE:  # a village's own page shows its change at once; the worker does the rest
        refresh_stale(stale)
    figures = region_figures(region)
    children = list(Region.objects.filter(parent=region).order_by("code")) if region.level != "village" else []
    length = CHILD_LENGTH.get(region.level, 12)
    shown = []
    today = timezone.localdate()
    for card in all_cards():
        ctx = CardContext(
            region=region,
            user=request.user,
            today=today,
            figures=figures.get(card.key, {}),
            children=children,
            child_figures=lambda key, prefix: child_figures(region, key, prefix, length),
        )
        data = card.present(ctx)
        if data is not None:
            shown.append((card, data))
    return shown


def board_context(request, region: Region, *, compact: bool = False) -> dict:
    cards = cards_for(request, region)
    path = [*region.ancestors(), region]
    own = request.user.region.code if getattr(request.user, "region_id", None) else ""
    return {
        "region": region,
        "path": [(r, request.user.is_superuser or r.code.startswith(own)) for r in path],
        "cards": [
            {"card": card, "data": data, "headers": data.table()[0], "rows": data.table()[1]} for card, data in cards
        ],
        "chart_data": [data.as_json(card) for card, data in cards],
        "as_of": _as_of(refreshed_at(region)),
        "compact": compact,
    }


@login_required
def dashboard(request, pk: int | None = None):
    region = _allowed_region(request, pk)
    context = board_context(request, region)
    context["title"] = f"{region.name}数据看板"
    return render(request, "dashboards/dashboard.html", context)


def dashboard_panel(request, *, compact: bool = False) -> str | None:
    """The dashboard of the user's own region as a section of the home page."""
    user = request.user
    if not user.is_authenticated or not getattr(user, "region_id", None):
        return None
    return render_to_string("dashboards/_board.html", board_context(request, user.region, compact=compact), request)


def _sheet_name(title: str, index: int) -> str:
    """A sheet name Excel accepts: without []:*?/\\ and at most 31 characters, unique by its number."""
    cleaned = "".join(ch for ch in title if ch not in "[]:*?/\\→")
    return f"{index + 1}.{cleaned}"[:31]


@login_required
def export(request, pk: int):
    """The figures of one card (?card=key) or of every card, one sheet each, as Excel."""
    region = _allowed_region(request, pk)
    key = request.GET.get("card", "")
    if key and card_by_key(key) is None:
        raise Http404("没有这张卡片")
    cards = [(card, data) for card, data in cards_for(request, region) if not key or card.key == key]
    buffer = io.BytesIO()
    book = open_workbook(buffer, constant_memory=False)
    stamp = timezone.localtime()
    for card, data in cards:
        sheet = book.add_worksheet(_sheet_name(card.title, len(book.worksheets())))
        write_title(
            sheet,
            book,
            f"{region.full_name} {card.title}",
            f"{_as_of(refreshed_at(region))}  导出时间：{stamp:%Y-%m-%d %H:%M}",
        )
        headers, rows = data.table()
        write_header(sheet, 2, headers, book.format("head_wrap"))
        for r, row in enumerate(rows, start=3):
            write_cell(sheet, book, r, 0, row[0][0])
            for c, (value, _link) in enumerate(row[1:], start=1):
                write_cell(sheet, book, r, c, value)
        for n, note in enumerate(data.notes, start=len(rows) + 4):
            sheet.write_string(n, 0, note)
    book.close()
    title = card_by_key(key).title if key else "数据看板"
    response = HttpResponse(
        buffer.getvalue(), content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote(f'{region.name}{title}.xlsx')}"
    return response
