"""Where a list's rows are kept: on PostgreSQL each list in an unlogged partition of its own (written without
indexes, then attached), on SQLite in the one staging table; a failed load leaves nothing behind."""

import pytest
from django.db import connection

from shoudi.matching import services
from shoudi.matching.models import DepartmentList, ListRow
from shoudi.matching.reading import FileRejected
from shoudi.matching.testing import run_list, write_list
from shoudi.registry.testing import make_household

pytestmark = pytest.mark.django_db

POSTGRES = connection.vendor == "postgresql"
HEADERS = ["姓名", "证件号码", "合规自付费用"]
OUTSIDER = "130101195001010010"  # valid, in no registry here


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "files"


def tables_of(dlist: DepartmentList) -> set[str]:
    """The tables holding the list's rows (PostgreSQL: its partitions) and their persistence."""
    with connection.cursor() as cursor:
        if POSTGRES:
            cursor.execute(
                "SELECT DISTINCT c.relname, c.relpersistence FROM matching_listrow r "
                "JOIN pg_class c ON c.oid = r.tableoid WHERE r.list_id = %s",
                [dlist.pk],
            )
            return {
                f"{name} ({'unlogged' if persistence == 'u' else persistence})"
                for name, persistence in cursor.fetchall()
            }
        cursor.execute("SELECT COUNT(*) FROM matching_listrow WHERE list_id = %s", [dlist.pk])
        return {"matching_listrow"} if cursor.fetchone()[0] else set()


def partitions() -> set[str]:
    if not POSTGRES:
        return set()
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT c.relname FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid "
            "WHERE i.inhparent = 'matching_listrow'::regclass"
        )
        return {name for (name,) in cursor.fetchall()}


def test_each_list_keeps_its_rows_apart(world, tmp_path):
    home = make_household(world.village_a, household_no="S1", head="沙一", household_type="脱贫户")
    head = home.members.get(relation="户主")
    rows = [["沙一", head.id_number, "12000"], ["外人", OUTSIDER, "5"]]
    # a CSV (COPY and SQL on PostgreSQL) and an Excel file (read in Python) for two months
    april = run_list(tmp_path, "medical_insurance", HEADERS, rows, period="2025-04", user=world.admin, name="april.csv")
    may = run_list(
        tmp_path, "medical_insurance", HEADERS, rows[:1], period="2025-05", user=world.admin, name="may.xlsx"
    )
    for run in (april, may):
        expected = f"matching_listrow_{run.list_id} (unlogged)" if POSTGRES else "matching_listrow"
        assert tables_of(run.list) == {expected}
    own = {f"matching_listrow_{april.list_id}", f"matching_listrow_{may.list_id}"} if POSTGRES else set()
    assert own <= partitions()
    # the rows of each list, flagged by its own run
    assert sorted(ListRow.objects.filter(list=april.list).values_list("row", "id_number", "not_in_registry")) == [
        (2, head.id_number, False),
        (3, OUTSIDER, True),
    ]
    assert list(ListRow.objects.filter(list=may.list).values_list("id_number", "not_in_registry")) == [
        (head.id_number, False)
    ]
    assert april.counts["not_in_registry"]["hits"] == 1 and may.counts["not_in_registry"]["hits"] == 0
    # ids stay unique across lists, in row order within one
    ids = list(ListRow.objects.order_by("list_id", "row").values_list("id", flat=True))
    assert ids == sorted(ids) and len(set(ids)) == len(ids) == 3


def test_a_failed_load_leaves_no_rows_or_table(world, tmp_path):
    before = partitions()
    path = write_list(tmp_path / "empty.csv", HEADERS, [["", "", ""]])
    with pytest.raises(FileRejected, match="没有数据行"):
        services.match_file(department="medical_insurance", path=path, period="2025-05", user=world.admin)
    dlist = DepartmentList.objects.get()
    assert not ListRow.objects.filter(list=dlist).exists()
    assert partitions() == before


def test_a_list_loaded_again_replaces_its_rows(world, tmp_path):
    home = make_household(world.village_a, household_no="S2", head="沙二", household_type="脱贫户")
    head = home.members.get(relation="户主")
    run = run_list(
        tmp_path, "medical_insurance", HEADERS, [["沙二", head.id_number, "1"]], user=world.admin, name="list.csv"
    )
    first = set(ListRow.objects.filter(list=run.list).values_list("id", flat=True))
    services.load_list(run.list)  # e.g. after a crash emptied it
    again = set(ListRow.objects.filter(list=run.list).values_list("id", flat=True))
    assert len(first) == len(again) == 1 and first != again  # new rows with new ids, none left over
    assert tables_of(run.list) == ({f"matching_listrow_{run.list_id} (unlogged)"} if POSTGRES else {"matching_listrow"})
