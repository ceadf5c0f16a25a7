"""Choices of the registry's enumerated fields, from their code tables (vocabularies.py): for filters and forms."""

from . import vocabularies as v


def _choices(vocabulary) -> list[tuple[str, str]]:
    return [(t.value, t.label) for t in vocabulary.terms]


HOUSEHOLD_TYPES = _choices(v.HOUSEHOLD_TYPE)
RELATIONS = _choices(v.RELATION)
EDUCATION = _choices(v.EDUCATION)
STUDENT_STATUS = _choices(v.STUDENT_STATUS)
HEALTH = _choices(v.HEALTH)
DISABILITY_CATEGORIES = _choices(v.DISABILITY_CATEGORY)
DISABILITY_GRADES = _choices(v.DISABILITY_GRADE)
LABOUR_SKILLS = _choices(v.LABOUR_SKILL)
NO_LABOUR = ("丧失劳动力", "无劳动力")
POLITICAL = _choices(v.POLITICAL)
DIBAO = _choices(v.DIBAO)
TEKUN = _choices(v.TEKUN)
MEMBER_STATUS = _choices(v.MEMBER_STATUS)
ID_TYPES = _choices(v.ID_TYPE)
