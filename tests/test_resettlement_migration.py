"""The free-text 安置区 becoming a link to a 易地扶贫搬迁安置点 (registry 0007–0009), both ways: one site per distinct
name per county, lying in the village of the first household naming it; backward, the names written back."""

from __future__ import annotations

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

BEFORE = [("registry", "0006_vocabulary_values")]
AFTER = [("registry", "0009_resettlement_site_link")]


def _migrate(targets):
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)
    return executor.loader.project_state(targets).apps


def _regions(apps):
    Region = apps.get_model("regions", "Region")

    def region(code, name, level, parent=None):
        return Region.objects.create(code=code, name=name, level=level, parent=parent)

    county = region("520102", "测试县", "county")
    township = region("520102001", "甲镇", "township", county)
    village_a = region("520102001001", "甲村", "village", township)
    village_b = region("520102001002", "乙村", "village", township)
    other = region("520103", "邻县", "county")
    other_village = region("520103001001", "邻村", "village", region("520103001", "邻镇", "township", other))
    return county, village_a, village_b, other, other_village


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_the_names_become_sites_and_come_back():
    apps = _migrate(BEFORE)
    try:
        county, village_a, village_b, other, other_village = (r.pk for r in _regions(apps))
        Household = apps.get_model("registry", "Household")
        written = {
            "h1": (village_b, "幸福小区"),
            "h2": (village_a, " 幸福小区"),  # the same site, spelled with a space
            "h3": (other_village, "幸福小区"),  # the same name in another county: another site
            "h4": (village_a, "城北  安置点"),
            "h5": (village_a, ""),
        }
        for number, (village, site) in written.items():
            Household.objects.create(
                household_no=number,
                village_id=village,
                household_type="脱贫户",
                relocated=bool(site),
                resettlement_site=site,
            )

        apps = _migrate(AFTER)
        Site = apps.get_model("registry", "ResettlementSite")
        Household = apps.get_model("registry", "Household")
        sites = {(s.county_id, s.name): s for s in Site.objects.all()}
        assert set(sites) == {(county, "幸福小区"), (other, "幸福小区"), (county, "城北 安置点")}
        # the site lies in the village of the first household naming it (h1, of village B), scoped by it
        assert sites[(county, "幸福小区")].community_id == village_b
        assert sites[(county, "幸福小区")].region_code == "520102001002"
        linked = {h.household_no: h.resettlement_site_id for h in Household.objects.all()}
        assert linked == {
            "h1": sites[(county, "幸福小区")].pk,
            "h2": sites[(county, "幸福小区")].pk,
            "h3": sites[(other, "幸福小区")].pk,
            "h4": sites[(county, "城北 安置点")].pk,
            "h5": None,
        }

        apps = _migrate(BEFORE)
        Household = apps.get_model("registry", "Household")
        names = dict(Household.objects.values_list("household_no", "resettlement_site"))
        assert names == {"h1": "幸福小区", "h2": "幸福小区", "h3": "幸福小区", "h4": "城北 安置点", "h5": ""}
    finally:
        executor = MigrationExecutor(connection)
        executor.migrate(executor.loader.graph.leaf_nodes())
