"""A household no data-quality rule fires on (``clean_family``), for tests and the demo to spoil one field at a time.

Ages are counted from today: a pupil is of the age his grade fits in the current school year whatever the date."""

from __future__ import annotations

import datetime
import itertools

from django.utils import timezone

from shoudi.core.dates import SchoolAgeRule, years_before
from shoudi.registry.models import Household, Member
from shoudi.registry.testing import make_id_number

__all__ = ["born_aged", "clean_family", "pupil_birth"]

_numbers = itertools.count(1)


def born_aged(age: int, today: datetime.date | None = None) -> datetime.date:
    """A birthday that makes someone ``age`` full years old today (and for the next weeks)."""
    today = today or timezone.localdate()
    return years_before(today, age) - datetime.timedelta(days=40)


def pupil_birth(school_age: int, today: datetime.date | None = None) -> datetime.date:
    """A birthday that makes a child ``school_age`` on the cut-off day of the current school year."""
    today = today or timezone.localdate()
    return years_before(SchoolAgeRule().cutoff(today), school_age) - datetime.timedelta(days=40)


def _member(household, *, name, relation, born: datetime.date, male: bool, **fields) -> Member:
    values = {
        "ethnicity": "汉族",
        "political_status": "群众",
        "education": "初中",
        "health": "健康",
        "labour_skill": "普通劳动力",
        "resident_medical": True,
        "dibao": "未享受",
        "tekun": "不享受",
        "phone": f"139{next(_numbers):08d}",
    }
    values.update(fields)
    number = values.pop("id_number", None) or make_id_number(born.strftime("%Y%m%d"), male=male)
    return Member.objects.create(household=household, name=name, relation=relation, id_number=number, **values)


def clean_family(village, *, household_no: str | None = None, surname: str = "王", pupil: bool = True, **fields):
    """户主 (45, male), 配偶 (43, female) and, with ``pupil``, a 之子 in 八年级 (13 in this school year): every
    field consistent, a valid 11-digit phone, 家庭人口数 equal to the members. Returns (household, members)."""
    n = next(_numbers)
    household = Household.objects.create(
        household_no=household_no or f"{village.code}{n:05d}",
        village=village,
        household_type=fields.pop("household_type", "一般农户"),
        phone=fields.pop("phone", f"138{n:08d}"),
        size=fields.pop("size", 3 if pupil else 2),
        **fields,
    )
    members = [
        _member(household, name=f"{surname}建国{n}", relation="户主", born=born_aged(45), male=True),
        _member(household, name=f"李秀英{n}", relation="配偶", born=born_aged(43), male=False),
    ]
    if pupil:
        members.append(
            _member(
                household,
                name=f"{surname}小明{n}",
                relation="之子",
                born=pupil_birth(13),
                male=True,
                education="",
                student_status="八年级",
                labour_skill="无劳动力",
                phone="",
            )
        )
    return household, members
