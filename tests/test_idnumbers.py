"""Resident ID numbers (GB 11643-1999): normalising, validating, and what the household import makes of them."""

from __future__ import annotations

import datetime
import random

import pytest
from stdnum.cn import ric

from shoudi.core.idnumbers import (
    IdNumberError,
    birth_date_of,
    gender_of,
    normalize_id_number,
    parse_id_number,
    validate_id_number,
)
from shoudi.registry.synthetic import id_number_for

EXAMPLE = "11010519491231002X"  # the standard's own example


def test_the_standards_example_is_valid():
    assert validate_id_number(EXAMPLE) == EXAMPLE
    assert birth_date_of(EXAMPLE) == datetime.date(1949, 12, 31)
    assert gender_of(EXAMPLE) == "女"  # sequence 002: even


@pytest.mark.parametrize(
    "written",
    [
        "11010519491231002x",  # lower-case x
        " 11010519491231002X ",  # spaces around
        "\u300011010519491231002X\u3000",  # full-width spaces
        "１１０１０５１９４９１２３１００２Ｘ",  # full-width digits and letter
        "110105 19491231 002X",  # spaces inside
        "110105491231002",  # the 15-digit legacy number: 19 inserted, check character added
        110105491231002.0,  # … typed into Excel as a number
    ],
)
def test_variants_normalise_to_the_same_number(written):
    assert normalize_id_number(written) == EXAMPLE
    assert validate_id_number(written) == EXAMPLE
    assert parse_id_number(written) == EXAMPLE


@pytest.mark.parametrize(
    ("number", "reason"),
    [
        ("110105194912310021", "校验位错误（应为 X）"),
        ("11010519490231002X", "出生日期 19490231 不是有效日期"),
        ("1101051949123100", "应为 18 位"),
        ("11010519491231002Y", "只能由数字组成"),
        ("", "证件号码为空"),
        ("11010518801231002X", "出生年份 1880 不合理"),
    ],
)
def test_invalid_numbers_say_why(number, reason):
    with pytest.raises(IdNumberError, match=reason):
        validate_id_number(number)
    with pytest.raises(ValueError, match=reason):
        parse_id_number(number)


def test_a_birth_date_in_the_future_is_refused():
    tomorrow = datetime.date.today() + datetime.timedelta(days=1)
    number = id_number_for("520102", tomorrow, 1)
    with pytest.raises(IdNumberError, match="晚于今天"):
        validate_id_number(number)
    with pytest.raises(ValueError, match="晚于今天"):
        parse_id_number(number)
    assert parse_id_number(number, today=tomorrow) == number


def test_gender_follows_the_sequence_digit():
    assert gender_of(id_number_for("520102", datetime.date(1980, 5, 1), 1)) == "男"
    assert gender_of(id_number_for("520102", datetime.date(1980, 5, 1), 2)) == "女"


def _accepted(parse, number) -> bool:
    try:
        return parse(number) == number
    except ValueError:
        return False


def test_the_import_fast_path_agrees_with_the_standard():
    """The import checks the usual 18-character number itself, quickly; it must never disagree with the rules."""
    rng = random.Random(11643)
    for _ in range(3000):
        born = datetime.date(1930, 1, 1) + datetime.timedelta(days=rng.randrange(30000))
        first17 = f"{rng.choice(['520102', '110105', '530102'])}{born:%Y%m%d}{rng.randrange(1000):03d}"
        for check in "0123456789X":
            number = first17 + check
            accepted = _accepted(parse_id_number, number)
            assert accepted == _accepted(validate_id_number, number), number
            assert accepted == (ric.calc_check_digit(first17 + "0") == check), number  # it skips the last
    for bad_date in ("19490230", "19491301", "00000000", "99991231"):
        assert not _accepted(
            parse_id_number, id_number_for("110105", datetime.date(2000, 1, 1), 2)[:6] + bad_date + "0021"
        )


def test_disability_certificate_numbers_keep_the_id_number():
    assert parse_id_number(EXAMPLE + "42", "残疾人证") == EXAMPLE
    with pytest.raises(ValueError, match="校验位"):
        parse_id_number("110105194912310021" + "42", "残疾人证")


def test_other_documents_are_only_trimmed():
    assert parse_id_number(" ab123 ", "其他") == "AB123"
    with pytest.raises(ValueError, match="超过 18"):
        parse_id_number("A" * 19, "其他")
