"""Checks on uploaded evidence files: an allowed extension, content that
really is of that type (its first bytes, and for Office files the parts
inside the zip), and a size limit (``MENTORS_EVIDENCE_MAX_BYTES``, 10 MB by
default). A renamed executable or a 50 MB video is refused with a message,
never stored."""

import zipfile
from pathlib import PurePath

from django.conf import settings
from django.core.exceptions import ValidationError
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext_lazy as _

DEFAULT_MAX_BYTES = 10 * 1024 * 1024

EVIDENCE_TYPE_NOT_ALLOWED = _(
    "“%(name)s” is not an allowed kind of file. Upload a PDF, JPG, PNG, Word (.docx), Excel (.xlsx) "
    "or PowerPoint (.pptx) file."
)
EVIDENCE_CONTENT_MISMATCH = _("“%(name)s” is not really a %(kind)s file; it may be damaged or renamed.")
EVIDENCE_TOO_LARGE = _("“%(name)s” is %(size)s; evidence files may be %(max)s at most.")
EVIDENCE_EMPTY = _("“%(name)s” is empty.")

# extension → (what to call it, leading bytes, folder an Office zip must hold)
ZIP_MAGIC = b"PK\x03\x04"
ALLOWED_TYPES = {
    ".pdf": ("PDF", (b"%PDF-",), None),
    ".jpg": ("JPEG", (b"\xff\xd8\xff",), None),
    ".jpeg": ("JPEG", (b"\xff\xd8\xff",), None),
    ".png": ("PNG", (b"\x89PNG\r\n\x1a\n",), None),
    ".docx": ("Word", (ZIP_MAGIC,), "word/"),
    ".xlsx": ("Excel", (ZIP_MAGIC,), "xl/"),
    ".pptx": ("PowerPoint", (ZIP_MAGIC,), "ppt/"),
}
ALLOWED_EXTENSIONS = tuple(ALLOWED_TYPES)


def evidence_max_bytes() -> int:
    return getattr(settings, "MENTORS_EVIDENCE_MAX_BYTES", DEFAULT_MAX_BYTES)


def _office_part_present(upload, folder) -> bool:
    upload.seek(0)
    try:
        with zipfile.ZipFile(upload) as archive:
            return any(name.startswith(folder) for name in archive.namelist()) and "[Content_Types].xml" in (
                archive.namelist()
            )
    except (zipfile.BadZipFile, OSError, ValueError):
        return False
    finally:
        upload.seek(0)


def evidence_file_check(upload) -> None:
    """Raise ValidationError unless ``upload`` is acceptable evidence."""
    name = PurePath(upload.name or "").name
    suffix = PurePath(name).suffix.lower()
    if suffix not in ALLOWED_TYPES:
        raise ValidationError(EVIDENCE_TYPE_NOT_ALLOWED, params={"name": name}, code="evidence_type")
    max_bytes = evidence_max_bytes()
    if upload.size > max_bytes:
        raise ValidationError(
            EVIDENCE_TOO_LARGE,
            params={"name": name, "size": filesizeformat(upload.size), "max": filesizeformat(max_bytes)},
            code="evidence_size",
        )
    if not upload.size:
        raise ValidationError(EVIDENCE_EMPTY, params={"name": name}, code="evidence_empty")
    kind, magics, office_folder = ALLOWED_TYPES[suffix]
    upload.seek(0)
    head = upload.read(16)
    upload.seek(0)
    if not any(head.startswith(magic) for magic in magics) or (
        office_folder and not _office_part_present(upload, office_folder)
    ):
        raise ValidationError(EVIDENCE_CONTENT_MISMATCH, params={"name": name, "kind": kind}, code="evidence_content")
