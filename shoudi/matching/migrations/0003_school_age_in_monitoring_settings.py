"""The school ages move to 监测参数 (monitoring.MonitoringSettings), where every school-age rule reads them; a
county's own ages come along to its every-year monitoring settings row."""

from django.db import migrations

DEFAULT = {"school_age_min": 6, "school_age_max": 16}


def to_monitoring(apps, schema_editor):
    matching = apps.get_model("matching", "MatchingSettings")
    monitoring = apps.get_model("monitoring", "MonitoringSettings")
    for row in matching.objects.exclude(**DEFAULT):
        target, _ = monitoring.objects.get_or_create(region_id=row.region_id, year=None)
        target.school_age_min, target.school_age_max = row.school_age_min, row.school_age_max
        target.save(update_fields=["school_age_min", "school_age_max"])


def to_matching(apps, schema_editor):
    matching = apps.get_model("matching", "MatchingSettings")
    monitoring = apps.get_model("monitoring", "MonitoringSettings")
    for row in monitoring.objects.filter(year=None).exclude(**DEFAULT):
        target, _ = matching.objects.get_or_create(region_id=row.region_id)
        target.school_age_min, target.school_age_max = row.school_age_min, row.school_age_max
        target.save(update_fields=["school_age_min", "school_age_max"])


class Migration(migrations.Migration):
    dependencies = [
        ("matching", "0002_partitioned_staging"),
        ("monitoring", "0003_school_age_rule"),
    ]

    operations = [
        migrations.RunPython(to_monitoring, to_matching),
        migrations.RemoveField(model_name="matchingsettings", name="school_age_max"),
        migrations.RemoveField(model_name="matchingsettings", name="school_age_min"),
    ]
