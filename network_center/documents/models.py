"""Legal documents: orders, resolutions, regulations, agreements, plans and reports.

A document is a draft until it is signed (or registered from a paper original); from then on it is
immutable — refused here in the model layer and in ``network_center.services.documents``. The PDF
of a signed document is rendered once, after commit, stored with its SHA-256, and is the document.
Appendices are documents of their own, ordered under their parent and signed with it.
"""

import hashlib
import secrets

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import F, Q
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from schools.access import Role, get_access
from schools.history import AppendOnlyModel
from schools.models import Organisation, Person

from .language import in_russian


class SignedDocumentError(ValidationError):
    """Raised when something tries to change a signed document."""


class DocumentQuerySet(models.QuerySet):
    def visible_to(self, user):
        """Documents the user may open.

        Department staff and methodologists see every document issued in their municipality;
        a regional observer, every document of the regions it curates; the staff of an
        organisation, its own documents, drafts included; and everyone, the signed documents
        whose readers (``DocumentReader``, set by the service that made the act) include one of
        their organisations.

        Of constant shape: the document's own columns compared with ids and id subqueries — no
        join multiplies rows, so no ``DISTINCT``, and the caller may ``select_related``."""
        access = get_access(user)
        if access.is_superuser:
            return self
        if access.user_id is None:
            return self.none()
        own = access.organisation_ids()
        q = Q(issuer_id__in=own)
        if access.full_municipality_ids or access.observed_region_ids:
            q |= Q(
                issuer_id__in=Organisation.objects.filter(
                    Q(municipality_id__in=access.full_municipality_ids)
                    | Q(region_id__in=access.observed_region_ids)
                ).values("pk")
            )
        if own:
            q |= Q(
                pk__in=DocumentReader.objects.filter(
                    organisation_id__in=own, document__state=LegalDocument.State.SIGNED
                ).values("document_id")
            )
        return self.filter(q)

    def signed(self):
        return self.filter(state=LegalDocument.State.SIGNED)

    def update(self, **kwargs):
        # Bulk updates bypass save(); refuse them for signed rows except the fields that record
        # later events (loss of force), which do not change what was signed.
        if (
            set(kwargs) - LegalDocument.MUTABLE_AFTER_SIGNING
            and self.filter(state=LegalDocument.State.SIGNED).exists()
        ):
            raise SignedDocumentError(_("Подписанный документ изменить нельзя."))
        return super().update(**kwargs)


class LegalDocument(models.Model):
    """An act of an organisation: its requisites, structured body, signature and stored PDF."""

    class Kind(models.TextChoices):
        ORDER = "order", _("Приказ")
        RESOLUTION = "resolution", _("Постановление")
        DIRECTIVE = "directive", _("Распоряжение")
        REGULATION = "regulation", _("Положение")
        AGREEMENT = "agreement", _("Соглашение о сотрудничестве")
        PLAN = "plan", _("План")
        REPORT = "report", _("Отчёт")
        LIST = "list", _("Состав (список)")
        ROSTER = "roster", _("Перечень")

    class State(models.TextChoices):
        DRAFT = "draft", _("Проект")
        SIGNED = "signed", _("Подписан")

    class Origin(models.TextChoices):
        ELECTRONIC = "electronic", _("Подписан в системе простой электронной подписью")
        PAPER = "paper", _("Зарегистрирован по бумажному оригиналу")

    class DateStyle(models.TextChoices):
        NUMERIC = "numeric", _("22.06.2021")
        WORDS = "words", _("22 мая 2017 г.")

    STATE_BADGE = {State.DRAFT: "secondary", State.SIGNED: "success"}

    # Kinds that are administrative acts with an operative word and points.
    ACT_KINDS = {Kind.ORDER, Kind.RESOLUTION, Kind.DIRECTIVE}
    # Which administrative acts each kind of issuer issues: an administration resolves and
    # directs (постановления, распоряжения); a department, an office or a school orders
    # (приказы). Other kinds (agreements, plans, regulations, reports) fit any issuer.
    ISSUER_ACTS = {
        Organisation.Kind.ADMINISTRATION: {Kind.RESOLUTION, Kind.DIRECTIVE},
        Organisation.Kind.REGIONAL_BODY: {Kind.ORDER, Kind.DIRECTIVE},
    }
    DEFAULT_ISSUER_ACTS = {Kind.ORDER}
    # The printed title word (реквизит 10) of each kind.
    TITLES = {
        Kind.ORDER: "ПРИКАЗ",
        Kind.RESOLUTION: "ПОСТАНОВЛЕНИЕ",
        Kind.DIRECTIVE: "РАСПОРЯЖЕНИЕ",
        Kind.REGULATION: "ПОЛОЖЕНИЕ",
        Kind.AGREEMENT: "СОГЛАШЕНИЕ",
        Kind.PLAN: "ПЛАН",
        Kind.REPORT: "ОТЧЁТ",
        Kind.LIST: "СОСТАВ",
        Kind.ROSTER: "ПЕРЕЧЕНЬ",
    }
    # Gender and number of the approval stamp: «УТВЕРЖДЕН план», «УТВЕРЖДЕНО положение».
    APPROVAL_WORD = {
        Kind.REGULATION: "УТВЕРЖДЕНО",
        Kind.AGREEMENT: "УТВЕРЖДЕНО",
        Kind.PLAN: "УТВЕРЖДЕН",
        Kind.REPORT: "УТВЕРЖДЕН",
        Kind.LIST: "УТВЕРЖДЕН",
        Kind.ROSTER: "УТВЕРЖДЕН",
        Kind.ORDER: "УТВЕРЖДЕН",
        Kind.RESOLUTION: "УТВЕРЖДЕНО",
        Kind.DIRECTIVE: "УТВЕРЖДЕНО",
    }
    # «к приказу», «к постановлению»: the appendix mark names its parent in the dative.
    DATIVE = {
        Kind.ORDER: "приказу",
        Kind.RESOLUTION: "постановлению",
        Kind.DIRECTIVE: "распоряжению",
        Kind.REGULATION: "положению",
        Kind.AGREEMENT: "соглашению",
        Kind.PLAN: "плану",
        Kind.REPORT: "отчёту",
        Kind.LIST: "составу",
        Kind.ROSTER: "перечню",
    }
    # «приказом», «постановлением»: the approval stamp names the approving act in the instrumental.
    INSTRUMENTAL = {
        Kind.ORDER: "приказом",
        Kind.RESOLUTION: "постановлением",
        Kind.DIRECTIVE: "распоряжением",
    }
    # Fields that may change after signing: they record later acts, not the signed content.
    MUTABLE_AFTER_SIGNING = {"lost_force_by", "lost_force_on", "pdf", "pdf_sha256", "pdf_size"}

    issuer = models.ForeignKey(
        Organisation,
        on_delete=models.PROTECT,
        related_name="documents",
        verbose_name=_("издавшая организация"),
    )
    kind = models.CharField(_("вид документа"), max_length=16, choices=Kind.choices)
    state = models.CharField(
        _("состояние"), max_length=16, choices=State.choices, default=State.DRAFT, editable=False
    )
    origin = models.CharField(
        _("происхождение"),
        max_length=16,
        choices=Origin.choices,
        default=Origin.ELECTRONIC,
        editable=False,
    )
    parent = models.ForeignKey(
        "self",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="appendices",
        verbose_name=_("приложение к документу"),
    )
    appendix_number = models.PositiveSmallIntegerField(_("номер приложения"), null=True, blank=True)
    approved_by_parent = models.BooleanField(
        _("утверждается документом-родителем"),
        default=False,
        help_text=_("Печатать гриф «УТВЕРЖДЕНО приказом … от … № …»."),
    )
    # Registration requisites: assigned at signing (or entered for a paper original).
    number = models.CharField(_("регистрационный номер"), max_length=50, blank=True)
    sequence = models.PositiveIntegerField(_("порядковый номер в году"), null=True, blank=True)
    year = models.PositiveSmallIntegerField(_("год регистрации"), null=True, blank=True)
    date = models.DateField(_("дата"), null=True, blank=True)
    date_style = models.CharField(
        _("форма даты"),
        max_length=8,
        choices=DateStyle.choices,
        default=DateStyle.NUMERIC,
        help_text=_("Как дата напечатана в акте: «22.06.2021» или «22 мая 2017 г.»."),
    )
    place = models.CharField(
        _("место издания"), max_length=100, blank=True, help_text=_("«г. Дмитриев»")
    )
    heading = models.TextField(
        _("заголовок"),
        help_text=_("«О создании муниципального центра …»; для положения — «о центре …»."),
    )
    preamble = models.TextField(_("преамбула"), blank=True)
    operative_word = models.CharField(
        _("распорядительное слово"),
        max_length=40,
        blank=True,
        help_text=_("Пусто — по виду документа: «ПРИКАЗЫВАЮ», «ПОСТАНОВЛЯЕТ»."),
    )
    closing = models.TextField(
        _("заключительный текст"),
        blank=True,
        help_text=_("Текст после пунктов, например подписи сторон соглашения."),
    )
    table = models.JSONField(
        _("таблица"),
        null=True,
        blank=True,
        help_text=_("Табличная часть: {«columns»: […], «rows»: [[…], …]}."),
    )
    agreement_sheet = models.JSONField(
        _("лист согласования"),
        null=True,
        blank=True,
        help_text=_("{«columns»: [заголовки граф], «rows»: [[…], …]}: строка на каждую сторону."),
    )
    approval_by_signature = models.BooleanField(
        _("утверждается подписью («УТВЕРЖДАЮ»)"),
        default=False,
        help_text=_("Гриф «УТВЕРЖДАЮ» с должностью и подписью подписанта вместо приказа."),
    )
    signatory = models.ForeignKey(
        Person,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("подписант"),
    )
    signatory_position = models.CharField(
        _("должность подписанта"),
        max_length=200,
        blank=True,
        help_text=_(
            "Как печатать: «Начальник Управления»; для исполняющего обязанности — в родительном "
            "падеже: «начальника Управления» (напечатается «И.о. начальника Управления»)."
        ),
    )
    signatory_acting = models.BooleanField(_("исполняющий обязанности"), default=False)
    # Who may sign is data (``SigningRight``): the signatory, the printed position and «И.о.»
    # above are copied from the right chosen here, never typed.
    signing_right = models.ForeignKey(
        "SigningRight",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("право подписи"),
    )
    executor = models.ForeignKey(
        Person,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("исполнитель"),
        help_text=_("Отметка об исполнителе внизу последней страницы."),
    )
    executor_mark = models.CharField(
        _("отметка об исполнителе"),
        max_length=300,
        blank=True,
        help_text=_(
            "Внизу слева последней страницы, по строкам: «Н.И. Карпенко» и «8 (38358) 2-12-34». "
            "Пусто — по карточке исполнителя."
        ),
    )
    appendix_label = models.CharField(
        _("обозначение приложения"),
        max_length=60,
        blank=True,
        help_text=_(
            "Если в акте иначе, чем по ГОСТ: «Приложение 1», «Приложение № 2». Пусто — "
            "«Приложение» для единственного, «Приложение N» при нескольких."
        ),
    )
    # Validity.
    in_force_from = models.DateField(_("вступает в силу"), null=True, blank=True)
    lost_force_by = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("утратил силу на основании"),
    )
    lost_force_on = models.DateField(_("утратил силу с"), null=True, blank=True)
    # Signature and the stored document.
    signed_at = models.DateTimeField(_("подписан"), null=True, blank=True, editable=False)
    signed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        editable=False,
        verbose_name=_("подписал (учётная запись)"),
    )
    verification_code = models.CharField(
        _("код проверки"), max_length=20, null=True, blank=True, unique=True, editable=False
    )
    pdf = models.FileField(_("PDF"), upload_to="documents/%Y/", blank=True, editable=False)
    pdf_sha256 = models.CharField(_("SHA-256 PDF"), max_length=64, blank=True, editable=False)
    pdf_size = models.PositiveIntegerField(_("размер PDF"), null=True, blank=True, editable=False)
    scan = models.FileField(
        _("скан бумажного оригинала"), upload_to="scans/%Y/", blank=True, editable=False
    )
    # Optimistic concurrency for drafts: the editor posts the version it saw.
    version = models.PositiveIntegerField(default=1, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        editable=False,
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = DocumentQuerySet.as_manager()
    # Every save and the deletion of a draft, with who and when (the drafts' edits, the act of
    # signing); a draft deleted by mistake can be read back from here.
    history = HistoricalRecords(excluded_fields=["version", "updated_at"])

    class Meta:
        verbose_name = _("документ")
        verbose_name_plural = _("документы")
        ordering = ["-date", "-sequence", "-pk"]
        constraints = [
            # The registration journal: one number per issuer and year. Sequence numbering
            # relies on the second constraint to stay correct under concurrent signing.
            models.UniqueConstraint(
                fields=["issuer", "year", "number"],
                condition=~Q(number=""),
                name="document_number_unique_per_issuer_year",
            ),
            models.UniqueConstraint(
                fields=["issuer", "year", "sequence"],
                condition=Q(sequence__isnull=False),
                name="document_sequence_unique_per_issuer_year",
            ),
            models.UniqueConstraint(
                fields=["parent", "appendix_number"],
                condition=Q(parent__isnull=False),
                name="document_appendix_number_unique",
            ),
            # A signed top-level document always has its requisites.
            models.CheckConstraint(
                condition=Q(state="draft")
                | ~Q(parent=None)
                | (~Q(number="") & Q(date__isnull=False)),
                name="document_signed_has_number_and_date",
            ),
        ]
        indexes = [models.Index(fields=["issuer", "year", "kind"], name="document_journal_idx")]

    @in_russian
    def __str__(self):
        # An act is named as it was issued, in lists and breadcrumbs too (``documents.language``).
        if self.parent_id and self.appendix_number:
            return f"Приложение {self.appendix_number}: {self.title_line}"
        if self.is_signed or self.number:
            return f"{self.get_kind_display()} от {self.date:%d.%m.%Y} № {self.number}"
        return f"{self.get_kind_display()} (проект): {self.heading[:80]}"

    # --- immutability --------------------------------------------------------------------------
    def save(self, *args, **kwargs):
        if self.pk and not getattr(self, "_signing", False):
            stored = type(self).objects.filter(pk=self.pk).values_list("state", flat=True).first()
            if stored == self.State.SIGNED:
                update_fields = kwargs.get("update_fields")
                if update_fields is None or set(update_fields) - self.MUTABLE_AFTER_SIGNING:
                    raise SignedDocumentError(_("Подписанный документ изменить нельзя."))
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        if self.is_signed:
            raise SignedDocumentError(_("Подписанный документ удалить нельзя."))
        return super().delete(*args, **kwargs)

    @classmethod
    def kinds_for_issuer(cls, issuer, *, appendix=False):
        """The kinds a document of ``issuer`` may have (an appendix: anything but an act)."""
        if appendix:
            return [k for k in cls.Kind if k not in cls.ACT_KINDS]
        acts = cls.ISSUER_ACTS.get(issuer.kind, cls.DEFAULT_ISSUER_ACTS)
        return [k for k in cls.Kind if k not in cls.ACT_KINDS or k in acts]

    # --- derived requisites -------------------------------------------------------------------
    @property
    def is_signed(self):
        return self.state == self.State.SIGNED

    @property
    def is_draft(self):
        return self.state == self.State.DRAFT

    @property
    def root(self):
        doc = self
        while doc.parent_id:
            doc = doc.parent
        return doc

    @property
    def is_act(self):
        return self.kind in self.ACT_KINDS

    @property
    def title_word(self):
        return self.TITLES[self.kind]

    @property
    def title_line(self):
        """«Положение о центре …», «Соглашение о сотрудничестве …» as the document's name in
        lists: the title word, then the heading (which goes on from it)."""
        return f"{self.TITLES[self.kind].capitalize()} {self.heading}".strip()

    @property
    def default_operative_word(self):
        if self.kind == self.Kind.ORDER:
            return "ПРИКАЗЫВАЮ"
        if self.kind == self.Kind.RESOLUTION:
            # An administration resolves in the third person; a head of body in the first.
            return "ПОСТАНОВЛЯЕТ" if self.issuer.kind != Organisation.Kind.SCHOOL else "ПОСТАНОВЛЯЮ"
        if self.kind == self.Kind.DIRECTIVE:
            return ""
        return ""

    @property
    def spaced_operative_word(self):
        """«П Р И К А З Ы В А Ю:» — the operative word printed letter-spaced."""
        word = self.operative_word or self.default_operative_word
        return " ".join(word.replace(" ", "")) + ":" if word else ""

    @property
    def approval_word(self):
        return self.APPROVAL_WORD[self.kind]

    @property
    def display_number(self):
        return self.number or "___"

    @property
    def verification_url(self):
        if not self.verification_code:
            return ""
        return f"{settings.SITE_URL}/verify/{self.verification_code}/"

    @property
    @in_russian
    def download_name(self):
        """«Приказ_1-139-1_от_22.05.2017.pdf»: slashes in numbers become hyphens."""
        kind = self.get_kind_display().split(" ")[0]
        if self.number and self.date:
            number = self.number.replace("/", "-").replace("\\", "-").replace(" ", "_")
            return f"{kind}_{number}_от_{self.date:%d.%m.%Y}.pdf"
        return f"{kind}_проект_{self.pk}.pdf"

    @in_russian
    def appendix_mark(self, *, sole: bool | None = None):
        """«Приложение к постановлению администрации … от 22.06.2021 № 466» (ГОСТ Р 7.0.97-2025:
        a single appendix is not numbered), «Приложение 2 к приказу …» when the act has
        several; ``appendix_label`` when the act words it otherwise. ``sole``: whether the
        parent has one appendix (asked of the database when not given)."""
        if not self.parent_id:
            return ""
        parent = self.parent
        if sole is None:
            sole = not type(self).objects.filter(parent_id=parent.pk).exclude(pk=self.pk).exists()
        label = self.appendix_label.strip() or (
            "Приложение"
            if sole or not self.appendix_number
            else f"Приложение {self.appendix_number}"
        )
        date = f"{parent.date:%d.%m.%Y}" if parent.date else "__.__.____"
        return (
            f"{label} к {self.DATIVE[parent.kind]} {parent.issuer.short_name_genitive}"
            f" от {date} № {parent.display_number}"
        )

    @in_russian
    def approval_stamp(self):
        """(word, by-line) of the stamp «УТВЕРЖДЕНО / приказом … от … № …», or None."""
        if not (self.parent_id and self.approved_by_parent):
            return None
        parent = self.parent
        date = f"{parent.date:%d.%m.%Y}" if parent.date else "__.__.____"
        by = self.INSTRUMENTAL.get(parent.kind, parent.get_kind_display().lower())
        return (
            self.approval_word,
            f"{by} {parent.issuer.short_name_genitive} от {date} № {parent.display_number}",
        )


def new_verification_code() -> str:
    """12 characters from an alphabet without look-alikes, grouped «7K3M-9QXD-2HFA»."""
    alphabet = "23456789ABCDEFGHJKLMNPQRSTUVWXYZ"
    raw = "".join(secrets.choice(alphabet) for _ in range(12))
    return f"{raw[:4]}-{raw[4:8]}-{raw[8:]}"


def sha256_of(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


class DocumentPointQuerySet(models.QuerySet):
    def update(self, **kwargs):
        if self.filter(document__state=LegalDocument.State.SIGNED).exists():
            raise SignedDocumentError(_("Подписанный документ изменить нельзя."))
        return super().update(**kwargs)

    def delete(self):
        if self.filter(document__state=LegalDocument.State.SIGNED).exists():
            raise SignedDocumentError(_("Подписанный документ изменить нельзя."))
        return super().delete()


class DocumentPoint(models.Model):
    """A point of an order, or a section / clause / sub-clause / bullet of a regulation.

    Numbers are not stored: they follow from the tree and the positions («2.2.1.»), so points can
    be reordered freely while the document is a draft.
    """

    class Style(models.TextChoices):
        NUMBERED = "numbered", _("Нумерованный пункт")
        BULLET = "bullet", _("Абзац с тире")
        PARAGRAPH = "paragraph", _("Абзац без номера")

    document = models.ForeignKey(
        LegalDocument, on_delete=models.CASCADE, related_name="points", verbose_name=_("документ")
    )
    parent = models.ForeignKey(
        "self",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="children",
        verbose_name=_("вышестоящий пункт"),
    )
    position = models.PositiveIntegerField(_("порядок"), default=0)
    style = models.CharField(
        _("оформление"), max_length=16, choices=Style.choices, default=Style.NUMBERED
    )
    text = models.TextField(_("текст"))
    executor = models.CharField(
        _("исполнитель"), max_length=200, blank=True, help_text=_("«Крюкова В.И.»")
    )
    deadline = models.CharField(
        _("срок"), max_length=100, blank=True, help_text=_("«до 01.09.2026», «ежегодно»")
    )

    objects = DocumentPointQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("пункт документа")
        verbose_name_plural = _("пункты документа")
        ordering = ["document", "parent_id", "position", "pk"]

    def __str__(self):
        return self.text[:80]

    def save(self, *args, **kwargs):
        self._refuse_if_signed()
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        self._refuse_if_signed()
        return super().delete(*args, **kwargs)

    def _refuse_if_signed(self):
        state = (
            LegalDocument.objects.filter(pk=self.document_id)
            .values_list("state", flat=True)
            .first()
        )
        if state == LegalDocument.State.SIGNED:
            raise SignedDocumentError(_("Подписанный документ изменить нельзя."))


class DocumentRelation(models.Model):
    """«Приказ № 1-139/1 утверждает Положение», «приказ № 45 отменяет приказ № 12»."""

    class Kind(models.TextChoices):
        APPROVES = "approves", _("утверждает")
        AMENDS = "amends", _("вносит изменения в")
        CANCELS = "cancels", _("признаёт утратившим силу")

    source = models.ForeignKey(
        LegalDocument, on_delete=models.CASCADE, related_name="relations", verbose_name=_("акт")
    )
    kind = models.CharField(_("связь"), max_length=16, choices=Kind.choices)
    target = models.ForeignKey(
        LegalDocument,
        on_delete=models.PROTECT,
        related_name="related_from",
        verbose_name=_("документ"),
    )
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("связь документов")
        verbose_name_plural = _("связи документов")
        constraints = [
            models.UniqueConstraint(
                fields=["source", "kind", "target"], name="document_relation_unique"
            ),
            models.CheckConstraint(
                condition=~Q(source=models.F("target")), name="document_relation_not_self"
            ),
        ]

    def __str__(self):
        return f"{self.source} {self.get_kind_display()} {self.target}"


class DocumentReader(models.Model):
    """An organisation whose staff may read a document once it is signed.

    Set by the service that makes the act (``services.share_with``): the plan's approval order
    for the hub and every participant school, the working group's order for the center's
    network, a cooperation agreement for both parties. Rows are kept for the root act and each
    of its appendices alike, so that ``visible_to`` needs no walk up the tree. Who may read is
    not part of what was signed: rows may be added after signing (a school joining a center
    reads the center's basis)."""

    document = models.ForeignKey(
        LegalDocument, on_delete=models.CASCADE, related_name="readers", verbose_name=_("документ")
    )
    organisation = models.ForeignKey(
        Organisation,
        on_delete=models.CASCADE,
        related_name="readable_documents",
        verbose_name=_("организация"),
    )

    class Meta:
        verbose_name = _("читатель документа")
        verbose_name_plural = _("читатели документов")
        constraints = [
            # share_with relies on it to add readers idempotently (ignore_conflicts).
            models.UniqueConstraint(
                fields=["organisation", "document"], name="document_reader_unique"
            )
        ]

    def __str__(self):
        return _("%(organisation)s читает %(document)s") % {
            "organisation": self.organisation,
            "document": self.document_id,
        }


class DocumentEvent(AppendOnlyModel):
    """Append-only history of a document: created, edited, signed, registered, lost force.

    Rows are never changed or deleted (``schools.history``), except that a draft goes together
    with its own events when it is deleted (``services.delete_draft``)."""

    document = models.ForeignKey(
        LegalDocument, on_delete=models.CASCADE, related_name="events", verbose_name=_("документ")
    )
    action = models.CharField(_("действие"), max_length=40)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name=_("кто"),
    )
    at = models.DateTimeField(auto_now_add=True)
    data = models.JSONField(_("данные"), default=dict, blank=True)

    class Meta:
        verbose_name = _("событие документа")
        verbose_name_plural = _("история документов")
        ordering = ["at", "pk"]

    ACTIONS = {
        "created": _("Создан проект"),
        "edited": _("Изменён проект"),
        "point_added": _("Добавлен пункт"),
        "point_edited": _("Изменён пункт"),
        "point_moved": _("Пункт перемещён"),
        "point_deleted": _("Удалён пункт"),
        "relation_added": _("Добавлена связь с документом"),
        "relation_removed": _("Удалена связь с документом"),
        "appendix_deleted": _("Удалено приложение"),
        "signed": _("Подписан простой электронной подписью"),
        "registered": _("Зарегистрирован с бумажного оригинала"),
        "pdf_stored": _("Сохранён PDF подписанного документа"),
        "lost_force": _("Утратил силу"),
    }

    def __str__(self):
        return f"{self.document_id}: {self.action}"

    @classmethod
    def may_delete_with(cls, row, origin):
        # Asked of the database, not of the instance being deleted: its state may be stale.
        return LegalDocument.objects.filter(
            pk=row.document_id, state=LegalDocument.State.DRAFT
        ).exists()

    @property
    def label(self):
        return self.ACTIONS.get(self.action, self.action)


class SigningRightQuerySet(models.QuerySet):
    def in_force(self, on_date):
        """Rights valid on ``on_date`` (both ends of the period included)."""
        return self.filter(Q(valid_until__isnull=True) | Q(valid_until__gte=on_date)).filter(
            valid_from__lte=on_date
        )

    def held_by(self, user):
        return self.filter(person__user_id=user.pk) if user.pk else self.none()

    def visible_to(self, user):
        return self.filter(organisation__in=Organisation.objects.visible_to(user))

    def default_for(self, organisation, on_date=None):
        """Who signs a new act of ``organisation`` unless the drafter chooses otherwise: the
        head's right in force, else an acting head's, else nobody."""
        from django.utils import timezone

        return (
            self.filter(organisation=organisation)
            .in_force(on_date or timezone.localdate())
            .select_related("person")
            .order_by(models.Case(models.When(kind="head", then=0), default=1), "-valid_from")
            .first()
        )


class SigningRight(models.Model):
    """Who may sign for an organisation: its head, or an acting head for a period («И.о.»),
    with the act that appointed them. A document's signatory is chosen among the rights of its
    issuer in force on the date of signing (or, for a paper act, on the paper's date); the
    position printed is the one recorded here."""

    class Kind(models.TextChoices):
        HEAD = "head", _("Руководитель")
        ACTING = "acting", _("Исполняющий обязанности руководителя")

    organisation = models.ForeignKey(
        Organisation,
        on_delete=models.PROTECT,
        related_name="signing_rights",
        verbose_name=_("организация"),
    )
    person = models.ForeignKey(
        Person, on_delete=models.PROTECT, related_name="signing_rights", verbose_name=_("лицо")
    )
    kind = models.CharField(_("основание подписи"), max_length=16, choices=Kind.choices)
    position = models.CharField(
        _("должность, как печатается"),
        max_length=200,
        help_text=_(
            "«Начальник Управления», «Глава Купинского района»; для исполняющего обязанности — "
            "в родительном падеже: «начальника Управления» (напечатается «И.о. начальника "
            "Управления»)."
        ),
    )
    valid_from = models.DateField(_("действует с"))
    valid_until = models.DateField(_("действует по"), null=True, blank=True)
    basis = models.ForeignKey(
        LegalDocument,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("акт о назначении"),
    )
    basis_text = models.CharField(
        _("акт о назначении (реквизиты)"),
        max_length=300,
        blank=True,
        help_text=_("Если акта нет в системе: «распоряжение от 01.09.2026 № 45-к»."),
    )
    history = HistoricalRecords()

    objects = SigningRightQuerySet.as_manager()

    class Meta:
        verbose_name = _("право подписи")
        verbose_name_plural = _("права подписи")
        ordering = ["organisation__short_name", "-valid_from", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(valid_until__isnull=True) | Q(valid_until__gte=F("valid_from")),
                name="signing_right_period_ordered",
            )
        ]

    def __str__(self):
        return f"{self.printed_position} {self.person.initials_name}"

    @property
    def is_acting(self):
        return self.kind == self.Kind.ACTING

    @property
    def printed_position(self):
        if self.is_acting and not self.position.lower().startswith("и.о."):
            return f"И.о. {self.position}"
        return self.position

    @property
    def period(self):
        """«с 01.09.2024 по 31.08.2025» in the interface language (the signing-rights page,
        the choice of a signatory, refusals); an act prints its signatory, not the period."""
        start = date_format(self.valid_from, "SHORT_DATE_FORMAT")
        if self.valid_until is None:
            return _("с %(start)s") % {"start": start}
        return _("с %(start)s по %(end)s") % {
            "start": start,
            "end": date_format(self.valid_until, "SHORT_DATE_FORMAT"),
        }

    def in_force_on(self, on_date):
        return self.valid_from <= on_date and (
            self.valid_until is None or on_date <= self.valid_until
        )


class SigningFailure(models.Model):
    """A wrong password given to sign (or approve by signing): too many of them within the
    login lockout's cool-off lock that user out of that signing action."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    action = models.CharField(max_length=40)
    at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        verbose_name = _("неверный пароль подписи")
        verbose_name_plural = _("неверные пароли подписи")
        indexes = [models.Index(fields=["user", "action", "at"], name="signing_failure_idx")]

    def __str__(self):
        return f"{self.user_id}: {self.action} {self.at:%d.%m.%Y %H:%M}"


def can_draft_for(user, organisation) -> bool:
    """Who prepares documents of an organisation (used by the rules module and the forms)."""
    access = get_access(user)
    if access.is_superuser:
        return True
    if organisation.kind == Organisation.Kind.SCHOOL:
        return organisation.pk in access.organisation_ids(Role.HUB_DIRECTOR, Role.CENTER_HEAD)
    # The department's and the РМК's documents: department staff and methodologists.
    return organisation.municipality_id in access.municipality_ids(
        Role.DEPARTMENT, Role.METHODOLOGIST
    )


def can_register_for(user, organisation) -> bool:
    """Who registers an act the organisation signed on paper: the department for its own acts
    and those of the other bodies of its municipality (the administration's), a school's
    director for the school's. Neither a methodologist nor a center head."""
    access = get_access(user)
    if access.is_superuser:
        return True
    if organisation.kind == Organisation.Kind.SCHOOL:
        return organisation.pk in access.organisation_ids(Role.HUB_DIRECTOR)
    return organisation.municipality_id in access.municipality_ids(Role.DEPARTMENT)


def signing_organisations(user, on_date=None) -> dict[int, tuple[str, int | None]]:
    """The organisations the user holds a signing right of on ``on_date`` (today): id → (kind,
    municipality id); one query per request."""
    from django.utils import timezone

    on_date = on_date or timezone.localdate()
    if not user.is_authenticated:
        return {}
    cache = user.__dict__.setdefault("_signing_organisations", {})
    if on_date not in cache:
        cache[on_date] = {
            org_id: (kind, municipality_id)
            for org_id, kind, municipality_id in SigningRight.objects.held_by(user)
            .in_force(on_date)
            .values_list("organisation_id", "organisation__kind", "organisation__municipality_id")
        }
    return cache[on_date]
