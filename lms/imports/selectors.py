"""Import reads: an upload's file, for the staff who may see the batch; whether
a batch waits on a task the broker never delivered."""

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser

from lms.constants import IMPORT_PERMISSION
from lms.imports.models import ImportBatch
from lms.imports.state import batch_ref
from lms.outbox import pending_task_stalled
from lms.private_files import PrivateFile


def import_file_get_for_user(user: AbstractBaseUser | AnonymousUser, name: str) -> PrivateFile | None:
    """An uploaded people spreadsheet, for whoever may run imports (they see
    every batch's report already)."""
    if not (user.is_authenticated and user.is_active and user.has_perm(IMPORT_PERMISSION)):
        return None
    batch = ImportBatch.objects.filter(file=name).first()
    if batch is None:
        return None
    return PrivateFile(batch.file, batch.original_filename)


def import_batch_stalled(batch: ImportBatch) -> bool:
    """Whether a batch waiting for a worker waits on a task that was never
    sent or never ran (the admin then offers to retry)."""
    return batch.is_running and pending_task_stalled(ref=batch_ref(batch))
