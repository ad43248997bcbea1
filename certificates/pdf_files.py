"""The certificates' PDF files: drawn after the issue has committed, outside
any transaction, and attached with a conditional UPDATE, so a serial that
was rolled back never has a file and no lock is held while reportlab draws.
A certificate whose drawing failed, or whose file was lost, is drawn again
from the values it was issued with on its next download."""

import logging

from django.conf import settings
from django.core.files.base import ContentFile
from django.urls import reverse

from .models import Certificate
from .rendering import render_certificate_pdf

logger = logging.getLogger(__name__)


def certificate_verify_url(certificate):
    path = reverse("certificates:verify_token", kwargs={"token": certificate.token})
    return settings.CERTIFICATES_BASE_URL.rstrip("/") + path


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
