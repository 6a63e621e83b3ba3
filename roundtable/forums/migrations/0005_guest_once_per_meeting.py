"""A named guest is recorded once at a meeting, whatever the case of their name.

The service always refused "helen hughes" beside "Helen Hughes", but nothing in the database
did, so the same guest recorded twice at the same moment was stored twice. Such duplicates are
removed first, or the constraint could not be made: of each meeting's rows for one guest (by
name, ignoring case and surrounding spaces) the first recorded is kept. Attendance of people
with an account is never touched: it has its own constraint already.
"""

import django.db.models.functions.text
from django.conf import settings
from django.db import migrations, models
from django.db.models.functions import Lower, Trim


def remove_repeated_guests(apps, schema_editor):
    Attendance = apps.get_model("forums", "Attendance")
    guests = (
        Attendance.objects.filter(person__isnull=True)
        .annotate(folded=Lower(Trim("guest_name")))
        .order_by("meeting_id", "pk")
        .values_list("pk", "meeting_id", "folded")
    )
    meeting, seen, repeated = None, set(), []
    for pk, meeting_id, folded in guests.iterator(chunk_size=2000):
        if meeting_id != meeting:
            meeting, seen = meeting_id, set()
        if folded in seen:
            repeated.append(pk)
        else:
            seen.add(folded)
    for start in range(0, len(repeated), 1000):
        Attendance.objects.filter(
            pk__in=repeated[start : start + 1000], person__isnull=True
        ).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("directory", "0004_team_serves"),
        ("forums", "0004_attendance_guest_details"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.RunPython(remove_repeated_guests, migrations.RunPython.noop),
        migrations.AddConstraint(
            model_name="attendance",
            constraint=models.UniqueConstraint(
                models.F("meeting"),
                django.db.models.functions.text.Lower("guest_name"),
                condition=models.Q(("person__isnull", True)),
                name="attendance_once_per_guest_name",
            ),
        ),
    ]
