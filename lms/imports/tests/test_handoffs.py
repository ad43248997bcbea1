"""The services that move a batch on promise its next task themselves, in
their own transaction: the admin views only call them."""

import pytest
from django.db import transaction

from lms import tasks
from lms.constants import ImportKind, ImportStatus
from lms.imports.services import NEXT_TASK, import_batch_commit_request, import_batch_retry, import_batch_upload
from lms.imports.state import ERROR_ALREADY_COMMITTED, ImportBatchStateError, batch_ref
from lms.imports.tests.builders import checked, teacher_row, to_csv, upload
from lms.models import ImportBatch, PendingTask

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.PRIVATE_MEDIA_ROOT = tmp_path / "private-media"


def promised(batch):
    return list(PendingTask.objects.filter(ref=batch_ref(batch)).values_list("task_name", "args"))


def test_next_tasks_are_the_registered_ones():
    assert NEXT_TASK == {
        ImportStatus.UPLOADED: tasks.import_batch_validate_task.name,
        ImportStatus.COMMITTING: tasks.import_batch_commit_task.name,
    }


def test_an_upload_is_stored_and_its_check_promised_in_one_transaction(schools):
    batch = import_batch_upload(kind=ImportKind.TEACHERS, uploaded_file=upload(to_csv([teacher_row()])))
    assert batch.status == ImportStatus.UPLOADED
    assert promised(batch) == [(tasks.import_batch_validate_task.name, [batch.pk])]


def test_an_upload_rolled_back_promises_nothing(schools):
    with pytest.raises(RuntimeError), transaction.atomic():
        import_batch_upload(kind=ImportKind.TEACHERS, uploaded_file=upload(to_csv([teacher_row()])))
        raise RuntimeError
    assert not ImportBatch.objects.exists() and not PendingTask.objects.exists()


def test_a_commit_request_promises_the_commit_once(schools):
    batch = checked(to_csv([teacher_row()]))
    batch = import_batch_commit_request(batch=batch)
    assert batch.status == ImportStatus.COMMITTING
    assert promised(batch) == [(tasks.import_batch_commit_task.name, [batch.pk])]
    with pytest.raises(ImportBatchStateError):
        import_batch_commit_request(batch=batch)
    assert len(promised(batch)) == 1


def test_a_retry_promises_the_task_of_the_status_it_leaves_the_batch_in(schools):
    batch = checked(to_csv([teacher_row()]))
    ImportBatch.objects.filter(pk=batch.pk).update(status=ImportStatus.FAILED)
    batch = import_batch_retry(batch=batch)
    assert batch.status == ImportStatus.UPLOADED
    assert promised(batch) == [(tasks.import_batch_validate_task.name, [batch.pk])]


def test_a_refused_retry_promises_nothing(schools):
    batch = checked(to_csv([teacher_row()]))
    ImportBatch.objects.filter(pk=batch.pk).update(status=ImportStatus.COMMITTED)
    with pytest.raises(ImportBatchStateError) as refused:
        import_batch_retry(batch=batch)
    assert refused.value.message == ERROR_ALREADY_COMMITTED
    assert not PendingTask.objects.exists()
