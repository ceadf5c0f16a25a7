"""数据看板: every figure of every card equals the count of the list it links to; the pages, the home sections, the
Excel download, the drill-down to a township, scope, and the summary rows kept current by the services."""

from __future__ import annotations

import io
import re

import pytest
from django.core.management import call_command
from django.test import RequestFactory
from django.urls import reverse
from python_calamine import CalamineWorkbook

from shoudi.dashboards.cards import all_cards
from shoudi.dashboards.models import VillageFigure, VillageRefresh
from shoudi.dashboards.refresh import rebuild
from shoudi.dashboards.testing import build_scenario
from shoudi.dashboards.views import cards_for
from shoudi.employment.testing import build_scenario as build_employment_scenario
from shoudi.lowincome.testing import build_scenario as build_lowincome_scenario
from shoudi.matching.testing import health_findings
from shoudi.monitoring import services
from shoudi.monitoring.models import MonitoringCase
from shoudi.projects.testing import build_scenario as build_projects_scenario
from shoudi.sectors.testing import build_scenario as build_sectors_scenario

pytestmark = pytest.mark.django_db

ROW_COUNT = re.compile(r'id="row-count">(\d+)<')


@pytest.fixture
def county(world, national_calendar):
    scenario = build_scenario(world)
    build_projects_scenario(world)  # the cards of projects, funds and assets count live
    build_lowincome_scenario(world)  # and so does the 低收入人口 card
    build_sectors_scenario(world)  # so does the card of 送教上门 and 慢病签约
    health_findings(world)
    build_employment_scenario(world)  # and those of employment
    rebuild()
    return scenario


def _cards(user, region):
    request = RequestFactory().get("/")
    request.user = user
    return cards_for(request, region)


def _check_every_figure(client, user, region) -> dict[str, int]:
    """GET every figure's link as ``user``: the list's count must be the figure; returns the sum per card."""
    client.force_login(user)
    totals, failures = {}, []
    for card, data in _cards(user, region):
        totals[card.key] = 0
        for series in data.series:
            for label, value, link in zip(data.categories, series.values, series.links, strict=True):
                assert link, f"{card.title}·{series.name}·{label}: no link"
                response = client.get(link)
                assert response.status_code == 200, link
                listed = int(ROW_COUNT.search(response.content.decode()).group(1))
                if listed != value:
                    failures.append(f"{card.title}·{series.name}·{label}: {value} on the card, {listed} in {link}")
                totals[card.key] += value
    assert not failures, "\n".join(failures)
    return totals


def test_every_figure_of_every_card_is_the_count_of_its_list(county, world, client):
    totals = _check_every_figure(client, world.admin, world.county)
    computed = {card.key for card in all_cards()}
    assert set(totals) == computed  # every registered card is on the county's dashboard
    assert all(totals[key] > 0 for key in computed), totals  # and each has rows to count


def test_a_townships_figures_are_its_villages_and_equal_its_lists(county, world, client):
    totals = _check_every_figure(client, world.reviewer_a, world.township_a)
    county_totals = dict(_check_every_figure(client, world.admin, world.county))
    assert totals["case_categories"] == 2  # a1 and a2 are monitored in township A; b2 is in B
    assert county_totals["case_categories"] == 3


def test_the_county_dashboard_names_its_townships_and_drills_down(county, world, client):
    client.force_login(world.admin)
    page = client.get(reverse("dashboards:home")).content.decode()
    assert "数据截至" in page and 'id="dashboard-data"' in page
    data = _cards(world.admin, world.county)
    children = next(d for c, d in data if c.key == "children")
    assert children.categories == ["甲镇", "乙镇"]
    assert children.series[0].values == [2, 1]
    township = client.get(children.drill[0])
    assert township.status_code == 200
    assert 'id="board-region">甲镇<' in township.content.decode()


def test_a_region_outside_the_users_is_not_found(county, world, client):
    client.force_login(world.reviewer_a)
    assert client.get(reverse("dashboards:region", args=[world.township_b.pk])).status_code == 404
    assert client.get(reverse("dashboards:region", args=[world.other_county.pk])).status_code == 404
    assert client.get(reverse("dashboards:export", args=[world.township_b.pk])).status_code == 404


def test_the_page_has_no_inline_script_handler_or_style(county, world, client):
    client.force_login(world.admin)
    page = client.get(reverse("dashboards:home")).content.decode()
    board = page[page.index('id="dashboard"') :]
    assert not re.search(r"<script(?![^>]*\bsrc=)(?![^>]*application/json)", board)
    assert not re.search(r"\son[a-z]+=", board)
    assert " style=" not in board


def _sheets(content: bytes) -> dict[str, list[list]]:
    book = CalamineWorkbook.from_filelike(io.BytesIO(content))
    return {name: book.get_sheet_by_name(name).to_python() for name in book.sheet_names}


def test_the_excel_of_a_card_holds_its_table(county, world, client):
    client.force_login(world.admin)
    response = client.get(reverse("dashboards:export", args=[world.county.pk]) + "?card=case_categories")
    assert response.status_code == 200
    (rows,) = _sheets(response.content).values()
    assert rows[2][:2] == ["监测对象类别", "监测对象"]
    table = {row[0]: row[1] for row in rows[3:] if row[0] in ("脱贫不稳定户", "边缘易致贫户", "突发严重困难户")}
    assert table == {"脱贫不稳定户": 1, "边缘易致贫户": 1, "突发严重困难户": 1}
    every = _sheets(client.get(reverse("dashboards:export", args=[world.county.pk])).content)
    assert len(every) == len(_cards(world.admin, world.county))


def test_home_pages_by_role(county, world, client):
    client.force_login(world.admin)
    home = client.get("/").content.decode()
    assert 'id="dashboard"' in home and home.index('id="dashboard"') < home.index('id="todo"')
    client.force_login(world.officer_a)
    home = client.get("/").content.decode()
    assert "本村数据" in home and home.index('id="todo"') < home.index('id="dashboard"')
    assert 'id="board-region">甲村<' in home


def test_a_case_transition_marks_its_village_stale_and_the_worker_computes_it(
    county, world, client, django_capture_on_commit_callbacks
):
    from shoudi.core.nightly import run_frequent_steps

    def figure(bucket):
        row = VillageFigure.objects.filter(village_code=world.village_b.code, card="funnel", bucket=bucket)
        return row.values_list("value", flat=True).first() or 0

    def state():
        return VillageRefresh.objects.get(village_code=world.village_b.code)

    before = state().refreshed_at
    assert figure("identified") == 1 and not state().stale
    case = MonitoringCase.objects.get(household=county["households"]["b1"])
    with django_capture_on_commit_callbacks(execute=True):
        services.reject(case=case, user=world.officer_b, reason="不符合")
    assert state().stale and state().refreshed_at == before  # the request only marked it
    assert not VillageRefresh.objects.get(village_code=world.village_a.code).stale
    with django_capture_on_commit_callbacks(execute=True):
        services.open_clue(household=county["households"]["b1"], user=world.officer_b, source="农户自主申报")
    assert dict(run_frequent_steps())["更新数据看板"] == "更新 1 个行政村"
    assert not state().stale and state().refreshed_at > before
    assert figure("clue") == 4  # b1's first clue, b2, b3 and the new clue


def test_a_villages_own_page_shows_its_change_at_once(county, world, client, django_capture_on_commit_callbacks):
    household = county["households"]["b1"]
    with django_capture_on_commit_callbacks(execute=True):
        services.reject(case=MonitoringCase.objects.get(household=household), user=world.officer_b, reason="不符合")
        services.open_clue(household=household, user=world.officer_b, source="农户自主申报")
    client.force_login(world.officer_b)
    client.get(reverse("dashboards:home"))
    refreshed = VillageRefresh.objects.get(village_code=world.village_b.code)
    assert not refreshed.stale
    assert VillageFigure.objects.get(village_code=world.village_b.code, card="funnel", bucket="clue").value == 4


def test_nothing_is_refreshed_when_the_transition_rolls_back(county, world, django_capture_on_commit_callbacks):
    from django.db import transaction

    with django_capture_on_commit_callbacks() as callbacks, transaction.atomic():
        services.reject(
            case=MonitoringCase.objects.get(household=county["households"]["b1"]), user=world.officer_b, reason="x"
        )
        transaction.set_rollback(True)
    assert callbacks == []


def test_the_rebuild_command_writes_every_row_again(county, world, capsys):
    VillageFigure.objects.all().delete()
    call_command("rebuild_dashboard")
    assert "数据看板已重算" in capsys.readouterr().out
    assert VillageFigure.objects.filter(card="funnel", bucket="clue").count() == 3  # villages A, A2 and B


def test_a_new_village_is_computed_on_first_view(county, world, client):
    VillageRefresh.objects.filter(village_code=world.village_b.code).delete()
    VillageFigure.objects.filter(village_code=world.village_b.code).delete()
    client.force_login(world.officer_b)
    page = client.get(reverse("dashboards:home")).content.decode()
    assert "数据截至" in page
    assert VillageFigure.objects.filter(village_code=world.village_b.code, card="funnel").exists()


def test_a_bulk_pairing_refreshes_its_village_once(county, world, django_capture_on_commit_callbacks):
    from shoudi.assistance import services as assistance
    from shoudi.assistance.models import Cadre
    from shoudi.registry.testing import make_household

    cadre = Cadre.objects.create(name="李干部", unit="县民政局", region=world.county)
    more = [make_household(world.village_b, head=f"新户{n}") for n in range(3)]
    before = VillageRefresh.objects.get(village_code=world.village_b.code).refreshed_at
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        from django.db import transaction

        with transaction.atomic():
            assistance.bulk_assign(households=more, cadre=cadre, user=world.admin)
    assert len(callbacks) == 1  # one notice for the transaction, for the three households
    assert VillageRefresh.objects.get(village_code=world.village_b.code).stale
    assert VillageRefresh.objects.get(village_code=world.village_b.code).refreshed_at == before


def test_the_nightly_step_rebuilds_and_the_import_step_marks_the_imported_villages(county, world):
    import datetime

    from django.utils import timezone

    from shoudi.core.nightly import run_nightly_steps, seconds_until_night
    from shoudi.core.registry import registry

    VillageFigure.objects.all().delete()
    done = dict(run_nightly_steps())
    assert done["重算数据看板"].startswith("看板汇总")
    assert VillageFigure.objects.filter(card="funnel", bucket="clue").count() == 3
    night = timezone.localtime().replace(hour=1, minute=0, second=0, microsecond=0)
    assert seconds_until_night(night) == 3600
    assert seconds_until_night(night + datetime.timedelta(hours=2)) == 23 * 3600

    step = registry.keyed("post_import_steps")["dashboard_figures"]
    counts = step.run(household_ids=[county["households"]["a1"].pk], user=world.admin)
    assert counts == {"待更新看板的行政村": 1}
    assert list(VillageRefresh.objects.filter(stale=True).values_list("village_code", flat=True)) == [
        world.village_a.code
    ]
