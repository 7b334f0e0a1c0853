"""What an uploaded file is, judged by its content — never by its name, its declared type or its
first bytes alone.

A PDF must have the structure of one (header, objects, cross-reference, end-of-file marker); an
image must decode (Pillow); an Office Open XML file (DOCX, XLSX, PPTX) must be a ZIP archive whose
``[Content_Types].xml`` declares the main part of that kind — a macro-enabled document
(``.docm``, ``.xlsm``, ``.pptm``) declares another main part and is not one of them. The stored
name takes the extension of the detected kind, so an HTML page or a program renamed ``.pdf`` is
refused, and a PDF called ``отчёт.exe`` is stored and served as a PDF.
"""

import io
import zipfile
from dataclasses import dataclass


@dataclass(frozen=True)
class FileKind:
    extension: str
    content_type: str
    label: str


PDF = FileKind("pdf", "application/pdf", "PDF")
JPEG = FileKind("jpg", "image/jpeg", "JPEG")
PNG = FileKind("png", "image/png", "PNG")
DOCX = FileKind(
    "docx", "application/vnd.openxmlformats-officedocument.wordprocessingml.document", "DOCX"
)
XLSX = FileKind("xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "XLSX")
PPTX = FileKind(
    "pptx", "application/vnd.openxmlformats-officedocument.presentationml.presentation", "PPTX"
)

# The main part each Office kind declares in [Content_Types].xml (ECMA-376 part 2).
OOXML_MAIN = {
    DOCX: b"application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml",
    XLSX: b"application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml",
    PPTX: b"application/vnd.openxmlformats-officedocument.presentationml.presentation.main+xml",
}
# Far above any real [Content_Types].xml: a bigger one is not read (a decompression bomb).
CONTENT_TYPES_MAX = 1024 * 1024


def _read(upload) -> bytes:
    upload.seek(0)
    data = upload.read()
    upload.seek(0)
    return data


def _pdf(data: bytes) -> FileKind | None:
    tail = data[-2048:]
    return PDF if b"%%EOF" in tail and b"startxref" in tail and b"obj" in data else None


def _image(data: bytes) -> FileKind | None:
    from PIL import Image, UnidentifiedImageError

    try:
        with Image.open(io.BytesIO(data)) as image:
            image.verify()
        with Image.open(io.BytesIO(data)) as image:
            image.load()
            kind = image.format
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, Image.DecompressionBombError):
        return None
    return {"JPEG": JPEG, "PNG": PNG}.get(kind)


def _ooxml(data: bytes) -> FileKind | None:
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            info = archive.getinfo("[Content_Types].xml")
            if info.file_size > CONTENT_TYPES_MAX:
                return None
            types = archive.read(info)
            if archive.testzip() is not None:
                return None
    except (zipfile.BadZipFile, KeyError, OSError, RuntimeError, ValueError, EOFError):
        return None
    for kind, main in OOXML_MAIN.items():
        if main in types:
            return kind
    return None


def detect(upload, allowed=None) -> FileKind | None:
    """The kind of ``upload`` by its content, or ``None`` when it is none of ``allowed`` (all
    the kinds above by default)."""
    data = _read(upload)
    kind = None
    if data.startswith(b"%PDF-"):
        kind = _pdf(data)
    elif data.startswith(b"\xff\xd8\xff") or data.startswith(b"\x89PNG\r\n\x1a\n"):
        kind = _image(data)
    elif data.startswith(b"PK\x03\x04"):
        kind = _ooxml(data)
    if kind is None or (allowed is not None and kind not in allowed):
        return None
    return kind


EVIDENCE_KINDS = (PDF, JPEG, PNG, DOCX, XLSX, PPTX)
