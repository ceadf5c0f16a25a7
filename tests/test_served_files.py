"""Issue 15: stored files (a case's 佐证材料, a visit's photos) are served by one view — signed in, within the scope
of the file's owning object, in the access log, as an attachment the browser may not sniff, never cached — and the
pages link to it, not to an unserved /files/ path."""

from __future__ import annotations

import datetime
from urllib.parse import quote

import pytest
from django.core.files.base import ContentFile

from shoudi.assistance.models import Visit, VisitPhoto
from shoudi.core.models import AccessLog
from shoudi.monitoring.models import CaseAttachment, MonitoringCase
from shoudi.registry.testing import make_household


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "files"


@pytest.fixture
def attachment(world):
    household = make_household(world.village_a)
    case = MonitoringCase.objects.create(household=household, source="农户自主申报", clue_date=datetime.date.today())
    attached = CaseAttachment(case=case, kind="会议记录")
    attached.file.save("会议记录.pdf", ContentFile(b"%PDF-1.4 minutes of the meeting"), save=True)
    return attached


@pytest.fixture
def photo(world):
    visit = Visit.objects.create(household=make_household(world.village_a), visitor="帮扶干部甲", content="入户走访")
    taken = VisitPhoto(visit=visit)
    taken.image.save("门前.jpg", ContentFile(b"\xff\xd8\xff\xe0 a photo"), save=True)
    return taken


def url(kind: str, pk: int) -> str:
    return f"/system/files/{kind}/{pk}/"


def body(response) -> bytes:
    return b"".join(response.streaming_content)


def test_the_case_page_links_to_the_served_attachment(world, client_for, attachment):
    client = client_for(world.officer_a)
    html = client.get(f"/monitoring/cases/{attachment.case_id}/").content.decode()
    assert f'href="{url("case_attachment", attachment.pk)}"' in html and "/files/cases/" not in html

    response = client.get(
        url("case_attachment", attachment.pk), REMOTE_ADDR="127.0.0.1", HTTP_X_FORWARDED_FOR="10.8.0.7"
    )
    assert response.status_code == 200 and body(response) == b"%PDF-1.4 minutes of the meeting"
    assert (
        response["Content-Disposition"].startswith("attachment")
        and quote("会议记录.pdf") in response["Content-Disposition"]
    )
    assert response["X-Content-Type-Options"] == "nosniff" and "no-store" in response["Cache-Control"]
    assert response["Content-Type"] == "application/pdf"
    logged = AccessLog.objects.get(action=AccessLog.DOWNLOAD)
    assert (logged.user, logged.object_id, logged.region_code, logged.ip) == (
        world.officer_a,
        str(attachment.pk),
        world.village_a.code,
        "10.8.0.7",
    )


@pytest.mark.parametrize("who", ["officer_b", "inspector_of_another_county"])
def test_an_attachment_outside_the_scope_is_not_found(world, client_for, attachment, who):
    from shoudi.accounts.testing import make_user

    user = getattr(world, who, None) or make_user("far", "inspector", world.other_county)
    assert client_for(user).get(url("case_attachment", attachment.pk)).status_code == 404
    assert not AccessLog.objects.exists()


def test_anonymous_is_sent_to_login(client, attachment):
    response = client.get(url("case_attachment", attachment.pk))
    assert response.status_code == 302 and response["Location"].startswith("/login/")


def test_an_uploaded_page_is_sent_as_plain_bytes(world, client_for, attachment):
    attachment.file.save("说明.html", ContentFile(b"<script>alert(1)</script>"), save=True)
    response = client_for(world.officer_a).get(url("case_attachment", attachment.pk))
    assert response["Content-Type"] == "application/octet-stream" and response["X-Content-Type-Options"] == "nosniff"
    assert response["Content-Disposition"].startswith("attachment")


def test_a_visit_photo_is_linked_and_served_in_scope_only(world, client_for, photo):
    client = client_for(world.officer_a)
    html = client.get(f"/registry/households/{photo.visit.household_id}/").content.decode()
    assert f'href="{url("visit_photo", photo.pk)}"' in html
    response = client.get(url("visit_photo", photo.pk))
    assert response.status_code == 200 and body(response) == b"\xff\xd8\xff\xe0 a photo"
    assert response["Content-Type"] == "image/jpeg" and "no-store" in response["Cache-Control"]
    assert AccessLog.objects.filter(action=AccessLog.DOWNLOAD, user=world.officer_a).count() == 1

    assert client_for(world.officer_b).get(url("visit_photo", photo.pk)).status_code == 404


def test_an_unknown_kind_or_a_missing_file_is_not_found(world, client_for, attachment):
    client = client_for(world.admin)
    assert client.get(url("household_import", attachment.pk)).status_code == 404
    attachment.file.delete(save=False)
    assert client.get(url("case_attachment", attachment.pk)).status_code == 404
