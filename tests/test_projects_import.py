"""导入项目清单 (issue 21 §5): the existing project list is checked row by row (Chinese errors naming row and column),
nothing is written until the user confirms, and a confirmed list enters every project in the library (a row with a
计划年度 in that year's plan) within the user's scope."""

from __future__ import annotations

import io
from decimal import Decimal

import pytest
import xlsxwriter
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from shoudi.projects import choices as c
from shoudi.projects.models import Project
from shoudi.registry.testing import make_household

pytestmark = [pytest.mark.django_db]
HEADER = [
    "项目名称",
    "项目类型",
    "项目子类型",
    "建设地点",
    "实施单位",
    "项目年度",
    "中央衔接资金",
    "县级衔接资金",
    "其他资金",
    "联农带农机制",
    "计划年度",
    "受益户编号",
]


def _xlsx(rows) -> SimpleUploadedFile:
    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(buffer, {"in_memory": True})
    sheet = book.add_worksheet("项目库")
    sheet.write_row(0, 0, ["2025年度巩固拓展脱贫攻坚成果项目库"])
    for n, row in enumerate([HEADER, *rows], start=1):
        sheet.write_row(n, 0, row)
    book.close()
    return SimpleUploadedFile("项目库.xlsx", buffer.getvalue())


def _client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_a_project_list_is_previewed_then_entered(world, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    make_household(world.village_a, household_no="H-9", head="李四")
    rows = [
        [
            "甲村茶叶加工厂",
            "产业发展",
            "加工流通",
            world.village_a.code,
            "甲村股份经济合作社",
            2025,
            500000,
            "1,000.50",
            0,
            "入股分红",
            2025,
            "H-9",
        ],
        ["乙村饮水巩固提升", "基础设施", "农村供水", "乙村", "县水务局", "2025", "200000", "", "", "", "", ""],
    ]
    client = _client(world.admin)
    page = client.post("/projects/import/", {"file": _xlsx(rows)})
    text = page.content.decode()
    assert page.status_code == 200 and "2 个项目可导入，0 处错误" in text and "确认导入 2 个项目" in text
    assert not Project.objects.exists()  # the preview writes nothing
    assert client.post("/projects/import/", {"confirm": "1"}).status_code == 302
    tea = Project.objects.get(name="甲村茶叶加工厂")
    assert tea.state == c.PLANNED and tea.plan_year == 2025 and tea.imported
    assert tea.budget_total == Decimal("501000.50") and [h.household_no for h in tea.beneficiaries.all()] == ["H-9"]
    water = Project.objects.get(name="乙村饮水巩固提升")
    assert water.state == c.LIBRARY and water.region == world.village_b
    assert list(water.steps.values_list("action", flat=True)) == ["导入"]
    client.post("/projects/import/", {"confirm": "1"})  # the confirmed upload is gone
    assert Project.objects.count() == 2


def test_bad_rows_are_named_and_nothing_is_written(world, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    Project.objects.create(
        name="甲村老项目",
        project_type="其他",
        subtype="其他",
        region=world.village_a,
        implementing_unit="镇政府",
        year=2024,
        budget_county=Decimal("1"),
    )
    rows = [
        ["甲村冷库", "产业", "", world.village_a.code, "镇政府", 2025, 1000, "", "", "", "", ""],
        ["甲村冷库二期", "产业发展", "冷链", world.village_a.code, "镇政府", 2025, "十万", "", "", "", "", ""],
        ["邻县项目", "基础设施", "农村道路", world.other_village.code, "县交通局", 2025, 1000, "", "", "", "", ""],
        ["甲村老项目", "其他", "", "甲村", "镇政府", 2024, 1000, "", "", "", "", ""],
        ["甲村光伏", "产业发展", "光伏", "甲村", "镇政府", 25, 0, "", "", "", "", "X-1"],
    ]
    page = _client(world.reviewer_a).post("/projects/import/", {"file": _xlsx(rows)})
    text = page.content.decode()
    assert "0 个项目可导入" in text and "确认导入" not in text
    for message in (
        "第 3 行“项目类型”：“产业”不是可选的项目类型",
        "第 4 行“项目子类型”：“冷链”不是“产业发展”的子类型",
        "第 4 行“中央衔接资金”：“十万”应为金额",
        f"第 5 行“建设地点”：“{world.other_village.code}”不是您管辖范围内的区划",
        "第 6 行“项目名称”：项目库中已有该项目",
        "第 7 行“项目年度”：“25”不是有效的年度",
        "第 7 行“受益户编号”：没有找到户编号 X-1",
    ):
        assert message in text, message
    assert Project.objects.count() == 1
    # a village officer may propose, not import
    assert _client(world.officer_a).get("/projects/import/").status_code == 403
