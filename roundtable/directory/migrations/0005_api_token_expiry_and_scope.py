"""API tokens expire, and may be limited to reading or to some parts of the API. Tokens made
before keep what they could do (read and change, everywhere) for a year from when they were
made; new ones are read only unless their maker chooses otherwise."""

from datetime import timedelta

from django.db import migrations, models

KEPT_FOR = timedelta(days=365)


def expire_in_a_year(apps, schema_editor):
    ApiToken = apps.get_model("directory", "ApiToken")
    for token in ApiToken.objects.all().only("pk", "created_at"):
        ApiToken.objects.filter(pk=token.pk).update(expires_at=token.created_at + KEPT_FOR)


class Migration(migrations.Migration):
    dependencies = [("directory", "0004_team_serves")]

    operations = [
        migrations.AddField(
            model_name="apitoken",
            name="expires_at",
            field=models.DateTimeField(null=True),
        ),
        migrations.RunPython(expire_in_a_year, migrations.RunPython.noop),
        migrations.AlterField(
            model_name="apitoken",
            name="expires_at",
            field=models.DateTimeField(),
        ),
        migrations.AddField(
            model_name="apitoken",
            name="access",
            field=models.CharField(
                choices=[("read", "Read only"), ("write", "Read and change")],
                default="write",
                max_length=5,
            ),
        ),
        migrations.AlterField(
            model_name="apitoken",
            name="access",
            field=models.CharField(
                choices=[("read", "Read only"), ("write", "Read and change")],
                default="read",
                max_length=5,
            ),
        ),
        migrations.AddField(
            model_name="apitoken",
            name="areas",
            field=models.JSONField(blank=True, default=list),
        ),
    ]
