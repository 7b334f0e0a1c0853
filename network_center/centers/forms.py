"""Forms of the centers' pages: a center's card, its participants, its closing act and the
working group's draft composition.

The forms only validate input and offer choices; every change goes through
``services.centers`` and ``services.working_group``, whose domain errors the views put back on
the form (``add_service_error``).

Choice fields that pick from a list keep two sets: ``queryset`` is what the field accepts (so a
stale or duplicate choice reaches the precise check in ``clean_*`` or the service, with its own
message), the widget offers only what still makes sense (schools not yet in the center, people
not yet in the draft), grouped by organisation where that helps.
"""

from itertools import groupby

from crispy_forms.helper import FormHelper
from crispy_forms.layout import Submit
from django import forms
from django.db.models import Q, Subquery
from django.utils.translation import gettext_lazy as _

from network_center.documents.models import LegalDocument
from schools.form_errors import add_service_error  # noqa: F401 - the views import it from here
from schools.models import Organisation, Person
from schools.text import CheckedText

from .models import Center, Composition, Member, Participation
from .services.working_group import network_organisations

EMPTY_LABEL = "---------"


class GroupedChoices:
    """Choices for a ``<select>`` with ``<optgroup>``s, read from a queryset when rendered.

    Lazy, so that building a form costs no query; one query when the widget renders.
    """

    def __init__(self, queryset, *, group, label=str, empty_label=EMPTY_LABEL):
        self.queryset = queryset
        self.group = group
        self.label = label
        self.empty_label = empty_label

    def __iter__(self):
        if self.empty_label is not None:
            yield ("", self.empty_label)
        if self.group is None:
            for obj in self.queryset:
                yield (obj.pk, self.label(obj))
            return
        for key, objects in groupby(self.queryset, key=self.group):
            yield (key, [(obj.pk, self.label(obj)) for obj in objects])


def offer(field, queryset, *, group=None, label=str):
    """Let ``field`` accept its queryset but offer only ``queryset`` in its widget."""
    field.widget.choices = GroupedChoices(
        queryset, group=group, label=label, empty_label=field.empty_label
    )


def document_label(document):
    """«Приказ от 22.05.2017 № 1-139/1 «О создании …»»; an appendix with its parent's
    requisites: «Положение о центре … (приложение к приказу от 22.05.2017 № 1-139/1)»."""
    if document.parent_id:
        parent = document.parent
        date = f"{parent.date:%d.%m.%Y}" if parent.date else "__.__.____"
        return (
            f"{document.title_line} (приложение к {LegalDocument.DATIVE[parent.kind]} "
            f"от {date} № {parent.display_number})"
        )
    return f"{document} «{document.heading}»"


def keeping_current(queryset, current_id):
    """``queryset`` plus the value already chosen, so that an edit never clears a field whose
    current value is no longer offered (a choice outside the queryset would save as empty)."""
    if not current_id:
        return queryset
    return queryset.model.objects.filter(
        Q(pk__in=queryset.values("pk")) | Q(pk=current_id)
    ).select_related("parent")


def municipal_acts(user, municipality):
    """Signed orders and resolutions of the municipality's bodies (not of its schools): what
    creates or closes a center."""
    return (
        signed_documents(user, municipality)
        .filter(kind__in=LegalDocument.ACT_KINDS, parent=None)
        .exclude(issuer__kind=Organisation.Kind.SCHOOL)
    )


class DocumentChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return document_label(obj)


def signed_documents(user, municipality):
    """Signed documents of ``municipality`` that ``user`` may open."""
    return (
        LegalDocument.objects.visible_to(user)
        .signed()
        .filter(issuer__municipality=municipality)
        .select_related("parent")
        .order_by("-date", "-pk")
    )


def person_label(person):
    return f"{person.full_name}, {person.position}"


def _date_widget():
    return forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


# --- the center ------------------------------------------------------------------------------


class CenterForm(CheckedText, forms.ModelForm):
    """A center's card as the department keeps it (``create_center`` / ``update_center``)."""

    class Meta:
        model = Center
        fields = [
            "name",
            "short_name",
            "name_genitive",
            "hub",
            "head",
            "creating_act",
            "regulation",
            "plan_approver",
        ]
        field_classes = {"creating_act": DocumentChoiceField, "regulation": DocumentChoiceField}
        widgets = {"name": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args, municipality, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.instance.municipality = municipality
        schools = Organisation.objects.schools().filter(municipality=municipality)
        self.fields["hub"].queryset = schools.order_by("short_name")
        self.fields["hub"].label_from_instance = lambda school: school.short_name
        head = self.fields["head"]
        head.queryset = Person.objects.filter(organisation__in=schools)
        head.help_text = _("Сотрудник базовой школы: директор или назначенный им работник.")
        offer(
            head,
            head.queryset.select_related("organisation").order_by(
                "organisation__short_name", "last_name", "first_name", "patronymic"
            ),
            group=lambda person: person.organisation.short_name,
            label=person_label,
        )
        documents = signed_documents(user, municipality)
        self.fields["creating_act"].queryset = keeping_current(
            municipal_acts(user, municipality), self.instance.creating_act_id
        )
        self.fields["creating_act"].help_text = _(
            "Подписанный приказ или постановление муниципалитета о создании центра."
        )
        self.fields["regulation"].queryset = keeping_current(
            documents.filter(kind=LegalDocument.Kind.REGULATION), self.instance.regulation_id
        )
        self.fields["regulation"].help_text = _("Подписанное положение о центре.")
        self.helper = FormHelper()
        self.helper.add_input(Submit("save", _("Сохранить")))

    def clean(self):
        cleaned = super().clean()
        hub, head = cleaned.get("hub"), cleaned.get("head")
        if hub and head and head.organisation_id != hub.pk:
            self.add_error("head", _("Руководитель центра должен быть сотрудником базовой школы."))
        return cleaned

    def service_fields(self, names=None):
        names = self.Meta.fields if names is None else names
        return {name: self.cleaned_data[name] for name in names}


class MunicipalityChoiceForm(CheckedText, forms.Form):
    municipality = forms.ModelChoiceField(
        label=_("Муниципальное образование"), queryset=None, empty_label=None
    )

    def __init__(self, *args, municipalities, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["municipality"].queryset = municipalities


class CloseCenterForm(CheckedText, forms.Form):
    act = DocumentChoiceField(
        label=_("Акт о закрытии центра"),
        queryset=LegalDocument.objects.none(),
        help_text=_("Подписанный приказ или постановление органа управления образованием."),
    )

    def __init__(self, *args, center, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["act"].queryset = municipal_acts(user, center.municipality)


# --- participants ----------------------------------------------------------------------------


class ParticipationForm(CheckedText, forms.ModelForm):
    """A participant school of a center (``add_participant`` / ``update_participant``)."""

    class Meta:
        model = Participation
        fields = ["school", "category", "since", "until", "agreement"]
        field_classes = {"agreement": DocumentChoiceField}
        widgets = {"since": _date_widget(), "until": _date_widget()}

    def __init__(self, *args, center, user, **kwargs):
        kwargs.setdefault("instance", Participation(center=center))
        super().__init__(*args, **kwargs)
        self.center = center
        if self.instance.pk:
            # A participant is another school only by a new participation.
            del self.fields["school"]
        else:
            school = self.fields["school"]
            school.queryset = Organisation.objects.schools().filter(
                municipality_id=center.municipality_id
            )
            school.error_messages["invalid_choice"] = _(
                "Выберите школу этого муниципалитета из списка."
            )
            offer(
                school,
                school.queryset.exclude(pk=center.hub_id)
                .exclude(center_participations__center=center)
                .order_by("short_name"),
                label=lambda s: s.short_name,
            )
        self.fields["agreement"].queryset = keeping_current(
            signed_documents(user, center.municipality).filter(kind=LegalDocument.Kind.AGREEMENT),
            self.instance.agreement_id,
        )
        self.fields["agreement"].help_text = _("Подписанное соглашение о сотрудничестве.")
        self.helper = FormHelper()
        self.helper.add_input(Submit("save", _("Сохранить")))

    def clean_school(self):
        school = self.cleaned_data["school"]
        if school.pk == self.center.hub_id:
            raise forms.ValidationError(_("Базовая школа не может быть участником."))
        if Participation.objects.filter(center=self.center, school=school).exists():
            raise forms.ValidationError(_("Эта школа уже участвует в центре."))
        return school

    def service_fields(self):
        return {name: self.cleaned_data[name] for name in self.fields}


# --- the working group -----------------------------------------------------------------------


def current_list_person_ids(center):
    """People of the list being edited: the draft if there is one, else the composition in force
    (a new draft starts as its copy). A subquery, evaluated with the choices."""
    latest = (
        Composition.objects.filter(
            center=center,
            status__in=[Composition.Status.DRAFT, Composition.Status.IN_FORCE],
        )
        .order_by("-version")
        .values("pk")[:1]
    )
    return Member.objects.filter(composition=Subquery(latest)).values("person_id")


class MemberFieldsMixin:
    def _setup_member_fields(self):
        self.fields["role"] = forms.ChoiceField(
            label=_("Роль в рабочей группе"),
            choices=Member.Role.choices,
            initial=Member.Role.MEMBER,
        )
        self.fields["responsibility"] = forms.CharField(
            label=_("Направление работы"),
            max_length=300,
            required=False,
            help_text=_("Например: «математика: наставничество, исследование урока»."),
        )


class MemberAddForm(CheckedText, MemberFieldsMixin, forms.Form):
    """Add an existing employee of a network organisation to the draft composition."""

    person = forms.ModelChoiceField(
        label=_("Сотрудник"),
        queryset=Person.objects.none(),
        error_messages={
            "invalid_choice": _(
                "В рабочую группу входят сотрудники школ сети и методического кабинета: "
                "выберите сотрудника из списка."
            )
        },
    )

    def __init__(self, *args, center, **kwargs):
        super().__init__(*args, **kwargs)
        self._setup_member_fields()
        person = self.fields["person"]
        person.queryset = Person.objects.filter(organisation__in=network_organisations(center))
        offer(
            person,
            person.queryset.exclude(pk__in=current_list_person_ids(center))
            .select_related("organisation")
            .order_by("organisation__short_name", "last_name", "first_name", "patronymic"),
            group=lambda p: p.organisation.short_name,
            label=person_label,
        )
        person.help_text = _(
            "Сотрудники базовой школы, школ-участников и методического кабинета. "
            "Нет нужного — внесите его ниже."
        )


class MemberNewPersonForm(CheckedText, MemberFieldsMixin, forms.Form):
    """Enter an employee of a network organisation who is not in the system yet, and add them."""

    organisation = forms.ModelChoiceField(
        label=_("Организация"),
        queryset=Organisation.objects.none(),
        error_messages={"invalid_choice": _("Организация не входит в сеть центра.")},
    )
    last_name = forms.CharField(label=_("Фамилия"), max_length=100)
    first_name = forms.CharField(label=_("Имя"), max_length=100)
    patronymic = forms.CharField(label=_("Отчество"), max_length=100, required=False)
    position = forms.CharField(label=_("Должность"), max_length=200)
    email = forms.EmailField(label=_("Рабочая электронная почта"), required=False)
    phone = forms.CharField(label=_("Рабочий телефон"), max_length=50, required=False)

    def __init__(self, *args, center, **kwargs):
        super().__init__(*args, **kwargs)
        self._setup_member_fields()
        organisation = self.fields["organisation"]
        organisation.queryset = network_organisations(center).order_by("kind", "short_name")
        organisation.label_from_instance = lambda org: org.short_name
        organisation.help_text = _(
            "Персональные данные — только для документов (152-ФЗ): ФИО, должность, рабочие "
            "контакты."
        )


class MemberEditForm(CheckedText, MemberFieldsMixin, forms.Form):
    """A member's role and area of responsibility in the draft composition."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._setup_member_fields()
        self.helper = FormHelper()
        self.helper.add_input(Submit("save", _("Сохранить")))
