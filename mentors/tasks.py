"""E-mail tasks of the research-along app; services enqueue them after commit."""

from smtplib import SMTPException

from celery import shared_task

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
