"""Centers of network interaction, their participants and working groups."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from network_center.documents.models import LegalDocument
from schools.access import NETWORK_STAFF, Role, get_access, register_organisation_scope
from schools.models import Municipality, Organisation, Person


class CenterQuerySet(models.QuerySet):
    def visible_to(self, user):
        """Department, РМК and observers see the municipality's centers; the hub's staff and
        working-group members see their center; a participant school sees the centers it is in.

        Of constant shape: columns of the center compared with the user's ids and id subqueries
        (participations, the working group in force) — no join multiplies rows, so no
        ``DISTINCT`` is needed and the caller may ``select_related`` freely."""
        access = get_access(user)
        if access.is_superuser:
            return self
        if access.user_id is None:
            return self.none()
        own = access.organisation_ids()
        q = Q(hub_id__in=own) | Q(
            pk__in=Participation.objects.filter(school_id__in=own).values("center_id")
        )
        if access.full_municipality_ids:
            q |= Q(municipality_id__in=access.full_municipality_ids)
        if access.observed_region_ids:
            q |= Q(
                municipality_id__in=Municipality.objects.filter(
                    region_id__in=access.observed_region_ids
                ).values("pk")
            )
        # Members of the working group in force (a draft composition grants nothing yet).
        q |= Q(
            pk__in=Member.objects.filter(
                composition__status=Composition.Status.IN_FORCE, person__user_id=access.user_id
            ).values("composition__center_id")
        )
        return self.filter(q)


class Center(models.Model):
    """A center of network interaction at a hub school (SPEC §3)."""

    class Status(models.TextChoices):
        ACTIVE = "active", _("Действует")
        CLOSED = "closed", _("Закрыт")

    class Approver(models.TextChoices):
        DEPARTMENT = "department", _("Управление образования (приказом)")
        HUB_DIRECTOR = "hub_director", _("Директор базовой школы («УТВЕРЖДАЮ»)")

    STATUS_BADGE = {Status.ACTIVE: "success", Status.CLOSED: "secondary"}

    municipality = models.ForeignKey(
        Municipality,
        on_delete=models.PROTECT,
        related_name="centers",
        verbose_name=_("муниципальное образование"),
    )
    name = models.CharField(_("наименование"), max_length=500)
    short_name = models.CharField(_("краткое наименование"), max_length=200)
    name_genitive = models.CharField(
        _("наименование в родительном падеже"),
        max_length=500,
        blank=True,
        help_text=_("Для документов: «муниципального центра сетевого взаимодействия …»."),
    )
    hub = models.ForeignKey(
        Organisation,
        on_delete=models.PROTECT,
        related_name="hosted_centers",
        limit_choices_to={"kind": Organisation.Kind.SCHOOL},
        verbose_name=_("базовая школа"),
    )
    head = models.ForeignKey(
        Person,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="headed_centers",
        verbose_name=_("руководитель центра"),
    )
    creating_act = models.ForeignKey(
        LegalDocument,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="centers_created",
        verbose_name=_("акт о создании"),
    )
    regulation = models.ForeignKey(
        LegalDocument,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="centers_regulated",
        verbose_name=_("положение о центре"),
    )
    status = models.CharField(
        _("статус"), max_length=16, choices=Status.choices, default=Status.ACTIVE, editable=False
    )
    closed_by = models.ForeignKey(
        LegalDocument,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        editable=False,
        verbose_name=_("закрыт на основании"),
    )
    plan_approver = models.CharField(
        _("кто утверждает план"),
        max_length=16,
        choices=Approver.choices,
        default=Approver.DEPARTMENT,
    )
    created_at = models.DateTimeField(auto_now_add=True)

    objects = CenterQuerySet.as_manager()
    # Every change (the department's edits, closing) with who and when, before → after.
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("центр сетевого взаимодействия")
        verbose_name_plural = _("центры сетевого взаимодействия")
        ordering = ["municipality__name", "short_name"]
        constraints = [
            models.UniqueConstraint(
                fields=["municipality", "short_name"], name="center_unique_short_name"
            )
        ]

    def __str__(self):
        return self.short_name

    def clean(self):
        if (
            self.hub_id
            and self.municipality_id
            and self.hub.municipality_id != self.municipality_id
        ):
            raise ValidationError({"hub": _("Базовая школа должна быть этого муниципалитета.")})
        if self.hub_id and self.hub.kind != Organisation.Kind.SCHOOL:
            raise ValidationError({"hub": _("Базовой может быть только школа.")})

    @property
    def status_badge(self):
        return self.STATUS_BADGE.get(self.status, "secondary")

    def short_name_genitive(self):
        return self.name_genitive or f"центра «{self.short_name}»"


class Participation(models.Model):
    """A school's participation in a center, with its category and cooperation agreement."""

    class Category(models.TextChoices):
        SHNOR = "shnor", _("ШНОР")
        SHNSU = "shnsu", _("ШНСУ")
        BOTH = "both", _("ШНОР и ШНСУ")
        OTHER = "other", _("Другое")

    center = models.ForeignKey(
        Center, on_delete=models.CASCADE, related_name="participations", verbose_name=_("центр")
    )
    school = models.ForeignKey(
        Organisation,
        on_delete=models.PROTECT,
        related_name="center_participations",
        limit_choices_to={"kind": Organisation.Kind.SCHOOL},
        verbose_name=_("школа"),
    )
    category = models.CharField(_("категория"), max_length=16, choices=Category.choices)
    since = models.DateField(_("участвует с"))
    until = models.DateField(_("участвует по"), null=True, blank=True)
    agreement = models.ForeignKey(
        LegalDocument,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="agreement_of",
        verbose_name=_("соглашение о сотрудничестве"),
    )
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("участник центра")
        verbose_name_plural = _("участники центра")
        ordering = ["school__short_name"]
        constraints = [
            models.UniqueConstraint(fields=["center", "school"], name="participation_unique"),
            models.CheckConstraint(
                condition=Q(until__isnull=True) | Q(until__gte=models.F("since")),
                name="participation_period_valid",
            ),
        ]

    def __str__(self):
        return _("%(school)s в %(center)s") % {"school": self.school, "center": self.center}

    def is_current(self, on) -> bool:
        """Whether the school still takes part on ``on`` (``plans.services.active_participations``
        asks the database the same)."""
        return self.until is None or self.until >= on

    def clean(self):
        if self.until and self.since and self.until < self.since:
            raise ValidationError({"until": _("Дата окончания раньше даты начала.")})
        if self.school_id and self.center_id:
            if self.school.municipality_id != self.center.municipality_id:
                raise ValidationError({"school": _("Школа другого муниципалитета.")})
            if self.school_id == self.center.hub_id:
                raise ValidationError({"school": _("Базовая школа не может быть участником.")})


class CompositionQuerySet(models.QuerySet):
    def in_force(self):
        return self.filter(status=Composition.Status.IN_FORCE)


class Composition(models.Model):
    """A version of a working group's composition. The hub director edits a draft; it takes
    effect when the hub's order approving it is signed, and the previous one is superseded."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("Проект")
        IN_FORCE = "in_force", _("Действует")
        SUPERSEDED = "superseded", _("Утратил силу")

    STATUS_BADGE = {
        Status.DRAFT: "secondary",
        Status.IN_FORCE: "success",
        Status.SUPERSEDED: "light",
    }

    center = models.ForeignKey(
        Center, on_delete=models.CASCADE, related_name="compositions", verbose_name=_("центр")
    )
    version = models.PositiveIntegerField(_("версия"))
    status = models.CharField(
        _("статус"), max_length=16, choices=Status.choices, default=Status.DRAFT, editable=False
    )
    order = models.OneToOneField(
        LegalDocument,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="composition",
        verbose_name=_("приказ об утверждении состава"),
    )
    effective_from = models.DateField(_("действует с"), null=True, blank=True, editable=False)
    effective_until = models.DateField(_("действовал по"), null=True, blank=True, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name=_("создал"),
    )
    created_at = models.DateTimeField(auto_now_add=True)

    objects = CompositionQuerySet.as_manager()
    # Started, put in force by the signed order, superseded: with who and when.
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("состав рабочей группы")
        verbose_name_plural = _("составы рабочих групп")
        ordering = ["center", "-version"]
        constraints = [
            models.UniqueConstraint(fields=["center", "version"], name="composition_version"),
            # At most one composition in force and one draft per center.
            models.UniqueConstraint(
                fields=["center"], condition=Q(status="in_force"), name="composition_one_in_force"
            ),
            models.UniqueConstraint(
                fields=["center"], condition=Q(status="draft"), name="composition_one_draft"
            ),
        ]

    def __str__(self):
        return _("%(center)s: состав, версия %(version)s") % {
            "center": self.center,
            "version": self.version,
        }

    @property
    def status_badge(self):
        return self.STATUS_BADGE.get(self.status, "secondary")


class Member(models.Model):
    """A person in a composition of a working group, with a role and area of responsibility."""

    class Role(models.TextChoices):
        HEAD = "head", _("Руководитель")
        DEPUTY = "deputy", _("Заместитель руководителя")
        SECRETARY = "secretary", _("Секретарь")
        MEMBER = "member", _("Член рабочей группы")

    ROLE_ORDER = {Role.HEAD: 0, Role.DEPUTY: 1, Role.SECRETARY: 2, Role.MEMBER: 3}

    composition = models.ForeignKey(
        Composition, on_delete=models.CASCADE, related_name="members", verbose_name=_("состав")
    )
    person = models.ForeignKey(
        Person,
        on_delete=models.PROTECT,
        related_name="memberships_in_groups",
        verbose_name=_("сотрудник"),
    )
    role = models.CharField(_("роль"), max_length=16, choices=Role.choices, default=Role.MEMBER)
    responsibility = models.CharField(_("направление работы"), max_length=300, blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("член рабочей группы")
        verbose_name_plural = _("члены рабочей группы")
        constraints = [
            models.UniqueConstraint(fields=["composition", "person"], name="member_unique_person"),
            models.UniqueConstraint(
                fields=["composition"], condition=Q(role="head"), name="member_one_head"
            ),
        ]

    def __str__(self):
        return f"{self.person} — {self.get_role_display()}"

    def save(self, *args, **kwargs):
        self._refuse_if_frozen()
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        self._refuse_if_frozen()
        return super().delete(*args, **kwargs)

    def _refuse_if_frozen(self):
        status = (
            Composition.objects.filter(pk=self.composition_id)
            .values_list("status", flat=True)
            .first()
        )
        if status and status != Composition.Status.DRAFT:
            raise ValidationError(_("Утверждённый состав изменить нельзя: создайте новый."))


def is_hub_director(user, center) -> bool:
    access = get_access(user)
    return access.is_superuser or center.hub_id in access.organisation_ids(Role.HUB_DIRECTOR)


@register_organisation_scope
def network_schools(access):
    """The hub's staff and working-group members see the schools of their network: the
    participants of the centers their organisation hosts, and the hubs of the centers it joins."""
    network_orgs = access.organisation_ids(*NETWORK_STAFF)
    if not network_orgs:
        return []
    return [
        Participation.objects.filter(center__hub_id__in=network_orgs).values("school_id"),
        Participation.objects.filter(school_id__in=network_orgs).values("center__hub_id"),
    ]
