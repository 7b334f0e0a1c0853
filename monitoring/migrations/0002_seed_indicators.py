"""The indicator catalogue of SPEC §3, seeded once: results of ВПР, ОГЭ and ЕГЭ, the
components of the school social well-being index, the school's resources."""

from decimal import Decimal

from django.db import migrations

FIS_OKO = "ФИС ОКО"
RCOI = "РЦОИ (результаты ГИА)"
SOCIAL = "Социальный паспорт школы"
OO1 = "Форма ФСН ОО-1"
OO2 = "Форма ФСН ОО-2"

# code, name, group, unit, source, min, max, direction, decimals
INDICATORS = [
    ("VPR_FAIL", "ВПР: доля отметок «2»", "results", "%", FIS_OKO, 0, 100, "lower", 1),
    ("VPR_MEAN", "ВПР: средняя отметка", "results", "балл", FIS_OKO, 2, 5, "higher", 2),
    ("VPR_CONFIRMED", "ВПР: доля подтвердивших годовую отметку", "results", "%", FIS_OKO, 0, 100,
     "higher", 1),
    ("OGE_FAIL", "ОГЭ: доля отметок «2»", "results", "%", RCOI, 0, 100, "lower", 1),
    ("OGE_MEAN", "ОГЭ: средняя отметка", "results", "балл", RCOI, 2, 5, "higher", 2),
    ("OGE_CONFIRMED", "ОГЭ: доля подтвердивших годовую отметку", "results", "%", RCOI, 0, 100,
     "higher", 1),
    ("EGE_FAIL", "ЕГЭ: доля не преодолевших минимальный порог", "results", "%", RCOI, 0, 100,
     "lower", 1),
    ("EGE_MEAN", "ЕГЭ: средний тестовый балл", "results", "балл", RCOI, 0, 100, "higher", 1),
    ("SOC_PARENTS_HIGHER_EDU", "Доля обучающихся, оба родителя которых имеют высшее образование",
     "social", "%", SOCIAL, 0, 100, "higher", 1),
    ("SOC_SINGLE_PARENT", "Доля обучающихся из неполных семей", "social", "%", SOCIAL, 0, 100,
     "lower", 1),
    ("SOC_PREVENTIVE", "Доля обучающихся, состоящих на профилактическом учёте", "social", "%",
     SOCIAL, 0, 100, "lower", 1),
    ("SOC_LOW_INCOME", "Доля обучающихся из малообеспеченных семей", "social", "%", SOCIAL, 0, 100,
     "lower", 1),
    ("SOC_NON_NATIVE", "Доля обучающихся, для которых русский язык не родной", "social", "%",
     SOCIAL, 0, 100, "lower", 1),
    ("SOC_SEN", "Доля обучающихся с ОВЗ", "social", "%", SOCIAL, 0, 100, "lower", 1),
    ("RES_VACANCIES", "Вакантные ставки педагогических работников", "resources", "ставок", OO2, 0,
     100, "lower", 1),
    ("RES_TEACHERS_60", "Доля учителей в возрасте старше 60 лет", "resources", "%", OO1, 0, 100,
     "lower", 1),
    ("RES_EQUIPMENT", "Индекс оснащённости (0 — нет, 1 — полностью)", "resources", "индекс", OO2,
     0, 1, "higher", 2),
]


def seed(apps, schema_editor):
    Indicator = apps.get_model("monitoring", "Indicator")
    for position, row in enumerate(INDICATORS, start=1):
        code, name, group, unit, source, low, high, direction, decimals = row
        Indicator.objects.update_or_create(
            code=code,
            defaults={
                "name": name,
                "group": group,
                "unit": unit,
                "source": source,
                "min_value": Decimal(low),
                "max_value": Decimal(high),
                "direction": direction,
                "decimals": decimals,
                "position": position,
            },
        )


class Migration(migrations.Migration):
    dependencies = [("monitoring", "0001_initial")]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
