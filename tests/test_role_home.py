"""Pages fitted to the role (issue 14, item 9): the home page shows the user's own due items, his households or
villages and his quick actions; the 待办 badge counts only his own work, and agrees with the lines it sums; the menu
leaves out pages his role has no use for."""

from __future__ import annotations

import datetime
import re

import pytest
from django.utils import timezone

from shoudi.accounts.testing import make_user
from shoudi.assistance import services as a
from shoudi.assistance.models import Cadre
from shoudi.monitoring import choices as mc
from shoudi.monitoring.models import MonitoringCase
from shoudi.registry.testing import make_household


def badge(client) -> int:
    html = client.get("/registry/households/").content.decode()
    return int(re.search(r'id="todo-badge">(\d+)<', html).group(1))


def menu_labels(client) -> set[str]:
    html = client.get("/").content.decode()
    start = html.index('id="sd-sidebar"')
    nav = html[start : html.index("</aside>", start)]
    return set(re.findall(r">\s*([^<>\s][^<>]*?)\s*</a>", nav))


@pytest.fixture
def county(world):
    """Village A: a 脱贫户 without a cadre, a monitored household paired with a cadre and not visited, and a case
    waiting at township review."""
    today = timezone.localdate()
    make_household(world.village_a, household_no="A01", head="脱贫户甲", household_type="脱贫户", lifted_year=2018)
    monitored = make_household(world.village_a, household_no="A02", head="监测户乙")
    MonitoringCase.objects.create(
        household=monitored,
        category="边缘易致贫户",
        source="农户自主申报",
        clue_date=today - datetime.timedelta(days=60),
        identified_on=today - datetime.timedelta(days=50),
        step=mc.MONITORING,
    )
    cadre_user = make_user("cadre_a", "cadre", world.village_a, name="帮扶干部甲")
    cadre = Cadre.objects.create(name="帮扶干部甲", unit="县农业农村局", region=world.village_a, user=cadre_user)
    a.pair(household=monitored, cadre=cadre, user=world.officer_a, start_date=today - datetime.timedelta(days=40))
    waiting = make_household(world.village_a, household_no="A03", head="待审户丙")
    MonitoringCase.objects.create(
        household=waiting, source="农户自主申报", clue_date=today - datetime.timedelta(days=3), step=mc.TOWNSHIP_REVIEW
    )
    department = make_user("yibao", "department", world.county, name="医保局", department="medical_insurance")
    return world, cadre_user, department


def test_the_badge_counts_only_the_users_own_work(county, client_for):
    world, cadre_user, department = county
    officer = client_for(world.officer_a)
    # the 脱贫户 without a cadre and the monitored household still without a measure; the cadre's visit is not his
    assert badge(officer) == 2
    page = officer.get("/assistance/todo/").content.decode()
    assert "合计 2 项" in page and 'id="oversight"' in page and "本期应入户走访" in page[page.index('id="oversight"') :]
    reviewer = client_for(world.reviewer_a)
    assert badge(reviewer) == 1  # the case waiting for township review, nothing else
    cadre = client_for(cadre_user)
    assert badge(cadre) >= 1  # his household's visit
    assert badge(client_for(world.inspector)) == 0 and badge(client_for(department)) == 0


def test_the_badge_is_the_sum_of_the_lines_of_my_todo(county, client_for):
    world, cadre_user, _ = county
    client = client_for(cadre_user)
    page = client.get("/assistance/todo/").content.decode()
    mine = page[page.index('id="worklist"') : page.index('id="worklist-total"')]
    top = re.findall(r'class="list-group-item[^"]*"\s+href="[^"]*" data-key="(\w+)">.*?>(\d+)</span>', mine, re.S)
    total = sum(int(n) for _key, n in top)
    assert total == badge(client) and f"合计 {total} 项" in page


def test_the_menu_leaves_out_what_the_role_has_no_use_for(county, client_for):
    world, _, _ = county
    village = menu_labels(client_for(world.officer_a))
    assert "批量审核" not in village and "监测参数" not in village and "帮扶节奏参数" not in village
    assert "监测对象" in village and "走访登记" in village
    assert "批量审核" in menu_labels(client_for(world.reviewer_a))
    assert {"监测参数", "批量审核", "预警筛查"} <= menu_labels(client_for(world.admin))


def test_the_village_officers_home_is_his_work_not_the_menu(county, client_for):
    world, _, _ = county
    html = client_for(world.officer_a).get("/").content.decode()
    todo = html[html.index('id="home-todo"') :]
    assert "未落实帮扶干部" in todo[: todo.index("</div>")]
    assert 'id="my-village"' in html and "本村情况" in html
    quick = html[html.index('id="quick-actions"') : html.index("</nav>", html.index('id="quick-actions"'))]
    assert "走访登记" in quick and "监测对象" in quick and "批量审核" not in quick
    assert "行政区划" not in html[html.index("<main") :]  # no tile per menu entry


def test_the_reviewers_home_names_the_household_and_its_limit(county, client_for):
    world, _, _ = county
    html = client_for(world.reviewer_a).get("/").content.decode()
    due = html[html.index('id="due-cases"') :]
    assert "待审户丙户 · 甲村" in due and "乡镇审核" in due and "识别时限" in due


def test_the_cadres_home_lists_his_households(county, client_for):
    world, cadre_user, _ = county
    html = client_for(cadre_user).get("/").content.decode()
    mine = html[html.index('id="my-households"') :]
    assert "监测户乙户 · 甲村" in mine and "尚未走访" in mine and "脱贫户甲" not in mine


def test_a_read_only_role_has_nothing_of_its_own_to_do(county, client_for):
    world, _, _ = county
    html = client_for(world.inspector).get("/").content.decode()
    assert 'id="home-todo-empty"' in html and "辖区内他人的待办" in html
