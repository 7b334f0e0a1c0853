"""Forms of an event's execution: the report of a held event (its participants per school and
its evidence files), a postponement, and the center head's decision. They validate input — an
evidence file by its content (``schools.filetypes``) — and the services change state."""

import os
import re

from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from schools import filetypes
from schools.models import Person
from schools.text import CheckedText

from .forms import DATE, _DatesMixin
from .models import Execution, Line

# A name kept for the download: no folders, no control characters, no characters that a
# file system or a Content-Disposition header would take for something else.
UNSAFE_NAME = re.compile(r'[\x00-\x1f\x7f-\x9f\u2028\u2029<>:"/\\|?*]')
MAX_FILES = 10


def safe_file_name(name: str) -> str:
    """«../../Протокол семинара.pdf» → «Протокол семинара.pdf»."""
    base = os.path.basename(name.replace("\\", "/"))
    base = UNSAFE_NAME.sub("_", base).strip(" .")
    return (base or "файл")[-200:]


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class EvidenceField(forms.FileField):
    """Several files at once, each judged by its content: PDF, JPEG, PNG, DOCX, XLSX or PPTX,
    not empty, within ``UPLOAD_FILE_MAX_BYTES``. Cleans to a list of ``(upload, kind)``."""

    widget = MultipleFileInput

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("required", False)
        super().__init__(*args, **kwargs)
        self.widget.attrs.setdefault("accept", ".pdf,.jpg,.jpeg,.png,.docx,.xlsx,.pptx")

    def clean(self, data, initial=None):
        uploads = [u for u in (data if isinstance(data, (list, tuple)) else [data]) if u]
        if not uploads:
            if self.required:
                raise forms.ValidationError(self.error_messages["required"], code="required")
            return []
        if len(uploads) > MAX_FILES:
            raise forms.ValidationError(
                ngettext(
                    "За один раз можно приложить не больше %(n)s файла.",
                    "За один раз можно приложить не больше %(n)s файлов.",
                    MAX_FILES,
                )
                % {"n": MAX_FILES}
            )
        limit = settings.UPLOAD_FILE_MAX_BYTES
        cleaned, problems = [], []
        for upload in uploads:
            name = safe_file_name(upload.name or "")
            if not upload.size:
                problems.append(_("«%(name)s»: файл пустой.") % {"name": name})
                continue
            if upload.size > limit:
                problems.append(
                    _("«%(name)s»: файл больше %(mb)s МБ.")
                    % {"name": name, "mb": limit // (1024 * 1024)}
                )
                continue
            kind = filetypes.detect(upload, allowed=filetypes.EVIDENCE_KINDS)
            if kind is None:
                problems.append(
                    _(
                        "«%(name)s»: по содержимому это не PDF, JPEG, PNG, DOCX, XLSX или PPTX — "
                        "такой файл не принимается."
                    )
                    % {"name": name}
                )
                continue
            stem = name.rsplit(".", 1)[0] if "." in name else name
            # The name given back on download ends with what the file is.
            upload.name = f"{stem}.{kind.extension}"
            cleaned.append((upload, kind))
        if problems:
            raise forms.ValidationError(
                [*problems, _("Ни один файл не сохранён: исправьте и приложите их снова.")]
            )
        return cleaned


class ReportForm(CheckedText, forms.Form):
    """A held event's report: the actual date, the participants of each school of the event
    (a number each, the names optional), the outcome, the materials and evidence files."""

    version = forms.IntegerField(widget=forms.HiddenInput, required=False)
    held_on = forms.DateField(label=_("Когда состоялось"), widget=DATE)
    outcome = forms.CharField(
        label=_("Итоги"),
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("Что сделано, что получилось, какие решения приняты."),
    )
    materials = forms.CharField(
        label=_("Материалы"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Программа, презентации, ссылки на записи — что осталось от мероприятия."),
    )
    files = EvidenceField(
        label=_("Файлы (подтверждение)"),
        help_text=_("PDF, JPEG, PNG, DOCX, XLSX или PPTX, каждый не больше %(mb)s МБ.")
        % {"mb": settings.UPLOAD_FILE_MAX_BYTES // (1024 * 1024)},
    )

    def __init__(self, *args, execution: Execution, **kwargs):
        super().__init__(*args, **kwargs)
        self.execution = execution
        line = execution.line
        schools = list(line.schools.all())
        if line.venue and line.venue not in schools:
            schools.insert(0, line.venue)
        self.schools = schools
        existing = {p.school_id: p for p in execution.participations.all()}
        people = Person.objects.filter(organisation__in=schools).order_by("last_name", "first_name")
        by_school: dict[int, list] = {}
        for person in people:
            by_school.setdefault(person.organisation_id, []).append(person.pk)
        for school in schools:
            before = existing.get(school.pk)
            self.fields[f"count_{school.pk}"] = forms.IntegerField(
                label=_("%(school)s: участников") % {"school": school.short_name},
                min_value=0,
                max_value=10000,
                required=False,
                initial=before.count if before else None,
            )
            self.fields[f"persons_{school.pk}"] = forms.ModelMultipleChoiceField(
                label=_("%(school)s: поимённо (необязательно)") % {"school": school.short_name},
                queryset=people.filter(pk__in=by_school.get(school.pk, [])),
                required=False,
                widget=forms.SelectMultiple(attrs={"size": 4}),
                initial=[p.pk for p in before.persons.all()] if before else None,
            )
        if not self.is_bound:
            self.initial.setdefault("version", execution.version)
            if execution.held_on:
                self.initial.update(
                    held_on=execution.held_on,
                    outcome=execution.outcome,
                    materials=execution.materials,
                )

    def school_fields(self):
        """(school, its count field, its persons field) for the template's table."""
        return [
            (school, self[f"count_{school.pk}"], self[f"persons_{school.pk}"])
            for school in self.schools
        ]

    def clean(self):
        cleaned = super().clean()
        participants = []
        for school in self.schools:
            count = cleaned.get(f"count_{school.pk}") or 0
            persons = list(cleaned.get(f"persons_{school.pk}") or [])
            if persons and count < len(persons):
                self.add_error(
                    f"count_{school.pk}",
                    _("Названо поимённо больше людей (%(named)s), чем участников.")
                    % {"named": len(persons)},
                )
            if count:
                participants.append((school, count, persons))
        if not participants and not self.errors:
            self.add_error(None, _("Укажите, сколько человек участвовало хотя бы от одной школы."))
        cleaned["participants"] = participants
        return cleaned


class PostponeForm(CheckedText, _DatesMixin, forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)
    date_kind = forms.ChoiceField(label=_("Срок"), choices=Line.DateKind.choices)
    date_from = forms.DateField(label=_("Новая дата (начало)"), widget=DATE)
    date_to = forms.DateField(label=_("Окончание периода"), widget=DATE, required=False)
    reason = forms.CharField(label=_("Причина переноса"), widget=forms.Textarea(attrs={"rows": 2}))


class EvidenceForm(forms.Form):
    files = EvidenceField(label=_("Файлы"), required=True)


class DecisionForm(CheckedText, forms.Form):
    comment = forms.CharField(
        label=_("Комментарий"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
