"""Issue 15 (low): the cadre import links a login account of the importer's own region only; one of another county
is refused like one that does not exist."""

from __future__ import annotations

import xlsxwriter

from shoudi.accounts.testing import make_user
from shoudi.assistance.models import Cadre
from tests.test_assistance import post_cadre_file


def cadre_file(path, username: str):
    book = xlsxwriter.Workbook(str(path))
    sheet = book.add_worksheet()
    for r, row in enumerate([["姓名", "后盾单位", "登录账号"], ["张帮扶", "县财政局", username]]):
        for c, value in enumerate(row):
            sheet.write_string(r, c, value)
    book.close()
    return path


def test_a_login_of_another_county_is_not_linked(world, client_for, tmp_path, settings):
    make_user("cadre_here", "cadre", world.village_a, name="本县干部")
    make_user("cadre_there", "cadre", world.other_village, name="邻县干部")
    client = client_for(world.admin)
    html = post_cadre_file(client, cadre_file(tmp_path / "a.xlsx", "cadre_there"), settings)
    assert "登录账号“cadre_there”不存在或不是帮扶干部角色" in html and not Cadre.objects.exists()
    assert "帮扶干部已导入" in post_cadre_file(client, cadre_file(tmp_path / "b.xlsx", "cadre_here"), settings)
    assert Cadre.objects.get().user.username == "cadre_here"
