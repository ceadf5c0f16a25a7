"""``{{ amount|yuan }}``: an amount in 元 with thousands separators and two decimals, as the steps and ledgers write it
(the locale's grouping of zh-hans is not the finance offices' 1,234,567.89)."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

from django import template

register = template.Library()


@register.filter
def yuan(value) -> str:
    if value is None or value == "":
        return ""
    try:
        return f"{Decimal(str(value)):,.2f}"
    except InvalidOperation:
        return str(value)
