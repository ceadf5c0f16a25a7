"""Seed the national working-day calendar from chinesecalendar: its holidays on weekdays (休) and its 调休 working
weekends (班), 2004–2026. Years after that are entered by a county admin on the 节假日 page."""

from django.db import migrations

NAMES = {
    "New Year's Day": "元旦",
    "Spring Festival": "春节",
    "Tomb-sweeping Day": "清明节",
    "Labour Day": "劳动节",
    "Dragon Boat Festival": "端午节",
    "National Day": "国庆节",
    "Mid-autumn Festival": "中秋节",
    "Anti-Fascist 70th Day": "抗战胜利70周年纪念日",
}


def seed(apps, schema_editor):
    from chinese_calendar import constants

    Holiday = apps.get_model("core", "Holiday")
    rows = [
        Holiday(date=day, kind="rest", name=NAMES.get(name, name))
        for day, name in constants.holidays.items()
        if day.weekday() < 5
    ]
    rows += [
        Holiday(date=day, kind="work", name=NAMES.get(name, name))
        for day, name in constants.workdays.items()
        if day.weekday() >= 5
    ]
    Holiday.objects.bulk_create(rows, ignore_conflicts=True)


def unseed(apps, schema_editor):
    apps.get_model("core", "Holiday").objects.filter(region_code="").delete()


class Migration(migrations.Migration):
    dependencies = [("core", "0005_holiday")]
    operations = [migrations.RunPython(seed, unseed)]
