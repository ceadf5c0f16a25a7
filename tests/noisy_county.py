"""A noisy twin of a clean county file: the noise of real exports (DOMAIN.md §8) in code-table and 是否 columns.

``noisy_twin(rows, seed)`` copies the clean rows and rewrites cells of those columns, each one way:

- spaces before or after (" 九年级", "九年级　"), full-width letters, digits and brackets ("（０１）");
- the national code ("01"), the standard name ("肢体" for 残疾类别 4), a synonym of the table ("身份证", "普通劳动");
- 是/否 written as Y/N, 有/无, √/×, 1/0, TRUE/FALSE, or upper case;
- a value no table knows ("九年级（待核实）"): kept as written, or blank in a 是否 column, and listed.

Each rewritten cell comes with what the import must make of it (``Noise.expect``): ``same`` (the clean twin's stored
value) or ``unknown`` (kept as written, or blank, with an unknown-value warning). Never a refusal.
"""

from __future__ import annotations

import random
from dataclasses import dataclass

from shoudi.core.cells import NO_WORDS, YES_WORDS
from shoudi.registry.models import Household, Member
from shoudi.registry.national import COLUMNS, Column
from shoudi.registry.vocabularies import BY_TARGET, VOCABULARIES

TABLES = {v.key: v for v in VOCABULARIES}


def _is_field(column: Column) -> bool:
    """A column stored in a field of its own (the 是否 guarantee columns of a household are read into others)."""
    model = Member if column.section == "member" else Household
    return column.key in {f.name for f in model._meta.get_fields()}


# the columns rewritten: every code-table column of a member or household (性别 is derived from the ID number), and
# every 是否 column
NOISY_COLUMNS = tuple(
    c
    for c in COLUMNS
    if c.section in ("member", "household")
    and c.target != "member.gender"
    and (c.target in BY_TARGET or c.kind == "bool")
    and _is_field(c)
)
KINDS = ("spaces", "full_width", "code", "name", "synonym", "yes_no_word", "unknown")


@dataclass(frozen=True)
class Noise:
    row: int  # index into the rows
    header: str
    clean: object
    noisy: object
    kind: str
    expect: str  # "same" or "unknown"


def full_width(text: str) -> str:
    """ASCII letters, digits and brackets as their full-width forms (NFKC folds them back)."""
    return "".join(chr(ord(ch) + 0xFEE0) if "!" <= ch <= "~" else ch for ch in text)


def spaced(text: str, rng: random.Random) -> str:
    return rng.choice((f" {text}", f"{text} ", f"  {text}\u3000", f"\t{text}"))


def _yes_no(clean: str, rng: random.Random) -> str:
    words = YES_WORDS if clean == "是" else NO_WORDS
    word = rng.choice(sorted(words))
    return rng.choice((word, word.upper(), full_width(word)))


def _rewrite(column: Column, clean, rng: random.Random) -> tuple[str, object, str] | None:
    """(kind, noisy text, expectation) for one clean cell, or None when no noise applies."""
    text = "" if clean in (None, "") else str(clean)
    if column.kind == "bool":
        if text not in ("是", "否"):
            return None
        if rng.random() < 0.1:
            return "unknown", "不详", "unknown"
        return "yes_no_word", _yes_no(text, rng), "same"
    table = TABLES[BY_TARGET[column.target]]
    if not text:
        return None
    parts = [p for p in text.split(",") if p] if table.multiple else [text]
    terms = [table.term(p) for p in parts]
    if any(t is None for t in terms):
        return None  # a clean value outside the table: not a twin to compare with
    kind = rng.choice(("spaces", "full_width", "code", "name", "synonym", "unknown"))
    if kind == "unknown":
        if column.target == "member.relation" and "户主" in parts:
            kind = "synonym"  # an unknown 与户主关系 of the head refuses the household: not noise, bad input
        else:
            return "unknown", f"{parts[0]}（待核实）", "unknown"
    spellings = []
    for term in terms:
        options = {
            "code": [term.code],
            "name": [term.name],
            "synonym": list(term.synonyms),
            "spaces": [spaced(term.value, rng)],
            "full_width": [full_width(term.value)],
        }[kind]
        options = [o for o in options if o]
        spellings.append(rng.choice(options) if options else term.value)
    return kind, "、".join(spellings) if table.multiple and len(spellings) > 1 else spellings[0], "same"


def noisy_twin(rows: list[dict], seed: int = 1, share: float = 0.6) -> tuple[list[dict], list[Noise]]:
    """The rows with ``share`` of their code-table and 是否 cells rewritten, and what each rewrite must import as.

    A household's columns repeat on each of its rows: they are rewritten the same way on every row of the household.
    """
    rng = random.Random(seed)  # test data, reproducible
    noisy = [dict(r) for r in rows]
    noises: list[Noise] = []
    household_noise: dict[tuple[str, str], tuple[str, object, str] | None] = {}
    for index, row in enumerate(noisy):
        for column in NOISY_COLUMNS:
            clean = row.get(column.header)
            if column.section == "household":
                key = (row["户编号"], column.header)
                if key not in household_noise:
                    household_noise[key] = _rewrite(column, clean, rng) if rng.random() < share else None
                change = household_noise[key]
            else:
                change = _rewrite(column, clean, rng) if rng.random() < share else None
            if change is None:
                continue
            kind, text, expect = change
            row[column.header] = text
            noises.append(Noise(index, column.header, clean, text, kind, expect))
    return noisy, noises
