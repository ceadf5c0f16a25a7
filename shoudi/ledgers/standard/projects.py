"""The ledgers of projects, funds and assets (S001 37–44, S000 附件2 三.6): 项目库, 年度项目计划, 衔接资金台账,
扶贫资产台账 at county, township and village level, 收益分配台账, and the 公告公示 records.

Projects and assets are not rows of a household: these ledgers name no household (``household=""``), their lookups
are keyed by the row's own id, and their place columns come from the row's region (a village, a township, or the
county itself for a county-wide project)."""

from __future__ import annotations

from collections import defaultdict
from decimal import Decimal

from django.db.models import Count, DecimalField, Exists, OuterRef, Q, Subquery, Sum, Value
from django.db.models.functions import Coalesce

from shoudi.projects import choices as c
from shoudi.projects.models import Allocation, Asset, AssetIncome, Objection, Payment, Payout, Project, Publicity

from ..definitions import Column, Filter, LedgerContext, LedgerDefinition, Lookup, Param
from .parts import HEAD, part, seq, value_of

__all__ = ["DEFINITIONS"]

STATES = dict(c.STATE_CHOICES)
ASSET_STATES = dict(c.ASSET_STATE_CHOICES)
PLAN_STATES = dict(c.PLAN_STATE_CHOICES)
LEVELS = {"county": "县级", "township": "乡镇级", "village": "村级"}
ZERO = Decimal("0.00")


def _this_year(ctx: LedgerContext) -> int:
    return ctx.today.year


YEAR = Param("year", "年度", "year", _this_year)


def _summed(model, amount: str, link: str, **filters):
    """The sum of ``amount`` over the ``model`` rows of the outer row (0 when none), as a subquery: two sums over two
    joins in one query would multiply each other."""
    rows = model.objects.filter(**{link: OuterRef("pk")}, **filters).order_by().values(link)
    total = rows.annotate(total=Sum(amount)).values("total")[:1]
    return Coalesce(Subquery(total), Value(ZERO), output_field=DecimalField(max_digits=14, decimal_places=2))


# --- place columns from a region path --------------------


def _township(prefix: str):
    def get(row, ctx):
        level = row[f"{prefix}region__level"]
        if level == "village":
            return row[f"{prefix}region__parent__name"]
        return row[f"{prefix}region__name"] if level == "township" else "县级"

    return get


def _village(prefix: str):
    def get(row, ctx):
        return row[f"{prefix}region__name"] if row[f"{prefix}region__level"] == "village" else None

    return get


def region_columns(prefix: str = "") -> list[Column]:
    fields = tuple(f"{prefix}region__{f}" for f in ("level", "name", "parent__name"))
    return [
        Column("township", "乡镇", _township(prefix), fields=fields, width=10),
        Column("village", "行政村", _village(prefix), fields=fields, width=10),
    ]


def _label(labels: dict, path: str):
    def get(row, ctx):
        return labels.get(row[path], row[path])

    return get


def _budget_linkage(row, ctx):
    return sum((row[f"budget_{s}"] or ZERO for s in c.LINKAGE_SOURCES), ZERO)


def _budget_total(row, ctx):
    return _budget_linkage(row, ctx) + (row["budget_other"] or ZERO)


BUDGET_FIELDS = tuple(f"budget_{s}" for s, _ in c.FUND_SOURCES)


def project_columns() -> list[Column]:
    return [
        seq(),
        Column("name", "项目名称", "name", width=28),
        *region_columns(),
        Column("project_type", "项目类型", "project_type", width=10),
        Column("subtype", "项目子类型", "subtype", width=12),
        Column("implementing_unit", "实施单位", "implementing_unit", width=16),
        Column("content", "建设内容及规模", "content", width=28, default=False),
        *(
            Column(f"budget_{s}", label, f"budget_{s}", kind="money", total=True, default=s != "city")
            for s, label in c.FUND_SOURCES
        ),
        Column("linkage_total", "衔接资金合计", _budget_linkage, kind="money", fields=BUDGET_FIELDS, total=True),
        Column("budget_total", "总投资", _budget_total, kind="money", fields=BUDGET_FIELDS, total=True),
        Column("linkage", "联农带农机制", "linkage", width=24),
        Column(
            "beneficiaries",
            "受益户数",
            lambda row, ctx: row["beneficiaries"] or 0,
            kind="int",
            lookups=("beneficiaries",),
            total=True,
        ),
    ]


def _beneficiary_counts(ctx: LedgerContext, ids) -> dict:
    rows = Project.beneficiaries.through.objects.filter(project_id__in=ids).values("project_id")
    return dict(rows.annotate(n=Count("household_id")).values_list("project_id", "n"))


BENEFICIARIES = Lookup("projects.project", _beneficiary_counts)
STATE_FILTER = Filter("state", "状态", lambda ctx, v: Q(state=v), choices=tuple(c.STATE_CHOICES))

# --- 项目库 --------------------

LIBRARY_LEDGER = LedgerDefinition(
    code="project-library",
    title="巩固拓展脱贫攻坚成果和乡村振兴项目库",
    description="项目库：按项目年度列出申报、审核、论证、入库的项目及资金来源、联农带农机制",
    model=Project,
    unit="个",
    columns=(
        *project_columns(),
        Column("proposer_unit", "申报单位", "proposer_unit", width=14),
        Column("state", "状态", _label(STATES, "state"), fields=("state",), width=12),
        Column("library_on", "入库日期", "library_on", kind="date"),
    ),
    params=(Param("year", "项目年度", "year", _this_year),),
    base=lambda ctx: Q(year=ctx.params["year"]),
    filters=(
        Filter(
            "in_library", "仅已入库（含计划、实施、完成）", lambda ctx, v: Q(state__in=(c.LIBRARY, *c.FUNDED_STATES))
        ),
        STATE_FILTER,
    ),
    order_by=("region__code", "id"),
    household="",
    lookups={"beneficiaries": BENEFICIARIES},
)

# --- 年度项目计划 --------------------


def _funds_annotations(ctx: LedgerContext) -> dict:
    return {
        "allocated_sum": _summed(Allocation, "amount", "project"),
        "paid_sum": _summed(Payment, "amount", "project"),
    }


def _rate(row, ctx):
    allocated = row["allocated_sum"] or ZERO
    return f"{row['paid_sum'] * 100 / allocated:.1f}%" if allocated else None


PLAN_LEDGER = LedgerDefinition(
    code="project-plan",
    title="年度项目计划",
    description="纳入年度计划的项目：资金来源、已下达、已拨付、实施状态",
    model=Project,
    unit="个",
    columns=(
        *project_columns(),
        Column("allocated_sum", "已下达", "allocated_sum", kind="money", total=True),
        Column("paid_sum", "已拨付", "paid_sum", kind="money", total=True),
        Column("rate", "支付进度", _rate, fields=("allocated_sum", "paid_sum"), width=9),
        Column("progress", "形象进度（%）", "progress", kind="int", width=8),
        Column("state", "状态", _label(STATES, "state"), fields=("state",), width=12),
    ),
    params=(Param("year", "计划年度", "year", _this_year),),
    annotate=_funds_annotations,
    base=lambda ctx: Q(plan_year=ctx.params["year"]),
    filters=(STATE_FILTER,),
    order_by=("region__code", "id"),
    household="",
    lookups={"beneficiaries": BENEFICIARIES},
)

# --- 衔接资金台账 --------------------


def _year_funds(ctx: LedgerContext) -> dict:
    year = ctx.params["year"]
    sums = {
        f"allocated_{s}": _summed(Allocation, "amount", "project", allocated_on__year=year, source=s)
        for s, _ in c.FUND_SOURCES
    }
    return {
        **sums,
        "allocated_year": _summed(Allocation, "amount", "project", allocated_on__year=year),
        "paid_year": _summed(Payment, "amount", "project", paid_on__year=year),
        **_funds_annotations(ctx),
    }


def _executions(ctx: LedgerContext, ids) -> dict:
    """Per project: the documents of the year's allocations and how their 预算执行 went (按期 / 超期 / 未开始)."""
    year = ctx.params["year"]
    found: dict[int, list[str]] = defaultdict(list)
    rows = Allocation.objects.filter(project_id__in=ids, allocated_on__year=year).order_by(
        "project_id", "allocated_on", "id"
    )
    for pid, document, due, started in rows.values_list(
        "project_id", "document_no", "execution_due", "execution_started_on"
    ):
        if started is None:
            state = "未开始（已逾期）" if due < ctx.today else f"未开始（期限 {due:%Y-%m-%d}）"
        else:
            state = "超期" if started > due else "按期"
        found[pid].append(f"{document or '无文号'}：{state}")
    return {pid: "；".join(parts) for pid, parts in found.items()}


def _balance(row, ctx):
    return (row["allocated_sum"] or ZERO) - (row["paid_sum"] or ZERO)


FUNDS_LEDGER = LedgerDefinition(
    code="linkage-funds",
    title="衔接资金台账",
    description="按年度：各项目中央、省、市、县衔接资金下达，预算执行（15个工作日内），拨付和结余",
    model=Project,
    unit="个",
    columns=(
        seq(),
        Column("name", "项目名称", "name", width=28),
        *region_columns(),
        Column("implementing_unit", "实施单位", "implementing_unit", width=16),
        Column("plan_year", "计划年度", "plan_year", kind="int", width=7),
        *(
            Column(
                f"allocated_{s}", f"本年下达{label}", f"allocated_{s}", kind="money", total=True, default=s != "city"
            )
            for s, label in c.FUND_SOURCES
        ),
        Column("allocated_year", "本年下达合计", "allocated_year", kind="money", total=True),
        Column("paid_year", "本年拨付", "paid_year", kind="money", total=True),
        Column("allocated_sum", "累计下达", "allocated_sum", kind="money", total=True),
        Column("paid_sum", "累计拨付", "paid_sum", kind="money", total=True),
        Column("balance", "结余", _balance, kind="money", fields=("allocated_sum", "paid_sum"), total=True),
        Column("rate", "支付进度", _rate, fields=("allocated_sum", "paid_sum"), width=9),
        Column("execution", "下达文号及预算执行", value_of("execution"), lookups=("execution",), width=30),
        Column("state", "项目状态", _label(STATES, "state"), fields=("state",), width=12),
    ),
    params=(YEAR,),
    annotate=_year_funds,
    base=lambda ctx: (
        Q(plan_year=ctx.params["year"])
        | Q(Exists(Allocation.objects.filter(project=OuterRef("pk"), allocated_on__year=ctx.params["year"])))
    ),
    order_by=("region__code", "id"),
    household="",
    lookups={"execution": Lookup("projects.allocation", _executions)},
)

# --- 扶贫资产台账：县、乡镇、村三级 --------------------


def _asset_income(ctx: LedgerContext) -> dict:
    return {
        "income_sum": _summed(AssetIncome, "amount", "asset"),
        "paid_out": _summed(Payout, "amount", "plan__asset", paid_on__isnull=False),
    }


def _operators(ctx: LedgerContext, ids) -> dict:
    """The operator of each asset's latest contract."""
    from shoudi.projects.models import OperatingContract

    rows = OperatingContract.objects.filter(asset_id__in=ids).order_by("asset_id", "start", "id")
    return dict(rows.values_list("asset_id", "operator"))


def _owner_level(row, ctx):
    return LEVELS.get(row["owner_region__level"] or "", "待确权")


ASSET_COLUMNS = (
    seq(),
    Column("name", "资产名称", "name", width=22),
    Column("project", "所属项目", "project__name", width=24),
    Column("project_year", "项目年度", "project__year", kind="int", width=7),
    Column("kind", "资产类别", "kind", width=8),
    Column("category", "资产类型", "category", width=10),
    Column("scale", "规模数量", "scale", width=12, default=False),
    Column("value", "资产价值", "value", kind="money", total=True),
    *region_columns(),
    Column("location", "具体位置", "location", width=16, default=False),
    Column("accepted_on", "验收日期", "accepted_on", kind="date"),
    Column("transfer_due", "确权移交期限", "transfer_due", kind="date"),
    Column("transferred_on", "确权移交日期", "transferred_on", kind="date"),
    Column("owner_level", "权属层级", _owner_level, fields=("owner_region__level",), width=8),
    Column("owner_name", "产权单位", "owner_name", width=18),
    Column("sanzi_no", "三资平台登记编号", "sanzi_no", width=16),
    Column("custodian", "管护主体", "custodian", width=14),
    Column("operator", "经营主体", value_of("operator"), lookups=("operator",), width=16),
    Column("income_sum", "累计收益", "income_sum", kind="money", total=True),
    Column("paid_out", "累计分配到户", "paid_out", kind="money", total=True),
    Column("state", "状态", _label(ASSET_STATES, "state"), fields=("state",), width=10),
)
ASSET_FILTERS = (
    Filter("kind", "资产类别", lambda ctx, v: Q(kind=v), choices=tuple(c.ASSET_KIND_CHOICES)),
    Filter("state", "状态", lambda ctx, v: Q(state=v), choices=tuple(c.ASSET_STATE_CHOICES)),
    Filter("disposed", "不含已处置资产", lambda ctx, v: ~Q(state=c.DISPOSED), default=True),
)


def _owned_at(level: str) -> Q:
    """Assets whose 产权 is at ``level``; those not yet transferred, by where they are."""
    return Q(owner_region__level=level) | Q(owner_region__isnull=True, region__level=level)


def _asset_ledger(code: str, title: str, description: str, base) -> LedgerDefinition:
    return LedgerDefinition(
        code=code,
        title=title,
        description=description,
        model=Asset,
        unit="项",
        columns=ASSET_COLUMNS,
        base=base,
        annotate=_asset_income,
        filters=ASSET_FILTERS,
        order_by=("region__code", "id"),
        household="",
        lookups={"operator": Lookup("projects.asset", _operators)},
    )


ASSET_LEDGERS = (
    _asset_ledger(
        "assets-county",
        "县级扶贫项目资产台账",
        "全县扶贫项目资产总台账：类别、价值、位置、确权移交、三资平台、管护、收益",
        None,
    ),
    _asset_ledger(
        "assets-township",
        "乡镇扶贫项目资产台账",
        "产权归属乡镇的资产（未移交的按所在地列入）",
        lambda ctx: _owned_at("township"),
    ),
    _asset_ledger(
        "assets-village",
        "村级扶贫资产台账",
        "产权归属村集体的资产（未移交的按所在地列入），含收益和分配",
        lambda ctx: _owned_at("village"),
    ),
)

# --- 收益分配台账 --------------------

DISTRIBUTION_LEDGER = LedgerDefinition(
    code="income-distribution",
    title="扶贫资产收益分配台账",
    description="资产收益分配到户：方案、户主、家庭人口、分配金额、兑付日期",
    model=Payout,
    unit="户次",
    columns=(
        seq(),
        Column("township", "乡镇", "household__village__parent__name", width=10),
        Column("village", "行政村", "household__village__name", width=10),
        Column("household_no", "户编号", "household__household_no", kind="code"),
        Column("head_name", "户主姓名", part("head", 0), lookups=("head",), width=9),
        Column("household_type", "户类型", "household__household_type", width=9),
        Column("people", "家庭人口", "people", kind="int", width=7),
        Column("asset", "资产", "plan__asset__name", width=22),
        Column("income_year", "收益年度", "plan__income__year", kind="int", width=7),
        Column("method", "分配方式", _label(dict(c.SPLIT_METHODS), "plan__method"), fields=("plan__method",), width=9),
        Column("amount", "分配金额", "amount", kind="money", total=True),
        Column("paid_on", "兑付日期", "paid_on", kind="date"),
        Column("plan_state", "方案状态", _label(PLAN_STATES, "plan__state"), fields=("plan__state",), width=12),
    ),
    params=(Param("year", "收益年度", "year", _this_year),),
    base=lambda ctx: Q(plan__income__year=ctx.params["year"]),
    filters=(Filter("paid", "仅已兑付", lambda ctx, v: Q(paid_on__isnull=False)),),
    order_by=("household__village__code", "household__household_no", "plan_id"),
    grouped=True,
    lookups={"head": HEAD},
)

# --- 公告公示记录 --------------------


def _objections(ctx: LedgerContext, ids) -> dict:
    """Per 公示: its objections and how each was resolved."""
    found: dict[int, list[str]] = defaultdict(list)
    rows = Objection.objects.filter(publicity_id__in=ids).order_by("publicity_id", "received_on", "id")
    for pid, content, upheld, resolution in rows.values_list("publicity_id", "content", "upheld", "resolution"):
        verdict = "待处理" if upheld is None else ("成立" if upheld else "不成立")
        found[pid].append(f"{content}（{verdict}{'：' + resolution if resolution else ''}）")
    return {pid: (len(parts), "；".join(parts)) for pid, parts in found.items()}


def _days(row, ctx):
    return (row["end"] - row["start"]).days + 1


PUBLICITY_LEDGER = LedgerDefinition(
    code="project-publicity",
    title="项目资金公告公示记录",
    description="项目库入库、年度计划、实施、竣工、收益分配的公告公示及异议处理",
    model=Publicity,
    unit="次",
    columns=(
        seq(),
        Column("project", "项目名称", "project__name", width=26),
        *region_columns("project__"),
        Column("stage", "公示类型", "stage", width=12),
        Column("start", "公示开始", "start", kind="date"),
        Column("end", "公示结束", "end", kind="date"),
        Column("days", "公示天数", _days, kind="int", fields=("start", "end"), width=7),
        Column("place", "公示地点/渠道", "place", width=16),
        Column("content", "公示内容", "content", width=26, default=False),
        Column(
            "objection_count",
            "异议（件）",
            lambda row, ctx: (row["objections"] or (0, ""))[0],
            kind="int",
            lookups=("objections",),
            total=True,
        ),
        Column(
            "objections",
            "异议及处理",
            lambda row, ctx: (row["objections"] or (0, None))[1],
            lookups=("objections",),
            width=30,
        ),
    ),
    params=(YEAR,),
    base=lambda ctx: Q(start__year=ctx.params["year"]),
    filters=(Filter("stage", "公示类型", lambda ctx, v: Q(stage=v), choices=tuple(c.PUBLICITY_STAGE_CHOICES)),),
    order_by=("project__region__code", "start", "id"),
    household="",
    lookups={"objections": Lookup("projects.publicity", _objections)},
)

DEFINITIONS = (
    LIBRARY_LEDGER,
    PLAN_LEDGER,
    FUNDS_LEDGER,
    *ASSET_LEDGERS,
    DISTRIBUTION_LEDGER,
    PUBLICITY_LEDGER,
)
