"""The center's own models: legal documents, centers and working groups."""

from .centers import Center, Composition, Member, Participation
from .documents import DocumentEvent, DocumentPoint, DocumentRelation, LegalDocument

__all__ = [
    "Center",
    "Composition",
    "DocumentEvent",
    "DocumentPoint",
    "DocumentRelation",
    "LegalDocument",
    "Member",
    "Participation",
]
