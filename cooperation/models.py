"""Mentoring pairs and interaction groups of a center's network.

A **mentoring pair** (наставничество) is the regulation's «адресная помощь педагогам с устойчиво
низкими результатами»: a mentor teacher (usually of the hub) works with a mentee teacher of a
participant school on one subject for a period, with goals set at the start and results written
at the end. Its state (active → completed / stopped early) moves only through
``cooperation.services``, each move an append-only ``PairEvent``; the meetings of the pair are an
append-only log.

An **interaction group** (группа взаимодействия, the Kupino model) is a named group of persons
from several schools of the network formed for one or more plan lines, with one of its members
as coordinator.

Who sees what is decided here, by ``visible_to(user)`` of each queryset (out of scope → 404);
what a user may do, by ``cooperation.rules``.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from network_center.centers.models import Center, Composition, Member
from plans.models import Line
from schools.access import NETWORK_STAFF, Role, get_access
from schools.history import AppendOnlyModel
from schools.models import Person


def whole_center_ids(access):
    """The centers whose every pair and group the user sees, as an id subquery: the center's
    staff (the hub's director, center head and working-group members by role), the center head
    named on the center's card, the working-group members of the composition in force who hold
    the role «член рабочей группы», the department and the РМК of its municipality, the regional
    observer of its region.

    A participant school's coordinator is not among them even when listed in the working group:
    mentoring names teachers with persistently low results (152-ФЗ: no more personal data than
    the task needs), so a school reads only the pairs of its own teachers."""
    q = Q(head__user_id=access.user_id)
    staff = access.organisation_ids(*NETWORK_STAFF)
    if staff:
        q |= Q(hub_id__in=staff)
    if access.full_municipality_ids:
        q |= Q(municipality_id__in=access.full_municipality_ids)
    if access.observed_region_ids:
        q |= Q(municipality__region_id__in=access.observed_region_ids)
    if access.has_role(Role.WG_MEMBER):
        q |= Q(
            pk__in=Member.objects.filter(
                composition__status=Composition.Status.IN_FORCE, person__user_id=access.user_id
            ).values("composition__center_id")
        )
    return Center.objects.filter(q).values("pk")


def own_people_ids(access):
    """The persons whose pairs and groups the user sees besides whole centers: the user's own
    card, and the staff of the schools the user coordinates (an id subquery)."""
    q = Q(user_id=access.user_id)
    coordinated = access.organisation_ids(Role.COORDINATOR)
    if coordinated:
        q |= Q(organisation_id__in=coordinated)
    return Person.objects.filter(q).values("pk")


class PairQuerySet(models.QuerySet):
    def visible_to(self, user):
        """Whole centers (``whole_center_ids``); otherwise the pairs whose mentor or mentee is
        the user or of a school the user coordinates.

        Of constant shape: the pair's own columns compared with id subqueries — no join
        multiplies rows, so no ``DISTINCT`` and the caller may ``select_related`` freely."""
        access = get_access(user)
        if access.is_superuser:
            return self
        if access.user_id is None:
            return self.none()
        people = own_people_ids(access)
        return self.filter(
            Q(center_id__in=whole_center_ids(access))
            | Q(mentor_id__in=people)
            | Q(mentee_id__in=people)
        )


class MentoringPair(models.Model):
    """A mentor teacher and a mentee teacher of a center's network, for one subject and period."""

    class State(models.TextChoices):
        ACTIVE = "active", _("Действует")
        COMPLETED = "completed", _("Завершено")
        STOPPED = "stopped", _("Прекращено досрочно")

    BADGE = {State.ACTIVE: "primary", State.COMPLETED: "success", State.STOPPED: "secondary"}

    center = models.ForeignKey(
        Center, on_delete=models.PROTECT, related_name="mentoring_pairs", verbose_name=_("центр")
    )
    mentor = models.ForeignKey(
        Person,
        on_delete=models.PROTECT,
        related_name="mentoring_as_mentor",
        verbose_name=_("наставник"),
    )
    mentee = models.ForeignKey(
        Person,
        on_delete=models.PROTECT,
        related_name="mentoring_as_mentee",
        verbose_name=_("наставляемый педагог"),
    )
    subject = models.CharField(_("предмет"), max_length=200)
    date_from = models.DateField(_("начало"))
    date_to = models.DateField(_("окончание"))
    goals = models.TextField(_("цели"))
    results = models.TextField(_("результаты"), blank=True, editable=False)
    state = models.CharField(
        _("состояние"), max_length=16, choices=State.choices, default=State.ACTIVE, editable=False
    )
    stop_reason = models.TextField(_("причина прекращения"), blank=True, editable=False)
    finished_at = models.DateTimeField(_("завершено"), null=True, blank=True, editable=False)
    # The plan line the pair comes from: a line of an approved revision of the center's plans
    # (services.mentoring checks it). PROTECT: such lines are frozen and never deleted anyway.
    # Lines with pairs are in approved revisions, which are never deleted on their own; a
    # plan's deletion is refused by its history (``schools.history``), not by this link.
    line = models.ForeignKey(
        Line,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="mentoring_pairs",
        verbose_name=_("мероприятие плана"),
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name=_("создал"),
    )
    created_at = models.DateTimeField(auto_now_add=True)

    objects = PairQuerySet.as_manager()

    class Meta:
        verbose_name = _("пара наставничества")
        verbose_name_plural = _("пары наставничества")
        ordering = ["-date_from", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(date_to__gte=models.F("date_from")),
                name="pair_period_valid",
                violation_error_message=_("Окончание раньше начала."),
            ),
            models.CheckConstraint(
                condition=~Q(mentor=models.F("mentee")),
                name="pair_mentor_is_not_mentee",
                violation_error_message=_("Наставник и наставляемый — разные люди."),
            ),
            # The results are the point of a completed pair, the reason of a stopped one: the
            # pair's page and the effectiveness report read them.
            models.CheckConstraint(
                condition=~Q(state="completed") | ~Q(results=""),
                name="pair_completed_has_results",
            ),
            models.CheckConstraint(
                condition=~Q(state="stopped") | ~Q(stop_reason=""),
                name="pair_stopped_has_reason",
            ),
            # The same pair twice at once is a double submission, not two pairs.
            models.UniqueConstraint(
                fields=["center", "mentor", "mentee", "subject"],
                condition=Q(state="active"),
                name="pair_one_active",
            ),
        ]

    def __str__(self):
        return _("%(mentor)s → %(mentee)s (%(subject)s)") % {
            "mentor": self.mentor.name_initials,
            "mentee": self.mentee.name_initials,
            "subject": self.subject,
        }

    @property
    def badge(self):
        return self.BADGE.get(self.state, "secondary")

    @property
    def is_active(self):
        return self.state == self.State.ACTIVE


class Meeting(AppendOnlyModel):
    """A meeting of a pair, as recorded: never changed or deleted (the log is what the center
    reports on the support given; a correction is a new entry)."""

    class Format(models.TextChoices):
        IN_PERSON = "in_person", _("очно")
        REMOTE = "remote", _("дистанционно")

    pair = models.ForeignKey(
        MentoringPair, on_delete=models.CASCADE, related_name="meetings", verbose_name=_("пара")
    )
    date = models.DateField(_("дата"))
    format = models.CharField(_("формат"), max_length=16, choices=Format.choices)
    topic = models.CharField(_("тема"), max_length=300)
    notes = models.TextField(_("заметки"), blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name=_("записал"),
    )
    recorded_at = models.DateTimeField(_("записано"), auto_now_add=True)

    class Meta:
        verbose_name = _("встреча наставника")
        verbose_name_plural = _("встречи наставников")
        ordering = ["date", "pk"]

    def __str__(self):
        return f"{self.date:%d.%m.%Y}: {self.topic}"


class PairEvent(AppendOnlyModel):
    """Append-only history of a pair: created, edited (fields before → after), completed,
    stopped. Never changed or deleted, nor is a pair that has it (``schools.history``)."""

    ACTIONS = {
        "created": _("пара создана"),
        "edited": _("изменены сведения"),
        "complete": _("наставничество завершено"),
        "stop": _("наставничество прекращено досрочно"),
    }

    pair = models.ForeignKey(
        MentoringPair, on_delete=models.CASCADE, related_name="events", verbose_name=_("пара")
    )
    action = models.CharField(_("действие"), max_length=32)
    from_state = models.CharField(
        _("из состояния"), max_length=16, blank=True, choices=MentoringPair.State.choices
    )
    to_state = models.CharField(
        _("в состояние"), max_length=16, choices=MentoringPair.State.choices
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
    # {"fields": {name: [before, after]}} for an edit; the fields as created for a creation.
    data = models.JSONField(_("подробности"), default=dict, blank=True)

    class Meta:
        verbose_name = _("событие пары наставничества")
        verbose_name_plural = _("история пар наставничества")
        ordering = ["at", "pk"]

    def __str__(self):
        return f"{self.pair_id}: {self.action}"

    @property
    def action_display(self):
        return self.ACTIONS.get(self.action, self.action)

    def changes_display(self) -> list[tuple[str, str, str]]:
        """What an edit changed: (field's name, before, after)."""
        return _changes(MentoringPair, self.data) if self.action == "edited" else []


def _changes(model, data) -> list[tuple[str, str, str]]:
    fields = [*model._meta.concrete_fields, *model._meta.many_to_many]
    labels = {f.name: str(f.verbose_name) for f in fields}
    return [
        (labels.get(name, name), before, after)
        for name, (before, after) in (data.get("fields") or {}).items()
    ]


class GroupQuerySet(models.QuerySet):
    def visible_to(self, user):
        """Whole centers (``whole_center_ids``); otherwise the groups that count among their
        members the user or the staff of a school the user coordinates. Of constant shape, as
        ``PairQuerySet.visible_to``."""
        access = get_access(user)
        if access.is_superuser:
            return self
        if access.user_id is None:
            return self.none()
        members = GroupMember.objects.filter(person_id__in=own_people_ids(access))
        return self.filter(
            Q(center_id__in=whole_center_ids(access)) | Q(pk__in=members.values("group_id"))
        )


class InteractionGroup(models.Model):
    """A group of persons from several schools formed for plan activities (Kupino's Положение:
    «формирование групп взаимодействия для реализации мероприятий плана»)."""

    center = models.ForeignKey(
        Center,
        on_delete=models.PROTECT,
        related_name="interaction_groups",
        verbose_name=_("центр"),
    )
    name = models.CharField(_("наименование"), max_length=300)
    purpose = models.TextField(_("цель и содержание работы"))
    # Lines of approved revisions of the center's plans (services.groups checks it). May be
    # empty: a group can be formed while the plan it will serve is not approved yet.
    lines = models.ManyToManyField(
        Line, related_name="interaction_groups", blank=True, verbose_name=_("мероприятия плана")
    )
    coordinator = models.ForeignKey(
        Person,
        on_delete=models.PROTECT,
        related_name="coordinated_interaction_groups",
        verbose_name=_("координатор"),
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name=_("создал"),
    )
    created_at = models.DateTimeField(auto_now_add=True)

    objects = GroupQuerySet.as_manager()

    class Meta:
        verbose_name = _("группа взаимодействия")
        verbose_name_plural = _("группы взаимодействия")
        ordering = ["name", "pk"]
        constraints = [models.UniqueConstraint(fields=["center", "name"], name="group_unique_name")]

    def __str__(self):
        return self.name


class GroupMember(models.Model):
    """A person in an interaction group, with an optional role in it. The coordinator is always
    one of the members (``services.groups``)."""

    group = models.ForeignKey(
        InteractionGroup,
        on_delete=models.CASCADE,
        related_name="members",
        verbose_name=_("группа"),
    )
    person = models.ForeignKey(
        Person,
        on_delete=models.PROTECT,
        related_name="interaction_group_memberships",
        verbose_name=_("сотрудник"),
    )
    role = models.CharField(_("роль в группе"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("участник группы взаимодействия")
        verbose_name_plural = _("участники групп взаимодействия")
        ordering = ["person__last_name", "person__first_name", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["group", "person"], name="group_member_unique")
        ]

    def __str__(self):
        return f"{self.person} ({self.group})"


class GroupEvent(AppendOnlyModel):
    """Append-only history of a group: created, edited (before → after), members added, their
    roles changed, members removed."""

    ACTIONS = {
        "created": _("группа создана"),
        "edited": _("изменены сведения"),
        "member_added": _("включён участник"),
        "member_changed": _("изменена роль участника"),
        "member_removed": _("исключён участник"),
    }

    group = models.ForeignKey(
        InteractionGroup,
        on_delete=models.CASCADE,
        related_name="events",
        verbose_name=_("группа"),
    )
    action = models.CharField(_("действие"), max_length=32)
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
        verbose_name = _("событие группы взаимодействия")
        verbose_name_plural = _("история групп взаимодействия")
        ordering = ["at", "pk"]

    def __str__(self):
        return f"{self.group_id}: {self.action}"

    @property
    def action_display(self):
        return self.ACTIONS.get(self.action, self.action)

    def changes_display(self) -> list[tuple[str, str, str]]:
        """What an edit changed: (field's name, before, after)."""
        return _changes(InteractionGroup, self.data) if self.action == "edited" else []
