"""Bulk issues: a batch of items, issued by Celery tasks a chunk at a time.

Each item is issued in its own transaction, which also marks it done, so a
chunk redelivered after a worker died issues nothing twice (see
``certificates.issuing``) and draws the PDFs the dead worker left undrawn.
"""

import logging

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from lms.api import task_enqueue

from .constants import BatchItemStatus, BatchStatus
from .issuing import CertificateError, certificate_issue
from .models import Certificate, IssueBatch, IssueBatchItem
from .pdf_files import certificate_pdf_render_committed
from .transcripts import certificate_transcript_issue

logger = logging.getLogger(__name__)

BATCH_EMPTY = _("No teacher matches these filters, so there is nothing to issue.")


def issue_batch_create(*, template, items, description="", filters=None, user=None) -> IssueBatch:
    """A batch issuing ``items`` (dicts with holder_id, subject_key,
    subject_label and optionally subject_type_id, subject_id, hours,
    started_on, completed_on) from ``template``; queued once committed."""
    from .tasks import certificate_batch_chunk_task  # noqa: F401 - fail early if tasks cannot load

    with transaction.atomic():
        batch = IssueBatch.objects.create(
            template=template, kind=template.kind, description=description, filters=filters or {},
            created_by=user,
        )
        created = IssueBatchItem.objects.bulk_create(
            (IssueBatchItem(batch=batch, **item) for item in items), batch_size=1000
        )
        if not created:
            raise CertificateError(BATCH_EMPTY)
        batch.total = len(created)
        batch.save(update_fields=["total"])
        issue_batch_enqueue(batch=batch)
    return batch


def issue_batch_enqueue(*, batch, undrawn=()):
    """Promise a task per chunk of the batch's pending items, and of the done
    items in ``undrawn`` whose PDFs are still to be drawn (the outbox), sent
    once the transaction commits."""
    from .tasks import certificate_batch_chunk_task

    size = settings.CERTIFICATES_BATCH_CHUNK_SIZE
    pks = list(batch.items.filter(status=BatchItemStatus.PENDING).values_list("pk", flat=True)) + list(undrawn)
    for start in range(0, len(pks), size):
        chunk = pks[start : start + size]
        task_enqueue(certificate_batch_chunk_task, (batch.pk, chunk), ref=f"issuebatch:{batch.pk}")


@transaction.atomic
def issue_batch_restart(*, batch):
    """Try the failed items again and queue whatever is still pending. Safe to
    call at any time: issued items are never issued twice."""
    batch.items.filter(status=BatchItemStatus.FAILED).update(status=BatchItemStatus.PENDING, error="")
    IssueBatch.objects.filter(pk=batch.pk).update(status=BatchStatus.RUNNING, finished_at=None)
    # Certificates issued while the disk was full have no PDF yet: their
    # items go through a chunk again, which draws them.
    undrawn = list(batch.items.filter(status=BatchItemStatus.DONE, certificate__pdf="").values_list("pk", flat=True))
    issue_batch_enqueue(batch=batch, undrawn=undrawn)
    if not undrawn:
        # Nothing left to issue or draw: the batch is done again, not left
        # running for a chunk that will never come.
        issue_batch_finish_if_complete(batch=batch)


def _issue_item(item, template, batch):
    if item.subject_key.startswith("transcript:"):
        return certificate_transcript_issue(
            teacher=item.holder, year=int(item.subject_key.split(":", 1)[1]), issued_by=batch.created_by,
            template=template, batch=batch,
        )
    return certificate_issue(
        kind=batch.kind, holder=item.holder,
        subject_object=item.subject_type.get_object_for_this_type(pk=item.subject_id) if item.subject_type_id else None,
        subject_key=item.subject_key, subject_label=item.subject_label, hours=item.hours,
        started_on=item.started_on, completed_on=item.completed_on, template=template,
        issued_by=batch.created_by, batch=batch,
    )


def issue_batch_process(*, batch, item_pks):
    """Issue the pending items among ``item_pks``, one transaction each: the
    item is marked done in the transaction that writes its certificate."""
    template = batch.template
    for pk in item_pks:
        try:
            with transaction.atomic():
                item = (
                    IssueBatchItem.objects.select_for_update(of=("self",))
                    .select_related("holder__user", "holder__school")
                    .filter(pk=pk, status=BatchItemStatus.PENDING)
                    .first()
                )
                if item is None:
                    continue
                result = _issue_item(item, template, batch)
                item.status = BatchItemStatus.DONE
                item.certificate = result.certificate
                item.save(update_fields=["status", "certificate"])
        except Exception as error:  # noqa: BLE001 - one bad item must not stop the batch
            logger.exception("Certificate batch %s: item %s failed", batch.pk, pk)
            message = "; ".join(error.messages) if isinstance(error, ValidationError) else str(error)
            IssueBatchItem.objects.filter(pk=pk, status=BatchItemStatus.PENDING).update(
                status=BatchItemStatus.FAILED, error=message[:1000]
            )
    # A worker killed between an item's commit and its drawing left that
    # certificate without a PDF; the redelivered chunk draws it.
    undrawn = Certificate.objects.filter(
        pk__in=IssueBatchItem.objects.filter(pk__in=item_pks, status=BatchItemStatus.DONE).values("certificate"),
        pdf="",
    ).values_list("pk", flat=True)
    for certificate_pk in list(undrawn):
        certificate_pdf_render_committed(certificate_pk=certificate_pk)
    issue_batch_finish_if_complete(batch=batch)


def issue_batch_finish_if_complete(*, batch):
    if not batch.items.filter(status=BatchItemStatus.PENDING).exists():
        IssueBatch.objects.filter(pk=batch.pk, status=BatchStatus.RUNNING).update(
            status=BatchStatus.DONE, finished_at=timezone.now()
        )
