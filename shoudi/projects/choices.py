"""The vocabularies of projects, funds and assets (S001 37–44, S004 (十二)): project types, the states of a project
and of a distribution plan, fund sources, asset kinds, and the deadlines' lengths."""

from __future__ import annotations

# --- the project and its review chain -------------------------------------------------------------------------------

TYPES = {
    "产业发展": ["种植业基地", "养殖业基地", "加工流通", "休闲农业与乡村旅游", "光伏", "产业服务支撑", "其他产业"],
    "基础设施": ["农村道路", "农村供水", "小型农田水利", "农村电网", "人居环境整治", "其他基础设施"],
    "就业": ["就业帮扶车间", "以工代赈", "务工交通补助", "技能培训", "公益性岗位", "其他就业"],
    "乡村建设": ["村容村貌提升", "农村公共服务设施", "易地搬迁后续扶持", "其他乡村建设"],
    "其他": ["其他"],
}
TYPE_CHOICES = [(t, t) for t in TYPES]
SUBTYPE_CHOICES = [(s, s) for subtypes in TYPES.values() for s in subtypes]

PROPOSED, REVIEWED, ASSESSED, LIBRARY, PLANNED = "proposed", "reviewed", "assessed", "library", "planned"
IMPLEMENTING, COMPLETED, ACCEPTED, SETTLED = "implementing", "completed", "accepted", "settled"
RETURNED, REJECTED = "returned", "rejected"
STATE_CHOICES = [
    (PROPOSED, "待乡镇审核"),
    (REVIEWED, "待县级论证"),
    (ASSESSED, "论证通过待入库"),
    (LIBRARY, "已入库"),
    (PLANNED, "已纳入年度计划"),
    (IMPLEMENTING, "实施中"),
    (COMPLETED, "已竣工待验收"),
    (ACCEPTED, "已验收"),
    (SETTLED, "已结算报账"),
    (RETURNED, "退回修改"),
    (REJECTED, "未通过"),
]
STATE_LABELS = dict(STATE_CHOICES)
EDITABLE_STATES = (PROPOSED, RETURNED)  # the proposer may still change what he proposed
IN_REVIEW = (PROPOSED, REVIEWED, ASSESSED)
FUNDED_STATES = (PLANNED, IMPLEMENTING, COMPLETED, ACCEPTED, SETTLED)  # funds may be allocated and paid
BUILT_STATES = (ACCEPTED, SETTLED)  # accepted: its assets may be registered

LEVEL_CHOICES = [("village", "村级"), ("township", "乡镇级"), ("county", "县级（行业部门）")]
LEVEL_LABELS = dict(LEVEL_CHOICES)

# --- 公告公示 --------------------------------------------------------------------------------------------------------

PUBLICITY_STAGES = [
    "村级申报公示",
    "乡镇审核公示",
    "入库公示",
    "年度计划公告",
    "实施前公示",
    "竣工公示",
    "收益分配公示",
]
PUBLICITY_STAGE_CHOICES = [(s, s) for s in PUBLICITY_STAGES]
LIBRARY_STAGES = ("村级申报公示", "乡镇审核公示", "入库公示")  # a 公示 that counts for 入库

# --- implementation --------------------------------------------------------------------------------------------------

DECISION_KINDS = [
    "公开招标",
    "邀请招标",
    "竞争性谈判",
    "竞争性磋商",
    "询价",
    "民主议事（四议两公开）",
    "三重一大集体决策",
]
DECISION_KIND_CHOICES = [(k, k) for k in DECISION_KINDS]
FOUR_TWO_STEPS = ["村党组织提议", "村两委会议商议", "党员大会审议", "村民代表会议决议", "决议公开", "实施结果公开"]
FOUR_TWO_CHOICES = [(s, s) for s in FOUR_TWO_STEPS]
SUPERVISORS = ["村监委会", "项目监理单位", "乡镇", "行业部门", "其他"]
SUPERVISOR_CHOICES = [(s, s) for s in SUPERVISORS]
TARGET_LEVELS = ["产出指标", "效益指标", "满意度指标"]
TARGET_LEVEL_CHOICES = [(t, t) for t in TARGET_LEVELS]

# --- funds -----------------------------------------------------------------------------------------------------------

FUND_SOURCES = [("central", "中央衔接资金"), ("province", "省级衔接资金"), ("city", "市级衔接资金")]
FUND_SOURCES += [("county", "县级衔接资金"), ("other", "其他资金")]
FUND_SOURCE_LABELS = dict(FUND_SOURCES)
LINKAGE_SOURCES = ("central", "province", "city", "county")  # 衔接资金; "other" is not
PAYMENT_KINDS = ["预付款", "进度款", "结算款", "质保金"]
PAYMENT_KIND_CHOICES = [(k, k) for k in PAYMENT_KINDS]
SETTLEMENT_KINDS = [("结算", "结算"), ("报账", "报账")]

EXECUTION_WORKDAYS = 15  # S001 39: 预算执行 within 15 working days of 下达
ACCEPTANCE_WORKDAYS = 7  # S001 39: 竣工验收 within 7 working days of completion
TRANSFER_MONTHS = 3  # S001 42: 确权移交 within three months of acceptance
DUE_SOON_DAYS = 3  # a deadline this close (calendar days) is on the worklist already

# --- assets ----------------------------------------------------------------------------------------------------------

OPERATING, PUBLIC, HOUSEHOLD_ASSET = "经营性", "公益性", "到户类"
ASSET_KIND_CHOICES = [(OPERATING, OPERATING), (PUBLIC, PUBLIC), (HOUSEHOLD_ASSET, HOUSEHOLD_ASSET)]
PENDING, TRANSFERRED, DISPOSED = "pending", "transferred", "disposed"
ASSET_STATE_CHOICES = [(PENDING, "待确权移交"), (TRANSFERRED, "已确权移交"), (DISPOSED, "已处置")]
OPERATOR_KINDS = ["村集体经济组织", "农民专业合作社", "企业", "家庭农场或大户", "其他"]
OPERATOR_KIND_CHOICES = [(k, k) for k in OPERATOR_KINDS]
DISPOSAL_METHODS = ["转让", "拍卖", "报废", "报损", "置换", "其他"]
DISPOSAL_METHOD_CHOICES = [(m, m) for m in DISPOSAL_METHODS]

# --- 收益分配 --------------------------------------------------------------------------------------------------------

DRAFT, DECIDED, APPROVED, FILED, PAID = "draft", "decided", "approved", "filed", "paid"
PLAN_STATE_CHOICES = [
    (DRAFT, "拟定"),
    (DECIDED, "已决议（四议两公开）"),
    (APPROVED, "乡镇已审核"),
    (FILED, "县级已备案"),
    (PAID, "已兑付到户"),
]
SPLIT_METHODS = [("household", "按户平均"), ("people", "按家庭人口")]
