"""Forms of identification: a rule, a run's year, a change of one school by hand. They validate
input; ``monitoring.lists`` checks the rules and the state again and changes the data."""

from decimal import Decimal

from django import forms
from django.utils.translation import gettext_lazy as _

from schools.text import CheckedText

from .models import IdentificationRule, Indicator

# ``localize``: a decimal comma is what a Russian user types (and is shown); a point works too.
DECIMAL = {"max_digits": 12, "decimal_places": 3, "localize": True}


class RuleForm(CheckedText, forms.Form):
    """The rule of one status; a row per indicator of the catalogue (used, weight, threshold)."""

    version = forms.IntegerField(widget=forms.HiddenInput, required=False)
    is_active = forms.BooleanField(label=_("Правило применяется"), required=False)
    method = forms.ChoiceField(
        label=_("Способ"), choices=IdentificationRule.Method.choices, widget=forms.RadioSelect
    )
    combine = forms.ChoiceField(
        label=_("Для отдельных показателей: признак, когда за порогом"),
        choices=IdentificationRule.Combine.choices,
        widget=forms.RadioSelect,
    )
    threshold_type = forms.ChoiceField(
        label=_("Вид порога"), choices=IdentificationRule.ThresholdType.choices
    )
    threshold = forms.DecimalField(
        label=_("Порог"),
        required=False,
        min_value=Decimal("-100"),
        max_value=Decimal("100000"),
        help_text=IdentificationRule._meta.get_field("threshold").help_text,
        **DECIMAL,
    )
    window_years = forms.IntegerField(label=_("Окно, последних лет"), min_value=1, max_value=10)
    min_years = forms.IntegerField(label=_("Из них лет с признаком"), min_value=1, max_value=10)

    def __init__(self, *args, indicators, **kwargs):
        super().__init__(*args, **kwargs)
        self.indicator_list = list(indicators)
        for indicator in self.indicator_list:
            code = indicator.code
            self.fields[f"use_{code}"] = forms.BooleanField(label=indicator.name, required=False)
            self.fields[f"weight_{code}"] = forms.DecimalField(
                label=_("Вес"),
                required=False,
                min_value=Decimal("0.01"),
                max_value=Decimal("100"),
                max_digits=6,
                decimal_places=2,
                localize=True,
            )
            self.fields[f"threshold_{code}"] = forms.DecimalField(
                label=_("Порог, %(unit)s") % {"unit": indicator.unit},
                required=False,
                min_value=indicator.min_value,
                max_value=indicator.max_value,
                **DECIMAL,
            )

    def indicator_rows(self):
        """(indicator, use field, weight field, threshold field) for the template."""
        return [
            (i, self[f"use_{i.code}"], self[f"weight_{i.code}"], self[f"threshold_{i.code}"])
            for i in self.indicator_list
        ]

    def clean(self):
        data = super().clean()
        if (
            data.get("window_years")
            and data.get("min_years")
            and data["min_years"] > data["window_years"]
        ):
            self.add_error("min_years", _("Лет с признаком не может быть больше, чем лет в окне."))
        chosen = []
        for indicator in self.indicator_list:
            if data.get(f"use_{indicator.code}"):
                weight = data.get(f"weight_{indicator.code}") or Decimal(1)
                chosen.append((indicator, weight, data.get(f"threshold_{indicator.code}")))
        if not chosen and not self.has_error(None):
            self.add_error(None, _("Выберите хотя бы один показатель."))
        data["chosen"] = chosen
        return data

    @staticmethod
    def initial_for(rule, indicators) -> dict:
        if rule is None:
            return {
                "is_active": True,
                "method": IdentificationRule.Method.COMPOSITE,
                "combine": IdentificationRule.Combine.ANY,
                "threshold_type": IdentificationRule.ThresholdType.PERCENTILE,
                "threshold": Decimal(10),
                "window_years": 1,
                "min_years": 1,
            }
        initial = {
            "version": rule.version,
            "is_active": rule.is_active,
            "method": rule.method,
            "combine": rule.combine,
            "threshold_type": rule.threshold_type,
            "threshold": rule.threshold,
            "window_years": rule.window_years,
            "min_years": rule.min_years,
        }
        for ri in rule.indicators.all():
            code = ri.indicator.code
            initial[f"use_{code}"] = True
            initial[f"weight_{code}"] = ri.weight
            initial[f"threshold_{code}"] = ri.threshold
        return initial


class RunForm(forms.Form):
    year = forms.TypedChoiceField(label=_("Перечень на учебный год"), coerce=int, choices=())

    def __init__(self, *args, years, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["year"].choices = [(y, f"{y}/{y + 1}") for y in years]


class EntryForm(CheckedText, forms.Form):
    """Include or exclude one school; the reason is required when it departs from the rule."""

    version = forms.IntegerField(widget=forms.HiddenInput)
    included = forms.TypedChoiceField(
        coerce=lambda v: v == "1",
        choices=[("1", _("включить")), ("0", _("исключить"))],
        widget=forms.HiddenInput,
    )
    reason = forms.CharField(
        label=_("Причина"),
        required=False,
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class VersionForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput)


def catalogue():
    return Indicator.objects.order_by("position", "code")
