"""On PostgreSQL, index which records each list read showed (`audit.selectors.events_about`)."""

from django.db import migrations


def create(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(
            "CREATE INDEX audit_event_shown_gin ON audit_auditevent "
            "USING gin (shown jsonb_path_ops)"
        )


def drop(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("DROP INDEX IF EXISTS audit_event_shown_gin")


class Migration(migrations.Migration):
    dependencies = [("audit", "0003_audit_event_shown")]

    operations = [migrations.RunPython(create, drop)]
