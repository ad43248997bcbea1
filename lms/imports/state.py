"""Which step a people-import batch allows in each status, and the refusals."""

from django.utils.translation import gettext_lazy as _

from lms.constants import ImportStatus

# Why a batch cannot be committed (or checked) now.
ERROR_ALREADY_COMMITTED = _("This import has already been committed; it cannot be committed twice.")
ERROR_ALREADY_COMMITTING = _("This import is already being committed.")
ERROR_NOT_CHECKED = _("This import is still being checked; wait for the check to finish.")
ERROR_NOT_VALID = _("This import has errors and cannot be committed; correct the file and upload it again.")
ERROR_FAILED = _("This import failed; upload the file again.")

# Statuses from which a batch may be checked, and committed.
CHECKABLE = (ImportStatus.UPLOADED, ImportStatus.VALIDATED, ImportStatus.INVALID)
COMMITTABLE = (ImportStatus.VALIDATED, ImportStatus.COMMITTING)
STATE_ERRORS = {
    ImportStatus.UPLOADED: ERROR_NOT_CHECKED,
    ImportStatus.INVALID: ERROR_NOT_VALID,
    ImportStatus.COMMITTING: ERROR_ALREADY_COMMITTING,
    ImportStatus.COMMITTED: ERROR_ALREADY_COMMITTED,
    ImportStatus.FAILED: ERROR_FAILED,
}


def batch_ref(batch) -> str:
    """The outbox reference of a batch's tasks (``lms.outbox``)."""
    return f"importbatch:{batch.pk}"


class ImportBatchStateError(Exception):
    """The batch is not in a state that allows the requested step."""

    def __init__(self, message):
        self.message = message
        super().__init__(str(message))


def refuse(status):
    """Raise the refusal that explains why a batch in ``status`` cannot move."""
    raise ImportBatchStateError(STATE_ERRORS.get(status, ERROR_FAILED))
