"""The report of a run (比对报告): its findings, the list rows not in the registry and the rows not loaded.

It carries full ID numbers — the county and the department need them to correct their data — so every report
written is recorded in the access log by the caller.
"""

from __future__ import annotations

from shoudi.core.excel import open_workbook, write_cell, write_header, write_title

from .models import Finding, ListRow, MatchRun

__all__ = ["write_report"]

FINDING_HEADERS = [
    "问题类型",
    "乡镇",
    "行政村",
    "户编号",
    "姓名",
    "证件号码",
    "比对数据",
    "状态",
    "核实期限",
    "上期同一问题",
    "比对期",
    "部门",
]


def write_report(run: MatchRun, target) -> int:
    """Write the report workbook to ``target`` (a path or a binary file); returns the number of findings."""
    book = open_workbook(target)
    title = f"{run.get_department_display()} {run.period} 数据比对报告"

    def sheet(name: str, headers: list[str], rows) -> int:
        ws = book.add_worksheet(name)
        write_title(ws, book, title, f"名单：{run.list.file_name}")
        write_header(ws, 2, headers, book.format("head"))
        r = 2
        for row in rows:  # text and whole numbers only (row numbers): each as its type
            r += 1
            for col, value in enumerate(row):
                write_cell(ws, book, r, col, value)
        return r - 2

    findings = (
        Finding.objects.filter(run=run)
        .order_by("village__code", "rule", "id")
        .values_list(
            "rule_label",
            "village__parent__name",
            "village__name",
            "household__household_no",
            "name",
            "id_number",
            "figures",
            "status",
            "due_on",
            "previous__period",
            "period",
        )
    )
    department = run.get_department_display()
    count = sheet(
        "比对结果",
        FINDING_HEADERS,
        (
            (
                label,
                township,
                village,
                no or "",
                name,
                id_number,
                "；".join(f"{k}：{v}" for k, v in (figures or [])),
                status,
                due.isoformat() if due else "",
                prev or "",
                period,
                department,
            )
            for label, township, village, no, name, id_number, figures, status, due, prev, period in findings.iterator(
                chunk_size=5000
            )
        ),
    )
    sheet(
        "名单人员不在系统中",
        ["名单行号", "姓名", "证件号码"],
        ListRow.objects.filter(list=run.list, not_in_registry=True)
        .order_by("row")
        .values_list("row", "name", "id_number")
        .iterator(chunk_size=5000),
    )
    sheet(
        "未载入及有问题的行",
        ["行号", "列", "问题"],
        ((i.get("row"), i.get("column"), i.get("message")) for i in run.list.issues or []),
    )
    book.close()
    return count
