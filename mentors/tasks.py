"""E-mail tasks of the research-along app, enqueued by its services (and one kept for the upgrade)."""

from smtplib import SMTPException

from celery import shared_task
from django.db import OperationalError

from . import notifications

TASK_OPTIONS = {
    "acks_late": True,
    "autoretry_for": (SMTPException, ConnectionError),
    "retry_backoff": True,
    "max_retries": 5,
}


@shared_task(**TASK_OPTIONS)
def mentor_invited_task(mentor_pk, set_password_path):
    notifications.mentor_invited(mentor_pk=mentor_pk, set_password_path=set_password_path)


@shared_task(**TASK_OPTIONS)
def pairing_proposed_task(pairing_pk):
    notifications.pairing_proposed(pairing_pk=pairing_pk)


@shared_task(**TASK_OPTIONS)
def pairing_decided_task(pairing_pk):
    notifications.pairing_decided(pairing_pk=pairing_pk)


@shared_task(**TASK_OPTIONS)
def activity_submitted_task(activity_pk):
    notifications.activity_submitted(activity_pk=activity_pk)


@shared_task(**TASK_OPTIONS)
def activity_reviewed_task(activity_pk):
    notifications.activity_reviewed(activity_pk=activity_pk)


# Only for the upgrade: before completions were announced (lms.events,
# decision 0095), a completed pairing promised the certificates app's
# ``research_along_certificate_task``. Outbox rows and broker messages
# promised before the upgrade still carry that name; this task answers to it
# and announces the completion again, which promises the certificate's one
# task. Remove it once no PendingTask carries the name.
LEGACY_CERTIFICATE_TASK = "certificates.tasks.research_along_certificate_task"


@shared_task(name=LEGACY_CERTIFICATE_TASK, acks_late=True, reject_on_worker_lost=True,
             autoretry_for=(OperationalError,), retry_backoff=True, max_retries=5)
def pairing_completion_reannounce_task(*, pairing_pk):
    from .services import pairing_completion_reannounce  # services import this module

    pairing_completion_reannounce(pairing_pk=pairing_pk)
