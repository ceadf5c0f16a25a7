"""Review fixes: a cadre sees only his paired households' deliveries, 交通补贴 and 低收入人口 records; a village's
整村发放 is recorded and withdrawn whole only by the roles that may change the batch (not a cadre or team member);
exporting the 送达记录 is logged; the 退出告知书 prints only for an elimination the county confirmed and no 返贫
reversed."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from shoudi.accounts.roles import CADRE, TEAM_MEMBER
from shoudi.accounts.testing import make_user
from shoudi.assistance.models import Cadre, Pairing
from shoudi.core.models import AccessLog
from shoudi.employment.models import TransportSubsidy
from shoudi.lowincome.models import CareRecord, Designation, SupportAction
from shoudi.monitoring import choices as c
from shoudi.monitoring import notices
from shoudi.monitoring import services as s
from shoudi.monitoring.models import NoticeBatch, NoticeDelivery
from shoudi.monitoring.testing import case_at
from shoudi.registry.models import Household
from shoudi.registry.testing import make_household, make_member
from tests.test_notices import document, eliminate, line  # noqa: F401  (line: the fixture eliminate needs)

TODAY = timezone.localdate()


@pytest.fixture
def cadre(world):
    user = make_user("cadre_a", CADRE, world.village_a, name="帮扶干部甲")
    Cadre.objects.create(name="帮扶干部甲", unit="县农业农村局", region=world.village_a, user=user)
    return user


def pair(cadre_user, household, **fields):
    return Pairing.objects.create(household=household, cadre=cadre_user.cadre, **fields)


def leaflet_to(household, leaflet, user):
    return notices.record_delivery(
        user=user,
        household=household,
        kind=NoticeDelivery.LEAFLET,
        document=leaflet,
        delivered_by="村干部甲",
        recipient="户主",
    )


def batch_of(world, leaflet, households, user=None):
    return notices.record_batch(
        user=user or world.officer_a,
        document=leaflet,
        village=world.village_a,
        household_ids=[h.pk for h in households],
        delivered_by="村干部甲",
    )


# --- 1. the cadre's scope --------------------------------------------------------------------------------------------


def test_a_cadre_sees_the_records_of_his_paired_households_only(world, cadre, client_for):
    leaflet = document(world)
    mine = make_household(world.village_a, household_no="A-MINE", head="结对户主")
    other = make_household(world.village_a, household_no="A-OTHER", head="别户户主")
    ended = make_household(world.village_a, household_no="A-ENDED", head="已结束户主")
    pair(cadre, mine)
    pair(cadre, ended, start_date=TODAY - datetime.timedelta(days=90), end_date=TODAY - datetime.timedelta(days=1))
    rows = {}
    for household in (mine, other, ended):
        member = make_member(household, name=f"{household.household_no}老人", relation="之父", birth="19400101")
        rows[household.household_no] = [
            leaflet_to(household, leaflet, world.officer_a),
            TransportSubsidy.objects.create(
                member=member, year=TODAY.year, destination="浙江", amount=Decimal("500"), paid_on=TODAY
            ),
            Designation.objects.create(household=household, category="农村低保"),
            SupportAction.objects.create(household=household, kind="申请低保", content="收入低"),
            CareRecord.objects.create(
                household=household, member=member, kind="两无老人关爱", server="公益岗位人员", content="上门"
            ),
        ]
    for mine_row, other_row, ended_row in zip(*rows.values(), strict=True):
        model = type(mine_row)
        seen = set(model.objects.restrict(cadre, "view").values_list("pk", flat=True))
        assert seen == {mine_row.pk}, model._meta.verbose_name
        assert other_row.pk in model.objects.restrict(world.officer_a, "view").values_list("pk", flat=True)
        assert ended_row.pk not in seen

    listing = client_for(cadre).get(reverse("monitoring:noticedelivery_list")).content.decode()
    assert "A-MINE" in listing and "A-OTHER" not in listing and "A-ENDED" not in listing
    household_page = client_for(cadre).get(reverse("registry:household_detail", args=[mine.pk]))
    assert household_page.status_code == 200
    assert client_for(cadre).get(reverse("registry:household_detail", args=[other.pk])).status_code == 404


def test_a_cadre_records_single_deliveries_but_no_village_batch(world, cadre, client_for):
    leaflet = document(world)
    mine = make_household(world.village_a, household_no="A-MINE")
    pair(cadre, mine)
    client = client_for(cadre)
    assert client.get(reverse("monitoring:notice_batch_add", args=[world.village_a.pk])).status_code == 403
    with pytest.raises(notices.NoticeRefused, match="不能登记整村发放"):
        batch_of(world, leaflet, [mine], user=cadre)
    assert not NoticeBatch.objects.exists()
    coverage = client.get(reverse("monitoring:notice_coverage") + f"?area={world.village_a.code}")
    assert coverage.status_code == 200
    assert reverse("monitoring:notice_batch_add", args=[world.village_a.pk]) not in coverage.content.decode()

    batch = batch_of(world, leaflet, [mine, make_household(world.village_a, household_no="A-OTHER")])
    assert client.get(batch.get_absolute_url()).status_code == 404  # a village-wide batch: not the cadre's
    assert client.post(reverse("monitoring:notice_batch_withdraw", args=[batch.pk])).status_code == 404
    with pytest.raises(notices.NoticeRefused):
        notices.withdraw_batch(user=cadre, batch=batch)
    assert NoticeDelivery.objects.filter(batch=batch).count() == 2

    leaflet_to(mine, document(world, "第二份明白纸"), cadre)  # his own household, one by one: still his to record
    assert NoticeDelivery.objects.filter(household=mine, batch=None, recorded_by=cadre).exists()


def test_the_batch_page_lists_only_the_deliveries_in_the_readers_scope(world, client_for):
    leaflet = document(world)
    staying = make_household(world.village_a, household_no="A-STAY")
    moving = make_household(world.village_a, household_no="A-MOVE")
    batch = batch_of(world, leaflet, [staying, moving])
    Household.objects.filter(pk=moving.pk).update(village=world.village_a2)  # the household moved to 甲二村
    page = client_for(world.officer_a).get(batch.get_absolute_url()).content.decode()
    assert "A-STAY" in page and "A-MOVE" not in page
    page = client_for(world.reviewer_a).get(batch.get_absolute_url()).content.decode()  # the township sees both
    assert "A-STAY" in page and "A-MOVE" in page


# --- 2. withdrawing a whole village's 整村发放 ----------------------------------------------------------------------


def test_only_a_role_that_may_change_the_batch_withdraws_it(world, client_for):
    leaflet = document(world)
    households = [make_household(world.village_a, household_no=f"A-{i}") for i in range(3)]
    member = make_user("member_a", TEAM_MEMBER, world.village_a, name="驻村队员甲")
    batch = batch_of(world, leaflet, households[:2], user=member)  # a stationed member may record one

    for refused in (member, world.reviewer_a):
        page = client_for(refused).get(batch.get_absolute_url())
        assert page.status_code == 200 and "整批撤回" not in page.content.decode()
        assert client_for(refused).post(reverse("monitoring:notice_batch_withdraw", args=[batch.pk])).status_code == 403
        with pytest.raises(notices.NoticeRefused, match="不能撤回整村发放"):
            notices.withdraw_batch(user=refused, batch=batch)
    batch.refresh_from_db()
    assert batch.status == NoticeBatch.CONFIRMED and NoticeDelivery.objects.filter(batch=batch).count() == 2

    with pytest.raises(notices.NoticeRefused, match="不在您的管辖范围内"):
        notices.withdraw_batch(user=world.officer_b, batch=batch)
    officer = client_for(world.officer_a)
    assert "整批撤回" in officer.get(batch.get_absolute_url()).content.decode()
    assert officer.post(reverse("monitoring:notice_batch_withdraw", args=[batch.pk])).status_code == 302
    batch.refresh_from_db()
    assert batch.status == NoticeBatch.WITHDRAWN and batch.withdrawn_count == 2
    assert not NoticeDelivery.objects.filter(household__in=households).exists()


# --- 3. the export of the 送达记录 is logged --------------------------------------------------------------------------


def test_exporting_the_deliveries_writes_the_access_log(world, client_for):
    leaflet = document(world)
    for i in range(2):
        leaflet_to(make_household(world.village_a, household_no=f"A-{i}", head=f"户主{i}"), leaflet, world.officer_a)
    assert not AccessLog.objects.filter(action=AccessLog.EXPORT).exists()
    response = client_for(world.officer_a).get(reverse("monitoring:noticedelivery_list") + "?export=xlsx")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    log = AccessLog.objects.get(action=AccessLog.EXPORT)
    assert log.user == world.officer_a and log.record_count == 2 and "告知书与明白纸送达" in log.detail


# --- 4. the 退出告知书 is for a completed, unreversed elimination only ---------------------------------------------


def test_no_exit_notice_for_an_imported_or_a_reversed_elimination(world, line, client_for):  # noqa: F811
    imported = case_at(make_household(world.village_a, household_no="A-OLD"), c.ELIMINATED, chain=c.ELIMINATION)
    imported.eliminated_on = datetime.date(2021, 12, 1)  # eliminated in the national system years ago
    imported.save()
    reversed_case = eliminate(world, world.village_a, no="A-BACK")
    s.reverse_elimination(case=reversed_case, user=world.officer_a, note="突发大病", risk_types=["因病"])
    reversed_case.refresh_from_db()
    assert reversed_case.step == c.ELIMINATED  # the old case stays eliminated; the 返贫 opened a new one
    confirmed = eliminate(world, world.village_a, no="A-DONE")

    client = client_for(world.officer_a)
    for case in (imported, reversed_case):
        assert client.get(reverse("cards:exit_notice", args=[case.pk])).status_code == 404
        assert client.get(reverse("cards:exit_notice", args=[case.pk]) + "?format=pdf").status_code == 404
    page = client.get(reverse("cards:exit_notice", args=[confirmed.pk]))
    assert page.status_code == 200 and "甲村村民委员会" in page.content.decode()
    assert AccessLog.objects.filter(detail__startswith="打印退出告知书").count() == 1  # the refused prints log nothing

    # the household page offers the print only where it answers
    def offers_exit_notice(case):
        html = client.get(reverse("registry:household_detail", args=[case.household_id])).content.decode()
        return 'id="exit-notice-link"' in html

    assert not offers_exit_notice(imported) and offers_exit_notice(confirmed)
