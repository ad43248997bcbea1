import datetime
import os
import signal
import subprocess
import sys
import time
from decimal import Decimal

import pytest
from django.db import connection
from django.utils import translation

from certificates.constants import BatchItemStatus, BatchStatus, CertificateStatus
from certificates.models import Certificate, IssueBatch, IssueBatchItem
from certificates.selectors import batch_items_for_training, batch_items_for_transcripts, issue_batch_progress
from certificates.services import issue_batch_create, issue_batch_restart
from lms.constants import CreditCategory
from lms.ledger.services import credit_record

from .factories import CertificateTemplateFactory, SchoolFactory, TeacherFactory, TranscriptTemplateFactory, district


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


def _credit(teacher, label="暑期科学教师集中培训", hours="6", day=1):
    credit_record(
        teacher=teacher, hours=Decimal(hours), category=CreditCategory.OFFLINE_WORKSHOP,
        source_key=f"t:{teacher.pk}:{label}:{day}", occurred_on=datetime.date(2025, 7, day), evidence_label=label,
    )


@pytest.mark.django_db
def test_a_bulk_issue_by_training_and_district_issues_one_per_teacher(django_capture_on_commit_callbacks):
    template = CertificateTemplateFactory()
    lixia = district("370102")
    here = [TeacherFactory(school=SchoolFactory(district=lixia)) for _ in range(3)]
    elsewhere = TeacherFactory(school=SchoolFactory(district=district("370103")))
    for teacher in [*here, elsewhere]:
        _credit(teacher, day=1)
        _credit(teacher, day=2, hours="4")
    _credit(here[0], label="另一个培训")
    items = batch_items_for_training(year=2025, training="暑期科学教师集中培训", district=lixia)
    with django_capture_on_commit_callbacks(execute=True):
        batch = issue_batch_create(template=template, items=items, description="暑期培训")
    batch.refresh_from_db()
    assert issue_batch_progress(batch) == {"done": 3, "failed": 0, "total": 3, "status": BatchStatus.DONE}
    certificates = Certificate.objects.filter(batch=batch)
    assert sorted(c.holder_id for c in certificates) == sorted(t.pk for t in here)
    assert {c.hours for c in certificates} == {Decimal("10")}
    assert {(c.started_on, c.completed_on) for c in certificates} == {(datetime.date(2025, 7, 1),
                                                                       datetime.date(2025, 7, 2))}


@pytest.mark.django_db
def test_a_batch_run_again_or_restarted_issues_no_duplicates(django_capture_on_commit_callbacks):
    template = TranscriptTemplateFactory()
    teachers = [TeacherFactory() for _ in range(4)]
    for teacher in teachers:
        _credit(teacher)
    # One teacher already has this transcript: the batch keeps it.
    from certificates.services import certificate_transcript_issue

    existing = certificate_transcript_issue(teacher=teachers[0], year=2025, template=template).certificate
    with django_capture_on_commit_callbacks(execute=True):
        batch = issue_batch_create(template=template, items=batch_items_for_transcripts(year=2025))
    with django_capture_on_commit_callbacks(execute=True):
        issue_batch_restart(batch=batch)
    from certificates.tasks import certificate_batch_chunk_task

    certificate_batch_chunk_task.delay(batch.pk, list(batch.items.values_list("pk", flat=True)))
    assert Certificate.objects.count() == 4
    assert IssueBatchItem.objects.get(batch=batch, holder=teachers[0]).certificate == existing
    assert issue_batch_progress(batch)["done"] == 4


@pytest.mark.django_db
def test_restarting_a_finished_batch_draws_missing_pdfs_and_leaves_it_done(django_capture_on_commit_callbacks):
    # A full disk let the certificates commit but not their PDFs: Restart
    # draws them, and a batch with nothing left to do is done, not running.
    template = TranscriptTemplateFactory()
    for teacher in [TeacherFactory() for _ in range(3)]:
        _credit(teacher)
    with django_capture_on_commit_callbacks(execute=True):
        batch = issue_batch_create(template=template, items=batch_items_for_transcripts(year=2025))
    assert IssueBatch.objects.get(pk=batch.pk).status == BatchStatus.DONE
    undrawn = Certificate.objects.filter(batch=batch).first()
    Certificate.objects.filter(pk=undrawn.pk).update(pdf="")

    with django_capture_on_commit_callbacks(execute=True):
        issue_batch_restart(batch=batch)
    assert IssueBatch.objects.get(pk=batch.pk).status == BatchStatus.DONE
    assert Certificate.objects.get(pk=undrawn.pk).pdf
    assert Certificate.objects.filter(batch=batch).count() == 3

    with django_capture_on_commit_callbacks(execute=True):
        issue_batch_restart(batch=batch)  # nothing to issue or draw at all
    assert IssueBatch.objects.get(pk=batch.pk).status == BatchStatus.DONE


@pytest.mark.django_db
def test_a_failing_item_is_counted_and_the_rest_are_issued(django_capture_on_commit_callbacks):
    template = CertificateTemplateFactory()
    teachers = [TeacherFactory() for _ in range(3)]
    items = [{"holder_id": t.pk, "subject_key": "training:x", "subject_label": "培训"} for t in teachers]
    items[1]["subject_label"] = ""  # nothing to certify: this one fails
    with django_capture_on_commit_callbacks(execute=True):
        batch = issue_batch_create(template=template, items=items)
    batch.refresh_from_db()
    assert issue_batch_progress(batch) == {"done": 2, "failed": 1, "total": 3, "status": BatchStatus.DONE}
    assert IssueBatchItem.objects.get(status=BatchItemStatus.FAILED).error


# --- A real worker on Redis, killed mid-batch ------------------------------------


def _start_worker(log_path, settings):
    from conftest import REDIS_URL, ROOT, worker_database_url

    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "lms.settings.test",
        "DATABASE_URL": worker_database_url(connection),
        "CELERY_BROKER_URL": REDIS_URL,
        "LMS_CELERY_EAGER": "0",
        "MEDIA_ROOT": str(settings.MEDIA_ROOT),
        "PRIVATE_MEDIA_ROOT": str(settings.PRIVATE_MEDIA_ROOT),
    }
    log = open(log_path, "a")
    return subprocess.Popen(
        [sys.executable, "-m", "celery", "-A", "lms", "worker", "--pool=solo", "--loglevel=INFO", "-n", "again@%h"],
        cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT,
    )


def _wait(predicate, timeout, what):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(0.2)
    raise AssertionError(f"timed out waiting for {what}")


@pytest.fixture
def quick_redelivery(monkeypatch):
    # A message whose worker died goes back to the queue after 5 s, and the
    # new worker looks for such messages every second. A chunk must take less
    # than that, even on a busy machine, or a chunk still running is handed
    # out again and again (harmless, but the batch then outlasts the wait).
    monkeypatch.setenv("LMS_CELERY_VISIBILITY_TIMEOUT", "5")
    monkeypatch.setenv("LMS_CELERY_UNACKED_RESTORE_INTERVAL", "1")


@pytest.mark.celery
@pytest.mark.redis
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_worker_killed_mid_batch_loses_nothing_and_duplicates_nothing(
    quick_redelivery, celery_worker_process, settings, tmp_path
):
    from conftest import ROOT

    settings.CERTIFICATES_BATCH_CHUNK_SIZE = 10
    template = CertificateTemplateFactory()
    teachers = TeacherFactory.create_batch(120)
    items = [{"holder_id": t.pk, "subject_key": "training:summer", "subject_label": "暑期科学教师集中培训",
              "hours": Decimal("12")} for t in teachers]
    batch = issue_batch_create(template=template, items=items)  # committed: the worker sees it

    def done():
        return IssueBatchItem.objects.filter(batch=batch, status=BatchItemStatus.DONE).count()

    _wait(lambda: done() >= 10, 120, "the worker to start the batch")
    celery_worker_process.send_signal(signal.SIGKILL)
    celery_worker_process.wait(timeout=10)
    done_at_kill = done()
    assert done_at_kill < 120, "the batch finished before the worker could be killed; make it bigger"

    again = _start_worker(ROOT / "var" / "test-worker.log", settings)
    try:
        _wait(lambda: IssueBatch.objects.get(pk=batch.pk).status == BatchStatus.DONE, 180, "the batch to finish")
    finally:
        again.terminate()
        again.wait(timeout=20)

    certificates = Certificate.objects.filter(batch=batch)
    assert certificates.count() == 120
    assert sorted(certificates.values_list("holder_id", flat=True)) == sorted(t.pk for t in teachers)
    assert issue_batch_progress(IssueBatch.objects.get(pk=batch.pk))["done"] == 120
    # Gap-free serials: 1…120 with none skipped and none twice.
    sequences = sorted(Certificate.objects.values_list("sequence", flat=True))
    assert sequences == list(range(1, 121))
    assert all(c.status == CertificateStatus.VALID and c.pdf for c in certificates)
