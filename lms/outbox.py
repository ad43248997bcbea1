"""Durable hand-offs to Celery: the academy's transactional outbox.

Every service that hands work to a task calls ``task_enqueue`` inside the
transaction that writes the work's data. It records a ``PendingTask`` row in
that transaction and, once it has committed, sends the task to the broker.
A broker that cannot be reached is logged and leaves the row pending; it
never fails the request, whose data has already committed. The worker
deletes the row when the task has run (``task_success``), so a row that is
still there after a grace period is work not yet done: ``pending_tasks_sweep``
(every minute, from Celery beat; also ``manage.py sweep_pending_tasks``)
sends it again. Every task handed off this way is idempotent, so a message
delivered twice does its work once. See docs/decisions/0060-task-outbox.md.
"""

import logging
import uuid
from dataclasses import dataclass
from datetime import timedelta

from celery.exceptions import NotRegistered
from celery.signals import task_failure, task_success
from django.conf import settings
from django.db import transaction
from django.db.models import F, Q
from django.db.models.functions import Coalesce
from django.utils import timezone
from kombu.exceptions import KombuError

from lms.outbox_models import PendingTask

logger = logging.getLogger(__name__)

# Errors that mean "the broker did not take the message". Kombu wraps the
# transports' connection errors (redis-py's included) in its OperationalError;
# OSError covers a socket refused before kombu sees it.
BROKER_ERRORS = (KombuError, OSError)
SWEEP_CHUNK = 500
# Sending while the broker is down must not hold a teacher's request for
# long: one quick retry, then the sweep takes over.
SEND_RETRY_POLICY = {"max_retries": 1, "interval_start": 0, "interval_step": 0.2, "interval_max": 0.2}


def _task(name):
    """The registered task called ``name``. Celery discovers the apps' task
    modules lazily (a worker at start); a process that never imported one,
    such as the sweep's management command, has them imported here."""
    from lms.celery import app

    if name not in app.tasks:
        app.loader.import_default_modules()
    return app.tasks[name]


def task_enqueue(task, args=(), kwargs=None, *, ref="") -> PendingTask:
    """Promise to run ``task(*args, **kwargs)``: recorded now, in the caller's
    transaction, and sent once it commits. ``task`` is a task or its
    registered name (for a service below the module that defines it).
    Arguments must be JSON values (tasks take primary keys)."""
    name = task if isinstance(task, str) else task.name
    pending = PendingTask.objects.create(task_name=name, args=list(args), kwargs=kwargs or {}, ref=ref)
    transaction.on_commit(lambda: pending_task_send(pending=pending))
    return pending


def pending_task_send(*, pending: PendingTask, now=None, record_sent=False) -> bool:
    """Send one pending task to the broker; False (logged, recorded on the
    row) when the broker did not take it. A first send that succeeds writes
    nothing (the row's created_at stands for it: the teacher's request pays
    one INSERT for the promise, no more); a sweep's resend records sent_at."""
    try:
        task = _task(pending.task_name)
    except NotRegistered as error:
        # A task renamed or removed since it was promised: no send can work.
        logger.error("Pending task %s names no task; it is set aside", pending.pk)
        PendingTask.objects.filter(pk=pending.pk).update(
            failed_at=now or timezone.now(), attempts=F("attempts") + 1, last_error=f"NotRegistered: {error}"
        )
        return True
    try:
        task.apply_async(
            args=pending.args, kwargs=pending.kwargs, task_id=str(pending.task_id),
            retry=True, retry_policy=SEND_RETRY_POLICY,
        )
    except BROKER_ERRORS as error:
        logger.warning(
            "Could not send %s (%s) to the broker; it stays pending and will be sent again: %s",
            pending.task_name, pending.ref or pending.task_id, error,
        )
        PendingTask.objects.filter(pk=pending.pk).update(
            attempts=F("attempts") + 1, last_error=f"{type(error).__name__}: {error}"[:2000]
        )
        return False
    if record_sent:
        # A worker may already have run the task and deleted the row: then
        # this updates nothing, which is right.
        PendingTask.objects.filter(pk=pending.pk).update(
            sent_at=now or timezone.now(), attempts=F("attempts") + 1, last_error=""
        )
    return True


def pending_task_stalled(*, ref, now=None) -> bool:
    """Whether the newest task promised for ``ref`` is not moving: the
    broker refused it, the worker gave up on it, or it was sent more than
    LMS_OUTBOX_STALLED_AFTER seconds ago and has not run. A ref with no
    pending task at all counts as stalled: the caller knows its work is not
    done (its object still says so), and nothing is on its way."""
    now = now or timezone.now()
    pending = PendingTask.objects.filter(ref=ref).order_by("-created_at", "-pk").first()
    if pending is None or pending.failed_at or pending.last_error:
        return True
    waited_since = pending.sent_at or pending.created_at
    return waited_since < now - timedelta(seconds=settings.LMS_OUTBOX_STALLED_AFTER)


@dataclass
class SweepResult:
    sent: int = 0
    unsent: int = 0


def pending_tasks_due(*, now=None, include_failed=False):
    """Pending tasks to send again: refused by the broker and older than
    LMS_OUTBOX_RESEND_AFTER; sent (or lost between commit and send) but not run for longer than
    LMS_OUTBOX_REDELIVER_AFTER (the message was lost with a killed worker or
    a broker restarted without its data); given up by the worker longer than
    LMS_OUTBOX_RETRY_FAILED_AFTER ago, while under LMS_OUTBOX_MAX_ATTEMPTS
    sends (a full disk, say, that has since been freed)."""
    now = now or timezone.now()
    refused = ~Q(last_error="") & Q(created_at__lte=now - timedelta(seconds=settings.LMS_OUTBOX_RESEND_AFTER))
    lost = Q(last_sent__lte=now - timedelta(seconds=settings.LMS_OUTBOX_REDELIVER_AFTER))
    waiting = Q(failed_at__isnull=True) & (refused | lost)
    given_up = Q(failed_at__isnull=False)
    if not include_failed:
        given_up &= Q(
            failed_at__lte=now - timedelta(seconds=settings.LMS_OUTBOX_RETRY_FAILED_AFTER),
            attempts__lt=settings.LMS_OUTBOX_MAX_ATTEMPTS,
        )
    return PendingTask.objects.alias(last_sent=Coalesce("sent_at", "created_at")).filter(waiting | given_up)


def pending_tasks_sweep(*, now=None, include_failed=False) -> SweepResult:
    """Send again what is due (see ``pending_tasks_due``), oldest first. Stops
    at the first send the broker refuses: the rest would fail the same way
    and wait for the next sweep."""
    result = SweepResult()
    # Each row at most once per sweep: the rows are walked in pk order.
    now = now or timezone.now()
    last_pk = 0
    while True:
        with transaction.atomic():
            # skip_locked: two sweeps at once (beat and an operator) share
            # the work instead of sending everything twice.
            chunk = list(
                pending_tasks_due(now=now, include_failed=include_failed)
                .filter(pk__gt=last_pk)
                .order_by("pk")
                .select_for_update(skip_locked=True)[:SWEEP_CHUNK]
            )
            if not chunk:
                break
            for pending in chunk:
                last_pk = pending.pk
                if pending.failed_at is not None:
                    PendingTask.objects.filter(pk=pending.pk).update(failed_at=None)
                if not pending_task_send(pending=pending, now=now, record_sent=True):
                    result.unsent = pending_tasks_due(now=now, include_failed=include_failed).count()
                    return result
                result.sent += 1
    if result.sent:
        logger.info("Sent %s pending tasks again", result.sent)
    return result


# --- In the worker ----------------------------------------------------------


def _as_uuid(task_id):
    """Tasks sent outside the outbox (beat's sweep) may carry any id."""
    try:
        return uuid.UUID(str(task_id)) if task_id else None
    except ValueError:
        return None


@task_success.connect(dispatch_uid="lms.outbox.done")
def _task_done(sender=None, **kwargs):
    task_id = _as_uuid(getattr(getattr(sender, "request", None), "id", None))
    if task_id:
        PendingTask.objects.filter(task_id=task_id).delete()


@task_failure.connect(dispatch_uid="lms.outbox.failed")
def _task_failed(sender=None, task_id=None, exception=None, **kwargs):
    task_id = _as_uuid(task_id)
    if task_id:
        PendingTask.objects.filter(task_id=task_id).update(
            failed_at=timezone.now(), last_error=f"{type(exception).__name__}: {exception}"[:2000]
        )
