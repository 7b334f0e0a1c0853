import re

from crispy_forms.helper import FormHelper
from crispy_forms.layout import Submit
from django import forms
from django.contrib.auth.forms import AuthenticationForm
from django.core.validators import MaxLengthValidator
from django.utils.translation import gettext_lazy as _

from .models import Membership, Organisation, Person
from .text import CheckedText


class LoginForm(CheckedText, AuthenticationForm):
    """Django's login form, with its username checked before any lookup: one line, and no
    longer than a username can be. Django only sets the field's ``max_length`` (for the
    widget), and a failed login is recorded by django-axes under the username tried — a column
    of 255 characters, which PostgreSQL does not let a longer one into."""

    def __init__(self, request=None, *args, **kwargs):
        super().__init__(request, *args, **kwargs)
        username = self.fields["username"]
        username.validators.append(MaxLengthValidator(username.max_length))


class OrganisationForm(CheckedText, forms.ModelForm):
    """The card of an organisation as the department keeps it: names as its acts print them
    (full, short, in the genitive, the letterhead with the higher body), the number pattern of
    its journal, contacts and head. Creating, the kind and municipality are chosen too."""

    class Meta:
        model = Organisation
        fields = [
            "kind",
            "municipality",
            "full_name",
            "short_name",
            "name_genitive",
            "letterhead",
            "higher_body",
            "number_pattern",
            "address",
            "phone",
            "email",
            "inn",
            "ogrn",
            "head",
        ]
        widgets = {
            "full_name": forms.Textarea(attrs={"rows": 3}),
            "letterhead": forms.Textarea(attrs={"rows": 3}),
        }

    def __init__(self, *args, municipalities=None, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            del self.fields["kind"]
            del self.fields["municipality"]
            self.fields["head"].queryset = Person.objects.filter(organisation=self.instance)
            self.fields["head"].label = _("Руководитель")
        else:
            del self.fields["head"]
            self.fields["kind"].choices = [
                c for c in Organisation.Kind.choices if c[0] != Organisation.Kind.REGIONAL_BODY
            ]
            self.fields["municipality"].queryset = municipalities
            self.fields["municipality"].required = True
            only = list(municipalities[:2]) if municipalities is not None else []
            if len(only) == 1:
                self.initial.setdefault("municipality", only[0].pk)
        self.fields["number_pattern"].required = False
        self.helper = FormHelper()
        self.helper.add_input(Submit("save", _("Сохранить")))

    def changes(self):
        return {
            name: self.cleaned_data[name]
            for name in self.fields
            if name not in {"kind", "municipality"}
        }

    def clean_number_pattern(self):
        # Left empty: the pattern the organisation has (a new one numbers «1», «2», …).
        pattern = self.cleaned_data["number_pattern"].strip() or self.instance.number_pattern
        if "{n}" not in pattern:
            raise forms.ValidationError(
                _("В шаблоне номера должно быть {n} — порядковый номер акта в году.")
            )
        return pattern

    def clean_inn(self):
        inn = self.cleaned_data["inn"].strip()
        if inn and not re.fullmatch(r"[0-9]{10}|[0-9]{12}", inn):
            raise forms.ValidationError(_("ИНН состоит из 10 цифр (организация) или 12 цифр."))
        return inn

    def clean_ogrn(self):
        ogrn = self.cleaned_data["ogrn"].strip()
        if ogrn and not re.fullmatch(r"[0-9]{13}", ogrn):
            raise forms.ValidationError(_("ОГРН организации состоит из 13 цифр."))
        return ogrn


class PersonForm(CheckedText, forms.ModelForm):
    """A person of an organisation, as acts name them; creating, an optional login and role."""

    username = forms.CharField(
        label=_("Логин"),
        required=False,
        max_length=150,
        help_text=_("Если сотрудник будет работать в системе."),
    )
    password = forms.CharField(
        label=_("Пароль"),
        required=False,
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )
    role = forms.ChoiceField(label=_("Роль"), required=False)

    class Meta:
        model = Person
        fields = ["last_name", "first_name", "patronymic", "position", "email", "phone"]

    def __init__(self, *args, organisation, **kwargs):
        super().__init__(*args, **kwargs)
        self.organisation = organisation
        if self.instance.pk:
            for name in ("username", "password", "role"):
                del self.fields[name]
        else:
            roles = [
                (role.value, role.label)
                for role in Membership.Role
                if organisation.kind in Membership.ALLOWED_KINDS.get(role, set())
            ]
            self.fields["role"].choices = [("", _("— без роли —")), *roles]
        self.helper = FormHelper()
        self.helper.add_input(Submit("save", _("Сохранить")))

    def clean(self):
        cleaned = super().clean()
        username, password = cleaned.get("username", ""), cleaned.get("password", "")
        if username and not password:
            self.add_error("password", _("Задайте пароль для нового логина."))
        if password and not username:
            self.add_error("username", _("Укажите логин, для которого задан пароль."))
        if username and password:
            from django.contrib.auth import get_user_model
            from django.contrib.auth.password_validation import validate_password

            User = get_user_model()
            if User.objects.filter(username=username).exists():
                self.add_error("username", _("Такой логин уже занят."))
            else:
                try:
                    validate_password(password, User(username=username))
                except forms.ValidationError as exc:
                    self.add_error("password", exc)
        if cleaned.get("role") and not username:
            self.add_error("role", _("Роль даётся вместе с логином."))
        return cleaned

    def person_fields(self):
        return {name: self.cleaned_data[name] for name in self.Meta.fields}
