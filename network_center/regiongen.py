"""A region at the scale of SPEC §8, generated for benchmarks (``manage.py generate_region``).

«Генерируемая область» (never one of the demo's regions): municipalities with their
department, РМК and schools; centers at hub schools with participants and a working group
whose order the hub director signs; a plan per center per academic year — past years agreed by
every school, approved and executed, the current year on agreement —; proposals; monitoring
campaigns; the resources each school offers; logins with memberships; some stored PDFs of
signed acts.

Deterministic: every choice comes from one ``random.Random(seed)`` drawn in a fixed order
(lists, never sets or dicts iterated for order), and every date from ``BASE_YEAR``. Timestamps
the services stamp (``signed_at``, ``decided_at``…) are the moment of the run; the names,
counts and values are the seed's (``region_digest``).

The state changes that carry rules go through the services users call (``demo.py`` and the
services it uses: organisations, people, logins, roles, signing rights, centers, participants,
working groups, signing, plans, proposals, submissions, visas, approvals, campaigns, imports).
Two things are written in bulk because one service call per row would take hours at this
scale; each place says why the invariants still hold: the lines of a draft revision
(``_bulk_lines``) and the execution reports of past years (``_bulk_reports``).
"""

import hashlib
import json
import random
import time
import uuid
from contextlib import contextmanager
from dataclasses import dataclass, fields
from datetime import date, timedelta

from django.contrib.auth import get_user_model
from django.db import connection, transaction
from django.db.models import ProtectedError, QuerySet
from django.db.models.signals import pre_delete
from django.utils import timezone

from monitoring import services as monitoring_services
from monitoring.models import Campaign, ImportRecord, Indicator, IndicatorValue
from network_center.centers.models import Center, Composition, Member, Participation
from network_center.centers.services import centers as center_services
from network_center.centers.services import working_group as wg_services
from network_center.demo import (
    DEMO_PASSWORD,
    _grant_signing_rights,
    _login,
    _org,
    _school,
    _set_head,
    demo_password_hash,
)
from network_center.documents import services as document_services
from network_center.documents.body import parse_body_text
from network_center.documents.models import LegalDocument, SigningRight
from network_center.notifications.models import Notification
from plans import services as plan_services
from plans.models import (
    EventForm,
    Execution,
    ExecutionEvent,
    ExecutionParticipation,
    Line,
    Plan,
    Proposal,
    Revision,
    Transition,
    Visa,
)
from plans.services.common import lock_revision
from plans.services.lines import FIELD_ORDER, _shown
from schools import resource_services
from schools.history import AppendOnlyModel
from schools.models import Membership, Municipality, Organisation, Person, Region
from schools.resources import Resource, ResourceEvent, Subject
from schools.services import create_login, grant_role

REGION_NAME = "Генерируемая область"
REGION_GENITIVE = "Генерируемой области"
# The current academic year (2026/2027, as the demo's); earlier years are history.
BASE_YEAR = 2026
# The lines of the largest plan (the first center's current year): the plan page the benchmark
# measures is a 150-line plan.
BIG_PLAN_LINES = 150
# Resources each school offers to the network: one programme or material, one laboratory or
# piece of equipment (the resources search of a region then has thousands to look through).
RESOURCES_PER_SCHOOL = 2
# When the generated legal basis was issued (before the oldest plan year at any size).
BASIS_DATE = date(2016, 8, 25)

Role = Membership.Role
Kind = Organisation.Kind


@dataclass(frozen=True)
class Sizes:
    """How much to generate; the defaults are SPEC §8's region."""

    municipalities: int = 40
    schools: int = 1600
    centers: int = 80
    years: int = 5
    lines: int = 50_000
    users: int = 5_000
    values: int = 500_000
    pdfs: int = 20

    def tenth(self) -> "Sizes":
        """A tenth of every size — but the same years: a tenth of five years is no history."""
        tenth = {f.name: max(1, getattr(self, f.name) // 10) for f in fields(self)}
        return Sizes(**{**tenth, "years": self.years})


class RegionExists(Exception):
    """The generated region is already in the database (``--replace`` removes it first)."""


# --- names -------------------------------------------------------------------------------------

DISTRICT_ROOTS = [
    "Берёзов", "Ольхов", "Липов", "Дубров", "Клёнов", "Рябинов", "Калинов", "Ясенев",
    "Черёмухов", "Вишнёв", "Малинов", "Тополев", "Орехов", "Грушев", "Яблонев", "Каменев",
    "Песчанов", "Луговинов", "Ключев", "Родников", "Озёров", "Боров", "Соснов", "Кедров",
    "Журавлёв", "Лебедев", "Соколов", "Орлов", "Волков", "Медведев", "Бобров", "Лисицын",
    "Зарецк", "Заречн", "Полянов", "Долинов", "Холмов", "Ручьёв", "Светлов", "Ясногоров",
    "Красногоров", "Белогоров", "Новоселов", "Старосельцев", "Приволжск", "Междуреченск",
]  # fmt: skip
VILLAGES = [
    "Никольская", "Покровская", "Троицкая", "Успенская", "Воскресенская", "Знаменская",
    "Ильинская", "Петровская", "Михайловская", "Александровская", "Ивановская", "Сергиевская",
    "Владимирская", "Богородская", "Рождественская", "Преображенская", "Казанская",
    "Дмитровская", "Георгиевская", "Спасская", "Васильевская", "Каменская", "Озёрская",
    "Луговская", "Полевская", "Лесновская", "Речинская", "Горская", "Ключевская",
    "Красносельская", "Новосельская", "Старосельская", "Березняковская", "Ольшанская",
    "Сосновская", "Дубравская", "Липовская", "Вязовская", "Кленовская", "Рябиновская",
    "Малиновская", "Вишнёвская", "Калиновская", "Черёмушкинская", "Тополинская",
]  # fmt: skip
VILLAGE_STREETS = ["Школьная", "Центральная", "Садовая", "Мира", "Молодёжная", "Новая"]
LAST_NAMES = [
    ("Иванов", "Иванова"), ("Смирнов", "Смирнова"), ("Кузнецов", "Кузнецова"),
    ("Попов", "Попова"), ("Васильев", "Васильева"), ("Петров", "Петрова"),
    ("Соколов", "Соколова"), ("Михайлов", "Михайлова"), ("Новиков", "Новикова"),
    ("Фёдоров", "Фёдорова"), ("Морозов", "Морозова"), ("Волков", "Волкова"),
    ("Алексеев", "Алексеева"), ("Лебедев", "Лебедева"), ("Семёнов", "Семёнова"),
    ("Егоров", "Егорова"), ("Павлов", "Павлова"), ("Козлов", "Козлова"),
    ("Степанов", "Степанова"), ("Николаев", "Николаева"), ("Орлов", "Орлова"),
    ("Андреев", "Андреева"), ("Макаров", "Макарова"), ("Никитин", "Никитина"),
    ("Захаров", "Захарова"), ("Зайцев", "Зайцева"), ("Соловьёв", "Соловьёва"),
    ("Борисов", "Борисова"), ("Яковлев", "Яковлева"), ("Григорьев", "Григорьева"),
    ("Романов", "Романова"), ("Воробьёв", "Воробьёва"), ("Сергеев", "Сергеева"),
    ("Кузьмин", "Кузьмина"), ("Фролов", "Фролова"), ("Александров", "Александрова"),
    ("Дмитриев", "Дмитриева"), ("Королёв", "Королёва"), ("Гусев", "Гусева"),
    ("Киселёв", "Киселёва"), ("Ильин", "Ильина"), ("Максимов", "Максимова"),
    ("Поляков", "Полякова"), ("Сорокин", "Сорокина"), ("Виноградов", "Виноградова"),
    ("Ковалёв", "Ковалёва"), ("Белов", "Белова"), ("Медведев", "Медведева"),
    ("Антонов", "Антонова"), ("Тарасов", "Тарасова"), ("Жуков", "Жукова"),
]  # fmt: skip
MALE_NAMES = ["Александр", "Сергей", "Андрей", "Дмитрий", "Алексей", "Михаил", "Игорь",
              "Владимир", "Николай", "Павел", "Виктор", "Юрий", "Олег", "Евгений"]  # fmt: skip
FEMALE_NAMES = ["Елена", "Ольга", "Наталья", "Татьяна", "Ирина", "Светлана", "Марина",
                "Анна", "Галина", "Людмила", "Надежда", "Оксана", "Юлия", "Валентина"]  # fmt: skip
FATHERS = [("Александрович", "Александровна"), ("Сергеевич", "Сергеевна"),
           ("Андреевич", "Андреевна"), ("Дмитриевич", "Дмитриевна"),
           ("Алексеевич", "Алексеевна"), ("Михайлович", "Михайловна"),
           ("Владимирович", "Владимировна"), ("Николаевич", "Николаевна"),
           ("Петрович", "Петровна"), ("Викторович", "Викторовна"),
           ("Юрьевич", "Юрьевна"), ("Иванович", "Ивановна")]  # fmt: skip

TASKS = [
    "Новые подходы к сетевому взаимодействию",
    "Обмен опытом, школьные программы улучшения результатов",
    "Наставничество и совместный профессиональный рост",
    "Адресная методическая поддержка учителей",
    "Совместные образовательные проекты",
]
SUBJECTS = ["математике", "русскому языку", "физике", "химии", "биологии", "истории",
            "обществознанию", "английскому языку", "информатике", "литературе"]  # fmt: skip
TOPICS = [
    "Анализ результатов ВПР по {s}",
    "Подготовка к ОГЭ по {s}: типичные затруднения",
    "Формирующее оценивание на уроках по {s}",
    "Функциональная грамотность на уроках по {s}",
    "Работа с обучающимися группы риска по {s}",
    "Современный урок по {s}: приёмы активного обучения",
    "Школьная программа улучшения результатов по {s}",
    "Индивидуальные образовательные маршруты по {s}",
]
AUDIENCES = ["учителя-предметники", "заместители директоров по УВР", "руководители школ",
             "молодые учителя (стаж до 3 лет)", "классные руководители",
             "обучающиеся 7–9 классов"]  # fmt: skip
RESULTS = [
    "Методические рекомендации для школ сети",
    "Протокол, материалы на сайте центра",
    "Индивидуальные планы профессионального развития учителей",
    "Повышение доли удовлетворительных результатов ВПР",
]


# (title, description) of the resources a school offers; {s} is the subject.
METHODS = [
    ("Программа подготовки к ОГЭ: {s}", "Рабочая программа и банк заданий, апробированы в школе."),
    ("Банк заданий по функциональной грамотности: {s}", "Задания с критериями оценивания."),
    ("Методические рекомендации: формирующее оценивание ({s})", "Приёмы и листы самооценки."),
    ("Практика «Индивидуальный маршрут»: {s}", "Как школа ведёт обучающихся группы риска."),
]
MATERIALS = [
    ("Лаборатория: {s}", "Оборудованный кабинет, проводим занятия для школ сети."),
    ("Цифровая лаборатория ({s})", "Датчики и ноутбуки, выдаём на время проекта."),
    ("Актовый зал для семинаров", "Проектор, звук; по записи через заместителя директора."),
    ("Кабинет робототехники", "Наборы конструкторов; занятия для обучающихся 5–9 классов."),
]


class Names:
    """Russian names drawn from the seed's generator, unique where they must be."""

    def __init__(self, rng: random.Random):
        self.rng = rng

    def person(self):
        female = self.rng.random() < 0.75  # most teachers in Russian schools are women
        last = self.rng.choice(LAST_NAMES)[1 if female else 0]
        first = self.rng.choice(FEMALE_NAMES if female else MALE_NAMES)
        patronymic = self.rng.choice(FATHERS)[1 if female else 0]
        return last, first, patronymic


def district(i):
    """The i-th municipality: (root, name, genitive, town, town genitive)."""
    root = DISTRICT_ROOTS[i % len(DISTRICT_ROOTS)]
    suffix = "" if i < len(DISTRICT_ROOTS) else f"-{i // len(DISTRICT_ROOTS) + 1}"
    town = f"{root}ск{suffix}"
    return (
        f"{root}ский район{' ' + suffix[1:] if suffix else ''}",
        f"{root}ского района{' ' + suffix[1:] if suffix else ''}",
        town,
        f"{root}ска{suffix}",
    )


def plan_quotas(total, parts, *, big):
    """Lines per plan: the plan at index ``big`` (the first center's current year, the one the
    page benchmark opens) gets ``BIG_PLAN_LINES`` — a busy center's plan —, but never more
    than twice the average (a tiny region stays even); the others share the rest as evenly as
    ``spread`` does."""
    if parts <= 1:
        return [total] * parts
    even = total // parts
    big_lines = max(even, min(BIG_PLAN_LINES, 2 * even))
    rest = spread(total - big_lines, parts - 1)
    return [*rest[:big], big_lines, *rest[big:]]


def spread(total, parts):
    """``total`` split into ``parts`` counts differing by at most one (the larger first)."""
    base, extra = divmod(total, parts)
    return [base + (1 if i < extra else 0) for i in range(parts)]


# --- the entry ------------------------------------------------------------------------------


class Progress:
    """Prints each phase with its counts and seconds, and keeps them for the caller."""

    def __init__(self, out):
        self.out = out
        self.phases = []
        self.started = time.monotonic()

    @contextmanager
    def phase(self, name):
        counts = {}
        start = time.monotonic()
        if self.out:
            self.out(f"{name}…")
        yield counts
        seconds = time.monotonic() - start
        self.phases.append((name, counts, seconds))
        if self.out:
            shown = ", ".join(f"{k} {v:,}".replace(",", " ") for k, v in counts.items())
            self.out(f"  {name}: {shown} — {seconds:.1f} с")

    @property
    def total(self):
        return time.monotonic() - self.started


def generate(sizes: Sizes, seed: int = 1, out=None, *, replace_existing: bool = False):
    """Generate the region; returns the ``Progress`` (phases, counts, seconds)."""
    progress = Progress(out)
    existing = Region.objects.filter(name=REGION_NAME).first()
    if existing is not None:
        if not replace_existing:
            raise RegionExists(REGION_NAME)
        with progress.phase("Удаление прежней области") as counts:
            counts["строк"] = delete_region(existing)
    rng = random.Random(seed)
    world = World(sizes, rng)
    with progress.phase("Муниципалитеты, организации, люди, входы") as counts:
        world.build_organisations(counts)
    with progress.phase("Мониторинг: кампании и значения") as counts:
        world.build_monitoring(counts)
    with progress.phase("Центры, участники, рабочие группы") as counts:
        world.build_centers(counts)
    with progress.phase("Ресурсы школ") as counts:
        world.build_resources(counts)
    with progress.phase("Планы: строки, предложения, визы, утверждение") as counts:
        world.build_plans(counts)
    with progress.phase("Исполнение прошлых лет: отчёты") as counts:
        world.build_reports(counts)
    with progress.phase("PDF подписанных документов") as counts:
        counts["PDF"] = world.store_pdfs()
    if connection.vendor == "postgresql":
        # After a bulk load the planner's statistics are those of an empty database until
        # autovacuum comes round: the overdue query of a home page took 27 ms instead of 19.
        with progress.phase("Статистика планировщика (ANALYZE)"), connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    if out:
        out(f"Всего: {progress.total:.1f} с")
    return progress


@dataclass
class Muni:
    municipality: Municipality
    root: tuple
    department: Organisation
    rmk: Organisation
    chief: object  # the department head's login: signs and approves
    specialist: object
    schools: list
    coordinators: dict  # school pk → [users]
    basis: LegalDocument | None = None


class World:
    def __init__(self, sizes: Sizes, rng: random.Random):
        self.sizes = sizes
        self.rng = rng
        self.names = Names(rng)
        self.munis: list[Muni] = []
        self.centers: list[tuple[Center, Muni, dict]] = []
        self.resources: dict[int, list] = {}  # school pk → the resources it offers
        self.users = 0

    # --- organisations and people ---

    def _login(self, org, username, role, position):
        last, first, patronymic = self.names.person()
        self.users += 1
        return _login(
            org, username, role, last=last, first=first, patronymic=patronymic, position=position
        )

    def build_organisations(self, counts):
        sizes = self.sizes
        region, _ = Region.objects.get_or_create(
            name=REGION_NAME, defaults={"name_genitive": REGION_GENITIVE}
        )
        self.region = region
        per_muni = spread(sizes.schools, sizes.municipalities)
        centers_per_muni = spread(sizes.centers, sizes.municipalities)
        for m, (n_schools, n_centers) in enumerate(zip(per_muni, centers_per_muni, strict=True)):
            with transaction.atomic():
                self.munis.append(self._municipality(region, m, n_schools, n_centers))
        ministry = _org(
            Kind.REGIONAL_BODY,
            region,
            None,
            "Министерство образования Генерируемой области",
            "Министерство образования Генерируемой области",
        )
        self._login(ministry, "gen_region", Role.OBSERVER, "Консультант отдела общего образования")
        self._fill_users()
        for muni in self.munis:
            _grant_signing_rights(muni.municipality, muni.specialist.username)
        counts["муниципалитетов"] = len(self.munis)
        counts["школ"] = sum(len(m.schools) for m in self.munis)
        counts["пользователей"] = self.users
        counts["членств"] = Membership.objects.filter(organisation__region=region).count()

    def _municipality(self, region, m, n_schools, n_centers):
        name, genitive, town, town_gen = district(m)
        municipality, _ = Municipality.objects.get_or_create(
            region=region,
            name=name,
            defaults={"name_genitive": genitive, "center_town": f"г. {town}"},
        )
        index = 300000 + m * 100
        address = f"{index}, {REGION_NAME}, г. {town}, ул. Ленина, д. {m + 1}"
        department = _org(
            Kind.DEPARTMENT,
            region,
            municipality,
            f"Управление образования {genitive}",
            f"Управление образования администрации {genitive} {REGION_GENITIVE}",
            higher_body=f"Администрация {genitive} {REGION_GENITIVE}",
            name_genitive=f"управления образования администрации {genitive}",
            letterhead=f"АДМИНИСТРАЦИЯ {genitive.upper()} {REGION_GENITIVE.upper()}\n"
            "УПРАВЛЕНИЕ ОБРАЗОВАНИЯ",
            address=address,
            number_pattern="01-03/{n}",
        )
        rmk = _org(
            Kind.METHODOLOGICAL_OFFICE,
            region,
            municipality,
            f"МКУ «{town.split('-')[0]}ский РМК»",
            f"Муниципальное казённое учреждение «Районный методический кабинет» {genitive}",
            address=address,
        )
        prefix = f"gen{m + 1:02d}"
        # The department's head signs its orders and approves plans: her login signs.
        chief = self._login(department, f"{prefix}_chief", Role.DEPARTMENT, "Начальник управления")
        _set_head(department, chief.person)
        specialist = self._login(
            department, f"{prefix}_uo", Role.DEPARTMENT, "Главный специалист-эксперт"
        )
        methodologist = self._login(rmk, f"{prefix}_rmk", Role.METHODOLOGIST, "Методист")
        _set_head(rmk, methodologist.person)
        schools = []
        town_schools = max(n_centers, min(5, n_schools // 8 + 1))
        villages = list(VILLAGES)
        self.rng.shuffle(villages)
        for s in range(n_schools):
            director = self.names.person()
            if s < town_schools:
                number = s + 1
                short = f"МКОУ «СОШ № {number} г. {town_gen}»"
                full = (
                    "Муниципальное казённое общеобразовательное учреждение «Средняя "
                    f"общеобразовательная школа № {number} г. {town_gen}» {genitive} "
                    f"{REGION_GENITIVE}"
                )
                school_address = f"{index}, {REGION_NAME}, г. {town}, ул. Советская, д. {s + 3}"
                extra = {"number_pattern": "{n}-ОД"}
            else:
                v = s - town_schools
                village = villages[v % len(villages)]
                if v >= len(villages):
                    village = f"{village} № {v // len(villages) + 1}"
                basic = self.rng.random() < 0.3
                kind_short, kind_full = ("ООШ", "основная") if basic else ("СОШ", "средняя")
                short = f"МКОУ «{village} {kind_short}»"
                full = (
                    f"Муниципальное казённое общеобразовательное учреждение «{village} "
                    f"{kind_full} общеобразовательная школа» {genitive} {REGION_GENITIVE}"
                )
                street = self.rng.choice(VILLAGE_STREETS)
                school_address = (
                    f"{index + 1 + v % 90}, {REGION_NAME}, {name}, "
                    f"с. {village.removesuffix('ская')}ское, ул. {street}, "
                    f"д. {self.rng.randint(1, 40)}"
                )
                extra = {}
            schools.append(
                _school(region, municipality, short, full, school_address, director, **extra)
            )
        return Muni(
            municipality=municipality,
            root=(name, genitive, town, town_gen, prefix, methodologist),
            department=department,
            rmk=rmk,
            chief=chief,
            specialist=specialist,
            schools=schools,
            coordinators={},
        )

    def _fill_users(self):
        """The rest of ``users``, after the fixed roles, are further coordinators of the
        participant schools, spread over them in order. Still to come with the centers: a hub
        director, a center head and a working-group member per center, a coordinator per
        participant school (every school but the hubs)."""
        participants = self.sizes.schools - self.sizes.centers
        fixed = self.users + 3 * self.sizes.centers + participants
        self.extra_coordinators = spread(max(0, self.sizes.users - fixed), max(1, participants))
        self.next_participant = 0

    # --- monitoring ---

    def build_monitoring(self, counts):
        years = self._years()
        per_campaign = -(-self.sizes.values // max(1, self.sizes.schools * len(years)))
        counts["показателей добавлено"] = _ensure_indicators(per_campaign)
        indicators = list(Indicator.objects.order_by("position", "code"))
        campaigns = [(muni, year) for muni in self.munis for year in years]
        quotas = spread(self.sizes.values, len(campaigns))
        written = 0
        for (muni, year), quota in zip(campaigns, quotas, strict=True):
            written += self._campaign(muni, year, quota, indicators)
        counts["кампаний"] = len(campaigns)
        counts["значений"] = written

    def _campaign(self, muni, year, quota, indicators):
        campaign = monitoring_services.create_campaign(
            actor=muni.specialist,
            municipality=muni.municipality,
            year=year,
            name=f"Мониторинг {year}/{year + 1} учебного года",
        )
        schools = sorted(muni.schools, key=lambda s: (s.short_name, s.pk))
        pairs = [(s, i) for i in indicators for s in schools][: max(0, quota)]
        payload = []
        for school, indicator in pairs:
            low, high = float(indicator.min_value), float(indicator.max_value)
            span = high - low
            # Plausible, not uniform: most schools near the middle of the range.
            value = low + span * min(1.0, max(0.0, self.rng.gauss(0.5, 0.18)))
            payload.append([school.pk, indicator.pk, f"{value:.{indicator.decimals}f}"])
        body = json.dumps(payload).encode()
        # The record an uploaded file becomes once checked (``check_import``: state «preview»
        # with the validated payload); ``write_values`` is the import's own confirmation path.
        record = ImportRecord.objects.create(
            campaign=campaign,
            state=ImportRecord.State.PREVIEW,
            uploaded_by=muni.specialist,
            file_name=f"monitoring-{year}.xlsx",
            file_size=len(body),
            sha256=hashlib.sha256(body).hexdigest(),
            rows=len(schools),
            total_rows=len(schools),
            processed_rows=len(schools),
            values_count=len(payload),
            payload=payload,
        )
        monitoring_services.write_values(record, actor=muni.specialist)
        return len(payload)

    def _years(self):
        return list(range(BASE_YEAR - self.sizes.years + 1, BASE_YEAR + 1))

    # --- centers ---

    def build_centers(self, counts):
        centers_per_muni = spread(self.sizes.centers, self.sizes.municipalities)
        for muni, n_centers in zip(self.munis, centers_per_muni, strict=True):
            with transaction.atomic():
                self._centers_of(muni, n_centers)
        for muni in self.munis:
            with transaction.atomic():
                self._coordinators_of(muni)
        counts["центров"] = len(self.centers)
        counts["участников"] = Participation.objects.filter(
            center__municipality__region=self.region
        ).count()
        counts["составов в силе"] = Composition.objects.filter(
            center__municipality__region=self.region, status=Composition.Status.IN_FORCE
        ).count()
        counts["пользователей"] = self.users

    def _centers_of(self, muni, n_centers):
        if not n_centers:
            return
        name, genitive, town, town_gen, prefix, methodologist = muni.root
        hubs = muni.schools[:n_centers]
        others = muni.schools[n_centers:]
        basis = document_services.create_document(
            muni.department,
            actor=muni.specialist,
            kind=LegalDocument.Kind.ORDER,
            heading="О создании центров сетевого взаимодействия по повышению качества образования",
            preamble="В целях повышения качества образования в школах с низкими результатами "
            "обучения и школах, функционирующих в неблагоприятных социальных условиях",
            place=f"г. {town}",
            signing_right=SigningRight.objects.default_for(muni.department, BASIS_DATE),
        )
        document_services.replace_body(
            basis,
            parse_body_text(
                "".join(
                    f"{n}. Создать центр сетевого взаимодействия на базе {hub.short_name}.\n"
                    for n, hub in enumerate(hubs, start=1)
                )
                + f"{len(hubs) + 1}. Контроль за исполнением настоящего приказа оставляю за "
                "собой.\n"
            ),
            actor=muni.specialist,
        )
        # Entered from its paper original, as the demo's 1-139/1: a legacy act of the basis.
        document_services.register_paper_document(
            basis, actor=muni.specialist, number="1-ОД", on_date=BASIS_DATE
        )
        muni.basis = basis
        groups = [others[i::n_centers] for i in range(n_centers)]
        categories = list(Participation.Category.values)
        for c, (hub, participants) in enumerate(zip(hubs, groups, strict=True)):
            director = self._director_login(hub, f"{prefix}_h{c + 1}_dir")
            head_user = self._login(
                hub,
                f"{prefix}_h{c + 1}_head",
                Role.CENTER_HEAD,
                "Заместитель директора по учебно-воспитательной работе",
            )
            # Every fourth center's plans are approved by the hub director («УТВЕРЖДАЮ»).
            approver = Center.Approver.HUB_DIRECTOR if c % 4 == 3 else Center.Approver.DEPARTMENT
            short = f"Центр сетевого взаимодействия на базе СОШ № {c + 1} г. {town_gen}"
            center = center_services.create_center(
                muni.municipality,
                actor=muni.specialist,
                name=f"{short} по повышению качества образования",
                short_name=short,
                hub=hub,
                head=head_user.person,
                creating_act=basis,
                plan_approver=approver,
            )
            for school in participants:
                center_services.add_participant(
                    center,
                    actor=muni.specialist,
                    school=school,
                    category=self.rng.choice(categories),
                    since=date(BASE_YEAR - self.sizes.years + 1, 9, 1),
                )
            member = self._login(
                hub, f"{prefix}_h{c + 1}_wg", Role.WG_MEMBER, "Учитель, руководитель МО"
            )
            self.centers.append(
                (
                    center,
                    muni,
                    {
                        "director": director,
                        "head": head_user,
                        "member": member,
                        "participants": participants,
                    },
                )
            )

    def _director_login(self, hub, username):
        user = create_login(hub.head, username, DEMO_PASSWORD, password_hash=demo_password_hash())
        grant_role(user, hub, Role.HUB_DIRECTOR)
        self.users += 1
        return user

    def _coordinators_of(self, muni):
        """A coordinator for every participant school (and the extra ones up to ``users``),
        then the working groups: their members come from the network."""
        name, genitive, town, town_gen, prefix, methodologist = muni.root
        hubs = {center.hub_id for center, m, _ in self.centers if m is muni}
        for s, school in enumerate(muni.schools):
            if school.pk in hubs:
                continue
            extra = self.extra_coordinators[self.next_participant % len(self.extra_coordinators)]
            self.next_participant += 1
            users = []
            for k in range(1 + extra):
                users.append(
                    self._login(
                        school,
                        f"{prefix}_s{s + 1:03d}_c{k + 1}",
                        Role.COORDINATOR,
                        "Заместитель директора по учебно-воспитательной работе",
                    )
                )
            muni.coordinators[school.pk] = users
        for center, m, people in self.centers:
            if m is not muni:
                continue
            director = people["director"]
            members = [
                (people["head"].person, Member.Role.HEAD, "общее руководство, план"),
                (methodologist.person, Member.Role.DEPUTY, "методическое сопровождение"),
                (people["member"].person, Member.Role.MEMBER, "наставничество"),
            ]
            participants = people["participants"]
            if participants:
                secretary = muni.coordinators[participants[0].pk][0].person
                members.append((secretary, Member.Role.SECRETARY, "делопроизводство"))
            for person, role, responsibility in members:
                wg_services.add_member(
                    center, actor=director, person=person, role=role, responsibility=responsibility
                )
            composition = center.compositions.get(status=Composition.Status.DRAFT)
            document_services.sign_document(
                composition.order, actor=director, password=DEMO_PASSWORD
            )

    # --- resources ---

    def build_resources(self, counts):
        """What each school offers to the network (SPEC §3 «Resources»): a programme or a
        material and a laboratory or equipment, entered by the school's first coordinator (a
        hub by its director) through ``resource_services`` — the search's keywords and the
        history are the service's."""
        resource_services.ensure_subjects()
        subjects = list(Subject.objects.order_by("position", "pk"))
        directors = {center.hub_id: people["director"] for center, _, people in self.centers}
        added = 0
        self.resources = {}
        for muni in self.munis:
            with transaction.atomic():
                for school in muni.schools:
                    actor = directors.get(school.pk) or muni.coordinators[school.pk][0]
                    for n in range(RESOURCES_PER_SCHOOL):
                        self._resource(school, actor, subjects, material=n % 2 == 1)
                        added += 1
        counts["ресурсов"] = added

    def _resource(self, school, actor, subjects, *, material):
        rng = self.rng
        subject = rng.choice(subjects)
        if material:
            title, description = rng.choice(MATERIALS)
            fields = {"quantity": rng.choice([10, 12, 15, 20, 25, 30])}
            kind = Resource.Kind.MATERIAL
        else:
            title, description = rng.choice(METHODS)
            fields = {"url": f"https://school{school.pk}.example.ru/metod/{rng.randint(1, 999)}"}
            kind = Resource.Kind.METHODOLOGICAL
        resource = resource_services.add_resource(
            school,
            actor=actor,
            kind=kind,
            subjects=[subject],
            title=title.format(s=subject.name.lower()),
            description=description.format(s=subject.name.lower()),
            **fields,
        )
        self.resources.setdefault(school.pk, []).append(resource)

    # --- plans ---

    def build_plans(self, counts):
        plan_services.ensure_event_forms()
        self.forms = list(EventForm.objects.order_by("position", "pk"))
        years = self._years()
        plans = [(entry, year) for entry in self.centers for year in years]
        quotas = plan_quotas(self.sizes.lines, len(plans), big=len(years) - 1)
        self.past_revisions = []
        for ((center, muni, people), year), quota in zip(plans, quotas, strict=False):
            with transaction.atomic():
                self._plan(center, muni, people, year, quota)
        region_plans = Plan.objects.filter(center__municipality__region=self.region)
        counts["планов"] = region_plans.count()
        counts["строк"] = Line.objects.filter(revision__plan__in=region_plans).count()
        counts["виз"] = Visa.objects.filter(revision__plan__in=region_plans).count()
        counts["предложений"] = Proposal.objects.filter(plan__in=region_plans).count()
        counts["переходов"] = Transition.objects.filter(revision__plan__in=region_plans).count()

    def _line_fields(self, center, participants, year):
        rng = self.rng
        subject = rng.choice(SUBJECTS)
        title = rng.choice(TOPICS).format(s=subject)
        fmt = rng.choice(Line.Format.values)
        month = rng.choice([9, 10, 11, 12, 1, 2, 3, 4, 5])
        day = date(year if month >= 9 else year + 1, month, rng.randint(1, 28))
        kind = rng.choice([Line.DateKind.DAY, Line.DateKind.DAY, Line.DateKind.MONTH])
        network = [center.hub, *participants]
        taking_part = rng.sample(participants, min(len(participants), rng.randint(1, 4)))
        # One line in four draws on a resource a school of the network offers.
        offered = [r for school in network for r in self.resources.get(school.pk, [])]
        needed = [rng.choice(offered)] if offered and rng.random() < 0.25 else []
        return {
            "direction": rng.choice(TASKS),
            "title": title,
            "form": rng.choice(self.forms),
            "format": fmt,
            "audience": rng.choice(AUDIENCES),
            "venue": None if fmt == Line.Format.REMOTE else rng.choice(network),
            "date_kind": kind,
            "date_from": day.replace(day=1) if kind == Line.DateKind.MONTH else day,
            "expected_result": rng.choice(RESULTS),
            "schools": taking_part,
            "needed_resources": needed,
        }

    def _plan(self, center, muni, people, year, quota):
        head = people["head"]
        participants = people["participants"]
        current = year == BASE_YEAR
        plan = plan_services.create_plan(center, year, actor=head)
        revision = plan.revisions.get()
        coordinators = muni.coordinators
        # Two proposals per plan when the center has participants: one accepted (a line of the
        # plan), one declined; the current year keeps one more waiting for a decision.
        proposals = []
        if participants and quota >= 2:
            for n, decision in enumerate(["accept", "decline"] + (["wait"] if current else [])):
                school = participants[n % len(participants)]
                fields_ = self._line_fields(center, participants, year)
                fields_.pop("schools")
                fields_.pop("needed_resources")
                fields_["venue"] = None
                proposal = plan_services.submit_proposal(
                    plan,
                    school,
                    actor=coordinators[school.pk][0],
                    justification="По итогам мониторинга школе нужна поддержка в этом направлении.",
                    **fields_,
                )
                proposals.append((proposal, decision))
        accepted = sum(1 for _, d in proposals if d == "accept")
        specs = [
            self._line_fields(center, participants, year) for _ in range(max(0, quota - accepted))
        ]
        _bulk_lines(revision, specs, actor=head, rng=self.rng)
        for proposal, decision in proposals:
            if decision == "accept":
                plan_services.accept_proposal(
                    proposal, actor=head, venue=center.hub, comment="Проведём на базе центра."
                )
            elif decision == "decline":
                plan_services.decline_proposal(
                    proposal, actor=head, reason="Такое мероприятие уже есть в плане района."
                )
        if not participants or not revision.lines.exists():
            return
        plan_services.submit(revision, actor=head)
        schools = participants if not current else participants[: len(participants) // 2]
        for n, school in enumerate(schools):
            remarks = n % 7 == 3
            plan_services.give_visa(
                revision,
                school,
                actor=coordinators[school.pk][0],
                decision=Visa.Decision.AGREED_WITH_REMARKS if remarks else Visa.Decision.AGREED,
                remarks="Просим учесть каникулы при выборе дат." if remarks else "",
            )
        if current:
            return
        approver = (
            people["director"]
            if center.plan_approver == Center.Approver.HUB_DIRECTOR
            else muni.chief
        )
        revision.refresh_from_db()
        plan_services.approve(revision, actor=approver, password=DEMO_PASSWORD)
        self.past_revisions.append((revision.pk, head.pk))

    # --- execution ---

    def build_reports(self, counts):
        reported = cancelled = 0
        for revision_pk, head_pk in self.past_revisions:
            with transaction.atomic():
                r, c = _bulk_reports(revision_pk, head_pk, self.rng)
            reported += r
            cancelled += c
        counts["отчётов принято"] = reported
        counts["отменено"] = cancelled

    # --- PDFs ---

    def store_pdfs(self):
        """Render and store the PDFs of the first ``pdfs`` signed acts of the region (the
        working-group orders, then the approvals), by the rendering task's own function; the
        rest wait in the task queue for ``manage.py db_worker``, as after any signing."""
        documents = list(
            LegalDocument.objects.filter(
                issuer__region=self.region,
                parent=None,
                state=LegalDocument.State.SIGNED,
                origin=LegalDocument.Origin.ELECTRONIC,
            )
            .order_by("pk")
            .values_list("pk", flat=True)[: self.sizes.pdfs]
        )
        for pk in documents:
            document_services.store_signed_pdf(pk)
        return LegalDocument.objects.filter(pk__in=documents).exclude(pdf="").count()


VPR_SUBJECTS = [
    ("MATH", "математика"),
    ("RUS", "русский язык"),
    ("BIO", "биология"),
    ("HIST", "история"),
    ("GEO", "география"),
    ("SOC", "обществознание"),
    ("PHYS", "физика"),
]


def _ensure_indicators(per_campaign: int) -> int:
    """Enough indicators for ``per_campaign`` values per school and year: the seeded catalogue
    has 17, a region's monitoring (SPEC §8: 500,000 values over 1,600 schools and 5 years)
    needs about 63. The extra ones are what a region really collects: ВПР by subject and
    grade (share of «2», mean mark), added to the catalogue as the department's reference
    data. Returns how many were added."""
    missing = per_campaign - Indicator.objects.count()
    added = 0
    position = 100
    for grade in range(4, 9):
        for code, subject in VPR_SUBJECTS:
            for metric, name, low, high, direction, decimals in [
                ("FAIL", "доля отметок «2»", 0, 100, Indicator.Direction.LOWER, 1),
                ("MEAN", "средняя отметка", 2, 5, Indicator.Direction.HIGHER, 2),
            ]:
                position += 1
                if added >= missing:
                    return added
                _, created = Indicator.objects.get_or_create(
                    code=f"VPR_{metric}_{code}_{grade}",
                    defaults={
                        "name": f"ВПР, {subject}, {grade} класс: {name}",
                        "group": Indicator.Group.RESULTS,
                        "unit": "%" if metric == "FAIL" else "балл",
                        "source": "ФИС ОКО",
                        "min_value": low,
                        "max_value": high,
                        "direction": direction,
                        "decimals": decimals,
                        "position": position,
                    },
                )
                added += int(created)
    return added


# --- bulk writes ---------------------------------------------------------------------------


def _bulk_lines(revision: Revision, specs, *, actor, rng):
    """The lines of a new draft revision, in bulk.

    Safe in bulk: ``add_line`` on a draft revision with no visas does exactly this — a row per
    line with the next position, its schools, a ``line_added`` history row naming every field,
    and one more ``content_version`` — and nothing else (``_content_changed`` resets visas
    only on agreement). The lines are of the network (venue, schools are the center's
    schools), the revision is locked for the whole of it, and its history reads as the same
    rows the service would have appended one by one."""
    if not specs:
        return []
    revision = lock_revision(revision)
    assert revision.state == Revision.State.DRAFT and not revision.visas.exists()
    hub = revision.plan.center.hub
    start = revision.lines.count()
    lines = []
    for n, spec in enumerate(specs, start=1):
        fields_ = {k: v for k, v in spec.items() if k not in ("schools", "needed_resources")}
        fields_.setdefault("initiator", hub)
        lines.append(
            Line(
                revision=revision,
                position=start + n,
                key=_uuid(rng),
                **fields_,
            )
        )
    Line.objects.bulk_create(lines)
    through = Line.schools.through
    through.objects.bulk_create(
        through(line_id=line.pk, organisation_id=school.pk)
        for line, spec in zip(lines, specs, strict=True)
        for school in spec["schools"]
    )
    needed = Line.needed_resources.through
    needed.objects.bulk_create(
        needed(line_id=line.pk, resource_id=resource.pk)
        for line, spec in zip(lines, specs, strict=True)
        for resource in spec.get("needed_resources", [])
    )
    Transition.objects.bulk_create(
        Transition(
            revision=revision,
            action="line_added",
            from_state=revision.state,
            to_state=revision.state,
            actor=actor,
            comment=f"«{line.title}»",
            data={
                "line": str(line.key),
                "title": line.title,
                "fields": _added_fields(line, spec["schools"], spec.get("needed_resources", [])),
            },
        )
        for line, spec in zip(lines, specs, strict=True)
    )
    revision.content_version += len(lines)
    revision.save(update_fields=["content_version"])
    return lines


def _added_fields(line, schools, resources=()):
    """The ``fields`` of a ``line_added`` row, as ``lines._record_line`` writes them."""
    values = {
        name: _shown(name, getattr(line, name))
        for name in FIELD_ORDER
        if name not in ("responsible", "schools", "needed_resources")
    }
    values["schools"] = _shown("schools", schools)
    values["responsible"] = ""
    values["needed_resources"] = _shown("needed_resources", resources)
    return {name: ["", values[name]] for name in FIELD_ORDER if values.get(name, "")}


def _uuid(rng):
    return uuid.UUID(int=rng.getrandbits(128), version=4)


def _bulk_reports(revision_pk, head_pk, rng):
    """Past years' events reported by the center head and accepted by her, a few cancelled.

    Safe in bulk: each event goes planned → reported → accepted (or planned → cancelled), the
    moves of ``workflow.EXECUTION`` that ``execution.report`` / ``accept_report`` / ``cancel``
    take for the center head (who may take each of them), with the same fields, the same
    ``version`` steps and the same ``ExecutionEvent`` rows; the dates are in the past (a
    report of a past event), the participants are schools of the line. Nobody is notified:
    the events are years old. The plan's rows are locked for the whole of it."""
    revision = Revision.objects.select_for_update().get(pk=revision_pk)
    assert revision.state == Revision.State.APPROVED
    executions = list(
        Execution.objects.select_for_update(of=("self",))
        .filter(plan_id=revision.plan_id, state=Execution.State.PLANNED, line__revision=revision)
        .select_related("line")
        .order_by("line__position")
    )
    schools_of = {}
    for line_id, school_id in Line.schools.through.objects.filter(
        line__revision=revision
    ).values_list("line_id", "organisation_id"):
        schools_of.setdefault(line_id, []).append(school_id)
    now = timezone.now()
    events, participations, reported, cancelled = [], [], 0, 0
    E = Execution.State
    for execution in executions:
        if rng.random() < 0.04:
            execution.state = E.CANCELLED
            execution.reason = "Карантин в школах сети."
            execution.version += 1
            events.append(
                ExecutionEvent(
                    execution=execution,
                    action="cancel",
                    from_state=E.PLANNED,
                    to_state=E.CANCELLED,
                    actor_id=head_pk,
                    comment=execution.reason,
                )
            )
            cancelled += 1
            continue
        held_on = execution.date_from + timedelta(days=rng.randint(0, 3))
        counts = [
            (school_id, rng.randint(2, 25))
            for school_id in sorted(schools_of.get(execution.line_id, []))
        ]
        execution.held_on = held_on
        execution.outcome = "Мероприятие проведено; материалы размещены на сайте центра."
        execution.reported_by_id = head_pk
        execution.reported_at = now
        execution.decided_by_id = head_pk
        execution.decided_at = now
        execution.state = E.ACCEPTED
        execution.version += 2
        participations += [
            ExecutionParticipation(execution=execution, school_id=s, count=c) for s, c in counts
        ]
        events.append(
            ExecutionEvent(
                execution=execution,
                action="report",
                from_state=E.PLANNED,
                to_state=E.REPORTED,
                actor_id=head_pk,
                data={
                    "held_on": ["", held_on.isoformat()],
                    "participants": [{}, {str(s): c for s, c in counts}],
                },
            )
        )
        events.append(
            ExecutionEvent(
                execution=execution,
                action="accept",
                from_state=E.REPORTED,
                to_state=E.ACCEPTED,
                actor_id=head_pk,
            )
        )
        reported += 1
    Execution.objects.bulk_update(
        executions,
        [
            "state",
            "reason",
            "version",
            "held_on",
            "outcome",
            "reported_by",
            "reported_at",
            "decided_by",
            "decided_at",
        ],
        batch_size=500,
    )
    ExecutionParticipation.objects.bulk_create(participations, batch_size=2000)
    ExecutionEvent.objects.bulk_create(events, batch_size=2000)
    return reported, cancelled


# --- the digest and the removal ------------------------------------------------------------


def region_digest() -> str:
    """SHA-256 of what the seed decides: names, people, logins, lines, visas, values."""
    h = hashlib.sha256()
    for part in digest_parts().values():
        h.update(part.encode())
    return h.hexdigest()


def digest_parts() -> dict[str, str]:
    """The digest of each part of the region (which part differs, when two runs do)."""
    region = Region.objects.get(name=REGION_NAME)
    parts = {}

    def feed(rows, name=None):
        h = hashlib.sha256()
        for row in rows:
            h.update(json.dumps(row, ensure_ascii=False, default=str).encode())
        parts[name or f"part{len(parts)}"] = h.hexdigest()

    feed(
        Municipality.objects.filter(region=region)
        .order_by("name")
        .values_list("name", "center_town")
    )
    feed(
        Organisation.objects.filter(region=region)
        .order_by("municipality__name", "short_name")
        .values_list("kind", "short_name", "full_name", "address")
    )
    feed(
        Person.objects.filter(organisation__region=region)
        .order_by("organisation__short_name", "last_name", "first_name", "patronymic", "position")
        .values_list(
            "organisation__short_name", "last_name", "first_name", "patronymic", "position"
        )
    )
    feed(
        Membership.objects.filter(organisation__region=region)
        .order_by("user__username", "role")
        .values_list("user__username", "organisation__short_name", "role")
    )
    plans = Plan.objects.filter(center__municipality__region=region)
    feed(
        Line.objects.filter(revision__plan__in=plans)
        .order_by("revision__plan__center__short_name", "revision__plan__year", "position")
        .values_list(
            "revision__plan__center__short_name",
            "revision__plan__year",
            "position",
            # Not the key: an accepted proposal's line gets a random one from ``add_line``.
            "title",
            "form__name",
            "format",
            "date_from",
            "venue__short_name",
        )
    )
    feed(
        Visa.objects.filter(revision__plan__in=plans)
        .order_by(
            "revision__plan__center__short_name", "revision__plan__year", "school__short_name"
        )
        .values_list("revision__plan__center__short_name", "school__short_name", "decision")
    )
    feed(
        Resource.objects.filter(school__region=region)
        .order_by("school__short_name", "kind", "title")
        .values_list("school__short_name", "kind", "title", "quantity")
    )
    feed(
        Execution.objects.filter(plan__in=plans)
        .order_by("plan__center__short_name", "plan__year", "line__position")
        .values_list("state", "held_on")
    )
    feed(
        IndicatorValue.objects.filter(campaign__municipality__region=region)
        .order_by(
            "campaign__municipality__name",
            "campaign__year",
            "school__short_name",
            "indicator__code",
        )
        .values_list("campaign__year", "school__short_name", "indicator__code", "value")
        .iterator(chunk_size=20000)
    )
    return parts


@contextmanager
def _history_deletable():
    """Lift the append-only guard of ``schools.history`` while the generated region is
    removed: it is benchmark data, not anyone's record of what happened; the guard is put
    back whatever happens."""
    from schools import history

    for model in _all_subclasses(AppendOnlyModel):
        pre_delete.disconnect(sender=model, dispatch_uid=f"append_only:{model._meta.label}")
    try:
        yield
    finally:
        for model in _all_subclasses(AppendOnlyModel):
            history._guard_history_model(model)


def _all_subclasses(cls):
    out = []
    for sub in cls.__subclasses__():
        if not sub._meta.abstract:
            out.append(sub)
        out.extend(_all_subclasses(sub))
    return out


def delete_region(region: Region) -> int:
    """Remove the generated region and everything of it (``--replace``): the querysets are
    deleted until none is left, each one after those protecting its rows."""
    User = get_user_model()
    # Taken now: the memberships that name them go with the users.
    user_pks = sorted(
        set(
            User.objects.filter(memberships__organisation__region=region).values_list(
                "pk", flat=True
            )
        )
    )
    querysets = [
        lambda: Plan.objects.filter(center__municipality__region=region),
        lambda: Center.objects.filter(municipality__region=region),
        lambda: Campaign.objects.filter(municipality__region=region),
        lambda: Notification.objects.filter(user__in=user_pks),
        lambda: Resource.objects.filter(school__region=region),
        # History refuses a queryset's delete; benchmark data is no one's record (see above).
        lambda: _plain(ResourceEvent.objects.filter(school__region=region)),
        lambda: LegalDocument.objects.filter(issuer__region=region, parent__isnull=False),
        lambda: LegalDocument.objects.filter(issuer__region=region),
        lambda: SigningRight.objects.filter(organisation__region=region),
        lambda: _raw(Organisation.objects.filter(region=region), head=None),
        lambda: User.objects.filter(pk__in=user_pks),
        lambda: Person.objects.filter(organisation__region=region),
        lambda: Organisation.objects.filter(region=region),
        lambda: Municipality.objects.filter(region=region),
        lambda: Region.objects.filter(pk=region.pk),
    ]
    total = 0
    with _history_deletable(), transaction.atomic():
        pending = list(querysets)
        while pending:
            progressed = False
            for make in list(pending):
                try:
                    with transaction.atomic():
                        result = make()
                        if result is not None:
                            total += result.delete()[0]
                    pending.remove(make)
                    progressed = True
                except ProtectedError:
                    continue
            if not progressed:
                make = pending[0]
                make().delete()  # raises the ProtectedError that blocks the removal
    return total


class _Plain:
    """A queryset whose ``delete`` is Django's own, not the append-only history's refusal."""

    def __init__(self, queryset):
        self.queryset = queryset

    def delete(self):
        return QuerySet.delete(self.queryset)


def _plain(queryset):
    return _Plain(queryset)


def _raw(queryset, **values):
    """Detach the organisations' heads before the people go (a plain column update)."""
    queryset.update(**values)
    return None
