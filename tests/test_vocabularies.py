"""Code tables (码表): reading a cell, synonyms a county admin adds, the 码表 page, the import's unknown values."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from shoudi.core.context import acting_as
from shoudi.core.models import ObjectChange, Synonym
from shoudi.core.synonyms import add_synonym, remove_synonym
from shoudi.core.vocabulary import Tables, vocabulary
from shoudi.registry.models import HouseholdImport, Member
from shoudi.registry.synthetic import generate_rows, write_national_xlsx
from shoudi.registry.vocabularies import ID_TYPE, RISK, STUDENT_STATUS

# --- reading a cell -------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "written", ["01", "居民身份证（户口簿）", "居民身份证(户口簿)", "居民身份证", "身份证", " 身份证 ", "户口簿"]
)
def test_the_national_certificate_type_is_read_by_code_name_and_short_form(written):
    assert ID_TYPE.reader(ID_TYPE.spellings())(written) == "居民身份证（户口簿）"


@pytest.mark.parametrize(
    ("written", "value"),
    [("务工就业不稳", "因务工就业不稳"), ("因自然灾害（洪涝）", "因自然灾害(洪涝)"), ("灾害-地震", "因自然灾害(地震)")],
)
def test_risk_spellings_without_因_and_with_the_disaster_kind(written, value):
    assert RISK.reader(RISK.spellings())(written) == value


def test_an_unknown_text_is_none_and_a_blank_is_empty():
    reader = STUDENT_STATUS.reader(STUDENT_STATUS.spellings())
    assert reader("特殊教育学校在读") is None
    assert reader("  ") == ""
    assert reader("非在校生") == ""  # the table's rule: not a student


# --- the service ----------------------------------------------------------------------------------------------------


def test_a_county_admin_adds_a_synonym_for_his_county_and_it_is_logged(world):
    with acting_as(world.admin, source="web"):
        synonym = add_synonym(user=world.admin, vocabulary="student_status", text="特殊教育学校在读", value="小学")
    assert (synonym.region_code, synonym.value, synonym.created_by) == ("520102", "小学", world.admin)
    assert Tables("520102001001").reader(STUDENT_STATUS)("特殊教育学校在读") == "小学"
    assert Tables("520103").reader(STUDENT_STATUS)("特殊教育学校在读") is None  # another county's table is its own
    change = ObjectChange.objects.get(content_type__model="synonym", object_id=str(synonym.pk))
    assert change.action == "create" and change.user == world.admin


@pytest.mark.parametrize(
    ("vocab", "text", "value", "message"),
    [
        ("nothing", "x", "小学", "没有名为“nothing”的码表"),
        ("student_status", "x", "幼儿", "“幼儿”不是在校生状况码表中的值"),
        ("student_status", "  ", "小学", "请填写要添加的写法"),
        ("student_status", "初一", "七年级", "“初一”已表示在校生状况“七年级”，无需添加"),
        ("id_type", "身份证", "其他", "“身份证”在证件类型码表中已表示“居民身份证（户口簿）”，不能再对应“其他”"),
    ],
)
def test_a_synonym_that_would_be_wrong_is_refused_in_chinese(world, vocab, text, value, message):
    with pytest.raises(ValidationError) as exc:
        add_synonym(user=world.admin, vocabulary=vocab, text=text, value=value)
    assert exc.value.messages == [message]
    assert not Synonym.objects.exists()


def test_only_the_county_admin_adds_or_removes_synonyms(world):
    with pytest.raises(PermissionDenied):
        add_synonym(user=world.reviewer_a, vocabulary="labour_skill", text="部分丧失劳动力", value="弱劳动力或半劳动力")
    synonym = add_synonym(
        user=world.admin, vocabulary="labour_skill", text="部分丧失劳动力", value="弱劳动力或半劳动力"
    )
    with pytest.raises(PermissionDenied):
        remove_synonym(user=world.officer_a, synonym=synonym)
    remove_synonym(user=world.admin, synonym=synonym)
    assert not Synonym.objects.exists()


# --- the 码表 page --------------------------------------------------------------------------------------------------


def test_the_code_table_page_lists_tables_codes_and_synonyms(client_for, world):
    add_synonym(user=world.admin, vocabulary="id_type", text="身份证明", value="居民身份证（户口簿）")
    client = client_for(world.reviewer_a)  # reads his county's synonyms, adds none
    listing = client.get("/system/vocabularies/").content.decode()
    assert "证件类型" in listing and "在校生状况" in listing and "致贫/返贫风险" in listing
    page = client.get("/system/vocabularies/id_type/").content.decode()
    assert "01" in page and "居民身份证（户口簿）" in page and "身份证明" in page
    assert 'id="synonym-form"' not in page and "删除" not in page
    assert client.post("/system/vocabularies/id_type/synonyms/", {"text": "a", "value": "其他"}).status_code == 403
    assert client.get("/system/vocabularies/nothing/").status_code == 404


def test_the_county_admin_adds_and_removes_a_synonym_on_the_page(client_for, world):
    client = client_for(world.admin)
    response = client.post("/system/vocabularies/labour_skill/synonyms/", {"text": "无劳动能力", "value": "无劳动力"})
    assert response.status_code == 302
    synonym = Synonym.objects.get()
    assert (synonym.text, synonym.value) == ("无劳动能力", "无劳动力")
    refused = client.post("/system/vocabularies/labour_skill/synonyms/", {"text": "无劳动能力", "value": "普通劳动力"})
    page = refused.content.decode()
    assert refused.status_code == 400 and "已表示“无劳动力”" in page and 'value="无劳动能力"' in page  # text kept
    client.post(f"/system/synonyms/{synonym.pk}/delete/")
    assert not Synonym.objects.exists()


# --- the import: unknown values listed, then known -----------------------------------------------------------------


@pytest.fixture
def immediate_jobs(settings, django_capture_on_commit_callbacks):
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    return django_capture_on_commit_callbacks


def test_unknown_values_are_listed_in_the_preview_and_become_known_as_synonyms(
    client_for, world, tmp_path, immediate_jobs
):
    rows = list(generate_rows([world.village_a], households=4, seed=5, year=2025))
    for row in rows[:3]:
        row["劳动技能"] = "部分丧失劳动力"
    path = tmp_path / "农户.xlsx"
    write_national_xlsx(path, rows, title="测试县2025年度农户信息", details="导出时间：2026-03-01")
    client = client_for(world.admin)
    with path.open("rb") as fh, immediate_jobs(execute=True):
        client.post("/registry/import/", {"file": fh})
    record = HouseholdImport.objects.get()
    page = client.get(record.get_absolute_url()).content.decode()
    assert 'id="unknown-values"' in page and "“部分丧失劳动力”" in page and "第 4、5、6 行" in page
    assert "码表中没有的值 1 种" in page

    with immediate_jobs(execute=True):
        response = client.post(
            f"/registry/import/{record.pk}/synonym/",
            {"vocabulary": "labour_skill", "text": "部分丧失劳动力", "value": "弱劳动力或半劳动力"},
        )
    assert response.status_code == 302
    record.refresh_from_db()
    assert record.status == "previewed" and record.preview["unknown_value_count"] == 0  # checked again
    with immediate_jobs(execute=True):
        client.post(f"/registry/import/{record.pk}/commit/")
    assert Member.objects.filter(labour_skill="弱劳动力或半劳动力").count() >= 3
    assert not Member.objects.filter(labour_skill="部分丧失劳动力").exists()


def test_a_village_officer_sees_unknown_values_but_cannot_add_synonyms(client_for, world, tmp_path, immediate_jobs):
    rows = list(generate_rows([world.village_a], households=1, seed=5, year=2025))
    rows[0]["在校生状况"] = "随班就读"
    path = tmp_path / "农户.xlsx"
    write_national_xlsx(path, rows, title="测试县2025年度农户信息", details="导出时间：2026-03-01")
    client = client_for(world.officer_a)
    with path.open("rb") as fh, immediate_jobs(execute=True):
        client.post("/registry/import/", {"file": fh})
    record = HouseholdImport.objects.get()
    page = client.get(record.get_absolute_url()).content.decode()
    assert "“随班就读”" in page and "选择标准值" not in page
    client.post(
        f"/registry/import/{record.pk}/synonym/", {"vocabulary": "student_status", "text": "随班就读", "value": "小学"}
    )
    assert not Synonym.objects.exists()


def test_every_registered_table_reads_its_own_values_codes_and_names():
    from shoudi.core.vocabulary import all_vocabularies

    tables = all_vocabularies()
    assert {"id_type", "relation", "labour_skill", "risk", "measure_industry"} <= {t.key for t in tables}
    for table in tables:
        reader = table.reader(table.spellings())
        for term in table.terms:
            for spelling in (term.value, term.code, term.name):
                if spelling:
                    assert reader(spelling) == term.value, (table.key, spelling)
    assert vocabulary("disability_category").name_of("4") == "肢体"
