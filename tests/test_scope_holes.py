"""Issue 15, scope holes: a county admin and a superuser's account, a user with no region code, bulk pairing's
户编号 of households outside the scope."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied
from django.core.files.uploadedfile import SimpleUploadedFile

from shoudi.accounts.models import User
from shoudi.accounts.roles import COUNTY_ADMIN
from shoudi.accounts.testing import PASSWORD, make_user
from shoudi.assistance.models import Cadre, Pairing
from shoudi.core.jobs import JobError
from shoudi.core.jobs.runner import execute_job
from shoudi.core.models import Job
from shoudi.monitoring import screening
from shoudi.monitoring.models import ScreeningBatch
from shoudi.regions.models import Region
from shoudi.registry.models import Household, HouseholdImport
from shoudi.registry.testing import make_household

NEW_PASSWORD = "Another-pass-2026"

# --- a county admin and the superuser ---------------------------------------------------------------------------


@pytest.fixture
def root(world) -> User:
    """A superuser filed under the county (as the first install makes him)."""
    return User.objects.create_superuser("root", password=PASSWORD, region=world.county, name="系统管理员")


def test_a_county_admin_cannot_reset_a_superusers_password(world, root, client_for):
    client = client_for(world.admin)
    edit = f"/users/{root.pk}/edit/"
    assert client.get(edit).status_code in (403, 404)
    response = client.post(
        edit,
        {"username": "root", "name": "系统管理员", "role": COUNTY_ADMIN, "region": world.county.pk, "is_active": "on"}
        | {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD},
    )
    assert response.status_code in (403, 404)
    assert client.post(f"/users/{root.pk}/delete/").status_code in (403, 404)
    root.refresh_from_db()
    assert root.check_password(PASSWORD) and not root.check_password(NEW_PASSWORD) and root.is_active


def test_a_county_admin_still_resets_his_own_users_and_nobody_elses(world, client_for):
    client = client_for(world.admin)
    form = {"username": "officer_a", "name": "甲村信息员", "role": "village_officer", "region": world.village_a.pk}
    response = client.post(
        f"/users/{world.officer_a.pk}/edit/", form | {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD}
    )
    assert response.status_code == 302
    assert User.objects.get(pk=world.officer_a.pk).check_password(NEW_PASSWORD)

    stranger = make_user("stranger", "village_officer", world.other_village)
    form = {"username": "stranger", "name": "stranger", "role": "village_officer", "region": world.other_village.pk}
    response = client.post(f"/users/{stranger.pk}/edit/", form | {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD})
    assert response.status_code == 404
    assert User.objects.get(pk=stranger.pk).check_password(PASSWORD)


# --- no region code: nothing, not everything --------------------------------------------------------------------


@pytest.fixture
def households(world):
    return [
        make_household(world.village_a, household_type="脱贫户", lifted_year=2019),
        make_household(world.other_village, household_type="脱贫户", lifted_year=2019),
    ]


@pytest.fixture
def blank_region_admin(world) -> User:
    blank = Region.objects.create(code="", name="未设置")  # bypasses the validators, as a bad data fix could
    return make_user("blank_admin", COUNTY_ADMIN, blank)


@pytest.fixture
def no_region_admin(world) -> User:
    return make_user("no_region_admin", COUNTY_ADMIN, None)


def test_an_empty_region_code_reaches_no_row(blank_region_admin, households):
    assert not Household.objects.restrict(blank_region_admin, "view").exists()
    assert not Region.objects.restrict(blank_region_admin, "view").exclude(code="").exists()


def test_an_empty_region_code_lists_no_household(blank_region_admin, households, client_for):
    html = client_for(blank_region_admin).get("/registry/households/").content.decode()
    assert all(h.household_no not in html for h in households)


@pytest.mark.parametrize("who", ["blank_region_admin", "no_region_admin"])
def test_no_region_code_exports_no_base_list(request, households, client_for, who):
    user = request.getfixturevalue(who)
    response = client_for(user).post("/matching/base/", {"period": "2026-11"})
    assert response.status_code == 403
    assert not Job.objects.exists()


def test_a_base_list_job_beyond_its_users_region_exports_nothing(world, households, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "files"
    queued = Job.objects.create(
        kind="matching.export_base", title="导出", user=world.admin, params={"period": "2026-11", "region_code": ""}
    )
    with pytest.raises(JobError):
        execute_job(queued.pk)
    queued.refresh_from_db()
    assert queued.status == Job.FAILED and "超出您的管辖区划" in queued.error and not queued.result_file


@pytest.mark.parametrize("who", ["blank_region_admin", "no_region_admin"])
def test_no_region_code_screens_nothing(request, households, client_for, who):
    user = request.getfixturevalue(who)
    assert client_for(user).post("/monitoring/screen/", {"year": 2026}).status_code == 403
    with pytest.raises(PermissionDenied):
        screening.start_preview(user=user, year=2026, region_code="")
    assert not ScreeningBatch.objects.exists()


def test_an_empty_region_code_picks_no_ledger_region(blank_region_admin, world, client_for):
    client = client_for(blank_region_admin)
    assert client.get(f"/ledgers/view/dropout/?region={world.other_county.code}").status_code == 403
    assert client.get("/ledgers/view/dropout/").status_code == 403


def test_screening_batches_of_every_county_are_not_a_blank_regions(blank_region_admin, world):
    ScreeningBatch.objects.create(year=2026, region_code=world.county.code, created_by=world.admin)
    assert not ScreeningBatch.objects.restrict(blank_region_admin, "view").exists()


# --- bulk pairing -------------------------------------------------------------------------------------------------


def test_bulk_pairing_does_not_name_a_household_outside_the_scope(world, client_for):
    cadre = Cadre.objects.create(name="帮扶干部甲", unit="县农业农村局", region=world.village_a)
    mine = make_household(world.village_a, household_no="520102001001777001", household_type="脱贫户")
    hidden = make_household(world.other_village, household_no="520103001001999888", household_type="脱贫户")

    response = client_for(world.officer_a).post(
        "/assistance/pairings/bulk/?todo=", {"household": [mine.pk, hidden.pk], "cadre": cadre.pk}, follow=True
    )

    html = response.content.decode()
    assert response.status_code == 200 and "不在您的管辖范围内" in html
    assert hidden.household_no not in html and "999888" not in html
    assert not Pairing.objects.exists()  # all or nothing


@pytest.mark.parametrize("who", ["blank_region_admin", "no_region_admin"])
def test_no_region_code_imports_no_household(request, households, client_for, who):
    user = request.getfixturevalue(who)
    upload = SimpleUploadedFile("农户信息.xlsx", b"PK\x03\x04 not read")
    response = client_for(user).post("/registry/import/", {"file": upload, "income_year": 2025})
    assert response.status_code == 403 and "尚未分配区划" in response.content.decode()
    assert not HouseholdImport.objects.exists() and not Job.objects.exists()
