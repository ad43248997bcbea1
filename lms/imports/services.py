"""Bulk import of schools and teachers from CSV or XLSX files.

An import is an ``ImportBatch`` that goes through three steps:

``import_batch_create``
    stores the upload after checking the file as a whole (type, size,
    encoding, header row, at least one data row);
``import_batch_validate``
    the dry run: checks every row and records the report (errors, counts, a
    preview of what a commit would do) on the batch, and writes nothing else;
``import_batch_commit``
    checks every row again, against the database as it is now, and writes all
    rows in one transaction, or none.

The admin hands the check and the commit to a Celery worker:
``import_batch_upload``, ``import_batch_commit_request`` and
``import_batch_retry`` move a batch on and, in the same transaction, promise
the task that takes it further (``lms.outbox``: sent once the transaction
commits, resent by the sweep if the broker lost it).

The file format. Row 1 is the header; rows are numbered as the spreadsheet
numbers them, so an error "row 7" is the seventh row in Excel or WPS. Headers
are the Chinese ones of the official templates, or their English aliases
(``lms.imports.vocabulary``). Choice columns take the Chinese term or the code
value. Rows are matched to existing records by staff number (teachers) or
school code (schools).

Where the rest lives: the file reader in ``lms.imports.tabular``, the row
checks in ``lms.imports.teachers`` and ``lms.imports.schools`` (shared pieces
in ``lms.imports.checks``), the writers in ``lms.imports.commit``, the batch
statuses and refusals in ``lms.imports.state``.
"""

import logging
from pathlib import PurePath

from django.core.files.base import ContentFile
from django.db import OperationalError, transaction
from django.utils import timezone

from lms.constants import ImportKind, ImportStatus
from lms.imports.checks import Validation, row_error_json
from lms.imports.commit import WRITERS
from lms.imports.models import ImportBatch
from lms.imports.schools import validate_schools
from lms.imports.state import CHECKABLE, COMMITTABLE, ImportBatchStateError, batch_ref, refuse
from lms.imports.tabular import ImportFileError, check_extension, check_size, table_open
from lms.imports.teachers import validate_teachers
from lms.imports.vocabulary import COLUMNS, VERBATIM_FIELDS
from lms.outbox import task_enqueue

logger = logging.getLogger(__name__)

VALIDATORS = {ImportKind.TEACHERS: validate_teachers, ImportKind.SCHOOLS: validate_schools}

# The task that moves a batch on from each status that waits for a worker,
# by its registered name (the tasks live in lms.tasks, which calls these
# services; the names are what queued messages and the outbox hold).
NEXT_TASK = {
    ImportStatus.UPLOADED: "lms.tasks.import_batch_validate_task",
    ImportStatus.COMMITTING: "lms.tasks.import_batch_commit_task",
}


def _next_task_enqueue(batch: ImportBatch):
    """Promise the task that moves ``batch`` on from its status (in the
    caller's transaction; sent once it commits)."""
    task_enqueue(NEXT_TASK[batch.status], (batch.pk,), ref=batch_ref(batch))


def people_table_open(*, kind: str, data: bytes, filename: str):
    """A people file opened with the columns of its template."""
    return table_open(data=data, filename=filename, columns=COLUMNS[kind], verbatim=VERBATIM_FIELDS)


def _validate_batch_file(batch: ImportBatch) -> Validation:
    """Read the stored file and check every row; a problem with the whole file
    becomes the only error of the report."""
    try:
        with batch.file.open("rb") as stored:
            data = stored.read()
        table = people_table_open(kind=batch.kind, data=data, filename=batch.original_filename)
        return VALIDATORS[batch.kind](table)
    except ImportFileError as error:
        return Validation(errors=[error.as_row_error()])


def import_batch_create(*, kind: str, uploaded_file, user=None) -> ImportBatch:
    """Store an uploaded file as a new batch, waiting for its dry run.

    Raises ImportFileError, and stores nothing, if the file cannot be
    imported at all. The caller then runs ``import_batch_validate`` (the admin
    uploads through ``import_batch_upload``, which hands it to a Celery task)."""
    if kind not in ImportKind.values:
        raise ValueError(f"unknown import kind {kind!r}")
    filename = PurePath(uploaded_file.name or "").name
    check_extension(filename)
    if uploaded_file.size is not None:
        check_size(uploaded_file.size)
    uploaded_file.seek(0)
    data = uploaded_file.read()
    check_size(len(data))
    table = people_table_open(kind=kind, data=data, filename=filename)
    batch = ImportBatch(kind=kind, original_filename=filename[:255], encoding=table.encoding, created_by=user)
    batch.file.save(filename, ContentFile(data), save=False)
    batch.save()
    return batch


def import_batch_upload(*, kind: str, uploaded_file, user=None) -> ImportBatch:
    """Store an upload as a new batch and promise its check to the worker,
    in one transaction: the admin's upload.

    Raises ImportFileError, and stores nothing, if the file cannot be
    imported at all; OSError if the storage refuses the file."""
    with transaction.atomic():
        batch = import_batch_create(kind=kind, uploaded_file=uploaded_file, user=user)
        _next_task_enqueue(batch)
    return batch


def import_batch_validate(*, batch: ImportBatch) -> ImportBatch:
    """The dry run: check every row and record the report on the batch.

    Writes nothing but the batch. Refused (ImportBatchStateError) once the
    batch is being committed or has been."""
    if batch.status not in CHECKABLE:
        refuse(batch.status)
    validation = _validate_batch_file(batch)
    status = ImportStatus.INVALID if validation.errors else ImportStatus.VALIDATED
    # Conditional, so that a check finishing late cannot overwrite a commit.
    claimed = ImportBatch.objects.filter(pk=batch.pk, status__in=CHECKABLE).update(
        status=status, **validation.report()
    )
    batch.refresh_from_db()
    if not claimed:
        refuse(batch.status)
    return batch


def import_batch_commit_request(*, batch: ImportBatch) -> ImportBatch:
    """Mark a valid batch as being committed and promise its commit to the
    worker, in one transaction.

    The conditional update is what stops a double click, or two HR officers,
    from queueing the same commit twice."""
    with transaction.atomic():
        claimed = ImportBatch.objects.filter(pk=batch.pk, status=ImportStatus.VALIDATED).update(
            status=ImportStatus.COMMITTING
        )
        batch.refresh_from_db()
        if not claimed:
            refuse(batch.status)
        _next_task_enqueue(batch)
    return batch


def import_batch_commit(*, batch: ImportBatch) -> ImportBatch:
    """Check the file again and write every row, in one transaction.

    If any row is now bad (the database may have changed since the dry run)
    nothing is written and the batch becomes invalid with the new report.
    The batch row is locked for the duration, so a second commit running at
    the same time waits, then finds the batch committed and is refused
    (ImportBatchStateError)."""

    try:
        with transaction.atomic():
            locked = ImportBatch.objects.select_for_update().get(pk=batch.pk)
            if locked.status not in COMMITTABLE:
                refuse(locked.status)
            validation = _validate_batch_file(locked)
            report = validation.report()
            if validation.errors:
                locked.status = ImportStatus.INVALID
            else:
                WRITERS[locked.kind](validation.plans)
                locked.status = ImportStatus.COMMITTED
                locked.committed_at = timezone.now()
            for name, value in report.items():
                setattr(locked, name, value)
            locked.save()
    except (ImportBatchStateError, OperationalError):
        # Refusals are the caller's to report; OperationalError (a locked
        # database, a dropped connection) is transient and the task retries.
        raise
    except Exception:
        logger.exception("Import batch %s failed", batch.pk)
        import_batch_fail(batch=batch)
        raise
    batch.refresh_from_db()
    return batch


def import_batch_retry(*, batch: ImportBatch) -> ImportBatch:
    """Take up again a batch whose check or commit never ran or failed.

    A failed batch wrote nothing, so it goes back to being checked from its
    file (HR then commits it again). A batch still waiting to be checked or
    committed keeps its status. Either way its task is promised again, in
    the same transaction, which is safe because a check writes only the
    batch and a commit runs once. Refused (ImportBatchStateError) for any
    other status."""
    with transaction.atomic():
        locked = ImportBatch.objects.select_for_update().get(pk=batch.pk)
        if locked.status == ImportStatus.FAILED:
            locked.status = ImportStatus.UPLOADED
            locked.errors = []
            locked.error_count = 0
            locked.save(update_fields=["status", "errors", "error_count"])
        elif locked.status not in (ImportStatus.UPLOADED, ImportStatus.COMMITTING):
            refuse(locked.status)
        _next_task_enqueue(locked)
    batch.refresh_from_db()
    return batch


def import_batch_fail(*, batch: ImportBatch, statuses=(ImportStatus.UPLOADED, *COMMITTABLE)) -> ImportBatch:
    """Record that checking or committing the batch failed unexpectedly.

    Only a batch still in one of ``statuses`` changes: a committed batch
    stays committed whatever happens to a late duplicate task."""
    ImportBatch.objects.filter(pk=batch.pk, status__in=statuses).update(
        status=ImportStatus.FAILED,
        errors=[row_error_json(ImportFileError("unexpected").as_row_error())],
        error_count=1,
    )
    batch.refresh_from_db()
    return batch
