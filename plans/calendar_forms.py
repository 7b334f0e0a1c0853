"""Forms of the calendar pages: the calendar's filter (view, date, center, school, form, format)
and the choice of what a new calendar feed shows. They validate input; ``plans.feeds`` changes
state."""

from datetime import date

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from schools.text import CheckedText
from schools.widgets import PlainSelect

from . import calendar
from .forms import DATE
from .models import EventForm, Line

VIEWS = [("month", _("Месяц")), ("week", _("Неделя"))]
# The calendar goes back and forth a century at most: a date beyond says nothing about plans
# and would overflow the arithmetic of weeks (``date.max``).
EARLIEST, LATEST = date(1990, 1, 1), date(2200, 12, 31)


class CalendarFilterForm(CheckedText, forms.Form):
    """What the calendar shows: a month or a week around a date, narrowed to a center, a school,
    a form and a format. Every field is optional; a value that does not clean is shown beside
    its field and the calendar is drawn without it."""

    view = forms.ChoiceField(label=_("Вид"), choices=VIEWS, required=False)
    date = forms.DateField(label=_("Дата"), required=False, widget=DATE)
    center = forms.ModelChoiceField(
        label=_("Центр"), queryset=None, required=False, empty_label=_("Все"), widget=PlainSelect
    )
    school = forms.ModelChoiceField(
        label=_("Школа"), queryset=None, required=False, empty_label=_("Все"), widget=PlainSelect
    )
    form = forms.ModelChoiceField(
        label=_("Форма"), queryset=EventForm.objects.all(), required=False, empty_label=_("Все")
    )
    format = forms.ChoiceField(
        label=_("Формат"), choices=[("", _("Любой")), *Line.Format.choices], required=False
    )

    FILTERS = ("center", "school", "form", "format")

    def __init__(self, data, *, user):
        super().__init__(data)
        self.fields["center"].queryset = calendar.filter_centers(user)
        self.fields["school"].queryset = calendar.filter_schools(user)

    def clean_date(self):
        value = self.cleaned_data.get("date")
        if value is not None and not EARLIEST <= value <= LATEST:
            raise forms.ValidationError(_("Календарь показывает даты с 1990 по 2200 год."))
        return value

    def choice(self):
        """(view, date, filters) from what cleaned: the month of today by default."""
        self.is_valid()
        cleaned = getattr(self, "cleaned_data", {})
        view = cleaned.get("view") or "month"
        day = cleaned.get("date") or timezone.localdate()
        filters = {name: cleaned.get(name) or None for name in self.FILTERS}
        return view, day, filters

    def active_filters(self) -> int:
        """How many of the filters are set (the filter panel opens when any is)."""
        cleaned = getattr(self, "cleaned_data", {})
        return sum(1 for name in self.FILTERS if cleaned.get(name))

    def query(self, **changes) -> str:
        """The query string of this calendar with ``changes`` (a new view or date), the filters
        kept as they were typed (those that cleaned)."""
        from django.http import QueryDict

        cleaned = getattr(self, "cleaned_data", {})
        params = QueryDict(mutable=True)
        for name in ("view", "date", *self.FILTERS):
            value = changes.get(name, cleaned.get(name))
            if value in (None, ""):
                continue
            if isinstance(value, date):
                value = value.isoformat()
            elif hasattr(value, "pk"):
                value = value.pk
            params[name] = str(value)
        return params.urlencode()


class FeedForm(CheckedText, forms.Form):
    """Which events a new feed shows: one of ``options`` (``plans.feeds.subscription_options``),
    each named «school:12», «person:5» or «center:3»."""

    subject = forms.ChoiceField(label=_("Чьи мероприятия"), widget=forms.RadioSelect, choices=())

    def __init__(self, *args, options, **kwargs):
        super().__init__(*args, **kwargs)
        self.options = {option.key: option for option in options}
        self.fields["subject"].choices = [(o.key, o.label) for o in options]

    def clean_subject(self):
        # The choices are the user's own options: anything else was refused as «not one of
        # the available choices» before this.
        return self.options[self.cleaned_data["subject"]]
