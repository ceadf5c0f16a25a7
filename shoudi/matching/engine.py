"""The matching engine: bulk load of a list's rows, the rules as set-based SQL, findings written in bulk.

``load_rows`` writes a list's rows into its staging partition (ADR 0001; CSV on PostgreSQL: ``fastload``); ``match``
joins the list with the registry persons of the run's region in one pass whatever the number of rules, keeps the
hits, and writes each rule's findings with one ``INSERT … SELECT``, each linked to its subject's earlier finding
(``previous``), whose state carries over while it is open or was closed as 不属实 with the same figures (ADR 0005).
Portable SQL only; the few differences between the databases are in ``Dialect``.
"""

from __future__ import annotations

import dataclasses
import datetime
import re
from collections.abc import Iterable
from dataclasses import dataclass

from django.db import connections, router
from django.utils import timezone

from shoudi.monitoring.models import MonitoringCase
from shoudi.regions.models import Region
from shoudi.registry.models import Household, Member

from . import choices as c
from .models import Finding, ListRow, MatchRun
from .reading import FIELDS
from .sources import NOT_IN_REGISTRY, Figure, Rule, Source

__all__ = [
    "Coverage",
    "Dialect",
    "MatchResult",
    "attach_partition",
    "clear_rows",
    "load_rows",
    "match",
    "new_partition",
]

SQLITE_BATCH = 20_000
CHUNK = 900  # ids per IN list
HITS = "matching_hits"


# --- loading ----------------------------------------------------------------------------------------------------


def relaxed_commit(cursor) -> None:
    """PostgreSQL: this transaction's commit does not wait for its WAL to reach the disk.

    A load writes a few hundred megabytes of WAL; waiting for the flush made the commit a fifth of the run. The
    cost is bounded: a crash in the next fraction of a second may lose this one run (its list can simply be run
    again), never corrupt anything. Call inside the transaction.
    """
    if cursor.db.vendor == "postgresql":
        cursor.execute("SET LOCAL synchronous_commit TO OFF")


# PostgreSQL: one list's rows are loaded at a time (a transaction-level advisory lock), so that a load may draw
# its staging ids as one block
STAGING_LOCK = 0x5D11_0007


def partition_name(list_id: int) -> str:
    """PostgreSQL: the table holding list ``list_id``'s staging rows (a partition of ``ListRow``'s table)."""
    return f"{_table(ListRow)}_{int(list_id)}"


def clear_rows(list_id: int) -> None:
    """Remove list ``list_id``'s staging rows, if any (a list loaded again after a crash emptied it, or a failed
    run's). PostgreSQL: its partition goes (looked up first: dropping takes a lock on the whole table)."""
    connection = connections[router.db_for_write(ListRow)]
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            name = partition_name(list_id)
            cursor.execute("SELECT to_regclass(%s) IS NOT NULL", [name])
            if cursor.fetchone()[0]:
                cursor.execute(f"DROP TABLE {connection.ops.quote_name(name)}")
    ListRow.objects.filter(list_id=list_id)._raw_delete(connection.alias)  # PostgreSQL: the default partition


def new_partition(cursor, list_id: int) -> str:
    """PostgreSQL, inside the load's transaction: take the load lock and create list ``list_id``'s partition as a
    table of its own — unlogged (no WAL for millions of rows; after a crash it is empty and the list is loaded
    again from its stored file), without indexes, its list checked by a constraint (attaching it then reads
    nothing). Returns its quoted name; ``attach_partition`` ends the load."""
    cursor.execute("SELECT pg_advisory_xact_lock(%s)", [STAGING_LOCK])
    qn = cursor.db.ops.quote_name
    name = qn(partition_name(list_id))
    cursor.execute(
        f"CREATE UNLOGGED TABLE {name} (LIKE {qn(_table(ListRow))} INCLUDING DEFAULTS "
        f"INCLUDING CONSTRAINTS, CHECK (list_id = {int(list_id)}))"
    )
    return name


def attach_partition(cursor, list_id: int, *, analyze: bool = True) -> None:
    """PostgreSQL: statistics for the planner (it must know the list's size before joining it with the registry;
    ``analyze=False`` when the caller has just taken them), then the partition becomes list ``list_id``'s part of
    the staging table."""
    qn = cursor.db.ops.quote_name
    name = qn(partition_name(list_id))
    if analyze:
        cursor.execute(f"ANALYZE {name}")
    cursor.execute(f"ALTER TABLE {qn(_table(ListRow))} ATTACH PARTITION {name} FOR VALUES IN ({int(list_id)})")


def load_rows(list_id: int, rows: Iterable[tuple]) -> int:
    """Write staging rows (tuples in ``reading.FIELDS`` order) of list ``list_id``; returns how many. Call inside a
    transaction, after ``clear_rows``."""
    connection = connections[router.db_for_write(ListRow)]
    qn = connection.ops.quote_name
    columns = ["list_id", *FIELDS, "not_in_registry"]
    columns = [ListRow._meta.get_field(name).column if name != "list_id" else name for name in columns]
    table = qn(_table(ListRow))
    names = ", ".join(qn(col) for col in columns)
    count = 0
    connection.ensure_connection()
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            relaxed_commit(cursor)
            partition = new_partition(cursor, list_id)
            # psycopg formats each row in C: faster than building the text in Python
            with cursor.cursor.copy(f"COPY {partition} ({names}) FROM STDIN") as copy:
                write = copy.write_row
                for row in rows:
                    write((list_id, *row, False))
                    count += 1
            attach_partition(cursor, list_id)
        return count
    sql = f"INSERT INTO {table} ({names}) VALUES ({', '.join(['?'] * len(columns))})"  # noqa: S608 - model names
    raw = connection.connection
    batch: list[tuple] = []
    for row in rows:
        batch.append((list_id, *row, False))
        if len(batch) >= SQLITE_BATCH:
            raw.executemany(sql, batch)
            count += len(batch)
            batch.clear()
    if batch:
        raw.executemany(sql, batch)
        count += len(batch)
    return count


# --- SQL differences --------------------------------------------------------------------------------------------


class Dialect:
    """The handful of expressions SQLite and PostgreSQL spell differently."""

    def __init__(self, connection):
        self.connection = connection
        self.postgres = connection.vendor == "postgresql"

    def json_pairs(self, pairs: list[tuple[str, str]]) -> str:
        """A JSON array of [label, text] pairs (an array keeps the rules' order; jsonb would reorder an object)."""
        fn = "jsonb_build_array" if self.postgres else "json_array"
        return f"{fn}(" + ", ".join(f"{fn}({literal(label)}, {sql})" for label, sql in pairs) + ")"

    def money(self, sql: str) -> str:
        if self.postgres:
            return f"CAST(ROUND(CAST({sql} AS NUMERIC), 2) AS TEXT)"
        return f"printf('%%.2f', {sql})"

    def age_on(self, sql: str, day: datetime.date) -> str:
        """Completed years on ``day`` of the date ``sql``."""
        if self.postgres:
            year, mmdd = f"CAST(EXTRACT(YEAR FROM {sql}) AS INTEGER)", f"to_char({sql}, 'MM-DD')"
        else:
            year, mmdd = f"CAST(strftime('%%Y', {sql}) AS INTEGER)", f"strftime('%%m-%%d', {sql})"
        return f"({day.year} - {year} - CASE WHEN {mmdd} > '{day:%m-%d}' THEN 1 ELSE 0 END)"

    def bool_int(self, sql: str) -> str:
        return f"CASE WHEN {sql} THEN 1 WHEN NOT {sql} THEN 0 END"


def literal(text: str) -> str:
    """A SQL string literal of our own constant text (labels): quotes doubled, per cent signs escaped."""
    return "'" + text.replace("'", "''").replace("%", "%%") + "'"


def figure_sql(dialect: Dialect, figure: Figure) -> str:
    inner = dialect.money(figure.sql) if figure.kind == "money" else f"CAST({figure.sql} AS TEXT)"
    return f"COALESCE({inner}, '')"


# --- the frame: the list joined with the registry ---------------------------------------------------------------


def _table(model) -> str:
    return model._meta.db_table


LIST_SIDE = {
    "s_id": "s.id",
    "s_row": 's."row"',
    "s_id_number": "s.id_number",
    "s_name": "s.name",
    "s_name_key": "REPLACE(REPLACE(s.name, ' ', ''), '　', '')",
    "s_category": "s.category",
    "s_grade": "s.grade",
    "s_status": "s.status",
    "s_amount": "s.amount",
    "s_event_date": "s.event_date",
    "s_code": "s.code",
    "s_detail": "s.detail",
}


def registry_side(dialect: Dialect) -> dict[str, str]:
    """Frame column → SQL over the member ``m``, household ``h`` and case summary ``cs``."""
    b = dialect.bool_int
    return {
        "m_id": "m.id",
        "m_id_number": "m.id_number",
        "m_name": "m.name",
        "m_name_key": "REPLACE(REPLACE(m.name, ' ', ''), '　', '')",
        "m_birth_date": "m.birth_date",
        "m_status": "m.status",
        "m_dibao": "m.dibao",
        "m_tekun": "m.tekun",
        "m_dis_cat": "m.disability_category",
        "m_dis_grade": "m.disability_grade",
        "m_student": "m.student_status",
        "m_employed": b("m.employed"),
        "m_employee_pension": b("m.employee_pension"),
        "m_employee_medical": b("m.employee_medical"),
        "h_id": "h.id",
        "h_no": "h.household_no",
        "h_type": "h.household_type",
        "h_housing": b("h.housing_secure"),
        "v_id": "h.village_id",
        "base": "CASE WHEN h.household_type = '脱贫户' OR cs.identified = 1 THEN 1 ELSE 0 END",
        "open_case": "COALESCE(cs.open_case, 0)",
    }


# what writing a finding reads, whatever the rule (and the household number, the subject of household rules); every
# further column is carried through the join of millions of rows
ALWAYS = {"s_id", "s_id_number", "s_name", "m_id", "m_id_number", "m_name", "h_id", "v_id"}
_NAME = re.compile(r"\b(?:[smh]_[a-z_]+|v_id|base|open_case|age_at_period)\b")


def columns_used(rules: tuple[Rule, ...]) -> set[str]:
    """The frame columns the rules' conditions and figures name, and those every finding needs."""
    used = set(ALWAYS)
    for rule in rules:
        if rule.level == "household":
            used.add("h_no")
        for sql in (rule.condition, *(f.sql for f in rule.figures)):
            used.update(_NAME.findall(sql))
    if "age_at_period" in used:
        used.add("m_birth_date")
    return used


def _select(columns: dict[str, str], used: set[str]) -> str:
    return ", ".join(f"{sql} AS {name}" for name, sql in columns.items() if name in used)


def _cases() -> str:
    """Per household: ever identified (脱贫/监测 base list) and an open record (clue included)."""
    return f"""(SELECT household_id, MAX(CASE WHEN identified_on IS NOT NULL THEN 1 ELSE 0 END) AS identified,
                       MAX(CASE WHEN is_open THEN 1 ELSE 0 END) AS open_case
                FROM {_table(MonitoringCase)} GROUP BY household_id)"""  # noqa: S608 - model names only


def _villages() -> str:
    return f"SELECT id FROM {_table(Region)} WHERE code LIKE %(scope)s"  # noqa: S608 - model names only


def frame_sql(dialect: Dialect, *, scoped: bool, used: set[str] | None = None) -> str:
    """Every list row and every registry person of the region, joined by ID number where both exist (only the
    columns in ``used``, all when None).

    PostgreSQL does it in one hash full join. SQLite cannot use an index for a FULL JOIN against a subquery (it
    would scan the registry once per list row), so there the frame is the list LEFT JOIN the registry (by the index
    on the member's ID number) UNION ALL the registry persons absent from the list (NOT IN the list's ID numbers,
    which SQLite turns into one temporary index). Both give the same rows.
    """
    registry = registry_side(dialect)
    used = set(LIST_SIDE) | set(registry) if used is None else used
    list_columns, registry_columns = _select(LIST_SIDE, used), _select(registry, used)
    cases = f"LEFT JOIN {_cases()} cs ON cs.household_id = h.id" if used & {"base", "open_case"} else ""
    rows = f"{_table(ListRow)}"
    members, households = _table(Member), _table(Household)
    if dialect.postgres:
        where = f"WHERE h.village_id IN ({_villages()})" if scoped else ""
        return f"""
            SELECT {list_columns}, r.*
            FROM (SELECT * FROM {rows} WHERE list_id = %(list_id)s) s
            FULL OUTER JOIN (SELECT {registry_columns}
                             FROM {members} m JOIN {households} h ON h.id = m.household_id
                             {cases}
                             {where}) r ON r.m_id_number = s.id_number"""  # noqa: S608 - model names only
    # unary + keeps SQLite on the ID-number index (else it probes (household, ID) for every household in scope)
    in_region = (
        f" AND +m.household_id IN (SELECT id FROM {households} WHERE village_id IN ({_villages()}))"  # noqa: S608
        if scoped
        else ""
    )
    region_where = f"WHERE h.village_id IN ({_villages()})" if scoped else ""
    no_list = ", ".join(f"NULL AS {name}" for name in LIST_SIDE if name in used)
    return f"""
        SELECT {list_columns}, {registry_columns}
        FROM {rows} s
        LEFT JOIN {members} m ON m.id_number = s.id_number{in_region}
        LEFT JOIN {households} h ON h.id = m.household_id
        {cases}
        WHERE s.list_id = %(list_id)s
        UNION ALL
        SELECT {no_list}, {registry_columns}
        FROM {members} m JOIN {households} h ON h.id = m.household_id
        {cases}
        {region_where} {"AND" if scoped else "WHERE"} m.id_number NOT IN (
            SELECT x.id_number FROM {rows} x WHERE x.list_id = %(list_id)s)"""  # noqa: S608


def _flag(index: int) -> str:
    return f"hit_{index}"


NOT_IN_REGISTRY_SQL = "s_id IS NOT NULL AND m_id IS NULL"


def hits_sql(dialect: Dialect, rules: tuple[Rule, ...], *, scoped: bool) -> str:
    """The joined rows hit by any rule, with one 0/1 column per rule (and one for rows not in the registry)."""
    conditions = [f"({rule.condition})" for rule in rules] + [f"({NOT_IN_REGISTRY_SQL})"]
    flags = ", ".join(f"CASE WHEN {cond} THEN 1 ELSE 0 END AS {_flag(i)}" for i, cond in enumerate(conditions))
    frame = frame_sql(dialect, scoped=scoped, used=columns_used(rules))
    # the conditions are the sources' own SQL, never user input
    return (
        f"CREATE TEMP TABLE {HITS} AS SELECT f.*, {flags} FROM ({frame}) f "  # noqa: S608
        f"WHERE {' OR '.join(conditions)}"
    )


def findings_sql(dialect: Dialect, rule: Rule, index: int, *, period_start: datetime.date) -> str:
    """INSERT the findings of one rule from the hits, each linked to the current finding of its subject."""
    subject = "'H:' || h_no" if rule.level == "household" else "m_id_number"
    figures = [(f.label, figure_sql(dialect, f)) for f in rule.figures]
    used = columns_used((rule,))
    extra = []  # the two values a figure may show that are not frame columns
    if "age_at_period" in used:
        extra.append(f"{dialect.age_on('x.m_birth_date', period_start)} AS age_at_period")
    if "n_in_household" in " ".join(f.sql for f in rule.figures):
        extra.append("COUNT(*) OVER (PARTITION BY x.h_id) AS n_in_household")
    fingerprint = " || '|' || ".join(sql for _, sql in figures) or "''"
    carry = carry_sql("p", "z.fp")
    columns = [
        "created_at",
        "updated_at",
        "run_id",
        "department",
        "period",
        "rule",
        "rule_label",
        "village_id",
        "household_id",
        "member_id",
        "list_row_id",
        "name",
        "id_number",
        "subject",
        "figures",
        "fingerprint",
        "status",
        "due_on",
        "verified_by_id",
        "verified_on",
        "note",
        "action",
        "action_note",
        "previous_id",
        "released",
    ]
    values = [
        "%(now)s",
        "%(now)s",
        "%(run_id)s",
        "%(department)s",
        "%(period)s",
        literal(rule.code),
        literal(rule.label),
        "z.v_id",
        "z.h_id",
        "z.m_id",
        "z.s_id",
        "COALESCE(NULLIF(z.s_name, ''), z.m_name, '')",
        "COALESCE(z.s_id_number, z.m_id_number)",
        "z.subj",
        "z.figs",
        "z.fp",
        f"CASE WHEN {carry} THEN p.status ELSE {literal(c.PENDING)} END",
        f"CASE WHEN {carry} THEN p.due_on ELSE %(due_on)s END",
        f"CASE WHEN {carry} THEN p.verified_by_id END",
        f"CASE WHEN {carry} THEN p.verified_on END",
        f"CASE WHEN {carry} THEN p.note ELSE '' END",
        "''",
        "''",
        "p.id",
        "%(released)s",
    ]
    qn = dialect.connection.ops.quote_name
    return f"""
        INSERT INTO {_table(Finding)} ({", ".join(qn(col) for col in columns)})
        SELECT {", ".join(values)}
        FROM (SELECT y.*, {dialect.json_pairs(figures)} AS figs, {fingerprint} AS fp
              FROM (SELECT x.*, {subject} AS subj, {"".join(e + ", " for e in extra)}
                           ROW_NUMBER() OVER (PARTITION BY {subject} ORDER BY x.s_id, x.m_id) AS k
                    FROM {HITS} x WHERE x.{_flag(index)} = 1) y
              WHERE y.k = 1) z
        LEFT JOIN {_table(Finding)} p ON p.id = (
            SELECT MAX(q.id) FROM {_table(Finding)} q
            WHERE q.department = %(department)s AND q.rule = {literal(rule.code)} AND q.subject = z.subj)
    """  # noqa: S608 - our own rule SQL and model names


# --- running ----------------------------------------------------------------------------------------------------


@dataclass
class Coverage:
    """How much of an absence rule's population the list covers: persons and villages, against the thresholds."""

    persons: int
    listed: int
    villages: int
    villages_listed: int
    min_percent: int
    min_village_percent: int

    @property
    def percent(self) -> float:
        return 100.0 * self.listed / self.persons if self.persons else 100.0

    @property
    def village_percent(self) -> float:
        return 100.0 * self.villages_listed / self.villages if self.villages else 100.0

    @property
    def plausible(self) -> bool:
        return self.percent >= self.min_percent and self.village_percent >= self.min_village_percent

    def as_dict(self) -> dict:
        return {**dataclasses.asdict(self), "plausible": self.plausible}


@dataclass
class MatchResult:
    """Hits per rule (rule code → count, plus not_in_registry), the findings written per rule, and the coverage
    of each absence rule's population."""

    hits: dict[str, int]
    findings: dict[str, int]
    coverage: dict[str, Coverage] = dataclasses.field(default_factory=dict)


def coverage_sql(dialect: Dialect, rules: tuple[Rule, ...], *, scoped: bool) -> str:
    """Per absence rule: its population in the region, how many of them are on the list, and the same by village."""
    used = set(ALWAYS)
    parts = []
    for rule in rules:
        used.update(_NAME.findall(rule.population))
        pop, listed = f"({rule.population})", f"({rule.population}) AND s_id IS NOT NULL"
        parts += [
            f"COALESCE(SUM(CASE WHEN {pop} THEN 1 ELSE 0 END), 0)",
            f"COALESCE(SUM(CASE WHEN {listed} THEN 1 ELSE 0 END), 0)",
            f"COUNT(DISTINCT CASE WHEN {pop} THEN v_id END)",
            f"COUNT(DISTINCT CASE WHEN {listed} THEN v_id END)",
        ]
    if "age_at_period" in used:
        used.add("m_birth_date")
    frame = frame_sql(dialect, scoped=scoped, used=used)
    return f"SELECT {', '.join(parts)} FROM ({frame}) f"  # noqa: S608 - the sources' own SQL


def _coverage(cursor, dialect: Dialect, rules: tuple[Rule, ...], settings, params: dict, *, scoped: bool):
    absence = tuple(rule for rule in rules if rule.is_absence)
    if not absence:
        return {}
    sql = coverage_sql(dialect, absence, scoped=scoped)
    cursor.execute(sql, _used(params, sql))
    row = [int(n or 0) for n in cursor.fetchone()]
    return {
        rule.code: Coverage(
            *row[4 * i : 4 * i + 4],
            min_percent=settings.absence_min_coverage_percent,
            min_village_percent=settings.absence_min_village_percent,
        )
        for i, rule in enumerate(absence)
    }


def listed_only(rule: Rule) -> Rule:
    """The rule without its absence part: only persons on the list can be hit."""
    return dataclasses.replace(rule, condition=f"({rule.condition}) AND s_id IS NOT NULL")


def match(
    run: MatchRun, source: Source, *, settings, period_start: datetime.date, due_on: datetime.date, progress=None
) -> MatchResult:
    """Evaluate every rule of ``source`` for ``run``'s list and write the findings. Call inside a transaction."""
    connection = connections[router.db_for_write(Finding)]
    dialect = Dialect(connection)
    rules = source.all_rules
    scoped = bool(run.region_code)
    params = {
        **source.params(settings, period_start),
        "list_id": run.list_id,
        "scope": f"{run.region_code}%",
        "run_id": run.pk,
        "department": run.department,
        "period": run.period,
        "now": Finding._meta.get_field("created_at").get_db_prep_value(timezone.now(), connection),
        "due_on": Finding._meta.get_field("due_on").get_db_prep_value(due_on, connection),
        "released": False,  # a preview until the run is released (services.release_run)
    }
    if not scoped:
        params.pop("scope")
    with connection.cursor() as cursor:
        relaxed_commit(cursor)
        # a list too small for an absence rule's population would call everybody else absent: such a rule keeps
        # to the persons on the list
        coverage = _coverage(cursor, dialect, rules, settings, params, scoped=scoped)
        rules = tuple(
            listed_only(rule) if rule.code in coverage and not coverage[rule.code].plausible else rule for rule in rules
        )
        cursor.execute(f"DROP TABLE IF EXISTS {HITS}")
        sql = hits_sql(dialect, rules, scoped=scoped)
        cursor.execute(sql, _used(params, sql))
        # statistics for the planner: without them it takes the hits for a handful of rows and loops over the
        # earlier findings once per hit
        cursor.execute(f"ANALYZE {HITS}")
        if progress:
            progress("已完成比对")
        sums = ", ".join(f"COALESCE(SUM({_flag(i)}), 0)" for i in range(len(rules) + 1))
        cursor.execute(f"SELECT {sums} FROM {HITS}")  # noqa: S608 - generated column names
        counts = list(cursor.fetchone())
        hits = {rule.code: int(n) for rule, n in zip(rules, counts, strict=False)}
        hits[NOT_IN_REGISTRY[0]] = int(counts[-1])
        if counts[-1]:
            rows = connection.ops.quote_name(_table(ListRow))
            # the list named: PostgreSQL then reads its partition alone
            cursor.execute(
                f"UPDATE {rows} SET not_in_registry = TRUE WHERE list_id = %s AND id IN "  # noqa: S608
                f"(SELECT s_id FROM {HITS} WHERE {_flag(len(rules))} = 1)",
                [run.list_id],
            )
        findings = {}
        if dialect.postgres:
            # each finding looks up its subject's latest earlier finding by the subject index, whatever the
            # statistics say: when they call the findings table empty (a first month), the planner scanned the
            # table once per finding — a table this very statement is filling (40,000 findings: 16 s instead of 1).
            # No JIT: the cost the planner then adds to every sequential scan would have each statement compiled
            # (~0.5 s apiece; these statements were never costly enough for JIT before)
            cursor.execute("SET LOCAL enable_seqscan = off")
            cursor.execute("SET LOCAL jit = off")
        for index, rule in enumerate(rules):
            if not hits[rule.code]:
                findings[rule.code] = 0
                continue
            sql = findings_sql(dialect, rule, index, period_start=period_start)
            cursor.execute(sql, _used(params, sql))
            findings[rule.code] = cursor.rowcount
        if dialect.postgres:
            cursor.execute("RESET enable_seqscan")
            cursor.execute("RESET jit")
        cursor.execute(f"DROP TABLE IF EXISTS {HITS}")
    return MatchResult(hits=hits, findings=findings, coverage=coverage)


def _used(params: dict, sql: str) -> dict:
    """Only the named parameters ``sql`` uses (SQLite refuses unused names)."""
    return {k: v for k, v in params.items() if f"%({k})s" in sql}


def withdraw_superseded(run: MatchRun) -> int:
    """Earlier runs of the same department, region and period are replaced by ``run``.

    Their findings nobody has touched (待核实, and not carried into ``run``) are deleted, so that the findings they
    had carried forward are the latest of their chains again; the runs are marked superseded. Returns how many
    findings were withdrawn.
    """
    earlier = MatchRun.objects.filter(
        department=run.department, region_code=run.region_code, period=run.period, status=c.SUCCEEDED
    ).exclude(pk=run.pk)
    earlier_ids = list(earlier.values_list("pk", flat=True))
    if not earlier_ids:
        return 0
    stale = list(
        Finding.objects.filter(run_id__in=earlier_ids, status=c.PENDING, verified_by=None)
        .current()
        .values_list("pk", flat=True)
    )
    # never touched by a user: withdrawn without a change-log entry, as they were written without one
    for start in range(0, len(stale), CHUNK):
        Finding.objects.filter(pk__in=stale[start : start + CHUNK])._raw_delete(Finding.objects.db)
    earlier.update(status=c.SUPERSEDED)
    return len(stale)


def carry_sql(earlier: str, fingerprint: str) -> str:
    """SQL: the earlier finding ``earlier`` carries its state into the new one of its subject, whose figures are
    ``fingerprint`` — the one cycle does not raise it again (``work.lifecycle.raised_again``): it is still open, or
    closed as 不是问题 (不属实) on the same figures. A finding closed as 已整改 (已处理) is raised again, 待核实."""
    unclosed = ", ".join(literal(status) for status in c.OPEN)
    waived = ", ".join(literal(status) for status in c.WAIVED)
    return (
        f"({earlier}.status IN ({unclosed}) OR "
        f"({earlier}.status IN ({waived}) AND {earlier}.fingerprint = {fingerprint}))"
    )


CARRY = carry_sql("p", "f.fingerprint")


def release_findings(run: MatchRun, *, due_on: datetime.date) -> int:
    """The run's findings reach their villages: released, due from today, and each carrying its subject's earlier
    finding's state as that finding stands now (the village may have verified it while the run was a preview).
    Returns how many. Call inside a transaction."""
    connection = connections[router.db_for_write(Finding)]
    qn = connection.ops.quote_name
    table = qn(_table(Finding))
    due = Finding._meta.get_field("due_on").get_db_prep_value(due_on, connection)
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {table} SET released = TRUE, status = {literal(c.PENDING)}, due_on = %s, "  # noqa: S608
            "verified_by_id = NULL, verified_on = NULL, note = '' WHERE run_id = %s",
            [due, run.pk],
        )
        released = cursor.rowcount
        cursor.execute(
            f"UPDATE {table} AS f SET status = p.status, due_on = p.due_on, verified_by_id = p.verified_by_id, "  # noqa: S608
            f"verified_on = p.verified_on, note = p.note FROM {table} p "
            f"WHERE f.run_id = %s AND f.previous_id = p.id AND {CARRY}",
            [run.pk],
        )
    return released


def withdrawable(run: MatchRun):
    """The run's findings nobody has touched (待核实, never verified) and no other run has carried on."""
    carried = Finding._base_manager.filter(previous__run=run).exclude(run=run).values("previous_id")
    return Finding._base_manager.filter(run=run, status=c.PENDING, verified_by=None).exclude(pk__in=carried)


def delete_findings(ids: list[int]) -> None:
    """Findings written in bulk and never touched go without a change-log entry, as they came."""
    for start in range(0, len(ids), CHUNK):
        Finding._base_manager.filter(pk__in=ids[start : start + CHUNK])._raw_delete(Finding.objects.db)
