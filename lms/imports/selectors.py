"""Import reads: an upload's file, for the staff who may see the batch."""




from lms.constants import IMPORT_PERMISSION
from lms.imports.models import ImportBatch
from lms.private_files import PrivateFile


def import_file_get_for_user(user, name):
    """An uploaded people spreadsheet, for whoever may run imports (they see
    every batch's report already)."""
    if not (user.is_authenticated and user.is_active and user.has_perm(IMPORT_PERMISSION)):
        return None
    batch = ImportBatch.objects.filter(file=name).first()
    if batch is None:
        return None
    return PrivateFile(batch.file, batch.original_filename)
