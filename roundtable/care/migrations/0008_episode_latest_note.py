"""Each episode keeps its newest SBARD note, for the huddle board (ADR 0011)."""

import django.db.models.deletion
from django.db import migrations, models
from django.db.models import OuterRef, Subquery


def fill_latest_notes(apps, schema_editor):
    """The newest note of each episode that has notes, in one UPDATE."""
    Episode = apps.get_model("care", "Episode")
    HuddleNote = apps.get_model("care", "HuddleNote")
    newest = HuddleNote.objects.filter(episode=OuterRef("pk")).order_by("-at", "-pk")
    Episode.objects.filter(pk__in=HuddleNote.objects.values("episode")).update(
        latest_note=Subquery(newest.values("pk")[:1])
    )


class Migration(migrations.Migration):
    dependencies = [
        ("care", "0007_zone_change_day_required"),
    ]

    operations = [
        migrations.AddField(
            model_name="episode",
            name="latest_note",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.SET_NULL,
                related_name="+",
                to="care.huddlenote",
            ),
        ),
        migrations.RunPython(fill_latest_notes, migrations.RunPython.noop),
    ]
