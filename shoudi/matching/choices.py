"""Matching vocabulary: finding statuses, the actions that close a confirmed finding, run states."""

from shoudi.accounts.roles import DEPARTMENT_CHOICES

__all__ = [
    "ACTIONS",
    "CLOSED",
    "CONFIRMED",
    "DEPARTMENT_LABELS",
    "DONE",
    "FINDING_STATUSES",
    "OPEN",
    "PENDING",
    "PREVIEW",
    "REJECTED",
    "RUN_STATUSES",
    "WITHDRAWN",
]

DEPARTMENT_LABELS = dict(DEPARTMENT_CHOICES)

# The verification flow of a finding: the village checks it (属实 / 不属实); a confirmed one is acted on and closed.
PENDING, CONFIRMED, REJECTED, DONE = "待核实", "属实", "不属实", "已处理"
FINDING_STATUSES = [(v, v) for v in (PENDING, CONFIRMED, REJECTED, DONE)]
OPEN = (PENDING, CONFIRMED)  # still somebody's work
CLOSED = (REJECTED, DONE)

# What was done about a confirmed finding.
CLUE, REGISTRY, MEASURE, PROBLEM = "clue", "registry", "measure", "problem"
ACTIONS = [
    (CLUE, "提出监测线索"),
    (REGISTRY, "已更正系统信息"),
    (MEASURE, "已落实帮扶措施"),
    (PROBLEM, "已登记保障问题"),
]
ACTION_LABELS = dict(ACTIONS)

QUEUED, RUNNING, PREVIEW, SUCCEEDED, FAILED = "queued", "running", "preview", "succeeded", "failed"
SUPERSEDED, WITHDRAWN = "superseded", "withdrawn"
RUN_STATUSES = [
    (QUEUED, "排队中"),
    (RUNNING, "比对中"),
    (PREVIEW, "待确认下发"),
    (SUCCEEDED, "已下发"),
    (FAILED, "失败"),
    (SUPERSEDED, "已被同期重新比对替代"),
    (WITHDRAWN, "已撤回"),
]
