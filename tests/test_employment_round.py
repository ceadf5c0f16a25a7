"""The yearly 务工 verification round (S004 (十)五): the preview counts 16–60 and the over-60s with work per village
and writes nothing, the confirmation's background job writes one row per person (the round is usable once it has; a
failed job run again writes nobody twice), a withdrawal takes them back while nobody is
verified, and a verification writes the member's 务工 facts. Ages are those on the round's reference date."""

from __future__ import annotations

import datetime

import pytest
from django.urls import reverse

from shoudi.core.models import Job
from shoudi.employment import choices as c
from shoudi.employment import services
from shoudi.employment.models import Verification, VerificationRound
from shoudi.employment.testing import started_round
from shoudi.monitoring.models import MonitoringCase
from shoudi.registry.models import Member
from shoudi.registry.testing import make_household, make_member

pytestmark = pytest.mark.django_db

DAY = datetime.date(2026, 12, 31)


def _lifted(village, **fields):
    return make_household(village, household_type="脱贫户", head="", **fields)


@pytest.fixture
def people(world):
    """A 脱贫户 of village A with persons aged 15, 16, 60 and 61 on 2026-12-31 (the 61-year-old and one of 62 with
    work), a monitored ordinary household of village A2, and an ordinary household nobody monitors."""
    home = _lifted(world.village_a)
    persons = {
        "15": make_member(home, name="十五岁", relation="户主", birth="20110101"),  # turns 16 on 2027-01-01
        "16": make_member(home, name="十六岁", birth="20101231"),  # 16 on the day itself
        "60": make_member(home, name="六十岁", birth="19660101"),
        "61": make_member(home, name="六十一岁", birth="19651231", employed=False),
        "62w": make_member(home, name="六十二岁务工", birth="19640601", employed=True, work_place="县城"),
        "dead": make_member(home, name="已故", birth="19800101", status="死亡"),
    }
    monitored = make_household(world.village_a2, head="监测户主")
    MonitoringCase.objects.create(
        household=monitored,
        category="边缘易致贫户",
        source="农户自主申报",
        clue_date=datetime.date(2026, 1, 5),
        identified_on=datetime.date(2026, 2, 1),
    )
    persons["monitored"] = monitored.head
    ordinary = make_household(world.village_a, head="一般户主")
    persons["ordinary"] = ordinary.head
    return persons


def test_the_preview_counts_ages_on_the_reference_date_and_writes_nothing(world, people, client_for):
    page = client_for(world.admin).get(reverse("employment:round_start"), {"year": 2026, "reference_date": DAY})
    assert page.status_code == 200
    rows = {r.code: r for r in page.context["rows"]}
    assert (rows["520102001001"].working_age, rows["520102001001"].over_60) == (2, 1)  # 16 and 60; the 62 with work
    assert (rows["520102001002"].working_age, rows["520102001002"].over_60) == (1, 0)  # the monitored head
    assert "确认发起" in page.content.decode()
    assert not VerificationRound.objects.exists() and not Verification.objects.exists()


def _confirm(client, django_capture_on_commit_callbacks, **data):
    """确认发起 through the page; the job it queues runs (django-tasks' immediate backend) before this returns."""
    with django_capture_on_commit_callbacks(execute=True):
        return client.post(reverse("employment:round_start"), {"year": 2026, "reference_date": DAY, **data})


def test_confirming_writes_one_row_per_person_with_the_age_on_the_date(
    world, people, client_for, run_now, django_capture_on_commit_callbacks
):
    response = _confirm(client_for(world.admin), django_capture_on_commit_callbacks)
    round_ = VerificationRound.objects.select_related("job").get()
    assert response.status_code == 302 and response.url == round_.get_absolute_url()
    assert round_.job.status == Job.SUCCEEDED and round_.job.done == round_.job.total == 4
    assert round_.job.result == {"待核实人数": 4, "本次写入": 4}
    rows = {v.member.name: (v.group, v.age) for v in Verification.objects.select_related("member")}
    assert rows == {
        "十六岁": (c.WORKING_AGE, 16),
        "六十岁": (c.WORKING_AGE, 60),
        "六十二岁务工": (c.OVER_60, 62),
        "监测户主": (c.WORKING_AGE, 46),
    }
    assert (round_.state, round_.persons) == (c.STARTED, 4)
    page = client_for(world.admin).get(round_.get_absolute_url()).content.decode()
    assert "应核实 4 人，已核实 0 人" in page and "整批撤回" in page
    again = _confirm(client_for(world.admin), django_capture_on_commit_callbacks)
    assert again.status_code == 422 and "已发起" in again.content.decode()
    assert Verification.objects.count() == 4


def test_the_round_waits_for_its_job_with_live_progress(world, people, client_for):
    """Before the worker has taken the job: the page follows it, nobody can verify, the county cannot withdraw."""
    response = client_for(world.admin).post(reverse("employment:round_start"), {"year": 2026, "reference_date": DAY})
    round_ = VerificationRound.objects.get()
    assert response.status_code == 302 and response.url == round_.get_absolute_url()
    assert round_.state == c.CREATING and round_.job.status == Job.QUEUED and not Verification.objects.exists()
    page = client_for(world.admin).get(round_.get_absolute_url()).content.decode()
    assert "正在生成名单" in page and "生成完毕前不能核实或撤回" in page
    poll = reverse("core:job_detail", args=[round_.job_id]) + "?progress=1&amp;reload=1"
    assert f'hx-get="{poll}"' in page and 'hx-trigger="every 1s"' in page
    assert "整批撤回" not in page and "重新生成名单" not in page
    # a village officer, who may not see the county's job, is told to come back
    village_page = client_for(world.officer_a).get(round_.get_absolute_url()).content.decode()
    assert "请稍后刷新本页" in village_page and "hx-get" not in village_page
    refused = client_for(world.admin).post(reverse("employment:round_withdraw", args=[round_.pk]), follow=True)
    assert "核实名单正在生成，请待生成完毕后再撤回" in refused.content.decode()
    assert VerificationRound.objects.get().state == c.CREATING
    # a row the job has written already cannot be verified before the job has finished
    row = Verification.objects.create(round=round_, member=people["16"], village=world.village_a, group="16-60", age=16)
    with pytest.raises(services.RoundRefused, match="生成完毕后才能核实"):
        services.verify(user=world.officer_a, verification=row, employed=False)


def test_a_failed_job_run_again_writes_nobody_twice(
    world, people, client_for, run_now, monkeypatch, django_capture_on_commit_callbacks
):
    monkeypatch.setattr(services, "BATCH", 2)
    original, calls = Verification.objects.bulk_create, []

    def disk_full_on_the_second_batch(rows, *args, **kwargs):
        calls.append(len(rows))
        if len(calls) == 2:
            raise OSError("disk full")
        return original(rows, *args, **kwargs)

    monkeypatch.setattr(Verification.objects, "bulk_create", disk_full_on_the_second_batch)
    _confirm(client_for(world.admin), django_capture_on_commit_callbacks)
    round_ = VerificationRound.objects.select_related("job").get()
    assert round_.job.status == Job.FAILED and round_.state == c.CREATING
    assert Verification.objects.count() == 2  # the first batch, committed before the failure
    page = client_for(world.admin).get(round_.get_absolute_url()).content.decode()
    assert "生成核实名单失败" in page and "重新生成名单" in page and "整批撤回" in page
    with pytest.raises(services.RoundRefused, match="生成完毕后才能核实"):
        services.verify(user=world.officer_a, verification=Verification.objects.first(), employed=False)

    monkeypatch.setattr(Verification.objects, "bulk_create", original)
    with django_capture_on_commit_callbacks(execute=True):
        response = client_for(world.admin).post(reverse("employment:round_retry", args=[round_.pk]))
    assert response.status_code == 302 and response.url == round_.get_absolute_url()
    round_.refresh_from_db()
    round_.job.refresh_from_db()
    assert round_.job.status == Job.SUCCEEDED and round_.job.attempts == 2
    assert "已写入的 2 人保留，不重复写入" in round_.job.log
    assert round_.job.result == {"待核实人数": 4, "本次写入": 2}
    names = sorted(Verification.objects.values_list("member__name", flat=True))
    assert names == ["六十二岁务工", "六十岁", "十六岁", "监测户主"]  # each once
    assert (round_.state, round_.persons) == (c.STARTED, 4)
    again = client_for(world.admin).post(reverse("employment:round_retry", args=[round_.pk]), follow=True)
    assert "该核实的名单已生成" in again.content.decode() and Verification.objects.count() == 4


def test_a_round_whose_job_failed_may_be_withdrawn(
    world, people, client_for, run_now, monkeypatch, django_capture_on_commit_callbacks
):
    monkeypatch.setattr(services, "BATCH", 2)
    original, calls = Verification.objects.bulk_create, []

    def fail_second(rows, *args, **kwargs):
        calls.append(1)
        if len(calls) == 2:
            raise OSError("disk full")
        return original(rows, *args, **kwargs)

    monkeypatch.setattr(Verification.objects, "bulk_create", fail_second)
    _confirm(client_for(world.admin), django_capture_on_commit_callbacks)
    round_ = VerificationRound.objects.get()
    assert Verification.objects.count() == 2
    response = client_for(world.admin).post(reverse("employment:round_withdraw", args=[round_.pk]))
    assert response.status_code == 302
    round_.refresh_from_db()
    assert round_.state == c.WITHDRAWN and not Verification.objects.exists()
    refused = client_for(world.admin).post(reverse("employment:round_retry", args=[round_.pk]), follow=True)
    assert "该核实已撤回" in refused.content.decode()


def test_a_later_reference_date_moves_the_boundaries(world, people):
    round_ = started_round(world.admin, world.county, 2027, datetime.date(2027, 1, 1))
    names = set(round_.rows.values_list("member__name", flat=True))
    assert "十五岁" in names  # 16 on 2027-01-01
    assert "六十岁" not in names and "六十一岁" not in names  # 61 on 2027-01-01, no work recorded


def test_withdrawal_takes_the_rows_back_only_while_nobody_is_verified(world, people, client_for):
    round_ = started_round(world.admin, world.county, 2026, DAY)
    first = round_.rows.order_by("pk").first()
    services.verify(user=world.officer_a, verification=first, employed=False)
    refused = client_for(world.admin).post(reverse("employment:round_withdraw", args=[round_.pk]), follow=True)
    assert "已有 1 人核实，不能撤回" in refused.content.decode()
    assert round_.rows.count() == 4

    first.refresh_from_db()
    Verification.objects.filter(pk=first.pk).update(verified_at=None)
    response = client_for(world.admin).post(reverse("employment:round_withdraw", args=[round_.pk]))
    assert response.status_code == 302
    round_.refresh_from_db()
    assert round_.state == c.WITHDRAWN and not Verification.objects.exists()
    # a new round for the year may start after the withdrawal
    started_round(world.admin, world.county, 2026, DAY)


def test_only_the_county_starts_and_withdraws(world, people, client_for):
    assert client_for(world.officer_a).get(reverse("employment:round_start")).status_code == 403
    round_ = started_round(world.admin, world.county, 2026, DAY)
    assert client_for(world.reviewer_a).post(reverse("employment:round_withdraw", args=[round_.pk])).status_code == 403
    assert client_for(world.reviewer_a).post(reverse("employment:round_retry", args=[round_.pk])).status_code == 403
    assert VerificationRound.objects.get().state == c.STARTED


def test_verifying_a_person_updates_the_member(world, people, client_for):
    round_ = started_round(world.admin, world.county, 2026, DAY)
    row = round_.rows.get(member=people["16"])
    url = reverse("employment:verify", args=[row.pk])
    bad = client_for(world.officer_a).post(url, {"employed": "1", "work_place": "", "work_months": "", "work_type": ""})
    assert bad.status_code == 422 and "已务工的请填写务工地点" in bad.content.decode()
    response = client_for(world.officer_a).post(
        url, {"employed": "1", "work_place": "广东省东莞市", "work_months": "8", "work_type": "省外务工"}
    )
    assert response.status_code == 302
    member = Member.objects.get(pk=people["16"].pk)
    assert (member.employed, member.work_place, member.work_months) == (True, "广东省东莞市", 8)
    row.refresh_from_db()
    assert row.is_verified and row.verified_by == world.officer_a and row.work_type == "省外务工"
    # the member's history shows the change, made by the officer
    from shoudi.core.models import ObjectChange

    change = ObjectChange.objects.filter(object_id=str(member.pk), content_type__model="member").latest("time")
    assert change.user == world.officer_a and change.after["work_place"] == "广东省东莞市"

    # not employed clears the place and months
    services.verify(user=world.officer_a, verification=row, employed=False, work_place="x", work_months=3)
    member.refresh_from_db()
    assert (member.employed, member.work_place, member.work_months) == (False, "", 0)


def test_the_village_pages_are_scoped(world, people, client_for):
    round_ = started_round(world.admin, world.county, 2026, DAY)
    row = round_.rows.get(member=people["16"])
    assert client_for(world.officer_b).get(reverse("employment:verify", args=[row.pk])).status_code == 404
    detail = client_for(world.officer_a).get(round_.get_absolute_url())
    assert [r.code for r in detail.context["rows"]] == ["520102001001"]  # the officer's village only
    persons = client_for(world.officer_a).get(
        reverse("employment:round_persons", args=[round_.pk]), {"village": "520102001001"}
    )
    names = [r.member.name for r in persons.context["table"].data]
    assert sorted(names) == ["六十二岁务工", "六十岁", "十六岁"]
    assert "11010" not in persons.content.decode()  # ID numbers are masked


def test_progress_per_village(world, people, client_for):
    round_ = started_round(world.admin, world.county, 2026, DAY)
    services.verify(
        user=world.officer_a, verification=round_.rows.get(member=people["60"]), employed=True, work_place="本村"
    )
    page = client_for(world.admin).get(round_.get_absolute_url())
    rows = {r.code: (r.total, r.verified, r.employed) for r in page.context["rows"]}
    assert rows == {"520102001001": (3, 1, 1), "520102001002": (1, 0, 0)}
    assert "整批撤回" not in page.content.decode()
