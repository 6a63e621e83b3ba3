"""The local day of each zone change is required, and indexed for the zone mix by day."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("care", "0006_zone_change_day"),
    ]

    operations = [
        migrations.AlterField(
            model_name="zonechange",
            name="day",
            field=models.DateField(),
        ),
        migrations.RemoveIndex(
            model_name="zonechange",
            name="care_zonech_at_ddbe62_idx",
        ),
        migrations.AddIndex(
            model_name="zonechange",
            index=models.Index(
                fields=["day", "to_zone", "from_zone"], name="care_zonechange_day_idx"
            ),
        ),
    ]
