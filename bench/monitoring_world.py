"""What the monitoring benchmarks (``monitoring_import_bench.py``, ``identification_bench.py``)
build alike, after Django is set up: their own PostgreSQL database, and a municipality of many
schools with the indicator catalogue filled up to ``indicators``."""

INDICATORS = 20


def create_database():
    """The bench's own database, dropped and migrated afresh (its name, not ``test_…``)."""
    from django.db import connection

    name = connection.settings_dict["NAME"]
    if "bench" not in name:
        raise SystemExit(f"refusing to drop {name!r}: a bench database's name contains 'bench'")
    connection.settings_dict.setdefault("TEST", {})["NAME"] = name
    connection.creation.create_test_db(verbosity=0, autoclobber=True, serialize=False)


def build_world(schools: int, indicators: int = INDICATORS):
    """A region, a municipality of ``schools`` schools, an administrator, and the catalogue
    filled up to ``indicators`` indicators; returns ``(municipality, admin)``."""
    from django.contrib.auth import get_user_model

    from monitoring.models import Indicator
    from schools.models import Municipality, Organisation, Region

    region = Region.objects.create(name="Бенчмарк-область", name_genitive="Бенчмарк-области")
    municipality = Municipality.objects.create(
        region=region, name="Бенчмарк-район", center_town="г. Бенчмарк"
    )
    Organisation.objects.bulk_create(
        (
            Organisation(
                kind=Organisation.Kind.SCHOOL,
                region=region,
                municipality=municipality,
                short_name=f"МКОУ «СОШ № {n}»",
                full_name=f"Муниципальное казённое общеобразовательное учреждение «СОШ № {n}»",
            )
            for n in range(1, schools + 1)
        ),
        batch_size=2000,
    )
    for n in range(Indicator.objects.count(), indicators):
        Indicator.objects.create(
            code=f"BENCH_{n}",
            name=f"Показатель бенчмарка {n}",
            group=Indicator.Group.RESOURCES,
            unit="%",
            source="бенчмарк",
            min_value=0,
            max_value=100,
            direction=Indicator.Direction.LOWER,
            position=100 + n,
        )
    admin = get_user_model().objects.create_superuser("bench_admin", password="bench")
    return municipality, admin
