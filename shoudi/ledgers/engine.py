"""The ledger engine (台账): a ledger is a definition — title, columns, filters, parameters, sort, grouping — that
the engine turns into one query and an Excel file.

A definition names its base model; rows come from ``Model.objects.restrict(user, "view")`` inside the chosen
region, narrowed by the definition's own condition (``base``) and its filters, fetched with ``.values()`` and
``.iterator()`` — never model instances. What lives on other rows (the household head, the paired cadre, the
measures) comes from *lookups*: one query each over the households of the ledger, into a dict keyed by household.

The writer is XlsxWriter in ``constant_memory`` mode (opened by ``core.excel``): title row, region and date line,
frozen header, widths, number formats, IDs and phones as text (masked, and birth dates cut to their year, for
roles without ``unmask`` on the model they belong to), subtotals per village when grouped, a total row and the
signature line (制表人 / 审核人 / 日期) county ledgers carry.

The parts of a definition live in ``definitions``; the standard definitions (``standard``) reach the engine
through the core registry's "ledgers" store, which ``wiring`` fills at start-up, so the engine imports none of them.
A county admin's copy (``SavedLedger``) picks columns and filter values of one of them. ``Ledger`` is what gets
built: a definition with the columns and filter values in force.
"""

from __future__ import annotations

import datetime
import functools
import operator
import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import FieldDoesNotExist, PermissionDenied
from django.db import models
from django.db.models import Q
from django.utils import timezone

from shoudi.core.excel import open_workbook
from shoudi.core.masking import mask_birth_date, mask_id_number, mask_phone, mask_value
from shoudi.core.registry import registry
from shoudi.core.scope import user_can

from .definitions import MASKED_KINDS, SEQ, Column, Filter, LedgerContext, LedgerDefinition, LedgerError, Lookup, Param

__all__ = [
    "SEQ",
    "Column",
    "Filter",
    "Ledger",
    "LedgerContext",
    "LedgerDefinition",
    "LedgerError",
    "Lookup",
    "Param",
    "available_ledgers",
    "build_queryset",
    "count_rows",
    "file_name",
    "get_definition",
    "iter_cells",
    "log_export",
    "make_context",
    "preview",
    "resolve",
    "standard_definitions",
    "write_xlsx",
]

EXCEL_EPOCH = datetime.date(1899, 12, 30).toordinal()  # Excel's day 0 (1900 date system)


def standard_definitions() -> list[LedgerDefinition]:
    """Every registered ledger, in the order they were registered (S000 附件1/2 for the standard ones)."""
    return registry.entries("ledgers")


def get_definition(code: str) -> LedgerDefinition:
    try:
        return registry.keyed("ledgers")[code]
    except KeyError:
        raise LedgerError(f"没有名为 {code} 的台账") from None


# --- what gets built ------------------------------------------------------------------------------------------------


@dataclass
class Ledger:
    """A definition with the columns, filter values and grouping in force: a standard ledger or a county's copy."""

    definition: LedgerDefinition
    title: str
    column_keys: list[str]
    filter_values: dict
    grouped: bool
    saved: Any = None  # the SavedLedger, for a county's copy

    @classmethod
    def standard(cls, definition: LedgerDefinition) -> Ledger:
        return cls(
            definition, definition.title, definition.default_columns, definition.default_filters, definition.grouped
        )

    @classmethod
    def from_saved(cls, saved) -> Ledger:
        definition = get_definition(saved.base_code)
        keys = [k for k in saved.columns if definition.column(k) is not None]
        values = definition.default_filters
        for key, value in (saved.filters or {}).items():
            f = definition.filter(key)
            if f is not None:
                values[key] = f.clean(value)
        return cls(definition, saved.title, keys, values, saved.grouped, saved)

    @property
    def name(self) -> str:
        return self.saved.name if self.saved is not None else self.definition.code

    @property
    def columns(self) -> list[Column]:
        return [c for c in (self.definition.column(k) for k in self.column_keys) if c is not None]

    def visible_columns(self, ctx: LedgerContext) -> list[Column]:
        """The columns this user may see: those whose lookups read models his role may view."""
        lookups = self.definition.lookups
        return [c for c in self.columns if all(ctx.can(lookups[name].model, "view") for name in c.lookups)]

    def describe_filters(self) -> str:
        """The filters in force, in words; alternatives of one group joined with 或."""
        parts: list[str] = []
        groups: dict[str, list[str]] = {}
        for f in self.definition.filters:
            text = f.describe(self.filter_values.get(f.key, f.default))
            if f.group:
                if f.group not in groups:
                    groups[f.group] = []
                    parts.append(f"\0{f.group}")
                if text:
                    groups[f.group].append(text)
            elif text:
                parts.append(text)
        words = []
        for part in parts:
            if part.startswith("\0"):
                alternatives = groups[part[1:]]
                words.append("或".join(alternatives) if alternatives else "（未选择任何条件，无记录）")
            else:
                words.append(part)
        return "；".join(words)


def resolve(name: str, user=None) -> Ledger:
    """The ledger called ``name``: a standard code, or ``saved-<id>`` for a county's copy the user may view."""
    match = re.fullmatch(r"saved-(\d+)", name or "")
    if match is None:
        return Ledger.standard(get_definition(name))
    from .models import SavedLedger

    qs = SavedLedger.objects.all() if user is None else SavedLedger.objects.restrict(user, "view")
    saved = qs.filter(pk=int(match.group(1))).first()
    if saved is None:
        raise LedgerError(f"没有名为 {name} 的台账，或不在您的管辖范围内")
    return Ledger.from_saved(saved)


def available_ledgers(user) -> list[Ledger]:
    """The standard ledgers and the county's copies that ``user`` may open (his role may view the base model)."""
    from .models import SavedLedger

    if user is not None and not user_can(user, SavedLedger, "view"):
        return []
    result = [Ledger.standard(d) for d in standard_definitions() if user is None or user_can(user, d.model, "view")]
    saved = SavedLedger.objects.all() if user is None else SavedLedger.objects.restrict(user, "view")
    for row in saved.select_related("region").order_by("region__code", "title"):
        try:
            ledger = Ledger.from_saved(row)
        except LedgerError:  # its standard ledger was withdrawn
            continue
        if user is None or user_can(user, ledger.definition.model, "view"):
            result.append(ledger)
    return result


def make_context(
    ledger: Ledger, user, region_code: str = "", params: dict | None = None, today: datetime.date | None = None
) -> LedgerContext:
    """Check the region against the user's and parse the parameters (absent ones take their defaults)."""
    from shoudi.regions.models import Region

    region = None
    own = user.region if user is not None and getattr(user, "region_id", None) else None
    own = own if own is not None and own.code else None  # an empty code is no region, never the whole database
    code = (region_code or "").strip()
    if code:
        region = Region.objects.filter(code=code).first()
        if region is None:
            raise LedgerError(f"区划代码 {code} 不存在")
        if user is not None and not user.is_superuser and (own is None or not code.startswith(own.code)):
            raise PermissionDenied("所选区划不在您的管辖范围内")
    elif own is not None:
        region = own
    elif user is not None and not user.is_superuser:
        raise PermissionDenied("您的账号未设置所属区划")
    ctx = LedgerContext(user=user, region=region, params={}, today=today or timezone.localdate())
    raw = params or {}
    for param in ledger.definition.params:
        value = raw.get(param.key)
        ctx.params[param.key] = param.parse(value) if value not in (None, "") else param.default(ctx)
    return ctx


# --- query -----------------------------------------------------------------------------------------------------------


def build_queryset(ledger: Ledger, ctx: LedgerContext) -> models.QuerySet:
    """The ledger's rows for the context: scope, region, the definition's condition, the filters, the order."""
    d = ledger.definition
    manager = d.model._default_manager
    qs = manager.all() if ctx.user is None else manager.restrict(ctx.user, "view")
    if ctx.region is not None:
        qs = qs.filter(**{f"{d.model.scope_code_field}__startswith": ctx.region.code})
    if d.annotate is not None:
        qs = qs.annotate(**d.annotate(ctx))
    if d.base is not None:
        qs = qs.filter(d.base(ctx))
    groups: dict[str, list[Q]] = {}
    for f in d.filters:
        value = ledger.filter_values.get(f.key, f.default)
        if f.group:
            groups.setdefault(f.group, [])
            if value:
                groups[f.group].append(f.q(ctx, True))
        elif value:
            qs = qs.filter(f.q(ctx, value))
    for alternatives in groups.values():
        qs = qs.filter(functools.reduce(operator.or_, alternatives)) if alternatives else qs.none()
    return qs.order_by(*d.order_by)


def count_rows(ledger: Ledger, ctx: LedgerContext) -> int:
    """How many rows the ledger has: one COUNT query."""
    return build_queryset(ledger, ctx).order_by().count()


# --- rows -------------------------------------------------------------------------------------------------------------


def _bool_text(value):
    return None if value is None else ("是" if value else "否")


def _to_text(value):
    return value if value.__class__ is str else (None if value is None else str(value))


def _to_float(value):
    return None if value is None else float(value)


def _to_serial(value):
    """A date as Excel's day number (written with a date format): cheaper than write_datetime."""
    if value is None:
        return None
    if isinstance(value, datetime.datetime):
        value = timezone.localtime(value) if timezone.is_aware(value) else value
        return value.toordinal() - EXCEL_EPOCH + (value.hour * 3600 + value.minute * 60 + value.second) / 86400
    return value.toordinal() - EXCEL_EPOCH


def _mask_id(value):
    return mask_id_number(value) if value else value


def _mask_phone(value):
    return mask_phone(value) if value else value


def _mask_birth_date(value):
    return mask_birth_date(value) if value else value


def _mask_hidden(value):
    return mask_value("hidden", value)


def _is_text(model: type[models.Model], path: str) -> bool:
    """Whether ``path`` (as ``.values()`` takes it) ends at a CharField or TextField of the model."""
    field = None
    for i, part in enumerate(path.split("__")):
        try:
            field = model._meta.get_field(part)
        except FieldDoesNotExist:  # an annotation, or something the database computes
            return False
        if i < path.count("__"):
            model = field.related_model
            if model is None:
                return False
    return field is not None and field.get_internal_type() in ("CharField", "TextField")


def _compose(first: Callable, second: Callable) -> Callable:
    return lambda row: second(first(row))


@dataclass
class _Plan:
    """How to turn one fetched row into the cells of the visible columns, decided once per ledger."""

    columns: list[Column]
    fields: list[str]
    getters: list[Callable[[dict], Any]]
    lookups: dict[str, Lookup]
    masked: list[bool]


def _plan(ledger: Ledger, ctx: LedgerContext, *, excel: bool, mask_all: bool = False) -> _Plan:
    d = ledger.definition
    columns = ledger.visible_columns(ctx)
    fields: list[str] = []
    getters: list[Callable] = []
    masked: list[bool] = []
    lookup_names: list[str] = []

    def need(path: str) -> None:
        if path and path not in fields:
            fields.append(path)

    for column in columns:
        getter = _getter(column, ctx, need, lookup_names)
        hide = column.kind in MASKED_KINDS and (mask_all or not ctx.can(column.mask_model, "unmask"))
        masked.append(hide)
        # Text from a text field is already str (or None): no conversion in the loop for the common case.
        source = column.source
        as_text = None if not callable(source) and _is_text(d.model, source) else _to_text
        convert = _converter(column.kind, hide=hide, as_text=as_text, excel=excel)
        getters.append(_compose(getter, convert) if convert is not None else getter)
    if ledger.grouped:
        for path in d.group_fields:
            need(path)
    if lookup_names:
        need(d.household_key)
    return _Plan(columns, fields, getters, {n: d.lookups[n] for n in lookup_names}, masked)


def _getter(column: Column, ctx: LedgerContext, need: Callable[[str], None], lookup_names: list[str]) -> Callable:
    """What reads the column's raw value from a fetched row; the fields and lookups it reads are added as needed."""
    source = column.source
    if source == SEQ:
        return operator.itemgetter(SEQ)
    if callable(source):
        for path in column.fields:
            need(path)
        lookup_names += [n for n in column.lookups if n not in lookup_names]
        return functools.partial(source, ctx=ctx)
    need(source)
    return operator.itemgetter(source)


def _converter(kind: str, *, hide: bool, as_text: Callable | None, excel: bool) -> Callable | None:
    """What turns a column's raw value into its cell (masked, as text, as a number, ...), or None to keep it."""
    if kind in ("text", "code"):
        return as_text
    if kind == "id":
        return _mask_id if hide else as_text
    if kind == "phone":
        return _mask_phone if hide else as_text
    if kind == "health":
        return _mask_hidden if hide else as_text
    if kind == "birth_date":  # masked: the year as text; else a date like any other
        return _mask_birth_date if hide else (_to_serial if excel else None)
    if kind in ("money", "number"):
        return _to_float
    if kind == "bool":
        return _bool_text
    if kind == "date" and excel:
        return _to_serial
    return None


def _rows(
    ledger: Ledger,
    ctx: LedgerContext,
    plan: _Plan,
    qs: models.QuerySet,
    *,
    limit: int | None = None,
    chunk_size: int = 4000,
) -> Iterator[dict]:
    """The fetched rows (dicts), each with its number under ``SEQ`` and the values of the lookups it needs.

    With ``limit`` (a preview) only the first rows are read, and the lookups cover just their households.
    """
    key = ledger.definition.household_key
    values = qs.values(*plan.fields) if plan.fields else qs.values("pk")
    if limit is not None:
        rows = list(values[:limit])
        household_ids = sorted({row[key] for row in rows}) if plan.lookups else []
    else:
        rows = values.iterator(chunk_size=chunk_size)
        household_ids = qs.order_by().values(key)
    fetched = {name: lookup.fetch(ctx, household_ids) for name, lookup in plan.lookups.items()}
    for n, row in enumerate(rows, start=1):
        row[SEQ] = n
        if fetched:
            hid = row[key]
            for name, data in fetched.items():
                row[name] = data.get(hid)
        yield row


def preview(ledger: Ledger, ctx: LedgerContext, limit: int = 20) -> tuple[list[str], list[list[str]]]:
    """The header and the first ``limit`` rows as text, for the ledger's page. IDs and phones are masked on screen
    for every role, as in every list; only the file (whose export is logged) carries them in full."""
    plan = _plan(ledger, ctx, excel=False, mask_all=True)
    out = []
    for row in _rows(ledger, ctx, plan, build_queryset(ledger, ctx), limit=limit):
        cells = []
        for column, getter in zip(plan.columns, plan.getters, strict=True):
            value = getter(row)
            if value is None:
                value = ""
            elif isinstance(value, bool):
                value = "是" if value else "否"
            elif isinstance(value, datetime.datetime):
                value = f"{timezone.localtime(value) if timezone.is_aware(value) else value:%Y-%m-%d %H:%M}"
            elif isinstance(value, datetime.date):
                value = f"{value:%Y-%m-%d}"
            elif column.kind == "money":
                value = f"{value:,.2f}"
            cells.append(str(value))
        out.append(cells)
    return [c.label for c in plan.columns], out


# --- the Excel file ---------------------------------------------------------------------------------------------------

_SHEET_NAME_BAD = re.compile(r"[\[\]:*?/\\]")


def _formats(book) -> dict:
    base = {"font_name": "宋体", "font_size": 10}
    return {
        "title": book.add_format({**base, "bold": True, "font_size": 16, "align": "center", "valign": "vcenter"}),
        "subtitle": book.add_format({**base, "align": "left"}),
        "head": book.add_format(
            {
                **base,
                "bold": True,
                "bg_color": "#DDEBF7",
                "border": 1,
                "text_wrap": True,
                "align": "center",
                "valign": "vcenter",
            }
        ),
        "text": None,
        "health": None,
        "code": book.add_format({"num_format": "@"}),
        "id": book.add_format({"num_format": "@"}),
        "phone": book.add_format({"num_format": "@"}),
        "money": book.add_format({"num_format": "#,##0.00"}),
        "number": book.add_format({"num_format": "0.00"}),
        "int": book.add_format({"num_format": "0"}),
        "date": book.add_format({"num_format": "yyyy-mm-dd"}),
        "bool": book.add_format({"align": "center"}),
        "sum_label": book.add_format({"bold": True, "bg_color": "#F2F2F2", "top": 1}),
        "sum_money": book.add_format({"bold": True, "bg_color": "#F2F2F2", "top": 1, "num_format": "#,##0.00"}),
        "sum_int": book.add_format({"bold": True, "bg_color": "#F2F2F2", "top": 1, "num_format": "0"}),
        "sum_blank": book.add_format({"bg_color": "#F2F2F2", "top": 1}),
        "sign": book.add_format({**base, "font_size": 11}),
    }


def subtitle_of(ledger: Ledger, ctx: LedgerContext) -> str:
    """The line under the title: region, date, parameters, filters and the definition's note."""
    parts = [f"区划：{ctx.region_name}", f"统计日期：{ctx.today:%Y-%m-%d}"]
    for param in ledger.definition.params:
        parts.append(f"{param.label}：{param.format(ctx.params[param.key])}")
    described = ledger.describe_filters()
    if described:
        parts.append(f"筛选：{described}")
    if ledger.definition.note is not None:
        note = ledger.definition.note(ctx)
        if note:
            parts.append(note)
    return "    ".join(parts)


def write_xlsx(
    ledger: Ledger,
    ctx: LedgerContext,
    target,
    *,
    progress: Callable[[int], None] | None = None,
    progress_every: int = 5000,
) -> int:
    """Write the ledger to ``target`` (a path or a binary file object); returns the number of data rows.

    ``progress(done)`` is called every ``progress_every`` rows.
    """
    plan = _plan(ledger, ctx, excel=True)
    d = ledger.definition
    n = len(plan.columns)
    last = max(n - 1, 0)
    book = open_workbook(target)
    book.set_properties({"title": ledger.title, "author": ctx.operator_name, "company": "守底"})
    fmt = _formats(book)
    sheet = _start_sheet(book, fmt, ledger, ctx, plan)
    getters = plan.getters
    cells = list(zip(range(n), getters, _column_writers(sheet, fmt, plan), strict=True))
    totals_at = [c for c, column in enumerate(plan.columns) if column.total]
    grand = dict.fromkeys(totals_at, 0.0)
    group_key = group_label = None
    group_count = 0
    group_sums = dict.fromkeys(totals_at, 0.0)
    code_f, village_f, township_f = d.group_fields
    grouped = ledger.grouped

    r = 3
    count = 0
    qs = build_queryset(ledger, ctx)
    for row in _rows(ledger, ctx, plan, qs):
        if grouped:
            key = row[code_f]
            if key != group_key:
                if group_count:
                    r = _sum_row(sheet, fmt, r, n, f"{group_label}小计：{group_count} {d.unit}", group_sums, plan)
                group_key, group_label, group_count = key, f"{row[township_f] or ''}{row[village_f] or ''}", 0
                group_sums = dict.fromkeys(totals_at, 0.0)
            group_count += 1
        for c, get, (write, cell_format) in cells:
            value = get(row)
            if value is None or value == "":
                continue
            write(r, c, value, cell_format)
        if totals_at:
            for c in totals_at:
                value = getters[c](row)
                if value:
                    grand[c] += value
                    if grouped:
                        group_sums[c] += value
        r += 1
        count += 1
        if progress is not None and count % progress_every == 0:
            progress(count)
    if grouped and group_count:
        r = _sum_row(sheet, fmt, r, n, f"{group_label}小计：{group_count} {d.unit}", group_sums, plan)
    r = _sum_row(sheet, fmt, r, n, f"合计：{count} {d.unit}", grand, plan)
    if not grouped and count:
        sheet.autofilter(2, 0, 2 + count, last)
    r += 1
    _signature(sheet, fmt["sign"], r, n, ctx)
    book.close()
    if progress is not None:
        progress(count)
    return count


def _start_sheet(book, fmt: dict, ledger: Ledger, ctx: LedgerContext, plan: _Plan):
    """The ledger's sheet, set up for printing, with its title, subtitle and header rows written."""
    n = len(plan.columns)
    sheet = book.add_worksheet(_SHEET_NAME_BAD.sub("", ledger.title)[:31] or "台账")
    sheet.set_landscape()
    sheet.set_paper(9)  # A4
    sheet.fit_to_pages(1, 0)
    sheet.repeat_rows(2)
    sheet.set_footer("&C第 &P 页，共 &N 页")
    last = max(n - 1, 0)
    sheet.set_row(0, 28)
    if last:
        sheet.merge_range(0, 0, 0, last, ledger.title, fmt["title"])
        sheet.merge_range(1, 0, 1, last, subtitle_of(ledger, ctx), fmt["subtitle"])
    else:
        sheet.write_string(0, 0, ledger.title, fmt["title"])
        sheet.write_string(1, 0, subtitle_of(ledger, ctx), fmt["subtitle"])
    for c, column in enumerate(plan.columns):
        sheet.set_column(c, c, column.column_width)
        sheet.write_string(2, c, column.label, fmt["head"])
    sheet.freeze_panes(3, 0)
    return sheet


def _column_writers(sheet, fmt: dict, plan: _Plan) -> list[tuple[Callable, Any]]:
    """(cell writer, cell format) of each column: numbers, dates and the row number as numbers, the rest as text."""
    write_string, write_number = _cell_writers(sheet)
    writers = []
    for column, masked in zip(plan.columns, plan.masked, strict=True):
        if column.kind == "birth_date":  # a date, or its year as text when masked
            writers.append((write_string, fmt["text"]) if masked else (write_number, fmt["date"]))
            continue
        numeric = column.kind in ("money", "number", "int", "date") or column.source == SEQ
        writers.append((write_number if numeric else write_string, fmt[column.kind]))
    return writers


def _cell_writers(sheet) -> tuple[Callable, Callable]:
    """XlsxWriter's typed cell writers behind the public ones, which first test for A1 notation on every call (the
    engine always passes row and column numbers); the public ones if a later XlsxWriter renames them."""
    private = getattr(sheet, "_write_string", None), getattr(sheet, "_write_number", None)
    if all(callable(method) for method in private):
        return private
    return sheet.write_string, sheet.write_number


def _sum_row(sheet, fmt, r: int, n: int, label: str, sums: dict, plan: _Plan) -> int:
    """A subtotal or total row: the label in the first cell, the sums under the ``total`` columns."""
    for c in range(n):
        if c == 0:
            sheet.write_string(r, 0, label, fmt["sum_label"])
        elif c in sums:
            kind = plan.columns[c].kind
            sheet.write_number(r, c, round(sums[c], 2), fmt["sum_money" if kind in ("money", "number") else "sum_int"])
        else:
            sheet.write_blank(r, c, None, fmt["sum_blank"])
    return r + 1


def _signature(sheet, cell_format, r: int, n: int, ctx: LedgerContext) -> None:
    """制表人 / 审核人 / 日期, spread over the width of the table, as county ledgers are signed."""
    day = ctx.today
    parts = [f"制表人：{ctx.operator_name}", "审核人：", f"日期：{day.year}年{day.month}月{day.day}日"]
    starts = (0, n // 3, (2 * n) // 3) if n >= 3 else (0, 1, 2)
    for start, text in zip(starts, parts, strict=True):
        sheet.write_string(r, start, text, cell_format)


def file_name(ledger: Ledger, ctx: LedgerContext) -> str:
    """The download name: 标题_区划_日期.xlsx."""
    where = ctx.region.name if ctx.region is not None else "全部"
    return f"{ledger.title}_{where}_{ctx.today:%Y%m%d}.xlsx"


def log_export(ledger: Ledger, ctx: LedgerContext, count: int, *, request=None, how: str = "") -> None:
    """Write the export to the access log (敏感信息访问记录): ledgers list persons by name, ID and phone."""
    from shoudi.core.audit import log_access
    from shoudi.core.models import AccessLog

    masked = [c.label for c, hide in zip(*_masking(ledger, ctx), strict=True) if hide]
    detail = f"导出台账：{ledger.title}（{ctx.region_name}）"
    if how:
        detail += f"，{how}"
    if masked:
        detail += f"，已脱敏：{'、'.join(masked)}"
    log_access(
        user=ctx.user,
        action=AccessLog.EXPORT,
        record_count=count,
        detail=detail,
        region_code=ctx.region_code,
        request=request,
    )


def _masking(ledger: Ledger, ctx: LedgerContext) -> tuple[list[Column], list[bool]]:
    columns = ledger.visible_columns(ctx)
    return columns, [c.kind in MASKED_KINDS and not ctx.can(c.mask_model, "unmask") for c in columns]


def iter_cells(ledger: Ledger, ctx: LedgerContext) -> Iterable[list]:
    """The rows' cell values as the file gets them (dates as dates): for tests and other writers."""
    plan = _plan(ledger, ctx, excel=False)
    for row in _rows(ledger, ctx, plan, build_queryset(ledger, ctx)):
        yield [get(row) for get in plan.getters]
