import contextlib
import os

import pytest
from hypothesis import settings as hypothesis_settings

from shoudi.accounts.testing import World, make_world
from shoudi.core.jobs import start_job
from shoudi.core.models import Job

pytest_plugins = ["tests.browser"]

# property tests (hypothesis): the same examples on every CI run, fresh ones on a developer's machine
hypothesis_settings.register_profile("ci", derandomize=True, database=None)
hypothesis_settings.load_profile("ci" if os.environ.get("CI") else "default")

# Playwright's sync API runs an event loop in the test thread; Django's ORM calls from that thread are safe.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


@pytest.fixture(scope="session")
def django_db_modify_db_settings(django_db_modify_db_settings_parallel_suffix):
    """On PostgreSQL the test run uses tests/postgresql: a transactional test's flush deletes rows instead of
    truncating ~50 tables (2 s a test otherwise). Switched before the test database is created."""
    from django.conf import settings
    from django.db import connections

    database = settings.DATABASES["default"]
    if database["ENGINE"] == "django.db.backends.postgresql":
        database["ENGINE"] = "tests.postgresql"
        connections.close_all()
        with contextlib.suppress(AttributeError):  # a connection object made earlier (of a test without the DB)
            del connections["default"]


@pytest.fixture(autouse=True)
def _fresh_cache():
    """The 待办 badge is cached per user and day; tests reuse user ids, so each starts with an empty cache."""
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def world(db) -> World:
    """Village A officer, the reviewer of the township above A, village B officer, a county admin, an inspector."""
    return make_world()


@pytest.fixture
def client_for(client):
    """client_for(user) → a test client logged in as that user."""

    def login(user):
        client.force_login(user)
        return client

    return login


@pytest.fixture
def run_now(settings, tmp_path, django_capture_on_commit_callbacks):
    """start_job(…) run through the real task path (django-tasks' ImmediateBackend) before returning; files go to
    the test's own MEDIA_ROOT (tmp_path / "files")."""
    settings.MEDIA_ROOT = tmp_path / "files"
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}

    def run(**kwargs) -> Job:
        with django_capture_on_commit_callbacks(execute=True):
            job = start_job(**kwargs)
        job.refresh_from_db()
        return job

    return run


@pytest.fixture
def national_calendar(db):
    """The national holidays the migration seeds from chinesecalendar. A transactional test (the browser tests)
    flushes every table, the migration's rows too, so a test that counts working days seeds them again."""
    import importlib

    from django.apps import apps

    seed = importlib.import_module("shoudi.core.migrations.0006_seed_holidays").seed
    seed(apps, None)  # bulk_create(ignore_conflicts=True): nothing twice
