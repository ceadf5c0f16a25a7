"""Reading an existing project list (存量项目库) from Excel or CSV: each row a project of the library, each bad cell a
Chinese error naming its row and column. Nothing is written here: ``import_projects`` enters the checked rows in one
transaction, as projects already 入库 (or, with a 计划年度, already in that year's plan)."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db import transaction

from shoudi.core.cells import CellError, cell_text, fold, parse_money
from shoudi.core.tabular import FileRejected, find_header, read_table
from shoudi.regions.models import Region
from shoudi.registry.models import Household

from . import choices as c
from . import services
from .forms import household_numbers
from .models import Project

__all__ = ["ProjectList", "import_projects", "read_project_list"]

ALIASES = {
    "name": ("项目名称", "名称"),
    "project_type": ("项目类型", "项目类别", "类型"),
    "subtype": ("项目子类型", "子类型", "二级类型"),
    "region": ("建设地点", "实施地点", "区划代码", "所在村", "村（社区）", "区划"),
    "location": ("具体地点", "详细地址"),
    "implementing_unit": ("实施单位", "项目实施单位", "项目主管单位"),
    "year": ("项目年度", "年度", "入库年度"),
    "end_year": ("计划完成年度", "完成年度"),
    "content": ("建设内容及规模", "建设内容", "建设规模"),
    "budget_central": ("中央衔接资金", "中央资金"),
    "budget_province": ("省级衔接资金", "省级资金"),
    "budget_city": ("市级衔接资金", "市级资金"),
    "budget_county": ("县级衔接资金", "县级资金"),
    "budget_other": ("其他资金", "自筹及其他资金", "其他"),
    "linkage": ("联农带农机制", "联农带农", "利益联结机制"),
    "plan_year": ("计划年度", "纳入计划年度"),
    "beneficiaries": ("受益户编号", "受益农户户编号", "户编号"),
}
REQUIRED = ("name", "project_type", "region", "implementing_unit", "year")
COLUMN_LABELS = {name: names[0] for name, names in ALIASES.items()}
MAX_ROWS = 3000
BUDGETS = [f"budget_{s}" for s, _ in c.FUND_SOURCES]


@dataclass
class ProjectList:
    """The rows of a list as ``propose_project`` arguments, and every error (row, column, message)."""

    rows: list[dict] = field(default_factory=list)
    errors: list[tuple[int, str, str]] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return bool(self.rows) and not self.errors


class _Row:
    """One spreadsheet row being checked: its cells by field, and the errors it adds to the list."""

    def __init__(self, number: int, cells: dict, out: ProjectList):
        self.number, self.cells, self.out = number, cells, out

    def text(self, name: str) -> str:
        return cell_text(self.cells.get(name, ""))

    def error(self, name: str, message: str) -> None:
        self.out.errors.append((self.number, COLUMN_LABELS[name], message))

    def year(self, name: str, *, required: bool) -> int | None:
        text = self.text(name)
        if not text:
            if required:
                self.error(name, "不能为空")
            return None
        if not text.isdigit() or not 2000 <= int(text) <= 2100:
            self.error(name, f"“{text}”不是有效的年度（如 2025）")
            return None
        return int(text)

    def money(self, name: str):
        try:
            return parse_money(self.cells.get(name, "")) or 0
        except CellError as exc:
            self.error(name, str(exc))
            return 0


def _kind(row: _Row) -> tuple[str, str]:
    kind, subtype = row.text("project_type"), row.text("subtype")
    types = {fold(t): t for t in c.TYPES}
    found = types.get(fold(kind))
    if found is None:
        row.error("project_type", f"“{kind}”不是可选的项目类型（可填：{'、'.join(c.TYPES)}）")
        return "", ""
    if not subtype:
        return found, c.TYPES[found][-1]  # 其他…: the type's catch-all
    subtypes = {fold(s): s for s in c.TYPES[found]}
    if fold(subtype) not in subtypes:
        row.error("subtype", f"“{subtype}”不是“{found}”的子类型（可填：{'、'.join(c.TYPES[found])}）")
        return found, ""
    return found, subtypes[fold(subtype)]


def _beneficiaries(row: _Row, region: Region | None, user) -> list:
    numbers = household_numbers(row.text("beneficiaries"))
    if not numbers:
        return []
    found = list(Household.objects.restrict(user, "view").filter(household_no__in=numbers).select_related("village"))
    missing = sorted(set(numbers) - {h.household_no for h in found})
    if missing:
        row.error("beneficiaries", f"没有找到户编号 {'、'.join(missing[:10])}（或不在您的管辖范围内）")
    if region is not None:
        outside = [h.household_no for h in found if not h.village.code.startswith(region.code)]
        if outside:
            row.error("beneficiaries", f"户编号 {'、'.join(outside[:10])} 不在建设地点{region.name}")
    return found


def read_project_list(content: bytes, filename: str, *, user) -> ProjectList:
    """Check every row of the list against the user's scope; ``FileRejected`` when the file cannot be read."""
    rows = read_table(content, filename, has_header=lambda r: find_header(r, ALIASES, REQUIRED) is not None)
    header = find_header(rows, ALIASES, REQUIRED)
    if header is None:
        raise FileRejected("没有找到表头：项目清单应有“项目名称”“项目类型”“建设地点”“实施单位”“项目年度”列")
    start, columns = header
    body = rows[start + 1 :]
    if len(body) > MAX_ROWS:
        raise FileRejected(f"一次最多导入 {MAX_ROWS} 个项目")
    in_scope = list(Region.objects.restrict(user, "view"))
    regions = {fold(r.code): r for r in in_scope} | {fold(r.name): r for r in in_scope}
    out = ProjectList()
    seen: dict[tuple, int] = {}
    existing = {
        (fold(name), code, year)
        for name, code, year in Project.objects.restrict(user, "view").values_list("name", "region__code", "year")
    }
    for offset, raw in enumerate(body):
        number = start + offset + 2  # the spreadsheet's row number
        cells = {name: raw[col] if col < len(raw) else "" for name, col in columns.items()}
        if not any(cell_text(v) for v in cells.values()):
            continue
        row, before = _Row(number, cells, out), len(out.errors)
        name = row.text("name")
        if not name:
            row.error("name", "不能为空")
        region = regions.get(fold(cells.get("region", "")))
        if region is None:
            row.error("region", f"“{row.text('region')}”不是您管辖范围内的区划（填代码或名称）")
        kind, subtype = _kind(row)
        unit = row.text("implementing_unit")
        if not unit:
            row.error("implementing_unit", "不能为空")
        fields = {
            "name": name[:200],
            "project_type": kind,
            "subtype": subtype,
            "region": region,
            "location": row.text("location")[:200],
            "implementing_unit": unit[:100],
            "year": row.year("year", required=True),
            "end_year": row.year("end_year", required=False),
            "content": row.text("content"),
            "linkage": row.text("linkage"),
            **{b: row.money(b) for b in BUDGETS},
        }
        plan_year = row.year("plan_year", required=False)
        if len(out.errors) == before and not sum(fields[b] for b in BUDGETS):
            row.error("budget_central", "各项资金均为 0：请至少填写一项资金")
        fields["beneficiaries"] = _beneficiaries(row, region, user)
        key = (fold(name), region.code if region else "", fields["year"])
        if key in seen:
            row.error("name", f"与第 {seen[key]} 行重复（同一建设地点、同一年度、同名项目）")
        elif key in existing:
            row.error("name", "项目库中已有该项目（同一建设地点、同一年度、同名）")
        seen.setdefault(key, number)
        if len(out.errors) == before:
            out.rows.append({"row": number, "plan_year": plan_year, **fields})
    if not out.rows and not out.errors:
        raise FileRejected("文件中没有项目行")
    return out


@transaction.atomic
def import_projects(projects: ProjectList, *, user) -> int:
    """Enter every checked row in the library (a row with a 计划年度 straight into that year's plan), or none: a
    refusal names its row."""
    for row in projects.rows:
        fields = {k: v for k, v in row.items() if k not in ("row", "plan_year")}
        state = c.PLANNED if row["plan_year"] else c.LIBRARY
        try:
            project = services.propose_project(user=user, imported=True, state=state, **fields)
        except services.TransitionRefused as exc:
            raise services.TransitionRefused(f"第 {row['row']} 行：{exc}") from None
        if row["plan_year"]:
            project.plan_year = row["plan_year"]
            project.save()
    return len(projects.rows)
