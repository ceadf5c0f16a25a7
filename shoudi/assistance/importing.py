"""Import of the cadre directory from Excel/CSV: 姓名, 单位, 职务, 联系电话, and optionally 区划代码 and 登录账号.

All-or-nothing: every row is checked first; one error rejects the file with each row's reason. A cadre already in
the directory (same name and unit in the same region) is updated, not duplicated.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db import transaction

from shoudi.accounts.models import User
from shoudi.core.cells import cell_text
from shoudi.core.scope import user_can
from shoudi.core.tabular import FileRejected, content_of, find_header, read_table
from shoudi.regions.models import Region

from .models import Cadre

__all__ = ["CadreImportResult", "import_cadres"]

ALIASES = {
    "name": ("姓名", "帮扶干部", "帮扶责任人", "干部姓名"),
    "unit": ("单位", "后盾单位", "工作单位", "帮扶单位"),
    "position": ("职务", "职位"),
    "phone": ("联系电话", "电话", "手机", "手机号码"),
    "region": ("区划代码", "帮扶区域代码", "村代码"),
    "username": ("登录账号", "用户名"),
}
LABELS = {
    "name": "姓名",
    "unit": "单位",
    "position": "职务",
    "phone": "联系电话",
    "region": "区划代码",
    "username": "登录账号",
}


@dataclass
class CadreImportResult:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    errors: list[str] = field(default_factory=list)
    committed: bool = False

    def summary(self) -> str:
        return f"新增 {self.created}，更新 {self.updated}，未变 {self.unchanged}，错误 {len(self.errors)}"


def import_cadres(file, *, user, dry_run: bool = False) -> CadreImportResult:
    if not user_can(user, Cadre, "import"):
        raise FileRejected("您的角色不能导入帮扶干部")
    rows, start, columns = _read_with_header(file)
    result = CadreImportResult()
    regions = {r.code: r for r in Region.objects.restrict(user, "view")}
    logins = User.objects.filter(role="cadre")
    if not user.is_superuser:  # a login of the importer's own region only: no account elsewhere is found or linked
        logins = logins.filter(region__code__startswith=user.region.code if user.region_id else "-")
    planned = _check_rows(rows[start + 1 :], start + 2, columns, regions, user.region, result, logins)
    if result.errors or dry_run:
        _count(planned, result)
        return result
    with transaction.atomic():
        _save(planned, result)
    result.committed = True
    return result


def _read_with_header(file) -> tuple[list, int, dict[str, int]]:
    """The file's rows, the index of its header row and the column of each recognised field."""
    content, name = content_of(file)
    rows = read_table(content, name, has_header=lambda r: find_header(r, ALIASES, ("name", "unit")) is not None)
    header = find_header(rows, ALIASES, ("name", "unit"))
    if header is None:
        raise FileRejected("未找到表头：前 10 行中应有“姓名”“单位”两列")
    start, columns = header
    return rows, start, columns


def _check_rows(rows, first_line: int, columns, regions, default_region, result: CadreImportResult, logins) -> list:
    """The rows that pass every check, as (values, region, login); each failing row adds its reasons to the errors."""
    planned = []
    for offset, row in enumerate(rows, start=first_line):
        values = {key: cell_text(row[col]) if col < len(row) else "" for key, col in columns.items()}
        if not any(values.values()):
            continue
        problems = _field_problems(values)
        region, region_problem = _region_of(values, regions, default_region)
        login, login_problem = _login_of(values, logins)
        problems += [p for p in (region_problem, login_problem) if p]
        if problems:
            result.errors.append(f"第 {offset} 行：" + "；".join(problems))
            continue
        planned.append((values, region, login))
    return planned


def _field_problems(values: dict[str, str]) -> list[str]:
    problems = []
    if not values.get("name"):
        problems.append("姓名为空")
    if not values.get("unit"):
        problems.append("单位为空")
    phone = values.get("phone", "")
    if phone and not (phone.isdigit() and len(phone) in (7, 8, 11, 12)):
        problems.append(f"联系电话“{phone}”格式不正确")
    return problems


def _region_of(values: dict[str, str], regions: dict[str, Region], default_region) -> tuple[Region | None, str]:
    """The row's region (the importing user's own when the column is empty) and the problem with it, if any."""
    if not values.get("region"):
        return default_region, ""
    region = regions.get(values["region"])
    if region is None:
        return None, f"区划代码“{values['region']}”不存在或不在您的管辖范围内"
    return region, ""


def _login_of(values: dict[str, str], logins) -> tuple[User | None, str]:
    """The cadre's login account named in the row (among ``logins``: the importer's region), and the problem."""
    if not values.get("username"):
        return None, ""
    login = logins.filter(username=values["username"]).first()
    if login is None:
        return None, f"登录账号“{values['username']}”不存在或不是帮扶干部角色"
    return login, ""


def _save(planned, result: CadreImportResult) -> None:
    """Create each new cadre and update each changed one (same name and unit in the same region)."""
    for values, region, login in planned:
        cadre = Cadre.objects.filter(name=values["name"], unit=values["unit"], region=region).first()
        fields = {"position": values.get("position", ""), "phone": values.get("phone", ""), "active": True}
        if login is not None:
            fields["user"] = login
        if cadre is None:
            Cadre.objects.create(name=values["name"], unit=values["unit"], region=region, **fields)
            result.created += 1
        elif any(getattr(cadre, k) != v for k, v in fields.items()):
            for k, v in fields.items():
                setattr(cadre, k, v)
            cadre.save()
            result.updated += 1
        else:
            result.unchanged += 1


def _count(planned, result: CadreImportResult) -> None:
    for values, region, _login in planned:
        if Cadre.objects.filter(name=values["name"], unit=values["unit"], region=region).exists():
            result.updated += 1
        else:
            result.created += 1
