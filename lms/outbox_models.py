"""The task outbox's record: a Celery task promised in a transaction
(lms.outbox writes, sends and sweeps them). Registered under the app label
``lms`` through the re-export in lms.models."""

import uuid

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class PendingTask(models.Model):
    """A Celery task the academy has promised to run (a transactional outbox).

    Written in the same transaction as the data the task works on, so the
    promise commits or rolls back with it; sent to the broker once that
    transaction has committed. The worker deletes the row when the task has
    run; a row still here after a grace period is sent again by
    ``lms.outbox.pending_tasks_sweep`` (every minute, from Celery beat). The
    tasks are idempotent, so a second delivery is harmless. See
    docs/decisions/0060-task-outbox.md."""

    task_name = models.CharField(_("task"), max_length=200)
    args = models.JSONField(_("arguments"), default=list, blank=True)
    kwargs = models.JSONField(_("keyword arguments"), default=dict, blank=True)
    # Sent as the Celery task id, so the worker can find the row again; every
    # resend reuses it.
    task_id = models.UUIDField(_("task id"), default=uuid.uuid4, unique=True, editable=False)
    # What the task is about ("importbatch:12"), for screens that show it.
    ref = models.CharField(_("about"), max_length=100, blank=True, db_index=True)
    created_at = models.DateTimeField(_("created"), default=timezone.now, db_index=True)
    sent_at = models.DateTimeField(_("last sent"), null=True, blank=True)
    attempts = models.PositiveIntegerField(_("send attempts"), default=0)
    last_error = models.TextField(_("last error"), blank=True)
    # The worker gave up on the task (retries exhausted, or an error retrying
    # cannot fix): the sweep leaves it alone; operators see it here.
    failed_at = models.DateTimeField(_("failed"), null=True, blank=True)

    class Meta:
        ordering = ["created_at", "pk"]
        verbose_name = _("pending task")
        verbose_name_plural = _("pending tasks")

    def __str__(self):
        return f"{self.task_name} {self.ref or self.task_id}"
