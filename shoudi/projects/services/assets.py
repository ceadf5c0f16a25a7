"""Assets (S001 42–44, S004 (十二)): registered from an accepted project, 确权移交 to an owner within three months
of the acceptance and, when they go to a village, entered on the 三资 platform; the operator, contract and income of
a 经营性 asset; the 管护主体 and 管护 records of a 公益性 one; disposal."""

from __future__ import annotations

import datetime
from collections.abc import Iterable

from django.db import transaction

from shoudi.core.dates import add_months
from shoudi.core.scope import user_can
from shoudi.regions.models import Region

from .. import choices as c
from ..models import Asset, AssetIncome, Maintenance, OperatingContract, Project
from .base import TransitionRefused, lock, money, require_state, step, today_or

__all__ = [
    "add_contract",
    "dispose_asset",
    "enter_sanzi",
    "record_income",
    "record_maintenance",
    "register_asset",
    "set_custodian",
    "transfer_asset",
]

ASSET_LABELS = dict(c.ASSET_STATE_CHOICES)


def _inside(region: Region, of: Region, what: str) -> None:
    if not region.code.startswith(of.code):
        raise TransitionRefused(f"{what}应在{of.name}范围内")


@transaction.atomic
def register_asset(
    *,
    project: Project,
    user,
    name: str,
    kind: str,
    value,
    region: Region,
    category: str = "",
    scale: str = "",
    location: str = "",
    beneficiaries: Iterable | None = None,
) -> Asset:
    """登记资产 of an accepted project: 确权移交 is due three months after the acceptance (S001 42)."""
    project = lock(Project, project, user)
    require_state(project, c.BUILT_STATES, c.STATE_LABELS)
    if not user.is_superuser and not user_can(user, Asset, "add"):
        raise TransitionRefused("您的角色不能登记资产")
    if kind not in dict(c.ASSET_KIND_CHOICES):
        raise TransitionRefused("请选择资产类别")
    _inside(region, project.region, "资产所在区划")
    value = money(value)
    if value <= 0:
        raise TransitionRefused("资产价值应大于 0")
    households = list(beneficiaries) if beneficiaries is not None else list(project.beneficiaries.all())
    households = [h for h in households if h.village.code.startswith(region.code)]
    if kind == c.HOUSEHOLD_ASSET and not households:
        raise TransitionRefused("到户类资产须有受益农户（项目受益户中没有该区划的农户）")
    asset = Asset.objects.create(
        project=project,
        name=name.strip(),
        kind=kind,
        category=category,
        scale=scale,
        value=value,
        region=region,
        location=location,
        accepted_on=project.accepted_on,
        transfer_due=add_months(project.accepted_on, c.TRANSFER_MONTHS),
    )
    if households:
        asset.beneficiaries.set(households)
    step(
        project,
        user,
        "登记资产",
        f"{kind}资产“{asset.name}”{value:,.2f} 元，确权移交期限 {asset.transfer_due:%Y-%m-%d}",
    )
    return asset


@transaction.atomic
def transfer_asset(
    *,
    asset: Asset,
    user,
    owner_region: Region,
    owner_name: str,
    transferred_on: datetime.date,
    document: str = "",
    sanzi_no: str = "",
) -> Asset:
    """确权移交: the receiving owner (a village's 集体经济组织, a township, a county unit) and the date; an asset
    that goes to a village is entered on the 三资 platform (now, or later by ``enter_sanzi``)."""
    asset = lock(Asset, asset, user)
    require_state(asset, (c.PENDING,), ASSET_LABELS, what="资产")
    if not owner_name.strip():
        raise TransitionRefused("请填写产权单位（接收单位）")
    if not asset.region.code.startswith(owner_region.code) and not owner_region.code.startswith(asset.region.code):
        raise TransitionRefused("产权归属区划应是资产所在地或其上级")
    if transferred_on < asset.accepted_on:
        raise TransitionRefused("移交日期不能早于项目验收日期")
    if transferred_on > today_or(None):
        raise TransitionRefused("移交日期不能晚于今天")
    asset.state, asset.owner_region, asset.owner_name = c.TRANSFERRED, owner_region, owner_name.strip()
    asset.transferred_on, asset.transfer_document = transferred_on, document
    if sanzi_no.strip():
        asset.sanzi_no, asset.sanzi_on = sanzi_no.strip(), transferred_on
    asset.save()
    text = f"“{asset.name}”移交{asset.owner_name}（{transferred_on:%Y-%m-%d}）"
    if asset.transferred_late:
        text += f"，超过确权移交期限 {asset.transfer_due:%Y-%m-%d}"
    step(asset.project, user, "确权移交", text)
    return asset


@transaction.atomic
def enter_sanzi(*, asset: Asset, user, sanzi_no: str, entered_on: datetime.date) -> Asset:
    """纳入三资平台: the platform's registration number of an asset transferred to a village."""
    asset = lock(Asset, asset, user)
    require_state(asset, (c.TRANSFERRED,), ASSET_LABELS, what="资产")
    if not sanzi_no.strip():
        raise TransitionRefused("请填写三资平台登记编号")
    if entered_on < asset.transferred_on:
        raise TransitionRefused("纳入三资平台日期不能早于移交日期")
    asset.sanzi_no, asset.sanzi_on = sanzi_no.strip(), entered_on
    asset.save()
    step(asset.project, user, "纳入三资平台", f"“{asset.name}”登记编号 {asset.sanzi_no}")
    return asset


@transaction.atomic
def set_custodian(*, asset: Asset, user, custodian: str, person: str = "") -> Asset:
    """管护主体 of an asset (公益性 assets must have one, S004 (十二))."""
    asset = lock(Asset, asset, user)
    require_state(asset, (c.PENDING, c.TRANSFERRED), ASSET_LABELS, what="资产")
    if not custodian.strip():
        raise TransitionRefused("请填写管护主体")
    asset.custodian, asset.custodian_person = custodian.strip(), person.strip()
    asset.save()
    return asset


@transaction.atomic
def record_maintenance(
    *, asset: Asset, user, content: str, done_on: datetime.date | None = None, person: str = "", cost=0
) -> Maintenance:
    """管护记录 of an asset in use."""
    asset = lock(Asset, asset, user)
    require_state(asset, (c.PENDING, c.TRANSFERRED), ASSET_LABELS, what="资产")
    if not content.strip():
        raise TransitionRefused("请填写管护内容")
    return Maintenance.objects.create(
        asset=asset, done_on=today_or(done_on), content=content.strip(), person=person, cost=money(cost)
    )


@transaction.atomic
def add_contract(
    *,
    asset: Asset,
    user,
    operator: str,
    operator_kind: str,
    start: datetime.date,
    end: datetime.date,
    annual_amount=0,
    contract_no: str = "",
    terms: str = "",
) -> OperatingContract:
    """经营合同: the operator of a 经营性 asset and the term of its contract."""
    asset = lock(Asset, asset, user)
    require_state(asset, (c.PENDING, c.TRANSFERRED), ASSET_LABELS, what="资产")
    if asset.kind != c.OPERATING:
        raise TransitionRefused("只有经营性资产签订经营合同")
    if end <= start:
        raise TransitionRefused("合同结束日期应晚于开始日期")
    if not operator.strip():
        raise TransitionRefused("请填写经营主体")
    contract = OperatingContract.objects.create(
        asset=asset,
        operator=operator.strip(),
        operator_kind=operator_kind,
        start=start,
        end=end,
        annual_amount=money(annual_amount),
        contract_no=contract_no,
        terms=terms,
    )
    step(
        asset.project, user, "经营合同", f"“{asset.name}”由{contract.operator}经营（{start:%Y-%m-%d}至{end:%Y-%m-%d}）"
    )
    return contract


@transaction.atomic
def record_income(*, asset: Asset, user, year: int, amount, received_on: datetime.date, note: str = "") -> AssetIncome:
    """资产收益: income of a 经营性 asset, to be distributed by a plan."""
    asset = lock(Asset, asset, user)
    require_state(asset, (c.PENDING, c.TRANSFERRED), ASSET_LABELS, what="资产")
    if asset.kind != c.OPERATING:
        raise TransitionRefused("只有经营性资产登记收益")
    amount = money(amount)
    if amount <= 0:
        raise TransitionRefused("收益金额应大于 0")
    if received_on > today_or(None):
        raise TransitionRefused("到账日期不能晚于今天")
    return AssetIncome.objects.create(asset=asset, year=year, amount=amount, received_on=received_on, note=note)


@transaction.atomic
def dispose_asset(*, asset: Asset, user, method: str, disposed_on: datetime.date, reason: str, proceeds=None) -> Asset:
    """处置: an asset sold, scrapped or written off after a collective decision (S001 43: 合理处置)."""
    asset = lock(Asset, asset, user)
    require_state(asset, (c.PENDING, c.TRANSFERRED), ASSET_LABELS, what="资产")
    if method not in c.DISPOSAL_METHODS:
        raise TransitionRefused("请选择处置方式")
    if not reason.strip():
        raise TransitionRefused("请填写处置原因及决策程序")
    if asset.plans.exclude(state=c.PAID).exists():
        raise TransitionRefused("该资产还有未兑付完毕的收益分配方案")
    asset.state, asset.disposal_method, asset.disposed_on = c.DISPOSED, method, disposed_on
    asset.disposal_reason = reason.strip()
    asset.disposal_proceeds = money(proceeds) if proceeds not in (None, "") else None
    asset.save()
    step(asset.project, user, "资产处置", f"“{asset.name}”{method}（{disposed_on:%Y-%m-%d}）：{reason.strip()}")
    return asset
