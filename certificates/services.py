"""Writes: issuing, revoking and reissuing certificates, and bulk batches.

Each flow has its own module: issuing one certificate (``issuing``, where
idempotency and the gap-free serials are explained), the yearly hours
transcript (``transcripts``), bulk batches (``batches``) and the PDF files
(``pdf_files``). This module revokes and reissues, promises an issue to a
worker, and is where the rest of the academy imports them from.
"""

from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _
from wagtail.log_actions import log

from lms.api import task_enqueue

from .batches import (
    BATCH_EMPTY,
    issue_batch_create,
    issue_batch_enqueue,
    issue_batch_finish_if_complete,
    issue_batch_process,
    issue_batch_restart,
)
from .constants import LOG_REISSUE, LOG_REVOKE, CertificateKind, CertificateStatus
from .issuing import (
    NO_SUBJECT,
    NO_TEMPLATE,
    WRONG_TEMPLATE_KIND,
    CertificateError,
    IssueResult,
    certificate_issue,
    notify_holder,
    subject_key_for,
    template_default,
)
from .models import Certificate
from .pdf_files import (
    certificate_pdf_ensure,
    certificate_pdf_open,
    certificate_pdf_render_committed,
    certificate_verify_url,
)
from .transcripts import certificate_transcript_issue, transcript_data, transcript_subject_key

__all__ = [
    "BATCH_EMPTY",
    "NO_SUBJECT",
    "NO_TEMPLATE",
    "NOT_REISSUABLE",
    "NOT_REVOCABLE",
    "REASON_REQUIRED",
    "WRONG_TEMPLATE_KIND",
    "CertificateError",
    "IssueResult",
    "certificate_issue",
    "certificate_issue_later",
    "certificate_pdf_ensure",
    "certificate_pdf_open",
    "certificate_pdf_render_committed",
    "certificate_reissue",
    "certificate_revoke",
    "certificate_transcript_current",
    "certificate_transcript_issue",
    "certificate_verify_url",
    "issue_batch_create",
    "issue_batch_enqueue",
    "issue_batch_finish_if_complete",
    "issue_batch_process",
    "issue_batch_restart",
    "subject_key_for",
    "template_default",
    "transcript_subject_key",
]

REASON_REQUIRED = _("Give a reason for the revocation: the holder and anyone verifying will see it.")
NOT_REVOCABLE = _("Only a valid certificate can be revoked.")
NOT_REISSUABLE = _("A superseded certificate cannot be reissued; reissue the one that replaced it.")

EMAIL_REVOKED_SUBJECT = _("Your certificate %(serial)s has been revoked")
EMAIL_REVOKED_BODY = _(
    "Dear %(name)s,\n\nYour certificate %(serial)s (%(subject)s) has been revoked.\nReason: %(reason)s\n"
)
EMAIL_REISSUED_SUBJECT = _("Your certificate %(serial)s has been replaced")
EMAIL_REISSUED_BODY = _(
    "Dear %(name)s,\n\nYour certificate %(old_serial)s has been replaced by %(serial)s (%(subject)s).\n"
    "The old one is shown as superseded. Download the new one from %(my_url)s.\n"
)


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
        notify_holder(certificate, EMAIL_REVOKED_SUBJECT, EMAIL_REVOKED_BODY, reason=reason)
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
        notify_holder(new, EMAIL_REISSUED_SUBJECT, EMAIL_REISSUED_BODY, old_serial=old.serial)
    return new


# --- The current transcript and issues promised to a worker ---------------


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
        _hours, transcript = transcript_data(teacher, year)
    if existing.rendered.get("transcript") == transcript:
        return existing
    return certificate_reissue(certificate=existing, user=teacher.user)


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
