"""The year selector of the effectiveness pages (a GET form: choosing a year changes nothing)."""

from django import forms
from django.utils.translation import gettext_lazy as _

from .metrics import academic_year_label


class YearForm(forms.Form):
    year = forms.TypedChoiceField(
        label=_("Учебный год"),
        coerce=int,
        error_messages={"invalid_choice": _("Выберите учебный год из списка.")},
    )

    def __init__(self, data=None, *, years):
        super().__init__(data)
        self.fields["year"].choices = [(y, academic_year_label(y)) for y in years.choices]
        self.fields["year"].initial = years.default
        self.default = years.default

    def chosen(self) -> int:
        """The year asked for, or the default one when none or a wrong one was asked."""
        if self.is_bound and self.is_valid():
            return self.cleaned_data["year"]
        return self.default


def year_form(request, years) -> YearForm:
    """Bound only when the address names a year: the page opens on the default year unbound."""
    return YearForm(request.GET if "year" in request.GET else None, years=years)
