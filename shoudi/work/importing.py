"""Reading a problem list (问题清单) from Excel or CSV: each row a problem to issue, each bad cell a Chinese error
naming its row and column. Nothing is written here: ``import_problems`` issues the checked rows in one transaction."""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field

from django.db import transaction

from shoudi.core.cells import CellError, cell_text, fold, parse_date
from shoudi.core.tabular import FileRejected, find_header, read_table
from shoudi.regions.models import Region
from shoudi.registry.models import Household

from . import choices as c
from . import services

__all__ = ["ProblemList", "import_problems", "read_problem_list"]

ALIASES = {
    "source": ("问题来源", "来源"),
    "document_no": ("文件编号", "文号", "交办文号"),
    "category": ("问题类别", "类别", "问题类型"),
    "severity": ("严重程度", "程度"),
    "title": ("问题", "问题名称", "问题概述", "存在问题"),
    "description": ("问题描述", "具体描述", "详细情况"),
    "region": ("责任区划", "责任村", "责任乡镇", "区划代码", "村（社区）"),
    "unit": ("责任单位",),
    "due_date": ("整改期限", "整改时限", "完成时限"),
    "due_workdays": ("期限（工作日）", "工作日数", "整改工作日"),
    "households": ("涉及户编号", "户编号"),
}
REQUIRED = ("source", "category", "title", "region")
COLUMN_LABELS = {name: names[0] for name, names in ALIASES.items()}
MAX_ROWS = 5000


@dataclass
class ProblemList:
    """The rows of a list as ``issue_problem`` arguments, and every error (row, column, message)."""

    rows: list[dict] = field(default_factory=list)
    errors: list[tuple[int, str, str]] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return bool(self.rows) and not self.errors


def _choice(value, allowed: list[str], row: int, name: str, out: ProblemList) -> str:
    text = cell_text(value)
    by_fold = {fold(a): a for a in allowed}
    found = by_fold.get(fold(text))
    if found is None:
        out.errors.append((row, COLUMN_LABELS[name], f"“{text}”不是可选的值（可填：{'、'.join(allowed)}）"))
    return found or ""


def _region(value, regions: dict[str, Region], row: int, out: ProblemList) -> Region | None:
    text = fold(value)
    found = regions.get(text)
    if found is None:
        out.errors.append((row, COLUMN_LABELS["region"], f"“{cell_text(value)}”不是您管辖范围内的区划（填代码或名称）"))
    return found


def _due(cells: dict, number: int, out: ProblemList, today: datetime.date) -> dict:
    """The row's 整改期限: a date, or a number of working days."""
    try:
        due = parse_date(cells.get("due_date", ""))
    except CellError as exc:
        out.errors.append((number, COLUMN_LABELS["due_date"], str(exc)))
        return {}
    workdays = cell_text(cells.get("due_workdays", ""))
    if workdays:
        if not workdays.isdigit() or not 1 <= int(workdays) <= 3660:
            out.errors.append((number, COLUMN_LABELS["due_workdays"], f"“{workdays}”不是 1 到 3660 的整数"))
            return {}
        return {"due_workdays": int(workdays)}
    if due is None:
        out.errors.append((number, COLUMN_LABELS["due_date"], "请填写整改期限，或填写期限（工作日）"))
        return {}
    if datetime.date.fromisoformat(due) < today:
        out.errors.append((number, COLUMN_LABELS["due_date"], f"整改期限 {due} 已过"))
        return {}
    return {"due_date": datetime.date.fromisoformat(due)}


def _households(cells: dict, number: int, out: ProblemList, user) -> dict:
    numbers = [n.strip() for n in cell_text(cells.get("households", "")).replace("，", ",").split(",") if n.strip()]
    if not numbers:
        return {}
    found = list(Household.objects.restrict(user, "view").filter(household_no__in=numbers))
    missing = sorted(set(numbers) - {h.household_no for h in found})
    if missing:
        label = COLUMN_LABELS["households"]
        out.errors.append((number, label, f"没有找到户编号 {'、'.join(missing)}（或不在您的管辖范围内）"))
    return {"households": found}


def read_problem_list(content: bytes, filename: str, *, user) -> ProblemList:
    """Check every row of the list against the user's scope; ``FileRejected`` when the file cannot be read."""
    rows = read_table(content, filename, has_header=lambda r: find_header(r, ALIASES, REQUIRED) is not None)
    header = find_header(rows, ALIASES, REQUIRED)
    if header is None:
        raise FileRejected("没有找到表头：问题清单应有“问题来源”“问题类别”“问题”“责任区划”列")
    start, columns = header
    body = rows[start + 1 :]
    if len(body) > MAX_ROWS:
        raise FileRejected(f"一次最多导入 {MAX_ROWS} 个问题")
    in_scope = list(Region.objects.restrict(user, "view").exclude(level="county"))
    regions = {fold(r.code): r for r in in_scope} | {fold(r.name): r for r in in_scope}
    out = ProblemList()
    today = datetime.date.today()
    for offset, raw in enumerate(body):
        number = start + offset + 2  # the spreadsheet's row number
        cells = {name: raw[col] if col < len(raw) else "" for name, col in columns.items()}
        if not any(cell_text(v) for v in cells.values()):
            continue
        before = len(out.errors)
        title = cell_text(cells["title"])
        if not title:
            out.errors.append((number, COLUMN_LABELS["title"], "问题不能为空"))
        row = {
            "source": _choice(cells["source"], c.SOURCES, number, "source", out),
            "category": _choice(cells["category"], c.CATEGORIES, number, "category", out),
            "title": title[:200],
            "region": _region(cells["region"], regions, number, out),
            "document_no": cell_text(cells.get("document_no", ""))[:60],
            "description": cell_text(cells.get("description", "")),
            "unit": cell_text(cells.get("unit", ""))[:100],
        }
        if cell_text(cells.get("severity", "")):
            row["severity"] = _choice(cells["severity"], [s for s, _ in c.SEVERITY_CHOICES], number, "severity", out)
        row |= _due(cells, number, out, today)
        row |= _households(cells, number, out, user)
        if len(out.errors) == before:
            out.rows.append({"row": number, **row})
    if not out.rows and not out.errors:
        raise FileRejected("文件中没有问题行")
    return out


@transaction.atomic
def import_problems(problems: ProblemList, *, user) -> int:
    """Issue every checked row, or none (a refusal names its row)."""
    for row in problems.rows:
        fields = {k: v for k, v in row.items() if k != "row"}
        try:
            services.issue_problem(user=user, **fields)
        except services.TransitionRefused as exc:
            raise services.TransitionRefused(f"第 {row['row']} 行：{exc}") from None
    return len(problems.rows)
