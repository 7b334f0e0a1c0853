"""Forms of the practice bank: the department's reason (marking, withdrawing) and the bank's
filters. They validate input; ``practices.services`` changes the data and checks again."""

import django_filters
from crispy_forms.helper import FormHelper
from django import forms
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from plans.models import EventForm
from schools.access import get_access
from schools.models import Municipality
from schools.resources import Resource, Subject
from schools.search import text_search
from schools.text import CheckedText

from .models import Practice

# The longest reason: a paragraph or two, as the bank shows it.
REASON_MAX = 2000


def _helper():
    helper = FormHelper()
    helper.form_tag = False
    return helper


class MarkForm(CheckedText, forms.Form):
    reason = forms.CharField(
        label=_("Почему рекомендуется"),
        max_length=REASON_MAX,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_(
            "Чем этот опыт полезен другим школам: какой результат дал, кому подойдёт, "
            "что понадобится, чтобы его повторить."
        ),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = _helper()


class WithdrawForm(CheckedText, forms.Form):
    reason = forms.CharField(
        label=_("Причина снятия рекомендации"),
        max_length=REASON_MAX,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Например: материал устарел, ресурс больше недоступен сети."),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = _helper()


def sees_several_municipalities(user) -> bool:
    """Whether the bank may hold practice of more than one municipality for ``user`` (the
    regional observer, the administrator): then it offers the municipality filter. No
    query: the memberships are the request's (``get_access``)."""
    access = get_access(user)
    return (
        access.is_superuser
        or bool(access.observed_region_ids)
        or (len(access.municipality_ids()) > 1)
    )


def _municipalities(request):
    if request is None:
        return Municipality.objects.none()
    access = get_access(request.user)
    if access.is_superuser:
        return Municipality.objects.order_by("region__name", "name")
    return Municipality.objects.filter(
        Q(pk__in=access.municipality_ids()) | Q(region_id__in=access.observed_region_ids)
    ).order_by("region__name", "name")


class PracticeFilter(django_filters.FilterSet):
    """The bank's filters, every one optional; a bad value is shown beside its field and
    ignored. Without ``state`` the bank lists the recommendations that stand."""

    ALL = "all"

    q = django_filters.CharFilter(
        label=_("Поиск"),
        method="filter_text",
        widget=forms.TextInput(
            attrs={"placeholder": _("Название, школа или обоснование"), "type": "search"}
        ),
    )
    municipality = django_filters.ModelChoiceFilter(
        label=_("Муниципальное образование"),
        queryset=_municipalities,
        empty_label=_("Все"),
    )
    kind = django_filters.ChoiceFilter(
        label=_("Что рекомендовано"), choices=Practice.Kind.choices, empty_label=_("Всё")
    )
    form = django_filters.ModelChoiceFilter(
        label=_("Форма мероприятия"),
        queryset=EventForm.objects.all(),
        method="filter_form",
        empty_label=_("Любая"),
    )
    resource_kind = django_filters.ChoiceFilter(
        label=_("Вид ресурса"),
        field_name="resource__kind",
        choices=Resource.Kind.choices,
        empty_label=_("Любой"),
    )
    subject = django_filters.ModelChoiceFilter(
        label=_("Предмет ресурса"),
        queryset=Subject.objects.all(),
        method="filter_subject",
        empty_label=_("Любой"),
    )
    state = django_filters.ChoiceFilter(
        label=_("Рекомендации"),
        choices=[
            (Practice.State.WITHDRAWN, _("Снятые")),
            (ALL, _("Все, и снятые тоже")),
        ],
        method="filter_state",
        empty_label=_("Действующие"),
    )

    class Meta:
        model = Practice
        fields = ["q", "municipality", "kind", "form", "resource_kind", "subject", "state"]

    def __init__(self, *args, request=None, **kwargs):
        super().__init__(*args, request=request, **kwargs)
        # One municipality: nothing to choose (and no query for its choices).
        if request is None or not sees_several_municipalities(request.user):
            del self.filters["municipality"]

    def filter_queryset(self, queryset):
        queryset = super().filter_queryset(queryset)
        if not self.form.cleaned_data.get("state"):
            queryset = queryset.filter(state=Practice.State.RECOMMENDED)
        return queryset

    def filter_text(self, queryset, name, value):
        return text_search(queryset, value, ["title", "reason", "school__short_name"])

    def filter_form(self, queryset, name, value):
        # An event by its form, a material by its event's form (forward joins: one row each).
        return queryset.filter(
            Q(execution__line__form=value) | Q(evidence__execution__line__form=value)
        )

    def filter_subject(self, queryset, name, value):
        # A subquery, not a join: a resource of several subjects stays one row.
        return queryset.filter(
            resource_id__in=Resource.subjects.through.objects.filter(subject=value).values(
                "resource_id"
            )
        )

    def filter_state(self, queryset, name, value):
        if value == self.ALL:
            return queryset
        return queryset.filter(state=value)
