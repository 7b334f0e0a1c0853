"""Forms of the mentoring and interaction-group pages: they validate input and offer only the
choices that make sense for the center (``cooperation.queries``); the services check the same
rules again and change the data. A refusal of a service goes back onto the form
(``schools.form_errors.add_service_error``)."""

from crispy_forms.helper import FormHelper
from django import forms
from django.utils.translation import gettext_lazy as _

from network_center.centers.forms import offer
from schools.ids import ModelMultipleChoiceField
from schools.models import Person
from schools.text import CheckedText

from .models import InteractionGroup, Meeting, MentoringPair
from .queries import (
    line_label,
    linkable_lines,
    mentee_candidates,
    network_people,
    person_label,
)
from .services.mentoring import PAIR_FIELDS

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


def _organisation(person):
    return person.organisation.short_name


def _offer_people(field, queryset):
    """The field accepts ``queryset`` and offers it grouped by organisation."""
    field.queryset = queryset
    offer(field, queryset, group=_organisation, label=person_label)


def _helper():
    helper = FormHelper()
    helper.form_tag = False
    return helper


class PairForm(CheckedText, forms.ModelForm):
    """A pair's fields: the mentor from the center's network (the hub's staff first), the mentee
    from the current participant schools' staff, a line of an approved plan of the center."""

    class Meta:
        model = MentoringPair
        fields = list(PAIR_FIELDS)
        widgets = {
            "date_from": DATE,
            "date_to": DATE,
            "goals": forms.Textarea(attrs={"rows": 3}),
        }
        help_texts = {
            "mentor": _("Обычно учитель базовой школы."),
            "mentee": _("Педагог школы-участника с устойчиво низкими результатами."),
            "subject": _("Например: математика, русский язык."),
            "line": _("Мероприятие утверждённого плана центра, из которого выросла пара."),
        }

    def __init__(self, *args, center, **kwargs):
        super().__init__(*args, **kwargs)
        _offer_people(self.fields["mentor"], network_people(center))
        _offer_people(self.fields["mentee"], mentee_candidates(center))
        line = self.fields["line"]
        line.queryset = linkable_lines(center, keep=[self.instance.line_id])
        line.label_from_instance = line_label
        line.empty_label = _("— не связана с мероприятием —")
        self.helper = _helper()

    def clean(self):
        cleaned = super().clean()
        start, end = cleaned.get("date_from"), cleaned.get("date_to")
        if start and end and end < start:
            self.add_error("date_to", _("Окончание раньше начала."))
        mentor, mentee = cleaned.get("mentor"), cleaned.get("mentee")
        if mentor and mentee and mentor.pk == mentee.pk:
            self.add_error("mentee", _("Наставник и наставляемый — разные люди."))
        return cleaned

    def service_fields(self):
        return {name: self.cleaned_data[name] for name in PAIR_FIELDS}


class MeetingForm(CheckedText, forms.ModelForm):
    class Meta:
        model = Meeting
        fields = ["date", "format", "topic", "notes"]
        widgets = {
            "date": DATE,
            "format": forms.RadioSelect,
            "notes": forms.Textarea(attrs={"rows": 3}),
        }
        help_texts = {"date": _("Дата прошедшей встречи в пределах периода наставничества.")}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # A radio list has no «---------» choice.
        self.fields["format"].choices = Meeting.Format.choices
        self.helper = _helper()


class CompleteForm(CheckedText, forms.Form):
    results = forms.CharField(
        label=_("Результаты наставничества"),
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("Чего достиг наставляемый педагог: результаты, изменения в работе."),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = _helper()


class StopForm(CheckedText, forms.Form):
    reason = forms.CharField(
        label=_("Причина прекращения"),
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Например: педагог уволился, наставник в длительном отпуске."),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = _helper()


class GroupForm(CheckedText, forms.ModelForm):
    """A group's card. A new group names its coordinator and first members from the network; an
    existing one chooses its coordinator among its members (members change on the group's
    page)."""

    members = ModelMultipleChoiceField(
        label=_("Участники"),
        queryset=Person.objects.none(),
        required=False,
        widget=forms.SelectMultiple(attrs={"size": 10}),
        help_text=_(
            "Педагоги нескольких школ сети; координатор включается в группу сам. "
            "Выбор нескольких: Ctrl (⌘) и щелчок."
        ),
    )

    class Meta:
        model = InteractionGroup
        fields = ["name", "purpose", "coordinator", "lines"]
        widgets = {
            "purpose": forms.Textarea(attrs={"rows": 3}),
            "lines": forms.CheckboxSelectMultiple,
        }
        field_classes = {"lines": ModelMultipleChoiceField}
        help_texts = {
            "lines": _("Мероприятия утверждённого плана центра, для которых сформирована группа."),
        }

    def __init__(self, *args, center, **kwargs):
        super().__init__(*args, **kwargs)
        editing = self.instance.pk is not None
        if editing:
            members = Person.objects.filter(interaction_group_memberships__group=self.instance)
            _offer_people(
                self.fields["coordinator"],
                members.select_related("organisation").order_by("last_name", "first_name", "pk"),
            )
            self.fields["coordinator"].help_text = _("Один из участников группы.")
            del self.fields["members"]
        else:
            _offer_people(self.fields["coordinator"], network_people(center))
            _offer_people(self.fields["members"], network_people(center))
        lines = self.fields["lines"]
        current = list(self.instance.lines.values_list("pk", flat=True)) if editing else []
        lines.queryset = linkable_lines(center, keep=current)
        lines.label_from_instance = line_label
        self.helper = _helper()

    def service_fields(self):
        fields = {
            name: self.cleaned_data[name] for name in ("name", "purpose", "coordinator", "lines")
        }
        fields["lines"] = list(fields["lines"])
        if "members" in self.fields:
            fields["members"] = list(self.cleaned_data["members"])
        return fields


class MemberForm(CheckedText, forms.Form):
    person = forms.ModelChoiceField(
        label=_("Сотрудник"),
        queryset=Person.objects.none(),
        error_messages={
            "invalid_choice": _("Выберите сотрудника базовой школы, школы-участника или РМК.")
        },
    )
    role = forms.CharField(
        label=_("Роль в группе"),
        max_length=200,
        required=False,
        help_text=_("Необязательно: «ведущий», «эксперт». Участник уже в группе — роль изменится."),
    )

    def __init__(self, *args, center, **kwargs):
        super().__init__(*args, **kwargs)
        _offer_people(self.fields["person"], network_people(center))
        self.helper = _helper()
