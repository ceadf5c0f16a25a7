"""The error report of an import: the rows not imported, read again from the source file, with their reasons."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from django.utils import timezone

from shoudi.core.cells import cell_text

from .. import national
from .xlsx import open_rows

if TYPE_CHECKING:
    from .results import HouseholdImportResult

__all__ = ["write_error_report"]

REPORT_COLUMNS = ("原行号", "错误原因")


def write_error_report(result: HouseholdImportResult, path) -> int:
    """The rows not imported, each with 原行号 and 错误原因, in the national layout (see the result's method)."""
    source = Path(result.source_path)
    wanted = result.report_rows
    headers: list[str] = []
    rows_out: list[list] = []
    if wanted and not result.file_error:
        rows, _total = open_rows(source)
        last = max(wanted)
        for number, values in rows:
            if number == result.header_row:
                headers = [cell_text(v) for v in values]
            elif number in wanted:
                rows_out.append([*values, number, wanted[number]])
            if number >= last:
                break
        if hasattr(rows, "close"):
            rows.close()
    width = len(headers)
    padded = []
    for row in rows_out:
        values = row[:-2]
        values = values[:width] + [""] * (width - len(values)) if width else values
        padded.append([v if v != "" else None for v in values] + row[-2:])
    details = (
        f"源文件：{result.file_name}；{timezone.localtime():%Y-%m-%d %H:%M} 生成；"
        f"未导入 {len(padded)} 行（{result.error_households} 户）。改正后可直接导入本文件。"
    )
    if result.unknown_columns:
        details += f"未识别的列（已作为成员附加信息保存）：{'、'.join(result.unknown_columns)}。"
    if result.file_error:
        details = f"源文件：{result.file_name}；{result.file_error}"
    national.write_national_xlsx(
        path, padded, title="农户信息导入错误报告", details=details, headers=[*headers, *REPORT_COLUMNS]
    )
    return len(padded)
