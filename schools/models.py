"""Organisations, people and who may act for whom.

The municipality is the unit of isolation: every organisation belongs to one (regional bodies
belong to a region only), and every query of the other apps is scoped through
``Organisation.objects.visible_to(user)`` or a helper built on ``schools.access``.
"""

from django.conf import settings
from django.db import models
from django.db.models import Exists, OuterRef, Q, Subquery
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords


class Region(models.Model):
    """A subject of the Russian Federation (область, край, республика)."""

    name = models.CharField(_("наименование"), max_length=200, unique=True)
    name_genitive = models.CharField(
        _("наименование в родительном падеже"),
        max_length=200,
        blank=True,
        help_text=_("Для шапок документов: «Курской области»."),
    )

    class Meta:
        verbose_name = _("регион")
        verbose_name_plural = _("регионы")
        ordering = ["name"]

    def __str__(self):
        return self.name


class Municipality(models.Model):
    """A municipal district or okrug: the unit of data isolation."""

    region = models.ForeignKey(
        Region, on_delete=models.PROTECT, related_name="municipalities", verbose_name=_("регион")
    )
    name = models.CharField(_("наименование"), max_length=200)
    name_genitive = models.CharField(
        _("наименование в родительном падеже"),
        max_length=200,
        blank=True,
        help_text=_("«Дмитриевского района»."),
    )
    center_town = models.CharField(
        _("административный центр"),
        max_length=100,
        blank=True,
        help_text=_("Место издания документов: «г. Дмитриев»."),
    )

    class Meta:
        verbose_name = _("муниципальное образование")
        verbose_name_plural = _("муниципальные образования")
        ordering = ["region__name", "name"]
        constraints = [
            models.UniqueConstraint(fields=["region", "name"], name="municipality_unique_name")
        ]

    def __str__(self):
        return self.name


class OrganisationQuerySet(models.QuerySet):
    def visible_to(self, user):
        """The organisations ``user`` may see; everything else answers 404."""
        from .access import get_access

        return self.filter(get_access(user).organisation_q())

    def schools(self):
        return self.filter(kind=Organisation.Kind.SCHOOL)

    def with_current_status(self, kind):
        """Schools whose latest confirmed year of statuses includes ``kind``."""
        latest_year = (
            SchoolStatus.objects.filter(school=OuterRef(OuterRef("pk")))
            .order_by("-year")
            .values("year")[:1]
        )
        current = SchoolStatus.objects.filter(
            school=OuterRef("pk"), kind=kind, year=Subquery(latest_year)
        )
        return self.filter(Exists(current))


class Organisation(models.Model):
    """The department, the methodological office (РМК), a school or a regional body."""

    class Kind(models.TextChoices):
        REGIONAL_BODY = "regional_body", _("Региональный орган управления образованием")
        ADMINISTRATION = "administration", _("Администрация муниципального образования")
        DEPARTMENT = "department", _("Управление образования")
        METHODOLOGICAL_OFFICE = "methodological_office", _("Методический кабинет (РМК)")
        SCHOOL = "school", _("Общеобразовательная организация")
        OTHER = "other", _("Иной орган или организация")

    kind = models.CharField(_("вид"), max_length=32, choices=Kind.choices)
    region = models.ForeignKey(
        Region, on_delete=models.PROTECT, related_name="organisations", verbose_name=_("регион")
    )
    municipality = models.ForeignKey(
        Municipality,
        on_delete=models.PROTECT,
        related_name="organisations",
        null=True,
        blank=True,
        verbose_name=_("муниципальное образование"),
    )
    full_name = models.CharField(
        _("полное наименование"),
        max_length=500,
        help_text=_("Как в приказах: Муниципальное казённое общеобразовательное учреждение «…»."),
    )
    short_name = models.CharField(_("краткое наименование"), max_length=200)
    name_genitive = models.CharField(
        _("наименование в родительном падеже"),
        max_length=500,
        blank=True,
        help_text=_(
            "Для грифов и отметок: «к приказу Управления образования … от …». "
            "Пусто — краткое наименование."
        ),
    )
    letterhead = models.TextField(
        _("наименование на бланке"),
        blank=True,
        help_text=_(
            "Строки шапки документа, как на бланке, с вышестоящим органом. "
            "Пусто — полное наименование."
        ),
    )
    number_pattern = models.CharField(
        _("шаблон регистрационного номера"),
        max_length=40,
        default="{n}",
        help_text=_("{n} — порядковый номер в году: «{n}», «1-{n}», «{n}-ОД», «01-03/{n}»."),
    )
    higher_body = models.CharField(
        _("вышестоящий орган"),
        max_length=300,
        blank=True,
        help_text=_("Для шапки документа, например «Администрация Дмитриевского района»."),
    )
    address = models.CharField(_("адрес"), max_length=300, blank=True)
    phone = models.CharField(_("телефон"), max_length=50, blank=True)
    email = models.EmailField(_("электронная почта"), blank=True)
    inn = models.CharField(_("ИНН"), max_length=12, blank=True)
    ogrn = models.CharField(_("ОГРН"), max_length=15, blank=True)
    head = models.ForeignKey(
        "Person",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("руководитель"),
        help_text=_("Директор школы, начальник управления, заведующий РМК."),
    )
    history = HistoricalRecords()

    objects = OrganisationQuerySet.as_manager()

    class Meta:
        verbose_name = _("организация")
        verbose_name_plural = _("организации")
        ordering = ["short_name"]
        constraints = [
            # All but regional bodies live in a municipality: the scoping helpers rely on it.
            models.CheckConstraint(
                condition=Q(kind="regional_body") | Q(municipality__isnull=False),
                name="organisation_municipality_required",
            ),
            models.CheckConstraint(
                condition=Q(inn="") | Q(inn__regex=r"^(\d{10}|\d{12})$"),
                name="organisation_inn_digits",
            ),
            # Numbering substitutes the sequence for {n}; a pattern without it would repeat.
            models.CheckConstraint(
                condition=Q(number_pattern__contains="{n}"),
                name="organisation_number_pattern_has_n",
            ),
        ]

    def __str__(self):
        return self.short_name

    def clean(self):
        from django.core.exceptions import ValidationError

        if self.kind != self.Kind.REGIONAL_BODY and not self.municipality_id:
            raise ValidationError({"municipality": _("Укажите муниципальное образование.")})
        if (
            self.municipality_id
            and self.region_id
            and self.municipality.region_id != self.region_id
        ):
            raise ValidationError(
                {"municipality": _("Муниципальное образование относится к другому региону.")}
            )

    @property
    def short_name_genitive(self):
        return self.name_genitive or self.short_name

    @property
    def letterhead_lines(self):
        return [
            line.strip()
            for line in (self.letterhead or self.full_name).splitlines()
            if line.strip()
        ]

    def format_number(self, n: int) -> str:
        return self.number_pattern.replace("{n}", str(n))

    @property
    def is_school(self):
        return self.kind == self.Kind.SCHOOL

    def current_statuses(self):
        """Statuses of the latest year that has any; uses prefetched ``statuses`` when present."""
        return current_statuses(self.statuses.all())


def current_statuses(statuses):
    """The current flags of a school: its statuses of the latest year that has any."""
    statuses = list(statuses)
    if not statuses:
        return []
    year = max(s.year for s in statuses)
    return sorted((s for s in statuses if s.year == year), key=lambda s: s.kind)


class SchoolStatus(models.Model):
    """One status of a school in one academic year, as confirmed by the department's order.

    History is kept: a new year adds rows, it never overwrites the previous year's.
    """

    class Kind(models.TextChoices):
        SHNOR = "shnor", _("ШНОР")
        SHNSU = "shnsu", _("ШНСУ")
        RISK = "risk", _("Группа риска")
        HIGH = "high", _("Стабильно высокие результаты")

    BADGE = {
        Kind.SHNOR: "danger",
        Kind.SHNSU: "warning",
        Kind.RISK: "secondary",
        Kind.HIGH: "success",
    }

    school = models.ForeignKey(
        Organisation,
        on_delete=models.CASCADE,
        related_name="statuses",
        limit_choices_to={"kind": Organisation.Kind.SCHOOL},
        verbose_name=_("школа"),
    )
    year = models.PositiveSmallIntegerField(
        _("учебный год"), help_text=_("Год начала учебного года: 2026 означает 2026/2027.")
    )
    kind = models.CharField(_("статус"), max_length=16, choices=Kind.choices)
    basis = models.CharField(
        _("основание"),
        max_length=300,
        blank=True,
        help_text=_("Приказ, утвердивший перечень: «приказ от 01.09.2026 № 1-95»."),
    )
    note = models.CharField(_("примечание"), max_length=300, blank=True)
    # The department's order approving the year's list, whose signing set this status
    # (``monitoring.services.identification.put_list_in_force``); ``basis`` cites it in words.
    # Named by string: the documents app sits above this one.
    act = models.ForeignKey(
        "documents.LegalDocument",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("приказ"),
    )
    created_at = models.DateTimeField(_("внесено"), auto_now_add=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("статус школы")
        verbose_name_plural = _("статусы школ")
        ordering = ["-year", "kind"]
        constraints = [
            models.UniqueConstraint(
                fields=["school", "year", "kind"], name="school_status_unique_per_year"
            ),
            models.CheckConstraint(
                condition=Q(year__gte=2000) & Q(year__lte=2100), name="school_status_year_range"
            ),
        ]

    def __str__(self):
        return f"{self.get_kind_display()} {self.academic_year}"

    @property
    def academic_year(self):
        return f"{self.year}/{self.year + 1}"

    @property
    def badge(self):
        return self.BADGE.get(self.kind, "secondary")


class PersonQuerySet(models.QuerySet):
    def visible_to(self, user):
        return self.filter(organisation__in=Organisation.objects.visible_to(user))


class Person(models.Model):
    """Someone who appears in documents; may or may not have a login.

    Personal data is kept to what documents need (152-ФЗ): name, position, work contacts.
    """

    last_name = models.CharField(_("фамилия"), max_length=100)
    first_name = models.CharField(_("имя"), max_length=100)
    patronymic = models.CharField(_("отчество"), max_length=100, blank=True)
    position = models.CharField(_("должность"), max_length=200)
    organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="people", verbose_name=_("организация")
    )
    email = models.EmailField(_("рабочая электронная почта"), blank=True)
    phone = models.CharField(_("рабочий телефон"), max_length=50, blank=True)
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="person",
        verbose_name=_("учётная запись"),
    )
    # The language of the person's own pages (``network_center.middleware``); acts are Russian
    # whatever it is.
    language = models.CharField(
        _("язык интерфейса"), max_length=10, choices=settings.LANGUAGES, default="ru"
    )
    history = HistoricalRecords()

    objects = PersonQuerySet.as_manager()

    class Meta:
        verbose_name = _("сотрудник")
        verbose_name_plural = _("сотрудники")
        ordering = ["last_name", "first_name", "patronymic"]

    def __str__(self):
        return self.full_name

    @property
    def full_name(self):
        return " ".join(p for p in (self.last_name, self.first_name, self.patronymic) if p)

    @property
    def initials_name(self):
        """«О.Л. Тулиёва»: the form used in signature lines (ГОСТ Р 7.0.97, реквизит 22)."""
        initials = "".join(f"{p[0]}." for p in (self.first_name, self.patronymic) if p)
        return f"{initials}\u00a0{self.last_name}"

    @property
    def name_initials(self):
        """«Тулиёва О.Л.»: the form used inside the text of an order."""
        initials = "".join(f"{p[0]}." for p in (self.first_name, self.patronymic) if p)
        return f"{self.last_name}\u00a0{initials}"


class MembershipQuerySet(models.QuerySet):
    def visible_to(self, user):
        return self.filter(organisation__in=Organisation.objects.visible_to(user))


class Membership(models.Model):
    """A user acting in a role for an organisation: «специалист управления Дмитриевского района».

    Roles are scoped memberships, not Django groups: what a user sees and may do follows from the
    organisation of each membership (see ``schools.access``).
    """

    class Role(models.TextChoices):
        DEPARTMENT = "department", _("Специалист управления образования")
        METHODOLOGIST = "methodologist", _("Методист РМК")
        HUB_DIRECTOR = "hub_director", _("Директор базовой школы")
        CENTER_HEAD = "center_head", _("Руководитель центра")
        WG_MEMBER = "wg_member", _("Член рабочей группы")
        COORDINATOR = "coordinator", _("Представитель школы-участника")
        OBSERVER = "observer", _("Региональный куратор")

    # Which kind of organisation each role may be held in; checked in clean() and by a constraint.
    ALLOWED_KINDS = {
        Role.DEPARTMENT: {Organisation.Kind.DEPARTMENT},
        Role.METHODOLOGIST: {Organisation.Kind.METHODOLOGICAL_OFFICE},
        Role.HUB_DIRECTOR: {Organisation.Kind.SCHOOL},
        Role.CENTER_HEAD: {Organisation.Kind.SCHOOL},
        Role.WG_MEMBER: {Organisation.Kind.SCHOOL, Organisation.Kind.METHODOLOGICAL_OFFICE},
        Role.COORDINATOR: {Organisation.Kind.SCHOOL},
        Role.OBSERVER: {Organisation.Kind.REGIONAL_BODY},
    }

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="memberships",
        verbose_name=_("пользователь"),
    )
    organisation = models.ForeignKey(
        Organisation,
        on_delete=models.CASCADE,
        related_name="memberships",
        verbose_name=_("организация"),
    )
    role = models.CharField(_("роль"), max_length=32, choices=Role.choices)
    history = HistoricalRecords()

    objects = MembershipQuerySet.as_manager()

    class Meta:
        verbose_name = _("членство (роль)")
        verbose_name_plural = _("членства (роли)")
        ordering = ["user__username", "role"]
        constraints = [
            models.UniqueConstraint(
                fields=["user", "organisation", "role"], name="membership_unique_role"
            )
        ]

    def __str__(self):
        return f"{self.user} — {self.get_role_display()} ({self.organisation})"

    def clean(self):
        from django.core.exceptions import ValidationError

        allowed = self.ALLOWED_KINDS.get(self.role, set())
        if self.organisation_id and self.organisation.kind not in allowed:
            raise ValidationError(
                {"organisation": _("Эта роль не может принадлежать организации такого вида.")}
            )


class ContentVersion(models.Model):
    """The number of committed transactions that changed the product's data: one row.

    Database triggers on every table of the product (``schools.caching.install_triggers``, run
    after each ``migrate``) add one to ``n`` when a transaction that wrote a row commits, however
    it wrote it — a service, the admin, a bulk ``update()``, the shell. Rendered pages are cached
    under a key that holds ``n`` (``schools.caching.cached_page``), so a page served from the
    cache is the page that would be rendered now. ``txid`` lets the trigger count a transaction
    once, however many rows it wrote."""

    id = models.PositiveSmallIntegerField(primary_key=True, default=1)
    n = models.BigIntegerField(_("версия данных"), default=0)
    txid = models.BigIntegerField(null=True, editable=False)

    class Meta:
        verbose_name = _("версия данных")
        verbose_name_plural = _("версия данных")

    def __str__(self):
        return str(self.n)


class RateCount(models.Model):
    """Requests of one client to one rate-limited scope in one fixed window
    (``schools.clients.rate_limited``). In the database, not the process's cache, so that the
    limit holds across every worker and machine serving the site; a row is a counter, not the
    product's data (no data version, no history), and expired rows are swept as new windows
    start."""

    key = models.CharField(max_length=100, unique=True)
    count = models.PositiveIntegerField(default=0)
    expires_at = models.DateTimeField(db_index=True)

    class Meta:
        verbose_name = _("счётчик запросов")
        verbose_name_plural = _("счётчики запросов")

    def __str__(self):
        return f"{self.key}: {self.count}"


class WorkerBeat(models.Model):
    """A running task worker's sign of life (``manage.py db_worker``): written when it starts
    and every ``network_center.workers.BEAT`` seconds while it runs, from a thread of its own,
    so a long task does not silence it; removed when it stops. A task marked «running» whose
    worker has not been heard of for ``network_center.workers.DEAD_AFTER`` was abandoned (the
    worker killed, its machine gone) and is queued again by the workers that are alive. Not
    the product's data: no data version, no history."""

    worker_id = models.CharField(max_length=64, primary_key=True)
    host = models.CharField(max_length=255, blank=True)
    pid = models.PositiveIntegerField(null=True)
    started_at = models.DateTimeField()
    beat_at = models.DateTimeField(db_index=True)

    class Meta:
        verbose_name = _("обработчик задач")
        verbose_name_plural = _("обработчики задач")

    def __str__(self):
        return self.worker_id


# The resources schools offer to the network live in their own module (``schools.resources``);
# imported here so that Django registers their models with the app.
from .resources import Resource, ResourceEvent, Subject  # noqa: E402, F401
