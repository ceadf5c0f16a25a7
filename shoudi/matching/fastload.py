"""Loading a CSV list on PostgreSQL: the file as it is through COPY, the rows checked in SQL, Python only for the
odd ones.

The rows SQL computes exactly as the Python way would (``reading.parse_rows``) are *plain* and inserted with one
``INSERT … SELECT`` into the list's new partition; the others are read by ``reading.read_rows`` and copied in.
Duplicates are removed in SQL, the issues sorted by row. A file COPY cannot take as the csv module reads it rolls
back to a savepoint and ``load`` returns None: the caller then takes the Python way. The design and its
measurements: docs/adr/0103-matching-fastload-copy-and-sql-checks.md.
"""

from __future__ import annotations

import csv
import datetime
import functools
import json
import logging
import re
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from django.db import DatabaseError, connections, router, transaction

from shoudi.core.cells import cell_text
from shoudi.core.idnumbers import CHECK_CHARACTERS, FIRST_BIRTH_YEAR, WEIGHTS

from .engine import attach_partition, new_partition, relaxed_commit
from .models import ListRow
from .reading import (
    FIELDS,
    LENGTHS,
    MAX_ISSUES,
    FileRejected,
    Issue,
    Layout,
    ParsedList,
    RowPlan,
    Unrecognised,
    cell_reader,
    csv_format,
    is_excel,
    read_rows,
    unrecognised_message,
)
from .sources import Source

__all__ = ["load"]

logger = logging.getLogger(__name__)

CHUNK = 1 << 20  # bytes read from the file at a time (a piece ends at a line end)
BATCH = 20_000  # rows read in Python per fetch
DISTINCT_LIMIT = 5_000  # distinct values of a choice or date column whose outcome Python computes
SORT_MEMORY = "128MB"  # the duplicate check's: 2,000,000 numbers sorted in memory (1.0 s; on disk 1.3–1.8 s)
# GB 11643 in SQL: the check stays in the database (one statement over millions of rows, no row through Python), so
# it is built from core.idnumbers' weights, check characters and first birth year — not a second table of them —
# and tests/test_matching_fastload.py holds it to the Python way (core.idnumbers.parse_id_number) row for row.
# The byte of the check character for each weighted sum mod 11 (lower case: the last byte is compared | 32).
CHECK_BYTES = tuple(ord(ch.lower()) for ch in CHECK_CHARACTERS)
MONEY = r"^-?[0-9]+(?:\.[0-9][0-9]?)?$"  # a subset of read_money's plain numbers, with at most 12 characters
EOL = re.compile(r"\r\n|\r|\n")
END_OF_DATA = re.compile(r"(?:^|[\r\n])\\\.(?:[\r\n]|$)")  # a line "\." ends COPY's data


LAST = 2**31 - 1  # the seq of an issue listed after the other issues of its row (as the Python way lists it)


class _Fallback(Exception):
    """This file takes the Python way."""


class _Pass:
    """What ``read_rows`` reports for the odd rows: every issue (sorted and cut in SQL), the counts."""

    def __init__(self):
        self.issues: list[Issue] = []
        self.add = self.issues.append
        self.rows_total = self.rows_loaded = self.rows_rejected = self.converted_ids = 0
        self.unrecognised: dict[str, set[str]] = {}  # column label → values no variant matched

    def note(self, row: int, column: str, value: str) -> None:
        self.unrecognised.setdefault(column, set()).add(value)


class _SkipDuplicateCheck(dict):
    """``seen`` for the odd rows: remembers nothing, so that no row is rejected as a duplicate in Python."""

    def __setitem__(self, key, value):
        pass


def load(list_id: int, path: Path, source: Source, layout: Layout) -> ParsedList | None:
    """Load the rows of list ``list_id`` from the CSV file ``path`` (the rows of ``parse_rows`` + ``load_rows``,
    the same totals and issues); None when the file is not for this way (not PostgreSQL, not CSV, a source with a
    ``derive`` step) or COPY could not take it — nothing is left behind then, and the caller takes the Python way.
    """
    connection = connections[router.db_for_write(ListRow)]
    if not _applies(connection, Path(path), source):
        return None
    try:
        with transaction.atomic(using=connection.alias):
            return _Load(connection, list_id, Path(path), source, layout).run()
    except _Fallback as exc:
        reason = str(exc)
    except (DatabaseError, UnicodeError, csv.Error, FileRejected) as exc:
        reason = f"{type(exc).__name__}: {exc}"
    except Exception as exc:
        import psycopg

        if not isinstance(exc, psycopg.Error):
            raise
        reason = f"{type(exc).__name__}: {exc}"
    logger.info("list %s: COPY path not taken (%s), reading the rows in Python", list_id, reason.splitlines()[0][:300])
    return None


def _applies(connection, path: Path, source: Source) -> bool:
    if connection.vendor != "postgresql" or source.derive is not None or path.suffix.lower() != ".csv":
        return False
    try:
        with path.open("rb") as handle:
            magic = handle.read(8)
    except OSError:
        return False
    if not magic or is_excel(magic):
        return False
    connection.ensure_connection()
    info = connection.connection.info
    return info.encoding == "utf-8" and info.parameter_status("server_encoding") == "UTF8"


class _Load:
    """One list loaded the COPY way (inside the caller's savepoint)."""

    def __init__(self, connection, list_id: int, path: Path, source: Source, layout: Layout):
        self.connection = connection
        self.qn = connection.ops.quote_name
        self.list_id = list_id
        self.path = path
        self.source = source
        self.layout = layout
        self.plan = RowPlan(source, layout)
        self.today = datetime.date.today()
        self.header_row = layout.header_row
        self.seconds: dict[str, float] = {}
        self.unrecognised: dict[str, set[str]] = {}  # staging column → choice values no variant matched
        self._clock = time.perf_counter()

    def _lap(self, name: str) -> None:
        now = time.perf_counter()
        self.seconds[name] = round(now - self._clock, 3)
        self._clock = now

    # --- the whole load -----------------------------------------------------------------------------------------

    def run(self) -> ParsedList:
        encoding, delimiter = csv_format(self.path)
        with self.path.open("rb") as handle, self.connection.cursor() as cursor:
            relaxed_commit(cursor)
            header = _skip(handle, encoding, delimiter, self.header_row)
            if [cell_text(v) for v in header] != self.layout.headers or self.plan.width > len(header):
                raise _Fallback("the header read again differs")
            self.width = len(header)
            cursor.execute("SELECT pg_backend_pid()")
            self.raw = self.qn(f"matching_fastload_{cursor.fetchone()[0]}")
            self.issues = self.qn("matching_fastload_issues")
            self._create(cursor)
            self.copied, counted, dirty = self._copy(cursor, handle, encoding, delimiter)
            if self.copied != counted:
                raise _Fallback(f"COPY read {self.copied} rows, Python {counted}")
            self._lap("copy")
            maps = self._maps(cursor)
            self._lap("values")
            odd, empty = self._odd_rows(cursor, maps, dirty)
            self._lap("check")
            plain = self._insert(cursor, maps, odd)
            self._lap("insert")
            done = self._read_odd(cursor, sorted(set(odd) - empty))
            self._lap("odd rows")
            # statistics first: with them the duplicate check runs on two workers (a few duplicates removed after
            # change nothing the planner needs)
            cursor.execute(f"ANALYZE {self.partition}")
            self._lap("analyze")
            duplicates = self._remove_duplicates(cursor)
            self._unrecognised(cursor, done)
            self._lap("duplicates")
            result = self._result(cursor, plain, done, duplicates)
            attach_partition(cursor, self.list_id, analyze=False)
            cursor.execute(f"DROP TABLE {self.raw}")
            cursor.execute(f"DROP TABLE {self.issues}")
            self._lap("attach")
        logger.info(
            "list %s: %s rows by COPY and SQL, %s rows read in Python; %s",
            self.list_id,
            plain,
            len(odd) - len(empty),
            self.seconds,
        )
        return result

    # --- the staging table and COPY -----------------------------------------------------------------------------

    def _column(self, index: int) -> str:
        return f"c{index + 1}"

    def _create(self, cursor) -> None:
        """The raw table (unlogged, not temporary: a parallel scan can read it; numbered by a cached identity — one
        sequence call a row took as long as the COPY itself) and the issues table (temporary).

        The ID number's cell also as bytes (``b``, computed once a row while COPY writes it; a cell with a backslash
        is left out, as bytea would read it as an escape): the checks below read it byte by byte.
        """
        ident = self._column(self.plan.id_index)
        cells = ", ".join(f"{self._column(i)} text" for i in range(self.width))
        cursor.execute(f"""
            CREATE UNLOGGED TABLE {self.raw} (
                n bigint GENERATED ALWAYS AS IDENTITY (CACHE 100000), {cells},
                b bytea GENERATED ALWAYS AS (CASE WHEN octet_length({ident}) = 18 AND strpos({ident}, chr(92)) = 0
                                             THEN CAST({ident} AS bytea) END) STORED)
            """)
        cursor.execute(
            f"CREATE TEMPORARY TABLE {self.issues} (row integer, seq integer, col text, message text, rejected boolean)"
        )

    def _copy(self, cursor, handle, encoding: str, delimiter: str) -> tuple[int, int, list[int]]:
        """Send the rest of the file to COPY; returns the rows COPY read, the records counted here and the
        numbers (n) of the records holding a character that Python's reading of a cell would change.

        A writer thread sends the data while this one reads and checks the next piece."""
        from psycopg.copy import QueuedLibpqWriter

        names = ", ".join(self._column(i) for i in range(self.width))
        option = "E'\\t'" if delimiter == "\t" else f"'{delimiter}'"  # one of three constants
        sql = f"COPY {self.raw} ({names}) FROM STDIN (FORMAT csv, DELIMITER {option})"
        with cursor.cursor.copy(sql, writer=QueuedLibpqWriter(cursor.cursor)) as copy:
            counted, dirty = _send(handle, copy.write, encoding, delimiter)
        return cursor.cursor.rowcount, counted, dirty

    # --- which rows are plain, and their values -------------------------------------------------------------

    def _maps(self, cursor) -> dict[str, str]:
        """Per choice or date field: raw cell → staging value as JSON, from the reader of the Python way run on
        each distinct cell; a cell it refuses is left out (its rows are read in Python and reported there)."""
        maps: dict[str, str] = {}
        for col in self.source.columns:
            index = self.layout.index_of(col.key)
            if index is None or col.kind not in ("choice", "date"):
                continue
            read = cell_reader(col)
            cell = self._column(index)
            cursor.execute(
                f"SELECT {cell} FROM {self.raw} GROUP BY {cell} LIMIT %s",  # noqa: S608 - our names
                [DISTINCT_LIMIT],
            )
            outcome = {}
            for (raw,) in cursor.fetchall():
                raw = "" if raw is None else raw
                try:
                    value = read(raw)
                except ValueError:
                    continue
                if type(value) is Unrecognised:
                    self.unrecognised.setdefault(col.key, set()).add(str(value))
                outcome[raw] = "" if value is None else str(value)
            maps[col.key] = json.dumps(outcome, ensure_ascii=False)
        return maps

    def _fields(self) -> tuple[list[str], list[str]]:
        """SQL for the staging values of a plain row (FIELDS after row) and the conditions that make a row plain
        besides its ID number. Named parameters: ``map_<field>`` (a choice or date field's outcomes), ``money``."""
        ident = self._column(self.plan.id_index)
        values = [f"CASE WHEN get_byte(b, 17) = 120 THEN left({ident}, 17) || 'X' ELSE {ident} END"]  # x as X
        conditions = []
        for key in FIELDS[2:]:
            col = self.source.column(key)
            index = self.layout.index_of(key) if col is not None else None
            if index is None:
                values.append("NULL" if key in ("amount", "event_date") else "''")
                continue
            cell = self._column(index)
            if col.kind == "money":
                # read_money returns a plain number's text as it is; here the common ones (at most 12 characters,
                # two decimals): bounded repeats and capturing groups make PostgreSQL's regular expressions slow
                conditions.append(
                    f"({cell} IS NULL OR {cell} = '' OR (octet_length({cell}) <= 12 AND {cell} ~ %(money)s))"
                )
                values.append(f"CAST(NULLIF({cell}, '') AS numeric)")
            elif col.kind in ("choice", "date"):
                lookup = f"(CAST(%(map_{key})s AS jsonb) ->> COALESCE({cell}, ''))"
                conditions.append(f"{lookup} IS NOT NULL")
                values.append(lookup if col.kind == "choice" else f"CAST(NULLIF({lookup}, '') AS date)")
            else:  # name and text: a plain row holds no character strip() or _printable() would change but spaces
                limit = 50 if key == "name" else LENGTHS.get(key, 100)
                values.append(f"COALESCE(left(btrim({cell}, ' '), {limit}), '')")
        return values, conditions

    def _params(self, maps: dict[str, str], **more) -> dict:
        # lists of row numbers go as arrays cast to the column's type: a bigint = ANY(int2[]) is searched linearly
        # row by row, a bigint = ANY(bigint[]) through a hash
        return {"money": MONEY, **{f"map_{key}": value for key, value in maps.items()}, **more}

    def _id_condition(self) -> str:
        """The ID number is plain: 17 digits and a digit or X (``b``: its 18 bytes), a birth date between 1890 and
        today and the GB 11643 check character, X in upper or lower case.

        The date is looked up (no date is built, so that none can fail): month and day (0101–1231) → their place
        in a year of 12 × 31 (``_month_days``), then year and place → 1 if the date exists and is not after today
        (``_birth_dates``); a place outside either array is NULL.
        """
        digit = [f"get_byte(b, {i})" for i in range(18)]
        total = " + ".join(f"{digit[i]} * {w}" for i, w in enumerate(WEIGHTS))
        year = f"{digit[6]} * 1000 + {digit[7]} * 100 + {digit[8]} * 10 + {digit[9]} - {48 * 1111 + FIRST_BIRTH_YEAR}"
        month_day = f"{digit[10]} * 1000 + {digit[11]} * 100 + {digit[12]} * 10 + {digit[13]} - {48 * 1111 - 1}"
        place = f"({year}) * 372 + (CAST(%(month_days)s AS integer[]))[{month_day}] + 1"
        checks = ", ".join(str(b) for b in CHECK_BYTES)
        return (
            f"{self._column(self.plan.id_index)} ~ '^[0-9]+[Xx]?$' "
            f"AND (CAST(%(births)s AS smallint[]))[{place}] = 1 "
            f"AND (ARRAY[{checks}])[({total} - {48 * sum(WEIGHTS)}) %% 11 + 1] = {digit[17]} | 32"
        )

    def _odd_rows(self, cursor, maps: dict[str, str], dirty: list[int]) -> tuple[list[int], set[int]]:
        """The rows (n) that are not plain, and those of them with every cell empty (blank: skipped).

        A row with a cell longer than Python's csv module reads (``csv.field_size_limit``) is not plain either:
        ``_read_odd`` then hands the file to the Python way, which refuses it."""
        _, conditions = self._fields()
        longest = f"GREATEST({', '.join(f'octet_length({self._column(i)})' for i in range(self.width))})"
        plain = " AND ".join([self._id_condition(), *conditions, f"COALESCE({longest}, 0) <= {csv.field_size_limit()}"])
        empty = " AND ".join(f"COALESCE({self._column(i)}, '') = ''" for i in range(self.width))
        params = self._params(maps, births=list(_birth_dates(self.today)), month_days=list(_month_days()), dirty=dirty)
        dirty_rows = "n = ANY(CAST(%(dirty)s AS bigint[]))"
        cursor.execute(
            f"SELECT n, {empty} FROM {self.raw} WHERE ({plain}) IS NOT TRUE OR {dirty_rows}",  # noqa: S608
            params,
        )
        odd, blank = [], set()
        for n, is_empty in cursor.fetchall():
            odd.append(n)
            if is_empty:
                blank.add(n)
        return odd, blank

    def _insert(self, cursor, maps: dict[str, str], odd: list[int]) -> int:
        """Create the list's partition (``engine.new_partition``) and insert the plain rows, with staging ids in
        file order: the load lock is held, so this load draws one block of ids — raw row n gets ``first + n``,
        plain or not (``_read_odd`` gives the others theirs), and the ids follow the rows as the Python way's do
        (the engine takes a household's first list row by its id). Should another session draw ids meanwhile
        (not a load: loads wait for the lock), this file takes the Python way. Returns how many plain rows."""
        values, _ = self._fields()
        self.partition = new_partition(cursor, self.list_id)
        columns = ", ".join(
            self.qn(ListRow._meta.get_field(name).column) for name in ("id", "list", *FIELDS, "not_in_registry")
        )
        cursor.execute("SELECT pg_get_serial_sequence(%s, %s)", [ListRow._meta.db_table, ListRow._meta.pk.column])
        (self.sequence,) = cursor.fetchone()
        cursor.execute("SELECT nextval(%s)", [self.sequence])
        (self.first_id,) = cursor.fetchone()
        select = (
            f"SELECT %(first)s + n, %(list)s, n + %(header)s, {', '.join(values)}, false "  # noqa: S608
            f"FROM {self.raw}"
        )
        only = " WHERE n <> ALL(CAST(%(odd)s AS bigint[]))" if odd else ""
        cursor.execute(
            f"INSERT INTO {self.partition} ({columns}) {select}{only}",
            self._params(maps, first=self.first_id, list=self.list_id, header=self.header_row, odd=odd),
        )
        plain = cursor.rowcount
        self._take_ids(cursor)
        return plain

    def _take_ids(self, cursor) -> None:
        """The ids up to ``first + copied`` are this load's: the sequence goes on after them."""
        cursor.execute(f"SELECT last_value FROM {self.sequence}")  # noqa: S608 - the table's own sequence
        if cursor.fetchone()[0] != self.first_id:
            raise _Fallback("another session drew staging ids meanwhile")
        cursor.execute("SELECT setval(%s, %s)", [self.sequence, self.first_id + self.copied])

    # --- the odd rows, in Python --------------------------------------------------------------------------------

    def _read_odd(self, cursor, numbers: list[int]) -> _Pass:
        """Read the rows ``numbers`` the Python way and load those it loads (with the ids drawn for them); their
        issues go to the issues table."""
        done = _Pass()
        if not numbers:
            return done
        seen = _SkipDuplicateCheck()
        names = ", ".join(self._column(i) for i in range(self.width))
        table = self.partition
        columns = ", ".join(
            self.qn(ListRow._meta.get_field(name).column) for name in ("id", "list", *FIELDS, "not_in_registry")
        )
        first_id = self.first_id - self.header_row  # + the row number
        seq = 0
        limit = csv.field_size_limit()
        with self.connection.connection.cursor(name=f"matching_fastload_{self.list_id}") as rows:
            rows.execute(
                f"SELECT n, {names} FROM {self.raw} "  # noqa: S608 - our names
                "WHERE n = ANY(CAST(%s AS bigint[]))",
                [numbers],
            )
            while batch := rows.fetchmany(BATCH):
                numbered = [(n + self.header_row, ["" if v is None else v for v in cells]) for n, *cells in batch]
                if any(len(v) > limit for _, cells in numbered for v in cells):
                    raise _Fallback("a cell longer than the csv module reads")
                loaded = list(read_rows(self.plan, numbered, done, seen, self.today))
                if loaded:
                    with cursor.cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
                        for row in loaded:
                            copy.write_row((first_id + row[0], self.list_id, *row, False))
                if done.issues:
                    with cursor.cursor.copy(f"COPY {self.issues} FROM STDIN") as copy:
                        for issue in done.issues:
                            seq += 1
                            copy.write_row((issue.row, seq, issue.column, issue.message, issue.rejected))
                    done.issues.clear()
        return done

    # --- duplicates, issues, totals -----------------------------------------------------------------------------

    def _unrecognised(self, cursor, done: _Pass) -> None:
        """One issue per choice value no variant matched (loaded as written), with the count of its loaded rows, at
        its first row: counted in the loaded rows, whichever way each row took."""
        labels = {col.key: col.label for col in self.source.columns}
        by_key = {key: set(values) for key, values in self.unrecognised.items()}
        for label, values in done.unrecognised.items():
            key = next(k for k, v in labels.items() if v == label)
            by_key.setdefault(key, set()).update(values)
        for key, values in by_key.items():
            field = self.qn(ListRow._meta.get_field(key).column)
            cursor.execute(
                f"SELECT {field}, min(row), count(*) FROM {self.partition} "  # noqa: S608 - our names
                f"WHERE {field} = ANY(CAST(%s AS text[])) GROUP BY {field}",
                [sorted(values)],
            )
            found = cursor.fetchall()
            if found:
                with cursor.cursor.copy(f"COPY {self.issues} FROM STDIN") as copy:
                    for value, row, count in found:
                        copy.write_row((row, LAST, labels[key], unrecognised_message(value, count), False))

    def _remove_duplicates(self, cursor) -> int:
        """A later row whose ID number an earlier loaded row has is removed and reported, and nothing else about
        it (the Python way rejects it before reading its other cells)."""
        table = self.partition
        # every loaded number is valid: its first 17 digits decide it (a bigint sorts faster than text). Sorted in
        # memory rather than hashed (a hash of millions of distinct numbers is slower, in memory or not), and by two
        # workers when the server has them (0.75 s instead of 0.9 s for 2,000,000 rows; the planner would not start
        # them for a sort of 8-byte numbers)
        settings = {
            "enable_hashagg": "off",
            "work_mem": SORT_MEMORY,
            "parallel_setup_cost": "0",
            "parallel_tuple_cost": "0",
        }
        before = {name: _set_local(cursor, name, value) for name, value in settings.items()}
        cursor.execute(
            f"SELECT CAST(left(id_number, 17) AS bigint) FROM {table} "  # noqa: S608
            "GROUP BY 1 HAVING count(*) > 1"
        )
        repeated = [f"{key:017d}" for (key,) in cursor.fetchall()]
        for name, value in before.items():
            _set_local(cursor, name, value)
        if not repeated:
            return 0
        cursor.execute(
            f"SELECT row, id_number FROM {table} "  # noqa: S608 - our name
            "WHERE left(id_number, 17) = ANY(CAST(%s AS text[])) ORDER BY row",
            [repeated],
        )
        first: dict[str, int] = {}
        later = []
        for row, number in cursor.fetchall():
            if number in first:
                later.append((row, first[number]))
            else:
                first[number] = row
        rows = [row for row, _ in later]
        cursor.execute(f"DELETE FROM {table} WHERE row = ANY(CAST(%s AS integer[]))", [rows])  # noqa: S608
        cursor.execute(
            f"DELETE FROM {self.issues} "  # noqa: S608 - our name
            "WHERE row = ANY(CAST(%s AS integer[]))",
            [rows],
        )
        label = self.plan.id_label
        with cursor.cursor.copy(f"COPY {self.issues} FROM STDIN") as copy:
            for row, earlier in later:
                copy.write_row((row, 0, label, f"证件号码与第 {earlier} 行重复，本行未载入", True))
        return len(later)

    def _result(self, cursor, plain: int, done: _Pass, duplicates: int) -> ParsedList:
        cursor.execute(f"SELECT count(*) FROM {self.issues}")  # noqa: S608 - our name
        (count,) = cursor.fetchone()
        cursor.execute(
            f"SELECT row, col, message, rejected FROM {self.issues} ORDER BY row, seq LIMIT %s",  # noqa: S608
            [MAX_ISSUES],
        )
        return ParsedList(
            rows_total=plain + done.rows_total,
            rows_loaded=plain + done.rows_loaded - duplicates,
            rows_rejected=done.rows_rejected + duplicates,
            issue_count=count,
            issues=[Issue(*row) for row in cursor.fetchall()],
            converted_ids=done.converted_ids,
            fast=True,
        )


@functools.cache
def _month_days() -> tuple[int, ...]:
    """For MMDD + 1 (1–10000): (month - 1) * 31 + day - 1 when 1 ≤ month ≤ 12 and 1 ≤ day ≤ 31, else far below
    zero (the place is then outside ``_birth_dates``)."""
    places = [-1_000_000] * 10_000
    for month in range(1, 13):
        for day in range(1, 32):
            places[month * 100 + day] = (month - 1) * 31 + day - 1
    return tuple(places)


@functools.lru_cache(maxsize=2)
def _birth_dates(today: datetime.date) -> tuple[int, ...]:
    """At (year - 1890) * 372 + (month - 1) * 31 + day: 1 for each date from 1890-01-01 to ``today``, else 0."""
    dates = [0] * ((today.year - FIRST_BIRTH_YEAR + 1) * 372)
    day = datetime.date(FIRST_BIRTH_YEAR, 1, 1)
    while day <= today:
        dates[(day.year - FIRST_BIRTH_YEAR) * 372 + (day.month - 1) * 31 + day.day - 1] = 1
        day += datetime.timedelta(days=1)
    return tuple(dates)


def _set_local(cursor, name: str, value: str) -> str:
    """Set a setting for the rest of the transaction; returns the value it had."""
    cursor.execute("SELECT current_setting(%s)", [name])
    (before,) = cursor.fetchone()
    cursor.execute("SELECT set_config(%s, %s, true)", [name, value])
    return before


# --- reading the file -------------------------------------------------------------------------------------------


def _skip(handle, encoding: str, delimiter: str, count: int) -> list[str]:
    """Read the first ``count`` records as ``parse_rows`` does and return the last (the header); the binary
    ``handle`` is left at the start of the next line. Lines end at \\n here (a file whose lines end with a lone \\r
    has its header read differently, and takes the Python way)."""

    def lines():
        line = handle.readline()
        first = line.decode(encoding)  # utf-8-sig drops the byte order mark
        following = "utf-8" if encoding == "utf-8-sig" else encoding
        while line:
            yield first
            line = handle.readline()
            first = line.decode(following)

    reader = csv.reader(lines(), delimiter=delimiter)
    header = None
    for _ in range(count):
        header = next(reader, None)
        if header is None:
            raise _Fallback("the file ends before the header")
    return header


def _pieces(handle):
    """The bytes after the header in pieces of about CHUNK bytes, each ending at a line end (\\n, which no
    multi-byte character of UTF-8 or GB18030 holds), and whether a piece is the last; trailing empty lines join
    the last piece."""
    held = None
    while piece := handle.read(CHUNK):
        if piece[-1:] != b"\n":
            piece += handle.readline()
        if held is not None:
            if not piece.strip(b"\r\n"):
                held += piece
                continue
            yield held, False
        held = piece
    if held is not None:
        yield held, True


def _send(handle, write, encoding: str, delimiter: str) -> tuple[int, list[int]]:
    """Write the file's remaining records to COPY; returns how many records and the dirty ones (1-based).

    COPY reads CSV as Python's csv module does when quotes are used as RFC 4180 says: a quoted field starts right
    at a delimiter or line start and its closing quote is followed by a delimiter or a line end. The records with
    quotes are checked one by one for that (a file that breaks it takes the Python way); the lines between them
    are counted and checked together. Trailing empty lines are dropped (Python skips them as blank rows; COPY would
    refuse them). UTF-8 goes to COPY as it is, GB18030 decoded (the connection speaks UTF-8).
    """
    dialect = _Dialect.of(delimiter)
    utf8 = encoding == "utf-8-sig"
    records = 0
    dirty: list[int] = []
    carry = ""
    for piece, last in _pieces(handle):
        text = piece.decode("utf-8" if utf8 else encoding)
        if last:
            text = text.rstrip("\r\n")
            piece = piece.rstrip(b"\r\n")
        if carry:
            text = carry + text
            carry = ""
        if "\\." in text and END_OF_DATA.search(text):
            raise _Fallback("a line \\. would end COPY's data")
        if '"' not in text:
            records = _count_lines(text, records, dirty, dialect.clean)
            write(piece if utf8 else text.encode())
            continue
        pos, records = _count_quoted(text, last, records, dirty, dialect)
        write(text[:pos].encode())
        carry = text[pos:]
    if carry:
        raise _Fallback("quotes that COPY and Python would read differently")
    return records, dirty


@dataclass(frozen=True)
class _Dialect:
    """How _send reads the records of one delimiter: the record patterns and the test for control characters."""

    delimiter: str
    record_eol: re.Pattern  # a whole record and its line end
    last_record: re.Pattern  # the file's last record, without a line end
    clean: Callable[[str], bool]  # no control characters (tabs allowed in a tab-separated file)

    @classmethod
    def of(cls, delimiter: str) -> _Dialect:
        d = re.escape(delimiter)
        field = f'(?:"[^"]*+(?:""[^"]*+)*+"|[^"{d}\\r\\n]*+)'
        record = f"{field}(?:{d}{field})*+"
        clean = _printable_but_tabs if delimiter == "\t" else str.isprintable
        return cls(delimiter, re.compile(f"({record})(?:\\r\\n|\\r|\\n)"), re.compile(record), clean)


def _printable_but_tabs(text: str) -> bool:
    return text.replace("\t", "").isprintable()


def _count_lines(text: str, records: int, dirty: list[int], clean: Callable[[str], bool]) -> int:
    """Whole lines without quotes, one record each (the last one may lack its line end), after ``records``;
    the dirty ones go to ``dirty``. Returns the records counted so far."""
    if "\r" in text:
        count = text.count("\n") + text.count("\r") - text.count("\r\n")
        bare = text.replace("\n", "").replace("\r", "")
    else:
        count = text.count("\n")
        bare = text.replace("\n", "")
    count += 1 if text and text[-1] not in "\r\n" else 0
    if not clean(bare):
        dirty.extend(records + i + 1 for i, line in enumerate(EOL.split(text)[:count]) if not clean(line))
    return records + count


def _count_quoted(text: str, last: bool, records: int, dirty: list[int], dialect: _Dialect) -> tuple[int, int]:
    """Count and check the records of a piece with quotes: (where the records COPY may take end, records so far).

    Whatever follows ``pos`` is a record going on in the next piece; in the last piece it must be a whole record.
    """
    record_eol, delimiter, clean = dialect.record_eol, dialect.delimiter, dialect.clean
    pos = 0
    while (quote := text.find('"', pos)) >= 0:
        start = max(text.rfind("\n", pos, quote), text.rfind("\r", pos, quote)) + 1 or pos
        records = _count_lines(text[pos:start], records, dirty, clean)
        match = record_eol.match(text, start)
        if match is None:  # a record going on in the next piece, or quotes COPY would read otherwise
            pos = start
            break
        records += 1
        if not _clean_record(match.group(1), delimiter, clean):
            dirty.append(records)
        pos = match.end()
    else:
        records = _count_lines(text[pos:], records, dirty, clean)
        pos = len(text)
    rest = text[pos:]
    if last and rest:
        if dialect.last_record.fullmatch(rest) is None:
            raise _Fallback("quotes that COPY and Python would read differently")
        records += 1
        if not _clean_record(rest, delimiter, clean):
            dirty.append(records)
        pos = len(text)
    elif len(rest) > 2 * CHUNK:
        raise _Fallback("quotes that COPY and Python would read differently")
    return pos, records


def _clean_record(record: str, delimiter: str, clean) -> bool:
    if '"' not in record:
        return clean(record)
    if "\n" in record or "\r" in record:  # a line break inside a cell
        return False
    cells = next(csv.reader([record], delimiter=delimiter))
    return all(cell.isprintable() for cell in cells)
