import uuid
from pathlib import PurePath

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from lms.constants import (
    ImportKind,
    ImportStatus,
)
from lms.private_files import private_storage

# Folder of import uploads in private storage (lms.private_files).
IMPORT_FOLDER = "imports/"


def import_upload_to(instance, filename):
    """A random stored name: uploads hold personal data, so their path must not
    be guessable, and two HR officers uploading "教师名单.xlsx" must not clash.
    The name the user chose is kept in ``original_filename``."""
    suffix = PurePath(filename).suffix.lower()
    return f"{IMPORT_FOLDER}{timezone.now():%Y/%m}/{uuid.uuid4().hex}{suffix}"


class ImportBatch(models.Model):
    """One uploaded schools or teachers file, its dry-run report and, once
    committed, what the commit did. See ``lms.imports.services``."""

    kind = models.CharField(_("kind"), max_length=16, choices=ImportKind.choices)
    file = models.FileField(_("file"), upload_to=import_upload_to, storage=private_storage)
    original_filename = models.CharField(_("file name"), max_length=255)
    encoding = models.CharField(_("encoding"), max_length=16, blank=True)
    status = models.CharField(
        _("status"), max_length=16, choices=ImportStatus.choices, default=ImportStatus.UPLOADED
    )
    row_count = models.PositiveIntegerField(_("rows"), default=0)
    created_count = models.PositiveIntegerField(_("new"), default=0)
    updated_count = models.PositiveIntegerField(_("updated"), default=0)
    unchanged_count = models.PositiveIntegerField(_("unchanged"), default=0)
    error_count = models.PositiveIntegerField(_("errors"), default=0)
    # [{"row": 3, "column": "手机", "code": "bad_phone", "params": {}, "reason": "…", "value": "123"}];
    # row is None for a problem with the whole file.
    errors = models.JSONField(_("errors"), default=list, blank=True)
    # The first rows the commit will create or update, for the dry-run preview.
    preview = models.JSONField(_("preview"), default=list, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("uploaded by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField(_("uploaded"), auto_now_add=True)
    committed_at = models.DateTimeField(_("committed"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("import batch")
        verbose_name_plural = _("import batches")

    def __str__(self):
        return f"{self.get_kind_display()}: {self.original_filename}"

    @property
    def is_running(self):
        """True while a worker is checking or committing the batch."""
        return self.status in {ImportStatus.UPLOADED, ImportStatus.COMMITTING}


