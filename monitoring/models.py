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
from schools.history import AppendOnlyModel
from schools.models import Municipality, Organisation, SchoolStatus

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
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("закрыл"),
    )
    closed_at = models.DateTimeField(_("закрыта"), null=True, blank=True)

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

    # No index of its own: ``indicator_value_unique`` leads with the campaign, and every index
    # is paid for by each of the import's 100,000 inserts.
    campaign = models.ForeignKey(
        Campaign,
        on_delete=models.CASCADE,
        related_name="values",
        verbose_name=_("кампания"),
        db_index=False,
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
        QUEUED = "queued", _("В очереди на проверку")
        CHECKING = "checking", _("Проверяется")
        FAILED = "failed", _("Файл с ошибками")
        PREVIEW = "preview", _("Предпросмотр")
        WRITING = "writing", _("Записывается")
        IMPORTED = "imported", _("Загружено")

    BADGES = {
        State.QUEUED: "secondary",
        State.CHECKING: "info",
        State.FAILED: "danger",
        State.PREVIEW: "warning",
        State.WRITING: "info",
        State.IMPORTED: "success",
    }

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
    # A large file is checked by a task (``monitoring.tasks``): the upload is kept in storage
    # until then, the task reports its progress in rows, and a refused file keeps its errors.
    file = models.FileField(_("файл"), upload_to="monitoring/imports/", blank=True)
    total_rows = models.PositiveIntegerField(_("строк в файле"), default=0)
    processed_rows = models.PositiveIntegerField(_("проверено строк"), default=0)
    errors = models.JSONField(_("ошибки"), default=list, blank=True, editable=False)
    error_count = models.PositiveIntegerField(_("ошибок"), default=0)

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


class CampaignEvent(AppendOnlyModel):
    """Append-only history of a campaign: created, closed, reopened (who, when, before → after)."""

    ACTIONS = {
        "create": _("кампания создана"),
        "close": _("кампания закрыта"),
        "reopen": _("кампания открыта снова"),
    }

    campaign = models.ForeignKey(
        Campaign, on_delete=models.CASCADE, related_name="events", verbose_name=_("кампания")
    )
    action = models.CharField(_("действие"), max_length=16)
    from_state = models.CharField(_("из состояния"), max_length=8, blank=True)
    to_state = models.CharField(_("в состояние"), max_length=8)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name=_("кто"),
    )
    at = models.DateTimeField(auto_now_add=True)
    comment = models.TextField(_("комментарий"), blank=True)

    class Meta:
        verbose_name = _("событие кампании")
        verbose_name_plural = _("история кампаний")
        ordering = ["at", "pk"]

    def __str__(self):
        return f"{self.campaign_id}: {self.action}"

    @property
    def action_display(self):
        return self.ACTIONS.get(self.action, self.action)


# --- Risk profiles ------------------------------------------------------------------------------


class RiskFactor(models.Model):
    """One risk factor of the federal programme for schools with low results (the ten are
    seeded by a migration; the department may add, rename or retire factors — a retired one
    stays on the profiles and plan lines that name it)."""

    code = models.CharField(_("код"), max_length=40, unique=True)
    name = models.CharField(_("наименование"), max_length=300)
    position = models.PositiveSmallIntegerField(_("порядок"), default=0)
    is_active = models.BooleanField(_("используется"), default=True)

    class Meta:
        verbose_name = _("фактор риска")
        verbose_name_plural = _("факторы риска")
        ordering = ["position", "code"]

    def __str__(self):
        return self.name


class RiskProfileQuerySet(models.QuerySet):
    def visible_to(self, user):
        """Profiles of the schools of the municipalities seen whole, and a school's own."""
        access = get_access(user)
        if access.is_superuser:
            return self
        if access.user_id is None:
            return self.none()
        q = _municipality_filter(access, "school__")
        schools = access.organisation_ids(*SCHOOL_ROLES)
        if schools:
            q |= Q(school_id__in=schools)
        return self.filter(q)


class RiskProfile(models.Model):
    """A school's risk profile for one academic year: a rating of every risk factor.
    ``version`` counts saves, so a second editor working on a stale form is told."""

    school = models.ForeignKey(
        Organisation,
        on_delete=models.PROTECT,
        related_name="risk_profiles",
        limit_choices_to={"kind": Organisation.Kind.SCHOOL},
        verbose_name=_("школа"),
    )
    year = models.PositiveSmallIntegerField(
        _("учебный год (начало)"), help_text=_("2026 — 2026/2027 учебный год")
    )
    version = models.PositiveIntegerField(_("версия"), default=1)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("изменил"),
    )
    updated_at = models.DateTimeField(_("изменено"), auto_now=True)

    objects = RiskProfileQuerySet.as_manager()

    class Meta:
        verbose_name = _("профиль рисков")
        verbose_name_plural = _("профили рисков")
        ordering = ["school__short_name", "-year"]
        constraints = [
            models.UniqueConstraint(fields=["school", "year"], name="risk_profile_one_per_year"),
            models.CheckConstraint(
                condition=Q(year__gte=2000) & Q(year__lte=2100), name="risk_profile_year_range"
            ),
        ]

    def __str__(self):
        return f"{self.school} — {self.year}/{self.year + 1}"

    @property
    def academic_year(self) -> str:
        return f"{self.year}/{self.year + 1}"


class RiskRating(models.Model):
    """The rating of one factor in one profile, with a note (what the rating rests on)."""

    class Level(models.TextChoices):
        HIGH = "high", _("высокий")
        MEDIUM = "medium", _("средний")
        LOW = "low", _("низкий")
        NOT_RELEVANT = "none", _("не актуален")

    BADGES = {
        Level.HIGH: "danger",
        Level.MEDIUM: "warning",
        Level.LOW: "success",
        Level.NOT_RELEVANT: "secondary",
    }

    profile = models.ForeignKey(
        RiskProfile, on_delete=models.CASCADE, related_name="ratings", verbose_name=_("профиль")
    )
    factor = models.ForeignKey(
        RiskFactor, on_delete=models.PROTECT, related_name="ratings", verbose_name=_("фактор")
    )
    level = models.CharField(_("уровень"), max_length=8, choices=Level.choices)
    note = models.TextField(_("обоснование"), blank=True, max_length=2000)

    class Meta:
        verbose_name = _("оценка фактора риска")
        verbose_name_plural = _("оценки факторов риска")
        ordering = ["factor__position", "factor__code"]
        constraints = [
            models.UniqueConstraint(fields=["profile", "factor"], name="risk_rating_unique")
        ]

    def __str__(self):
        return f"{self.factor}: {self.get_level_display()}"

    @property
    def badge(self) -> str:
        return self.BADGES.get(self.level, "secondary")


class RiskProfileEvent(AppendOnlyModel):
    """Append-only history of a profile: each changed rating, before → after (in ``data``:
    ``{factor code: {"level": [before, after], "note": [before, after]}}``)."""

    profile = models.ForeignKey(
        RiskProfile, on_delete=models.CASCADE, related_name="events", verbose_name=_("профиль")
    )
    action = models.CharField(_("действие"), max_length=16)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name=_("кто"),
    )
    at = models.DateTimeField(auto_now_add=True)
    data = models.JSONField(_("подробности"), default=dict, blank=True)

    class Meta:
        verbose_name = _("изменение профиля рисков")
        verbose_name_plural = _("история профилей рисков")
        ordering = ["at", "pk"]

    def __str__(self):
        return f"{self.profile_id}: {self.action}"


# --- Identification of ШНОР / ШНСУ ---------------------------------------------------------------


class IdentificationRuleQuerySet(models.QuerySet):
    def visible_to(self, user):
        """The rules of the municipalities seen whole (department, РМК, the observer)."""
        access = get_access(user)
        if access.is_superuser:
            return self
        if access.user_id is None:
            return self.none()
        return self.filter(_municipality_filter(access, ""))


class IdentificationRule(models.Model):
    """How a municipality identifies the schools of one status (ШНОР, ШНСУ, группа риска,
    стабильно высокие результаты) from its monitoring campaigns.

    - ``method``: a composite index (the rule's indicators standardised across the
      municipality's schools in each campaign — z-scores, sign turned so that higher is better —
      and averaged with their weights), or single indicators (each compared on its own; a
      school is flagged when any / all of them are past the threshold);
    - ``threshold_type`` and ``threshold``: an absolute value (of the index, or of each
      indicator in its unit — ``RuleIndicator.threshold``), a percentile (the worst p % of the
      schools, ties included) or a rank (the worst r schools, ties sharing a rank);
    - the window: flagged in at least ``min_years`` of the last ``window_years`` campaigns.

    ШНОР, ШНСУ and the risk group look at the worst end, «стабильно высокие» at the best end.
    Saving a rule counts its ``version`` (a second editor is told); every run keeps a copy of
    the rules it used, so a later change of a rule never changes a past list."""

    class Method(models.TextChoices):
        COMPOSITE = "composite", _("составной индекс")
        SINGLE = "single", _("отдельные показатели")

    class Combine(models.TextChoices):
        ANY = "any", _("хотя бы один показатель")
        ALL = "all", _("все показатели")

    class ThresholdType(models.TextChoices):
        ABSOLUTE = "absolute", _("абсолютное значение")
        PERCENTILE = "percentile", _("процентиль")
        RANK = "rank", _("место в рейтинге")

    municipality = models.ForeignKey(
        Municipality,
        on_delete=models.PROTECT,
        related_name="identification_rules",
        verbose_name=_("муниципалитет"),
    )
    kind = models.CharField(_("статус"), max_length=16, choices=SchoolStatus.Kind.choices)
    is_active = models.BooleanField(_("применяется"), default=True)
    method = models.CharField(
        _("способ"), max_length=16, choices=Method.choices, default=Method.COMPOSITE
    )
    combine = models.CharField(
        _("сочетание показателей"), max_length=8, choices=Combine.choices, default=Combine.ANY
    )
    threshold_type = models.CharField(_("вид порога"), max_length=16, choices=ThresholdType.choices)
    threshold = models.DecimalField(
        _("порог"),
        max_digits=12,
        decimal_places=3,
        null=True,
        blank=True,
        help_text=_(
            "Для индекса — его значение; для процентиля — доля школ в процентах; для места — "
            "число школ. Для отдельных показателей с абсолютным порогом порог задаётся у "
            "каждого показателя."
        ),
    )
    window_years = models.PositiveSmallIntegerField(_("окно, лет"), default=1)
    min_years = models.PositiveSmallIntegerField(_("из них лет с признаком"), default=1)
    version = models.PositiveIntegerField(_("версия"), default=1)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("изменил"),
    )
    updated_at = models.DateTimeField(_("изменено"), auto_now=True)

    objects = IdentificationRuleQuerySet.as_manager()

    class Meta:
        verbose_name = _("правило отбора")
        verbose_name_plural = _("правила отбора")
        ordering = ["municipality__name", "kind"]
        constraints = [
            models.UniqueConstraint(
                fields=["municipality", "kind"], name="identification_rule_one_per_kind"
            ),
            models.CheckConstraint(
                condition=Q(min_years__gte=1)
                & Q(window_years__gte=models.F("min_years"))
                & Q(window_years__lte=10),
                name="identification_rule_window",
            ),
        ]

    def __str__(self):
        return f"{self.municipality}: {self.get_kind_display()}"

    @property
    def looks_at_best(self) -> bool:
        return self.kind == SchoolStatus.Kind.HIGH


class RuleIndicator(models.Model):
    """An indicator of a rule: its weight in the composite index and, for single indicators
    with an absolute threshold, its own threshold in the indicator's unit."""

    rule = models.ForeignKey(
        IdentificationRule,
        on_delete=models.CASCADE,
        related_name="indicators",
        verbose_name=_("правило"),
    )
    indicator = models.ForeignKey(
        Indicator, on_delete=models.PROTECT, related_name="+", verbose_name=_("показатель")
    )
    weight = models.DecimalField(_("вес"), max_digits=6, decimal_places=2, default=1)
    threshold = models.DecimalField(
        _("порог показателя"), max_digits=12, decimal_places=3, null=True, blank=True
    )

    class Meta:
        verbose_name = _("показатель правила")
        verbose_name_plural = _("показатели правила")
        ordering = ["indicator__position", "indicator__code"]
        constraints = [
            models.UniqueConstraint(fields=["rule", "indicator"], name="rule_indicator_unique"),
            models.CheckConstraint(condition=Q(weight__gt=0), name="rule_indicator_weight"),
        ]

    def __str__(self):
        return f"{self.indicator.code} × {self.weight}"


class RuleEvent(AppendOnlyModel):
    """Append-only history of a rule: each save with the rule before and after (``data``)."""

    rule = models.ForeignKey(
        IdentificationRule,
        on_delete=models.CASCADE,
        related_name="events",
        verbose_name=_("правило"),
    )
    action = models.CharField(_("действие"), max_length=16)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name=_("кто"),
    )
    at = models.DateTimeField(auto_now_add=True)
    data = models.JSONField(_("подробности"), default=dict, blank=True)

    class Meta:
        verbose_name = _("изменение правила отбора")
        verbose_name_plural = _("история правил отбора")
        ordering = ["at", "pk"]

    def __str__(self):
        return f"{self.rule_id}: {self.action}"


class IdentificationRunQuerySet(models.QuerySet):
    def visible_to(self, user):
        """Runs of the municipalities seen whole; a school sees none (a run compares every
        school's values)."""
        access = get_access(user)
        if access.is_superuser:
            return self
        if access.user_id is None:
            return self.none()
        return self.filter(_municipality_filter(access, ""))


class IdentificationRun(models.Model):
    """One application of a municipality's rules, proposing the list of the academic year
    ``year`` from the campaigns of the years before it.

    proposed (the department adjusts entries, a reason for each) → confirmed (the order
    approving the list is drafted: ``order``) → in force (the order is signed; the schools'
    statuses of ``year`` are the list's, each naming the order). A proposed or confirmed run
    may be discarded; a new run of the same year supersedes a proposed one."""

    class State(models.TextChoices):
        PROPOSED = "proposed", _("Предложение")
        CONFIRMED = "confirmed", _("Подтверждено, приказ на подписании")
        IN_FORCE = "in_force", _("Приказ подписан")
        DISCARDED = "discarded", _("Отменено")

    BADGES = {
        State.PROPOSED: "warning",
        State.CONFIRMED: "primary",
        State.IN_FORCE: "success",
        State.DISCARDED: "secondary",
    }

    municipality = models.ForeignKey(
        Municipality,
        on_delete=models.PROTECT,
        related_name="identification_runs",
        verbose_name=_("муниципалитет"),
    )
    year = models.PositiveSmallIntegerField(_("учебный год перечня (начало)"))
    state = models.CharField(
        _("состояние"), max_length=16, choices=State.choices, default=State.PROPOSED
    )
    # The rules as they were when the run was made, and the campaign years it read.
    rules = models.JSONField(_("применённые правила"), default=list, editable=False)
    campaign_years = models.JSONField(_("годы кампаний"), default=list, editable=False)
    warnings = models.JSONField(_("предупреждения"), default=list, editable=False)
    order = models.ForeignKey(
        "documents.LegalDocument",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("приказ"),
    )
    version = models.PositiveIntegerField(_("версия"), default=1)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("выполнил"),
    )
    created_at = models.DateTimeField(_("выполнено"), auto_now_add=True)

    objects = IdentificationRunQuerySet.as_manager()

    class Meta:
        verbose_name = _("отбор школ")
        verbose_name_plural = _("отборы школ")
        ordering = ["municipality__name", "-year", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(year__gte=2000) & Q(year__lte=2100), name="identification_run_year"
            ),
        ]

    def __str__(self):
        return f"{self.municipality}: {self.academic_year}"

    def get_absolute_url(self):
        from django.urls import reverse

        return reverse("monitoring:run", args=[self.pk])

    @property
    def academic_year(self) -> str:
        return f"{self.year}/{self.year + 1}"

    @property
    def badge(self) -> str:
        return self.BADGES.get(self.state, "secondary")


class RunEntry(models.Model):
    """One school × one status of a run: what the rules proposed, with the reason in words
    and the values behind it, and what the department decided (``included``; a manual change
    carries its reason)."""

    run = models.ForeignKey(
        IdentificationRun, on_delete=models.CASCADE, related_name="entries", verbose_name=_("отбор")
    )
    school = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="+", verbose_name=_("школа")
    )
    kind = models.CharField(_("статус"), max_length=16, choices=SchoolStatus.Kind.choices)
    rank = models.PositiveIntegerField(_("место"), null=True, blank=True)
    score = models.DecimalField(
        _("значение отбора"), max_digits=12, decimal_places=3, null=True, blank=True
    )
    proposed = models.BooleanField(_("предложено правилом"), default=False)
    included = models.BooleanField(_("включено в перечень"), default=False)
    reason = models.TextField(_("основание"), blank=True)
    # {"years": {"2025": {"score": "-0.812", "flagged": true, "values": {"VPR_FAIL": "24.1"}}}}
    details = models.JSONField(_("значения"), default=dict, blank=True)
    manual_reason = models.TextField(_("причина изменения"), blank=True)
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("изменил"),
    )
    changed_at = models.DateTimeField(_("изменено"), null=True, blank=True)

    class Meta:
        verbose_name = _("строка отбора")
        verbose_name_plural = _("строки отбора")
        ordering = ["kind", "rank", "school__short_name"]
        constraints = [
            models.UniqueConstraint(fields=["run", "school", "kind"], name="run_entry_unique")
        ]

    def __str__(self):
        return f"{self.school}: {self.get_kind_display()}"

    @property
    def values_by_year(self) -> list[tuple[str, list[tuple[str, str]]]]:
        """The indicator values the rule read, per campaign year, newest first: [(«2025/2026»,
        [(code, «32,5»), …]), …] — what the run page shows beside the reason."""
        rows = []
        for year, result in sorted(self.details.get("years", {}).items(), reverse=True):
            values = sorted(result.get("values", {}).items())
            if values:
                label = f"{int(year)}/{int(year) + 1}"
                rows.append((label, [(code, value.replace(".", ",")) for code, value in values]))
        return rows

    @property
    def changed_by_hand(self) -> bool:
        return self.included != self.proposed


class RunEvent(AppendOnlyModel):
    """Append-only history of a run: made, an entry changed by hand (school, status, before →
    after, reason), confirmed, in force, discarded."""

    ACTIONS = {
        "create": _("отбор выполнен"),
        "include": _("школа включена вручную"),
        "exclude": _("школа исключена вручную"),
        "restore": _("возвращено предложение правила"),
        "confirm": _("перечень подтверждён, подготовлен приказ"),
        "in_force": _("приказ подписан, статусы школ изменены"),
        "discard": _("отбор отменён"),
    }

    run = models.ForeignKey(
        IdentificationRun, on_delete=models.CASCADE, related_name="events", verbose_name=_("отбор")
    )
    action = models.CharField(_("действие"), max_length=16)
    from_state = models.CharField(_("из состояния"), max_length=16, blank=True)
    to_state = models.CharField(_("в состояние"), max_length=16, blank=True)
    entry = models.ForeignKey(
        RunEntry, null=True, blank=True, on_delete=models.SET_NULL, related_name="events"
    )
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name=_("кто"),
    )
    at = models.DateTimeField(auto_now_add=True)
    comment = models.TextField(_("комментарий"), blank=True)
    data = models.JSONField(_("подробности"), default=dict, blank=True)

    class Meta:
        verbose_name = _("событие отбора")
        verbose_name_plural = _("история отборов")
        ordering = ["at", "pk"]

    def __str__(self):
        return f"{self.run_id}: {self.action}"

    @property
    def action_display(self):
        return self.ACTIONS.get(self.action, self.action)


def municipalities_seen_whole(user):
    """The municipalities whose rules and lists the user sees: its department and РМК, the
    regional observer of its region, the administrator (the scoping of the identification
    pages: any other municipality answers 404)."""
    access = get_access(user)
    if access.is_superuser:
        return Municipality.objects.all()
    if access.user_id is None:
        return Municipality.objects.none()
    q = Q(pk__in=access.municipality_ids(*MUNICIPALITY_WIDE))
    if access.observed_region_ids:
        q |= Q(region_id__in=access.observed_region_ids)
    return Municipality.objects.filter(q)
