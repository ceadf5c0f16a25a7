"""The code tables of the employment app: the 务工 types a verification records, the two groups of a round and the
states of a round."""

from __future__ import annotations

__all__ = [
    "CREATING",
    "GROUPS",
    "OPEN_STATES",
    "OVER_60",
    "ROUND_STATES",
    "STARTED",
    "WITHDRAWN",
    "WORKING_AGE",
    "WORK_TYPES",
]

WORK_TYPES = [
    (v, v) for v in ("县内务工", "县外省内务工", "省外务工", "公益性岗位", "帮扶车间", "自主创业", "灵活就业", "其他")
]

# S004 (十)五: 16–60 周岁 verified in 人社's system, over 60 in the national system (their 务工 only)
WORKING_AGE, OVER_60 = "16-60", "60+"
GROUPS = [(WORKING_AGE, "16—60周岁"), (OVER_60, "60周岁以上（已登记务工）")]

# a confirmed round is CREATING while the worker writes its rows (services.fill_round), then STARTED: only then may
# the villages verify; a round not withdrawn (OPEN_STATES) is the county's one round of the year
CREATING, STARTED, WITHDRAWN = "creating", "started", "withdrawn"
ROUND_STATES = [(CREATING, "正在生成名单"), (STARTED, "核实中"), (WITHDRAWN, "已撤回")]
OPEN_STATES = (CREATING, STARTED)
