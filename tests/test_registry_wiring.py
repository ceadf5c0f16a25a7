"""The one plug-in registry: stores are named once, keys are unique, each app contributes through its wiring.py, and
the filters higher apps register on a lower app's filterset are there and filter."""

import datetime
import importlib
from pathlib import Path

import django_filters
import pytest

from shoudi.core.filters import ScopedFilterSet
from shoudi.core.registry import FilterExtension, registry
from shoudi.monitoring import choices as mc
from shoudi.monitoring.models import MonitoringCase
from shoudi.registry.filters import HouseholdFilterSet
from shoudi.registry.models import Household
from shoudi.registry.testing import make_household

APPS = ("core", "regions", "accounts", "registry", "monitoring", "assistance", "matching")


def test_registering_into_an_unknown_store_fails():
    with pytest.raises(KeyError, match="unknown registry store 'menu_item'"):
        registry.add("menu_item", object())
    with pytest.raises(KeyError):
        registry.entries("no_such_store")


def test_a_key_registered_twice_fails():
    assert "national_cases" in registry.keyed("post_import_steps")
    with pytest.raises(ValueError, match="registered twice"):
        registry.add("post_import_steps", object(), key="national_cases")
    with pytest.raises(ValueError, match="registered twice"):
        registry.add("permissions", object(), key="registry.household")


def test_an_entry_added_for_a_while_is_removed_after(db):
    before = registry.entries("todo_counters")
    with registry.added("todo_counters", lambda user: 7) as counter:
        assert registry.entries("todo_counters") == [*before, counter]
    assert registry.entries("todo_counters") == before


@pytest.mark.parametrize("app", APPS)
def test_each_app_contributes_through_its_wiring(app):
    """apps.py's ready() only calls wiring.connect(); no app module keeps a register_* function."""
    source = Path(importlib.import_module(f"shoudi.{app}.apps").__file__).read_text()
    assert "wiring.connect()" in source and "registry.add" not in source and "register" not in source
    assert callable(importlib.import_module(f"shoudi.{app}.wiring").connect)


def test_every_store_is_filled_by_someone():
    for store in registry:
        assert registry.entries(store), store


def test_the_household_filters_of_higher_apps_are_on_the_household_list(client_for, world):
    html = client_for(world.admin).get("/registry/households/").content.decode()
    for label in ("监测对象（帮扶中）", "监测对象类别", "低于当年监测线（填年度）", "待办事项"):
        assert label in html
    filters = list(HouseholdFilterSet(request=None).filters)
    higher = ["monitored", "category", "below_line_year", "todo"]  # monitoring's, then assistance's
    assert [name for name in filters if name in higher] == higher
    assert filters.index("monitored") > filters.index("village")  # after the household list's own filters
    assert {"work_card", "income_year"} <= set(filters)  # the dashboards' drill-down filters too


def test_the_household_list_filters_by_monitored_and_todo(client_for, world):
    watched = make_household(world.village_a, household_no="A100", head="监测户")
    MonitoringCase.objects.create(
        household=watched,
        category="边缘易致贫户",
        identified_on=datetime.date(2025, 1, 5),
        step=mc.MONITORING,
        clue_date=datetime.date(2025, 1, 1),
    )
    make_household(world.village_a, household_no="A101", head="普通户")
    client = client_for(world.admin)

    def listed(**params):
        html = client.get("/registry/households/", params).content.decode()
        return {no for no in ("A100", "A101") if no in html[html.index('id="object-list"') :]}

    assert listed() == {"A100", "A101"}
    assert listed(monitored="true") == {"A100"}
    assert listed(monitored="false") == {"A101"}
    assert listed(todo="no_cadre") == {"A100"}  # identified long ago, no cadre paired
    case_html = client.get("/monitoring/cases/", {"todo": "no_measure"}).content.decode()
    assert "待办事项" in case_html and "A100" in case_html[case_html.index('id="object-list"') :]


class SampleFilterSet(ScopedFilterSet):
    class Meta:
        model = Household
        fields = []


class NarrowerFilterSet(SampleFilterSet):
    pass


def test_an_extension_reaches_its_filterset_and_those_derived_from_it(world):
    name = SampleFilterSet.extension_name()
    assert name == f"{__name__}.SampleFilterSet"  # not in an app: named by its module
    extension = FilterExtension(name, "numbered", lambda: django_filters.CharFilter(field_name="household_no"))
    make_household(world.village_a, household_no="X1")
    make_household(world.village_a, household_no="X2")
    with registry.added("filter_extensions", extension):
        assert list(
            SampleFilterSet({"numbered": "X1"}, queryset=Household.objects.all()).qs.values_list(
                "household_no", flat=True
            )
        ) == ["X1"]
        assert "numbered" in NarrowerFilterSet(queryset=Household.objects.all()).filters
    assert "numbered" not in SampleFilterSet(queryset=Household.objects.all()).filters  # gone with its entry


def test_an_extension_may_not_replace_a_declared_filter(db):
    clash = FilterExtension("registry.HouseholdFilterSet", "village", lambda: django_filters.CharFilter())
    with registry.added("filter_extensions", clash), pytest.raises(ValueError, match="exists already"):
        HouseholdFilterSet(queryset=Household.objects.all())
    assert "todo" in HouseholdFilterSet(queryset=Household.objects.all()).filters
