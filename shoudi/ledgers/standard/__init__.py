"""The standard ledgers: the items of S000 附件1/2 (乡镇、村级内业资料清单) that Shoudi's data supports, one module per
group of ledgers (projects.py: the 衔接资金 and asset ledgers of S000 附件2 三.6). ``DEFINITIONS`` lists them in the
order the ledger centre shows them; ``ledgers.wiring`` registers them at start-up."""

from __future__ import annotations

from . import (
    campaigns,
    cases,
    employment,
    estimates,
    guarantees,
    income,
    lowincome,
    notices,
    problems,
    projects,
    resettlement,
    sectors,
    support,
    tasks,
    teams,
)

__all__ = ["DEFINITIONS"]

DEFINITIONS = (
    *cases.DEFINITIONS,
    *notices.DEFINITIONS,
    *guarantees.DEFINITIONS,
    *support.DEFINITIONS,
    *resettlement.DEFINITIONS,
    *income.DEFINITIONS,
    *estimates.DEFINITIONS,
    *problems.DEFINITIONS,
    *campaigns.DEFINITIONS,
    *tasks.DEFINITIONS,
    *teams.DEFINITIONS,
    *projects.DEFINITIONS,
    *lowincome.DEFINITIONS,
    *sectors.DEFINITIONS,
    *employment.DEFINITIONS,
)
