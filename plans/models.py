"""The annual joint plan of a center: revisions, lines, proposals, visas and transitions.

A plan (center × academic year) has revisions. A revision moves through the workflow of SPEC §4
only through ``plans.services`` (one function per transition, one table of allowed transitions
in ``plans.workflow``); every change of state appends a ``Transition``. An approved revision is
frozen: its lines refuse changes in the model layer, as signed documents do.
"""

import uuid

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from network_center.centers.models import Center
from network_center.documents.models import LegalDocument
from schools.access import get_access
from schools.history import AppendOnlyModel
from schools.models import Organisation, Person


class EventForm(models.Model):
    """Form of an event (семинар, вебинар, …): an editable reference list."""

    name = models.CharField(_("наименование"), max_length=100, unique=True)
    position = models.PositiveSmallIntegerField(_("порядок"), default=0)
    is_active = models.BooleanField(_("используется"), default=True)

    class Meta:
        verbose_name = _("форма мероприятия")
        verbose_name_plural = _("формы мероприятий")
        ordering = ["position", "name"]

    def __str__(self):
        return self.name


class PlanQuerySet(models.QuerySet):
    def visible_to(self, user):
        """Plans of the centers the user sees (Center.visible_to decides)."""
        return self.filter(center__in=Center.objects.visible_to(user))


class Plan(models.Model):
    """The joint activity plan of a center for one academic year."""

    center = models.ForeignKey(
        Center, on_delete=models.PROTECT, related_name="plans", verbose_name=_("центр")
    )
    year = models.PositiveSmallIntegerField(
        _("учебный год"), help_text=_("Год начала: 2026 означает 2026/2027.")
    )
    created_at = models.DateTimeField(auto_now_add=True)

    objects = PlanQuerySet.as_manager()

    class Meta:
        verbose_name = _("план совместной деятельности")
        verbose_name_plural = _("планы совместной деятельности")
        ordering = ["center", "-year"]
        constraints = [
            models.UniqueConstraint(fields=["center", "year"], name="plan_one_per_center_year")
        ]

    def __str__(self):
        return f"План {self.academic_year}: {self.center.short_name}"

    @property
    def academic_year(self):
        return f"{self.year}/{self.year + 1}"


class Revision(models.Model):
    """A revision of a plan: the unit that is agreed, approved and frozen."""

    class State(models.TextChoices):
        DRAFT = "draft", _("Проект")
        ON_AGREEMENT = "on_agreement", _("На согласовании")
        AGREED = "agreed", _("Согласован")
        APPROVED = "approved", _("Утверждён")
        SUPERSEDED = "superseded", _("Заменён новой редакцией")
        CLOSED = "closed", _("Закрыт")

    BADGE = {
        State.DRAFT: "secondary",
        State.ON_AGREEMENT: "warning",
        State.AGREED: "info",
        State.APPROVED: "success",
        State.SUPERSEDED: "light",
        State.CLOSED: "dark",
    }
    # States whose lines can never change again.
    FROZEN = {State.APPROVED, State.SUPERSEDED, State.CLOSED}

    plan = models.ForeignKey(
        Plan, on_delete=models.CASCADE, related_name="revisions", verbose_name=_("план")
    )
    number = models.PositiveSmallIntegerField(_("редакция"))
    state = models.CharField(
        _("состояние"), max_length=16, choices=State.choices, default=State.DRAFT, editable=False
    )
    based_on = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("на основе редакции"),
    )
    # Bumped on every change of content; visas record the version they agreed to.
    content_version = models.PositiveIntegerField(default=1, editable=False)
    approval_document = models.ForeignKey(
        LegalDocument,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="approved_plan_revisions",
        editable=False,
        verbose_name=_("документ об утверждении"),
    )
    approved_at = models.DateTimeField(_("утверждён"), null=True, blank=True, editable=False)
    # Set when the revision is sent for agreement: a visa still pending after it is overdue.
    visas_due = models.DateField(_("согласовать до"), null=True, blank=True, editable=False)
    # The year-end execution report attached when the plan is closed.
    execution_report = models.ForeignKey(
        LegalDocument,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="reported_plan_revisions",
        editable=False,
        verbose_name=_("отчёт о выполнении плана"),
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name=_("создал"),
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("редакция плана")
        verbose_name_plural = _("редакции плана")
        ordering = ["plan", "-number"]
        constraints = [
            models.UniqueConstraint(fields=["plan", "number"], name="revision_number_unique"),
            # One revision in work (draft … agreed) and one in force per plan at a time.
            models.UniqueConstraint(
                fields=["plan"],
                condition=Q(state__in=["draft", "on_agreement", "agreed"]),
                name="revision_one_in_work",
            ),
            models.UniqueConstraint(
                fields=["plan"], condition=Q(state="approved"), name="revision_one_approved"
            ),
        ]

    def __str__(self):
        return f"{self.plan}, редакция {self.number}"

    @property
    def badge(self):
        return self.BADGE.get(self.state, "secondary")

    @property
    def is_frozen(self):
        return self.state in self.FROZEN

    @property
    def is_editable(self):
        return self.state in (self.State.DRAFT, self.State.ON_AGREEMENT, self.State.AGREED)


class FrozenRevisionError(ValidationError):
    pass


class LineQuerySet(models.QuerySet):
    def update(self, **kwargs):
        if self.filter(revision__state__in=Revision.FROZEN).exists():
            raise FrozenRevisionError(_("Утверждённую редакцию плана изменить нельзя."))
        return super().update(**kwargs)

    def delete(self):
        if self.filter(revision__state__in=Revision.FROZEN).exists():
            raise FrozenRevisionError(_("Утверждённую редакцию плана изменить нельзя."))
        return super().delete()


class Line(models.Model):
    """An event of the plan, with the official columns of a joint plan."""

    class Format(models.TextChoices):
        IN_PERSON = "in_person", _("очно")
        BLENDED = "blended", _("очно-заочно (смешанно)")
        REMOTE = "remote", _("дистанционно")

    class DateKind(models.TextChoices):
        DAY = "day", _("дата")
        PERIOD = "period", _("период")
        MONTH = "month", _("месяц")

    # The fields a comparison of revisions reports, in column order.
    CONTENT_FIELDS = [
        "direction",
        "title",
        "form",
        "format",
        "audience",
        "venue",
        "dates",
        "responsible",
        "schools",
        "expected_result",
        "resources",
        "needed_resources",
        "initiator",
    ]

    revision = models.ForeignKey(
        Revision, on_delete=models.CASCADE, related_name="lines", verbose_name=_("редакция")
    )
    # The same event across revisions keeps its key: comparisons match lines by it.
    key = models.UUIDField(default=uuid.uuid4, editable=False)
    position = models.PositiveIntegerField(_("порядок"), default=0)
    direction = models.CharField(
        _("направление"),
        max_length=300,
        help_text=_("Задача центра или фактор риска, на который направлено мероприятие."),
    )
    # The risk factor of the schools' profiles the event addresses (SPEC §6: «events can name
    # the risk factor they address»); the plan page lists the high risks no line names.
    risk_factor = models.ForeignKey(
        "monitoring.RiskFactor",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("фактор риска"),
    )
    title = models.CharField(_("мероприятие"), max_length=500)
    form = models.ForeignKey(
        EventForm, on_delete=models.PROTECT, related_name="+", verbose_name=_("форма")
    )
    format = models.CharField(_("формат"), max_length=16, choices=Format.choices)
    audience = models.CharField(_("целевая аудитория"), max_length=300)
    venue = models.ForeignKey(
        Organisation,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("место проведения"),
    )
    date_kind = models.CharField(
        _("срок"), max_length=8, choices=DateKind.choices, default=DateKind.MONTH
    )
    date_from = models.DateField(_("дата (начало)"))
    date_to = models.DateField(_("окончание периода"), null=True, blank=True)
    responsible = models.ManyToManyField(
        Person, related_name="plan_lines", blank=True, verbose_name=_("ответственные")
    )
    schools = models.ManyToManyField(
        Organisation,
        related_name="plan_lines",
        blank=True,
        verbose_name=_("школы-участники"),
    )
    expected_result = models.TextField(_("ожидаемый результат"), blank=True)
    resources = models.TextField(_("необходимые ресурсы"), blank=True)
    # What the event needs from the network's schools (their staff, materials, laboratories),
    # as the schools entered them (``schools.resources``).
    needed_resources = models.ManyToManyField(
        "schools.Resource",
        related_name="plan_lines",
        blank=True,
        verbose_name=_("ресурсы сети"),
    )
    initiator = models.ForeignKey(
        Organisation,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("инициатор"),
        help_text=_("Базовая школа (центр) или школа-участник, предложившая мероприятие."),
    )
    version = models.PositiveIntegerField(default=1, editable=False)

    objects = LineQuerySet.as_manager()

    class Meta:
        verbose_name = _("мероприятие плана")
        verbose_name_plural = _("мероприятия плана")
        ordering = ["revision", "date_from", "position", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["revision", "key"], name="line_key_unique"),
            models.CheckConstraint(
                condition=Q(date_to__isnull=True) | Q(date_to__gte=models.F("date_from")),
                name="line_period_valid",
            ),
        ]

    def __str__(self):
        return self.title

    def save(self, *args, **kwargs):
        self._refuse_if_frozen()
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        self._refuse_if_frozen()
        return super().delete(*args, **kwargs)

    def _refuse_if_frozen(self):
        state = Revision.objects.filter(pk=self.revision_id).values_list("state", flat=True).first()
        if state in Revision.FROZEN:
            raise FrozenRevisionError(_("Утверждённую редакцию плана изменить нельзя."))

    @property
    def dates_display(self):
        return dates_display(self.date_kind, self.date_from, self.date_to)


def dates_display(kind: str, date_from, date_to) -> str:
    """«15.10.2026», «07.09.2026 – 21.09.2026» or «октябрь 2026»: a line's or a proposal's dates."""
    from django.utils.formats import date_format

    if kind == Line.DateKind.MONTH:
        return date_format(date_from, "F Y").lower()
    if kind == Line.DateKind.PERIOD and date_to:
        return f"{date_from:%d.%m.%Y} – {date_to:%d.%m.%Y}"
    return f"{date_from:%d.%m.%Y}"


class Visa(models.Model):
    """A participant school's decision on a revision's content (лист согласования)."""

    class Decision(models.TextChoices):
        PENDING = "pending", _("Ожидается")
        AGREED = "agreed", _("Согласовано")
        AGREED_WITH_REMARKS = "agreed_remarks", _("Согласовано с замечаниями")
        OBJECTED = "objected", _("Отклонено")

    BADGE = {
        Decision.PENDING: "secondary",
        Decision.AGREED: "success",
        Decision.AGREED_WITH_REMARKS: "info",
        Decision.OBJECTED: "danger",
    }
    AGREEING = {Decision.AGREED, Decision.AGREED_WITH_REMARKS}

    revision = models.ForeignKey(
        Revision, on_delete=models.CASCADE, related_name="visas", verbose_name=_("редакция")
    )
    school = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="+", verbose_name=_("школа")
    )
    decision = models.CharField(
        _("решение"), max_length=16, choices=Decision.choices, default=Decision.PENDING
    )
    remarks = models.TextField(_("замечания"), blank=True)
    # What was agreed: the revision's content version at the moment of the decision.
    content_version = models.PositiveIntegerField(_("версия содержания"), null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name=_("решение записал"),
    )
    decided_by_person = models.ForeignKey(
        Person,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("решение принял"),
    )
    decided_at = models.DateTimeField(_("когда решено"), null=True, blank=True)

    class Meta:
        verbose_name = _("виза школы")
        verbose_name_plural = _("визы школ")
        ordering = ["school__short_name"]
        constraints = [
            models.UniqueConstraint(fields=["revision", "school"], name="visa_one_per_school"),
            models.CheckConstraint(
                condition=Q(decision__in=["pending", "agreed"]) | ~Q(remarks=""),
                name="visa_remarks_required",
            ),
        ]

    def __str__(self):
        return f"{self.school}: {self.get_decision_display()}"

    @property
    def badge(self):
        return self.BADGE.get(self.decision, "secondary")


class Transition(AppendOnlyModel):
    """Append-only record of every change of a revision's state, of every visa given or reset
    and of every line added, edited or deleted (the state stays: ``from_state == to_state``).
    Rows are never changed or deleted, nor is a revision or plan that has them
    (``schools.history``)."""

    ACTIONS = {
        "create": _("план создан"),
        "submit": _("отправлен на согласование"),
        "return": _("возвращён на доработку"),
        "visa": _("решение школы"),
        "visas_reset": _("изменён после виз: школы согласуют заново"),
        "agreed": _("согласован всеми школами"),
        "reagree": _("изменён после согласования"),
        "approve": _("утверждён"),
        "superseded": _("заменён новой редакцией"),
        "amend": _("начата новая редакция"),
        "close": _("закрыт"),
        "line_added": _("добавлено мероприятие"),
        "line_edited": _("изменено мероприятие"),
        "line_deleted": _("удалено мероприятие"),
    }

    revision = models.ForeignKey(
        Revision, on_delete=models.CASCADE, related_name="transitions", verbose_name=_("редакция")
    )
    action = models.CharField(_("действие"), max_length=32)
    from_state = models.CharField(_("из состояния"), max_length=16, choices=Revision.State.choices)
    to_state = models.CharField(_("в состояние"), max_length=16, choices=Revision.State.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name=_("кто"),
    )
    at = models.DateTimeField(auto_now_add=True)
    comment = models.TextField(_("комментарий"), blank=True)
    # The row's particulars: a line's change names the line and each field before → after
    # ({"line": key, "title": …, "fields": {name: [before, after]}}), a visa its school and
    # decision, a new revision where its lines came from.
    data = models.JSONField(_("подробности"), default=dict, blank=True)

    class Meta:
        verbose_name = _("переход плана")
        verbose_name_plural = _("история плана")
        ordering = ["at", "pk"]

    def __str__(self):
        return f"{self.revision_id}: {self.from_state} → {self.to_state}"

    @property
    def action_display(self):
        return self.ACTIONS.get(self.action, self.action)


class ProposalQuerySet(models.QuerySet):
    def visible_to(self, user):
        """The center's staff and the municipality see every proposal of their centers;
        a participant school sees its own proposals only."""
        access = get_access(user)
        if access.is_superuser:
            return self
        own = access.organisation_ids()
        q = Q(school_id__in=own)
        network = Center.objects.visible_to(user).filter(
            Q(hub_id__in=own)
            | Q(municipality_id__in=access.full_municipality_ids)
            | Q(municipality__region_id__in=access.observed_region_ids)
        )
        q |= Q(plan__center__in=network)
        return self.filter(q)


class Proposal(models.Model):
    """A participant school's suggestion of an event for the current draft of a plan."""

    class State(models.TextChoices):
        SUBMITTED = "submitted", _("Подано")
        ACCEPTED = "accepted", _("Принято")
        DECLINED = "declined", _("Отклонено")
        RETURNED = "returned", _("Возвращено на доработку")
        WITHDRAWN = "withdrawn", _("Отозвано школой")

    BADGE = {
        State.SUBMITTED: "warning",
        State.ACCEPTED: "success",
        State.DECLINED: "danger",
        State.RETURNED: "info",
        State.WITHDRAWN: "secondary",
    }

    plan = models.ForeignKey(
        Plan, on_delete=models.CASCADE, related_name="proposals", verbose_name=_("план")
    )
    school = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="+", verbose_name=_("школа")
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name=_("автор"),
    )
    state = models.CharField(
        _("состояние"),
        max_length=16,
        choices=State.choices,
        default=State.SUBMITTED,
        editable=False,
    )
    title = models.CharField(_("мероприятие"), max_length=500)
    direction = models.CharField(_("направление"), max_length=300)
    form = models.ForeignKey(
        EventForm, on_delete=models.PROTECT, related_name="+", verbose_name=_("форма")
    )
    format = models.CharField(_("формат"), max_length=16, choices=Line.Format.choices)
    audience = models.CharField(_("целевая аудитория"), max_length=300)
    venue = models.ForeignKey(
        Organisation,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("место проведения"),
    )
    date_kind = models.CharField(
        _("срок"), max_length=8, choices=Line.DateKind.choices, default=Line.DateKind.MONTH
    )
    date_from = models.DateField(_("дата (начало)"))
    date_to = models.DateField(_("окончание периода"), null=True, blank=True)
    expected_result = models.TextField(_("ожидаемый результат"), blank=True)
    resources = models.TextField(_("необходимые ресурсы"), blank=True)
    justification = models.TextField(_("обоснование"))
    decision_comment = models.TextField(_("комментарий центра"), blank=True)
    # What the center changed when accepting: {field: [proposed, accepted]}.
    changes = models.JSONField(_("изменения центра"), default=dict, blank=True)
    line = models.ForeignKey(
        Line,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("строка плана"),
    )
    created_at = models.DateTimeField(auto_now_add=True)
    decided_at = models.DateTimeField(_("когда решено"), null=True, blank=True)
    version = models.PositiveIntegerField(default=1, editable=False)

    objects = ProposalQuerySet.as_manager()

    class Meta:
        verbose_name = _("предложение мероприятия")
        verbose_name_plural = _("предложения мероприятий")
        ordering = ["-created_at"]

    def __str__(self):
        return self.title

    @property
    def badge(self):
        return self.BADGE.get(self.state, "secondary")

    @property
    def dates_display(self):
        return dates_display(self.date_kind, self.date_from, self.date_to)

    def changes_display(self) -> list[tuple[str, str, str]]:
        """What the center changed on accepting: (field's name, proposed, accepted)."""
        labels = {f.name: str(f.verbose_name) for f in self._meta.concrete_fields}
        return [(labels.get(name, name), *values) for name, values in self.changes.items()]


class ProposalEvent(AppendOnlyModel):
    """Append-only history of a proposal: never changed or deleted, nor is a proposal or plan
    that has it (``schools.history``)."""

    proposal = models.ForeignKey(
        Proposal, on_delete=models.CASCADE, related_name="events", verbose_name=_("предложение")
    )
    from_state = models.CharField(
        _("из состояния"), max_length=16, blank=True, choices=Proposal.State.choices
    )
    to_state = models.CharField(_("в состояние"), max_length=16, choices=Proposal.State.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name=_("кто"),
    )
    comment = models.TextField(_("комментарий"), blank=True)
    at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("событие предложения")
        verbose_name_plural = _("история предложений")
        ordering = ["at", "pk"]

    def __str__(self):
        return f"{self.proposal_id}: {self.to_state}"


# --- execution: what became of each event in the year ----------------------------------------


def evidence_path(instance, filename):
    """Evidence is stored under a generated name (the original, often Cyrillic, name is kept in
    ``EvidenceFile.original_name`` and given back on download): ``evidence/2026/<uuid>.pdf``,
    the extension of the detected type (``schools.filetypes``)."""
    extension = filename.rsplit(".", 1)[-1] if "." in filename else "bin"
    return f"evidence/{instance.uploaded_at:%Y}/{uuid.uuid4().hex}.{extension}"


class ExecutionQuerySet(models.QuerySet):
    def visible_to(self, user):
        """Who sees an event's execution, its report and evidence: the center's staff, the
        municipality and the region (as they see the plan), a participant school only for the
        events it takes part in — listed among the line's schools, its venue or its initiator —
        and a person for the events they are responsible for. Another school's report, with its
        participants' names and files, is not shown to a school that was not there."""
        access = get_access(user)
        if access.is_superuser:
            return self
        own = access.organisation_ids()
        centers = Center.objects.visible_to(user)
        network = centers.filter(
            Q(hub_id__in=own)
            | Q(municipality_id__in=access.full_municipality_ids)
            | Q(municipality__region_id__in=access.observed_region_ids)
        )
        # Each test a subquery on its own index (the lines of these schools, of this person):
        # as joins through the lines' schools and responsible people, one OR over them made
        # PostgreSQL read every line of every visible plan — 19 ms on a tenth of a region.
        involved = (
            Q(
                line_id__in=Line.schools.through.objects.filter(organisation_id__in=own).values(
                    "line_id"
                )
            )
            | Q(line__venue_id__in=own)
            | Q(line__initiator_id__in=own)
            # Whoever is responsible for an event reports it, whatever their school.
            | Q(
                line_id__in=Line.responsible.through.objects.filter(person__user_id=user.pk).values(
                    "line_id"
                )
            )
        )
        return self.filter(Q(plan__center__in=network) | (Q(plan__center__in=centers) & involved))


class Execution(models.Model):
    """What became of one event of an approved plan: planned → held (its report filed, then
    accepted or returned and filed again) / postponed (a new date and the reason; it can be held
    or postponed again) / cancelled (the reason). One per event of a plan (the line's ``key``):
    an amendment's approval points it at the same event's line in the new revision, so the
    execution of the lines that stay carries over; the approved content is never changed by it.
    Moved only by ``plans.services.execution`` along ``plans.workflow.EXECUTION``."""

    class State(models.TextChoices):
        PLANNED = "planned", _("Запланировано")
        POSTPONED = "postponed", _("Перенесено")
        REPORTED = "reported", _("Проведено: отчёт на проверке")
        RETURNED = "returned", _("Отчёт возвращён на доработку")
        ACCEPTED = "accepted", _("Проведено: отчёт принят")
        CANCELLED = "cancelled", _("Отменено")

    BADGE = {
        State.PLANNED: "secondary",
        State.POSTPONED: "warning",
        State.REPORTED: "info",
        State.RETURNED: "danger",
        State.ACCEPTED: "success",
        State.CANCELLED: "dark",
    }
    HELD = {State.REPORTED, State.RETURNED, State.ACCEPTED}
    # Still to happen: an event past its date in one of these has no report (overdue).
    OPEN = {State.PLANNED, State.POSTPONED}

    plan = models.ForeignKey(
        Plan, on_delete=models.CASCADE, related_name="executions", verbose_name=_("план")
    )
    key = models.UUIDField(editable=False)
    # A line with an execution is in a frozen revision and is never deleted on its own; when a
    # plan is deleted the execution's history refuses it (``schools.history``).
    line = models.OneToOneField(
        Line, on_delete=models.CASCADE, related_name="execution", verbose_name=_("мероприятие")
    )
    state = models.CharField(
        _("исполнение"),
        max_length=16,
        choices=State.choices,
        default=State.PLANNED,
        editable=False,
    )
    # When it is to happen: the line's dates, moved by a postponement.
    date_kind = models.CharField(_("срок"), max_length=8, choices=Line.DateKind.choices)
    date_from = models.DateField(_("дата (начало)"))
    date_to = models.DateField(_("окончание периода"), null=True, blank=True)
    reason = models.TextField(_("причина переноса или отмены"), blank=True)
    # The report of a held event.
    held_on = models.DateField(_("фактическая дата"), null=True, blank=True)
    outcome = models.TextField(_("итоги"), blank=True)
    materials = models.TextField(_("материалы"), blank=True)
    reported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("отчёт подал"),
    )
    reported_at = models.DateTimeField(_("отчёт подан"), null=True, blank=True)
    remarks = models.TextField(_("замечания руководителя центра"), blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("отчёт рассмотрел"),
    )
    decided_at = models.DateTimeField(_("отчёт рассмотрен"), null=True, blank=True)
    version = models.PositiveIntegerField(default=1, editable=False)

    objects = ExecutionQuerySet.as_manager()

    class Meta:
        verbose_name = _("исполнение мероприятия")
        verbose_name_plural = _("исполнение мероприятий")
        ordering = ["date_from", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["plan", "key"], name="execution_one_per_event"),
            models.CheckConstraint(
                condition=Q(date_to__isnull=True) | Q(date_to__gte=models.F("date_from")),
                name="execution_period_valid",
            ),
        ]
        indexes = [models.Index(fields=["state", "date_from"], name="execution_due")]

    def __str__(self):
        return self.line.title

    @property
    def badge(self):
        return self.BADGE.get(self.state, "secondary")

    @property
    def dates_display(self):
        return dates_display(self.date_kind, self.date_from, self.date_to)

    @property
    def ends_on(self):
        """The last day the event may take place: a month's last day, a period's end."""
        import calendar

        if self.date_kind == Line.DateKind.MONTH:
            last = calendar.monthrange(self.date_from.year, self.date_from.month)[1]
            return self.date_from.replace(day=last)
        return self.date_to or self.date_from

    @property
    def is_held(self):
        return self.state in self.HELD

    @property
    def is_moved(self):
        """Whether its dates differ from the line's (a postponement)."""
        line = self.line
        return (self.date_kind, self.date_from, self.date_to) != (
            line.date_kind,
            line.date_from,
            line.date_to,
        )


class ExecutionParticipation(models.Model):
    """How many came from one school to a held event, and optionally who."""

    execution = models.ForeignKey(
        Execution,
        on_delete=models.CASCADE,
        related_name="participations",
        verbose_name=_("мероприятие"),
    )
    school = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="+", verbose_name=_("школа")
    )
    count = models.PositiveIntegerField(_("участников"))
    persons = models.ManyToManyField(
        Person, blank=True, related_name="attended_events", verbose_name=_("участники поимённо")
    )

    class Meta:
        verbose_name = _("участие школы в мероприятии")
        verbose_name_plural = _("участие школ в мероприятиях")
        ordering = ["school__short_name"]
        constraints = [
            models.UniqueConstraint(
                fields=["execution", "school"], name="execution_participation_once"
            )
        ]

    def __str__(self):
        return f"{self.school}: {self.count}"


class EvidenceFile(models.Model):
    """A material or piece of evidence of a held event, stored through Django's storage API
    under a generated name; its type was judged by its content (``schools.filetypes``)."""

    execution = models.ForeignKey(
        Execution, on_delete=models.CASCADE, related_name="files", verbose_name=_("мероприятие")
    )
    file = models.FileField(_("файл"), upload_to=evidence_path, max_length=200)
    original_name = models.CharField(_("имя файла"), max_length=255)
    content_type = models.CharField(_("тип"), max_length=100)
    size = models.PositiveBigIntegerField(_("размер"))
    sha256 = models.CharField(max_length=64)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name=_("загрузил"),
    )
    uploaded_at = models.DateTimeField(_("загружен"))

    class Meta:
        verbose_name = _("файл отчёта")
        verbose_name_plural = _("файлы отчётов")
        ordering = ["uploaded_at", "pk"]

    def __str__(self):
        return self.original_name


class ExecutionEvent(AppendOnlyModel):
    """Append-only history of an event's execution: every transition and every change of its
    report (who, what, when, before → after in ``data``)."""

    ACTIONS = {
        "create": _("включено в утверждённый план"),
        "carry": _("перенесено в новую редакцию плана"),
        "report": _("отчёт подан"),
        "refile": _("отчёт исправлен и подан снова"),
        "accept": _("отчёт принят"),
        "return": _("отчёт возвращён на доработку"),
        "postpone": _("перенесено"),
        "cancel": _("отменено"),
        "file_added": _("добавлен файл"),
        "file_removed": _("удалён файл"),
    }

    execution = models.ForeignKey(
        Execution, on_delete=models.CASCADE, related_name="events", verbose_name=_("мероприятие")
    )
    action = models.CharField(_("действие"), max_length=32)
    from_state = models.CharField(
        _("из состояния"), max_length=16, blank=True, choices=Execution.State.choices
    )
    to_state = models.CharField(_("в состояние"), max_length=16, choices=Execution.State.choices)
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
        verbose_name = _("событие исполнения")
        verbose_name_plural = _("история исполнения")
        ordering = ["at", "pk"]

    def __str__(self):
        return f"{self.execution_id}: {self.action}"

    @property
    def action_display(self):
        return self.ACTIONS.get(self.action, self.action)


# --- calendar feeds and reminders ---------------------------------------------------------------


class CalendarFeedQuerySet(models.QuerySet):
    def active(self):
        return self.filter(revoked_at=None)


class CalendarFeed(models.Model):
    """A secret, revocable iCal address of the events of a school, a person or a center: its
    token is the only credential a calendar client sends, so it is long and random, and a
    revoked one answers 404."""

    class Scope(models.TextChoices):
        SCHOOL = "school", _("школа")
        PERSON = "person", _("сотрудник")
        CENTER = "center", _("центр")

    token = models.CharField(max_length=64, unique=True, editable=False)
    scope = models.CharField(_("чьи мероприятия"), max_length=8, choices=Scope.choices)
    school = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    person = models.ForeignKey(
        Person, on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    center = models.ForeignKey(
        Center, on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="calendar_feeds",
        verbose_name=_("владелец"),
    )
    created_at = models.DateTimeField(auto_now_add=True)
    revoked_at = models.DateTimeField(_("отозван"), null=True, blank=True)

    objects = CalendarFeedQuerySet.as_manager()

    class Meta:
        verbose_name = _("календарная подписка")
        verbose_name_plural = _("календарные подписки")
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(
                condition=(
                    Q(scope="school", school__isnull=False, person=None, center=None)
                    | Q(scope="person", person__isnull=False, school=None, center=None)
                    | Q(scope="center", center__isnull=False, school=None, person=None)
                ),
                name="calendar_feed_one_subject",
            )
        ]

    def __str__(self):
        return f"{self.get_scope_display()}: {self.subject}"

    @property
    def subject(self):
        return self.school or self.person or self.center


class Reminder(models.Model):
    """A reminder sent to one user about one thing at one moment of it (``subject``: «an event
    overdue since its date», «a visa due on a date», «a returned report»): the unique pair makes
    ``manage.py send_reminders`` idempotent — run twice, nobody is reminded twice."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    subject = models.CharField(max_length=120)
    sent_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("напоминание")
        verbose_name_plural = _("напоминания")
        constraints = [models.UniqueConstraint(fields=["user", "subject"], name="reminder_once")]

    def __str__(self):
        return self.subject
