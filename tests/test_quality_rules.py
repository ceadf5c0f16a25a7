"""Every data-quality rule: a crafted household (or member, or case) it fires on, and a clean twin it does not.

Each case spoils one field of ``clean_family`` (a household no rule fires on) and keeps a second, unspoilt one (or
one spoilt just short of the rule) beside it; the rule runs over the county and must find exactly the crafted
subjects, with figures that fill its message."""

from __future__ import annotations

import datetime
import re
from decimal import Decimal

import pytest

from shoudi.assistance.models import Measure
from shoudi.core.idnumbers import check_character
from shoudi.monitoring import choices as mc
from shoudi.monitoring.models import MonitoringCase, MonitoringLine
from shoudi.quality.engine import evaluate, params_for
from shoudi.quality.rules import all_rules, rule_by_code
from shoudi.quality.testing import born_aged, clean_family, pupil_birth
from shoudi.registry.models import IncomeRecord, Member
from shoudi.registry.testing import make_id_number, make_income, make_site

YEAR = 2025


def _update(member: Member, **fields) -> int:
    """Change stored fields without the model's save (which derives gender and birth date from the ID)."""
    Member.objects.filter(pk=member.pk).update(**fields)
    return member.pk


def _case(household, *risks, **fields) -> MonitoringCase:
    values = {
        "category": "边缘易致贫户",
        "risk_types": list(risks),
        "identified_on": datetime.date(YEAR, 1, 10),
        "step": mc.MONITORING,
    }
    values.update(fields)
    return MonitoringCase.objects.create(household=household, **values)


def _members(world, **spoil):
    """(the crafted member, its twin): the same member of two clean families, one of them spoilt."""
    _, bad = clean_family(world.village_a)
    _, good = clean_family(world.village_a)
    return bad, good


def _spoil_member(index: int, **fields):
    def build(world):
        bad, good = _members(world)
        return [_update(bad[index], **fields)], [good[index].pk]

    return build


def _spoil_member_twin(index: int, bad_fields: dict, good_fields: dict):
    def build(world):
        bad, good = _members(world)
        return [_update(bad[index], **bad_fields)], [_update(good[index], **good_fields)]

    return build


def _id_with_check(first17: str, *, wrong: bool = False) -> str:
    check = check_character(first17)
    if wrong:
        check = "0" if check != "0" else "1"
    return first17 + check


def duplicate_id(world):
    _, first = clean_family(world.village_a)
    _, second = clean_family(world.village_b)
    _update(second[1], id_number=first[1].id_number)
    _, twin = clean_family(world.village_a)
    return [first[1].pk, second[1].pk], [twin[1].pk]


def out_of_school(world):
    bad_home, _ = clean_family(world.village_a)
    good_home, _ = clean_family(world.village_a)
    born = pupil_birth(10)
    child = {"relation": "之女", "birth_date": born, "student_status": "", "labour_skill": "无劳动力", "education": ""}
    bad = Member.objects.create(
        household=bad_home, name="失学儿童", id_number=make_id_number(born.strftime("%Y%m%d"), male=False), **child
    )
    good = Member.objects.create(
        household=good_home,
        name="因病休学儿童",
        id_number=make_id_number(born.strftime("%Y%m%d"), male=False),
        out_of_school_reason="因病",
        **child,
    )
    for member in (bad, good):
        Member.objects.filter(pk=member.pk).update(birth_date=born)
    return [bad.pk], [good.pk]


def _households(world, spoil, twin=None):
    """(crafted households, twins): ``spoil(household, members)`` on one clean family, ``twin`` on the other."""
    bad, bad_members = clean_family(world.village_a)
    good, good_members = clean_family(world.village_a)
    spoil(bad, bad_members)
    if twin is not None:
        twin(good, good_members)
    return [bad.pk], [good.pk]


def _with_line(world):
    MonitoringLine.objects.create(region=world.county, year=YEAR, amount=Decimal("8000"))


def _income(household, per_capita, *, year=YEAR, size=3, **amounts):
    amounts.setdefault("wage", per_capita * size)
    return make_income(household, year, size=size, **amounts)


def head_count(world):
    return _households(world, lambda h, m: _update(m[0], relation="之子"))


def same_sex(world):
    return _households(world, lambda h, m: _update(m[1], gender="男"))


def two_spouses(world):
    def spoil(household, members):
        Member.objects.create(household=household, name="二配偶", relation="配偶", id_number=make_id_number("19800101"))
        household.size = 4
        household.save()

    return _households(world, spoil)


def size_differs(world):
    def spoil(household, members):
        household.size = 5
        household.save()

    return _households(world, spoil)


def child_older(world):
    return _households(world, lambda h, m: _update(m[2], birth_date=datetime.date(1950, 1, 1)))


def parent_younger(world):
    def add_father(born):
        def add(household, members):
            Member.objects.create(
                household=household, name="父亲", relation="之父", id_number=make_id_number(born.strftime("%Y%m%d"))
            )
            household.size = 4
            household.save()

        return add

    return _households(world, add_father(born_aged(30)), add_father(born_aged(70)))


def net_formula(world):
    def income(household, net):
        record = _income(household, 10000)
        IncomeRecord.objects.filter(pk=record.pk).update(net_income=net)

    return _households(world, lambda h, m: income(h, Decimal("29000")), lambda h, m: income(h, Decimal("30000.50")))


def per_capita_formula(world):
    def income(household, per_capita):
        record = _income(household, 10000)
        IncomeRecord.objects.filter(pk=record.pk).update(per_capita=per_capita)

    return _households(world, lambda h, m: income(h, Decimal("9000")), lambda h, m: income(h, Decimal("10000.20")))


def no_wage(world):
    def spoil(household, members):
        _income(household, 10000, wage=0, business=30000)
        _update(members[0], employed=True, work_months=10)

    def twin(household, members):
        _income(household, 10000, wage=0, business=30000)  # nobody works: no wage is no contradiction

    return _households(world, spoil, twin)


def income_drop(world):
    def drop(share):
        def spoil(household, members):
            _income(household, 20000, year=YEAR - 1)
            _income(household, int(20000 * share))

        return spoil

    return _households(world, drop(Decimal("0.5")), drop(Decimal("0.9")))


def lifted_below_line(world):
    _with_line(world)

    def lifted(per_capita):
        def spoil(household, members):
            household.household_type = "脱贫户"
            household.save()
            _income(household, per_capita)

        return spoil

    return _households(world, lifted(5000), lifted(9000))


def eliminated_below_line(world):
    _with_line(world)

    def eliminated(per_capita):
        def spoil(household, members):
            _income(household, per_capita)
            _case(
                household,
                "因病",
                identified_on=datetime.date(YEAR - 1, 3, 1),
                eliminated_on=datetime.date(YEAR, 6, 1),
                step=mc.ELIMINATED,
                chain=mc.ELIMINATION,
                is_open=False,
            )

        return spoil

    bad, good = _households(world, eliminated(6000), eliminated(9000))
    return (
        [MonitoringCase.objects.get(household_id=bad[0]).pk],
        [MonitoringCase.objects.get(household_id=good[0]).pk],
    )


def eliminated_too_soon(world):
    def eliminated(on):
        def spoil(household, members):
            _case(
                household,
                "因病",
                identified_on=datetime.date(YEAR, 1, 10),
                eliminated_on=on,
                step=mc.ELIMINATED,
                chain=mc.ELIMINATION,
                is_open=False,
            )

        return spoil

    bad, good = _households(world, eliminated(datetime.date(YEAR, 3, 9)), eliminated(datetime.date(YEAR, 4, 10)))
    return (
        [MonitoringCase.objects.get(household_id=bad[0]).pk],
        [MonitoringCase.objects.get(household_id=good[0]).pk],
    )


def risk_without(risk: str, *, twin_fields: dict, index: int = 0):
    return lambda world: _households(
        world,
        lambda h, m: _case(h, risk),
        lambda h, m: (_case(h, risk), _update(m[index], **twin_fields)),
    )


def lacks_labour(world):
    return _households(
        world,
        lambda h, m: _case(h, "缺劳动力"),
        lambda h, m: (_case(h, "缺劳动力"), _update(m[1], labour_skill="弱劳动力或半劳动力")),
    )


def welfare_measure(sub_item: str, member_field: str, value: str):
    def measure(household):
        Measure.objects.create(
            household=household, category="综合保障", sub_item=sub_item, content=sub_item, status="已落实"
        )

    return lambda world: _households(
        world,
        lambda h, m: measure(h),
        lambda h, m: (measure(h), _update(m[1], **{member_field: value})),
    )


def dibao_unmonitored(world):
    def lifted(household, members):
        household.household_type = "脱贫户"
        household.save()
        _update(members[1], dibao="农村低保")

    return _households(world, lambda h, m: _update(m[1], dibao="农村低保"), lifted)


def household_phone(world):
    def phone(value):
        def spoil(household, members):
            household.phone = value
            household.save()

        return spoil

    return _households(world, phone("0851-1234"), phone("13812345678"))


def shared_phone(world):
    first, _ = clean_family(world.village_a, surname="王", phone="13800000001")
    second, _ = clean_family(world.village_b, surname="赵", phone="13800000001")
    third, _ = clean_family(world.village_a, surname="王", phone="13800000002")
    fourth, _ = clean_family(world.village_a, surname="王", phone="13800000002")  # a split family: same surname
    return [first.pk, second.pk], [third.pk, fourth.pk]


def resettled_unemployed(world):
    """Two families at a site, nobody employed in one, a 公益性岗位 in the other; a third family with nobody
    employed is not resettled."""
    site = make_site(world.village_a)
    bad, _ = clean_family(world.village_a, relocated=True, resettlement_site=site)
    working, members = clean_family(world.village_b, relocated=True, resettlement_site=site)
    _update(members[1], public_welfare_job="保洁员")
    unlinked, _ = clean_family(world.village_a, relocated=True)
    return [bad.pk], [working.pk, unlinked.pk]


CASES = {
    "1_01_010": _spoil_member(0, id_number="52010219800101", birth_date=None),
    "1_01_020": lambda world: (
        lambda bad, good: ([_update(bad[0], id_number=_id_with_check(bad[0].id_number[:17], wrong=True))], [good[0].pk])
    )(*_members(world)),
    "1_01_030": _spoil_member(1, id_number=_id_with_check("52010219801340002"), birth_date=None),
    "1_01_040": _spoil_member(1, id_number="000000000000000000"),
    "1_01_050": duplicate_id,
    "1_02_010": _spoil_member(1, student_status="小学"),
    "2_01_010": head_count,
    "2_01_020": same_sex,
    "2_01_030": two_spouses,
    "2_01_040": size_differs,
    "2_02_010": child_older,
    "2_02_020": parent_younger,
    "3_01_010": _spoil_member_twin(2, {"employed": True, "work_months": 3}, {"employed": False}),
    "3_01_020": _spoil_member_twin(1, {"labour_skill": "无劳动力"}, {"labour_skill": "无劳动力", "health": "患有大病"}),
    "3_01_030": _spoil_member(2, labour_skill="普通劳动力"),
    "3_02_010": _spoil_member_twin(2, {"student_status": "普通高中一年级"}, {"student_status": "七年级"}),
    "3_02_020": _spoil_member(2, education="小学"),
    "3_02_030": out_of_school,
    "4_01_010": net_formula,
    "4_01_020": per_capita_formula,
    "4_02_010": no_wage,
    "4_03_010": income_drop,
    "4_04_010": lifted_below_line,
    "4_11_010": eliminated_below_line,
    "5_01_010": _spoil_member_twin(
        0,
        {"health": "残疾", "disability_category": "4", "disability_grade": ""},
        {"health": "残疾", "disability_category": "4", "disability_grade": "2"},
    ),
    "5_01_020": _spoil_member_twin(0, {"disability_category": "4"}, {"disability_category": "4", "health": "残疾"}),
    "5_02_010": risk_without("因病", twin_fields={"health": "长期慢性病"}),
    "5_02_020": risk_without("因残", twin_fields={"health": "健康", "disability_category": "2"}),
    "5_03_010": _spoil_member_twin(
        1, {"resident_medical": False, "employee_medical": None}, {"resident_medical": False, "employee_medical": True}
    ),
    "6_01_010": welfare_measure("低保", "dibao", "农村低保"),
    "6_01_020": welfare_measure("特困供养", "tekun", "农村特困"),
    "6_02_010": dibao_unmonitored,
    "7_01_010": household_phone,
    "7_01_020": _spoil_member_twin(0, {"phone": "1391234"}, {"phone": ""}),
    "7_02_010": shared_phone,
    "8_01_010": eliminated_too_soon,
    "8_02_010": lacks_labour,
    "8_02_020": risk_without("因务工就业不稳", twin_fields={"public_welfare_job": "护林员"}),
    "9_01_010": resettled_unemployed,
}


def fired(code: str, region: str = "520102"):
    rule = rule_by_code(code)
    return evaluate(params_for(region[:6]), region, [rule])[code]


def test_every_rule_has_a_case():
    assert sorted(CASES) == [rule.code for rule in all_rules()]


@pytest.mark.parametrize("code", sorted(CASES))
def test_the_rule_fires_on_the_crafted_subject_and_not_its_clean_twin(code, world):
    bad, good = CASES[code](world)
    found = fired(code)
    assert set(found) == set(bad)
    assert not set(found) & set(good)
    rule = rule_by_code(code)
    for item in found.values():
        named = set(re.findall(r"{(.*?)}", rule.message))
        assert named <= set(item.figures), f"{code}: the message names {named - set(item.figures)}"
        assert item.household and item.village


def test_a_clean_family_fires_no_rule(world):
    clean_family(world.village_a)
    household, _ = clean_family(world.village_b, pupil=False, household_type="脱贫户")
    _with_line(world)
    make_income(household, YEAR - 1, size=2, wage=30000)
    make_income(household, YEAR, size=2, wage=32000)
    found = evaluate(params_for("520102"), "520102", all_rules())
    assert {code: list(items) for code, items in found.items() if items} == {}
