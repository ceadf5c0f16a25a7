"""Test helpers: write a department list as Excel or CSV, run it, read the findings back."""

from __future__ import annotations

import csv
from pathlib import Path

from shoudi.core.excel import write_rows_xlsx

from .models import DepartmentList, Finding, MatchingSettings, MatchRun
from .services import match_file

__all__ = ["accept_any_coverage", "findings_of", "health_findings", "run_list", "write_list"]


def write_list(path: Path, headers: list[str], rows: list[list], *, title: str = "部门名单", encoding="utf-8") -> Path:
    """An .xlsx (title, subtitle, header on row 3, as county tools write them) or a .csv (header first)."""
    path = Path(path)
    if path.suffix == ".csv":
        with path.open("w", encoding=encoding, newline="") as handle:
            writer = csv.writer(handle)
            writer.writerow(headers)
            writer.writerows(rows)
    else:
        write_rows_xlsx(str(path), title=title, headers=headers, rows=rows)
    return path


def run_list(
    tmp_path: Path,
    department: str,
    headers: list[str],
    rows: list[list],
    *,
    period: str = "2025-05",
    user=None,
    region_code: str | None = None,
    name: str = "list.xlsx",
    **kwargs,
):
    """Write the list and match it in-process; returns the run."""
    path = write_list(tmp_path / name, headers, rows)
    return match_file(department=department, path=path, period=period, user=user, region_code=region_code, **kwargs)


def findings_of(run, *, rule: str | None = None) -> set[tuple[str, str]]:
    """{(rule, ID number)} of a run's findings (optionally of one rule)."""
    qs = Finding.objects.filter(run=run)
    if rule:
        qs = qs.filter(rule=rule)
    return set(qs.values_list("rule", "id_number"))


def accept_any_coverage(region=None) -> MatchingSettings:
    """Settings under which an absence rule runs on a list of any size (tests of a rule on a handful of people)."""
    found = MatchingSettings.objects.filter(region=region).first() or MatchingSettings(region=region)
    found.absence_min_coverage_percent = found.absence_min_village_percent = 0
    found.save()
    return found


def health_findings(world) -> dict:
    """The 卫健 findings of this month: an unsigned chronic patient in village A, an under-served one in village B
    (each the head of a 脱贫户), as a released run leaves them (for the dashboard's card)."""
    from django.utils import timezone

    from shoudi.registry.testing import make_household

    period = f"{timezone.localdate():%Y-%m}"
    dlist = DepartmentList.objects.create(department="health", period=period, file_name="health.csv")
    run = MatchRun.objects.create(list=dlist, department="health", period=period)
    found = {}
    for n, (village, rule, label) in enumerate(
        (
            (world.village_a, "chronic_not_signed", "慢病患者未签约家庭医生"),
            (world.village_b, "chronic_few_services", "慢病签约年度服务不足4次"),
        )
    ):
        household = make_household(village, household_no=f"HEALTH{n}", head=f"慢病{n}", household_type="脱贫户")
        head = household.members.get(relation="户主")
        found[rule] = Finding.objects.create(
            run=run,
            department="health",
            period=period,
            rule=rule,
            rule_label=label,
            village=village,
            household=household,
            member=head,
            name=head.name,
            id_number=head.id_number,
            subject=head.id_number,
        )
    return found
