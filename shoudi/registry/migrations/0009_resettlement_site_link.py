"""The text 安置区 goes; the link takes its name."""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("registry", "0008_resettlement_sites_from_names")]

    operations = [
        migrations.RemoveField(model_name="household", name="resettlement_site"),
        migrations.RenameField(model_name="household", old_name="resettlement_site_link", new_name="resettlement_site"),
        migrations.AlterField(
            model_name="household",
            name="resettlement_site",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="households",
                to="registry.resettlementsite",
                verbose_name="安置区",
            ),
        ),
    ]
