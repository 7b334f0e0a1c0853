import django_filters
from django import forms
from django.utils.translation import gettext_lazy as _

from .models import Municipality, Organisation, SchoolStatus
from .search import text_search


def visible_municipalities(request):
    if request is None:
        return Municipality.objects.none()
    return Municipality.objects.filter(
        pk__in=Organisation.objects.visible_to(request.user).values("municipality_id")
    )


class SchoolFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(
        label=_("Поиск"),
        method="filter_text",
        widget=forms.TextInput(attrs={"placeholder": _("Название или адрес"), "type": "search"}),
    )
    municipality = django_filters.ModelChoiceFilter(
        label=_("Муниципальное образование"),
        queryset=visible_municipalities,
        empty_label=_("Все"),
    )
    status = django_filters.ChoiceFilter(
        label=_("Текущий статус"),
        choices=SchoolStatus.Kind.choices,
        method="filter_status",
        empty_label=_("Любой"),
    )

    class Meta:
        model = Organisation
        fields = ["q", "municipality", "status"]

    def filter_text(self, queryset, name, value):
        return text_search(queryset, value, ["full_name", "short_name", "address"])

    def filter_status(self, queryset, name, value):
        return queryset.with_current_status(value)
