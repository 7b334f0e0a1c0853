"""Monitoring: campaigns per municipality and year, the indicator catalogue, the values of each
school, and the record of every import of values from Excel.

Who sees what is decided here, by the ``visible_to(user)`` querysets (out of scope → 404):

- the department and the methodologists (РМК) of a municipality: its campaigns, values and
  imports; the regional observer: those of its region (read-only, see ``monitoring.rules``);
- a school — its coordinator, the hub's director — the campaigns of its municipality, and of
  the values ONLY its own school's; no import records (they count every school's values);
- anyone else: nothing.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from schools.access import MUNICIPALITY_WIDE, Role, get_access
from schools.models import Municipality, Organisation

# The roles by which a user speaks for one school and sees only that school's values.
SCHOOL_ROLES = (Role.COORDINATOR, Role.HUB_DIRECTOR)


def school_ids_of(user) -> set[int]:
    """The schools whose own values the user sees (coordinator, the hub's director)."""
    return get_access(user).organisation_ids(*SCHOOL_ROLES)


def sees_whole(user, campaign) -> bool:
    """Whether the user sees every school's values of ``campaign`` (the same scope as
    ``_municipality_filter``); a school sees only its own row."""
    access = get_access(user)
    return (
        access.is_superuser
        or campaign.municipality_id in access.municipality_ids(*MUNICIPALITY_WIDE)
        or campaign.municipality.region_id in access.observed_region_ids
    )


def _municipality_filter(access, prefix: str) -> Q:
    """Objects of a municipality seen as a whole: its department and РМК, the region's
    observer."""
    q = Q(**{f"{prefix}municipality_id__in": access.municipality_ids(*MUNICIPALITY_WIDE)})
    if access.observed_region_ids:
        q |= Q(**{f"{prefix}municipality__region_id__in": access.observed_region_ids})
    return q


class Indicator(models.Model):
    """One indicator of the catalogue (SPEC §3): what is measured, in what unit, from which
    source, the range a value must lie in and which way is better. Seeded by a data migration;
    the import refuses values outside ``[min_value, max_value]``."""

    class Group(models.TextChoices):
        RESULTS = "results", _("Образовательные результаты")
        SOCIAL = "social", _("Социальный контекст")
        RESOURCES = "resources", _("Ресурсы")

    class Direction(models.TextChoices):
        HIGHER = "higher", _("чем больше, тем лучше")
        LOWER = "lower", _("чем меньше, тем лучше")

    code = models.CharField(_("код"), max_length=40, unique=True)
    name = models.CharField(_("наименование"), max_length=300)
    group = models.CharField(_("группа"), max_length=16, choices=Group.choices)
    unit = models.CharField(_("единица измерения"), max_length=40)
    source = models.CharField(_("источник"), max_length=200)
    min_value = models.DecimalField(_("минимум"), max_digits=12, decimal_places=3)
    max_value = models.DecimalField(_("максимум"), max_digits=12, decimal_places=3)
    direction = models.CharField(_("направление"), max_length=8, choices=Direction.choices)
    decimals = models.PositiveSmallIntegerField(_("знаков после запятой"), default=1)
    position = models.PositiveSmallIntegerField(_("порядок"), default=0)

    class Meta:
        verbose_name = _("показатель")
        verbose_name_plural = _("показатели")
        ordering = ["position", "code"]
        constraints = [
            # The import's range check relies on a non-empty range.
            models.CheckConstraint(
                condition=Q(min_value__lte=models.F("max_value")), name="indicator_range"
            ),
            models.CheckConstraint(condition=Q(decimals__lte=3), name="indicator_decimals"),
        ]

    def __str__(self):
        return f"{self.code} — {self.name}"

    @property
    def range_label(self) -> str:
        return f"{self.format(self.min_value)}–{self.format(self.max_value)}"

    def format(self, value) -> str:
        """The value with the indicator's decimals and a decimal comma («12,5»)."""
        if value is None:
            return ""
        return f"{value:.{self.decimals}f}".replace(".", ",")


class CampaignQuerySet(models.QuerySet):
    def visible_to(self, user):
        """Campaigns of the municipalities the user sees whole, or of its school's
        municipality; nothing else."""
        access = get_access(user)
        if access.is_superuser:
            return self
        if access.user_id is None:
            return self.none()
        q = _municipality_filter(access, "")
        schools = access.organisation_ids(*SCHOOL_ROLES)
        if schools:
            q |= Q(
                municipality_id__in=Organisation.objects.filter(pk__in=schools).values(
                    "municipality_id"
                )
            )
        return self.filter(q)


class Campaign(models.Model):
    """A monitoring campaign: the values of one academic year's results of a municipality's
    schools. Open while values are imported; closed, it changes no more."""

    class State(models.TextChoices):
        OPEN = "open", _("Идёт сбор данных")
        CLOSED = "closed", _("Закрыта")

    BADGES = {State.OPEN: "primary", State.CLOSED: "secondary"}

    municipality = models.ForeignKey(
        Municipality,
        on_delete=models.PROTECT,
        related_name="campaigns",
        verbose_name=_("муниципалитет"),
    )
    year = models.PositiveSmallIntegerField(
        _("учебный год (начало)"), help_text=_("2024 — 2024/2025 учебный год")
    )
    name = models.CharField(_("наименование"), max_length=200)
    state = models.CharField(
        _("состояние"), max_length=8, choices=State.choices, default=State.OPEN
    )
    indicators = models.ManyToManyField(
        Indicator, related_name="campaigns", verbose_name=_("показатели")
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("создал"),
    )
    created_at = models.DateTimeField(_("создана"), auto_now_add=True)

    objects = CampaignQuerySet.as_manager()

    class Meta:
        verbose_name = _("кампания мониторинга")
        verbose_name_plural = _("кампании мониторинга")
        ordering = ["municipality__name", "-year"]
        constraints = [
            # One campaign per municipality and year (SPEC §3): the identification windows
            # («2 из последних 3 лет») count campaigns as years.
            models.UniqueConstraint(
                fields=["municipality", "year"], name="campaign_one_per_municipality_year"
            ),
            models.CheckConstraint(
                condition=Q(year__gte=2000) & Q(year__lte=2100), name="campaign_year_range"
            ),
        ]

    def __str__(self):
        return f"{self.name} ({self.academic_year})"

    @property
    def academic_year(self) -> str:
        return f"{self.year}/{self.year + 1}"

    @property
    def badge(self) -> str:
        return self.BADGES.get(self.state, "secondary")


class IndicatorValueQuerySet(models.QuerySet):
    def visible_to(self, user):
        """Values of the campaigns seen whole, and a school's own values."""
        access = get_access(user)
        if access.is_superuser:
            return self
        if access.user_id is None:
            return self.none()
        q = _municipality_filter(access, "campaign__")
        schools = access.organisation_ids(*SCHOOL_ROLES)
        if schools:
            q |= Q(school_id__in=schools)
        return self.filter(q)


class IndicatorValue(models.Model):
    """The value of one indicator for one school in one campaign; written by the import only
    (``monitoring.services.confirm_import``), which names itself in ``import_record``."""

    campaign = models.ForeignKey(
        Campaign, on_delete=models.CASCADE, related_name="values", verbose_name=_("кампания")
    )
    school = models.ForeignKey(
        Organisation,
        on_delete=models.PROTECT,
        related_name="indicator_values",
        verbose_name=_("школа"),
    )
    indicator = models.ForeignKey(
        Indicator, on_delete=models.PROTECT, related_name="values", verbose_name=_("показатель")
    )
    value = models.DecimalField(_("значение"), max_digits=12, decimal_places=3)
    import_record = models.ForeignKey(
        "ImportRecord",
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("загружено импортом"),
    )
    updated_at = models.DateTimeField(_("изменено"), auto_now=True)

    objects = IndicatorValueQuerySet.as_manager()

    class Meta:
        verbose_name = _("значение показателя")
        verbose_name_plural = _("значения показателей")
        ordering = ["campaign", "school", "indicator"]
        constraints = [
            # The import's bulk upsert conflicts on exactly this triple: a re-import updates.
            models.UniqueConstraint(
                fields=["campaign", "school", "indicator"], name="indicator_value_unique"
            )
        ]

    def __str__(self):
        return f"{self.indicator.code} = {self.value}"


class ImportRecordQuerySet(models.QuerySet):
    def visible_to(self, user):
        """Imports of the campaigns the user sees whole (a school sees none: they count every
        school's values)."""
        access = get_access(user)
        if access.is_superuser:
            return self
        return self.filter(_municipality_filter(access, "campaign__"))


class ImportRecord(models.Model):
    """One upload of values: who, when, which file (name, size, SHA-256), what it holds.

    A valid file becomes a record in the state «preview» holding the validated values
    (``payload``) — the confirmation writes those, never anything sent back by the browser; the
    confirmation moves it to «imported» with the counts of what it created, changed and left
    unchanged. The record is the history of the import: nothing else changes it."""

    class State(models.TextChoices):
        PREVIEW = "preview", _("Предпросмотр")
        IMPORTED = "imported", _("Загружено")

    BADGES = {State.PREVIEW: "warning", State.IMPORTED: "success"}

    campaign = models.ForeignKey(
        Campaign, on_delete=models.CASCADE, related_name="imports", verbose_name=_("кампания")
    )
    state = models.CharField(
        _("состояние"), max_length=8, choices=State.choices, default=State.PREVIEW
    )
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("загрузил"),
    )
    uploaded_at = models.DateTimeField(_("загружено"), auto_now_add=True)
    confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("подтвердил"),
    )
    confirmed_at = models.DateTimeField(_("подтверждено"), null=True, blank=True)
    file_name = models.CharField(_("имя файла"), max_length=255)
    file_size = models.PositiveBigIntegerField(_("размер, байт"))
    sha256 = models.CharField(_("SHA-256"), max_length=64)
    rows = models.PositiveIntegerField(_("строк школ"), default=0)
    values_count = models.PositiveIntegerField(_("значений"), default=0)
    created_count = models.PositiveIntegerField(_("новых"), default=0)
    updated_count = models.PositiveIntegerField(_("изменённых"), default=0)
    unchanged_count = models.PositiveIntegerField(_("без изменений"), default=0)
    # [[school id, indicator id, "value"], …]: validated on upload, written on confirmation.
    payload = models.JSONField(_("проверенные значения"), default=list, editable=False)

    objects = ImportRecordQuerySet.as_manager()

    class Meta:
        verbose_name = _("импорт значений")
        verbose_name_plural = _("импорты значений")
        ordering = ["-uploaded_at", "-pk"]

    def __str__(self):
        return f"{self.file_name} ({self.get_state_display()})"

    @property
    def badge(self) -> str:
        return self.BADGES.get(self.state, "secondary")
