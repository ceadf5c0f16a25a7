"""The Excel report of a region's open data-quality problems, grouped by rule as county rule sets produce it: a
summary sheet (per rule: 问题数 by township), then one sheet per rule with its subjects and figures.

户编号 and 证件号码 are written in full for a user who may see them (a county admin; the command line), masked for
anyone else; the export of personal data is logged.
"""

from __future__ import annotations

import tempfile
from collections import Counter
from pathlib import Path

from django.db.models import OuterRef, Subquery
from django.utils import timezone

from shoudi.core.audit import log_access
from shoudi.core.excel import open_workbook, write_cell, write_header, write_title
from shoudi.core.masking import mask_id_number, mask_mapping
from shoudi.core.models import AccessLog
from shoudi.core.scope import user_can
from shoudi.regions.models import Region
from shoudi.registry.models import Member

from .display import status_label
from .rules import all_rules
from .selectors import open_hits as current_open_hits

__all__ = ["HEADERS", "report_hits", "write_report"]

HEADERS = ["乡镇", "行政村", "户编号", "户主", "姓名", "证件号码", "问题描述", "数据", "发现日期", "整改期限", "状态"]


def report_hits(region: Region, rule_codes: list[str] | None = None):
    """The region's open hits (problem not closed), in report order, with the head's name and ID number."""
    heads = Member.objects.filter(household=OuterRef("household_id"), relation="户主").order_by("pk")
    hits = current_open_hits().filter(village__code__startswith=region.code)
    if rule_codes:
        hits = hits.filter(rule__in=rule_codes)
    return (
        hits.select_related("village__parent", "household", "member", "problem")
        .annotate(head_name=Subquery(heads.values("name")[:1]), head_id=Subquery(heads.values("id_number")[:1]))
        .order_by("rule", "village__code", "household__household_no", "subject_pk")
    )


def _sheet_name(rule) -> str:
    title = "".join(ch for ch in rule.title if ch not in "[]:*?/\\")
    return f"{rule.code}{title}"[:31]


def write_report(*, region: Region, user=None, rule_codes=None, target: Path | None = None, progress=None):
    """Write the report to ``target`` (a temporary file when None); returns (path, number of problems)."""
    full = user is None or user_can(user, Member, "unmask")
    rules = [rule for rule in all_rules() if not rule_codes or rule.code in rule_codes]
    hits = report_hits(region, [rule.code for rule in rules])
    counts = Counter(hits.values_list("rule", "village__parent__code").order_by())
    townships = list(Region.objects.filter(code__startswith=region.code, level="township").order_by("code"))
    if region.level == "township":
        townships = [region]
    if target is None:
        target = (
            Path(tempfile.mkdtemp(prefix="shoudi-quality-"))
            / f"数据质量报告_{region.name}_{timezone.localdate():%Y%m%d}.xlsx"
        )
    book = open_workbook(target)
    stamp = timezone.localtime()
    subtitle = f"{region.full_name}  生成时间：{stamp:%Y-%m-%d %H:%M}"
    summary = book.add_worksheet("汇总")
    write_title(summary, book, "数据质量问题汇总（按规则）", subtitle)
    write_header(
        summary,
        2,
        ["规则编号", "规则名称", "类别", "严重程度", "负责层级", "问题数", *(t.name for t in townships)],
        book.format("head_wrap"),
    )
    for r, rule in enumerate(rules, start=3):
        per_township = [counts.get((rule.code, t.code), 0) for t in townships]
        for c, value in enumerate(
            [rule.code, rule.title, rule.topic, rule.severity, rule.level_label, sum(per_township), *per_township]
        ):
            write_cell(summary, book, r, c, value)
    summary.freeze_panes(3, 2)
    total = sum(counts.values())
    written = 0
    sheets = {}
    for rule in rules:
        if not any(counts.get((rule.code, t.code)) for t in townships):
            continue
        sheet = book.add_worksheet(_sheet_name(rule))
        write_title(
            sheet,
            book,
            f"{rule.code} {rule.title}",
            f"{rule.topic} · {rule.severity} · {rule.level_label}规则  {subtitle}",
        )
        write_header(sheet, 2, HEADERS, book.format("head_wrap"))
        sheet.freeze_panes(3, 0)
        sheets[rule.code] = [sheet, 3, rule]
    for hit in hits.iterator(chunk_size=2000):
        entry = sheets.get(hit.rule)
        if entry is None:
            continue
        sheet, row, rule = entry
        figures = hit.figures if full else mask_mapping(hit.figures)
        number = hit.member.id_number if hit.member is not None else (hit.head_id or "")
        values = [
            hit.village.parent.name if hit.village.parent_id else "",
            hit.village.name,
            hit.household.household_no,
            hit.head_name or "",
            hit.member.name if hit.member is not None else "",
            number if full else mask_id_number(number),
            rule.render(figures),
            "；".join(f"{k}：{v}" for k, v in figures.items()),
            timezone.localtime(hit.found_at).date(),
            hit.problem.due_date if hit.problem_id else None,
            status_label(hit),
        ]
        for c, value in enumerate(values):
            write_cell(sheet, book, row, c, value)
        entry[1] = row + 1
        written += 1
        if progress and written % 1000 == 0:
            progress(written, total)
    book.close()
    if user is not None and written:
        log_access(
            user=user,
            action=AccessLog.EXPORT,
            record_count=written,
            region_code=region.code,
            detail=f"导出数据质量报告（{region.name}，{'完整' if full else '隐藏'}证件号码）",
        )
    return target, written
