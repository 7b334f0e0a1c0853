"""Forms of the plans UI: they validate input; the services change state."""

from crispy_forms.helper import FormHelper
from django import forms
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from monitoring.models import RiskFactor
from schools.ids import ModelMultipleChoiceField
from schools.models import Organisation, Person
from schools.text import CheckedText

from .models import EventForm, Line, Proposal, Visa

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


def network_schools(center):
    return Organisation.objects.filter(
        pk__in=[center.hub_id, *center.participations.values_list("school_id", flat=True)]
    ).order_by("short_name")


def network_people(center):
    return (
        Person.objects.filter(organisation__in=network_schools(center))
        .select_related("organisation")
        .order_by("last_name")
        | Person.objects.filter(
            organisation__municipality_id=center.municipality_id,
            organisation__kind=Organisation.Kind.METHODOLOGICAL_OFFICE,
        ).select_related("organisation")
    ).distinct()


def network_resources(center, line=None):
    """The resources the network's schools offer now, and those the line already names."""
    from django.db.models import Q

    from schools.resources import Resource

    chosen = Q(pk__in=line.needed_resources.all()) if line is not None and line.pk else Q()
    return (
        Resource.objects.filter(Q(is_available=True) | chosen)
        .filter(school__in=network_schools(center))
        .select_related("school")
        .order_by("school__short_name", "title")
    )


class PersonChoiceField(ModelMultipleChoiceField):
    def label_from_instance(self, obj):
        return f"{obj.name_initials}, {obj.organisation.short_name}"


class _DatesMixin:
    def clean(self):
        cleaned = super().clean()
        kind, start, end = (
            cleaned.get("date_kind"),
            cleaned.get("date_from"),
            cleaned.get("date_to"),
        )
        if kind == Line.DateKind.PERIOD and start and not end:
            self.add_error("date_to", _("Для периода укажите дату окончания."))
        if start and end and end < start:
            self.add_error("date_to", _("Окончание раньше начала."))
        if kind != Line.DateKind.PERIOD:
            cleaned["date_to"] = None
        return cleaned


class LineForm(CheckedText, _DatesMixin, forms.ModelForm):
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)
    responsible = PersonChoiceField(
        label=_("Ответственные"), queryset=Person.objects.none(), required=False
    )

    class Meta:
        model = Line
        fields = [
            "direction",
            "risk_factor",
            "title",
            "form",
            "format",
            "audience",
            "venue",
            "date_kind",
            "date_from",
            "date_to",
            "responsible",
            "schools",
            "expected_result",
            "resources",
            "needed_resources",
            "initiator",
        ]
        widgets = {
            "date_from": DATE,
            "date_to": DATE,
            "expected_result": forms.Textarea(attrs={"rows": 2}),
            "resources": forms.Textarea(attrs={"rows": 2}),
            "title": forms.Textarea(attrs={"rows": 2}),
        }
        field_classes = {
            "schools": ModelMultipleChoiceField,
            "needed_resources": ModelMultipleChoiceField,
        }
        help_texts = {
            "risk_factor": _("Фактор риска из профилей школ, на который направлено мероприятие."),
            "needed_resources": _(
                "Кадры, материалы, лаборатории школ сети, которые нужны мероприятию."
            ),
        }

    def __init__(self, *args, center, **kwargs):
        super().__init__(*args, **kwargs)
        schools = network_schools(center)
        self.fields["venue"].queryset = schools
        self.fields["initiator"].queryset = schools
        self.fields["schools"].queryset = schools.exclude(pk=center.hub_id)
        self.fields["schools"].widget = forms.CheckboxSelectMultiple()
        self.fields["schools"].choices = [
            (s.pk, s.short_name) for s in self.fields["schools"].queryset
        ]
        self.fields["responsible"].queryset = network_people(center)
        self.fields["needed_resources"].queryset = network_resources(center, self.instance)
        self.fields["needed_resources"].widget.attrs["size"] = 5
        self.fields["form"].queryset = EventForm.objects.filter(is_active=True)
        # The factors in use; a retired one the line already names stays choosable.
        self.fields["risk_factor"].queryset = RiskFactor.objects.filter(
            Q(is_active=True) | Q(pk=self.instance.risk_factor_id)
        )
        self.fields["risk_factor"].empty_label = _("— не указан —")
        if self.instance.pk:
            self.fields["version"].initial = self.instance.version
        else:
            self.fields["initiator"].initial = center.hub_id
        self.helper = FormHelper()
        self.helper.form_tag = False


class ProposalForm(CheckedText, _DatesMixin, forms.ModelForm):
    class Meta:
        model = Proposal
        fields = [
            "title",
            "direction",
            "form",
            "format",
            "audience",
            "venue",
            "date_kind",
            "date_from",
            "date_to",
            "expected_result",
            "resources",
            "justification",
        ]
        widgets = {
            "date_from": DATE,
            "date_to": DATE,
            "title": forms.Textarea(attrs={"rows": 2}),
            "expected_result": forms.Textarea(attrs={"rows": 2}),
            "resources": forms.Textarea(attrs={"rows": 2}),
            "justification": forms.Textarea(attrs={"rows": 3}),
        }
        labels = {"venue": _("Место проведения (предложение)")}

    def __init__(self, *args, center, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["venue"].queryset = network_schools(center)
        self.fields["form"].queryset = EventForm.objects.filter(is_active=True)
        self.helper = FormHelper()
        self.helper.form_tag = False


class DecisionForm(CheckedText, _DatesMixin, forms.Form):
    """The center's decision on a proposal; on acceptance it may change place, form, format and
    dates (SPEC: the center has the final say), and the change is recorded."""

    ACCEPT, DECLINE, RETURN = "accept", "decline", "return"
    decision = forms.ChoiceField(
        label=_("Решение"),
        choices=[
            (ACCEPT, _("Принять в план")),
            (RETURN, _("Вернуть на доработку")),
            (DECLINE, _("Отклонить")),
        ],
        widget=forms.RadioSelect,
    )
    comment = forms.CharField(
        label=_("Комментарий для школы"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Обязателен при отклонении и возврате."),
    )
    venue = forms.ModelChoiceField(
        label=_("Место проведения"), queryset=Organisation.objects.none(), required=False
    )
    # Required only when accepting; see clean().
    form = forms.ModelChoiceField(
        label=_("Форма"), queryset=EventForm.objects.none(), required=False
    )
    format = forms.ChoiceField(label=_("Формат"), choices=Line.Format.choices, required=False)
    date_kind = forms.ChoiceField(label=_("Срок"), choices=Line.DateKind.choices, required=False)
    date_from = forms.DateField(label=_("Дата (начало)"), widget=DATE, required=False)
    date_to = forms.DateField(label=_("Окончание периода"), widget=DATE, required=False)

    def __init__(self, *args, proposal, **kwargs):
        kwargs.setdefault(
            "initial",
            {
                "venue": proposal.venue_id,
                "form": proposal.form_id,
                "format": proposal.format,
                "date_kind": proposal.date_kind,
                "date_from": proposal.date_from,
                "date_to": proposal.date_to,
            },
        )
        super().__init__(*args, **kwargs)
        self.fields["venue"].queryset = network_schools(proposal.plan.center)
        self.fields["form"].queryset = EventForm.objects.filter(is_active=True)
        self.helper = FormHelper()
        self.helper.form_tag = False

    def clean(self):
        cleaned = super().clean()
        if (
            cleaned.get("decision") in (self.DECLINE, self.RETURN)
            and not (cleaned.get("comment") or "").strip()
        ):
            self.add_error("comment", _("Укажите причину."))
        if cleaned.get("decision") == self.ACCEPT:
            for name in ("form", "format", "date_kind", "date_from"):
                if not cleaned.get(name):
                    self.add_error(name, _("Обязательное поле."))
        return cleaned


class VisaForm(CheckedText, forms.Form):
    decision = forms.ChoiceField(
        label=_("Решение школы"),
        choices=[
            (Visa.Decision.AGREED, _("Согласовать")),
            (Visa.Decision.AGREED_WITH_REMARKS, _("Согласовать с замечаниями")),
            (Visa.Decision.OBJECTED, _("Отклонить")),
        ],
        widget=forms.RadioSelect,
    )
    remarks = forms.CharField(
        label=_("Замечания"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Обязательны, если согласуете с замечаниями или отклоняете."),
    )

    def clean(self):
        cleaned = super().clean()
        if (
            cleaned.get("decision")
            in (
                Visa.Decision.AGREED_WITH_REMARKS,
                Visa.Decision.OBJECTED,
            )
            and not (cleaned.get("remarks") or "").strip()
        ):
            self.add_error("remarks", _("Напишите замечания."))
        return cleaned


class TransitionForm(CheckedText, forms.Form):
    comment = forms.CharField(
        label=_("Комментарий"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    password = forms.CharField(
        label=_("Ваш пароль (простая электронная подпись)"),
        required=False,
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )


class PlanCreateForm(CheckedText, forms.Form):
    year = forms.IntegerField(label=_("Учебный год (год начала)"), min_value=2000, max_value=2100)
    copy_from = forms.ModelChoiceField(
        label=_("Скопировать мероприятия из плана"),
        queryset=None,
        required=False,
        empty_label=_("Начать с пустого плана"),
    )

    def __init__(self, *args, revisions, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["copy_from"].queryset = revisions
        self.helper = FormHelper()
        self.helper.form_tag = False
