"""导入民政名单 (issue 20 §1): a 民政 list is matched by ID number to the members in the importer's scope; the preview
shows the new, ended and unmatched rows with their row numbers and writes nothing; confirming applies it as one
batch, and 撤回 undoes exactly what that batch did. An unknown 类别 is kept and warned about; a bad ID is an error
naming its row and column, and a list with errors cannot be confirmed."""

from __future__ import annotations

import datetime
import io

import pytest
import xlsxwriter
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from shoudi.core.models import ObjectChange
from shoudi.lowincome import choices as c
from shoudi.lowincome.models import Designation, DesignationImport
from shoudi.registry.testing import make_household, make_id_number, make_member

pytestmark = [pytest.mark.django_db]
HEADER = ["序号", "姓名", "证件号码", "类别", "起始日期", "终止日期", "备注"]
IMPORT = "lowincome:designation_import"


def _xlsx(rows, name="民政低保名单.xlsx") -> SimpleUploadedFile:
    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(buffer, {"in_memory": True})
    sheet = book.add_worksheet("名单")
    sheet.write_row(0, 0, ["2026年12月农村低保对象名单"])
    for n, row in enumerate([HEADER, *rows], start=1):
        sheet.write_row(n, 0, row)
    book.close()
    return SimpleUploadedFile(name, buffer.getvalue())


def _client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def people(world, settings, tmp_path):
    """Two households of village A (township A), one of village B; a 低保 designation from an earlier list."""
    settings.MEDIA_ROOT = tmp_path
    a1 = make_household(world.village_a, household_no="A-1", head="王大")
    a2 = make_household(world.village_a2, household_no="A-2", head="赵二")
    b1 = make_household(world.village_b, household_no="B-1", head="钱三")
    child = make_member(a1, name="王小", relation="之子", birth="20150301")
    earlier = Designation.objects.create(
        household=a2, member=a2.head, category="农村低保", source=c.LIST, since=datetime.date(2024, 1, 1)
    )
    return {"a1": a1, "a2": a2, "b1": b1, "child": child, "earlier": earlier}


def _rows(people):
    a1, a2, b1 = people["a1"], people["a2"], people["b1"]
    return [
        [1, "王大", a1.head.id_number, "低保", "2026-11-01", "", "新纳入"],  # row 3: new (a synonym of 农村低保)
        [2, "王小", people["child"].id_number, "留守儿童", "2026/10/1", "", ""],  # row 4: new
        [3, "赵二", a2.head.id_number, "农村低保", "2024-01-01", "2026-11-30", "退出"],  # row 5: ends the earlier one
        [4, "钱三", b1.head.id_number, "农村低保", "2026-11-01", "", ""],  # row 6: another township: unmatched
        [5, "孙四", make_id_number("19700101"), "特困供养（分散）", "", "", ""],  # row 7: nobody of the register
    ]


def test_preview_shows_new_ended_and_unmatched_rows_and_writes_nothing(world, people):
    client = _client(world.reviewer_a)
    response = client.post(reverse(IMPORT), {"file": _xlsx(_rows(people))})
    assert response.status_code == 200
    result = response.context["result"]
    assert [(r.row, r.category) for r in result.new] == [(3, "农村低保"), (4, "留守儿童")]
    assert [(r.row, r.designation_id) for r in result.ended] == [(5, people["earlier"].pk)]
    assert [r.row for r in result.unmatched] == [6, 7]
    assert not result.errors
    page = response.content.decode()
    assert "新增 2 条，终止 1 条" in page and "未匹配 2 人" in page
    assert "确认导入" in page
    assert Designation.objects.count() == 1 and not DesignationImport.objects.exists()
    assert people["earlier"].__class__.objects.get(pk=people["earlier"].pk).until is None


def test_confirm_applies_the_list_and_withdraw_undoes_it(world, people):
    client = _client(world.reviewer_a)
    client.post(reverse(IMPORT), {"file": _xlsx(_rows(people))})
    response = client.post(reverse(IMPORT), {"confirm": "1"})
    assert response.status_code == 302 and response.url == reverse("lowincome:import_list")
    batch = DesignationImport.objects.get()
    assert (batch.created_count, batch.ended_count, batch.unmatched_count) == (2, 1, 2)
    created = Designation.objects.filter(batch=batch).order_by("pk")
    assert [(d.member.name, d.category, d.source, d.since) for d in created] == [
        ("王大", "农村低保", c.LIST, datetime.date(2026, 11, 1)),
        ("王小", "留守儿童", c.LIST, datetime.date(2026, 10, 1)),
    ]
    earlier = Designation.objects.get(pk=people["earlier"].pk)
    assert earlier.until == datetime.date(2026, 11, 30) and earlier.ended_by == batch
    # the bulk writes are in the change log
    assert ObjectChange.objects.filter(object_id=str(created[0].pk), action=ObjectChange.CREATE).exists()
    assert ObjectChange.objects.filter(object_id=str(earlier.pk), action=ObjectChange.UPDATE).exists()

    listing = client.get(reverse("lowincome:import_list")).content.decode()
    assert "民政低保名单.xlsx" in listing and "撤回" in listing
    response = client.post(reverse("lowincome:import_withdraw", args=[batch.pk]))
    assert response.status_code == 302
    assert not Designation.objects.filter(batch=batch).exists()
    earlier.refresh_from_db()
    assert earlier.until is None and earlier.ended_by is None and earlier.end_reason == ""
    batch.refresh_from_db()
    assert batch.withdrawn_at is not None and batch.withdrawn_by == world.reviewer_a
    # a second withdrawal is refused
    client.post(reverse("lowincome:import_withdraw", args=[batch.pk]))
    assert Designation.objects.count() == 1


def test_withdraw_is_refused_while_a_later_import_ended_its_rows(world, people):
    from shoudi.lowincome import services

    client = _client(world.reviewer_a)
    client.post(reverse(IMPORT), {"file": _xlsx(_rows(people)[:1])})
    client.post(reverse(IMPORT), {"confirm": "1"})
    first = DesignationImport.objects.get()
    ending = [[1, "王大", people["a1"].head.id_number, "农村低保", "2026-11-01", "2026-11-20", ""]]
    client.post(reverse(IMPORT), {"file": _xlsx(ending, "退出名单.xlsx")})
    client.post(reverse(IMPORT), {"confirm": "1"})
    second = DesignationImport.objects.exclude(pk=first.pk).get()
    with pytest.raises(services.Refused, match=r"退出名单\.xlsx"):
        services.withdraw_import(user=world.reviewer_a, batch=first)
    services.withdraw_import(user=world.reviewer_a, batch=second)
    services.withdraw_import(user=world.reviewer_a, batch=first)
    assert Designation.objects.count() == 1


def test_an_unknown_category_is_kept_and_warned_about(world, people):
    client = _client(world.reviewer_a)
    rows = [[1, "王大", people["a1"].head.id_number, "困境儿童", "2026-11-01", "", ""]]
    response = client.post(reverse(IMPORT), {"file": _xlsx(rows)})
    result = response.context["result"]
    assert result.ok and [r.category for r in result.new] == ["困境儿童"]
    assert "第 3 行“类别”：“困境儿童”不在低收入人口类别码表中，按原文保存" in response.content.decode()
    client.post(reverse(IMPORT), {"confirm": "1"})
    designation = Designation.objects.get(category="困境儿童")
    assert designation.member == people["a1"].head


def test_a_bad_id_is_an_error_naming_the_row_and_the_list_cannot_be_confirmed(world, people):
    client = _client(world.reviewer_a)
    good = people["a1"].head.id_number
    bad = good[:17] + ("0" if good[17] != "0" else "1")
    rows = [[1, "王大", good, "农村低保", "", "", ""], [2, "王小", bad, "留守儿童", "", "", ""]]
    response = client.post(reverse(IMPORT), {"file": _xlsx(rows)})
    page = response.content.decode()
    assert "第 4 行“证件号码”：证件号码校验位错误" in page
    assert "确认导入" not in page
    client.post(reverse(IMPORT), {"confirm": "1"})
    assert not DesignationImport.objects.exists()
    assert Designation.objects.count() == 1


def test_a_village_officer_may_not_import(world, people):
    response = _client(world.officer_a).get(reverse(IMPORT))
    assert response.status_code == 403
