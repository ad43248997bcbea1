"""The outbox of tasks (lms.outbox): promised with the data, sent after
commit, swept when the broker refused or lost them; and the import screen's
retry for a batch waiting on a worker that never came."""

import datetime
import errno
import io

import pytest
from django.core.management import call_command
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from kombu.exceptions import OperationalError

from lms import tasks
from lms.constants import ImportStatus
from lms.imports.admin_views import ERROR_FILE_NOT_STORED, MESSAGE_RETRIED
from lms.imports.state import ERROR_ALREADY_COMMITTED
from lms.imports.tests.builders import hr_signed_in, teacher_row, to_csv, upload
from lms.models import ImportBatch, PendingTask
from lms.outbox import pending_tasks_sweep, task_enqueue
from lms.tests.factories import SchoolFactory

pytestmark = pytest.mark.django_db

STALLED_EN = "Waiting for the background worker"


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def hr_client(client):
    return hr_signed_in(client)


@pytest.fixture
def broker_down(monkeypatch):
    def refuse(*args, **kwargs):
        raise OperationalError("Error 111 connecting to 127.0.0.1:6399. Connection refused.")

    for task in (tasks.import_batch_validate_task, tasks.import_batch_commit_task):
        monkeypatch.setattr(task, "apply_async", refuse)
    return monkeypatch


def messages_of(response):
    return [str(message).strip() for message in response.context["messages"]]


def test_a_promise_rolls_back_with_its_transaction_and_commits_with_it(django_capture_on_commit_callbacks):
    with pytest.raises(RuntimeError), transaction.atomic():
        task_enqueue(tasks.pending_tasks_sweep_task)
        raise RuntimeError
    assert not PendingTask.objects.exists()
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        pending = task_enqueue(tasks.import_batch_validate_task, (404,), ref="importbatch:404")
    assert PendingTask.objects.get() == pending and len(callbacks) == 1
    for callback in callbacks:
        callback()  # eager: the task runs (the batch is gone: logged) and its row is closed
    assert not PendingTask.objects.exists()


def test_an_upload_with_the_broker_down_waits_and_can_be_retried(
    hr_client, broker_down, django_capture_on_commit_callbacks
):
    SchoolFactory(code="S001")
    index = reverse("lms_imports:index")
    with django_capture_on_commit_callbacks(execute=True):
        response = hr_client.post(index, {"kind": "teachers", "file": upload(to_csv([teacher_row("T001")]))})
    batch = ImportBatch.objects.get()
    assert response.status_code == 302 and response.url == reverse("lms_imports:detail", args=[batch.pk])
    assert batch.status == ImportStatus.UPLOADED
    pending = PendingTask.objects.get()
    assert pending.ref == f"importbatch:{batch.pk}" and "Connection refused" in pending.last_error

    page = hr_client.get(response.url).content.decode()
    retry_url = reverse("lms_imports:retry", args=[batch.pk])
    assert STALLED_EN in page and retry_url in page

    # Still down: the retry is another promise, and the page still waits.
    with django_capture_on_commit_callbacks(execute=True):
        response = hr_client.post(retry_url)
    response = hr_client.get(response.url)
    assert str(MESSAGE_RETRIED) in messages_of(response)
    assert STALLED_EN in response.content.decode()

    broker_down.undo()
    with django_capture_on_commit_callbacks(execute=True):
        hr_client.post(retry_url)
    batch.refresh_from_db()
    assert batch.status == ImportStatus.VALIDATED
    # The task that ran closed its own promise; the two refused ones are left
    # for the sweep, whose resend runs the (idempotent) check again.
    assert PendingTask.objects.count() == 2
    assert pending_tasks_sweep(now=timezone.now() + datetime.timedelta(minutes=2)).sent == 2
    assert not PendingTask.objects.exists()
    batch.refresh_from_db()
    assert batch.status == ImportStatus.VALIDATED
    page = hr_client.get(reverse("lms_imports:detail", args=[batch.pk])).content.decode()
    assert STALLED_EN not in page and retry_url not in page


def test_a_failed_batch_is_checked_again_on_retry_and_a_committed_one_refuses(
    hr_client, django_capture_on_commit_callbacks
):
    SchoolFactory(code="S001")
    with django_capture_on_commit_callbacks(execute=True):
        hr_client.post(reverse("lms_imports:index"), {"kind": "teachers", "file": upload(to_csv([teacher_row()]))})
    batch = ImportBatch.objects.get()
    ImportBatch.objects.filter(pk=batch.pk).update(status=ImportStatus.FAILED, error_count=1, errors=[{"row": None}])
    retry_url = reverse("lms_imports:retry", args=[batch.pk])
    assert retry_url in hr_client.get(reverse("lms_imports:detail", args=[batch.pk])).content.decode()

    with django_capture_on_commit_callbacks(execute=True):
        hr_client.post(retry_url)
    batch.refresh_from_db()
    assert batch.status == ImportStatus.VALIDATED and batch.error_count == 0

    ImportBatch.objects.filter(pk=batch.pk).update(status=ImportStatus.COMMITTED)
    response = hr_client.post(retry_url, follow=True)
    assert messages_of(response)[-1] == str(ERROR_ALREADY_COMMITTED)
    assert not PendingTask.objects.exists()


def test_retry_needs_the_import_permission(client):
    from lms.people.services import district_admin_assign
    from lms.tests.factories import UserFactory, district

    batch = ImportBatch.objects.create(kind="teachers", original_filename="t.csv", status=ImportStatus.FAILED)
    admin = UserFactory(username="lixia-admin")
    district_admin_assign(user=admin, district=district("370102"))
    client.force_login(admin)
    assert client.post(reverse("lms_imports:retry", args=[batch.pk])).status_code == 403
    batch.refresh_from_db()
    assert batch.status == ImportStatus.FAILED


def test_a_full_media_disk_refuses_the_upload_with_a_message_and_records_nothing(hr_client, monkeypatch):
    from django.core.files.storage import FileSystemStorage

    def disk_full(self, name, content, max_length=None):
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(FileSystemStorage, "save", disk_full)
    response = hr_client.post(
        reverse("lms_imports:index"), {"kind": "teachers", "file": upload(to_csv([teacher_row()]))}
    )
    assert response.status_code == 200
    expected = str(ERROR_FILE_NOT_STORED % {"reason": "No space left on device"})
    assert expected in response.content.decode().replace("&#x27;", "'")
    assert not ImportBatch.objects.exists() and not PendingTask.objects.exists()


def test_the_sweep_leaves_young_and_given_up_tasks_and_resends_the_rest(settings, monkeypatch):
    settings.LMS_OUTBOX_RESEND_AFTER = 60
    settings.LMS_OUTBOX_REDELIVER_AFTER = 1800
    settings.LMS_OUTBOX_RETRY_FAILED_AFTER = 1800
    now = timezone.now()
    name = tasks.import_batch_validate_task.name

    def row(**fields):
        return PendingTask.objects.create(task_name=name, args=[404], **fields)

    refused_young = row(last_error="refused", created_at=now - datetime.timedelta(seconds=30))
    refused_old = row(last_error="refused", created_at=now - datetime.timedelta(seconds=90))
    in_flight = row(created_at=now - datetime.timedelta(minutes=10))
    lost = row(created_at=now - datetime.timedelta(hours=1))
    given_up = row(created_at=now - datetime.timedelta(hours=1), failed_at=now - datetime.timedelta(minutes=5))
    given_up_long_ago = row(created_at=now - datetime.timedelta(hours=2), failed_at=now - datetime.timedelta(hours=1))

    sent = []
    monkeypatch.setattr(tasks.import_batch_validate_task, "apply_async", lambda **options: sent.append(options["task_id"]))
    result = pending_tasks_sweep(now=now)
    assert result.sent == 3
    assert sorted(sent) == sorted(str(pending.task_id) for pending in (refused_old, lost, given_up_long_ago))
    for pending in (refused_young, in_flight, given_up):
        pending.refresh_from_db()
        assert pending.sent_at is None
    given_up_long_ago.refresh_from_db()
    assert given_up_long_ago.failed_at is None and given_up_long_ago.sent_at == now


def test_a_task_the_worker_gives_up_on_is_marked_failed_and_the_command_resends_it_when_asked(monkeypatch):
    batch = ImportBatch.objects.create(kind="teachers", original_filename="t.csv", file="imports/gone.csv")
    pending = task_enqueue(tasks.import_batch_validate_task, (batch.pk,))
    tasks.import_batch_validate_task.apply(args=[batch.pk], task_id=str(pending.task_id), throw=False)
    pending.refresh_from_db()
    assert pending.failed_at is not None and "FileNotFoundError" in pending.last_error
    batch.refresh_from_db()
    assert batch.status == ImportStatus.FAILED
    assert pending_tasks_sweep().sent == 0  # not before LMS_OUTBOX_RETRY_FAILED_AFTER

    sent = []
    monkeypatch.setattr(tasks.import_batch_validate_task, "apply_async", lambda **options: sent.append(options))
    out = io.StringIO()
    call_command("sweep_pending_tasks", "--include-failed", stdout=out)
    assert [options["task_id"] for options in sent] == [str(pending.task_id)]
    assert "1 tasks sent again" in out.getvalue() or "已重新发送 1 个任务" in out.getvalue()
    pending.refresh_from_db()
    assert pending.failed_at is None and pending.attempts == 1


def test_a_promise_naming_no_task_is_set_aside_and_the_sweep_goes_on(monkeypatch):
    stray = PendingTask.objects.create(task_name="lms.tasks.no_such_task", last_error="refused")
    batch = ImportBatch.objects.create(kind="teachers", original_filename="t.csv", file="imports/gone.csv")
    PendingTask.objects.create(task_name=tasks.import_batch_validate_task.name, args=[batch.pk], last_error="refused")
    sent = []
    monkeypatch.setattr(tasks.import_batch_validate_task, "apply_async", lambda **options: sent.append(options))
    pending_tasks_sweep(now=timezone.now() + datetime.timedelta(minutes=2))
    assert len(sent) == 1
    stray.refresh_from_db()
    assert stray.failed_at is not None and stray.last_error.startswith("NotRegistered")
    # Asked to resend everything, the sweep still visits each row once.
    assert pending_tasks_sweep(include_failed=True).unsent == 0
