"""Forms of the legal-documents UI. They validate input; the services change state."""

import django_filters
from crispy_forms.helper import FormHelper
from crispy_forms.layout import Submit
from django import forms
from django.conf import settings
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _

from schools.models import Organisation, Person
from schools.search import text_search
from schools.text import CheckedText

from .body import parse_body_text
from .models import DocumentPoint, DocumentRelation, LegalDocument, SigningRight, can_draft_for


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


def signing_rights_of(issuer, on_date=None, *, keep=None):
    """The issuer's signing rights in force on ``on_date`` (today), and ``keep`` (the one a draft
    already names, so that re-saving the form does not drop it silently)."""
    on_date = on_date or timezone.localdate()
    rights = SigningRight.objects.filter(organisation=issuer)
    in_force = rights.in_force(on_date)
    if keep is not None:
        in_force = in_force | rights.filter(pk=keep)
    return in_force.select_related("person").order_by("kind", "-valid_from")


class SigningRightChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, right):
        basis = f"; {right.basis_text}" if right.basis_text else ""
        return f"{right.printed_position} {right.person.initials_name} ({right.period}{basis})"


class DocumentCreateForm(CheckedText, _Helper, forms.ModelForm):
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
        issuers = draftable_issuers(user)
        self.fields["issuer"].queryset = issuers
        self.fields["issuer"].label = _("Издающая организация")
        # «Место издания» is shown filled from the municipality of the user's issuers, never
        # added behind the drafter's back; they change it where the act says otherwise.
        towns = {
            o.municipality.center_town
            for o in issuers.select_related("municipality")
            if o.municipality_id
        }
        if len(towns) == 1 and not self.is_bound:
            self.initial.setdefault("place", towns.pop())
        self.fields["place"].help_text = _(
            "Место издания по муниципальному образованию издающей организации: «г. Купино»."
        )
        self.fields["kind"].choices = [
            c
            for c in LegalDocument.Kind.choices
            if c[0] not in (LegalDocument.Kind.LIST, LegalDocument.Kind.ROSTER)
        ]
        self.fields["kind"].help_text = _(
            "Администрация издаёт постановления и распоряжения; управление, РМК и школа — приказы."
        )
        self.helper = self._helper()

    def clean(self):
        cleaned = super().clean()
        issuer, kind = cleaned.get("issuer"), cleaned.get("kind")
        if issuer and not cleaned.get("place", "").strip():
            town = issuer.municipality.center_town if issuer.municipality_id else ""
            self.add_error(
                "place",
                _("Укажите место издания, как оно напечатано в акте%(hint)s.")
                % {"hint": f": «{town}»" if town else ""},
            )
        if issuer and kind and kind not in LegalDocument.kinds_for_issuer(issuer):
            acts = ", ".join(
                str(LegalDocument.Kind(k).label).lower()
                for k in LegalDocument.kinds_for_issuer(issuer)
                if k in LegalDocument.ACT_KINDS
            )
            self.add_error(
                "kind",
                _("%(issuer)s не издаёт такие документы: её акты — %(acts)s.")
                % {"issuer": issuer.short_name, "acts": acts},
            )
        return cleaned


class DocumentEditForm(CheckedText, _Helper, forms.ModelForm):
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
            "date_style",
            "signing_right",
            "executor",
            "executor_mark",
            "in_force_from",
            "approved_by_parent",
            "appendix_label",
        ]
        widgets = {
            "heading": forms.Textarea(attrs={"rows": 2}),
            "preamble": forms.Textarea(attrs={"rows": 5}),
            "closing": forms.Textarea(attrs={"rows": 3}),
            # Printed by lines: the executor's name, then the telephone.
            "executor_mark": forms.Textarea(attrs={"rows": 2}),
            "in_force_from": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        document = self.instance
        self.fields["signing_right"] = SigningRightChoiceField(
            label=_("Подписант"),
            queryset=signing_rights_of(document.issuer, keep=document.signing_right_id),
            required=False,
            help_text=_(
                "Лица с правом подписи от имени %(issuer)s (руководитель, исполняющие "
                "обязанности). Права подписи ведёт управление образования."
            )
            % {"issuer": document.issuer.short_name_genitive},
        )
        if "date_style" in self.fields:
            self.fields["date_style"].required = False
        self.fields["kind"].choices = [
            (k.value, k.label)
            for k in LegalDocument.kinds_for_issuer(
                document.issuer, appendix=document.parent_id is not None
            )
        ]
        self.fields["executor"].queryset = Person.objects.filter(
            organisation__municipality_id=document.issuer.municipality_id
        ).select_related("organisation")
        self.fields["version"].initial = document.version
        if document.parent_id:
            for name in (
                "place",
                "preamble",
                "operative_word",
                "date_style",
                "signing_right",
                "executor",
                "executor_mark",
                "in_force_from",
            ):
                del self.fields[name]
        else:
            del self.fields["approved_by_parent"]
            del self.fields["appendix_label"]
        self.helper = self._helper()

    def clean_date_style(self):
        # Not posted (an older form, a script): the act keeps the form of date it has.
        return self.cleaned_data.get("date_style") or self.instance.date_style

    def changes(self):
        return {name: self.cleaned_data[name] for name in self.fields if name != "version"}


class AppendixForm(CheckedText, _Helper, forms.Form):
    submit_label = _("Добавить приложение")

    kind = forms.ChoiceField(
        label=_("Вид"),
        choices=[
            (LegalDocument.Kind.REGULATION, _("Положение")),
            (LegalDocument.Kind.PLAN, _("План")),
            (LegalDocument.Kind.LIST, _("Состав (список)")),
            (LegalDocument.Kind.ROSTER, _("Перечень")),
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


class PointForm(CheckedText, forms.ModelForm):
    class Meta:
        model = DocumentPoint
        fields = ["text", "style", "executor", "deadline"]
        widgets = {"text": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.form_tag = False


class BodyTextForm(CheckedText, _Helper, forms.Form):
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


class SignForm(CheckedText, forms.Form):
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


class RegisterForm(CheckedText, _Helper, forms.Form):
    submit_label = _("Зарегистрировать")

    number = forms.CharField(
        label=_("Регистрационный номер"),
        max_length=50,
        # One line, as every text input (CheckedText): a number prints in headers and names.
        help_text=_("Как на бумаге: «1-139/1»."),
    )
    date = forms.DateField(
        label=_("Дата документа"),
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    signing_right = SigningRightChoiceField(
        label=_("Кто подписал на бумаге"),
        queryset=SigningRight.objects.none(),
        help_text=_("Из лиц с правом подписи организации; право должно действовать на дату акта."),
    )
    scan = forms.FileField(
        label=_("Скан бумажного оригинала (PDF, JPEG или PNG)"),
        help_text=_("До 20 МБ."),
    )

    def __init__(self, *args, document, **kwargs):
        super().__init__(*args, **kwargs)
        self.document = document
        self.fields["signing_right"].queryset = (
            SigningRight.objects.filter(organisation=document.issuer)
            .select_related("person")
            .order_by("-valid_from")
        )
        self.helper = self._helper()

    def clean(self):
        cleaned = super().clean()
        right, on_date = cleaned.get("signing_right"), cleaned.get("date")
        if right and on_date and not right.in_force_on(on_date):
            self.add_error(
                "signing_right",
                _("Право подписи «%(right)s» действует %(period)s, а не на %(date)s.")
                % {
                    "right": right,
                    "period": right.period,
                    "date": date_format(on_date, "SHORT_DATE_FORMAT"),
                },
            )
        return cleaned

    def clean_date(self):
        value = self.cleaned_data["date"]
        if value > timezone.localdate():
            raise forms.ValidationError(_("Дата документа не может быть в будущем."))
        return value

    def clean_scan(self):
        scan = self.cleaned_data["scan"]
        limit = settings.UPLOAD_FILE_MAX_BYTES
        if scan.size > limit:
            raise forms.ValidationError(
                _("Файл больше %(mb)s МБ.") % {"mb": limit // (1024 * 1024)}
            )
        kind = scan_type(scan)
        if kind is None:
            raise forms.ValidationError(
                _("Файл не читается как PDF, JPEG или PNG: приложите скан бумажного оригинала.")
            )
        # Stored under the extension of what it is, whatever it was called.
        scan.name = f"scan.{kind}"
        return scan


# The kinds of scan accepted, by the type their content is, and the extension stored.
SCAN_TYPES = {"pdf": "application/pdf", "jpg": "image/jpeg", "png": "image/png"}


def scan_type(upload) -> str | None:
    """The kind of the upload judged by its content (``schools.filetypes``): ``pdf``, ``jpg``
    or ``png``, or None."""
    from schools import filetypes

    kind = filetypes.detect(upload, allowed=(filetypes.PDF, filetypes.JPEG, filetypes.PNG))
    return kind.extension if kind else None


def scan_is_readable(upload) -> bool:
    return scan_type(upload) is not None


class RelationForm(CheckedText, forms.Form):
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


class VerifyUploadForm(CheckedText, forms.Form):
    file = forms.FileField(label=_("PDF-файл для сверки"))

    def clean_file(self):
        upload = self.cleaned_data["file"]
        limit = settings.UPLOAD_FILE_MAX_BYTES
        if upload.size > limit:
            raise forms.ValidationError(
                _("Файл больше %(mb)s МБ.") % {"mb": limit // (1024 * 1024)}
            )
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


class SigningRightForm(CheckedText, _Helper, forms.ModelForm):
    """A right to sign for an organisation of the department's municipality."""

    submit_label = _("Внести право подписи")

    class Meta:
        model = SigningRight
        fields = [
            "organisation",
            "person",
            "kind",
            "position",
            "valid_from",
            "valid_until",
            "basis_text",
        ]
        widgets = {
            "valid_from": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "valid_until": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        }

    def __init__(self, *args, organisations, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organisation"].queryset = organisations
        self.fields["person"].queryset = (
            Person.objects.filter(organisation__in=organisations)
            .select_related("organisation")
            .order_by("organisation__short_name", "last_name")
        )
        self.fields["person"].label_from_instance = lambda p: (
            f"{p.full_name}, {p.position} ({p.organisation.short_name})"
        )
        self.helper = self._helper()


class EndSigningRightForm(CheckedText, forms.Form):
    last_day = forms.DateField(
        label=_("Последний день"), widget=forms.DateInput(attrs={"type": "date"})
    )
