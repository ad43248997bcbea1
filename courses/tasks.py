"""Celery tasks of the courses app.

Only one, and only for the upgrade: before completions were announced
(lms.events, decision 0095), a completed enrolment promised the certificates
app's ``course_completion_certificate_task``. Outbox rows and broker messages
promised before the upgrade still carry that name; this task answers to it
and announces the completion again, which promises the certificate's one
task. Remove it once no PendingTask carries the name.
"""

from celery import shared_task
from django.db import OperationalError

from .services import enrolment_completion_reannounce

LEGACY_CERTIFICATE_TASK = "certificates.tasks.course_completion_certificate_task"


@shared_task(name=LEGACY_CERTIFICATE_TASK, acks_late=True, reject_on_worker_lost=True,
             autoretry_for=(OperationalError,), retry_backoff=True, max_retries=5)
def enrolment_completion_reannounce_task(*, enrolment_id):
    enrolment_completion_reannounce(enrolment_id=enrolment_id)
