"""Work handed to Celery is never lost, with a real broker and a real worker.

A Redis server of the test's own (never the shared one) is stopped while a
teacher completes a course and HR uploads an import: both requests succeed
and say so, the work waits in the outbox, and once Redis is back the sweep
sends it and a real worker issues the certificate and checks the batch. A
worker killed in the middle of a bulk issue leaves nothing half-done: the
batch finishes with one certificate per teacher.
"""

import datetime
import signal
import socket
import subprocess
import time

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from certificates.constants import BatchItemStatus, BatchStatus, CertificateKind, CertificateStatus
from certificates.models import Certificate, IssueBatch
from certificates.services import issue_batch_create
from certificates.tests.factories import CertificateTemplateFactory
from conftest import celery_broker_switched, celery_worker_running, service_missing
from courses.tests.factories import CoursePageFactory, EnrolmentFactory, LessonPageFactory
from lms.constants import ImportStatus, Role
from lms.imports.admin_views import MESSAGE_UPLOADED
from lms.models import ImportBatch, PendingTask
from lms.tests.factories import SchoolFactory, TeacherFactory, user_with_role

pytestmark = [
    pytest.mark.celery,
    pytest.mark.redis,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

# The Chinese the pages show (the default language).
COMPLETED_ZH = "恭喜"
STALLED_ZH = "正在等待后台任务处理"


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_until(predicate, timeout, interval=0.3):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(interval)
    return False


class OwnRedis:
    """A throwaway redis-server on a port of its own, with no persistence:
    stopping it loses every message, as a broker restart may."""

    def __init__(self, tmp_path):
        self.port = free_port()
        self.dir = tmp_path
        self.process = None

    @property
    def url(self):
        return f"redis://127.0.0.1:{self.port}/0"

    def _answers(self):
        try:
            with socket.create_connection(("127.0.0.1", self.port), timeout=0.5) as sock:
                sock.sendall(b"PING\r\n")
                return sock.recv(16).startswith(b"+PONG")
        except OSError:
            return False

    def start(self):
        self.process = subprocess.Popen(
            ["redis-server", "--port", str(self.port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no",
             "--daemonize", "no", "--dir", str(self.dir)],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )
        assert wait_until(self._answers, 10), "redis-server did not start"

    def stop(self):
        self.process.send_signal(signal.SIGKILL)
        self.process.wait(timeout=10)
        assert not self._answers()


@pytest.fixture
def own_redis(tmp_path):
    try:
        redis = OwnRedis(tmp_path)
        redis.start()
    except FileNotFoundError:
        service_missing("redis-server is not installed (apt-get install redis-server)")
    try:
        yield redis
    finally:
        if redis.process.poll() is None:
            redis.process.kill()
            redis.process.wait(timeout=10)


def teachers_csv(school):
    rows = ["工号,姓名,学校代码,学科,学段", f"D001,赵敏,{school.code},科学,小学", f"D002,钱坤,{school.code},物理,初中"]
    return ("\n".join(rows) + "\n").encode("utf-8")


def test_with_the_broker_down_a_completion_and_an_upload_succeed_and_their_work_is_done_once_it_is_back(
    client, settings, own_redis, tmp_path
):
    CertificateTemplateFactory(kind=CertificateKind.COURSE_COMPLETION, is_default=True)
    course = CoursePageFactory(title="科学探究教学设计", requires_quizzes=False)
    lesson = LessonPageFactory(parent=course)
    enrolment = EnrolmentFactory(course=course)
    school = SchoolFactory(code="DR01", has_primary=True, has_junior=True)
    hr = user_with_role(Role.HR, username="hr-drill")

    with celery_broker_switched(settings, own_redis.url):
        own_redis.stop()  # the broker goes away, with whatever it held

        client.force_login(enrolment.teacher.user)
        started = time.monotonic()
        response = client.post(f"/learn/{lesson.pk}/done/", follow=True)
        completion_seconds = time.monotonic() - started
        assert response.status_code == 200
        assert any(COMPLETED_ZH in str(message) for message in response.context["messages"])
        enrolment.refresh_from_db()
        assert enrolment.completed_at is not None

        client.force_login(hr)
        upload = SimpleUploadedFile("名单.csv", teachers_csv(school), content_type="text/csv")
        response = client.post(reverse("lms_imports:index"), {"kind": "teachers", "file": upload})
        batch = ImportBatch.objects.get()
        assert response.status_code == 302 and response.url == reverse("lms_imports:detail", args=[batch.pk])
        page = client.get(response.url)
        assert str(MESSAGE_UPLOADED) in [str(message).strip() for message in page.context["messages"]]
        # The page says what is happening and offers to retry.
        text = page.content.decode()
        assert STALLED_ZH in text and reverse("lms_imports:retry", args=[batch.pk]) in text

        # Nothing was lost: both promises wait, with the broker's refusal.
        assert not Certificate.objects.exists()
        assert batch.status == ImportStatus.UPLOADED
        pending = {task.task_name: task for task in PendingTask.objects.all()}
        assert set(pending) == {
            "certificates.tasks.certificate_issue_task", "lms.tasks.import_batch_validate_task",
        }
        assert all(task.last_error and task.sent_at is None for task in pending.values())
        # Refused quickly: a teacher is not kept waiting on a dead broker.
        assert completion_seconds < 5, completion_seconds

    # The broker is back (empty: it kept nothing); the sweep sends what is
    # due and a new worker does the work.
    own_redis.start()
    settings.LMS_OUTBOX_RESEND_AFTER = 0
    with celery_worker_running(settings, own_redis.url, name="drill"):
        call_command("sweep_pending_tasks", stdout=open("/dev/null", "w"))

        def done():
            batch.refresh_from_db()
            return batch.status != ImportStatus.UPLOADED and Certificate.objects.exists()

        assert wait_until(done, 60), "the worker did not finish the swept tasks"
        assert wait_until(lambda: not PendingTask.objects.exists(), 10), list(PendingTask.objects.values())
    assert batch.status == ImportStatus.VALIDATED and batch.row_count == 2
    certificate = Certificate.objects.get()
    assert certificate.holder == enrolment.teacher and certificate.status == CertificateStatus.VALID


def test_a_worker_killed_in_the_middle_of_a_bulk_issue_leaves_nothing_missing_or_doubled(settings, own_redis, tmp_path):
    settings.CERTIFICATES_BATCH_CHUNK_SIZE = 3
    template = CertificateTemplateFactory(kind=CertificateKind.COURSE_COMPLETION, is_default=True)
    teachers = [TeacherFactory() for _ in range(12)]
    items = [
        {"holder_id": teacher.pk, "subject_key": "drill:summer", "subject_label": "暑期集中培训"}
        for teacher in teachers
    ]
    # Redis gives a dead worker's unacknowledged chunk back after two seconds.
    fast_restore = {"LMS_CELERY_VISIBILITY_TIMEOUT": "2", "LMS_CELERY_UNACKED_RESTORE_INTERVAL": "1"}

    with celery_worker_running(settings, own_redis.url, extra_env=fast_restore, name="drill") as worker:
        batch = issue_batch_create(template=template, items=items, description="drill")
        assert wait_until(lambda: Certificate.objects.count() >= 1, 60, interval=0.05)
        worker.send_signal(signal.SIGKILL)  # mid-batch, no goodbye
        worker.wait(timeout=10)
    killed_at = Certificate.objects.count()
    assert killed_at < len(teachers), "the batch finished before the worker could be killed"

    with celery_worker_running(settings, own_redis.url, extra_env=fast_restore, name="drill"):
        # Whatever Redis does not give back, the sweep sends again.
        later = timezone.now() + datetime.timedelta(seconds=settings.LMS_OUTBOX_REDELIVER_AFTER + 1)
        from lms.outbox import pending_tasks_sweep

        pending_tasks_sweep(now=later)

        def finished():
            batch.refresh_from_db()
            return batch.status == BatchStatus.DONE

        assert wait_until(finished, 90), (killed_at, Certificate.objects.count())
    assert batch.items.filter(status=BatchItemStatus.DONE).count() == len(teachers)
    holders = list(Certificate.objects.filter(batch=batch).values_list("holder_id", flat=True))
    assert sorted(holders) == sorted(teacher.pk for teacher in teachers)  # none missing, none twice
    assert IssueBatch.objects.get().total == len(teachers)
