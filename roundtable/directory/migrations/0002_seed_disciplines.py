"""Seed the disciplines and backgrounds a community mental health system has."""

from django.db import migrations

DISCIPLINES = [
    ("nursing", "Nursing"),
    ("psychiatry-medicine", "Psychiatry and medicine"),
    ("psychology", "Psychology"),
    ("occupational-therapy", "Occupational therapy"),
    ("social-work", "Social work"),
    ("pharmacy", "Pharmacy"),
    ("peer-support", "Peer support"),
    ("mental-health-coach", "Mental health coach"),
    ("vcse-practitioner", "VCSE practitioner"),
    ("administration", "Administration"),
    ("management", "Management"),
    ("lived-experience", "Lived-experience or public representative"),
    ("other", "Other"),
]


def seed(apps, schema_editor):
    Discipline = apps.get_model("directory", "Discipline")
    for order, (slug, name) in enumerate(DISCIPLINES, start=1):
        Discipline.objects.update_or_create(slug=slug, defaults={"name": name, "sort_order": order})


def unseed(apps, schema_editor):
    Discipline = apps.get_model("directory", "Discipline")
    Discipline.objects.filter(slug__in=[slug for slug, _ in DISCIPLINES], people__isnull=True).delete()


class Migration(migrations.Migration):
    dependencies = [("directory", "0001_initial")]
    operations = [migrations.RunPython(seed, unseed)]
