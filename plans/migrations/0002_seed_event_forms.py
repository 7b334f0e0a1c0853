"""Seed the editable reference list of event forms (SPEC §3)."""

from django.db import migrations

from plans.migrations._forms import FORMS


def seed(apps, schema_editor):
    EventForm = apps.get_model("plans", "EventForm")
    for position, name in enumerate(FORMS, start=1):
        EventForm.objects.get_or_create(name=name, defaults={"position": position})


class Migration(migrations.Migration):
    dependencies = [("plans", "0001_initial")]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
