"""Monitoring vocabulary (DOMAIN.md §3) and the steps of the two chains."""

from shoudi.registry import national, vocabularies

# the national system's values (registry.national), as choices
CATEGORIES = [(v, v) for v in national.CATEGORIES]
CATEGORY_VALUES = [v for v, _ in CATEGORIES]
RISK_TYPES = [(v, v) for v in national.RISK_TYPES]
RISK_VALUES = [v for v, _ in RISK_TYPES]
_RISK_READER = vocabularies.RISK.reader(vocabularies.RISK.spellings())  # the built-in spellings: no query


def risk_of(text) -> tuple[str, str] | None:
    """(risk type, disaster sub-type) of a written 致贫/返贫风险 ("务工就业不稳", "因自然灾害(洪涝)"), or None."""
    value = _RISK_READER(text)
    if not value:
        return None
    if value.startswith("因自然灾害("):
        return "因自然灾害", value[len("因自然灾害(") : -1]
    return (value, "") if value in RISK_VALUES else None


DISASTER_SUBTYPES = [(v, v) for v in national.DISASTER_SUBTYPES]
SOURCES = [(v, v) for v in ("农户自主申报", "基层干部排查", "部门筛查预警", "信访舆情")]
ELIMINATION_TYPES = [(v, v) for v in national.ELIMINATION_TYPES]

IDENTIFICATION, ELIMINATION = "identification", "elimination"
CHAINS = [(IDENTIFICATION, "识别"), (ELIMINATION, "风险消除")]

# Steps waiting to be done. The same five working steps serve both chains.
VERIFICATION = "verification"
VILLAGE_REVIEW = "village_review"
PUBLICITY = "publicity"
TOWNSHIP_REVIEW = "township_review"
COUNTY_REVIEW = "county_review"
MONITORING = "monitoring"  # identified: assisted and monitored
ELIMINATED = "eliminated"
REJECTED = "rejected"  # 不予纳入
REFUSED = "refused"  # the household refused to sign the 承诺授权书

WORKING_STEPS = [VERIFICATION, VILLAGE_REVIEW, PUBLICITY, TOWNSHIP_REVIEW, COUNTY_REVIEW]
CLOSED_STEPS = {ELIMINATED, REJECTED, REFUSED}

# What each step is called in its chain (the page, the lists and every dropdown read it through ``step_label``)
STEP_LABELS = {
    (IDENTIFICATION, VERIFICATION): "入户核实",
    (IDENTIFICATION, VILLAGE_REVIEW): "村级研判/民主评议",
    (IDENTIFICATION, PUBLICITY): "公示",
    (IDENTIFICATION, TOWNSHIP_REVIEW): "乡镇审核",
    (IDENTIFICATION, COUNTY_REVIEW): "县级审定",
    (IDENTIFICATION, MONITORING): "已识别（帮扶中）",
    (IDENTIFICATION, REJECTED): "不予纳入",
    (IDENTIFICATION, REFUSED): "未签承诺授权书",
    (ELIMINATION, VERIFICATION): "消除入户核查",
    (ELIMINATION, VILLAGE_REVIEW): "消除村级评议",
    (ELIMINATION, PUBLICITY): "消除公示",
    (ELIMINATION, TOWNSHIP_REVIEW): "消除乡镇审核",
    (ELIMINATION, COUNTY_REVIEW): "消除县级确定",
    (ELIMINATION, MONITORING): "已识别（帮扶中）",
    (ELIMINATION, ELIMINATED): "风险已消除",
}
STEPS = [
    (VERIFICATION, "入户核实"),
    (VILLAGE_REVIEW, "村级研判"),
    (PUBLICITY, "公示"),
    (TOWNSHIP_REVIEW, "乡镇审核"),
    (COUNTY_REVIEW, "县级审定"),
    (MONITORING, "已识别（帮扶中）"),
    (ELIMINATED, "风险已消除"),
    (REJECTED, "不予纳入"),
    (REFUSED, "未签承诺授权书"),
]
# The 环节 filter spans both chains: each step by a name true of both
STEP_FILTER_CHOICES = [
    (VERIFICATION, "入户核实/核查"),
    (VILLAGE_REVIEW, "村级研判/评议"),
    (PUBLICITY, "公示"),
    (TOWNSHIP_REVIEW, "乡镇审核"),
    (COUNTY_REVIEW, "县级审定/确定"),
    (MONITORING, "已识别（帮扶中）"),
    (ELIMINATED, "风险已消除"),
    (REJECTED, "不予纳入"),
    (REFUSED, "未签承诺授权书"),
]


def step_label(chain: str, step: str) -> str:
    """The name of ``step`` in ``chain`` ("消除村级评议"), falling back to the step's own name."""
    return STEP_LABELS.get((chain, step)) or dict(STEPS).get(step, step)


# The progress stepper of the case page: (key, label) of each chain's stages in order
IDENTIFICATION_STAGES = [
    ("clue", "线索"),
    (VERIFICATION, "入户核实"),
    (VILLAGE_REVIEW, "村级评议"),
    (PUBLICITY, "公示"),
    (TOWNSHIP_REVIEW, "乡镇审核"),
    (COUNTY_REVIEW, "县级审定"),
    (MONITORING, "监测帮扶"),
]
ELIMINATION_STAGES = [
    ("apply", "消除申请"),
    (VERIFICATION, "入户核查"),
    (VILLAGE_REVIEW, "村级评议"),
    (PUBLICITY, "公示"),
    (TOWNSHIP_REVIEW, "乡镇审核"),
    (COUNTY_REVIEW, "县级确定"),
    (ELIMINATED, "风险消除"),
]

# 预警筛查 rules: key → label (the rule keys are stored on clues and batches; pages and the change log show labels)
SCREENING_RULES = {
    "below_line": "人均纯收入低于监测线",
    "edge": "人均纯收入低于监测线×边缘系数",
    "below_floor": "人均纯收入低于 1 万元",
    "income_drop": "人均纯收入较上年下降",
    "medical": "合规自付支出超过预警线",
    "lifted_below_line": "脱贫户收入低于监测线且未纳入监测",
    "no_labour": "家庭成员均无劳动能力且未标注兜底保障",
}
