"""Work cards (工作卡, S000 附件3): fields and colour of an eliminated and a monitored household, rare characters in the
PDF's text layer with embedded fonts, one card a page in a batch, a card that follows changes, scope and masking,
the batch job (two processes) and the CLI — checked by opening the produced pages and files."""

from __future__ import annotations

import datetime
import io
import multiprocessing
import os
import shutil
import subprocess
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from pypdf import PdfReader

from shoudi.accounts.testing import make_user
from shoudi.assistance.models import Cadre, Measure, Pairing
from shoudi.cards import pdf, workcards
from shoudi.cards import views as cards_views
from shoudi.cards.workcards import card_households, work_cards
from shoudi.core.models import AccessLog, Job
from shoudi.monitoring import choices as mc
from shoudi.monitoring.models import MonitoringCase
from shoudi.registry.testing import make_household, make_member
from tests.browser import browser_required

RARE_HEAD = "王䶮"  # U+4DAE, CJK Extension A
RARE_SPOUSE = "刘𠮷英"  # U+20BB7, CJK Extension B (outside the BMP)


# --- poppler --------------------------------------------------------------------------------------------------------


def poppler(tool: str) -> str:
    """Path of a poppler-utils tool; missing: skipped, or failed when SHOUDI_REQUIRE_BROWSER is set (CI)."""
    path = shutil.which(tool)
    if path is None:
        message = f"{tool} (poppler-utils) is not installed; make test installs it"
        if browser_required():
            pytest.fail(f"SHOUDI_REQUIRE_BROWSER is set: {message}", pytrace=False)
        pytest.skip(message)
    return path


def pdf_text(data: bytes, tmp_path: Path, name: str = "doc.pdf") -> list[str]:
    """The text layer of each page in drawing order (pdftotext -raw), split at the form feeds between pages."""
    path = tmp_path / name
    path.write_bytes(data)
    out = subprocess.run(
        [poppler("pdftotext"), "-raw", "-enc", "UTF-8", str(path), "-"], capture_output=True, check=True
    ).stdout.decode("utf-8")
    return out.split("\f")[: len(PdfReader(io.BytesIO(data)).pages)]


def pdf_fonts(data: bytes, tmp_path: Path) -> list[dict]:
    """pdffonts' table: name, type and whether each font is embedded."""
    path = tmp_path / "fonts.pdf"
    path.write_bytes(data)
    lines = subprocess.run(
        [poppler("pdffonts"), str(path)], capture_output=True, check=True, text=True
    ).stdout.splitlines()
    rows = []
    for line in lines[2:]:
        parts = line.split()
        # name type [encoding…] emb sub uni object ID
        rows.append({"name": parts[0], "emb": parts[-5], "sub": parts[-4]})
    return rows


def page_colours(data: bytes, tmp_path: Path, page: int = 1) -> dict[str, int]:
    """Strongly red and strongly green pixels of a page rendered at 20 dpi (pdftoppm, binary PPM)."""
    path = tmp_path / "colour.pdf"
    path.write_bytes(data)
    ppm = subprocess.run(
        [poppler("pdftoppm"), "-r", "20", "-f", str(page), "-l", str(page), str(path)], capture_output=True, check=True
    ).stdout
    header, pixels = _split_ppm(ppm)
    counts = {"red": 0, "green": 0}
    for i in range(0, len(pixels), 3):
        r, g, b = pixels[i], pixels[i + 1], pixels[i + 2]
        if r > 150 and g < 90 and b < 90:
            counts["red"] += 1
        elif g > 90 and r < 80 and b < 100:
            counts["green"] += 1
    return counts


def _split_ppm(ppm: bytes) -> tuple[list[bytes], bytes]:
    fields, pos = [], 0
    while len(fields) < 4:  # P6, width, height, maxval, separated by whitespace
        while ppm[pos : pos + 1].isspace():
            pos += 1
        end = pos
        while not ppm[end : end + 1].isspace():
            end += 1
        fields.append(ppm[pos:end])
        pos = end
    return fields, ppm[pos + 1 :]


def squash(text: str) -> str:
    """Text without the spaces and line breaks layout puts between characters."""
    return "".join(text.split())


# --- data -----------------------------------------------------------------------------------------------------------


def monitored_household(village, *, household_no, head, category="边缘易致贫户", eliminated=False, **fields):
    household = make_household(village, household_no=household_no, head=head, phone="13812345678", **fields)
    MonitoringCase.objects.create(
        household=household,
        category=category,
        risk_types=["因病", "因学"],
        source="农户自主申报",
        clue_date=datetime.date(2024, 2, 20),
        identified_on=datetime.date(2024, 3, 5),
        step=mc.ELIMINATED if eliminated else mc.MONITORING,
        is_open=not eliminated,
        eliminated_on=datetime.date(2025, 6, 18) if eliminated else None,
        elimination_type="帮扶消除" if eliminated else "",
    )
    return household


@pytest.fixture
def area(world):
    """Village A: a red card (monitored) and a green card (eliminated), a household without a case; one card each in
    village A2 (same township) and village B (another township)."""
    cadre = Cadre.objects.create(
        name="李帮扶", unit="测试县农业农村局", position="副局长", phone="13900001111", region=world.township_a
    )
    red = monitored_household(
        world.village_a, household_no="A001", head=RARE_HEAD, group_name="三组", address="甲村三组12号"
    )
    head = red.members.get()
    head.health, head.labour_skill = "健康", "普通劳动力"
    head.save()
    make_member(
        red,
        name=RARE_SPOUSE,
        relation="配偶",
        birth="19670815",
        male=False,
        health="长期慢性病",
        labour_skill="弱劳动力或半劳动力",
    )
    make_member(
        red, name="王小雨", relation="之孙女", birth="20150901", male=False, health="健康", student_status="小学"
    )
    make_member(
        red,
        name="王大",
        relation="之子",
        birth="19900101",
        health="健康",
        labour_skill="普通劳动力",
        employed=True,
        work_place="浙江省宁波市",
    )
    make_member(red, name="王故", relation="之父", birth="19400101", status="死亡")
    Pairing.objects.create(household=red, cadre=cadre, start_date=datetime.date(2024, 3, 10))
    for category, item, status in (
        ("健康帮扶", "家庭医生签约", "已落实"),
        ("产业帮扶", "养殖业", "实施中"),
        ("其他教育帮扶", "雨露计划", "计划"),
        ("就业帮扶", "技能培训", "终止"),
    ):
        Measure.objects.create(
            household=red,
            category=category,
            sub_item=item,
            content=f"{item}（测试）",
            status=status,
            planned_on=datetime.date(2024, 4, 1),
        )

    green = monitored_household(
        world.village_a,
        household_no="A002",
        head="赵绿",
        category="脱贫不稳定户",
        eliminated=True,
        household_type="脱贫户",
        lifted_year=2019,
    )
    plain = make_household(world.village_a, household_no="A003", head="钱无")
    a2 = monitored_household(world.village_a2, household_no="A201", head="孙二")
    b = monitored_household(world.village_b, household_no="B001", head="周乙")
    return world, {"red": red, "green": green, "plain": plain, "a2": a2, "b": b, "cadre": cadre}


# --- the card's data --------------------------------------------------------------------------------------------------


def test_cards_go_to_identified_households_red_or_green(area):
    world, h = area
    cards = {c.household.household_no: c for c in work_cards(card_households(world.admin), user=world.admin)}
    assert set(cards) == {"A001", "A002", "A201", "B001"}  # A003 has no case: no card

    red, green = cards["A001"], cards["A002"]
    assert (red.colour, red.colour_label) == ("red", "红卡·风险未消除")
    assert (green.colour, green.colour_label) == ("green", "绿卡·风险已消除")
    assert red.county == "测试县" and red.place == "甲镇甲村"
    assert (red.head_name, red.address, red.phone) == (RARE_HEAD, "甲村三组12号", "13812345678")
    assert red.risks == "因病、因学"
    assert red.categories == [("脱贫不稳定户", False), ("边缘易致贫户", True), ("突发严重困难户", False)]
    assert green.categories[0] == ("脱贫不稳定户", True)
    assert (red.identified, red.eliminated) == ("2024年03月", "")
    assert (green.identified, green.eliminated) == ("2024年03月", "2025年06月")
    assert (red.cadre_name, red.cadre_unit, red.cadre_phone) == ("李帮扶", "测试县农业农村局 副局长", "13900001111")
    assert green.cadre_name == ""

    lines = [(m.relation, m.name, m.details) for m in red.members]
    assert lines == [  # the head first, then in order; the dead father is left out
        ("户主", RARE_HEAD, "1980年01月出生，健康，普通劳动力，在家"),
        ("配偶", RARE_SPOUSE, "1967年08月出生，长期慢性病，弱劳动力或半劳动力，在家"),
        ("之孙女", "王小雨", "2015年09月出生，健康，在校读书（小学）"),
        ("之子", "王大", "1990年01月出生，健康，普通劳动力，浙江省宁波市务工"),
    ]
    current = [(g.category, g.text) for g in red.current_measures]
    assert current == [("产业帮扶", "养殖业"), ("健康帮扶", "家庭医生签约")]  # 终止 measures are left out
    assert [(g.category, g.text) for g in red.planned_measures] == [("其他教育帮扶", "雨露计划")]


def test_a_batch_reads_in_a_constant_number_of_queries(area, django_assert_max_num_queries):
    world, h = area
    for i in range(15):
        household = monitored_household(world.village_a, household_no=f"A1{i:02d}", head=f"户主{i}")
        make_member(household, name=f"配偶{i}", relation="配偶")
        Pairing.objects.create(household=household, cadre=h["cadre"])
        Measure.objects.create(
            household=household, category="产业帮扶", sub_item="种植业", content="种植", status="已落实"
        )
    with django_assert_max_num_queries(6):  # households, cases, members, pairings+cadres, measures (+ unmask check)
        cards = work_cards(card_households(world.officer_a, world.village_a.code), user=world.officer_a)
    assert len(cards) == 17
    assert all(c.cadre_name == "李帮扶" and c.members for c in cards if c.household.household_no.startswith("A1"))


def test_the_open_case_decides_the_colour_after_a_reversal(area):
    world, h = area
    old = h["green"].cases.get()
    MonitoringCase.objects.create(
        household=h["green"],
        category="突发严重困难户",
        risk_types=["因意外事故"],
        identified_on=datetime.date(2026, 1, 8),
        step=mc.MONITORING,
        previous_case=old,
    )
    card = work_cards(card_households(world.admin).filter(pk=h["green"].pk))[0]
    assert (card.colour, card.category, card.identified, card.eliminated) == ("red", "突发严重困难户", "2026年01月", "")


# --- the print page -------------------------------------------------------------------------------------------------


def test_print_page_shows_the_card_as_in_s000(area, client_for):
    world, h = area
    response = client_for(world.officer_a).get(f"/ledgers/cards/household/{h['red'].pk}/")
    assert response.status_code == 200
    html = response.content.decode()
    assert 'class="card red"' in html and "测试县巩固拓展脱贫攻坚成果工作卡" in html and "“三类人员”" in html
    for label in (
        "户主姓名",
        "家庭\n住址",
        "联系\n电话",
        "易致贫返贫\n风险原因",
        "属性类别",
        "识别\n时间",
        "风险消除\n时间",
        "帮扶干部",
        "单位\n及职务",
        "家庭\n基本\n情况",
        "当前\n帮扶措施",
        "后续\n帮扶措施",
    ):
        assert label in html, label
    assert "<b>边缘易致贫户（√）</b>" in html and "脱贫不稳定户（　）" in html
    assert "13812345678" in html  # a village officer may unmask: the full number
    assert f"户主　{RARE_HEAD}，1980年01月出生" in html and "王故" not in html
    assert "shoudi/print.css" in html and '<button type="button" data-sd-print>打印</button>' in html
    logged = AccessLog.objects.get()
    assert (logged.action, logged.user, logged.object_id, logged.detail) == (
        "export",
        world.officer_a,
        str(h["red"].pk),
        "打印工作卡",
    )


def test_roles_without_unmask_get_a_masked_phone(area, client_for):
    world, h = area
    html = client_for(world.inspector).get(f"/ledgers/cards/household/{h['red'].pk}/").content.decode()
    assert "138****5678" in html and "13812345678" not in html
    assert "13900001111" in html  # the cadre's number is the point of the card


def test_card_follows_the_household(area, client_for):
    world, h = area
    client = client_for(world.officer_a)
    url = f"/ledgers/cards/household/{h['red'].pk}/"
    assert 'class="card red"' in client.get(url).content.decode()
    case = h["red"].cases.get()
    case.step, case.is_open, case.eliminated_on = mc.ELIMINATED, False, datetime.date(2026, 10, 9)
    case.save()
    spouse = h["red"].members.get(relation="配偶")
    spouse.health = "患有大病"
    spouse.save()
    html = client.get(url).content.decode()
    assert 'class="card green"' in html and "2026年10月" in html and "患有大病" in html


def test_no_card_for_a_household_never_identified(area, client_for):
    world, h = area
    response = client_for(world.officer_a).get(f"/ledgers/cards/household/{h['plain'].pk}/")
    assert response.status_code == 404 and "无需制作工作卡" in response.content.decode()


def test_single_card_scope(area, client, client_for):
    world, h = area
    url = f"/ledgers/cards/household/{h['red'].pk}/"
    assert client.get(url).status_code == 302  # anonymous → login
    assert client_for(world.officer_b).get(url).status_code == 404
    assert client_for(world.officer_b).get(url + "?format=pdf").status_code == 404
    assert client_for(world.reviewer_a).get(url).status_code == 200
    assert not AccessLog.objects.filter(user=world.officer_b).exists()


# --- batches ----------------------------------------------------------------------------------------------------------


def test_batch_page_of_a_village_officer_holds_only_his_village(area, client_for):
    world, h = area
    client = client_for(world.officer_a)
    html = client.get(f"/ledgers/cards/batch/?region={world.village_a.code}").content.decode()
    assert html.count('<section class="card ') == 2
    assert html.index("A001") < html.index("A002")  # 户编号 order
    assert "A201" not in html and "B001" not in html
    assert client.get(f"/ledgers/cards/batch/?region={world.township_a.code}").status_code == 404
    assert client.get(f"/ledgers/cards/batch/?region={world.village_b.code}").status_code == 404
    assert client.get("/ledgers/cards/batch/").status_code == 404
    logged = AccessLog.objects.get()
    assert (logged.record_count, logged.region_code) == (2, world.village_a.code)


def test_batch_of_a_township_and_who_may_print_it(area, client, client_for):
    world, h = area
    url = f"/ledgers/cards/batch/?region={world.township_a.code}"
    assert client.get(url).status_code == 302  # anonymous → login
    html = client_for(world.reviewer_a).get(url).content.decode()
    assert html.count('<section class="card ') == 3 and "A201" in html and "B001" not in html
    assert client_for(world.inspector).get(url).status_code == 403  # 督查 reads single cards, exports none
    assert client_for(world.officer_b).get(url).status_code == 404


def test_batch_pdf_has_one_card_a_page_with_rare_characters_and_embedded_fonts(area, client_for, tmp_path):
    world, h = area
    response = client_for(world.officer_a).get(f"/ledgers/cards/batch/?region={world.village_a.code}&format=pdf")
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    data = response.content
    pages = pdf_text(data, tmp_path)
    assert len(pages) == 2
    red, green = squash(pages[0]), squash(pages[1])
    assert RARE_HEAD in red and RARE_SPOUSE in red  # 䶮 and 𠮷 survive into the text layer
    assert "红卡·风险未消除" in red and "边缘易致贫户（√）" in red and "A001" in red
    assert "绿卡·风险已消除" in green and "脱贫不稳定户（√）" in green and "2025年06月" in green and "赵绿" in green
    for field in (
        "户主姓名",
        "家庭住址",
        "联系电话",
        "风险原因",
        "属性类别",
        "识别时间",
        "风险消除时间",
        "帮扶干部",
        "单位及职务",
        "家庭基本情况",
        "当前帮扶措施",
        "后续帮扶措施",
    ):
        assert field in red, field
    assert "测试县农业农村局副局长" in red and "13900001111" in red and "13812345678" in red
    assert "健康帮扶：家庭医生签约" in red and "其他教育帮扶：雨露计划" in red and "技能培训" not in red

    fonts = pdf_fonts(data, tmp_path)
    assert fonts and all(f["emb"] == "yes" for f in fonts), fonts
    names = {f["name"].split("+")[-1].replace("-", "") for f in fonts}
    assert "NotoSansCJKSC" in names  # where 䶮 and 𠮷 come from
    assert "WenQuanYiMicroHei" in names

    red_px, green_px = page_colours(data, tmp_path, 1), page_colours(data, tmp_path, 2)
    assert red_px["red"] > 200 > red_px["green"], red_px
    assert green_px["green"] > 200 > green_px["red"], green_px
    assert AccessLog.objects.get().detail.endswith("（PDF）")


def test_single_card_pdf(area, client_for, tmp_path):
    world, h = area
    response = client_for(world.inspector).get(f"/ledgers/cards/household/{h['green'].pk}/?format=pdf")
    assert response.status_code == 200 and "A002" in response["Content-Disposition"]
    (page,) = pdf_text(response.content, tmp_path)
    assert "绿卡·风险已消除" in squash(page) and "赵绿" in squash(page)


def test_large_batches_go_to_a_job(area, client_for, monkeypatch):
    world, h = area
    monkeypatch.setattr(cards_views, "INLINE_PDF_CARDS", 1)
    client = client_for(world.officer_a)
    response = client.get(f"/ledgers/cards/batch/?region={world.village_a.code}&format=pdf")
    assert response.status_code == 302 and response["Location"].startswith("/ledgers/cards/?region=")
    html = client.get(response["Location"]).content.decode()
    assert "共 2 张工作卡" in html and "后台生成 PDF" in html
    assert not AccessLog.objects.exists()


# --- the index page, the menu and the household page ------------------------------------------------------------------


def test_index_counts_red_and_green_cards_in_scope(area, client_for):
    world, h = area
    html = client_for(world.reviewer_a).get("/ledgers/cards/").content.decode()
    assert 'data-region="520102001"' in html and 'data-region="520102001001"' in html
    row = html[html.index('data-region="520102001001"') :]
    row = row[: row.index("</tr>")]
    assert ">2<" in row and 'text-danger">1<' in row and 'text-success">1<' in row
    assert "520102002" not in html
    assert client_for(world.inspector).get("/ledgers/cards/").status_code == 403


def test_menu_and_household_panel(area, client_for):
    world, h = area
    client = client_for(world.officer_a)
    home = client.get("/").content.decode()
    assert 'href="/ledgers/cards/"' in home
    assert 'href="/ledgers/cards/"' not in client_for(world.inspector).get("/").content.decode()
    client = client_for(world.officer_a)
    page = client.get(f"/registry/households/{h['red'].pk}/").content.decode()
    assert f'href="/ledgers/cards/household/{h["red"].pk}/"' in page and "工作卡（红卡）" in page
    assert f'href="/ledgers/cards/mingbai/{h["red"].pk}/"' in page
    page = client.get(f"/registry/households/{h['green'].pk}/").content.decode()
    assert "工作卡（绿卡）" in page
    page = client.get(f"/registry/households/{h['plain'].pk}/").content.decode()
    assert "/ledgers/cards/household/" not in page and "明白卡" in page


# --- the job (two processes) and the CLI ------------------------------------------------------------------------------


def test_batch_job_renders_in_two_processes_and_keeps_the_scope(area, run_now, client_for, tmp_path, monkeypatch):
    world, h = area
    for i in range(4):
        monitored_household(world.village_a2, household_no=f"A3{i:02d}", head=f"𠮷户{i}")
    monkeypatch.setattr(workcards, "CHUNK_CARDS", 2)  # four chunks: two for each worker process
    job = run_now(kind="ledgers.workcards", user=world.reviewer_a, params={"region": world.township_a.code})
    assert job.status == Job.SUCCEEDED, job.error or job.log
    assert (job.done, job.total) == (7, 7)
    assert job.result == {"工作卡": 7, "红卡": 6, "绿卡": 1}
    response = client_for(world.reviewer_a).get(f"/system/jobs/{job.pk}/download/")
    data = b"".join(response.streaming_content)
    pages = [squash(p) for p in pdf_text(data, tmp_path)]
    assert len(pages) == 7
    numbers = ["A001", "A002", "A201", "A300", "A301", "A302", "A303"]
    assert [next(n for n in numbers if n in p) for p in pages] == numbers  # in order across the two workers
    assert RARE_HEAD in pages[0] and "𠮷户3" in pages[6] and "B001" not in "".join(pages)
    assert AccessLog.objects.filter(action="export", record_count=7, region_code=world.township_a.code).exists()


def test_batch_job_refuses_a_role_without_export(area, run_now):
    world, h = area
    job = run_now(kind="ledgers.workcards", user=world.inspector, params={"region": world.county.code})
    assert job.status == Job.FAILED and job.error == "您的角色无权批量打印工作卡"


def test_cli_writes_the_pdf_of_a_region(area, tmp_path):
    world, h = area
    out = tmp_path / "工作卡.pdf"
    stdout = io.StringIO()
    call_command("workcards", region=world.village_a.code, out=str(out), workers=1, stdout=stdout)
    assert "2 张工作卡（红卡 1，绿卡 1），2 页" in stdout.getvalue()
    pages = [squash(p) for p in pdf_text(out.read_bytes(), tmp_path)]
    assert len(pages) == 2 and RARE_HEAD in pages[0] and "赵绿" in pages[1]
    assert AccessLog.objects.get().detail == "命令行生成工作卡 PDF：测试县甲镇甲村"


def test_cli_with_a_user_keeps_his_scope_and_masking(area, tmp_path):
    world, h = area
    make_user("dept_x", "department", world.county)  # may export households, may not unmask
    out = tmp_path / "b.pdf"
    with pytest.raises(CommandError, match="没有需要制卡的农户"):
        call_command("workcards", region=world.village_b.code, out=str(out), user="officer_a", workers=1)
    with pytest.raises(CommandError, match="无权批量打印工作卡"):
        call_command("workcards", region=world.village_a.code, out=str(out), user="inspector", workers=1)
    call_command("workcards", region=world.village_a.code, out=str(out), user="dept_x", workers=1, stdout=io.StringIO())
    text = squash("".join(pdf_text(out.read_bytes(), tmp_path)))
    assert "138****5678" in text and "13812345678" not in text


# --- worker failures ------------------------------------------------------------------------------------------------


def test_a_failing_or_dying_worker_stops_the_batch_with_its_reason(tmp_path):
    context = multiprocessing.get_context("spawn")
    messages = context.Queue()
    failing = context.Process(
        target=pdf._worker, args=(0, [str(tmp_path / "missing.html")], "", str(tmp_path / "part.pdf"), messages)
    )
    failing.start()
    with pytest.raises(pdf.PdfError, match="FileNotFoundError"):
        pdf._wait([failing], messages, None)
    failing.join(timeout=30)

    dying = context.Process(target=os._exit, args=(3,))
    dying.start()
    with pytest.raises(pdf.PdfError, match="退出码 3"):
        pdf._wait([dying], context.Queue(), None)
    dying.join(timeout=30)


def test_background_pdf_is_started_by_post_in_scope(area, client, client_for):
    world, h = area
    url = "/ledgers/cards/batch/job/"
    assert client.post(url, {"region": world.township_a.code}).status_code == 302  # anonymous → login
    assert not Job.objects.exists()
    reviewer = client_for(world.reviewer_a)
    assert reviewer.get(url + f"?region={world.township_a.code}").status_code == 405
    response = reviewer.post(url, {"region": world.township_a.code})
    job = Job.objects.get()
    assert response.status_code == 302 and response["Location"] == job.get_absolute_url()
    assert (job.kind, job.params, job.user, job.title) == (
        "ledgers.workcards",
        {"region": "520102001"},
        world.reviewer_a,
        "工作卡 PDF · 测试县甲镇",
    )
    assert reviewer.post(url, {"region": world.village_b.code}).status_code == 404
    assert reviewer.post(url, {"region": world.county.code}).status_code == 404  # by township, not the county
    assert client_for(world.inspector).post(url, {"region": world.township_a.code}).status_code == 403
    assert Job.objects.count() == 1
