"""The practice bank: events, materials and resources the department recommends for
dissemination (Kupino's постановление № 466: the department «анализирует эффективность сети и
принимает решение о распространении успешного опыта»).

A ``Practice`` names exactly one thing recommended — a held event whose report was accepted
(``plans.Execution``), a material of such an event (``plans.EvidenceFile``) or a resource a
school offers to the network (``schools.Resource``) — with the department's reason. Its state
moves recommended → withdrawn (with a reason) only through ``practices.services``, each move an
append-only ``PracticeEvent``. Marking the same thing again after a withdrawal makes a new
practice: at most one recommendation of a thing is active at a time (constraints below).

Who sees what is ``Practice.objects.visible_to`` (out of scope → 404); who may mark and
withdraw is ``practices.rules``.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from plans.models import EvidenceFile, Execution
from schools.access import get_access
from schools.history import AppendOnlyModel
from schools.models import Municipality, Organisation
from schools.resources import Resource


class PracticeQuerySet(models.QuerySet):
    def visible_to(self, user):
        """Everyone holding a role in a municipality — its department and РМК, the centers'
        staff, every school's coordinator or director — sees the practice recommended in it:
        spreading it among the municipality's schools is the point of the bank. The regional
        observer sees the practice of every municipality of its region, the administrator all;
        nobody sees another municipality's (Kupino's bank shows nothing of Dmitriev).

        Seeing a practice is not seeing what it names: the event's page, a material's file and
        a resource's page keep their own visibility (``Execution.visible_to``,
        ``Resource.visible_to``), and the pages link to them only where they open.

        Of constant shape: the practice's municipality compared with ids (the region's as a
        subquery), no join."""
        access = get_access(user)
        if access.is_superuser:
            return self
        if access.user_id is None:
            return self.none()
        q = Q(municipality_id__in=access.municipality_ids())
        if access.observed_region_ids:
            q |= Q(
                municipality_id__in=Municipality.objects.filter(
                    region_id__in=access.observed_region_ids
                ).values("pk")
            )
        return self.filter(q)

    def recommended(self):
        return self.filter(state=Practice.State.RECOMMENDED)


class Practice(models.Model):
    """One recommendation of the department: what is recommended, why, by whom and when, and
    whether it still stands."""

    class Kind(models.TextChoices):
        EVENT = "event", _("Мероприятие")
        MATERIAL = "material", _("Материал мероприятия")
        RESOURCE = "resource", _("Ресурс школы")

    class State(models.TextChoices):
        RECOMMENDED = "recommended", _("Рекомендовано к распространению")
        WITHDRAWN = "withdrawn", _("Рекомендация снята")

    BADGE = {State.RECOMMENDED: "success", State.WITHDRAWN: "secondary"}
    KIND_BADGE = {Kind.EVENT: "primary", Kind.MATERIAL: "info", Kind.RESOURCE: "dark"}
    # The order of the bank's groups.
    KIND_ORDER = (Kind.EVENT, Kind.MATERIAL, Kind.RESOURCE)

    kind = models.CharField(_("что рекомендовано"), max_length=16, choices=Kind.choices)
    # Exactly one of the three, by ``kind`` (constraint ``practice_one_target``). An accepted
    # report never changes again and its event is never deleted (``plans.workflow``:
    # ``accepted`` is final, its files closed), hence PROTECT. A school may delete its resource
    # whatever the department thought of it: the practice stays with the title it had.
    execution = models.ForeignKey(
        Execution,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="practices",
        verbose_name=_("мероприятие"),
    )
    evidence = models.ForeignKey(
        EvidenceFile,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="practices",
        verbose_name=_("материал"),
    )
    resource = models.ForeignKey(
        Resource,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="practices",
        verbose_name=_("ресурс"),
    )
    # Derived from what is recommended when it is marked (the plan's center, the resource's
    # school) and stored, so that the bank is scoped by one column.
    municipality = models.ForeignKey(
        Municipality,
        on_delete=models.PROTECT,
        related_name="practices",
        verbose_name=_("муниципальное образование"),
    )
    # Whose practice it is: the event's venue school (the hub when it was held elsewhere or
    # online), the resource's school. The bank names it; it is told of the recommendation.
    school = models.ForeignKey(
        Organisation,
        on_delete=models.PROTECT,
        related_name="practices",
        verbose_name=_("школа"),
    )
    # What it was called when marked: the event's title, the file's name, the resource's
    # title — the bank's search reads it, and it outlives a deleted resource.
    title = models.CharField(_("название"), max_length=500)
    reason = models.TextField(_("почему рекомендовано"))
    state = models.CharField(
        _("состояние"),
        max_length=16,
        choices=State.choices,
        default=State.RECOMMENDED,
        editable=False,
    )
    marked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        editable=False,
        verbose_name=_("рекомендовал"),
    )
    marked_at = models.DateTimeField(_("рекомендовано"), editable=False)
    withdrawn_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        editable=False,
        verbose_name=_("снял рекомендацию"),
    )
    withdrawn_at = models.DateTimeField(_("рекомендация снята"), null=True, blank=True)
    withdraw_reason = models.TextField(_("причина снятия"), blank=True, editable=False)

    objects = PracticeQuerySet.as_manager()

    class Meta:
        verbose_name = _("успешная практика")
        verbose_name_plural = _("банк практик")
        ordering = ["-marked_at", "-pk"]
        indexes = [
            # The bank: a municipality's (or a region's) recommended practice, by kind.
            models.Index(fields=["municipality", "state", "kind"], name="practice_bank"),
        ]
        constraints = [
            # What is recommended is one thing, and the one ``kind`` says; a resource practice
            # may outlive its resource (SET_NULL above).
            models.CheckConstraint(
                condition=(
                    Q(kind="event")
                    & Q(execution__isnull=False, evidence__isnull=True, resource__isnull=True)
                )
                | (
                    Q(kind="material")
                    & Q(execution__isnull=True, evidence__isnull=False, resource__isnull=True)
                )
                | (Q(kind="resource") & Q(execution__isnull=True, evidence__isnull=True)),
                name="practice_one_target",
            ),
            models.CheckConstraint(condition=~Q(reason=""), name="practice_reason_required"),
            # A withdrawn recommendation says why; a standing one has no such reason.
            models.CheckConstraint(
                condition=(Q(state="withdrawn") & ~Q(withdraw_reason=""))
                | (Q(state="recommended") & Q(withdraw_reason="")),
                name="practice_withdrawn_has_reason",
            ),
            # One active recommendation per thing: the services check it under a lock on the
            # thing; these make a race lose with an IntegrityError, not a second row.
            models.UniqueConstraint(
                fields=["execution"],
                condition=Q(state="recommended"),
                name="practice_one_active_event",
            ),
            models.UniqueConstraint(
                fields=["evidence"],
                condition=Q(state="recommended"),
                name="practice_one_active_material",
            ),
            models.UniqueConstraint(
                fields=["resource"],
                condition=Q(state="recommended"),
                name="practice_one_active_resource",
            ),
        ]

    def __str__(self):
        return f"{self.get_kind_display()}: {self.title}"

    @property
    def badge(self):
        return self.BADGE.get(self.state, "secondary")

    @property
    def kind_badge(self):
        return self.KIND_BADGE.get(self.kind, "secondary")

    @property
    def is_recommended(self):
        return self.state == self.State.RECOMMENDED

    @property
    def event(self):
        """The event the practice is or comes from (a material's event), or None."""
        if self.kind == self.Kind.EVENT:
            return self.execution
        if self.kind == self.Kind.MATERIAL and self.evidence is not None:
            return self.evidence.execution
        return None

    @property
    def event_id(self):
        if self.kind == self.Kind.EVENT:
            return self.execution_id
        if self.kind == self.Kind.MATERIAL and self.evidence_id:
            return self.evidence.execution_id
        return None


class PracticeEvent(AppendOnlyModel):
    """Append-only history of a practice: marked, withdrawn — who, when, before → after and
    the reason given."""

    class Action(models.TextChoices):
        MARKED = "marked", _("рекомендовано к распространению")
        WITHDRAWN = "withdrawn", _("рекомендация снята")

    practice = models.ForeignKey(
        Practice, on_delete=models.CASCADE, related_name="events", verbose_name=_("практика")
    )
    action = models.CharField(_("действие"), max_length=16, choices=Action.choices)
    from_state = models.CharField(
        _("из состояния"), max_length=16, blank=True, choices=Practice.State.choices
    )
    to_state = models.CharField(_("в состояние"), max_length=16, choices=Practice.State.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name=_("кто"),
    )
    at = models.DateTimeField(_("когда"), auto_now_add=True)
    reason = models.TextField(_("обоснование"))

    class Meta:
        verbose_name = _("событие практики")
        verbose_name_plural = _("история банка практик")
        ordering = ["at", "pk"]

    def __str__(self):
        return f"{self.practice_id}: {self.get_action_display()}"
