from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from lms.privacy.constants import CorrectionField, CorrectionStatus


class NoticeAcknowledgement(models.Model):
    """That a user read a version of the privacy notice, and when. One row per
    user and version: the history of what each person was told is kept."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("user"), on_delete=models.CASCADE,
        related_name="privacy_acknowledgements",
    )
    notice_version = models.CharField(_("notice version"), max_length=16)
    acknowledged_at = models.DateTimeField(_("acknowledged"), default=timezone.now)

    class Meta:
        ordering = ["-acknowledged_at", "-pk"]
        verbose_name = _("privacy notice acknowledgement")
        verbose_name_plural = _("privacy notice acknowledgements")
        constraints = [
            models.UniqueConstraint(fields=["user", "notice_version"], name="privacy_ack_one_per_version")
        ]

    def __str__(self):
        return f"{self.notice_version} · {self.acknowledged_at:%Y-%m-%d}"


class CorrectionRequest(models.Model):
    """A teacher's request to correct what the academy holds about them. It
    goes to the admins of the teacher's district and the academy's admins."""

    teacher = models.ForeignKey(
        "lms.TeacherProfile", verbose_name=_("teacher"), on_delete=models.CASCADE,
        related_name="correction_requests",
    )
    field = models.CharField(_("what is wrong"), max_length=20, choices=CorrectionField.choices)
    text = models.TextField(_("what it should say"))
    status = models.CharField(
        _("status"), max_length=10, choices=CorrectionStatus.choices, default=CorrectionStatus.OPEN
    )
    created_at = models.DateTimeField(_("sent"), default=timezone.now)
    resolved_at = models.DateTimeField(_("resolved"), null=True, blank=True)
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("resolved by"), on_delete=models.SET_NULL, null=True, blank=True,
        related_name="+",
    )
    resolution_note = models.TextField(_("note to the teacher"), blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("correction request")
        verbose_name_plural = _("correction requests")
        indexes = [models.Index(fields=["status", "created_at"])]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(status="open", resolved_at__isnull=True)
                | models.Q(status="resolved", resolved_at__isnull=False),
                name="correction_resolved_has_date",
            )
        ]

    def __str__(self):
        return f"{self.get_field_display()} · {self.created_at:%Y-%m-%d}"

    @property
    def is_open(self):
        return self.status == CorrectionStatus.OPEN
