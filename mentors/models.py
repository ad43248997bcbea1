"""Mentor profiles, research-along pairings, their activity log and outputs.

Writes go through ``mentors.services``; reads, scoped to the user, through
``mentors.selectors``.
"""

import uuid
from pathlib import PurePath

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from guardian.models import GroupObjectPermissionBase, UserObjectPermissionBase

from lms.api import Stage, Subject, TeacherProfile, TrainingCredit, private_storage

from .constants import (
    OPEN_PAIRING_STATUSES,
    ActivityKind,
    ActivityStatus,
    InstitutionType,
    OutputKind,
    PairingStatus,
    ProposalSource,
)


class MentorProfile(models.Model):
    """A scientist, researcher or education-research expert who takes
    teachers on. Invited by an academy admin; needs no teacher profile."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, verbose_name=_("user"), on_delete=models.CASCADE, related_name="mentor_profile"
    )
    real_name = models.CharField(_("name"), max_length=64)
    institution = models.CharField(_("institution"), max_length=128)
    institution_type = models.CharField(_("type of institution"), max_length=20, choices=InstitutionType.choices)
    department = models.CharField(_("department or group"), max_length=128, blank=True)
    research_fields = models.CharField(
        _("research fields"), max_length=255, help_text=_("Comma-separated, e.g. condensed matter physics, materials.")
    )
    # School subjects the mentor's research serves; matching ranks by these.
    subjects = models.JSONField(_("subjects"), default=list, blank=True)
    # Stages the mentor is happy to work with; empty means any.
    stages = models.JSONField(_("stages"), default=list, blank=True)
    title = models.CharField(pgettext_lazy("professional title", "title"), max_length=64, blank=True)
    contact_email = models.EmailField(_("contact email"), blank=True)
    contact_phone = models.CharField(_("contact phone"), max_length=32, blank=True)
    capacity = models.PositiveSmallIntegerField(_("teachers at once"), default=2)
    availability = models.CharField(_("availability"), max_length=255, blank=True)
    is_accepting = models.BooleanField(_("accepting teachers"), default=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        ordering = ["institution", "real_name"]
        verbose_name = _("mentor")
        verbose_name_plural = _("mentors")

    def __str__(self):
        return f"{self.real_name} ({self.institution})"

    def get_subjects_display(self):
        labels = dict(Subject.choices)
        return "、".join(str(labels.get(value, value)) for value in self.subjects)

    def get_stages_display(self):
        labels = dict(Stage.choices)
        return "、".join(str(labels.get(value, value)) for value in self.stages)


class MentorProject(models.Model):
    """A research project a mentor posts for teachers to apply to."""

    mentor = models.ForeignKey(MentorProfile, verbose_name=_("mentor"), on_delete=models.CASCADE, related_name="projects")
    title = models.CharField(_("project title"), max_length=200)
    summary = models.TextField(_("summary"), blank=True)
    is_open = models.BooleanField(_("open for applications"), default=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("posted project")
        verbose_name_plural = _("posted projects")

    def __str__(self):
        return self.title


class ResearchPairing(models.Model):
    teacher = models.ForeignKey(
        TeacherProfile, verbose_name=_("teacher"), on_delete=models.PROTECT, related_name="research_pairings"
    )
    mentor = models.ForeignKey(MentorProfile, verbose_name=_("mentor"), on_delete=models.PROTECT, related_name="pairings")
    project = models.ForeignKey(
        MentorProject, verbose_name=_("posted project"), on_delete=models.SET_NULL, null=True, blank=True,
        related_name="pairings",
    )
    project_title = models.CharField(_("project title"), max_length=200)
    goals = models.TextField(_("goals"))
    start_on = models.DateField(_("start"))
    planned_end_on = models.DateField(_("planned end"))
    status = models.CharField(_("status"), max_length=16, choices=PairingStatus.choices, default=PairingStatus.PROPOSED)
    proposed_via = models.CharField(_("proposed by"), max_length=16, choices=ProposalSource.choices)
    proposed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("proposed by"), on_delete=models.SET_NULL, null=True, related_name="+"
    )
    status_reason = models.TextField(_("reason"), blank=True)
    final_report = models.TextField(_("final report"), blank=True)
    mentor_completed_at = models.DateTimeField(_("mentor confirmed completion"), null=True, blank=True)
    teacher_completed_at = models.DateTimeField(_("teacher confirmed completion"), null=True, blank=True)
    activated_at = models.DateTimeField(_("started"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed"), null=True, blank=True)
    created_at = models.DateTimeField(_("created"), default=timezone.now)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("research-along pairing")
        verbose_name_plural = _("research-along pairings")
        indexes = [models.Index(fields=["mentor", "status"]), models.Index(fields=["status"])]
        constraints = [
            models.UniqueConstraint(
                fields=["teacher", "mentor"],
                condition=models.Q(status__in=OPEN_PAIRING_STATUSES),
                name="pairing_one_open_per_teacher_mentor",
            ),
            models.CheckConstraint(
                condition=models.Q(planned_end_on__gte=models.F("start_on")), name="pairing_ends_after_start"
            ),
        ]

    def __str__(self):
        return self.project_title

    @property
    def is_open(self):
        return self.status in OPEN_PAIRING_STATUSES


class ResearchPairingUserObjectPermission(UserObjectPermissionBase):
    content_object = models.ForeignKey(ResearchPairing, on_delete=models.CASCADE)


class ResearchPairingGroupObjectPermission(GroupObjectPermissionBase):
    content_object = models.ForeignKey(ResearchPairing, on_delete=models.CASCADE)


class ResearchActivity(models.Model):
    # PROTECT: a pairing with logged activity is part of the ledger's evidence
    # trail; end it early instead of deleting it.
    pairing = models.ForeignKey(
        ResearchPairing, verbose_name=_("pairing"), on_delete=models.PROTECT, related_name="activities"
    )
    occurred_on = models.DateField(_("date"))
    kind = models.CharField(_("kind"), max_length=20, choices=ActivityKind.choices)
    hours = models.DecimalField(_("duration (hours)"), max_digits=4, decimal_places=2)
    description = models.TextField(_("description"))
    status = models.CharField(
        _("status"), max_length=12, choices=ActivityStatus.choices, default=ActivityStatus.SUBMITTED
    )
    mentor_comment = models.TextField(_("mentor's comment"), blank=True)
    submitted_at = models.DateTimeField(_("submitted"), default=timezone.now)
    reviewed_at = models.DateTimeField(_("reviewed"), null=True, blank=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("reviewed by"), on_delete=models.SET_NULL, null=True, blank=True,
        related_name="+",
    )
    credit = models.ForeignKey(
        TrainingCredit, verbose_name=_("ledger entry"), on_delete=models.PROTECT, null=True, blank=True,
        related_name="+",
    )

    class Meta:
        ordering = ["-occurred_on", "-pk"]
        verbose_name = _("research-along activity")
        verbose_name_plural = _("research-along activities")
        indexes = [models.Index(fields=["pairing", "status"]), models.Index(fields=["status", "occurred_on"])]
        constraints = [models.CheckConstraint(condition=models.Q(hours__gt=0), name="activity_hours_positive")]

    def __str__(self):
        return f"{self.get_kind_display()} · {self.occurred_on}"

    def get_absolute_url(self):
        """Where the ledger's "my hours" page links a credited activity: its
        pairing's page, which only the pairing's people can open."""
        from django.urls import reverse

        return reverse("mentors:pairing_detail", args=[self.pairing_id])


EVIDENCE_FOLDER = "research-along/"


def evidence_upload_to(instance, filename):
    """A random stored name: evidence may hold personal data, so its path must
    not be guessable. The chosen name is kept in ``original_filename``."""
    suffix = PurePath(filename).suffix.lower()
    return f"{EVIDENCE_FOLDER}{timezone.now():%Y/%m}/{uuid.uuid4().hex}{suffix}"


class ActivityEvidence(models.Model):
    activity = models.ForeignKey(
        ResearchActivity, verbose_name=_("activity"), on_delete=models.CASCADE, related_name="evidence_files"
    )
    file = models.FileField(_("file"), upload_to=evidence_upload_to, storage=private_storage)
    original_filename = models.CharField(_("file name"), max_length=255)
    size = models.PositiveIntegerField(_("size in bytes"))

    class Meta:
        ordering = ["pk"]
        verbose_name = _("evidence file")
        verbose_name_plural = _("evidence files")

    def __str__(self):
        return self.original_filename


class ResearchOutput(models.Model):
    """A paper, lesson design, student project… that came out of a pairing."""

    pairing = models.ForeignKey(ResearchPairing, verbose_name=_("pairing"), on_delete=models.CASCADE, related_name="outputs")
    kind = models.CharField(_("kind"), max_length=20, choices=OutputKind.choices)
    title = models.CharField(pgettext_lazy("research output", "title"), max_length=255)
    description = models.TextField(_("description"), blank=True)
    link = models.URLField(_("link"), blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("added by"), on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(_("added"), default=timezone.now)

    class Meta:
        ordering = ["created_at", "pk"]
        verbose_name = _("research output")
        verbose_name_plural = _("research outputs")

    def __str__(self):
        return self.title
