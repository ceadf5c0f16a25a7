"""Findings across months: recurrence links instead of duplicates, 不属实 not raised again unless the figures
change, the comparison with the previous month, re-running a month, and the deadline carried over."""

import datetime

import pytest

from shoudi.matching import services
from shoudi.matching.models import Finding, MatchRun
from shoudi.matching.selectors import pending_findings
from shoudi.matching.testing import findings_of, run_list
from shoudi.registry.testing import make_household, make_member

pytestmark = pytest.mark.django_db

HEADERS = ["姓名", "证件号码", "合规自付费用"]


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "files"


@pytest.fixture
def people(world):
    home = make_household(world.village_a, household_no="R1", head="甲", household_type="脱贫户")
    p = {
        "absent": make_member(home, name="乙", relation="配偶", male=False),
        "costly": make_member(home, name="丙"),
        "disputed": make_member(home, name="丁"),
        "fixed": make_member(home, name="戊"),
        "head": home.members.get(relation="户主"),
    }
    return p


def month(tmp_path, world, period, rows):
    return run_list(
        tmp_path, "medical_insurance", HEADERS, rows, period=period, user=world.admin, name=f"{period}.xlsx"
    )


def rows_of(p, **costs):
    """Everybody on the list but 乙 (not insured), with the given costs."""
    names = {"head": "甲", "costly": "丙", "disputed": "丁", "fixed": "戊"}
    return [[names[k], p[k].id_number, costs.get(k, "100")] for k in names if costs.get(k) != "absent"]


def one(run, person, rule):
    return Finding.objects.get(run=run, id_number=person.id_number, rule=rule)


def test_recurring_findings_link_to_the_earlier_one(world, tmp_path, people):
    p = people
    april = month(tmp_path, world, "2025-04", rows_of(p, costly="12000"))
    assert findings_of(april) == {("not_insured", p["absent"].id_number), ("high_medical", p["costly"].id_number)}
    may = month(tmp_path, world, "2025-05", rows_of(p, costly="12500"))
    first, again = one(april, p["costly"], "high_medical"), one(may, p["costly"], "high_medical")
    assert again.previous == first and again.status == "待核实"
    assert again.due_on == first.due_on  # the deadline is not reset by recurring
    first.refresh_from_db()
    assert not first.is_current and again.is_current
    # the village sees one current finding per person and rule, not one per month
    current = Finding.objects.current().filter(id_number=p["costly"].id_number, rule="high_medical")
    assert list(current) == [again]
    assert may.previous_run == april
    assert may.summary["recurring"] == 2 and may.summary["new"] == 0 and may.summary["resolved"] == 0
    assert may.counts["high_medical"]["recurring"] == 1


def test_rejected_finding_is_not_raised_again_unless_the_figures_change(world, tmp_path, people):
    p = people
    april = month(tmp_path, world, "2025-04", rows_of(p, disputed="15000"))
    services.verify_finding(
        finding=one(april, p["disputed"], "high_medical"),
        user=world.officer_a,
        confirmed=False,
        note="已报销，实际自付不足一千元",
    )
    services.verify_finding(
        finding=one(april, p["absent"], "not_insured"), user=world.officer_a, confirmed=False, note="在外省参加职工医保"
    )
    may = month(tmp_path, world, "2025-05", rows_of(p, disputed="15000"))
    quiet = one(may, p["disputed"], "high_medical")
    assert quiet.status == "不属实" and quiet.note == "已报销，实际自付不足一千元"
    assert quiet.verified_by == world.officer_a
    assert one(may, p["absent"], "not_insured").status == "不属实"
    assert may.summary["pending"] == 0 and may.counts["high_medical"]["suppressed"] == 1
    assert not pending_findings(world.officer_a).exists()  # nothing for the village to do again
    june = month(tmp_path, world, "2025-06", rows_of(p, disputed="18000"))
    raised = one(june, p["disputed"], "high_medical")
    assert raised.status == "待核实" and raised.previous == quiet and raised.verified_by is None
    assert raised.due_on > datetime.date(2000, 1, 1)
    assert dict(raised.figure_pairs)["合规自付费用"] == "18000.00"
    assert one(june, p["absent"], "not_insured").status == "不属实"  # still absent, same figures


def test_confirmed_finding_keeps_its_verification_and_a_handled_one_comes_back(world, tmp_path, people):
    p = people
    april = month(tmp_path, world, "2025-04", rows_of(p, costly="12000"))
    services.verify_finding(
        finding=one(april, p["costly"], "high_medical"), user=world.officer_a, confirmed=True, note="住院两次"
    )
    absent = services.verify_finding(
        finding=one(april, p["absent"], "not_insured"), user=world.officer_a, confirmed=True
    )
    services.resolve_finding(finding=absent, user=world.officer_a, action="registry", note="已协助参保，系统已更正")
    may = month(tmp_path, world, "2025-05", rows_of(p, costly="12000"))
    carried = one(may, p["costly"], "high_medical")
    assert carried.status == "属实" and carried.note == "住院两次" and carried.verified_by == world.officer_a
    back = one(may, p["absent"], "not_insured")  # handled, yet still not on the enrolment list: verify again
    assert back.status == "待核实" and back.previous_id == absent.pk


def test_comparison_with_the_previous_month(world, tmp_path, people):
    p = people
    april = month(tmp_path, world, "2025-04", rows_of(p, costly="12000", fixed="absent"))
    assert findings_of(april) == {
        ("not_insured", p["absent"].id_number),
        ("not_insured", p["fixed"].id_number),
        ("high_medical", p["costly"].id_number),
    }
    may = month(tmp_path, world, "2025-05", rows_of(p, costly="12000", disputed="30000"))
    # 戊 is insured now (resolved); 丁's cost is new; 乙 and 丙 recur
    assert may.summary["new"] == 1 and may.summary["recurring"] == 2 and may.summary["resolved"] == 1
    # the summary adds up the counts per rule; counted again from the findings, the comparison is the same
    assert services.compare_runs(may) == {"new": 1, "recurring": 2, "resolved": 1}
    assert may.summary["pending"] == 3 == Finding.objects.filter(run=may, status="待核实").count()
    assert set(services.resolved_findings(may).values_list("id_number", flat=True)) == {p["fixed"].id_number}
    assert may.counts["not_insured"]["resolved"] == 1 and may.counts["high_medical"]["pending"] == 2


def test_rerunning_a_month_replaces_its_untouched_findings(world, tmp_path, people):
    p = people
    april = month(tmp_path, world, "2025-04", rows_of(p, costly="12000"))
    first = month(tmp_path, world, "2025-05", rows_of(p, costly="12000", disputed="25000"))
    services.verify_finding(finding=one(first, p["costly"], "high_medical"), user=world.officer_a, confirmed=True)
    # the corrected list: 丁's cost was a typo
    second = month(tmp_path, world, "2025-05", rows_of(p, costly="12000"))
    first.refresh_from_db()
    assert first.status == "superseded" and second.status == "succeeded"
    assert second.summary["withdrawn"] == 1
    assert not Finding.objects.filter(run=first, id_number=p["disputed"].id_number).exists()
    kept = one(second, p["costly"], "high_medical")
    assert kept.status == "属实" and kept.previous.run == first  # the verification survives the re-run
    assert second.previous_run == april
    current = Finding.objects.current().values_list("rule", "id_number")
    assert sorted(current) == sorted([("high_medical", p["costly"].id_number), ("not_insured", p["absent"].id_number)])


def test_an_earlier_month_cannot_follow_a_later_one(world, tmp_path, people):
    p = people
    month(tmp_path, world, "2025-05", rows_of(p))
    with pytest.raises(services.RunRefused, match="不能再比对更早的 2025-04"):
        month(tmp_path, world, "2025-04", rows_of(p))
    assert MatchRun.objects.count() == 1
