"""What a household import found and did: the result of a preview or a commit, and its parts."""

from __future__ import annotations

import datetime
from collections.abc import Callable
from dataclasses import dataclass, field

from shoudi.regions.importing import RowError

__all__ = [
    "DB_CHUNK",
    "HouseholdImportResult",
    "MissingMember",
    "MissingRegion",
    "Progress",
    "UnknownValue",
    "VillageCounts",
]

NEW, CHANGED, UNCHANGED, ERROR = "new", "changed", "unchanged", "error"
DB_CHUNK = 900  # households checked and written at a time (SQLite's 999 parameters per IN list)

Progress = Callable[..., None]  # progress(done, total, message)


# --- Results ------------------------------------------------------------------------------------------------------


@dataclass
class VillageCounts:
    """New / changed / unchanged / error households and members of one village named in the file."""

    township: str
    village: str
    code: str = ""  # "" while the village does not exist
    households: dict[str, int] = field(default_factory=lambda: dict.fromkeys((NEW, CHANGED, UNCHANGED, ERROR), 0))
    members: dict[str, int] = field(default_factory=lambda: dict.fromkeys((NEW, CHANGED, UNCHANGED, ERROR), 0))

    @property
    def name(self) -> str:
        return f"{self.township}{self.village}"

    def add(self, other: VillageCounts) -> None:
        for key in self.households:
            self.households[key] += other.households[key]
            self.members[key] += other.members[key]


@dataclass(frozen=True)
class MissingMember:
    """A member of a household in the file who is absent from it: listed for review, never deleted."""

    household_no: str
    village: str
    name: str  # masked
    id_number: str  # masked
    relation: str
    row: int  # the household's first row in the file


@dataclass(frozen=True)
class MissingRegion:
    """A township or village named in the file that does not exist (yet)."""

    level: str  # 乡镇 / 村
    name: str
    parent: str  # the county's name for a township, the township's for a village
    code: str  # the code it gets (or got) when created
    households: int
    created: bool = False


@dataclass(frozen=True)
class UnknownValue:
    """A value a code table does not know: imported as written, listed once with its column and rows."""

    header: str  # the column as the file names it
    target: str  # national.Column.target
    vocabulary: str  # the code table's key (a synonym can be added to it)
    value: str
    rows: tuple[int, ...]

    @property
    def count(self) -> int:
        return len(self.rows)

    @property
    def how(self) -> str:
        """How it was imported: as written, or blank (a 是否 field holds nothing but yes or no)."""
        return "按空白导入" if self.vocabulary == "yes_no" else "按原样导入"

    def rows_text(self, limit: int = 10) -> str:
        """ "第 4、9、12 行" or "第 4、9 … 行等 57 行"."""
        shown = "、".join(str(r) for r in self.rows[:limit])
        return f"第 {shown} 行" if self.count <= limit else f"第 {shown} … 行等 {self.count} 行"


@dataclass
class HouseholdImportResult:
    """What an import found and did; the same shape for a preview and a commit."""

    file_name: str = ""
    source_path: str = ""
    dry_run: bool = True
    committed: bool = False
    file_error: str = ""  # the file as a whole could not be read
    header_row: int = 0
    rows: int = 0  # data rows
    household_count: int = 0
    income_year: int | None = None
    income_year_source: str = ""  # 参数 / 文件标题 / 默认（上一年）
    export_date: datetime.date | None = None
    villages: dict[tuple[str, str], VillageCounts] = field(default_factory=dict)
    errors: list[RowError] = field(default_factory=list)
    warnings: list[RowError] = field(default_factory=list)
    report_rows: dict[int, str] = field(default_factory=dict)  # Excel row → 错误原因 of every row not imported
    unknown_columns: list[str] = field(default_factory=list)
    unknown_values: list[UnknownValue] = field(default_factory=list)
    missing_members: list[MissingMember] = field(default_factory=list)
    missing_regions: list[MissingRegion] = field(default_factory=list)
    can_create_regions: bool = False
    household_ids: list[int] = field(default_factory=list)  # created or changed, once committed
    seconds: float = 0.0
    timings: dict[str, float] = field(default_factory=dict)  # seconds per phase: 读取文件, 核对数据库, 核对并写入 …

    @property
    def village_list(self) -> list[VillageCounts]:
        return sorted(self.villages.values(), key=lambda v: (v.code or "999999999999", v.township, v.village))

    @property
    def totals(self) -> VillageCounts:
        total = VillageCounts("", "合计")
        for counts in self.villages.values():
            total.add(counts)
        return total

    @property
    def error_households(self) -> int:
        return self.totals.households[ERROR]

    @property
    def has_errors(self) -> bool:
        return bool(self.file_error or self.errors)

    @property
    def ok(self) -> bool:
        """No error at all: every household of the file is (or would be) imported."""
        return not self.has_errors

    def summary(self) -> str:
        """One line in Chinese, e.g. for the command line and the job log."""
        if self.file_error:
            return f"文件未导入：{self.file_error}"
        t = self.totals
        h, m = t.households, t.members
        parts = [
            f"新增 {h[NEW]} 户 {m[NEW]} 人",
            f"修改 {h[CHANGED]} 户（成员新增或修改 {m[NEW] + m[CHANGED]} 人）" if h[CHANGED] else "修改 0 户",
            f"未变 {h[UNCHANGED]} 户",
            f"错误 {h[ERROR]} 户（{len(self.report_rows)} 行）",
        ]
        line = "，".join(parts)
        if self.missing_members:
            line += f"；{len(self.missing_members)} 名成员不在文件中，请核实（未删除）"
        if self.missing_regions and not all(r.created for r in self.missing_regions):
            line += f"；{sum(1 for r in self.missing_regions if not r.created)} 个乡镇或村在系统中不存在"
        if self.warnings:
            line += f"；提示 {len(self.warnings)} 条"
        if self.unknown_values:
            line += f"；码表中没有的值 {len(self.unknown_values)} 种（已导入，请核实）"
        if self.unknown_columns:
            line += f"；未识别的列 {len(self.unknown_columns)} 个（已作为附加信息保存）"
        line += f"；收入年度 {self.income_year}" if self.income_year else ""
        if self.committed:
            return line + "（已导入）"
        return line + ("（预览，未写入）" if self.dry_run else "（有错误，未写入任何数据）")

    def unknown_value_rows(self, limit: int = 200) -> list[dict]:
        """The values no code table knows, as the preview page lists them (column, value, count, rows)."""
        return [
            {
                "header": u.header,
                "target": u.target,
                "vocabulary": u.vocabulary,
                "value": u.value,
                "count": u.count,
                "rows": u.rows_text(),
                "how": u.how,
            }
            for u in self.unknown_values[:limit]
        ]

    def as_dict(self, *, limit: int = 200) -> dict:
        """The result as JSON-ready data (for ``Job.result``): counts, the first ``limit`` errors and warnings."""

        def counts(v: VillageCounts) -> dict:
            return {
                "township": v.township,
                "village": v.village,
                "code": v.code,
                "households": dict(v.households),
                "members": dict(v.members),
            }

        def rows(items: list[RowError]) -> list[dict]:
            return [{"row": e.row, "column": e.field, "message": e.message} for e in items[:limit]]

        return {
            "summary": self.summary(),
            "file_name": self.file_name,
            "committed": self.committed,
            "dry_run": self.dry_run,
            "file_error": self.file_error,
            "header_row": self.header_row,
            "rows": self.rows,
            "households": self.household_count,
            "income_year": self.income_year,
            "income_year_source": self.income_year_source,
            "export_date": self.export_date.isoformat() if self.export_date else None,
            "villages": [counts(v) for v in self.village_list],
            "totals": counts(self.totals),
            "errors": rows(self.errors),
            "error_count": len(self.errors),
            "error_rows": len(self.report_rows),
            "warnings": rows(self.warnings),
            "warning_count": len(self.warnings),
            "unknown_columns": list(self.unknown_columns),
            "unknown_values": self.unknown_value_rows(limit),
            "unknown_value_count": len(self.unknown_values),
            "missing_members": [vars(m) for m in self.missing_members[:limit]],
            "missing_member_count": len(self.missing_members),
            "missing_regions": [vars(r) for r in self.missing_regions],
            "can_create_regions": self.can_create_regions,
            "seconds": round(self.seconds, 1),
            "timings": {k: round(v, 1) for k, v in self.timings.items()},
        }

    def add_error(self, row: int | None, column: str, message: str) -> None:
        self.errors.append(RowError(row, column, message))
        if row is not None:
            self.add_reason(row, f"{column}：{message}" if column else message)

    def add_reason(self, row: int, reason: str) -> None:
        """The 错误原因 of ``row`` in the error report (a household's own error wins over 同户其他行有错误)."""
        old = self.report_rows.get(row)
        if old is None or old.startswith("同户"):
            self.report_rows[row] = reason
        elif reason not in old:
            self.report_rows[row] = f"{old}；{reason}"

    def write_error_report(self, path) -> int:
        """Write the rows not imported — each original row with 原行号 and 错误原因 — to an Excel file.

        The report keeps the national layout (title, details, header on row 3), so it can be corrected and imported
        again. The source file must still exist: the original rows are read from it again rather than kept in memory.
        Returns the number of rows written.
        """
        from .report import write_error_report

        return write_error_report(self, path)


# --- Cell values --------------------------------------------------------------------------------------------------
