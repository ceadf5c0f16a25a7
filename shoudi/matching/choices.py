"""Matching vocabulary: finding statuses, the actions that close a confirmed finding, run states."""

from shoudi.accounts.roles import DEPARTMENT_CHOICES
from shoudi.work import lifecycle as lc

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
    "STATE_OF",
    "STATUS_OF",
    "WAIVED",
    "WITHDRAWN",
]

DEPARTMENT_LABELS = dict(DEPARTMENT_CHOICES)

# A finding runs on the one problem life cycle (work.lifecycle.FINDINGS): the village verifies it (属实 / 不属实) and
# closes a confirmed one with what was done. Its statuses are the cycle's states in the words a village uses (and the
# words the findings table stores, which the engine's SQL and the dashboards read).
PENDING, CONFIRMED, REJECTED, DONE = "待核实", "属实", "不属实", "已处理"
FINDING_STATUSES = [(v, v) for v in (PENDING, CONFIRMED, REJECTED, DONE)]
STATE_OF = {  # status → (state, outcome) of the one cycle
    PENDING: (lc.ISSUED, ""),
    CONFIRMED: (lc.RECTIFYING, ""),
    REJECTED: (lc.CLOSED, lc.NOT_A_PROBLEM),
    DONE: (lc.CLOSED, lc.RECTIFIED),
}
STATUS_OF = {state: status for status, state in STATE_OF.items()}
OPEN = tuple(s for s, (state, _) in STATE_OF.items() if state in lc.UNCLOSED_STATES)  # still somebody's work
CLOSED = tuple(s for s in STATE_OF if s not in OPEN)
WAIVED = tuple(s for s, (_, outcome) in STATE_OF.items() if s in CLOSED and outcome == lc.NOT_A_PROBLEM)

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
