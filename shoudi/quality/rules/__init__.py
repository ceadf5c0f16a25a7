"""The data-quality rules, one module per topic; wiring.py registers each in the core registry (store
``quality_rules``, key: its code). ``all_rules()`` reads them back from there, in code order."""

from __future__ import annotations

from shoudi.core.registry import registry

from . import contact, health, identity, income, labour, monitoring, resettlement, structure, welfare
from .base import SEVERITIES, Rule

__all__ = ["BUILTIN_RULES", "TOPICS", "Rule", "all_rules", "rule_by_code"]

_MODULES = (identity, structure, labour, income, health, welfare, contact, monitoring, resettlement)
BUILTIN_RULES: list[Rule] = sorted((rule for module in _MODULES for rule in module.RULES), key=lambda r: r.code)
TOPICS = [module.TOPIC for module in _MODULES]


def all_rules() -> list[Rule]:
    """The registered rules, by code."""
    return sorted(registry.keyed("quality_rules").values(), key=lambda rule: rule.code)


def rule_by_code(code: str) -> Rule | None:
    return registry.keyed("quality_rules").get(code)


def severity_order(rule: Rule) -> int:
    return SEVERITIES.index(rule.severity)
