"""Problems in 我的待办 (issue 17 §6): 整改问题已逾期 and 整改期限将至 for the responsible side, 待审核销号 and
待审批延期 for the issuer's level, 逾期升级 for the level above once a problem is N working days overdue; each line's
link lists its rows, and the 待办 badge counts every problem once."""

from __future__ import annotations

import datetime
import re

import pytest
from django.utils import timezone

from shoudi.accounts.testing import make_user
from shoudi.core.workdays import workdays_before, workdays_between
from shoudi.work import selectors, services
from shoudi.work.models import Problem

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("national_calendar")]
D = datetime.date
DAY = datetime.timedelta(days=1)
ROW_COUNT = re.compile(r'id="row-count">(\d+)<')


def _issue(world, title, *, by=None, region=None, issued=None, due, **extra) -> Problem:
    today = timezone.localdate()
    return services.issue_problem(
        user=by or world.admin,
        region=region or world.village_a,
        source="暗访督导",
        category="饮水",
        title=title,
        issued_on=issued or min(today, due) - 30 * DAY,
        due_date=due,
        **extra,
    )


def lines(client) -> dict[str, int]:
    """The lines of the user's own 我的待办, key → count, as the page shows them."""
    page = client.get("/assistance/todo/").content.decode()
    mine = page[page.index('id="worklist"') : page.index('id="worklist-total"')]
    found = re.findall(r'href="([^"]*)" data-key="(\w+)">.*?>(\d+)</span>', mine, re.S)
    return {key: int(n) for _href, key, n in found}


def badge(client) -> int:
    html = client.get("/work/problems/").content.decode()
    return int(re.search(r'id="todo-badge">(\d+)<', html).group(1))


def listed(client, url: str) -> tuple[int, str]:
    html = client.get(url).content.decode()
    return int(ROW_COUNT.search(html).group(1)), html


@pytest.fixture
def problems(world):
    """Village A: one problem overdue, one due in two days, one due next month; one issued by the township and
    applied for 销号; one issued by the county with a 延期申请; one named to another village A user."""
    today = timezone.localdate()
    colleague = make_user("officer_a2", "village_officer", world.village_a, name="甲村副信息员")
    made = {
        "overdue": _issue(world, "逾期未改的问题", due=today - 10 * DAY),
        "soon": _issue(world, "两天后到期的问题", due=today + 2 * DAY),
        "later": _issue(world, "下月到期的问题", due=today + 30 * DAY),
        "applied": _issue(world, "待销号的问题", by=world.reviewer_a, due=today + 30 * DAY),
        "extension": _issue(world, "申请延期的问题", due=today + 20 * DAY),
        "named": _issue(world, "副信息员负责的问题", due=today - 3 * DAY, responsible=colleague),
    }
    services.apply_closure(problem=made["applied"], user=world.officer_a, text="已完成整改")
    services.request_extension(
        problem=made["extension"], user=world.officer_a, until=today + 60 * DAY, reason="雨季施工"
    )
    return made, colleague


def test_each_role_sees_its_own_lines(world, problems, client_for):
    _, colleague = problems
    officer = lines(client_for(world.officer_a))
    assert (officer["problem_overdue"], officer["problem_due_soon"]) == (1, 1)  # not his colleague's problem
    assert (officer["problem_closure"], officer["problem_extension"], officer["problem_escalated"]) == (0, 0, 0)
    assert lines(client_for(colleague))["problem_overdue"] == 2  # his own, and the one nobody is named for
    reviewer = lines(client_for(world.reviewer_a))  # he issued the applied one
    assert (reviewer["problem_closure"], reviewer["problem_extension"], reviewer["problem_overdue"]) == (1, 0, 0)
    assert reviewer["problem_escalated"] == 1  # ten days overdue: village A's township pushes it
    admin = lines(client_for(world.admin))  # the county issued the one with a 延期申请
    assert (admin["problem_closure"], admin["problem_extension"]) == (0, 1)
    assert all(n == 0 for key, n in lines(client_for(world.officer_b)).items() if key.startswith("problem_"))


def test_each_line_links_to_its_rows(world, problems, client_for):
    officer = client_for(world.officer_a)
    count, html = listed(officer, "/work/problems/?todo=problem_overdue")
    assert count == 1 and "逾期未改的问题" in html and "两天后到期的问题" not in html
    count, html = listed(officer, "/work/problems/?todo=problem_due_soon")
    assert count == 1 and "两天后到期的问题" in html and "下月到期的问题" not in html
    count, html = listed(client_for(world.reviewer_a), "/work/problems/?todo=problem_closure")
    assert count == 1 and "待销号的问题" in html
    count, html = listed(client_for(world.admin), "/work/problems/?todo=problem_extension")
    assert count == 1 and "申请延期的问题" in html
    assert listed(client_for(world.admin), "/work/problems/?todo=problem_closure")[0] == 0  # not the county's
    page = client_for(world.officer_a).get("/assistance/todo/").content.decode()
    assert 'href="/work/problems/?todo=problem_overdue" data-key="problem_overdue"' in page


def test_the_badge_counts_each_problem_once(world, problems, client_for):
    officer = client_for(world.officer_a)
    own = lines(officer)
    assert badge(officer) == 2 == sum(own.values())  # overdue + due soon; no household in this world
    reviewer = client_for(world.reviewer_a)
    assert badge(reviewer) == 2 == sum(lines(reviewer).values())  # the applied one, the escalated one
    assert badge(client_for(world.inspector)) == 0  # a read-only role rectifies nothing
    # the home panel's lines agree with the worklist's
    home = client_for(world.officer_a).get("/").content.decode()
    assert "我负责的问题：逾期和即将到期 2 个" in home


def test_a_problem_escalates_after_n_working_days_and_not_before(world):
    # due on 30 September 2026: National Day (1–7 October) is not counted, Saturday 10 October (调休) is
    problem = _issue(world, "国庆前到期的问题", issued=D(2026, 9, 1), due=D(2026, 9, 30))
    township = _issue(world, "乡镇本级的问题", region=world.township_a, issued=D(2026, 9, 1), due=D(2026, 9, 30))
    assert workdays_between(D(2026, 9, 30), D(2026, 10, 12)).days == 4
    assert workdays_between(D(2026, 9, 30), D(2026, 10, 13)).days == 5
    for day in (D(2026, 10, 5), D(2026, 10, 12)):  # five calendar days, four working days: not yet
        assert not selectors.escalated_to(world.reviewer_a, today=day).exists(), day
        assert not selectors.is_escalated(problem, today=day)
    assert list(selectors.escalated_to(world.reviewer_a, today=D(2026, 10, 13))) == [problem]  # village → township
    assert selectors.is_escalated(problem, today=D(2026, 10, 13))
    assert list(selectors.escalated_to(world.admin, today=D(2026, 10, 13))) == [township]  # township → county
    assert not selectors.escalated_to(world.officer_a, today=D(2026, 10, 13)).exists()
    # an approved extension ends it at once (nothing was recorded)
    services.request_extension(problem=problem, user=world.officer_a, until=D(2026, 11, 30), reason="雨季")
    services.decide_extension(problem=problem, user=world.admin, approve=True)
    assert not selectors.escalated_to(world.reviewer_a, today=D(2026, 10, 13)).exists()


def test_the_number_of_working_days_is_configuration(world, settings):
    _issue(world, "国庆前到期的问题", issued=D(2026, 9, 1), due=D(2026, 9, 30))
    settings.SHOUDI_PROBLEM_ESCALATION_WORKDAYS = 2
    assert selectors.escalated_to(world.reviewer_a, today=D(2026, 10, 9)).exists()
    assert not selectors.escalated_to(world.reviewer_a, today=D(2026, 10, 8)).exists()
    settings.SHOUDI_PROBLEM_ESCALATION_WORKDAYS = 0  # never
    assert not selectors.escalated_to(world.reviewer_a, today=D(2027, 1, 1)).exists()


def test_an_escalated_problem_shows_to_the_township_and_says_so(world, client_for):
    today = timezone.localdate()
    n = selectors.escalation_workdays()
    late = _issue(world, "逾期已升级的问题", due=workdays_before(today, n).date)
    _issue(world, "逾期未满期限的问题", due=workdays_before(today, n - 1).date)
    reviewer = client_for(world.reviewer_a)
    assert lines(reviewer)["problem_escalated"] == 1
    count, html = listed(reviewer, "/work/problems/?todo=problem_escalated")
    assert count == 1 and "逾期已升级的问题" in html and "已升级" in html
    count, html = listed(reviewer, "/work/problems/?escalated=true")
    assert count == 1 and "逾期未满期限的问题" not in html
    _, everything = listed(reviewer, "/work/problems/")
    row = everything[everything.index("逾期未满期限的问题") :]
    assert "已升级" not in row[: row.index("</tr>")]
    detail = client_for(world.officer_a).get(f"/work/problems/{late.pk}/").content.decode()
    assert 'id="problem-escalated">已升级<' in detail and "已升级至甲镇督办" in detail
    assert badge(client_for(world.reviewer_a)) == 1  # the escalated one: it is his to push
    assert lines(client_for(world.officer_a))["problem_overdue"] == 2  # still the village's to rectify
