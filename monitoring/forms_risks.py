"""The form of a school's risk profile: one level (a select) and one note (a textarea) per
factor, and the version the form was shown at. It validates input; ``monitoring.risks``
checks the rule, the version and the notes again and writes."""

from django import forms
from django.utils.translation import gettext_lazy as _

from schools.text import CheckedText

from .models import RiskRating
from .risks import NOTE_MAX, level_field, note_field

Level = RiskRating.Level


class RiskProfileForm(CheckedText, forms.Form):
    """``factors``: the factors the profile rates (``risks.profile_factors``); ``ratings``:
    the profile's ratings by factor id, which fill the form when it is not bound."""

    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, factors, ratings=None, version=None, **kwargs):
        ratings = ratings or {}
        initial = {"version": version}
        for factor_id, rating in ratings.items():
            initial[level_field(factor_id)] = rating.level
            initial[note_field(factor_id)] = rating.note
        kwargs.setdefault("initial", initial)
        super().__init__(*args, **kwargs)
        self.factors = list(factors)
        for factor in self.factors:
            self.fields[level_field(factor.pk)] = forms.ChoiceField(
                label=_("Уровень риска"),
                choices=[("", _("— выберите —")), *Level.choices],
                error_messages={"required": _("Оцените этот фактор риска.")},
                widget=forms.Select(attrs={"class": "form-select form-select-sm"}),
            )
            self.fields[note_field(factor.pk)] = forms.CharField(
                label=_("Обоснование"),
                required=False,
                max_length=NOTE_MAX,
                widget=forms.Textarea(attrs={"rows": 2, "class": "form-control form-control-sm"}),
                help_text=_("Обязательно для высокого уровня: на чём основана оценка."),
            )

    def clean(self):
        data = super().clean()
        # The same rule as the service's, shown beside the field before anything is sent.
        for factor in self.factors:
            level = data.get(level_field(factor.pk))
            note = (data.get(note_field(factor.pk)) or "").strip()
            if level == Level.HIGH and not note and not self.has_error(note_field(factor.pk)):
                self.add_error(
                    note_field(factor.pk),
                    _("Для высокого уровня риска укажите, на чём основана оценка."),
                )
        return data

    def rows(self, saved=None):
        """(factor, level field, note field, saved rating or None) for the template; ``saved``:
        the profile's ratings by factor id (after a stale save, what the other editor saved
        is shown beside the field that differs)."""
        saved = saved or {}
        for name in self.errors:
            if name in self.fields:
                widget = self.fields[name].widget
                widget.attrs["class"] = widget.attrs.get("class", "") + " is-invalid"
                widget.attrs["aria-invalid"] = "true"
        return [
            (f, self[level_field(f.pk)], self[note_field(f.pk)], saved.get(f.pk))
            for f in self.factors
        ]

    def ratings(self) -> dict[int, tuple[str, str]]:
        """What the service is given: {factor id: (level, note)}."""
        data = self.cleaned_data
        return {
            f.pk: (data[level_field(f.pk)], data.get(note_field(f.pk)) or "") for f in self.factors
        }
