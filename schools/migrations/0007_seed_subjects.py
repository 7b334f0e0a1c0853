"""Seed the editable reference list of school subjects (the resources' «предметы»): the subjects
of the federal curriculum (ФОП НОО, ООО, СОО), and two for what belongs to no one subject."""

from django.db import migrations

from schools.migrations._subjects import SUBJECTS


def seed(apps, schema_editor):
    Subject = apps.get_model("schools", "Subject")
    for position, name in enumerate(SUBJECTS, start=1):
        Subject.objects.get_or_create(name=name, defaults={"position": position})


class Migration(migrations.Migration):
    dependencies = [("schools", "0006_resources")]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
