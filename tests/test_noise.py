"""Noise tolerance, proven on a generated corpus (issue 13, item 5): every noisy value of a code-table or 是否 column
imports as its clean twin, or is kept as written (blank in a 是否 column) with a warning. None is refused."""

from __future__ import annotations

import random

from hypothesis import given, settings
from hypothesis import strategies as st

from shoudi.core.cells import cell_text
from shoudi.core.context import acting_as
from shoudi.core.vocabulary import Tables
from shoudi.registry.importing import commit_household_import
from shoudi.registry.importing.converters import INVALID, UnreadYesNo, converter
from shoudi.registry.models import Household, Member
from shoudi.registry.national import COLUMNS, write_national_xlsx
from shoudi.registry.synthetic import generate_rows
from shoudi.registry.vocabularies import BY_TARGET, VOCABULARIES

from .noisy_county import KINDS, NOISY_COLUMNS, TABLES, _rewrite, noisy_twin

TITLE, DETAILS = "测试县2025年度防返贫监测农户信息", "导出时间：2026-01-15 10:20:30"
BY_HEADER = {c.header: c for c in COLUMNS}


def commit(path):
    with acting_as(None, source="cli"):
        return commit_household_import(path)


def stored(column, row: dict):
    section, _, field = column.target.partition(".")
    if section == "member":
        return Member.objects.filter(id_number=row["证件号码"]).values_list(field, flat=True).get()
    return Household.objects.filter(household_no=row["户编号"]).values_list(field, flat=True).get()


def blank_of(column):
    """A 是否 cell imported blank: None, or 否 in a field that cannot be blank (是否易地扶贫搬迁户)."""
    model = Member if column.section == "member" else Household
    return None if model._meta.get_field(column.key).null else False


def test_the_noisy_twin_of_a_county_file_imports_as_the_clean_file(world, tmp_path):
    villages = [world.village_a, world.village_a2, world.village_b]
    rows = list(generate_rows(villages, households=60, seed=21, year=2025))
    clean_path = tmp_path / "clean.xlsx"
    write_national_xlsx(clean_path, rows, title=TITLE, details=DETAILS)
    assert commit(clean_path).ok
    noisy, noises = noisy_twin(rows, seed=4)
    assert {n.kind for n in noises} == set(KINDS)  # the corpus holds every kind of noise
    clean_values = {(n.row, n.header): stored(BY_HEADER[n.header], rows[n.row]) for n in noises}
    noisy_path = tmp_path / "noisy.xlsx"
    write_national_xlsx(noisy_path, noisy, title=TITLE, details=DETAILS)

    result = commit(noisy_path)

    assert result.ok and not result.errors and result.totals.households["error"] == 0
    unknown_households = {noisy[n.row]["户编号"] for n in noises if n.expect == "unknown"}
    assert result.totals.households["unchanged"] == len({r["户编号"] for r in rows}) - len(unknown_households)
    listed = {(u.header, u.value) for u in result.unknown_values}
    for n in noises:
        column = BY_HEADER[n.header]
        value = stored(column, noisy[n.row])
        if n.expect == "same":
            assert value == clean_values[(n.row, n.header)], n
        else:
            assert value == (blank_of(column) if column.kind == "bool" else n.noisy), n
            assert (n.header, n.noisy) in listed, n


# --- the same property, cell by cell, over every term of every table ---------------------------------------------

TABLE_COLUMNS = tuple(c for c in COLUMNS if c.target in BY_TARGET and c.target != "member.gender") + tuple(
    c for c in NOISY_COLUMNS if c.kind == "bool"
)


def _tables() -> Tables:
    tables = Tables("520102")
    tables.tables = {v.key: v.spellings() for v in VOCABULARIES}  # the built-in tables: no database needed
    return tables


def _clean_value(column) -> st.SearchStrategy:
    if column.kind == "bool":
        return st.sampled_from(["是", "否"])
    table = TABLES[BY_TARGET[column.target]]
    single = st.sampled_from(table.values)
    return st.lists(single, min_size=1, max_size=3, unique=True).map(",".join) if table.multiple else single


@settings(max_examples=400, deadline=None)
@given(data=st.data())
def test_a_noisy_cell_reads_as_its_clean_twin_or_is_kept_as_written(data):
    column = data.draw(st.sampled_from(TABLE_COLUMNS), label="column")
    clean = data.draw(_clean_value(column), label="clean")
    change = _rewrite(column, clean, random.Random(data.draw(st.integers(0, 2**32), label="seed")))
    if change is None:
        return
    kind, noisy, expect = change
    unknown: set[str] = set()
    convert = converter(column, unknown, _tables())
    value, twin = convert(noisy), convert(clean)
    assert value is not INVALID
    if expect == "same":
        assert value == twin and not unknown, (kind, noisy)
    elif column.kind == "bool":
        assert type(value) is UnreadYesNo and unknown == {noisy}
    else:
        assert value == noisy and noisy in unknown


@settings(max_examples=400, deadline=None)
@given(column=st.sampled_from(TABLE_COLUMNS), text=st.text(max_size=40))
def test_any_text_is_a_value_of_the_table_or_kept_as_written(column, text):
    unknown: set[str] = set()
    value = converter(column, unknown, _tables())(text)
    assert value is not INVALID  # never refused
    if column.kind == "bool":
        assert value in (True, False, None) or (type(value) is UnreadYesNo and unknown == {cell_text(text)})
        return
    table = TABLES[BY_TARGET[column.target]]
    known = set(table.values) | {""}
    parts = value.split(",") if table.multiple and value else [value]
    for part in parts:
        assert part in known or part in unknown, (text, value)
