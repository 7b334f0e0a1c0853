"""The resources a school offers to the network (SPEC §3 «Resources», the Kupino model).

The Kupino resolution (постановление № 466 от 22.06.2021) makes «анализ кадровых, методических
и материально-технических ресурсов» of the network's schools the first step of regulating the
network: a center plans an event where the teacher, the programme or the laboratory it needs is.
So each school enters what it offers — teachers available as mentors or trainers, programmes and
practices, laboratories and equipment — and everyone of its municipality finds it by kind,
subject, school or by words (``schools.resource_search``).

Who enters and edits is decided in ``schools.rules`` (the school itself; the department may
correct); what changes goes through ``schools.resource_services``, which writes a
``ResourceEvent`` for every change.
"""

from django.conf import settings
from django.core.exceptions import FieldDoesNotExist
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from .history import AppendOnlyModel
from .models import Organisation, Person


class Subject(models.Model):
    """A school subject (учебный предмет): an editable reference list, seeded by a migration.
    A table, not a list of choices, so that the department's administrator can add a subject
    («Основы религиозных культур», a regional language) without a release."""

    name = models.CharField(_("наименование"), max_length=100, unique=True)
    position = models.PositiveSmallIntegerField(_("порядок"), default=0)

    class Meta:
        verbose_name = _("учебный предмет")
        verbose_name_plural = _("учебные предметы")
        ordering = ["position", "name"]

    def __str__(self):
        return self.name


def resource_scope_q(user, prefix: str = "") -> Q:
    """Filter for the organisations whose resources ``user`` sees; ``prefix`` points at the
    organisation from another model (``"school__"``).

    Resources are offered to the network, so they are seen more widely than a school's card:
    everyone holding a role in a municipality — a participant school's coordinator included,
    who sees no other school's card — sees the resources of every school of that municipality;
    the regional observer those of the region; the administrator all. Nobody sees another
    municipality's, so a Kupino resource answers 404 in Dmitriev."""
    from .access import get_access

    access = get_access(user)
    if access.is_superuser:
        return Q()
    if access.user_id is None:
        return Q(pk__in=[])
    q = Q(**{f"{prefix}municipality_id__in": access.municipality_ids()})
    if access.observed_region_ids:
        q |= Q(**{f"{prefix}region_id__in": access.observed_region_ids})
    return q


class ResourceQuerySet(models.QuerySet):
    def visible_to(self, user):
        """The resources ``user`` may see (``resource_scope_q``), with their school (which
        ``__str__`` names): everything else answers 404."""
        return self.filter(resource_scope_q(user, "school__")).select_related("school")


class Resource(models.Model):
    """One resource a school offers to the network: a teacher (staff), a programme, practice or
    material (methodological) or a laboratory, equipment or premises (material-technical).

    The fields of one kind are empty for the others (constraints below): a teacher is a person
    of the school and what they can do; a programme may have a link; a laboratory a capacity.
    """

    class Kind(models.TextChoices):
        STAFF = "staff", _("Кадровый")
        METHODOLOGICAL = "methodological", _("Методический")
        MATERIAL = "material", _("Материально-технический")

    BADGE = {Kind.STAFF: "primary", Kind.METHODOLOGICAL: "info", Kind.MATERIAL: "success"}
    # The headings of a school's resources page, one section per kind.
    GROUP_LABELS = {
        Kind.STAFF: _("Кадровые ресурсы: педагоги-наставники и тренеры"),
        Kind.METHODOLOGICAL: _("Методические ресурсы: программы, практики, материалы"),
        Kind.MATERIAL: _("Материально-технические ресурсы: лаборатории, оборудование, помещения"),
    }
    # Per kind, the fields only it has (the service clears the others).
    KIND_FIELDS = {
        Kind.STAFF: ("person", "as_mentor", "as_trainer", "as_master_class_lead"),
        Kind.METHODOLOGICAL: ("url",),
        Kind.MATERIAL: ("quantity",),
    }
    CAPACITIES = ("as_mentor", "as_trainer", "as_master_class_lead")

    school = models.ForeignKey(
        Organisation,
        on_delete=models.PROTECT,
        related_name="resources",
        limit_choices_to={"kind": Organisation.Kind.SCHOOL},
        verbose_name=_("школа"),
    )
    kind = models.CharField(_("вид ресурса"), max_length=16, choices=Kind.choices)
    title = models.CharField(
        _("краткое название"),
        max_length=200,
        help_text=_("Как его назовут в плане: «Лаборатория робототехники», «Учитель химии»."),
    )
    description = models.TextField(
        _("описание"), blank=True, help_text=_("Что это, для кого, на каких условиях.")
    )
    subjects = models.ManyToManyField(
        Subject, blank=True, related_name="resources", verbose_name=_("предметы")
    )
    # Staff: a teacher of the school and what they can do for the network.
    person = models.ForeignKey(
        Person,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="resources",
        verbose_name=_("педагог"),
    )
    as_mentor = models.BooleanField(_("наставник"), default=False)
    as_trainer = models.BooleanField(_("тренер"), default=False)
    as_master_class_lead = models.BooleanField(_("ведущий мастер-классов"), default=False)
    # Methodological: where the programme or material can be read.
    url = models.URLField(_("ссылка"), max_length=500, blank=True)
    # Material-technical: how many places or units.
    quantity = models.PositiveIntegerField(
        _("количество или вместимость"),
        null=True,
        blank=True,
        help_text=_("Мест в лаборатории, единиц оборудования."),
    )
    is_available = models.BooleanField(
        _("доступен сейчас"),
        default=True,
        help_text=_("Снимите отметку, если ресурс временно недоступен сети."),
    )
    # What the text search reads besides the title and the description: the kind, the
    # subjects, the teacher's name and position and what they can do — in Russian, written by
    # the services at every change (``resource_services.keywords``). A teacher renamed on their
    # card is found under the new name after the resource's next edit.
    keywords = models.TextField(_("ключевые слова поиска"), blank=True, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        editable=False,
        related_name="+",
        verbose_name=_("кто внёс"),
    )
    created_at = models.DateTimeField(_("внесено"), auto_now_add=True)
    updated_at = models.DateTimeField(_("изменено"), auto_now=True)
    # Bumped by every saved change: an editor who opened an older version is told, not
    # overwritten (``resource_services.update_resource``).
    version = models.PositiveIntegerField(default=1, editable=False)

    objects = ResourceQuerySet.as_manager()

    class Meta:
        verbose_name = _("ресурс школы")
        verbose_name_plural = _("ресурсы школ")
        ordering = ["kind", "title", "pk"]
        indexes = [
            # The school's resources page and the list filtered by school and kind.
            models.Index(fields=["school", "kind"], name="resource_school_kind"),
        ]
        constraints = [
            models.CheckConstraint(condition=~Q(title=""), name="resource_title_required"),
            # A staff resource is a person of the school; the other kinds name nobody.
            models.CheckConstraint(
                condition=(Q(kind="staff") & Q(person__isnull=False))
                | (~Q(kind="staff") & Q(person__isnull=True)),
                name="resource_person_only_for_staff",
            ),
            # A teacher offered to the network can do something for it; the capacities belong
            # to teachers only.
            models.CheckConstraint(
                condition=~Q(kind="staff")
                | Q(as_mentor=True)
                | Q(as_trainer=True)
                | Q(as_master_class_lead=True),
                name="resource_staff_has_capacity",
            ),
            models.CheckConstraint(
                condition=Q(kind="staff")
                | Q(as_mentor=False, as_trainer=False, as_master_class_lead=False),
                name="resource_capacity_only_for_staff",
            ),
            models.CheckConstraint(
                condition=Q(kind="methodological") | Q(url=""), name="resource_url_only_methodical"
            ),
            models.CheckConstraint(
                condition=Q(kind="material") | Q(quantity__isnull=True),
                name="resource_quantity_only_material",
            ),
        ]

    def __str__(self):
        # Plans name a resource as «what the event needs»: its title and whose it is. The school
        # comes with ``visible_to`` (select_related), so a list of them costs no query per row.
        return f"{self.title} — {self.school.short_name}"

    @property
    def badge(self):
        return self.BADGE.get(self.kind, "secondary")

    @property
    def capacities(self) -> list[str]:
        """What a teacher can do for the network, as the page shows it."""
        return [
            str(self._meta.get_field(name).verbose_name)
            for name in self.CAPACITIES
            if getattr(self, name)
        ]


class ResourceEvent(AppendOnlyModel):
    """Append-only history of a resource: created, changed (each field before → after),
    deleted. It outlives the resource: the resource's id is kept without a constraint, with the
    school and the title it had, so a deleted resource's story is still there to read."""

    class Action(models.TextChoices):
        CREATED = "created", _("внесён")
        CHANGED = "changed", _("изменён")
        DELETED = "deleted", _("удалён")

    resource = models.ForeignKey(
        Resource,
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        related_name="events",
        verbose_name=_("ресурс"),
    )
    school = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="+", verbose_name=_("школа")
    )
    title = models.CharField(_("название"), max_length=200)
    action = models.CharField(_("действие"), max_length=16, choices=Action.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name=_("кто"),
    )
    at = models.DateTimeField(_("когда"), auto_now_add=True)
    # {name: [before, after]} of every field that changed, as the page shows the values.
    fields = models.JSONField(_("поля"), default=dict, blank=True)

    class Meta:
        verbose_name = _("событие ресурса")
        verbose_name_plural = _("история ресурсов")
        ordering = ["at", "pk"]

    def __str__(self):
        return f"{self.title}: {self.get_action_display()}"

    def changes(self):
        """(label, before, after) of each changed field, for the history on the page."""
        return [
            (resource_field_label(name), before, after)
            for name, (before, after) in self.fields.items()
        ]


def resource_field_label(name: str) -> str:
    try:
        return str(Resource._meta.get_field(name).verbose_name)
    except FieldDoesNotExist:  # a field since removed: its name
        return name
