"""The admin of legal documents.

A signed document is shown and never changed or deleted here, nor are its points, relations and
readers; its state and signature are written by the services only (``services.sign_document``,
``register_paper_document``). A draft may be repaired: each change is recorded in its history as
the editor's are, and a draft is deleted by ``services.delete_draft``. History rows are shown
only.
"""

from django.contrib import admin
from django.db.models import F
from django.utils.translation import gettext_lazy as _

from schools.admin import HistoryAdmin, ViewOnlyAdmin, ViewOnlyInline

from . import services
from .models import (
    DocumentEvent,
    DocumentPoint,
    DocumentReader,
    DocumentRelation,
    LegalDocument,
    SigningFailure,
    SigningRight,
)


def _is_signed(document) -> bool:
    return document is not None and document.is_signed


def _record(document, actor, action, fields):
    """As the services do: bump the root's version (an editor with the draft open is told) and
    append the history row."""
    root = document.root
    LegalDocument.objects.filter(pk=root.pk).update(version=F("version") + 1)
    DocumentEvent.objects.create(
        document=document, action=action, actor=actor, data={"fields": sorted(fields)}
    )


class DraftsOnlyMixin:
    """Rows of a document: changed or deleted only while their document is a draft, and new
    rows only for drafts (the model layer would refuse the rest with an error page)."""

    document_field = "document"
    drafts_only_fields = ("document",)

    def _document(self, obj):
        return getattr(obj, self.document_field, None) if obj is not None else None

    def has_change_permission(self, request, obj=None):
        return super().has_change_permission(request, obj) and not _is_signed(self._document(obj))

    def has_delete_permission(self, request, obj=None):
        return super().has_delete_permission(request, obj) and not _is_signed(self._document(obj))

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name in self.drafts_only_fields:
            kwargs["queryset"] = LegalDocument.objects.filter(state=LegalDocument.State.DRAFT)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    # What a change of these rows is in the document's history («edited», fields=[…]); None:
    # not part of the document's content (its readers).
    history_field = None

    def _recorded(self, request, obj):
        document = self._document(obj)
        if self.history_field and document is not None and document.is_draft:
            _record(document, request.user, "edited", [self.history_field])

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        self._recorded(request, obj)

    def delete_model(self, request, obj):
        super().delete_model(request, obj)
        self._recorded(request, obj)

    def delete_queryset(self, request, queryset):
        rows = list(queryset)
        super().delete_queryset(request, queryset)
        for obj in rows:
            self._recorded(request, obj)


class PointInline(ViewOnlyInline):
    model = DocumentPoint
    fk_name = "document"
    fields = ["position", "parent", "style", "text", "executor", "deadline"]
    readonly_fields = fields
    show_change_link = False

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("parent")


class AppendixInline(ViewOnlyInline):
    model = LegalDocument
    fk_name = "parent"
    fields = ["appendix_number", "kind", "heading", "state", "approved_by_parent"]
    readonly_fields = fields
    verbose_name = _("приложение")
    verbose_name_plural = _("приложения")


class RelationInline(ViewOnlyInline):
    model = DocumentRelation
    fk_name = "source"
    fields = ["kind", "target"]
    readonly_fields = fields

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("source", "target")


class ReaderInline(ViewOnlyInline):
    model = DocumentReader
    fields = ["organisation"]
    readonly_fields = fields
    show_change_link = False

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("organisation")


class EventInline(ViewOnlyInline):
    model = DocumentEvent
    fields = ["at", "label", "actor", "data"]
    readonly_fields = fields
    show_change_link = False

    @admin.display(description=_("действие"))
    def label(self, event):
        return event.label

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("actor")


@admin.register(LegalDocument)
class LegalDocumentAdmin(admin.ModelAdmin):
    list_display = ["__str__", "issuer", "kind", "state", "date", "number", "parent"]
    list_filter = ["state", "kind", "origin", "year", "issuer__municipality"]
    list_select_related = ["issuer", "parent"]
    search_fields = ["number", "heading", "issuer__short_name", "verification_code"]
    date_hierarchy = "date"
    autocomplete_fields = ["issuer", "executor"]
    raw_id_fields = ["parent", "lost_force_by", "signing_right"]
    readonly_fields = [
        # Copied from the signing right by the services, never typed.
        "signatory",
        "signatory_position",
        "signatory_acting",
        "state",
        "origin",
        "signed_at",
        "signed_by",
        "verification_code",
        "pdf",
        "pdf_sha256",
        "pdf_size",
        "scan",
        "version",
        "created_by",
        "created_at",
        "updated_at",
    ]
    inlines = [PointInline, AppendixInline, RelationInline, ReaderInline, EventInline]

    def has_change_permission(self, request, obj=None):
        return super().has_change_permission(request, obj) and not _is_signed(obj)

    def has_delete_permission(self, request, obj=None):
        return super().has_delete_permission(request, obj) and not _is_signed(obj)

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        # A draft may be an appendix of a draft only: appendices are signed with their parent.
        if db_field.name == "parent":
            kwargs["queryset"] = LegalDocument.objects.filter(state=LegalDocument.State.DRAFT)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def save_model(self, request, obj, form, change):
        if not change:
            obj.created_by = request.user
        super().save_model(request, obj, form, change)
        if not change:
            _record(obj, request.user, "created", form.changed_data)
        elif form.changed_data:
            _record(obj, request.user, "edited", form.changed_data)

    def get_deleted_objects(self, objs, request):
        deleted, counts, perms_needed, protected = super().get_deleted_objects(objs, request)
        # A draft's events go with it (``schools.history`` lets that cascade through), though
        # no one deletes an event on its own.
        perms_needed.discard(DocumentEvent._meta.verbose_name)
        return deleted, counts, perms_needed, protected

    def delete_model(self, request, obj):
        # The service keeps the appendix numbers of the parent consecutive.
        services.delete_draft(obj, actor=request.user)

    def delete_queryset(self, request, queryset):
        # Appendices go with their parent: delete the roots of the selection first.
        for document in sorted(queryset, key=lambda d: d.parent_id is not None):
            if LegalDocument.objects.filter(pk=document.pk).exists():
                services.delete_draft(document, actor=request.user)


@admin.register(DocumentPoint)
class DocumentPointAdmin(DraftsOnlyMixin, admin.ModelAdmin):
    history_field = "points"
    list_display = ["__str__", "document", "style", "position"]
    list_filter = ["style", "document__state", "document__kind"]
    list_select_related = ["document"]
    search_fields = ["text", "document__number", "document__heading"]
    raw_id_fields = ["document", "parent"]


@admin.register(DocumentRelation)
class DocumentRelationAdmin(DraftsOnlyMixin, admin.ModelAdmin):
    document_field = "source"
    drafts_only_fields = ("source",)
    history_field = "relations"
    list_display = ["source", "kind", "target"]
    list_filter = ["kind", "source__state"]
    list_select_related = ["source", "target"]
    search_fields = ["source__number", "source__heading", "target__number", "target__heading"]
    raw_id_fields = ["source", "target"]

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        # Only a signed act can be approved, amended or cancelled (services.set_relation).
        if db_field.name == "target":
            kwargs["queryset"] = LegalDocument.objects.filter(state=LegalDocument.State.SIGNED)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


@admin.register(DocumentReader)
class DocumentReaderAdmin(DraftsOnlyMixin, admin.ModelAdmin):
    # Readers may be added after signing (a school joining a center reads its basis); the rows
    # of a signed document are not changed or removed.
    drafts_only_fields = ()
    list_display = ["document", "organisation"]
    list_filter = ["document__state", "organisation__municipality"]
    list_select_related = ["document", "organisation"]
    search_fields = ["organisation__short_name", "document__number", "document__heading"]
    raw_id_fields = ["document"]
    autocomplete_fields = ["organisation"]


@admin.register(DocumentEvent)
class DocumentEventAdmin(ViewOnlyAdmin):
    fields = ["document", "action", "actor", "at", "data"]
    readonly_fields = fields
    list_display = ["at", "document", "label", "actor"]
    list_filter = ["action"]
    list_select_related = ["document", "actor"]
    search_fields = ["document__number", "document__heading", "actor__username"]
    date_hierarchy = "at"

    @admin.display(description=_("действие"), ordering="action")
    def label(self, event):
        return event.label


@admin.register(SigningRight)
class SigningRightAdmin(HistoryAdmin):
    list_display = ["organisation", "person", "kind", "position", "valid_from", "valid_until"]
    list_filter = ["kind", "organisation__municipality"]
    list_select_related = ["organisation", "person"]
    search_fields = ["person__last_name", "organisation__short_name", "position"]
    autocomplete_fields = ["organisation", "person"]
    raw_id_fields = ["basis"]


@admin.register(SigningFailure)
class SigningFailureAdmin(ViewOnlyAdmin):
    list_display = ["user", "action", "at"]
    list_filter = ["action"]
