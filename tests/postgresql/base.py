"""PostgreSQL for the test run (tests/conftest.py switches to it): Django's backend, except how the database is
flushed after each transactional test (the browser tests, the worker tests).

Django truncates every table there. TRUNCATE gives each table and index new files, which costs about 2 s for the
~50 tables of Shoudi (measured: 1.7–2.5 s a flush, against 0.06 s for deleting the rows), and the PostgreSQL pass
has some 40 such tests. Deleting the rows a test left leaves the same database behind: every table empty, the
sequences where they were (TRUNCATE without RESTART IDENTITY does not reset them either).
"""

from django.db.backends.postgresql import base, operations


class DatabaseOperations(operations.DatabaseOperations):
    def sql_flush(self, style, tables, *, reset_sequences=False, allow_cascade=False):
        if not tables or reset_sequences or allow_cascade:  # asked for what only TRUNCATE does: Django's way
            return super().sql_flush(style, tables, reset_sequences=reset_sequences, allow_cascade=allow_cascade)
        # Django's foreign keys are DEFERRABLE INITIALLY DEFERRED: checked when the flush commits, every table empty
        return ["SET CONSTRAINTS ALL DEFERRED;"] + [
            f"{style.SQL_KEYWORD('DELETE FROM')} {style.SQL_FIELD(self.quote_name(table))};" for table in tables
        ]


class DatabaseWrapper(base.DatabaseWrapper):
    ops_class = DatabaseOperations
