"""Writes: issuing, revoking and reissuing certificates, and bulk batches.

Idempotency comes from the database. A holder has at most one valid
certificate per thing certified (a partial unique constraint on holder and
``subject_key``), so issuing twice, from a double click, a retried task or a
batch item redelivered after a worker died, returns the first certificate and
writes nothing. Serial numbers come from a per-year counter row locked in the
same transaction as the certificate, so they are gap-free.

The PDF is drawn only after that transaction has committed, outside any
transaction, and attached with a conditional UPDATE: a serial that was rolled
back never has a file, and no lock is held while reportlab draws.
"""

import datetime
import logging
import secrets
from dataclasses import dataclass
from decimal import Decimal
from functools import partial

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _
from wagtail.log_actions import log

from lms.api import task_enqueue

from .constants import (
    CHECK_CODE_ALPHABET,
    CHECK_CODE_LENGTH,
    LOG_ISSUE,
    LOG_REISSUE,
    LOG_REVOKE,
    TOKEN_BYTES,
    BatchItemStatus,
    BatchStatus,
    CertificateKind,
    CertificateStatus,
)
from .models import Certificate, CertificateTemplate, IssueBatch, IssueBatchItem, SerialCounter
from .rendering import render_certificate_pdf
from .templating import template_snapshot

logger = logging.getLogger(__name__)

NO_TEMPLATE = _("There is no default template for %(kind)s certificates. HR must mark one as the default.")
WRONG_TEMPLATE_KIND = _("The template is for %(template_kind)s certificates, not %(kind)s.")
NO_SUBJECT = _("Say what the certificate certifies.")
REASON_REQUIRED = _("Give a reason for the revocation: the holder and anyone verifying will see it.")
NOT_REVOCABLE = _("Only a valid certificate can be revoked.")
NOT_REISSUABLE = _("A superseded certificate cannot be reissued; reissue the one that replaced it.")
BATCH_EMPTY = _("No teacher matches these filters, so there is nothing to issue.")

EMAIL_ISSUED_SUBJECT = _("Your certificate %(serial)s")
EMAIL_ISSUED_BODY = _(
    "Dear %(name)s,\n\nThe academy has issued you a certificate: %(title)s (%(subject)s), serial %(serial)s.\n"
    "Download it from %(my_url)s. Anyone can check it at %(verify_url)s.\n"
)
EMAIL_REVOKED_SUBJECT = _("Your certificate %(serial)s has been revoked")
EMAIL_REVOKED_BODY = _(
    "Dear %(name)s,\n\nYour certificate %(serial)s (%(subject)s) has been revoked.\nReason: %(reason)s\n"
)
EMAIL_REISSUED_SUBJECT = _("Your certificate %(serial)s has been replaced")
EMAIL_REISSUED_BODY = _(
    "Dear %(name)s,\n\nYour certificate %(old_serial)s has been replaced by %(serial)s (%(subject)s).\n"
    "The old one is shown as superseded. Download the new one from %(my_url)s.\n"
)


class CertificateError(ValidationError):
    pass


@dataclass(frozen=True)
class IssueResult:
    certificate: Certificate
    created: bool


# --- Helpers ----------------------------------------------------------------


def certificate_verify_url(certificate):
    path = reverse("certificates:verify_token", kwargs={"token": certificate.token})
    return settings.CERTIFICATES_BASE_URL.rstrip("/") + path


def _absolute(path):
    return settings.CERTIFICATES_BASE_URL.rstrip("/") + path


def _check_code():
    return "".join(secrets.choice(CHECK_CODE_ALPHABET) for _ in range(CHECK_CODE_LENGTH))


def _chinese_date(value):
    return f"{value.year}年{value.month}月{value.day}日" if value else ""


def _hours_text(hours):
    if hours is None:
        return ""
    return format(Decimal(hours).normalize(), "f")


def subject_key_for(subject_object):
    """The unique key of a certified object: "<app>.<model>:<pk>"."""
    meta = subject_object._meta
    return f"{meta.app_label}.{meta.model_name}:{subject_object.pk}"


def _next_serial(year):
    counter, _created = SerialCounter.objects.select_for_update().get_or_create(year=year)
    counter.last_value += 1
    counter.save(update_fields=["last_value"])
    return counter.last_value, f"{settings.CERTIFICATES_SERIAL_PREFIX}-{year}-{counter.last_value:06d}"


def template_default(kind):
    return CertificateTemplate.objects.filter(kind=kind, is_default=True).first()


def _notify(certificate, subject, body, **params):
    """Email the holder after the transaction commits; a mail server that is
    down never undoes an issue."""
    user = certificate.holder.user
    if not user.email:
        return

    def send():
        with translation.override(settings.LANGUAGE_CODE):
            context = {
                "name": certificate.holder_name,
                "serial": certificate.serial,
                "subject": certificate.subject_label,
                "title": certificate.rendered.get("title", ""),
                "my_url": _absolute(reverse("certificates:my_certificates")),
                "verify_url": certificate_verify_url(certificate),
                **params,
            }
            try:
                send_mail(str(subject) % context, str(body) % context, None, [user.email])
            except Exception:  # noqa: BLE001 - any mail failure is logged, never raised
                logger.exception("Could not email certificate %s to its holder", certificate.serial)

    transaction.on_commit(send)


# --- Issue ------------------------------------------------------------------


def certificate_issue(
    *,
    kind,
    holder,
    subject_object=None,
    subject_key="",
    subject_label="",
    hours=None,
    started_on=None,
    completed_on=None,
    template=None,
    issued_by=None,
    batch=None,
    extra_snapshot=None,
    notify=True,
) -> IssueResult:
    """Issue ``holder`` a certificate of ``kind`` for ``subject_object`` (any
    model instance) or for ``subject_key``/``subject_label`` when there is no
    object. Returns the existing valid certificate, unchanged, if there is
    one for the same holder and thing certified."""
    kind = CertificateKind(kind)
    if subject_object is not None:
        subject_key = subject_key or subject_key_for(subject_object)
        subject_label = subject_label or str(subject_object)
    if not subject_key or not subject_label:
        raise CertificateError(NO_SUBJECT)
    template = template or template_default(kind)
    if template is None:
        raise CertificateError(NO_TEMPLATE, params={"kind": kind.label})
    if template.kind != kind:
        raise CertificateError(
            WRONG_TEMPLATE_KIND, params={"template_kind": template.get_kind_display(), "kind": kind.label}
        )

    # No savepoint of its own: inside a caller's transaction (a batch item,
    # a reissue) an error rolls the caller back anyway, and the serial's
    # savepoint below is the one that matters.
    with transaction.atomic(savepoint=False):
        existing = Certificate.objects.filter(
            holder=holder, subject_key=subject_key, status=CertificateStatus.VALID
        ).first()
        if existing is not None:
            return IssueResult(existing, False)
        issued_at = timezone.now()
        year = timezone.localtime(issued_at).year
        try:
            # The savepoint takes the serial back with the row if another
            # transaction issued the same certificate first.
            with transaction.atomic():
                sequence, serial = _next_serial(year)
                certificate = _certificate_build(
                    kind=kind, holder=holder, template=template, subject_object=subject_object,
                    subject_key=subject_key, subject_label=subject_label, hours=hours, started_on=started_on,
                    completed_on=completed_on, issued_at=issued_at, year=year, sequence=sequence, serial=serial,
                    issued_by=issued_by, batch=batch, extra_snapshot=extra_snapshot,
                )
                certificate.save()
        except IntegrityError:
            existing = Certificate.objects.filter(
                holder=holder, subject_key=subject_key, status=CertificateStatus.VALID
            ).first()
            if existing is None:
                raise
            return IssueResult(existing, False)
        # Drawn once the row and its serial have committed, outside any
        # transaction: a rolled-back issue never leaves a file behind, and no
        # lock (the serial counter's above all) waits for reportlab.
        transaction.on_commit(partial(certificate_pdf_render_committed, certificate_pk=certificate.pk), robust=True)
        log(
            instance=certificate,
            action=LOG_ISSUE,
            user=issued_by,
            data={"serial": certificate.serial, "holder": holder.pk, "subject": subject_key},
        )
        if notify:
            _notify(certificate, EMAIL_ISSUED_SUBJECT, EMAIL_ISSUED_BODY)
    return IssueResult(certificate, True)


def _certificate_build(
    *, kind, holder, template, subject_object, subject_key, subject_label, hours, started_on, completed_on,
    issued_at, year, sequence, serial, issued_by, batch, extra_snapshot,
):
    issued_on = timezone.localtime(issued_at).date()
    school = holder.school.name if holder.school_id else ""
    values = {
        "name": holder.real_name,
        "subject": subject_label,
        "hours": _hours_text(hours),
        "start_date": _chinese_date(started_on),
        "end_date": _chinese_date(completed_on or issued_on),
        "issued_on": _chinese_date(issued_on),
        "year": str((completed_on or issued_on).year),
        "serial": serial,
        "school": school,
    }
    snapshot = {**template_snapshot(template, values), **(extra_snapshot or {})}
    certificate = Certificate(
        kind=kind,
        template=template,
        holder=holder,
        holder_name=holder.real_name,
        subject_type=ContentType.objects.get_for_model(subject_object) if subject_object is not None else None,
        subject_id=str(subject_object.pk) if subject_object is not None else "",
        subject_key=subject_key,
        subject_label=subject_label,
        hours=hours,
        started_on=started_on,
        completed_on=completed_on,
        issued_at=issued_at,
        year=year,
        sequence=sequence,
        serial=serial,
        token=secrets.token_urlsafe(TOKEN_BYTES),
        check_code=_check_code(),
        rendered=snapshot,
        issued_by=issued_by,
        batch=batch,
    )
    return certificate


# --- The yearly hours transcript ---------------------------------------------


def _transcript_data(teacher, year):
    from lms.api import teacher_credit_list, teacher_hours_summary

    summary = teacher_hours_summary(teacher, year, current_year=max(year, timezone.localdate().year))
    entries = teacher_credit_list(teacher, year).order_by("occurred_on", "pk")
    rows = [
        [
            entry.occurred_on.strftime("%Y-%m-%d"),
            entry.evidence_label or str(entry.get_category_display()),
            str(entry.get_category_display()),
            _hours_text(entry.hours),
        ]
        for entry in entries
    ]
    totals = [[str(category.label), _hours_text(category.hours)] for category in summary.year.categories]
    return summary.year.hours, {"rows": rows, "totals": totals, "total": _hours_text(summary.year.hours)}


def transcript_subject_key(year):
    return f"transcript:{year}"


def certificate_transcript_issue(*, teacher, year, issued_by=None, template=None, batch=None, notify=True):
    """Issue the teacher's hours transcript (学时证明) of ``year``: every credit
    of the year and the totals by category, as the ledger has them now."""
    with translation.override("zh-hans"):
        hours, transcript = _transcript_data(teacher, year)
    return certificate_issue(
        kind=CertificateKind.HOURS_TRANSCRIPT,
        holder=teacher,
        subject_key=transcript_subject_key(year),
        subject_label=f"{year}年度培训学时",
        hours=hours,
        started_on=datetime.date(year, 1, 1),
        completed_on=min(datetime.date(year, 12, 31), timezone.localdate()),
        template=template,
        issued_by=issued_by,
        batch=batch,
        extra_snapshot={"transcript": transcript},
        notify=notify,
    )


def certificate_transcript_current(*, teacher, year):
    """The teacher's valid transcript of ``year``, issued now if there is
    none, and reissued if the ledger has changed since it was issued (a
    transcript states the ledger on the day it was issued)."""
    existing = Certificate.objects.filter(
        holder=teacher, subject_key=transcript_subject_key(year), status=CertificateStatus.VALID
    ).first()
    if existing is None:
        return certificate_transcript_issue(teacher=teacher, year=year, issued_by=teacher.user).certificate
    with translation.override("zh-hans"):
        _hours, transcript = _transcript_data(teacher, year)
    if existing.rendered.get("transcript") == transcript:
        return existing
    return certificate_reissue(certificate=existing, user=teacher.user)


# --- Revoke and reissue -----------------------------------------------------


@transaction.atomic
def certificate_revoke(*, certificate, reason, user=None, notify=True):
    reason = (reason or "").strip()
    if not reason:
        raise CertificateError(REASON_REQUIRED)
    certificate = Certificate.objects.select_for_update(of=("self",)).select_related("holder__user").get(pk=certificate.pk)
    if certificate.status != CertificateStatus.VALID:
        raise CertificateError(NOT_REVOCABLE)
    certificate.status = CertificateStatus.REVOKED
    certificate.revoked_at = timezone.now()
    certificate.revocation_reason = reason
    certificate.save(update_fields=["status", "revoked_at", "revocation_reason"])
    log(instance=certificate, action=LOG_REVOKE, user=user, data={"serial": certificate.serial, "reason": reason})
    if notify:
        _notify(certificate, EMAIL_REVOKED_SUBJECT, EMAIL_REVOKED_BODY, reason=reason)
    return certificate


@transaction.atomic
def certificate_reissue(*, certificate, user=None, template=None, notify=True):
    """Replace a valid or revoked certificate with a new one (a new serial,
    the template's current values); the old one is shown as superseded."""
    old = Certificate.objects.select_for_update(of=("self",)).select_related("holder__user", "holder__school").get(
        pk=certificate.pk
    )
    if old.status == CertificateStatus.SUPERSEDED:
        raise CertificateError(NOT_REISSUABLE)
    old.status = CertificateStatus.SUPERSEDED
    old.save(update_fields=["status"])
    template = template or old.template
    if old.kind == CertificateKind.HOURS_TRANSCRIPT:
        year = int(old.subject_key.split(":", 1)[1])
        result = certificate_transcript_issue(
            teacher=old.holder, year=year, issued_by=user, template=template, notify=False
        )
    else:
        result = certificate_issue(
            kind=old.kind, holder=old.holder, subject_object=old.subject if old.subject_type_id else None,
            subject_key=old.subject_key, subject_label=old.subject_label, hours=old.hours,
            started_on=old.started_on, completed_on=old.completed_on, template=template, issued_by=user,
            notify=False,
        )
    new = result.certificate
    old.superseded_by = new
    old.save(update_fields=["superseded_by"])
    log(instance=old, action=LOG_REISSUE, user=user, data={"serial": old.serial, "new_serial": new.serial})
    if notify:
        _notify(new, EMAIL_REISSUED_SUBJECT, EMAIL_REISSUED_BODY, old_serial=old.serial)
    return new


# --- Bulk batches -----------------------------------------------------------


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


def certificate_issue_later(*, kind, holder_pk, subject_object=None, subject_key="", subject_label="", hours=None,
                            started_on=None, completed_on=None, template=None, ref=""):
    """Promise ``certificate_issue`` in the current transaction (the outbox),
    sent once it commits: what a completion that earns a certificate gets
    (certificates/receivers.py). Without ``template`` the worker takes HR's
    default for ``kind`` and, if there is none, issues nothing."""
    from .tasks import certificate_issue_task

    kwargs = {
        "kind": str(kind),
        "holder_pk": holder_pk,
        "subject_type_pk": ContentType.objects.get_for_model(subject_object).pk if subject_object else None,
        "subject_pk": str(subject_object.pk) if subject_object else None,
        "subject_key": subject_key,
        "subject_label": subject_label,
        "hours": str(hours) if hours is not None else None,
        "started_on": started_on.isoformat() if started_on else None,
        "completed_on": completed_on.isoformat() if completed_on else None,
        "template_pk": template.pk if template else None,
    }
    task_enqueue(certificate_issue_task, kwargs=kwargs, ref=ref or f"teacher:{holder_pk}")


def _certificate_pdf_attach(certificate, *, replacing):
    """Draw ``certificate``'s PDF, store it under a name derived from the
    committed certificate and attach it if the row still has ``replacing``
    as its PDF. Whoever attached first wins; a later drawing deletes its own
    file, so no file is left that no certificate names."""
    pdf = render_certificate_pdf(
        certificate.rendered, serial=certificate.serial, check_code=certificate.check_code,
        verify_url=certificate_verify_url(certificate),
    )
    field = certificate.pdf.field
    name = field.storage.save(field.generate_filename(certificate, f"{certificate.serial}.pdf"), ContentFile(pdf))
    attached = Certificate.objects.filter(pk=certificate.pk, pdf=replacing).update(pdf=name)
    if not attached:
        field.storage.delete(name)
        name = Certificate.objects.filter(pk=certificate.pk).values_list("pdf", flat=True).first() or ""
    certificate.pdf.name = name
    return certificate.pdf


def certificate_pdf_render_committed(*, certificate_pk):
    """Draw the PDF of a certificate that has just committed; run on
    commit. A failure is logged and leaves the certificate without a PDF,
    to be drawn again on its next download (``certificate_pdf_ensure``)."""
    certificate = Certificate.objects.filter(pk=certificate_pk, pdf="").first()
    if certificate is None:
        return
    try:
        _certificate_pdf_attach(certificate, replacing="")
    except Exception:  # noqa: BLE001 - the certificate stands; its PDF is drawn on download
        logger.exception("Could not draw the PDF of certificate %s; it is drawn on its next download",
                         certificate.serial)


def certificate_pdf_ensure(*, certificate):
    """The certificate's PDF (a FieldFile), drawn now if it has none yet (its
    drawing after the issue failed or has not run) or if its file was lost
    from storage (a restored backup without files): drawn again from the
    values it was issued with, so the holder gets the same certificate. May
    raise if drawing fails: the caller says the PDF is being prepared."""
    current = Certificate.objects.filter(pk=certificate.pk).values_list("pdf", flat=True).first() or ""
    certificate.pdf.name = current
    if current and certificate.pdf.storage.exists(current):
        return certificate.pdf
    if current:
        logger.warning("PDF of certificate %s is missing; drawing it again", certificate.serial)
    return _certificate_pdf_attach(certificate, replacing=current)


def certificate_pdf_open(*, certificate):
    """The certificate's PDF file, opened (see ``certificate_pdf_ensure``)."""
    return certificate_pdf_ensure(certificate=certificate).open("rb")
