"""Certificates: templates HR edits, the certificates issued from them, the
per-year serial counter and the bulk-issue batches.

An issued certificate keeps, in ``rendered``, every value its PDF was drawn
with (title, body with its placeholders filled in, signatories, images), so
editing a template never changes a certificate already issued; reissuing is
an explicit act that takes the template as it is now.
"""

import uuid

from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from wagtail.models import PreviewableMixin

from lms.api import private_storage

from .constants import BatchItemStatus, BatchStatus, CertificateKind, CertificateStatus, Orientation


def template_image_upload_to(instance, filename):
    # A new name for every upload: certificates issued earlier still point at
    # the image they were drawn with.
    suffix = filename.rsplit(".", 1)[-1].lower() if "." in filename else "img"
    return f"certificates/templates/{uuid.uuid4().hex}.{suffix}"


# The folder of certificate PDFs in private storage (lms.private_files);
# template images stay public, under certificates/templates/ in MEDIA_ROOT.
CERTIFICATE_PDF_FOLDER = "certificates/"


def certificate_pdf_upload_to(instance, filename):
    # Derived from the committed certificate (its serial, so a file always
    # names the row it belongs to) plus a random part: the PDF shows the
    # full name, the public page only a masked one.
    return f"{CERTIFICATE_PDF_FOLDER}{instance.year}/{instance.serial}-{uuid.uuid4().hex}.pdf"


class CertificateTemplate(PreviewableMixin, models.Model):
    name = models.CharField(_("name"), max_length=128, help_text=_("For HR only; not printed."))
    kind = models.CharField(_("kind"), max_length=16, choices=CertificateKind.choices)
    is_default = models.BooleanField(
        _("default for its kind"), default=False, help_text=_("Used when an automatic issue names no template.")
    )
    title = models.CharField(_("title"), max_length=64)
    body = models.TextField(
        _("body"),
        help_text=_(
            "Placeholders in braces are filled in for each holder: {name}, {subject}, {hours}, "
            "{start_date}, {end_date}, {issued_on}, {year}, {serial}, {school}."
        ),
    )
    issuer_name = models.CharField(_("issuing body"), max_length=128, default="济南市科学教育教师网络研修学院")
    signatory_1_name = models.CharField(_("first signatory's name"), max_length=64, blank=True)
    signatory_1_title = models.CharField(_("first signatory's title"), max_length=64, blank=True)
    signatory_2_name = models.CharField(_("second signatory's name"), max_length=64, blank=True)
    signatory_2_title = models.CharField(_("second signatory's title"), max_length=64, blank=True)
    seal = models.ImageField(_("seal or stamp image"), upload_to=template_image_upload_to, blank=True)
    background = models.ImageField(_("background image"), upload_to=template_image_upload_to, blank=True)
    orientation = models.CharField(
        _("orientation"), max_length=10, choices=Orientation.choices, default=Orientation.LANDSCAPE
    )
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        ordering = ["kind", "name"]
        verbose_name = _("certificate template")
        verbose_name_plural = _("certificate templates")
        constraints = [
            models.UniqueConstraint(
                fields=["kind"], condition=models.Q(is_default=True), name="one_default_template_per_kind"
            )
        ]

    def __str__(self):
        return self.name

    def clean(self):
        from .templating import template_validate

        template_validate(self)

    # Wagtail's preview: the PDF of this template filled in with sample values.
    def serve_preview(self, request, mode_name):
        from django.http import HttpResponse

        from .rendering import render_template_sample

        return HttpResponse(render_template_sample(self), content_type="application/pdf")


class SerialCounter(models.Model):
    """The last serial number issued in a year. Taken with SELECT … FOR UPDATE
    in the issuing transaction, so serials are gap-free: a rolled-back issue
    rolls back its number too."""

    year = models.PositiveSmallIntegerField(primary_key=True)
    last_value = models.PositiveIntegerField(default=0)

    def __str__(self):
        return f"{self.year}: {self.last_value}"


class IssueBatch(models.Model):
    """Certificates HR issues in bulk, processed by Celery in chunks."""

    template = models.ForeignKey(
        CertificateTemplate, verbose_name=_("template"), on_delete=models.PROTECT, related_name="batches"
    )
    kind = models.CharField(_("kind"), max_length=16, choices=CertificateKind.choices)
    # What HR asked for, to show on the batch page: {"year": 2025, "district": "历下区", …}
    filters = models.JSONField(_("filters"), default=dict, blank=True)
    description = models.CharField(_("description"), max_length=255, blank=True)
    status = models.CharField(_("status"), max_length=16, choices=BatchStatus.choices, default=BatchStatus.RUNNING)
    total = models.PositiveIntegerField(_("total"), default=0)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("created by"), on_delete=models.SET_NULL, null=True, blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("bulk issue")
        verbose_name_plural = _("bulk issues")

    def __str__(self):
        return self.description or f"#{self.pk}"


class Certificate(models.Model):
    kind = models.CharField(_("kind"), max_length=16, choices=CertificateKind.choices)
    template = models.ForeignKey(
        CertificateTemplate, verbose_name=_("template"), on_delete=models.PROTECT, related_name="certificates"
    )
    holder = models.ForeignKey(
        "lms.TeacherProfile", verbose_name=_("holder"), on_delete=models.PROTECT, related_name="certificates"
    )
    # The name printed on the certificate, as it was when it was issued.
    holder_name = models.CharField(_("holder's name"), max_length=64)
    # What is certified: any object (a course, a cohort, a pairing), or none
    # for a transcript; ``subject_key`` names it uniquely, e.g. "course:12"
    # or "transcript:2025", and a holder has at most one valid certificate
    # per key.
    subject_type = models.ForeignKey(
        ContentType, verbose_name=_("type of what is certified"), on_delete=models.PROTECT, null=True, blank=True
    )
    subject_id = models.CharField(_("id of what is certified"), max_length=64, blank=True)
    subject = GenericForeignKey("subject_type", "subject_id")
    subject_key = models.CharField(_("key of what is certified"), max_length=191)
    subject_label = models.CharField(_("what is certified"), max_length=255)
    hours = models.DecimalField(_("hours"), max_digits=8, decimal_places=2, null=True, blank=True)
    started_on = models.DateField(_("first day"), null=True, blank=True)
    completed_on = models.DateField(_("last day"), null=True, blank=True)
    issued_at = models.DateTimeField(_("issued"), default=timezone.now)
    year = models.PositiveSmallIntegerField(_("year of issue"))
    sequence = models.PositiveIntegerField(_("number in the year"))
    serial = models.CharField(_("serial number"), max_length=32, unique=True)
    token = models.CharField(_("verification token"), max_length=64, unique=True)
    check_code = models.CharField(_("check code"), max_length=8)
    status = models.CharField(
        _("status"), max_length=16, choices=CertificateStatus.choices, default=CertificateStatus.VALID
    )
    revoked_at = models.DateTimeField(_("revoked"), null=True, blank=True)
    revocation_reason = models.TextField(_("reason for revocation"), blank=True)
    superseded_by = models.OneToOneField(
        "self", verbose_name=_("superseded by"), on_delete=models.PROTECT, null=True, blank=True,
        related_name="supersedes",
    )
    rendered = models.JSONField(_("values as rendered"), default=dict)
    # Empty until the PDF is drawn, after the certificate has committed; a
    # certificate without one is drawn on its next download.
    pdf = models.FileField(_("PDF"), upload_to=certificate_pdf_upload_to, storage=private_storage, blank=True)
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("issued by"), on_delete=models.SET_NULL, null=True, blank=True,
        related_name="+",
    )
    batch = models.ForeignKey(
        IssueBatch, verbose_name=_("bulk issue"), on_delete=models.SET_NULL, null=True, blank=True,
        related_name="certificates",
    )

    class Meta:
        ordering = ["-issued_at", "-pk"]
        verbose_name = _("certificate")
        verbose_name_plural = _("certificates")
        constraints = [
            models.UniqueConstraint(
                fields=["holder", "subject_key"],
                condition=models.Q(status="valid"),
                name="one_valid_certificate_per_holder_and_subject",
            ),
            models.UniqueConstraint(fields=["year", "sequence"], name="certificate_serial_sequence_unique"),
        ]
        indexes = [models.Index(fields=["serial", "check_code"])]

    def __str__(self):
        return f"{self.serial} · {self.holder_name} · {self.subject_label}"

    @property
    def is_valid(self):
        return self.status == CertificateStatus.VALID

    @property
    def masked_holder_name(self):
        from lms.api import mask_chinese_name

        return mask_chinese_name(self.holder_name)


class IssueBatchItem(models.Model):
    """One certificate a batch is to issue. Done in the same transaction as
    the certificate it issued, so a worker killed mid-batch leaves it pending
    and its certificate unwritten: the redelivered task does it again."""

    batch = models.ForeignKey(IssueBatch, on_delete=models.CASCADE, related_name="items")
    holder = models.ForeignKey("lms.TeacherProfile", on_delete=models.CASCADE, related_name="+")
    subject_type = models.ForeignKey(ContentType, on_delete=models.CASCADE, null=True, blank=True)
    subject_id = models.CharField(max_length=64, blank=True)
    subject_key = models.CharField(max_length=191)
    subject_label = models.CharField(max_length=255)
    hours = models.DecimalField(max_digits=8, decimal_places=2, null=True, blank=True)
    started_on = models.DateField(null=True, blank=True)
    completed_on = models.DateField(null=True, blank=True)
    status = models.CharField(max_length=16, choices=BatchItemStatus.choices, default=BatchItemStatus.PENDING)
    certificate = models.ForeignKey(Certificate, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    error = models.TextField(blank=True)

    class Meta:
        ordering = ["pk"]
        constraints = [
            models.UniqueConstraint(fields=["batch", "holder", "subject_key"], name="batch_item_unique"),
        ]
        indexes = [models.Index(fields=["batch", "status"])]

    def __str__(self):
        return f"{self.holder} · {self.subject_label}"
