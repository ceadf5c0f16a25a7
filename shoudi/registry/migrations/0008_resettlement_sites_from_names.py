"""The free-text 安置区 of households becomes a link: one site per distinct name per county (the county of the
household's village), lying in the village of the first household that names it. Backward, the names are written
back into the text field."""

from django.db import migrations


def names_to_sites(apps, schema_editor):
    Household = apps.get_model("registry", "Household")
    Region = apps.get_model("regions", "Region")
    Site = apps.get_model("registry", "ResettlementSite")
    rows = (
        Household.objects.exclude(resettlement_site="")
        .order_by("id")
        .values_list("id", "resettlement_site", "village_id", "village__code")
    )
    sites: dict[tuple[str, str], int] = {}
    links: dict[int, list[int]] = {}
    counties = {}
    for household_id, raw, village_id, village_code in rows.iterator():
        name = " ".join(raw.split())
        if not name:
            continue
        key = (village_code[:6], name)
        site_id = sites.get(key)
        if site_id is None:
            county = counties.get(key[0])
            if county is None:
                county = counties[key[0]] = Region.objects.get(code=key[0])
            site, _ = Site.objects.get_or_create(
                county=county,
                name=name[:100],
                defaults={"community_id": village_id, "region_code": village_code},
            )
            site_id = sites[key] = site.pk
        links.setdefault(site_id, []).append(household_id)
    for site_id, ids in links.items():
        for start in range(0, len(ids), 900):
            Household.objects.filter(pk__in=ids[start : start + 900]).update(resettlement_site_link_id=site_id)


def sites_to_names(apps, schema_editor):
    Household = apps.get_model("registry", "Household")
    Site = apps.get_model("registry", "ResettlementSite")
    for site in Site.objects.all():
        Household.objects.filter(resettlement_site_link=site).update(resettlement_site=site.name)


class Migration(migrations.Migration):
    dependencies = [("registry", "0007_resettlement_sites")]

    operations = [migrations.RunPython(names_to_sites, sites_to_names)]
