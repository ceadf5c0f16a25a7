"""The vocabularies of a problem: where it came from, what it is about, how serious, and its states."""

SOURCES = [
    "考核反馈",
    "暗访督导",
    "审计",
    "12317 热线",
    "信访",
    "自查自纠",
    "专项排查",
    "部门比对",
    "数据质量",
    "走访发现",
]
SOURCE_CHOICES = [(s, s) for s in SOURCES]
CATEGORIES = ["两不愁三保障", "饮水", "收入", "帮扶", "项目资金", "作风", "数据质量", "其他"]
CATEGORY_CHOICES = [(c, c) for c in CATEGORIES]
SEVERITY_CHOICES = [("一般", "一般"), ("较重", "较重"), ("严重", "严重")]

ISSUED, RECTIFYING, APPLIED, CLOSED, SUSPENDED = "issued", "rectifying", "applied", "closed", "suspended"
STATE_CHOICES = [
    (ISSUED, "已下发"),
    (RECTIFYING, "整改中"),
    (APPLIED, "申请销号"),
    (CLOSED, "已销号"),
    (SUSPENDED, "挂起"),
]
OPEN_STATES = (ISSUED, RECTIFYING, APPLIED)  # still the responsible side's or the issuer's work
RUNNING_STATES = (ISSUED, RECTIFYING)  # the due date runs (applied: the issuer's turn; suspended: stopped)
DUE_SOON_DAYS = 3
