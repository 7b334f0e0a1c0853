"""Legal documents: journal, drafting, signing, registration, PDF, public verification.

Views are thin: load through ``LegalDocument.objects.visible_to`` (404 outside scope), check the
action with ``has_perm``, validate with a form, call a service, turn its refusal into a message.
"""

import hashlib
import re
from datetime import datetime
from urllib.parse import quote

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.storage import FileSystemStorage
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy
from django.views.decorators.http import require_http_methods, require_POST

from schools.caching import cached_page, remember
from schools.clients import rate_limited
from schools.form_errors import add_service_error
from schools.ids import id_param
from schools.models import Organisation
from schools.permissions import can, require
from schools.text import CONTROL
from schools.xlsx import write_only_row

from . import services
from .body import build_tree, parse_body_text, tree_to_text
from .forms import (
    SCAN_TYPES,
    AppendixForm,
    BodyTextForm,
    DocumentCreateForm,
    DocumentEditForm,
    EndSigningRightForm,
    JournalFilter,
    PointForm,
    RegisterForm,
    RelationForm,
    SignForm,
    SigningRightForm,
    VerifyUploadForm,
    draftable_issuers,
)
from .models import DocumentEvent, DocumentPoint, DocumentRelation, LegalDocument, SigningRight

PAGE_SIZE = 25
# «7K3M-9QXD-2HFA» (models.documents.new_verification_code); anything else is not looked up.
VERIFICATION_CODE = re.compile(r"[2-9A-HJ-NP-Z]{4}-[2-9A-HJ-NP-Z]{4}-[2-9A-HJ-NP-Z]{4}")


def get_document_for_user(user, pk):
    """Load a document the user may see, or 404 — the same answer as for one that does not
    exist."""
    queryset = LegalDocument.objects.visible_to(user).select_related(
        "issuer__municipality",
        "signatory",
        "signing_right__person",
        "executor",
        "parent__issuer",
        "signed_by",
    )
    return get_object_or_404(queryset, pk=pk)


def get_point_for_user(user, pk):
    point = get_object_or_404(
        DocumentPoint.objects.select_related("document__issuer"),
        pk=pk,
        document__in=LegalDocument.objects.visible_to(user),
    )
    return point


EDIT_REFUSED = _lazy("Изменять можно только проект своей организации.")


def _require_editable(user, document, message=EDIT_REFUSED):
    _require(user, "documents.change_document", document, message)


def get_draft_for_editing(user, pk, message=EDIT_REFUSED):
    """Load a document the user may see (else 404) and may change (else 403)."""
    document = get_document_for_user(user, pk)
    _require_editable(user, document, message)
    return document


_require = require


def _error_text(exc: ValidationError) -> str:
    return " ".join(exc.messages)


# --- journal ------------------------------------------------------------------------------------


def _journal_queryset(request):
    queryset = (
        LegalDocument.objects.visible_to(request.user)
        .filter(parent=None)
        .select_related("issuer", "signatory")
        .order_by("-year", "-date", "-sequence", "-pk")
    )
    return JournalFilter(request.GET, queryset=queryset, request=request)


@login_required
@cached_page
def document_list(request):
    journal = _journal_queryset(request)
    page = Paginator(journal.qs, PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    is_htmx = request.headers.get("HX-Request") == "true"
    return render(
        request,
        "documents/_journal_table.html" if is_htmx else "documents/document_list.html",
        {
            "filter": journal,
            "page": page,
            "query": query.urlencode(),
            "can_create": draftable_issuers(request.user).exists(),
        },
    )


@login_required
@cached_page
def journal_export(request):
    """The registration journal as XLSX, with the filters of the page."""
    from openpyxl import Workbook

    journal = _journal_queryset(request)
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(_("Журнал регистрации"))
    for index, width in enumerate([6, 14, 12, 18, 60, 36, 28, 14], start=1):
        sheet.column_dimensions[chr(64 + index)].width = width
    header = [
        _("№ п/п"),
        _("Дата"),
        _("Номер"),
        _("Вид"),
        _("Заголовок"),
        _("Организация"),
        _("Подписант"),
        _("Состояние"),
    ]
    sheet.append(write_only_row(sheet, header))
    for n, doc in enumerate(journal.qs.iterator(chunk_size=500), start=1):
        sheet.append(
            write_only_row(
                sheet,
                [
                    n,
                    doc.date,
                    doc.number,
                    doc.get_kind_display(),
                    doc.heading,
                    doc.issuer.short_name,
                    doc.signatory.initials_name.replace("\u00a0", " ") if doc.signatory else "",
                    doc.get_state_display(),
                ],
            )
        )
    response = HttpResponse(
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    filename = _("Журнал_регистрации_%(date)s.xlsx") % {"date": f"{datetime.now():%d.%m.%Y}"}
    response["Content-Disposition"] = _attachment(filename)
    workbook.save(response)
    return response


def _attachment(filename: str, inline: bool = False) -> str:
    # A header is one line: a control character in a name (an old number with a line break)
    # would make every download of the file fail.
    filename = CONTROL.sub(" ", filename)
    kind = "inline" if inline else "attachment"
    ascii_name = filename.encode("ascii", "ignore").decode().replace('"', "") or "document.pdf"
    return f"{kind}; filename=\"{ascii_name}\"; filename*=UTF-8''{quote(filename)}"


# --- drafting -----------------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def document_create(request):
    issuers = draftable_issuers(request.user)
    if not issuers.exists():
        raise PermissionDenied(_("Вы не готовите документы ни одной организации."))
    form = DocumentCreateForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            document = services.create_document(
                data["issuer"],
                actor=request.user,
                kind=data["kind"],
                heading=data["heading"],
                place=data["place"],
                preamble=data["preamble"],
                # The issuer's head by default, when a right of the head is in force.
                signing_right=SigningRight.objects.default_for(data["issuer"]),
            )
        except ValidationError as exc:
            form.add_error(None, _error_text(exc))
        else:
            messages.success(request, _("Проект создан. Добавьте пункты документа."))
            return redirect("documents:body", pk=document.pk)
    return render(request, "documents/document_form.html", {"form": form, "creating": True})


@login_required
@cached_page
def document_detail(request, pk):
    document = get_document_for_user(request.user, pk)
    from .pdf import render_document_html

    preview = render_document_html(document.root if document.parent_id else document, preview=True)
    events = DocumentEvent.objects.filter(document=document).select_related("actor")
    relations = DocumentRelation.objects.filter(source=document).select_related("target")
    related_from = DocumentRelation.objects.filter(target=document).select_related("source")
    appendices = document.appendices.order_by("appendix_number")
    user = request.user
    can_edit = can(user, "documents.change_document", document)
    relation_targets = (
        RelationForm(document=document, user=user).fields["target"].queryset
        if can_edit and not document.parent_id
        else []
    )
    return render(
        request,
        "documents/document_detail.html",
        {
            "document": document,
            "preview": preview,
            "events": events,
            "relations": relations,
            "related_from": related_from,
            "appendices": appendices,
            "can_edit": can_edit,
            "relation_targets": relation_targets,
            "can_sign": can(user, "documents.sign_document", document),
            "can_register": can(user, "documents.register_document", document),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def document_edit(request, pk):
    document = get_draft_for_editing(request.user, pk)
    form = DocumentEditForm(request.POST or None, instance=document)
    if request.method == "POST" and form.is_valid():
        try:
            services.update_document(
                LegalDocument.objects.get(pk=document.pk),
                actor=request.user,
                version=form.cleaned_data["version"],
                **form.changes(),
            )
        except services.EditConflict as exc:
            form.add_error(None, _error_text(exc))
        except ValidationError as exc:
            form.add_error(None, _error_text(exc))
        else:
            messages.success(request, _("Реквизиты сохранены."))
            return redirect("documents:detail", pk=document.pk)
    return render(request, "documents/document_form.html", {"form": form, "document": document})


@login_required
@require_POST
def document_delete(request, pk):
    document = get_draft_for_editing(
        request.user, pk, _("Удалить можно только проект своей организации.")
    )
    parent_id = document.parent_id
    try:
        services.delete_draft(document, actor=request.user)
    except ValidationError as exc:
        messages.error(request, _error_text(exc))
        return redirect("documents:detail", pk=document.pk)
    messages.success(request, _("Проект удалён."))
    if parent_id:
        return redirect("documents:detail", pk=parent_id)
    return redirect("documents:list")


# --- body editing -------------------------------------------------------------------------------


def _body_context(document):
    points = list(DocumentPoint.objects.filter(document=document))
    tree = build_tree(points)
    return {"document": document, "tree": tree, "add_form": PointForm(prefix="new")}


@login_required
def document_body(request, pk):
    document = get_draft_for_editing(request.user, pk)
    return render(request, "documents/document_body.html", _body_context(document))


def _body_response(request, document):
    if request.headers.get("HX-Request") == "true":
        return render(request, "documents/_body_tree.html", _body_context(document))
    return redirect("documents:body", pk=document.pk)


@login_required
@require_POST
def point_add(request, pk):
    document = get_draft_for_editing(request.user, pk)
    form = PointForm(request.POST, prefix="new")
    parent = None
    if request.POST.get("parent"):
        parent_pk = id_param(request.POST["parent"])
        if parent_pk is None:
            raise Http404(_("Нет такого пункта."))
        parent = get_object_or_404(DocumentPoint, pk=parent_pk, document=document)
    if form.is_valid():
        try:
            services.add_point(document, actor=request.user, parent=parent, **form.cleaned_data)
        except ValidationError as exc:
            messages.error(request, _error_text(exc))
    else:
        messages.error(request, _("Пункт не добавлен: введите его текст."))
    return _body_response(request, document)


@login_required
@require_http_methods(["GET", "POST"])
def point_edit(request, pk):
    point = get_point_for_user(request.user, pk)
    document = point.document
    _require_editable(request.user, document)
    form = PointForm(request.POST or None, instance=point)
    if request.method == "POST" and form.is_valid():
        try:
            services.update_point(
                DocumentPoint.objects.get(pk=point.pk), actor=request.user, **form.cleaned_data
            )
        except ValidationError as exc:
            form.add_error(None, _error_text(exc))
        else:
            return _body_response(request, document)
    return render(request, "documents/point_form.html", {"form": form, "point": point})


@login_required
@require_POST
def point_move(request, pk):
    point = get_point_for_user(request.user, pk)
    _require_editable(request.user, point.document)
    direction = request.POST.get("direction")
    if direction not in ("up", "down"):
        return HttpResponse(_("Укажите направление."), status=400)
    try:
        services.move_point(point, actor=request.user, direction=direction)
    except ValidationError as exc:
        messages.error(request, _error_text(exc))
    return _body_response(request, point.document)


@login_required
@require_POST
def point_delete(request, pk):
    point = get_point_for_user(request.user, pk)
    document = point.document
    _require_editable(request.user, document)
    try:
        services.delete_point(point, actor=request.user)
    except ValidationError as exc:
        messages.error(request, _error_text(exc))
    return _body_response(request, document)


@login_required
@require_http_methods(["GET", "POST"])
def body_text(request, pk):
    document = get_draft_for_editing(request.user, pk)
    initial = {"text": tree_to_text(build_tree(DocumentPoint.objects.filter(document=document)))}
    form = BodyTextForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            count = services.replace_body(document, form.parsed, actor=request.user)
        except ValidationError as exc:
            form.add_error(None, _error_text(exc))
        else:
            messages.success(request, _("Текст разобран на пункты: %(n)s.") % {"n": count})
            return redirect("documents:body", pk=document.pk)
    return render(request, "documents/body_text.html", {"form": form, "document": document})


@login_required
@require_http_methods(["GET", "POST"])
def appendix_add(request, pk):
    document = get_draft_for_editing(request.user, pk)
    form = AppendixForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            appendix = services.add_appendix(
                document,
                actor=request.user,
                kind=data["kind"],
                heading=data["heading"],
                approved_by_parent=data["approved_by_parent"],
                points=parse_body_text(data["body"]) if data["body"].strip() else (),
            )
        except ValidationError as exc:
            form.add_error(None, _error_text(exc))
        else:
            messages.success(
                request, _("Приложение %(n)s добавлено.") % {"n": appendix.appendix_number}
            )
            return redirect("documents:body", pk=appendix.pk)
    return render(request, "documents/appendix_form.html", {"form": form, "document": document})


@login_required
@require_POST
def relation_add(request, pk):
    document = get_draft_for_editing(request.user, pk)
    form = RelationForm(request.POST, document=document, user=request.user)
    if form.is_valid():
        try:
            services.set_relation(
                document,
                actor=request.user,
                kind=form.cleaned_data["kind"],
                target=form.cleaned_data["target"],
            )
        except ValidationError as exc:
            messages.error(request, _error_text(exc))
        else:
            messages.success(request, _("Связь добавлена."))
    else:
        messages.error(request, _("Выберите связь и документ."))
    return redirect("documents:detail", pk=document.pk)


@login_required
@require_POST
def relation_delete(request, pk):
    relation = get_object_or_404(
        DocumentRelation.objects.select_related("source__issuer"),
        pk=pk,
        source__in=LegalDocument.objects.visible_to(request.user),
    )
    _require_editable(request.user, relation.source)
    try:
        services.remove_relation(relation, actor=request.user)
    except ValidationError as exc:
        messages.error(request, _error_text(exc))
    return redirect("documents:detail", pk=relation.source_id)


# --- signing and registration -------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def document_sign(request, pk):
    document = get_document_for_user(request.user, pk)
    _require(
        request.user,
        "documents.sign_document",
        document,
        _("Подписать документ может только указанный в нём подписант."),
    )
    form = SignForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            signed = services.sign_document(
                document, actor=request.user, password=form.cleaned_data["password"]
            )
        except ValidationError as exc:
            field = "password" if getattr(exc, "code", None) == "password" else None
            form.add_error(field, _error_text(exc))
        else:
            messages.success(
                request,
                _("Документ подписан и зарегистрирован под номером %(number)s.")
                % {"number": signed.number},
            )
            return redirect("documents:detail", pk=document.pk)
    return render(request, "documents/document_sign.html", {"form": form, "document": document})


@login_required
@require_http_methods(["GET", "POST"])
def document_register(request, pk):
    document = get_document_for_user(request.user, pk)
    _require(
        request.user,
        "documents.register_document",
        document,
        _(
            "Регистрировать бумажные акты этой организации может управление образования "
            "(акты школы — её директор)."
        ),
    )
    form = RegisterForm(request.POST or None, request.FILES or None, document=document)
    if request.method == "POST" and form.is_valid():
        try:
            services.register_paper_document(
                document,
                actor=request.user,
                number=form.cleaned_data["number"],
                on_date=form.cleaned_data["date"],
                signing_right=form.cleaned_data["signing_right"],
                scan=form.cleaned_data["scan"],
            )
        except ValidationError as exc:
            form.add_error(None, _error_text(exc))
        else:
            messages.success(request, _("Документ зарегистрирован."))
            return redirect("documents:detail", pk=document.pk)
    return render(request, "documents/document_register.html", {"form": form, "document": document})


# What the stored-PDF download reads of a document: its access check is one query.
PDF_FIELDS = ("pk", "parent_id", "state", "kind", "number", "date", "pdf", "pdf_sha256")


def stored_file_response(storage, name: str, download_name: str, content_type: str):
    """The stored bytes as an attachment. With ``DOCUMENTS_X_ACCEL_REDIRECT`` set (nginx in
    front, the storage folder as an ``internal`` location), the web server sends a file on the
    disk and the application only checks access; otherwise — and always from an object store,
    which nginx's location does not map — the file is streamed from the storage API.

    Streamed rather than redirected to a presigned URL of the store: such a URL opens the file
    to anyone who holds it until it expires (a forwarded link, a proxy's log), the store need
    not be reachable from users' browsers, and the response keeps this application's headers
    (the download name, the digest, private caching). The files are small (a signed PDF is
    some hundred kilobytes, an upload at most ``UPLOAD_FILE_MAX_MB``)."""
    prefix = settings.DOCUMENTS_X_ACCEL_REDIRECT
    if prefix and isinstance(storage, FileSystemStorage):
        response = HttpResponse(content_type=content_type)
        response["X-Accel-Redirect"] = prefix.rstrip("/") + "/" + quote(name)
    else:
        response = FileResponse(storage.open(name, "rb"), content_type=content_type)
    response["Content-Disposition"] = _attachment(download_name)
    return response


def _stored_pdf(user, pk):
    """What serving a visible signed document's stored PDF needs — ``(file name in storage,
    download name, SHA-256)`` — or ``None`` (not visible, not signed, not stored yet)."""
    document = LegalDocument.objects.visible_to(user).only(*PDF_FIELDS).filter(pk=pk).first()
    if document is None:
        return None
    root = document.root if document.parent_id else document
    if not (root.is_signed and root.pdf):
        return None
    return (root.pdf.name, root.download_name, root.pdf_sha256)


@login_required
def document_pdf(request, pk):
    """A signed document's stored PDF, byte for byte; a draft's PDF rendered with «ПРОЕКТ».

    The stored PDF is the most requested file of the product; its access check is remembered
    per user and version of the data, so that a request for it reads only the session."""
    if request.headers.get("HX-Request") != "true":
        stored = remember(
            ("stored-pdf", request.user.pk, pk), lambda: _stored_pdf(request.user, pk)
        )
        if stored is not None:
            name, download_name, sha256 = stored
            storage = LegalDocument._meta.get_field("pdf").storage
            response = stored_file_response(storage, name, download_name, "application/pdf")
            response["X-Content-SHA256"] = sha256
            return response
    document = get_object_or_404(
        LegalDocument.objects.visible_to(request.user).only(*PDF_FIELDS), pk=pk
    )
    root = document.root if document.parent_id else document
    if root.is_signed:
        if request.headers.get("HX-Request") == "true":
            # The pending page polls here: the status fragment, with the link once it is ready.
            return render(request, "documents/_pdf_status.html", {"document": root})
        if not root.pdf:
            # The worker renders it after signing (and retries a failure); a GET never writes.
            return render(request, "documents/pdf_pending.html", {"document": root})
        response = stored_file_response(
            root.pdf.storage, root.pdf.name, root.download_name, "application/pdf"
        )
        response["X-Content-SHA256"] = root.pdf_sha256
        return response
    from .pdf import render_document_pdf

    root = get_document_for_user(request.user, root.pk)
    data = render_document_pdf(root)
    response = HttpResponse(data, content_type="application/pdf")
    response["Content-Disposition"] = _attachment(root.download_name)
    return response


@login_required
def document_scan(request, pk):
    document = get_document_for_user(request.user, pk)
    if not document.scan:
        raise Http404(_("Скан не приложен."))
    name = document.scan.name.rsplit("/", 1)[-1]
    extension = name.rsplit(".", 1)[-1].lower()
    # Served as what it was judged to be on upload (the stored name carries it), never as what
    # a name could claim; always as a download.
    content_type = SCAN_TYPES.get(extension, "application/octet-stream")
    response = FileResponse(document.scan.open("rb"), content_type=content_type)
    response["Content-Disposition"] = _attachment(f"Скан_{document.download_name[:-4]}.{extension}")
    response["X-Content-Type-Options"] = "nosniff"
    return response


# --- public verification ------------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
def verify(request, code):
    """Public: confirms a printed document by its code. Shows requisites and the SHA-256 only.
    Rate-limited per client, so that codes cannot be guessed by the thousand."""
    limit, window = settings.VERIFY_RATE_LIMIT
    if rate_limited(request, "verify", limit=limit, window=window):
        return render(request, "429.html", {"minutes": window // 60}, status=429)
    document = (
        LegalDocument.objects.select_related("issuer", "signatory")
        .filter(verification_code=code.upper(), state=LegalDocument.State.SIGNED, parent=None)
        .first()
        if VERIFICATION_CODE.fullmatch(code.upper())
        else None
    )
    if document is None:
        # Said as the check's answer, to whoever holds the paper: not a missing page.
        return render(request, "documents/verify_unknown.html", {"code": code[:40]}, status=404)
    form = VerifyUploadForm(request.POST or None, request.FILES or None)
    match = None
    if request.method == "POST" and form.is_valid():
        digest = hashlib.sha256()
        for chunk in form.cleaned_data["file"].chunks():
            digest.update(chunk)
        match = bool(document.pdf_sha256) and digest.hexdigest() == document.pdf_sha256
    return render(
        request,
        "documents/verify.html",
        {"document": document, "form": form, "match": match},
    )


def _managed_organisations(user):
    from schools.access import Role, get_access

    access = get_access(user)
    organisations = Organisation.objects.exclude(kind=Organisation.Kind.REGIONAL_BODY)
    if not access.is_superuser:
        organisations = organisations.filter(
            municipality_id__in=access.municipality_ids(Role.DEPARTMENT)
        )
    return organisations.order_by("short_name")


@login_required
@require_http_methods(["GET", "POST"])
def signing_rights(request):
    """Who may sign for each organisation the user sees: heads and acting heads with their
    periods; the department enters them."""
    rights = (
        SigningRight.objects.visible_to(request.user)
        .select_related("organisation__municipality", "person", "basis")
        .order_by("organisation__municipality__name", "organisation__short_name", "-valid_from")
    )
    managed = _managed_organisations(request.user)
    form = None
    if managed.exists():
        form = SigningRightForm(request.POST or None, organisations=managed)
    elif request.method == "POST":
        raise PermissionDenied(_("Права подписи ведёт управление образования."))
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        _require(
            request.user,
            "documents.manage_signing_rights",
            data["organisation"],
            _("Права подписи ведёт управление образования."),
        )
        try:
            services.grant_signing_right(
                data["organisation"],
                actor=request.user,
                person=data["person"],
                kind=data["kind"],
                position=data["position"],
                valid_from=data["valid_from"],
                valid_until=data["valid_until"],
                basis_text=data["basis_text"],
            )
        except (ValidationError, PermissionDenied) as exc:
            add_service_error(form, exc)
        else:
            messages.success(request, _("Право подписи внесено."))
            return redirect("documents:signing_rights")
    managed_ids = set(managed.values_list("pk", flat=True))
    for right in rights:
        right.can_end = right.organisation_id in managed_ids
    return render(
        request,
        "documents/signing_rights.html",
        {"rights": rights, "form": form, "end_form": EndSigningRightForm()},
    )


@login_required
@require_POST
def signing_right_end(request, pk):
    right = get_object_or_404(
        SigningRight.objects.visible_to(request.user).select_related("organisation"), pk=pk
    )
    _require(
        request.user,
        "documents.manage_signing_rights",
        right.organisation,
        _("Права подписи ведёт управление образования."),
    )
    form = EndSigningRightForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Укажите последний день действия права подписи."))
    else:
        try:
            services.end_signing_right(
                right, actor=request.user, last_day=form.cleaned_data["last_day"]
            )
        except ValidationError as exc:
            messages.error(request, _error_text(exc))
        else:
            messages.success(request, _("Срок права подписи изменён."))
    return redirect("documents:signing_rights")
