"""Visits: the (household, date) index also carries the kind, so the worklist reads a household's visits of a
period, home visits or any, from the index alone (bench/bench_worklist.py)."""

from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ("assistance", "0001_initial"),
    ]

    operations = [
        migrations.RemoveIndex(
            model_name="visit",
            name="assistance__househo_8dbfdc_idx",
        ),
        migrations.AddIndex(
            model_name="visit",
            index=models.Index(fields=["household", "visited_on", "kind"], name="visit_household_day_kind"),
        ),
    ]
