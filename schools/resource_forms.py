"""Forms of the resources pages: a school's resource (the fields of its kind only) and the
filters of the network's list. They validate input; ``resource_services`` changes the data."""

import django_filters
from crispy_forms.helper import FormHelper
from django import forms
from django.utils.translation import gettext_lazy as _

from .ids import ModelMultipleChoiceField
from .models import Organisation, Person
from .resource_search import search_resources
from .resources import Resource, Subject, resource_scope_q
from .text import CheckedText
from .widgets import PlainSelect

Kind = Resource.Kind


def resource_schools(user):
    """The schools whose resources ``user`` sees: the choices of the list's school filter and
    the schools whose resources page opens."""
    return Organisation.objects.schools().filter(resource_scope_q(user))


class PersonChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return f"{obj.name_initials}, {obj.position}"


class ResourceForm(CheckedText, forms.ModelForm):
    """A resource of one kind of one school: the common fields (title, description, subjects,
    availability) and those of its kind — the teacher and what they can do, a link, a
    capacity. The kind is chosen before the form (the address says it) and never changes."""

    # A link typed without its scheme is a secure one: «minobr.ru/…» is «https://minobr.ru/…».
    url = forms.URLField(
        label=_("ссылка"),
        required=False,
        max_length=500,
        assume_scheme="https",
        widget=forms.URLInput(attrs={"placeholder": "https://"}),
        help_text=_("Где прочитать программу или материал, если он опубликован."),
    )

    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    class Meta:
        model = Resource
        fields = [
            "title",
            "person",
            "as_mentor",
            "as_trainer",
            "as_master_class_lead",
            "description",
            "subjects",
            "url",
            "quantity",
            "is_available",
        ]
        field_classes = {"subjects": ModelMultipleChoiceField, "person": PersonChoiceField}
        widgets = {
            "description": forms.Textarea(attrs={"rows": 4}),
            "subjects": forms.CheckboxSelectMultiple(),
        }

    def __init__(self, *args, school, kind, **kwargs):
        super().__init__(*args, **kwargs)
        self.school, self.kind = school, kind
        if self.instance.pk is None:
            # The model's own checks (``full_clean``) see the resource as it will be saved.
            self.instance.school, self.instance.kind = school, kind
        own = set(Resource.KIND_FIELDS[kind])
        for names in Resource.KIND_FIELDS.values():
            for name in set(names) - own:
                del self.fields[name]
        if kind == Kind.STAFF:
            person = self.fields["person"]
            person.queryset = Person.objects.filter(organisation=school).order_by(
                "last_name", "first_name", "patronymic"
            )
            person.required = True
            person.empty_label = _("— выберите —")
            person.help_text = _(
                "Сотрудник школы; если его нет в списке, его вносит управление образования."
            )
            self.fields["title"].help_text = _(
                "Например: «Учитель химии высшей категории, тренер по подготовке к ОГЭ»."
            )
        self.fields["subjects"].queryset = Subject.objects.all()
        self.fields["subjects"].required = False
        if self.instance.pk is not None:
            self.fields["version"].initial = self.instance.version
        else:
            del self.fields["version"]
        self.helper = FormHelper()
        self.helper.form_tag = False

    def clean(self):
        cleaned = super().clean()
        if self.kind == Kind.STAFF and not any(cleaned.get(n) for n in Resource.CAPACITIES):
            self.add_error(
                "as_mentor",
                _(
                    "Отметьте, кем педагог готов работать в сети: наставником, тренером или "
                    "ведущим мастер-классов."
                ),
            )
        return cleaned

    def changes(self) -> dict:
        """The fields for the service, the subjects apart."""
        return {
            name: self.cleaned_data[name]
            for name in self.fields
            if name not in ("subjects", "version")
        }


class ResourceFilter(django_filters.FilterSet):
    """The network's list: by words (in any of their forms, ``resource_search``), kind,
    subject and school."""

    q = django_filters.CharFilter(
        label=_("Поиск"),
        method="filter_text",
        widget=forms.TextInput(
            attrs={"placeholder": _("Например: химия, лаборатория, наставник"), "type": "search"}
        ),
    )
    kind = django_filters.ChoiceFilter(
        label=_("Вид ресурса"), choices=Kind.choices, empty_label=_("Любой"), widget=PlainSelect
    )
    subject = django_filters.ModelChoiceFilter(
        label=_("Предмет"),
        field_name="subjects",
        queryset=Subject.objects.all(),
        empty_label=_("Любой"),
        widget=PlainSelect,
    )
    school = django_filters.ModelChoiceFilter(
        label=_("Школа"),
        queryset=lambda request: (
            # The option's value and name only: a region's 1,600 schools are read for it.
            resource_schools(request.user)
            .only("pk", "short_name")
            .order_by("municipality__name", "short_name")
            if request is not None
            else Organisation.objects.none()
        ),
        empty_label=_("Все"),
        # A regional observer's list names every school of the region.
        widget=PlainSelect,
    )

    class Meta:
        model = Resource
        fields = ["q", "kind", "subject", "school"]

    def filter_text(self, queryset, name, value):
        return search_resources(queryset, value)
