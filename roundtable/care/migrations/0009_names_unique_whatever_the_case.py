"""Offer names, and the names of a team's zones in use, are unique whatever their case.

The services always refused "peer support" beside "Peer support", but only the exact name had a
constraint behind it, so two such names sent at the same moment could both be stored. Any such
pair already stored is told apart first, or the constraint could not be made: the first of each
keeps its name and the others get " (2)", " (3)" … added. Nothing is deleted: episodes and
decisions point at these rows.
"""

import django.db.models.functions.text
from django.db import migrations, models
from django.db.models import F
from django.db.models.functions import Lower


def _tell_apart(rows, max_length):
    """`rows` are (pk, name, lowered name, group) in the order to keep them; the new name of
    each row whose lowered name is already taken in its group, by pk."""
    taken = {(group, folded) for _, _, folded, group in rows}
    seen = set()
    renamed = {}
    for pk, name, folded, group in rows:
        if (group, folded) not in seen:
            seen.add((group, folded))
            continue
        number = 2
        while True:
            suffix = f" ({number})"
            new_name = name[: max_length - len(suffix)] + suffix
            new_folded = folded[: max_length - len(suffix)] + suffix
            if (group, new_folded) not in taken:
                break
            number += 1
        taken.add((group, new_folded))
        seen.add((group, new_folded))
        renamed[pk] = new_name
    return renamed


def tell_apart_names(apps, schema_editor):
    Offer = apps.get_model("care", "Offer")
    Zone = apps.get_model("care", "Zone")
    offers = Offer.objects.annotate(folded=Lower("name")).order_by("pk")
    rows = [(pk, name, folded, None) for pk, name, folded in offers.values_list("pk", "name", "folded")]
    for pk, name in _tell_apart(rows, 150).items():
        Offer.objects.filter(pk=pk).update(name=name, version=F("version") + 1)
    zones = Zone.objects.filter(is_archived=False).annotate(folded=Lower("name")).order_by("pk")
    rows = [
        (pk, name, folded, team)
        for pk, name, folded, team in zones.values_list("pk", "name", "folded", "team_id")
    ]
    for pk, name in _tell_apart(rows, 60).items():
        Zone.objects.filter(pk=pk).update(name=name, version=F("version") + 1)


class Migration(migrations.Migration):
    dependencies = [
        ("care", "0008_episode_latest_note"),
        ("directory", "0004_team_serves"),
    ]

    operations = [
        migrations.RemoveConstraint(
            model_name="zone",
            name="zone_unique_name_in_team",
        ),
        migrations.AlterField(
            model_name="offer",
            name="name",
            field=models.CharField(max_length=150),
        ),
        migrations.RunPython(tell_apart_names, migrations.RunPython.noop),
        migrations.AddConstraint(
            model_name="offer",
            constraint=models.UniqueConstraint(
                django.db.models.functions.text.Lower("name"), name="offer_unique_name_any_case"
            ),
        ),
        migrations.AddConstraint(
            model_name="zone",
            constraint=models.UniqueConstraint(
                models.F("team"),
                django.db.models.functions.text.Lower("name"),
                condition=models.Q(("is_archived", False)),
                name="zone_unique_name_in_team_any_case",
            ),
        ),
    ]
