"""Written notices (S003 三(一)3 退出告知; S004 (二)一 明白纸).

An elimination completing makes the 退出告知书 due (我的待办, the household page); its PDF names the household, rare
characters too; recording the delivery clears it and a second one is refused. A village's 整村发放 is previewed,
confirmed and withdrawn; the coverage of each village counts households and 监测户 separately; other villages' rows
are out of reach."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.core.files.base import ContentFile
from django.urls import reverse
from django.utils import timezone

from shoudi.accounts.testing import make_user
from shoudi.assistance.models import Measure
from shoudi.assistance.worklist import item_queryset, tally
from shoudi.core.models import AccessLog, ObjectChange
from shoudi.monitoring import choices as c
from shoudi.monitoring import notices
from shoudi.monitoring import services as s
from shoudi.monitoring.models import MonitoringLine, NoticeBatch, NoticeDelivery, NoticeDocument
from shoudi.monitoring.testing import case_at
from shoudi.registry.testing import make_household, make_income, make_member
from tests.test_workcards import pdf_text, squash

TODAY = timezone.localdate()
RARE_HEAD = "王𠮷"  # U+20BB7, outside the BMP


def eliminate(world, village, *, no: str, head: str = RARE_HEAD):
    """A monitored household that meets every guard, taken through the county's 县级确定 (the chain's last step)."""
    household = make_household(village, household_no=no, head=head)
    household.members.update(labour_skill="普通劳动力")
    make_member(household, name="李𠮷英", relation="配偶", labour_skill="普通劳动力")
    make_income(household, TODAY.year - 1, size=2, wage=30000)
    Measure.objects.create(household=household, category="产业帮扶", content="种植", status="已落实")
    case = case_at(household, c.COUNTY_REVIEW, chain=c.ELIMINATION, risk_types=("因病", "因学"))
    return s.county_review(case=case, user=world.admin, approve=True, missing_confirmed=True, decided_on=TODAY)


@pytest.fixture
def line(world):
    return MonitoringLine.objects.create(region=world.county, year=TODAY.year - 1, amount=Decimal("8000"))


def deliver_exit(case, user, **fields):
    return notices.record_delivery(
        user=user,
        household=case.household,
        kind=NoticeDelivery.EXIT,
        case=case,
        delivered_by=fields.pop("delivered_by", "村干部甲"),
        recipient=fields.pop("recipient", RARE_HEAD),
        **fields,
    )


def document(world, title="监测对象申报政策明白纸", audience=NoticeDocument.ALL_HOUSEHOLDS):
    return NoticeDocument.objects.create(
        region=world.county, title=title, audience=audience, file=ContentFile(b"%PDF-1.4 x", name="a.pdf")
    )


def monitored(village, no):
    household = make_household(village, household_no=no, head=f"监测{no}")
    case = case_at(household, c.MONITORING)
    case.identified_on = TODAY - datetime.timedelta(days=30)
    case.save()
    return household


# --- 退出告知书 ------------------------------------------------------------------------------------------------------


def test_an_elimination_completing_makes_the_notice_due_until_delivered(world, line, client_for):
    waiting = case_at(make_household(world.village_a, household_no="A-W"), c.COUNTY_REVIEW, chain=c.ELIMINATION)
    assert not item_queryset("exit_notice_due", world.officer_a).exists()  # not yet eliminated: nothing due
    case = eliminate(world, world.village_a, no="A-1")
    assert case.step == c.ELIMINATED
    assert list(item_queryset("exit_notice_due", world.officer_a)) == [case]
    assert waiting not in item_queryset("exit_notice_due", world.officer_a)
    items, villages = tally(world.officer_a)
    line_of = {item.key: item for item in items}["exit_notice_due"]
    assert line_of.label == "退出告知书待送达" and line_of.count == 1 and line_of.own
    page = client_for(world.officer_a).get(line_of.url)
    assert "A-1" in page.content.decode() and "A-W" not in page.content.decode()
    household_page = client_for(world.officer_a).get(reverse("registry:household_detail", args=[case.household_id]))
    assert "退出告知书待送达" in household_page.content.decode()
    assert reverse("cards:exit_notice", args=[case.pk]) in household_page.content.decode()  # the print button

    delivery = deliver_exit(case, world.officer_a, way="留置送达")
    assert not item_queryset("exit_notice_due", world.officer_a).exists()
    assert ObjectChange.objects.filter(object_id=str(delivery.pk), content_type__model="noticedelivery").exists()
    household_page = client_for(world.officer_a).get(reverse("registry:household_detail", args=[case.household_id]))
    assert "退出告知书待送达" not in household_page.content.decode() and "留置送达" in household_page.content.decode()


def test_a_second_delivery_and_a_notice_not_due_are_refused(world, line):
    case = eliminate(world, world.village_a, no="A-1")
    deliver_exit(case, world.officer_a)
    with pytest.raises(notices.NoticeRefused, match="已登记送达，不能重复登记"):
        deliver_exit(case, world.officer_a)
    assert NoticeDelivery.objects.filter(case=case).count() == 1
    monitored_case = case_at(make_household(world.village_a, household_no="A-2"), c.MONITORING)
    with pytest.raises(notices.NoticeRefused, match="未完成风险消除"):
        deliver_exit(monitored_case, world.officer_a)
    other = eliminate(world, world.village_a, no="A-3")
    with pytest.raises(notices.NoticeRefused, match="签收人"):
        deliver_exit(other, world.officer_a, recipient=" ")
    with pytest.raises(notices.NoticeRefused, match="不能晚于今天"):
        deliver_exit(other, world.officer_a, delivered_on=TODAY + datetime.timedelta(days=1))


def test_a_reversed_elimination_needs_no_notice(world, line):
    case = eliminate(world, world.village_a, no="A-1")
    s.reverse_elimination(case=case, user=world.officer_a, note="突发大病", risk_types=["因病"])
    assert not item_queryset("exit_notice_due", world.officer_a).exists()


def test_the_pdf_names_the_household_with_its_rare_characters(world, line, client_for, tmp_path):
    case = eliminate(world, world.village_a, no="A-1")
    client = client_for(world.officer_a)
    page = client.get(reverse("cards:exit_notice", args=[case.pk]))
    html = page.content.decode()
    assert page.status_code == 200 and "甲村村民委员会" in html and "退出防止返贫监测帮扶范围" in html
    response = client.get(reverse("cards:exit_notice", args=[case.pk]) + "?format=pdf")
    assert response["Content-Type"] == "application/pdf"
    (text,) = pdf_text(response.content, tmp_path)
    flat = squash(text)
    assert RARE_HEAD in flat and "李𠮷英" in flat  # the head and a member, 𠮷 (Extension B) in the text layer
    assert "因病、因学" in flat and f"{TODAY.year}年{TODAY.month}月{TODAY.day}日" in flat
    assert "甲村村民委员会（盖章）" in flat and "户主（签收）" in flat
    assert AccessLog.objects.filter(action=AccessLog.EXPORT, detail="打印退出告知书（PDF）").exists()


def test_the_notice_is_for_eliminated_cases_in_scope(world, line, client_for):
    case = eliminate(world, world.village_a, no="A-1")
    monitored_case = case_at(make_household(world.village_a, household_no="A-2"), c.MONITORING)
    assert client_for(world.officer_a).get(reverse("cards:exit_notice", args=[monitored_case.pk])).status_code == 404
    assert client_for(world.officer_b).get(reverse("cards:exit_notice", args=[case.pk])).status_code == 404
    with pytest.raises(notices.NoticeRefused, match="不在您的管辖范围内"):
        deliver_exit(case, world.officer_b)
    page = client_for(world.officer_b).get(reverse("monitoring:notice_deliver", args=[case.household_id]))
    assert page.status_code == 404


def test_delivery_through_the_household_page_form(world, line, client_for):
    case = eliminate(world, world.village_a, no="A-1")
    client = client_for(world.officer_a)
    url = reverse("monitoring:notice_deliver", args=[case.household_id])
    form = client.get(url + f"?notice=exit:{case.pk}")
    assert form.status_code == 200 and "退出告知书" in form.content.decode()
    data = {
        "notice": f"exit:{case.pk}",
        "delivered_on": TODAY.isoformat(),
        "delivered_by": "村干部甲",
        "recipient": RARE_HEAD,
        "way": "当面送达",
    }
    assert client.post(url, data).status_code == 302
    assert NoticeDelivery.objects.get(case=case).recipient == RARE_HEAD
    again = client.post(url, data)  # the notice is no longer offered
    assert again.status_code == 422 and NoticeDelivery.objects.filter(case=case).count() == 1


# --- 明白纸 ----------------------------------------------------------------------------------------------------------


def test_bulk_delivery_is_previewed_confirmed_and_withdrawn(world, client_for):
    leaflet = document(world)
    households = [make_household(world.village_a, household_no=f"A-{i}", head=f"户主{i}") for i in range(4)]
    make_household(world.village_a2, household_no="A2-1")  # another village: not in the batch
    notices.record_delivery(
        user=world.officer_a,
        household=households[0],
        kind=NoticeDelivery.LEAFLET,
        document=leaflet,
        delivered_by="村干部甲",
        recipient="户主0",
    )
    client = client_for(world.officer_a)
    url = reverse("monitoring:notice_batch_add", args=[world.village_a.pk])
    data = {"document": leaflet.pk, "delivered_on": TODAY.isoformat(), "delivered_by": "驻村队员", "way": "当面送达"}
    preview = client.post(url, {**data, "preview": "1"})
    html = preview.content.decode()
    assert preview.status_code == 200 and "共 3 户" in html
    assert all(f'data-household="A-{i}"' in html for i in (1, 2, 3)) and 'data-household="A-0"' not in html
    assert NoticeDelivery.objects.count() == 1  # a preview records nothing
    ticked = [households[1].pk, households[2].pk]  # A-3 was not reached: untick it
    done = client.post(url, {**data, "confirm": "1", "household": ticked})
    batch = NoticeBatch.objects.get()
    assert done.status_code == 302 and done["Location"] == batch.get_absolute_url()
    assert batch.household_count == 2
    assert set(batch.deliveries.values_list("household__household_no", flat=True)) == {"A-1", "A-2"}
    assert batch.deliveries.get(household=households[1]).recipient == "户主1"
    again = client.post(url, {**data, "confirm": "1", "household": ticked})  # delivered already: nothing left
    assert again.status_code == 422 and "没有可登记的农户" in again.content.decode()

    page = client.get(batch.get_absolute_url())
    assert "整批撤回" in page.content.decode()
    client.post(reverse("monitoring:notice_batch_withdraw", args=[batch.pk]))
    batch.refresh_from_db()
    assert batch.status == NoticeBatch.WITHDRAWN and batch.withdrawn_count == 2
    assert list(NoticeDelivery.objects.values_list("household__household_no", flat=True)) == ["A-0"]
    assert ObjectChange.objects.filter(content_type__model="noticedelivery", action=ObjectChange.DELETE).count() == 2
    with pytest.raises(notices.NoticeRefused, match="已撤回"):
        notices.withdraw_batch(user=world.officer_a, batch=batch)


def test_bulk_delivery_of_another_village_is_out_of_reach(world, client_for):
    leaflet = document(world)
    other = make_household(world.village_b, household_no="B-1")
    assert (
        client_for(world.officer_a).get(reverse("monitoring:notice_batch_add", args=[world.village_b.pk])).status_code
        == 404
    )
    with pytest.raises(notices.NoticeRefused, match="不在您的管辖范围内"):
        notices.record_batch(
            user=world.officer_a, document=leaflet, village=world.village_b, household_ids=[other.pk], delivered_by="x"
        )
    notices.record_batch(
        user=world.officer_b, document=leaflet, village=world.village_b, household_ids=[other.pk], delivered_by="x"
    )
    batch = NoticeBatch.objects.get()
    assert client_for(world.officer_a).get(batch.get_absolute_url()).status_code == 404
    response = client_for(world.officer_a).post(reverse("monitoring:notice_batch_withdraw", args=[batch.pk]))
    assert response.status_code == 404 and NoticeDelivery.objects.count() == 1


def test_the_monitored_leaflet_goes_to_monitored_households_only(world):
    policy = document(world, "帮扶政策明白纸", NoticeDocument.MONITORED)
    plain = make_household(world.village_a, household_no="A-1")
    watched = monitored(world.village_a, "A-2")
    candidates = notices.batch_candidates(user=world.officer_a, document=policy, village=world.village_a)
    assert list(candidates) == [watched]
    with pytest.raises(notices.NoticeRefused, match="不是监测户"):
        notices.record_delivery(
            user=world.officer_a,
            household=plain,
            kind=NoticeDelivery.LEAFLET,
            document=policy,
            delivered_by="x",
            recipient="y",
        )


def test_coverage_per_village_counts_households_and_monitored_separately(world, client_for):
    leaflet = document(world)
    policy = document(world, "帮扶政策明白纸", NoticeDocument.MONITORED)
    plain = [make_household(world.village_a, household_no=f"A-{i}") for i in range(3)]
    watched = [monitored(world.village_a, f"A-M{i}") for i in range(2)]
    make_household(world.village_a2, household_no="A2-1")

    def give(household, doc):
        notices.record_delivery(
            user=world.officer_a,
            household=household,
            kind=NoticeDelivery.LEAFLET,
            document=doc,
            delivered_by="甲",
            recipient="乙",
        )

    give(plain[0], leaflet)
    give(watched[0], leaflet)
    give(watched[1], policy)
    rows = {row.village.code: row for row in notices.coverage(world.reviewer_a, world.township_a)}
    a = {cov.document.pk: cov for cov in rows[world.village_a.code].documents}
    assert (a[leaflet.pk].households, a[leaflet.pk].delivered, a[leaflet.pk].missing) == (5, 2, 3)
    assert (a[leaflet.pk].monitored, a[leaflet.pk].monitored_delivered, a[leaflet.pk].monitored_missing) == (2, 1, 1)
    assert (a[policy.pk].monitored, a[policy.pk].monitored_delivered, a[policy.pk].percent) == (2, 1, "50.0%")
    a2 = {cov.document.pk: cov for cov in rows[world.village_a2.code].documents}
    assert (a2[leaflet.pk].households, a2[leaflet.pk].delivered, a2[leaflet.pk].percent) == (1, 0, "0.0%")
    assert world.village_b.code not in rows

    page = client_for(world.officer_a).get(reverse("monitoring:notice_coverage"))
    html = page.content.decode()
    assert page.status_code == 200 and f'data-village="{world.village_a.code}"' in html
    assert f'data-village="{world.village_a2.code}"' not in html  # the officer of 甲村 sees his village only
    assert f'<td class="text-end" data-households="{leaflet.pk}">2/5' in html
    assert f'<td class="text-end" data-monitored="{policy.pk}">1/2' in html
    out = client_for(world.officer_a).get(reverse("monitoring:notice_coverage") + f"?area={world.village_b.code}")
    assert out.status_code == 404


def test_documents_are_the_county_admins_and_served_in_scope(world, client_for, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    leaflet = document(world)
    url = reverse("core:served_file", args=["notice_document", leaflet.pk])
    assert client_for(world.officer_a).get(url).status_code == 200
    other = make_user("other_admin", "county_admin", world.other_county)
    assert client_for(other).get(url).status_code == 404
    assert client_for(world.officer_a).get(reverse("monitoring:noticedocument_add")).status_code == 403
    assert client_for(world.admin).get(reverse("monitoring:noticedocument_add")).status_code == 200


def test_the_ledger_lists_each_delivery_in_the_users_scope(world, line, tmp_path):
    from tests.test_ledgers import build

    leaflet = document(world)
    case = eliminate(world, world.village_a, no="A-1")
    deliver_exit(case, world.officer_a, way="留置送达")
    notices.record_delivery(
        user=world.officer_a,
        household=case.household,
        kind=NoticeDelivery.LEAFLET,
        document=leaflet,
        delivered_by="驻村队员",
        recipient="李𠮷英",
    )
    other = make_household(world.village_b, household_no="B-1", head="赵一")
    notices.record_batch(
        user=world.officer_b, document=leaflet, village=world.village_b, household_ids=[other.pk], delivered_by="乙"
    )
    sheet = build("notices", world.admin, tmp_path)
    assert "告知书与明白纸送达台账" in sheet.title
    assert sheet.column("文书") == ["退出告知书", "监测对象申报政策明白纸", "监测对象申报政策明白纸"]
    assert sheet.column("户主姓名") == [RARE_HEAD, RARE_HEAD, "赵一"]
    exit_row = sheet.row_of("送达方式", "留置送达")
    assert exit_row["签收人"] == RARE_HEAD and exit_row["整村发放"] == "否"
    assert sheet.row_of("户主姓名", "赵一")["整村发放"] == "是"
    assert build("notices", world.officer_a, tmp_path).column("户编号") == ["A-1", "A-1"]


def test_the_dashboard_card_counts_coverage_and_notices_due(world, line):
    from collections import Counter

    from shoudi.dashboards.notices import notice_figures

    def figures():
        counted = Counter()
        for _code, bucket, n in notice_figures(None, TODAY):
            counted[bucket] += n
        return counted

    leaflet = document(world)
    policy = document(world, "帮扶政策明白纸", NoticeDocument.MONITORED)
    plain = make_household(world.village_a, household_no="A-1")
    watched = monitored(world.village_a, "A-2")
    case = eliminate(world, world.village_a, no="A-3")
    for household in (plain, watched):
        notices.record_delivery(
            user=world.officer_a,
            household=household,
            kind=NoticeDelivery.LEAFLET,
            document=leaflet,
            delivered_by="甲",
            recipient="乙",
        )
    counted = figures()
    assert (counted["households"], counted["households_covered"]) == (3, 2)
    assert (counted["monitored"], counted["monitored_covered"]) == (1, 0)  # the 监测户 lacks the 帮扶政策明白纸
    assert (counted["exit_due"], counted["exit_delivered"]) == (1, 0)
    notices.record_delivery(
        user=world.officer_a,
        household=watched,
        kind=NoticeDelivery.LEAFLET,
        document=policy,
        delivered_by="甲",
        recipient="乙",
    )
    deliver_exit(case, world.officer_a)
    counted = figures()
    assert counted["monitored_covered"] == 1 and (counted["exit_due"], counted["exit_delivered"]) == (0, 1)


def test_the_county_admin_uploads_a_document_of_an_accepted_type(world, client_for, settings, tmp_path):
    from django.core.files.uploadedfile import SimpleUploadedFile

    settings.MEDIA_ROOT = tmp_path
    client = client_for(world.admin)
    url = reverse("monitoring:noticedocument_add")
    data = {"region": world.county.pk, "title": "帮扶政策明白纸", "audience": NoticeDocument.MONITORED, "active": "on"}
    refused = client.post(url, {**data, "file": SimpleUploadedFile("a.exe", b"MZ")})
    assert "类型不支持" in refused.content.decode() and not NoticeDocument.objects.exists()
    client.post(url, {**data, "file": SimpleUploadedFile("明白纸.pdf", b"%PDF-1.4 x")})
    saved = NoticeDocument.objects.get()
    assert saved.title == "帮扶政策明白纸" and saved.file.name.startswith("明白纸/")
    page = client.get(reverse("monitoring:noticedocument_list"))
    assert reverse("core:served_file", args=["notice_document", saved.pk]) in page.content.decode()
