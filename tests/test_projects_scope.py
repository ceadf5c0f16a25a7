"""Scope of projects and assets (issue 21): a village sees its own projects, a township its villages' (and its own),
the county all; another village's project is not found; a county-wide project stays at the county."""

from __future__ import annotations

import pytest
from django.test import Client

from shoudi.projects import choices as c
from shoudi.projects import services
from shoudi.projects.models import Asset, Project
from shoudi.projects.testing import advance, propose

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("national_calendar")]


def _client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _names(user) -> set[str]:
    return set(Project.objects.restrict(user, "view").values_list("name", flat=True))


def test_village_sees_its_own_projects_township_its_villages(world):
    a = propose(world.officer_a, world.village_a, name="甲村项目")
    propose(world.reviewer_a, world.village_a2, name="甲二村项目")
    propose(world.reviewer_a, world.township_a, name="甲镇项目")
    b = propose(world.officer_b, world.village_b, name="乙村项目")
    propose(world.admin, world.county, name="全县项目")

    assert _names(world.officer_a) == {"甲村项目"}
    assert _names(world.reviewer_a) == {"甲村项目", "甲二村项目", "甲镇项目"}
    assert _names(world.admin) == {"甲村项目", "甲二村项目", "甲镇项目", "乙村项目", "全县项目"}

    officer = _client(world.officer_a)
    listed = officer.get("/projects/").content.decode()
    assert "甲村项目" in listed and "甲二村项目" not in listed and "乙村项目" not in listed
    assert officer.get(f"/projects/{b.pk}/").status_code == 404
    assert officer.post(f"/projects/{b.pk}/publicize/", {}).status_code == 404
    assert _client(world.reviewer_a).get(f"/projects/{b.pk}/").status_code == 404
    assert _client(world.officer_b).get(f"/projects/{a.pk}/").status_code == 404
    assert _client(world.inspector).get(f"/projects/{a.pk}/").status_code == 200
    # the inspector reads, and may not act
    assert _client(world.inspector).post(f"/projects/{a.pk}/publicize/", {}).status_code == 403


def test_assets_follow_their_place(world):
    project = advance(
        propose(world.reviewer_a, world.township_a, name="甲镇冷链"),
        c.ACCEPTED,
        reviewer=world.reviewer_a,
        admin=world.admin,
    )
    in_a = services.register_asset(
        project=project, user=world.reviewer_a, name="甲村冷库", kind="经营性", value="50000", region=world.village_a
    )
    services.register_asset(
        project=project, user=world.reviewer_a, name="甲二村冷库", kind="经营性", value="50000", region=world.village_a2
    )
    assert list(Asset.objects.restrict(world.officer_a, "view")) == [in_a]
    assert Asset.objects.restrict(world.reviewer_a, "view").count() == 2
    assert Asset.objects.restrict(world.officer_b, "view").count() == 0
    officer = _client(world.officer_a)
    assert officer.get(f"/projects/assets/{in_a.pk}/").status_code == 200
    # the village sees the asset in its village, not the township's project it came from
    assert officer.get(f"/projects/{project.pk}/").status_code == 404
    with pytest.raises(services.TransitionRefused, match="资产所在区划应在"):
        services.register_asset(
            project=project, user=world.admin, name="乙村冷库", kind="经营性", value="1", region=world.village_b
        )


def test_the_lists_cost_the_same_for_many_rows(world, client_for, django_assert_max_num_queries):
    """No query per row: a page of 40 projects and of 40 assets each costs a fixed number of queries."""
    project = advance(
        propose(world.admin, world.county, name="全县项目"), c.ACCEPTED, reviewer=world.reviewer_a, admin=world.admin
    )
    for n in range(40):
        propose(world.officer_a, world.village_a, name=f"甲村项目{n}")
        services.register_asset(
            project=project, user=world.admin, name=f"资产{n}", kind="公益性", value="1", region=world.village_a
        )
    client = client_for(world.admin)
    client.get("/projects/")  # the session and the menu's first reads
    with django_assert_max_num_queries(25):
        assert "甲村项目39" in client.get("/projects/").content.decode()
    with django_assert_max_num_queries(25):
        assert "资产39" in client.get("/projects/assets/").content.decode()
