"""Benchmark: the household, member and cadre picker (shoudi.core.picker) over the demo county.

Target (issue 14): the picker answers in ≤ 100 ms over the demo county (20,000 households, 80,000 people).
Baseline (same run): the forms as they were, with every household in the user's scope as one <select> option
(新增收入, 新增成员, 新增帮扶措施 took 16–27 s and weighed 1.4–2.2 MB for a county user).

It makes the demo county with ``shoudi demo`` in a fresh data directory (SQLite; ``--data-dir DIR`` reuses one
that has it, ``--database-url`` points at PostgreSQL instead), then, through the Django test client logged in as
the demo county admin (admin) and village officer (xinxiyuan):

- **old page**: each form rendered with the old dropdown: the household field's default ``Select`` over the
  user's households, each named as ``Household.__str__`` named it then (the head's name, one query per option,
  and the full 户编号). Run ``--old-repeat`` times (default once: it is slow).
- **new page**: the same forms as they are now (the picker), ``--repeat`` times.
- **picker**: ``GET /registry/pick/households/?q=…`` (and members, cadres) for what people type: nothing, a
  surname, a whole name, pinyin initials, a part of the 户编号, a phone's last four digits, a whole ID number,
  the last four of an ID, a cadre's unit; ``--repeat`` times each.

It prints median and worst seconds, page sizes, the ratio old / new, and for each picker query whether its median
meets the 100 ms target; it exits non-zero when one does not. No test asserts a time (docs/engineering.md).

    .venv/bin/python bench/bench_picker.py [--data-dir /tmp/demo] [--repeat 15] [--old-repeat 1]
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent
TARGET_SECONDS = 0.100
USERS = ("admin", "xinxiyuan")  # the demo county admin and a village officer (shoudi demo prints them)


def prepare(data_dir: str | None, database_url: str | None) -> str:
    data_dir = data_dir or tempfile.mkdtemp(prefix="shoudi-bench-picker-")
    env = {**os.environ, "SHOUDI_DATA_DIR": data_dir, "PYTHONPATH": str(BASE_DIR)}
    if database_url:
        env["DATABASE_URL"] = database_url
    for command in (["migrate", "-v0"], ["demo", "--if-empty"]):
        start = time.perf_counter()
        subprocess.run([sys.executable, "-m", "shoudi", *command], env=env, check=True, cwd=BASE_DIR)
        print(f"shoudi {' '.join(command)}: {time.perf_counter() - start:.1f} s", flush=True)
    os.environ.update({k: env[k] for k in ("SHOUDI_DATA_DIR", *(["DATABASE_URL"] if database_url else []))})
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "shoudi.settings")
    sys.path.insert(0, str(BASE_DIR))
    import django

    django.setup()
    return data_dir


def measure(fn, repeat: int) -> tuple[float, float, object]:
    times, result = [], None
    for _ in range(repeat):
        start = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times), max(times), result


def old_forms():
    """The three forms with their household field as before: a <select> of every household, named the old way."""
    from django import forms

    from shoudi.assistance.forms import MeasureForm
    from shoudi.registry.forms import IncomeRecordForm, MemberForm
    from shoudi.registry.models import Household

    def old_name(household: Household) -> str:  # Household.__str__ before issue 14: a query for the head per row
        head = household.members.filter(relation="户主").first()
        return f"{head.name}户（{household.household_no}）" if head else f"户 {household.household_no}"

    def with_dropdown(form_class):
        class OldForm(form_class):
            def __init__(self, *args, **kwargs):
                super().__init__(*args, **kwargs)
                field = self.fields["household"]
                field.queryset = Household.objects.restrict(self.user, "view")
                field.label_from_instance = old_name
                field.widget = forms.Select(attrs={"class": "form-select"})
                field.widget.choices = field.choices
                if "case" in self.fields:  # the case field listed every case in scope too
                    self.fields["case"].queryset = self.fields["case"].queryset.model.objects.restrict(self.user)

        OldForm.__name__ = f"Old{form_class.__name__}"
        return OldForm

    return {
        name: with_dropdown(cls)
        for name, cls in (("income", IncomeRecordForm), ("member", MemberForm), ("measure", MeasureForm))
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--data-dir", help="a data directory to reuse (the demo is built there when missing)")
    parser.add_argument("--database-url", help="PostgreSQL instead of the data directory's SQLite file")
    parser.add_argument("--repeat", type=int, default=15)
    parser.add_argument("--old-repeat", type=int, default=1)
    args = parser.parse_args()
    prepare(args.data_dir, args.database_url)

    from unittest import mock

    from django.db import connection
    from django.test import Client
    from django.test.utils import setup_test_environment

    from shoudi.accounts.models import User
    from shoudi.assistance.models import Cadre
    from shoudi.assistance.views import MeasureEditView
    from shoudi.registry.models import Household, Member
    from shoudi.registry.views import IncomeEditView, MemberEditView

    setup_test_environment()  # the test client's ALLOWED_HOSTS ("testserver")
    print(
        f"database: {connection.vendor}; households {Household.objects.count():,}, members {Member.objects.count():,}"
    )
    sample = (
        Member.objects.filter(relation="户主", household__village__code__startswith="520199")
        .exclude(phone="")
        .select_related("household__village")
        .order_by("household_id")[len(USERS) * 7]
    )
    household = sample.household
    cadre = Cadre.objects.filter(active=True).exclude(phone="").order_by("pk").first()
    queries = {
        "households": [
            ("（空）", ""),
            ("姓", sample.name[0]),
            ("姓名", sample.name),
            ("拼音首字母", sample.name_initials),
            ("户编号一段", household.short_no),
            ("电话后四位", (household.phone or sample.phone)[-4:]),
            ("证件号", sample.id_number),
            ("证件号后四位", sample.id_number[-4:]),
        ],
        "members": [("姓名", sample.name), ("证件号", sample.id_number), ("户编号一段", household.short_no)],
        "cadres": [("姓名", cadre.name if cadre else "张"), ("单位", cadre.unit[:2] if cadre else "县")],
    }
    urls = {
        "households": "/registry/pick/households/",
        "members": "/registry/pick/members/",
        "cadres": "/assistance/pick/cadres/",
    }
    pages = {
        "income": (IncomeEditView, f"/registry/incomes/add/?household={household.pk}"),
        "member": (MemberEditView, f"/registry/members/add/?household={household.pk}"),
        "measure": (MeasureEditView, f"/assistance/measures/add/?household={household.pk}"),
    }
    old = old_forms()
    missed = []
    for username in USERS:
        user = User.objects.get(username=username)
        client = Client()
        client.force_login(user)
        scope = Household.objects.restrict(user, "view").count()
        print(f"\n== {username} ({user.role_label}, {scope:,} households in scope)")
        header = ("page", "old median", "old size", "new median", "new worst", "new size", "old/new")
        print("".join(f"{h:<10}" if i == 0 else f"{h:>11}" for i, h in enumerate(header)))
        for name, (view, url) in pages.items():
            with mock.patch.object(view, "form_class", old[name]):
                old_median, _, response = measure(lambda url=url, client=client: client.get(url), args.old_repeat)
            assert response.status_code == 200, response.status_code
            old_size = len(response.content)
            new_median, new_worst, response = measure(lambda url=url, client=client: client.get(url), args.repeat)
            assert response.status_code == 200, response.status_code
            new_size = len(response.content)
            print(
                f"{name:<10}{old_median:>11.3f}s{old_size / 1024:>10.0f}KB{new_median:>11.3f}s{new_worst:>10.3f}s"
                f"{new_size / 1024:>9.0f}KB{old_median / new_median:>8.0f}×"
            )
        print(f"{'picker':<28}{'median':>9}{'worst':>9}{'rows':>6}  target ≤ {TARGET_SECONDS * 1000:.0f} ms")
        for kind, cases in queries.items():
            for label, text in cases:
                url = urls[kind]
                ask = lambda url=url, text=text, client=client: client.get(url, {"q": text})  # noqa: E731
                median, worst, response = measure(ask, args.repeat)
                rows = response.content.decode().count('role="option"')
                ok = median <= TARGET_SECONDS
                if not ok:
                    missed.append(f"{username} {kind} {label}")
                print(
                    f"{kind + ' ' + label:<28}{median * 1000:>7.1f}ms{worst * 1000:>7.1f}ms{rows:>6}  "
                    f"{'met' if ok else 'MISSED'}"
                )
    print("\ntarget met for every picker query" if not missed else f"\ntarget missed: {', '.join(missed)}")
    return 1 if missed else 0


if __name__ == "__main__":
    sys.exit(main())
