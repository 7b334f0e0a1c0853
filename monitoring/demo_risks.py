"""Demo risk profiles (SPEC §7), made through ``risks.save_profile`` as their users would:

- Dmitriev, 2025/2026 and 2026/2027: each school assessed itself (its coordinator; the hub's
  director for СОШ № 2); in 2026/2027 the department corrected «Крупецкая СОШ»'s staff shortage
  from medium to high — the profile's history shows both saves;
- Kupino, 2026/2027: the department rated its schools.

The levels follow the schools' monitoring (``monitoring.demo.PROFILES``): low results make the
teaching factors high, poor social conditions the parents' and equipment ones. Which events of
the plans address some of them is said where the events are made (``plans.demo_risks``:
monitoring does not import plans); the others stay «Риски без мероприятий» on the plan page."""

import importlib

from django.apps import apps as django_apps
from django.contrib.auth import get_user_model

from schools.models import Organisation

from . import risks
from .models import RiskFactor, RiskProfile

H, M, L, N = "high", "medium", "low", "none"

# school → year → who saved it, the level of every factor not named, {factor: (level, note)}
PROFILES = {
    "МКОУ «СОШ № 2 г. Дмитриева»": {
        2025: ("director_sosh2", L, {"LANGUAGE_BARRIERS": (N, "")}),
        2026: (
            "director_sosh2",
            L,
            {
                "STAFF_SHORTAGE": (M, "Вакансия учителя физики закрыта совместителем до 2027 г."),
                "LANGUAGE_BARRIERS": (N, ""),
            },
        ),
    },
    "МКОУ «СОШ № 1 г. Дмитриева»": {
        2025: (
            "school_a",
            M,
            {
                "TEACHER_COMPETENCE": (
                    H,
                    "ВПР по математике в 5–7 классах: 27 % отметок «2»; затруднения учителей в "
                    "заданиях на функциональную грамотность.",
                ),
                "FAILURE_RISK": (H, "35 обучающихся 5–9 классов с академической задолженностью."),
                "EQUIPMENT": (L, ""),
                "LANGUAGE_BARRIERS": (N, ""),
            },
        ),
        2026: (
            "school_a",
            M,
            {
                "TEACHER_COMPETENCE": (
                    H,
                    "ВПР по математике в 5–7 классах: 24 % отметок «2»; расхождение отметок ВПР "
                    "и четвертных у трети обучающихся.",
                ),
                "FAILURE_RISK": (
                    H,
                    "31 обучающийся 5–9 классов не освоил программу по двум и более предметам.",
                ),
                "EQUIPMENT": (L, ""),
                "STAFF_SHORTAGE": (L, ""),
                "LANGUAGE_BARRIERS": (N, ""),
                "ENVIRONMENT": (L, ""),
            },
        ),
    },
    "МКОУ «Старогородская СОШ»": {
        2025: (
            "school_b",
            L,
            {
                "PARENTS": (H, "На родительские собрания приходят 20–25 % родителей."),
                "EQUIPMENT": (M, "Кабинет физики не оснащён лабораторным оборудованием."),
                "LANGUAGE_BARRIERS": (N, ""),
            },
        ),
        2026: (
            "school_b",
            L,
            {
                "PARENTS": (
                    H,
                    "Треть семей малообеспеченные; на родительские собрания приходят 20–25 % "
                    "родителей, в электронный дневник заходят 40 %.",
                ),
                "EQUIPMENT": (
                    H,
                    "Нет оборудованных кабинетов химии и физики; один компьютерный класс на 9 "
                    "ПК 2012 года.",
                ),
                "MOTIVATION": (M, "Снижение посещаемости кружков и элективных курсов."),
                "FAILURE_RISK": (M, ""),
                "LANGUAGE_BARRIERS": (N, ""),
            },
        ),
    },
    "МКОУ «Крупецкая СОШ»": {
        2025: (
            "school_c",
            M,
            {
                "STAFF_SHORTAGE": (H, "Нет учителя английского языка."),
                "FAILURE_RISK": (H, "Доля «2» по ВПР по русскому языку в 5–8 классах — 29 %."),
                "LANGUAGE_BARRIERS": (N, ""),
            },
        ),
        2026: (
            "school_c",
            M,
            {
                # The school rated it medium; the department corrects it (below).
                "STAFF_SHORTAGE": (M, "Английский язык и химию ведут совместители."),
                "FAILURE_RISK": (
                    H,
                    "Доля «2» по ВПР по русскому языку в 5–8 классах — 26 %, по математике — 31 %.",
                ),
                "MOTIVATION": (
                    H,
                    "Анкетирование: 46 % обучающихся 7–9 классов не видят смысла учиться после 9 "
                    "класса.",
                ),
                "LANGUAGE_BARRIERS": (N, ""),
                "ENVIRONMENT": (L, ""),
            },
        ),
    },
    "МКОУ «Первоавангардская СОШ»": {
        2025: (
            "school_d",
            L,
            {
                "TEACHER_COMPETENCE": (H, "Результаты ВПР по математике ниже районных на 18 %."),
                "ADAPTIVITY": (H, "Нет работы с отстающими: уроки одинаковы для всех."),
                "FAILURE_RISK": (M, ""),
                "LANGUAGE_BARRIERS": (N, ""),
            },
        ),
        2026: (
            "school_d",
            L,
            {
                "ADAPTIVITY": (
                    H,
                    "Уроки построены одинаково для всех; в 5–6 классах нет групп выравнивания.",
                ),
                "TEACHER_COMPETENCE": (M, "Результаты ВПР улучшились, но ниже районных."),
                "LANGUAGE_BARRIERS": (N, ""),
            },
        ),
    },
    "МКОУ «Фатеевская ООШ»": {
        2025: (
            "school_e",
            L,
            {
                "PARENTS": (H, "Половина обучающихся — из семей в трудной жизненной ситуации."),
                "LANGUAGE_BARRIERS": (M, "Пятеро детей из семей переселенцев."),
            },
        ),
        2026: (
            "school_e",
            L,
            {
                "PARENTS": (
                    H,
                    "Половина обучающихся — из семей в трудной жизненной ситуации; 6 семей на "
                    "профилактическом учёте.",
                ),
                "LANGUAGE_BARRIERS": (
                    M,
                    "Семеро детей из семей переселенцев, для которых русский язык не родной.",
                ),
                "ENVIRONMENT": (M, "Нет школьной библиотеки-медиатеки, спортзал требует ремонта."),
            },
        ),
    },
    "МБОУ «Купинская СОШ № 77»": {
        2026: ("uo_kupino", L, {"LANGUAGE_BARRIERS": (N, ""), "ENVIRONMENT": (N, "")}),
    },
    "МБОУ «Купинская СОШ № 1»": {
        2026: ("uo_kupino", L, {"STAFF_SHORTAGE": (M, "Две вакансии учителей начальных классов.")}),
    },
    "МКОУ «Новониколаевская СОШ»": {
        2026: (
            "uo_kupino",
            M,
            {
                "TEACHER_COMPETENCE": (H, "ВПР и ОГЭ по математике ниже районных три года подряд."),
                "FAILURE_RISK": (
                    H,
                    "Каждый пятый обучающийся 9 класса не сдал ОГЭ с первого раза.",
                ),
                "LANGUAGE_BARRIERS": (N, ""),
            },
        ),
    },
    "МКОУ «Чаинская СОШ»": {
        2026: (
            "uo_kupino",
            L,
            {
                "PARENTS": (
                    H,
                    "Низкая посещаемость родительских собраний, многие родители на вахте.",
                ),
                "LANGUAGE_BARRIERS": (
                    H,
                    "Каждый шестой обучающийся — из казахоязычной семьи, русский язык не родной.",
                ),
                "MOTIVATION": (M, ""),
            },
        ),
    },
    "МКОУ «Медяковская СОШ»": {
        2026: (
            "uo_kupino",
            M,
            {
                "STAFF_SHORTAGE": (H, "Физику, химию и информатику ведёт один учитель."),
                "LANGUAGE_BARRIERS": (N, ""),
            },
        ),
    },
    "МКОУ «Лягушенская ООШ»": {
        2026: (
            "uo_kupino",
            L,
            {
                "EQUIPMENT": (H, "Нет доступа к скоростному интернету, кабинеты не оснащены."),
                "PARENTS": (M, ""),
            },
        ),
    },
}

# The department's correction after the school's own assessment.
CORRECTIONS = [
    (
        "МКОУ «Крупецкая СОШ»",
        2026,
        "uo_dmitriev",
        "STAFF_SHORTAGE",
        (
            H,
            "По данным управления: вакансии учителей английского языка и химии не закрыты с "
            "2025 года, предметы ведут совместители из других школ.",
        ),
    ),
]


def ensure_risk_factors() -> None:
    """The ten seeded factors. A flushed database (transactional tests) has lost them: they are
    seeded again by the migration's own function."""
    if not RiskFactor.objects.exists():
        seed = importlib.import_module("monitoring.migrations.0004_seed_risk_factors").seed
        seed(django_apps, None)


def load_risk_profiles() -> None:
    """Create the demo's profiles once; running it again changes nothing."""
    ensure_risk_factors()
    factors = {f.code: f for f in RiskFactor.objects.filter(is_active=True)}
    users = get_user_model().objects
    schools = {
        s.short_name: s
        for s in Organisation.objects.filter(short_name__in=PROFILES, kind=Organisation.Kind.SCHOOL)
    }
    for name, years in PROFILES.items():
        school = schools.get(name)
        if school is None:
            continue
        for year, (login, default, named) in sorted(years.items()):
            if RiskProfile.objects.filter(school=school, year=year).exists():
                continue
            ratings = {
                factor.pk: named.get(code, (default, "")) for code, factor in factors.items()
            }
            risks.save_profile(
                school, year, actor=users.get(username=login), ratings=ratings, version=None
            )
    for name, year, login, code, rating in CORRECTIONS:
        profile = RiskProfile.objects.filter(school__short_name=name, year=year).first()
        if profile is None or profile.ratings.filter(factor__code=code, level=rating[0]).exists():
            continue
        risks.save_profile(
            profile.school,
            year,
            actor=users.get(username=login),
            ratings={factors[code].pk: rating},
            version=profile.version,
        )
