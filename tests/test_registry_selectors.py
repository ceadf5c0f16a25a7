"""零就业家庭, the one definition the employment worklist and the resettlement rule share: a household with a member
who can work and nobody employed (a 公益性岗位 counts as employment; the dead and the moved-out do not count)."""

from shoudi.registry.selectors import zero_employment
from shoudi.registry.testing import make_household, make_member


def _household(village, no, *members):
    household = make_household(village, household_no=no)
    for i, fields in enumerate(members):
        make_member(household, name=f"成员{no}{i}", birth=f"1980010{i + 1}", **fields)
    return household


def test_zero_employment_households_are_those_with_labour_and_nobody_working(world):
    v = world.village_a
    idle = _household(v, "Z1", {"labour_skill": "普通劳动力", "employed": False}, {"labour_skill": "无劳动力"})
    _household(v, "Z2", {"labour_skill": "普通劳动力", "employed": True})
    _household(v, "Z3", {"labour_skill": "普通劳动力", "public_welfare_job": "护林员"})
    _household(v, "Z4", {"labour_skill": "丧失劳动力"}, {"labour_skill": ""})
    # the one who worked has died: the household has labour and nobody working now
    dead_worker = {"labour_skill": "普通劳动力", "employed": True, "status": "死亡"}
    gone = _household(v, "Z5", {"labour_skill": "技能劳动力"}, dead_worker)
    assert sorted(zero_employment().values_list("household_no", flat=True)) == [idle.household_no, gone.household_no]
    assert list(zero_employment(idle.__class__.objects.filter(household_no="Z1"))) == [idle]
