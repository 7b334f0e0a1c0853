"""Seed the editable reference list of school subjects (the resources' «предметы»): the subjects
of the federal curriculum (ФОП НОО, ООО, СОО), and two for what belongs to no one subject."""

from django.db import migrations

SUBJECTS = [
    "Русский язык",
    "Литература",
    "Родной язык и литература",
    "Иностранный язык",
    "Математика",
    "Информатика",
    "История",
    "Обществознание",
    "География",
    "Физика",
    "Химия",
    "Биология",
    "Окружающий мир",
    "Изобразительное искусство",
    "Музыка",
    "Труд (технология)",
    "Физическая культура",
    "Основы безопасности и защиты Родины",
    "Основы религиозных культур и светской этики",
    "Начальные классы",
    "Воспитательная работа",
    "Управление школой",
]


def seed(apps, schema_editor):
    Subject = apps.get_model("schools", "Subject")
    for position, name in enumerate(SUBJECTS, start=1):
        Subject.objects.get_or_create(name=name, defaults={"position": position})


class Migration(migrations.Migration):
    dependencies = [("schools", "0006_resources")]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
