"""The ten risk factors of the federal programme of support for schools with low results
(«500+»), seeded once; the department may edit the list later."""

from django.db import migrations

FACTORS = [
    ("EQUIPMENT", "Низкое материально-техническое оснащение"),
    ("STAFF_SHORTAGE", "Дефицит педагогических кадров"),
    ("TEACHER_COMPETENCE", "Недостаточная предметная и методическая компетентность педагогов"),
    ("ADAPTIVITY", "Низкая адаптивность обучения"),
    ("PROF_DEVELOPMENT", "Отсутствие внутришкольной системы профессионального развития педагогов"),
    ("FAILURE_RISK", "Высокая доля обучающихся с рисками учебной неуспешности"),
    ("LANGUAGE_BARRIERS", "Языковые и культурные барьеры обучающихся"),
    ("ENVIRONMENT", "Низкое качество школьной образовательной среды"),
    ("PARENTS", "Низкий уровень вовлечённости родителей"),
    ("MOTIVATION", "Низкая учебная мотивация обучающихся"),
]


def seed(apps, schema_editor):
    RiskFactor = apps.get_model("monitoring", "RiskFactor")
    for position, (code, name) in enumerate(FACTORS, start=1):
        RiskFactor.objects.update_or_create(
            code=code, defaults={"name": name, "position": position, "is_active": True}
        )


class Migration(migrations.Migration):
    dependencies = [("monitoring", "0003_identification_risks")]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
