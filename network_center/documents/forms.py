"""Forms of the legal-documents UI. They validate input; the services change state."""

import django_filters
from crispy_forms.helper import FormHelper
from crispy_forms.layout import Submit
from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from schools.models import Organisation, Person
from schools.search import text_search

from .body import parse_body_text
from .models import DocumentPoint, DocumentRelation, LegalDocument, can_draft_for

MAX_SCAN_BYTES = 20 * 1024 * 1024


def draftable_issuers(user):
    """Organisations the user prepares documents for (one query plus the access cache)."""
    visible = Organisation.objects.visible_to(user).exclude(kind=Organisation.Kind.REGIONAL_BODY)
    return Organisation.objects.filter(
        pk__in=[org.pk for org in visible if can_draft_for(user, org)]
    ).order_by("short_name")


class _Helper:
    submit_label = _("Сохранить")

    def _helper(self):
        helper = FormHelper()
        helper.add_input(Submit("save", self.submit_label))
        return helper


def _people_of(issuer):
    return Person.objects.filter(organisation=issuer).order_by("last_name")


class DocumentCreateForm(_Helper, forms.ModelForm):
    submit_label = _("Создать проект")

    class Meta:
        model = LegalDocument
        fields = ["issuer", "kind", "heading", "place", "preamble"]
        widgets = {
            "heading": forms.Textarea(attrs={"rows": 2}),
            "preamble": forms.Textarea(attrs={"rows": 4}),
        }

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["issuer"].queryset = draftable_issuers(user)
        self.fields["issuer"].label = _("Издающая организация")
        self.fields["kind"].choices = [
            c for c in LegalDocument.Kind.choices if c[0] != LegalDocument.Kind.LIST
        ]
        self.helper = self._helper()


class DocumentEditForm(_Helper, forms.ModelForm):
    """Requisites of a draft. ``version`` carries what the editor saw, to detect a concurrent
    edit by someone else."""

    version = forms.IntegerField(widget=forms.HiddenInput)

    class Meta:
        model = LegalDocument
        fields = [
            "kind",
            "heading",
            "place",
            "preamble",
            "operative_word",
            "closing",
            "signatory",
            "signatory_position",
            "signatory_acting",
            "executor",
            "in_force_from",
            "approved_by_parent",
        ]
        widgets = {
            "heading": forms.Textarea(attrs={"rows": 2}),
            "preamble": forms.Textarea(attrs={"rows": 5}),
            "closing": forms.Textarea(attrs={"rows": 3}),
            "in_force_from": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        document = self.instance
        people = _people_of(document.issuer)
        self.fields["signatory"].queryset = people
        self.fields["executor"].queryset = Person.objects.filter(
            organisation__municipality_id=document.issuer.municipality_id
        ).select_related("organisation")
        self.fields["version"].initial = document.version
        if document.parent_id:
            for name in (
                "place",
                "preamble",
                "operative_word",
                "signatory",
                "signatory_position",
                "signatory_acting",
                "executor",
                "in_force_from",
            ):
                del self.fields[name]
        else:
            del self.fields["approved_by_parent"]
        self.helper = self._helper()

    def clean(self):
        cleaned = super().clean()
        signatory = cleaned.get("signatory")
        if signatory and not cleaned.get("signatory_position"):
            cleaned["signatory_position"] = signatory.position
        return cleaned

    def changes(self):
        return {name: self.cleaned_data[name] for name in self.fields if name != "version"}


class AppendixForm(_Helper, forms.Form):
    submit_label = _("Добавить приложение")

    kind = forms.ChoiceField(
        label=_("Вид"),
        choices=[
            (LegalDocument.Kind.REGULATION, _("Положение")),
            (LegalDocument.Kind.PLAN, _("План")),
            (LegalDocument.Kind.LIST, _("Состав (список)")),
            (LegalDocument.Kind.AGREEMENT, _("Соглашение")),
            (LegalDocument.Kind.REPORT, _("Отчёт")),
        ],
    )
    heading = forms.CharField(
        label=_("Заголовок"),
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Без вида документа: «о центре сетевого взаимодействия …»."),
    )
    approved_by_parent = forms.BooleanField(
        label=_("Утверждается этим документом (гриф «УТВЕРЖДЕНО»)"), required=False, initial=True
    )
    body = forms.CharField(
        label=_("Текст (необязательно)"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 10}),
        help_text=_("Вставьте текст с нумерацией «1.», «1.1.», «- »: пункты создадутся сами."),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = self._helper()


class PointForm(forms.ModelForm):
    class Meta:
        model = DocumentPoint
        fields = ["text", "style", "executor", "deadline"]
        widgets = {"text": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.form_tag = False


class BodyTextForm(_Helper, forms.Form):
    submit_label = _("Заменить текст")

    text = forms.CharField(
        label=_("Текст документа"),
        widget=forms.Textarea(attrs={"rows": 24}),
        help_text=_(
            "Каждый пункт с новой строки: «1.», «1.1.», «2.2.1.» задают уровень, «- » — абзац с "
            "тире, строка без номера — абзац. Текущие пункты будут заменены."
        ),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = self._helper()

    def clean_text(self):
        parsed = parse_body_text(self.cleaned_data["text"])
        if not parsed:
            raise forms.ValidationError(_("В тексте нет ни одного пункта."))
        self.parsed = parsed
        return self.cleaned_data["text"]


class SignForm(forms.Form):
    password = forms.CharField(
        label=_("Ваш пароль"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password", "autofocus": True}),
        help_text=_("Ввод пароля — это ваша простая электронная подпись (63-ФЗ)."),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.add_input(Submit("sign", _("Подписать"), css_class="btn-success"))


class RegisterForm(_Helper, forms.Form):
    submit_label = _("Зарегистрировать")

    number = forms.CharField(
        label=_("Регистрационный номер"), max_length=50, help_text=_("Как на бумаге: «1-139/1».")
    )
    date = forms.DateField(
        label=_("Дата документа"),
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    scan = forms.FileField(
        label=_("Скан бумажного оригинала (PDF, JPEG или PNG)"),
        help_text=_("До 20 МБ."),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = self._helper()

    def clean_date(self):
        value = self.cleaned_data["date"]
        if value > timezone.localdate():
            raise forms.ValidationError(_("Дата документа не может быть в будущем."))
        return value

    def clean_scan(self):
        scan = self.cleaned_data["scan"]
        if scan.size > MAX_SCAN_BYTES:
            raise forms.ValidationError(_("Файл больше 20 МБ."))
        head = scan.read(8)
        scan.seek(0)
        if not (
            head.startswith(b"%PDF")
            or head.startswith(b"\xff\xd8\xff")
            or head.startswith(b"\x89PNG")
        ):
            raise forms.ValidationError(_("Приложите скан в формате PDF, JPEG или PNG."))
        return scan


class RelationForm(forms.Form):
    kind = forms.ChoiceField(
        label=_("Связь"),
        choices=[
            (DocumentRelation.Kind.AMENDS, _("вносит изменения в")),
            (DocumentRelation.Kind.CANCELS, _("признаёт утратившим силу")),
        ],
    )
    target = forms.ModelChoiceField(label=_("Документ"), queryset=LegalDocument.objects.none())

    def __init__(self, *args, document, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["target"].queryset = (
            LegalDocument.objects.visible_to(user)
            .signed()
            .filter(parent=None, issuer__municipality_id=document.issuer.municipality_id)
            .exclude(pk=document.pk)
            .select_related("issuer")
        )


class VerifyUploadForm(forms.Form):
    file = forms.FileField(label=_("PDF-файл для сверки"))

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > 50 * 1024 * 1024:
            raise forms.ValidationError(_("Файл больше 50 МБ."))
        return upload


class JournalFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(
        label=_("Поиск"),
        method="filter_text",
        widget=forms.TextInput(attrs={"type": "search", "placeholder": _("Заголовок или номер")}),
    )
    issuer = django_filters.ModelChoiceFilter(
        label=_("Организация"), queryset=Organisation.objects.none(), empty_label=_("Все")
    )
    year = django_filters.NumberFilter(
        label=_("Год"), widget=forms.NumberInput(attrs={"min": 2000})
    )
    kind = django_filters.ChoiceFilter(
        label=_("Вид"), choices=LegalDocument.Kind.choices, empty_label=_("Все")
    )
    state = django_filters.ChoiceFilter(
        label=_("Состояние"), choices=LegalDocument.State.choices, empty_label=_("Все")
    )

    class Meta:
        model = LegalDocument
        fields = ["q", "issuer", "year", "kind", "state"]

    def __init__(self, *args, request=None, **kwargs):
        super().__init__(*args, request=request, **kwargs)
        self.filters["issuer"].queryset = Organisation.objects.visible_to(request.user).filter(
            documents__isnull=False
        )

    def filter_text(self, queryset, name, value):
        return text_search(queryset, value, ["heading", "number"])
