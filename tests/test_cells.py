"""The one cell library every importer reads with: fold, yes/no, year-month, dates, money and GB 11643 numbers."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from stdnum.cn import ric

from shoudi.core.cells import CellError, cell_text, fold, parse_date, parse_money, parse_yearmonth, parse_yes_no
from shoudi.core.idnumbers import IdNumberError, check_character, parse_id_number, validate_id_number


@pytest.mark.parametrize(
    ("written", "folded"),
    [
        ("Ａ１２３", "A123"),  # full-width letters and digits
        (" 脱贫 户\u3000", "脱贫户"),  # spaces of any width, inside too
        ("（一）", "(一)"),  # full-width brackets
        (12.0, "12"),  # a code typed as a number
        (None, ""),
    ],
)
def test_fold(written, folded):
    assert fold(written) == folded


def test_cell_text_keeps_what_was_written():
    assert cell_text(" 张三 ") == "张三"
    assert cell_text(True) == "是"
    assert cell_text(1.5) == "1.5"


@pytest.mark.parametrize(
    ("written", "value"),
    [
        ("是", True),
        ("否", False),
        ("Ｙ", True),
        ("n", False),
        ("√", True),
        ("×", False),
        (1, True),
        ("0", False),
        ("TRUE", True),
        (" 有 ", True),
        ("无", False),
        ("", None),
        (None, None),
        (False, False),
    ],
)
def test_yes_no(written, value):
    assert parse_yes_no(written) is value


def test_yes_no_refuses_anything_else():
    with pytest.raises(CellError, match="不是有效的是/否值"):
        parse_yes_no("也许")


@pytest.mark.parametrize(
    "written",
    [
        "202305",
        "2023-05",
        "2023.05",
        "2023/5",
        "2023年5月",
        "２０２３年５月",
        "20230512",
        "2023-05-12",
        202305,
        datetime.date(2023, 5, 12),
        45058,  # an Excel date serial in May 2023
    ],
)
def test_year_month(written):
    assert parse_yearmonth(written) == datetime.date(2023, 5, 1)


def test_year_month_blank_and_wrong():
    assert parse_yearmonth("") is None
    with pytest.raises(CellError, match="不是有效的年月"):
        parse_yearmonth("2023-13")


@pytest.mark.parametrize(
    "written",
    [
        "2025-05-01",
        "2025/5/1",
        "2025年5月1日",
        "20250501",
        "2025-05-01 08:30",
        datetime.date(2025, 5, 1),
        datetime.datetime(2025, 5, 1, 8, 30),
        45778,
    ],
)
def test_date(written):
    assert parse_date(written) == "2025-05-01"


def test_a_date_that_does_not_exist_is_refused():
    assert parse_date("") is None
    with pytest.raises(CellError, match="不是有效的日期"):
        parse_date("2025-02-30")


@pytest.mark.parametrize(
    ("written", "amount"),
    [
        ("1,234.5元", Decimal("1234.50")),
        (" ¥88 ", Decimal("88.00")),
        (12, Decimal("12.00")),
        ("１２．３４５", Decimal("12.35")),  # full-width, rounded half up to the cent
        (0.1, Decimal("0.10")),
        ("", None),
    ],
)
def test_money(written, amount):
    assert parse_money(written) == amount


def test_money_refuses_text():
    with pytest.raises(CellError, match="应为金额"):
        parse_money("一万二")
    with pytest.raises(CellError, match="不是有效的金额"):
        parse_money("1e12")


def test_gb11643_check_character_agrees_with_the_standard():
    for first17 in ("11010519491231002", "52010219800101003", "52010219800101001", "44030119900307001"):
        assert check_character(first17) == ric.calc_check_digit(first17 + "0")
    assert check_character("11010519491231002") == "X"  # the standard's own example, check character X


def test_an_x_check_character_in_any_case():
    assert parse_id_number("11010519491231002x") == "11010519491231002X"
    assert validate_id_number("11010519491231002X") == "11010519491231002X"


def test_a_number_with_a_bad_birth_date_is_refused():
    number = "11010519490230" + "002"
    number += check_character(number)
    with pytest.raises(IdNumberError, match="出生日期 19490230 不是有效日期"):
        parse_id_number(number)
    assert isinstance(IdNumberError("x"), CellError)  # every importer catches one error type for a cell
