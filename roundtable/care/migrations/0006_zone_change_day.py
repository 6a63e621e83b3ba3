"""Keep the local day of each zone change, for the zone mix by day (ADR 0011): filled in
here, required and indexed in the next migration (PostgreSQL cannot change a table in the
transaction that has just updated its rows)."""

from django.db import migrations, models
from django.utils import timezone

BATCH = 2000


def fill_days(apps, schema_editor):
    """The local day of each change already recorded, a batch at a time."""
    ZoneChange = apps.get_model("care", "ZoneChange")
    pending = ZoneChange.objects.filter(day__isnull=True).only("pk", "at").order_by("pk")
    while batch := list(pending[:BATCH]):
        for change in batch:
            change.day = timezone.localdate(change.at)
        ZoneChange.objects.bulk_update(batch, ["day"])


class Migration(migrations.Migration):
    dependencies = [
        ("care", "0005_open_worker_index"),
    ]

    operations = [
        migrations.AddField(
            model_name="zonechange",
            name="day",
            field=models.DateField(null=True),
        ),
        migrations.RunPython(fill_days, migrations.RunPython.noop),
    ]
