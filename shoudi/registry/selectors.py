"""Reads of the registry that several apps share, so that one definition answers everywhere."""

from __future__ import annotations

from django.db.models import Exists, OuterRef, Q, QuerySet

from .choices import NO_LABOUR
from .models import Household, Member

__all__ = ["LABOUR", "WORKING", "zero_employment"]

# a member of the household as it is now (not 死亡 or 迁出) who can work: 劳动技能 given and not 无/丧失劳动力
LABOUR = Q(status="正常") & ~Q(labour_skill="") & ~Q(labour_skill__in=NO_LABOUR)
# employed: 已务工, or holding a 公益性岗位
WORKING = Q(status="正常") & (Q(employed=True) | ~Q(public_welfare_job=""))


def zero_employment(households: QuerySet[Household] | None = None) -> QuerySet[Household]:
    """零就业家庭 (S001 11, S004 (十一)): households with at least one member of labour and none employed.

    One set-based query (two EXISTS), shared by the employment worklist, the resettlement quality rule and their
    dashboard cards, so that their counts agree."""
    households = Household.objects.all() if households is None else households
    members = Member.objects.filter(household=OuterRef("pk"))
    return households.filter(Exists(members.filter(LABOUR))).exclude(Exists(members.filter(WORKING)))
