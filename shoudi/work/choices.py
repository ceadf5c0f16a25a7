"""The vocabularies of a problem: where it came from, what it is about, how serious, and its states."""

# the states are the one life cycle's (``lifecycle``), named here for the pages and filters
from .lifecycle import (
    APPLIED,
    CLOSED,
    ISSUED,
    NOT_A_PROBLEM,
    OPEN_STATES,
    OUTCOME_CHOICES,
    RECTIFIED,
    RECTIFYING,
    RUNNING_STATES,
    STATE_CHOICES,
    SUSPENDED,
    UNCLOSED_STATES,
)

__all__ = [
    "APPLIED",
    "CATEGORIES",
    "CATEGORY_CHOICES",
    "CLOSED",
    "DUE_SOON_DAYS",
    "ISSUED",
    "NOT_A_PROBLEM",
    "OPEN_STATES",
    "OUTCOME_CHOICES",
    "RECTIFIED",
    "RECTIFYING",
    "RUNNING_STATES",
    "SEVERITY_CHOICES",
    "SOURCES",
    "SOURCE_CHOICES",
    "STATE_CHOICES",
    "SUSPENDED",
    "UNCLOSED_STATES",
]

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

DUE_SOON_DAYS = 3
