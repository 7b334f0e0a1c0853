from crispy_forms.helper import FormHelper
from crispy_forms.layout import Submit
from django import forms
from django.utils.translation import gettext_lazy as _

from .models import Organisation, Person


class OrganisationForm(forms.ModelForm):
    """The card of a school as the department keeps it: names as in orders, contacts, director."""

    class Meta:
        model = Organisation
        fields = ["full_name", "short_name", "address", "phone", "email", "inn", "ogrn", "head"]
        widgets = {"full_name": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["head"].queryset = Person.objects.filter(organisation=self.instance)
        self.fields["head"].label = _("Директор")
        self.helper = FormHelper()
        self.helper.add_input(Submit("save", _("Сохранить")))

    def clean_inn(self):
        inn = self.cleaned_data["inn"].strip()
        if inn and (not inn.isdigit() or len(inn) not in (10, 12)):
            raise forms.ValidationError(_("ИНН состоит из 10 цифр (организация) или 12 цифр."))
        return inn

    def clean_ogrn(self):
        ogrn = self.cleaned_data["ogrn"].strip()
        if ogrn and (not ogrn.isdigit() or len(ogrn) != 13):
            raise forms.ValidationError(_("ОГРН организации состоит из 13 цифр."))
        return ogrn
