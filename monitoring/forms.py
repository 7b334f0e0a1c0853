"""Forms of the monitoring pages: a new campaign and the upload of a filled-in template. They
validate input; the services check the rules again and change the data."""

from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from schools import filetypes
from schools.access import Role, get_access
from schools.ids import ModelMultipleChoiceField
from schools.models import Municipality
from schools.text import CheckedText

from .models import Indicator


class CampaignForm(CheckedText, forms.Form):
    municipality = forms.ModelChoiceField(
        label=_("Муниципалитет"), queryset=Municipality.objects.none()
    )
    year = forms.IntegerField(
        label=_("Учебный год (год начала)"),
        min_value=2000,
        max_value=2100,
        help_text=_("Например, 2025 — результаты 2025/2026 учебного года."),
    )
    name = forms.CharField(label=_("Наименование"), max_length=200)
    indicators = ModelMultipleChoiceField(
        label=_("Показатели"),
        queryset=Indicator.objects.all(),
        widget=forms.CheckboxSelectMultiple,
        required=False,
        help_text=_("Ничего не выбрано — все показатели каталога."),
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        access = get_access(user)
        municipalities = Municipality.objects.order_by("name")
        if not access.is_superuser:
            municipalities = municipalities.filter(pk__in=access.municipality_ids(Role.DEPARTMENT))
        self.fields["municipality"].queryset = municipalities
        if len(access.municipality_ids(Role.DEPARTMENT)) == 1 and not self.is_bound:
            self.initial.setdefault(
                "municipality", next(iter(access.municipality_ids(Role.DEPARTMENT)))
            )


class UploadForm(forms.Form):
    file = forms.FileField(label=_("Заполненный шаблон (XLSX)"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["file"].help_text = _("Файл Excel в формате XLSX, до %(mb)s МБ.") % {
            "mb": settings.UPLOAD_FILE_MAX_BYTES // (1024 * 1024)
        }

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > settings.UPLOAD_FILE_MAX_BYTES:
            raise forms.ValidationError(_("Файл больше допустимого размера."), code="size")
        if filetypes.detect(upload, allowed=(filetypes.XLSX,)) is None:
            raise forms.ValidationError(
                _("Это не книга Excel в формате XLSX (проверено содержимое файла)."),
                code="kind",
            )
        return upload
