"""Issue 15, M1: a cadre's phone is personal information. The cadre page and the 结对帮扶手册 show it masked to a
role without unmask on cadres (督查, 村级信息员); the county admin and the township reviewer see it in full on
asking (显示完整号码, logged) or in the handbook (whose print is logged); a cadre reads his own number."""

from __future__ import annotations

import datetime

import pytest

from shoudi.accounts.testing import make_user
from shoudi.assistance import services
from shoudi.assistance.models import Cadre
from shoudi.core.models import AccessLog
from shoudi.registry.testing import make_household

PHONE, MASKED = "13712345678", "137****5678"


@pytest.fixture
def paired(world):
    cadre = Cadre.objects.create(name="帮扶干部甲", unit="县农业农村局", phone=PHONE, region=world.village_a)
    household = make_household(world.village_a, household_type="脱贫户")
    services.pair(household=household, cadre=cadre, user=world.officer_a, start_date=datetime.date(2026, 1, 1))
    return cadre, household


def test_the_cadre_page_masks_the_phone_for_a_role_without_unmask(world, paired, client_for):
    cadre, _ = paired
    for reader in (world.inspector, world.officer_a):
        page = client_for(reader).get(cadre.get_absolute_url()).content.decode()
        assert "帮扶干部甲" in page and MASKED in page and PHONE not in page
        assert f"/assistance/cadres/{cadre.pk}/phone/" not in page
        assert client_for(reader).get(f"/assistance/cadres/{cadre.pk}/phone/").status_code == 403
    assert not AccessLog.objects.exists()


def test_the_county_admin_unmasks_the_phone_and_the_access_log_says_so(world, paired, client_for):
    cadre, _ = paired
    for reader in (world.admin, world.reviewer_a):
        page = client_for(reader).get(cadre.get_absolute_url()).content.decode()
        assert MASKED in page and PHONE not in page and f"/assistance/cadres/{cadre.pk}/phone/" in page
        shown = client_for(reader).get(f"/assistance/cadres/{cadre.pk}/phone/")
        assert shown.status_code == 200 and PHONE in shown.content.decode()
    logs = AccessLog.objects.filter(action=AccessLog.UNMASK).order_by("id")
    assert [(log.user, log.field, log.object_id) for log in logs] == [
        (world.admin, "phone", str(cadre.pk)),
        (world.reviewer_a, "phone", str(cadre.pk)),
    ]


def test_the_handbook_masks_the_cadre_phone_for_a_role_without_unmask(world, paired, client_for):
    cadre, household = paired
    url = f"/assistance/households/{household.pk}/handbook/"
    for reader in (world.inspector, world.officer_a):
        page = client_for(reader).get(url).content.decode()
        assert "帮扶干部甲" in page and MASKED in page and PHONE not in page
    page = client_for(world.admin).get(url).content.decode()
    assert PHONE in page
    log = AccessLog.objects.filter(user=world.admin).get()
    assert "帮扶干部完整电话（帮扶干部甲）" in log.detail
    assert all("帮扶干部电话已脱敏" in e.detail for e in AccessLog.objects.exclude(user=world.admin))
    # the cadre himself (no permission on cadres at all) reads his own number in the handbook he hands over
    cadre.user = make_user("ganbu", "cadre", world.village_a, name="帮扶干部甲")
    cadre.save()
    assert PHONE in client_for(cadre.user).get(url).content.decode()
