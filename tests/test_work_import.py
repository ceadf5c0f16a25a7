"""导入问题清单: a list is checked row by row (Chinese errors naming row and column), nothing is written until the
user confirms, and a confirmed list issues every problem in the user's scope."""

from __future__ import annotations

import datetime
import io

import pytest
import xlsxwriter
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from shoudi.registry.testing import make_household
from shoudi.work.models import Problem

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("national_calendar")]
HEADER = ["问题来源", "文件编号", "问题类别", "问题", "责任区划", "整改期限", "期限（工作日）", "涉及户编号"]


def _xlsx(rows) -> SimpleUploadedFile:
    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(buffer, {"in_memory": True})
    sheet = book.add_worksheet("问题清单")
    sheet.write_row(0, 0, ["百日攻坚问题排查清单"])
    for n, row in enumerate([HEADER, *rows], start=1):
        sheet.write_row(n, 0, row)
    book.close()
    return SimpleUploadedFile("问题清单.xlsx", buffer.getvalue())


def _client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_a_list_is_previewed_then_issued(world, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    make_household(world.village_a, household_no="H-9", head="李四")
    later = (datetime.date.today() + datetime.timedelta(days=60)).isoformat()
    rows = [
        ["专项排查", "县攻坚办〔2026〕8号", "饮水", "甲村饮水问题", world.village_a.code, later, "", "H-9"],
        ["审计", "", "项目资金", "乙村项目资金问题", "乙村", "", "15", ""],
    ]
    client = _client(world.admin)
    page = client.post("/work/problems/import/", {"file": _xlsx(rows)})
    text = page.content.decode()
    assert page.status_code == 200 and "2 个问题可导入，0 处错误" in text and "确认导入 2 个问题" in text
    assert not Problem.objects.exists()  # the preview writes nothing
    page = client.post("/work/problems/import/", {"confirm": "1"})
    assert page.status_code == 302
    water = Problem.objects.get(title="甲村饮水问题")
    assert water.region == world.village_a and [h.household_no for h in water.households.all()] == ["H-9"]
    funds = Problem.objects.get(title="乙村项目资金问题")
    assert funds.region == world.village_b and funds.due_workdays == 15 and funds.steps.count() == 1
    # the confirmed upload is gone: confirming again issues nothing more
    client.post("/work/problems/import/", {"confirm": "1"})
    assert Problem.objects.count() == 2


def test_bad_rows_are_named_and_nothing_is_issued(world, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    rows = [
        ["暗访", "", "饮水", "来源写错", world.village_a.code, "2099-01-01", "", ""],
        ["审计", "", "饮水", "邻县的村", world.other_village.code, "2099-01-01", "", ""],
        ["审计", "", "饮水", "日期写错", world.village_a.code, "明年", "", ""],
        ["审计", "", "饮水", "户不存在", world.village_a.code, "2099-01-01", "", "NOPE"],
    ]
    client = _client(world.reviewer_a)
    text = client.post("/work/problems/import/", {"file": _xlsx(rows)}).content.decode()
    assert "第 3 行“问题来源”：“暗访”不是可选的值" in text
    assert f"第 4 行“责任区划”：“{world.other_village.code}”不是您管辖范围内的区划" in text
    assert "第 5 行“整改期限”：“明年”不是有效的日期" in text
    assert "第 6 行“涉及户编号”：没有找到户编号 NOPE" in text
    assert "确认导入" not in text
    assert client.post("/work/problems/import/", {"confirm": "1"}).status_code == 302
    assert not Problem.objects.exists()


def test_a_village_may_not_import_and_a_file_without_header_is_refused(world, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    assert _client(world.officer_a).get("/work/problems/import/").status_code == 403
    csv = SimpleUploadedFile("清单.csv", "姓名,电话\n张三,1\n".encode())
    page = _client(world.admin).post("/work/problems/import/", {"file": csv})
    assert page.status_code == 422 and "没有找到表头" in page.content.decode()
