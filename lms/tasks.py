"""Celery tasks of the academy. Each re-fetches what it works on by primary
key and calls a service; the logic lives in the services."""

import logging

from celery import Task, shared_task
from django.db import OperationalError

from lms.imports.models import ImportBatch
from lms.imports.services import import_batch_commit, import_batch_fail, import_batch_validate
from lms.imports.state import ImportBatchStateError

logger = logging.getLogger(__name__)


class ImportBatchTask(Task):
    """Marks the batch failed once the task has given up (retries exhausted
    or an unexpected error), so the admin page stops waiting for it."""

    def on_failure(self, exc, task_id, args, kwargs, einfo):
        batch = ImportBatch.objects.filter(pk=args[0] if args else kwargs.get("batch_pk")).first()
        if batch is not None:
            import_batch_fail(batch=batch)


# acks_late: a worker killed mid-commit leaves the message on the broker and
# the commit runs again; that is safe because the commit is one transaction
# and a committed batch refuses a second commit. Only OperationalError (a
# locked SQLite file, a dropped connection) is worth retrying: anything else
# would fail the same way again.
TASK_OPTIONS = {
    "base": ImportBatchTask,
    "acks_late": True,
    "autoretry_for": (OperationalError,),
    "retry_backoff": True,
    "max_retries": 3,
}


@shared_task(**TASK_OPTIONS)
def import_batch_validate_task(batch_pk):
    batch = ImportBatch.objects.filter(pk=batch_pk).first()
    if batch is None:
        logger.warning("Import batch %s no longer exists; nothing to check", batch_pk)
        return
    try:
        import_batch_validate(batch=batch)
    except ImportBatchStateError as refusal:
        logger.info("Import batch %s not checked: %s", batch_pk, refusal)


@shared_task(**TASK_OPTIONS)
def import_batch_commit_task(batch_pk):
    batch = ImportBatch.objects.filter(pk=batch_pk).first()
    if batch is None:
        logger.warning("Import batch %s no longer exists; nothing to commit", batch_pk)
        return
    try:
        import_batch_commit(batch=batch)
    except ImportBatchStateError as refusal:
        # A redelivered or duplicate message for a batch already committed.
        logger.info("Import batch %s not committed: %s", batch_pk, refusal)


@shared_task(ignore_result=True)
def pending_tasks_sweep_task():
    """Celery beat's every-minute sweep of the task outbox (lms.outbox)."""
    from lms.outbox import pending_tasks_sweep

    pending_tasks_sweep()
