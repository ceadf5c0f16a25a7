"""Synonyms a county admin adds to a code table (码表) on its page or from an import's list of unknown values.

Keyword-only and atomic; the change log records each one (``Synonym`` is change-logged). A synonym belongs to the
adder's county and serves that county's imports; one added without a region (the operator) serves every county.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction

from .cells import cell_text, fold
from .models import Synonym
from .scope import user_can
from .vocabulary import Vocabulary, vocabulary

__all__ = ["add_synonym", "county_of", "remove_synonym"]

MAX_TEXT = Synonym._meta.get_field("text").max_length


def county_of(user) -> str:
    """The county code of the user's region ("" for the operator, who has none): where his synonyms apply."""
    region = getattr(user, "region", None)
    return region.code[:6] if region is not None else ""


def _vocabulary(key: str) -> Vocabulary:
    try:
        return vocabulary(key)
    except KeyError:
        raise ValidationError(f"没有名为“{key}”的码表") from None


@transaction.atomic
def add_synonym(*, user, vocabulary: str, text: str, value: str) -> Synonym:
    """Let ``text`` mean the term ``value`` of the code table ``vocabulary`` in the user's county.

    Refused: a role that may not, a value the table lacks, a blank or overlong text, and a text that already means
    something in the table (a synonym never changes what an existing spelling means).
    """
    if not user_can(user, Synonym, "add"):
        raise PermissionDenied("您的角色不能维护码表")
    table = _vocabulary(vocabulary)
    term = table.term(value)
    if term is None:
        raise ValidationError(f"“{value}”不是{table.title}码表中的值")
    text = cell_text(text)
    if not fold(text):
        raise ValidationError("请填写要添加的写法")
    if len(text) > MAX_TEXT:
        raise ValidationError(f"写法不能超过 {MAX_TEXT} 个字")
    county = county_of(user)
    means = table.reader(table.table(county))(text)
    if means == term.value:
        raise ValidationError(f"“{text}”已表示{table.title}“{term.label}”，无需添加")
    if means is not None:
        raise ValidationError(f"“{text}”在{table.title}码表中已表示“{table.name_of(means)}”，不能再对应“{term.label}”")
    return Synonym.objects.create(
        region_code=county, vocabulary=table.key, text=text, folded=fold(text), value=term.value, created_by=user
    )


@transaction.atomic
def remove_synonym(*, user, synonym: Synonym) -> None:
    """Remove a synonym of the user's county; files already imported keep the values they were read with."""
    if not Synonym.objects.restrict(user, "delete").filter(pk=synonym.pk).exists():
        raise PermissionDenied("您不能删除这条同义词")
    synonym.delete()
