"""Issuing one certificate: its number, its frozen values and its email.

Idempotency comes from the database. A holder has at most one valid
certificate per thing certified (a partial unique constraint on holder and
``subject_key``), so issuing twice, from a double click, a retried task or a
batch item redelivered after a worker died, returns the first certificate and
writes nothing. Serial numbers come from a per-year counter row locked in the
same transaction as the certificate, so they are gap-free.

The PDF is drawn only after that transaction has committed
(``certificates.pdf_files``).
"""

import logging
import secrets
from dataclasses import dataclass
from decimal import Decimal
from functools import partial

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _
from wagtail.log_actions import log

from .constants import (
    CHECK_CODE_ALPHABET,
    CHECK_CODE_LENGTH,
    LOG_ISSUE,
    TOKEN_BYTES,
    CertificateKind,
    CertificateStatus,
)
from .models import Certificate, CertificateTemplate, SerialCounter
from .pdf_files import certificate_pdf_render_committed, certificate_verify_url
from .templating import template_snapshot

logger = logging.getLogger(__name__)

NO_TEMPLATE = _("There is no default template for %(kind)s certificates. HR must mark one as the default.")
WRONG_TEMPLATE_KIND = _("The template is for %(template_kind)s certificates, not %(kind)s.")
NO_SUBJECT = _("Say what the certificate certifies.")

EMAIL_ISSUED_SUBJECT = _("Your certificate %(serial)s")
EMAIL_ISSUED_BODY = _(
    "Dear %(name)s,\n\nThe academy has issued you a certificate: %(title)s (%(subject)s), serial %(serial)s.\n"
    "Download it from %(my_url)s. Anyone can check it at %(verify_url)s.\n"
)


class CertificateError(ValidationError):
    pass


@dataclass(frozen=True)
class IssueResult:
    certificate: Certificate
    created: bool


# --- Helpers ----------------------------------------------------------------


def _absolute(path):
    return settings.CERTIFICATES_BASE_URL.rstrip("/") + path


def _check_code():
    return "".join(secrets.choice(CHECK_CODE_ALPHABET) for _ in range(CHECK_CODE_LENGTH))


def _chinese_date(value):
    return f"{value.year}年{value.month}月{value.day}日" if value else ""


def hours_text(hours):
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


def notify_holder(certificate, subject, body, **params):
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
    subject_key, subject_label = _subject_named(subject_object, subject_key, subject_label)
    template = _template_checked(kind, template)

    # No savepoint of its own: inside a caller's transaction (a batch item,
    # a reissue) an error rolls the caller back anyway, and the serial's
    # savepoint below is the one that matters.
    with transaction.atomic(savepoint=False):
        existing = _valid_certificate(holder, subject_key)
        if existing is not None:
            return IssueResult(existing, False)
        result = _certificate_insert(
            kind=kind, holder=holder, template=template, subject_object=subject_object, subject_key=subject_key,
            subject_label=subject_label, hours=hours, started_on=started_on, completed_on=completed_on,
            issued_by=issued_by, batch=batch, extra_snapshot=extra_snapshot,
        )
        if result.created:
            _certificate_issued(result.certificate, issued_by=issued_by, notify=notify)
    return result


def _subject_named(subject_object, subject_key, subject_label):
    """The key and label of the thing certified, from the object if given."""
    if subject_object is not None:
        subject_key = subject_key or subject_key_for(subject_object)
        subject_label = subject_label or str(subject_object)
    if not subject_key or not subject_label:
        raise CertificateError(NO_SUBJECT)
    return subject_key, subject_label


def _template_checked(kind, template):
    """``template``, or HR's default for ``kind``; it must be of ``kind``."""
    template = template or template_default(kind)
    if template is None:
        raise CertificateError(NO_TEMPLATE, params={"kind": kind.label})
    if template.kind != kind:
        raise CertificateError(
            WRONG_TEMPLATE_KIND, params={"template_kind": template.get_kind_display(), "kind": kind.label}
        )
    return template


def _valid_certificate(holder, subject_key):
    return Certificate.objects.filter(holder=holder, subject_key=subject_key, status=CertificateStatus.VALID).first()


def _certificate_insert(*, holder, subject_key, **fields):
    """Number and save the certificate; if another transaction issued the
    same certificate first, that one, not created."""
    issued_at = timezone.now()
    year = timezone.localtime(issued_at).year
    try:
        # The savepoint takes the serial back with the row if another
        # transaction issued the same certificate first.
        with transaction.atomic():
            sequence, serial = _next_serial(year)
            certificate = _certificate_build(
                holder=holder, subject_key=subject_key, issued_at=issued_at, year=year, sequence=sequence,
                serial=serial, **fields,
            )
            certificate.save()
    except IntegrityError:
        existing = _valid_certificate(holder, subject_key)
        if existing is None:
            raise
        return IssueResult(existing, False)
    return IssueResult(certificate, True)


def _certificate_issued(certificate, *, issued_by, notify):
    """What follows a new certificate: its PDF, the site history, the email."""
    # Drawn once the row and its serial have committed, outside any
    # transaction: a rolled-back issue never leaves a file behind, and no
    # lock (the serial counter's above all) waits for reportlab.
    transaction.on_commit(partial(certificate_pdf_render_committed, certificate_pk=certificate.pk), robust=True)
    log(
        instance=certificate,
        action=LOG_ISSUE,
        user=issued_by,
        data={"serial": certificate.serial, "holder": certificate.holder_id, "subject": certificate.subject_key},
    )
    if notify:
        notify_holder(certificate, EMAIL_ISSUED_SUBJECT, EMAIL_ISSUED_BODY)


def _certificate_build(
    *, kind, holder, template, subject_object, subject_key, subject_label, hours, started_on, completed_on,
    issued_at, year, sequence, serial, issued_by, batch, extra_snapshot,
):
    issued_on = timezone.localtime(issued_at).date()
    school = holder.school.name if holder.school_id else ""
    values = {
        "name": holder.real_name,
        "subject": subject_label,
        "hours": hours_text(hours),
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
