"""Celery tasks of the certificates app: thin, by primary key, one service each.

acks_late with reject-on-worker-lost (settings) means a worker killed
mid-task leaves its message on the broker, and another worker runs the task
again. That is safe: each batch item is marked done in the same transaction
as its certificate, and a holder has at most one valid certificate per thing
certified, so the rerun skips what was done and does what was not.
"""

import datetime
import logging
from decimal import Decimal

from celery import shared_task
from django.contrib.contenttypes.models import ContentType
from django.db import OperationalError

from .models import CertificateTemplate, IssueBatch

logger = logging.getLogger(__name__)

TASK_OPTIONS = {
    "acks_late": True,
    "reject_on_worker_lost": True,
    "autoretry_for": (OperationalError,),
    "retry_backoff": True,
    "max_retries": 5,
}


@shared_task(**TASK_OPTIONS)
def certificate_batch_chunk_task(batch_pk, item_pks):
    from .batches import issue_batch_process

    batch = IssueBatch.objects.select_related("template", "created_by").filter(pk=batch_pk).first()
    if batch is None:
        logger.warning("Certificate batch %s no longer exists", batch_pk)
        return
    issue_batch_process(batch=batch, item_pks=item_pks)


def _template_for(kind, template_pk, subject_key):
    """The template the issue names, else HR's default for ``kind``. None
    when there is no default: the completion stands and no certificate is
    issued; HR issues it in bulk once a template exists (the admin's
    certificate screens say so)."""
    from .services import template_default

    if template_pk:
        return CertificateTemplate.objects.get(pk=template_pk)
    template = template_default(kind)
    if template is None:
        logger.info("No default %s template: no certificate issued for %s", kind, subject_key)
    return template


@shared_task(**TASK_OPTIONS)
def certificate_issue_task(
    *, kind, holder_pk, subject_type_pk=None, subject_pk=None, subject_key="", subject_label="", hours=None,
    started_on=None, completed_on=None, template_pk=None,
):
    from lms.api import TeacherProfile

    from .services import certificate_issue

    holder = TeacherProfile.objects.select_related("user", "school").filter(pk=holder_pk).first()
    if holder is None:
        logger.warning("Teacher %s no longer exists; no certificate issued", holder_pk)
        return None
    subject = None
    if subject_type_pk:
        subject = ContentType.objects.get_for_id(subject_type_pk).get_object_for_this_type(pk=subject_pk)
    template = _template_for(kind, template_pk, subject_key or f"{subject_type_pk}:{subject_pk}")
    if template is None:
        return None
    result = certificate_issue(
        kind=kind,
        holder=holder,
        subject_object=subject,
        subject_key=subject_key,
        subject_label=subject_label,
        hours=Decimal(hours) if hours is not None else None,
        started_on=datetime.date.fromisoformat(started_on) if started_on else None,
        completed_on=datetime.date.fromisoformat(completed_on) if completed_on else None,
        template=template,
    )
    return result.certificate.pk
