import uuid
from decimal import Decimal
from pathlib import PurePath

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from modelcluster.fields import ParentalKey, ParentalManyToManyField
from modelcluster.models import ClusterableModel
from wagtail.models import Orderable

from lms.constants import (
    CohortKind,
    CreditCategory,
    MembershipStatus,
    OlympiadSubject,
    ProfessionalTitle,
)
from lms.people.models import TeacherProfile
from lms.private_files import private_storage

# Folder of nomination attachments in private storage (lms.private_files).
NOMINATION_FOLDER = "cohorts/nominations/"


# --- Talent cohorts (lms.cohorts.services) --------------------------------------------


def nomination_upload_to(instance, filename):
    """Nomination attachments hold personal data: a random stored name, the
    chosen one kept in ``original_filename``."""
    suffix = PurePath(filename).suffix.lower()
    return f"{NOMINATION_FOLDER}{timezone.now():%Y/%m}/{uuid.uuid4().hex}{suffix}"


class Cohort(ClusterableModel):
    """A talent cohort the city grows: subject leaders, the Olympiad coaches
    of one subject, or a master-teacher studio; with what a member must do
    to be certified. Progress is computed by ``lms.cohorts.progress``, never typed in."""

    kind = models.CharField(_("kind"), max_length=20, choices=CohortKind.choices)
    olympiad_subject = models.CharField(
        _("Olympiad subject"), max_length=16, choices=OlympiadSubject.choices, blank=True,
        help_text=_("Olympiad-coach cohorts only."),
    )
    name = models.CharField(_("name"), max_length=128)
    intake_year = models.PositiveSmallIntegerField(_("intake year"))
    capacity = models.PositiveSmallIntegerField(_("capacity"))
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("owner"), on_delete=models.SET_NULL, null=True, blank=True,
        related_name="+",
    )
    period_start = models.DateField(_("period starts"))
    period_end = models.DateField(_("period ends"))
    required_courses = ParentalManyToManyField(
        "courses.CoursePage", verbose_name=_("required courses"), blank=True, related_name="+"
    )
    requires_research_along = models.BooleanField(_("requires a completed research-along pairing"), default=False)
    eligible_stages = models.JSONField(_("eligible stages"), default=list, blank=True,
                                       help_text=_("Leave empty for any stage."))
    eligible_subjects = models.JSONField(_("eligible subjects"), default=list, blank=True,
                                         help_text=_("Leave empty for any subject."))
    min_title = models.CharField(
        _("lowest professional title"), max_length=20, choices=ProfessionalTitle.choices, blank=True
    )
    min_years_of_service = models.PositiveSmallIntegerField(_("fewest years of service"), null=True, blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        ordering = ["-intake_year", "kind", "olympiad_subject", "name"]
        verbose_name = _("cohort")
        verbose_name_plural = _("cohorts")
        constraints = [
            models.CheckConstraint(condition=models.Q(period_end__gt=models.F("period_start")),
                                   name="cohort_period_end_after_start"),
            models.CheckConstraint(
                condition=models.Q(kind="olympiad_coach", olympiad_subject__gt="")
                | (~models.Q(kind="olympiad_coach") & models.Q(olympiad_subject="")),
                name="cohort_olympiad_subject_iff_coach",
            ),
        ]

    def __str__(self):
        return self.name


class CohortHoursRequirement(Orderable):
    """At least ``hours`` ledger hours within the cohort period, in one
    category or (category empty) in all."""

    cohort = ParentalKey(Cohort, on_delete=models.CASCADE, related_name="hours_requirements")
    category = models.CharField(_("category"), max_length=20, choices=CreditCategory.choices, blank=True,
                                help_text=_("Leave empty to count every category."))
    hours = models.DecimalField(_("hours at least"), max_digits=7, decimal_places=2)

    class Meta(Orderable.Meta):
        verbose_name = _("hours requirement")
        verbose_name_plural = _("hours requirements")
        constraints = [
            models.UniqueConstraint(fields=["cohort", "category"], name="cohort_hours_one_per_category"),
            models.CheckConstraint(condition=models.Q(hours__gt=0), name="cohort_hours_positive"),
        ]

    def __str__(self):
        return f"{self.get_category_display() or _('All categories')} ≥ {self.hours}"


class CohortAssessment(Orderable):
    """An assessment members must pass, e.g. the professional-ability
    assessment (专业能力考核)."""

    cohort = ParentalKey(Cohort, on_delete=models.CASCADE, related_name="assessments")
    name = models.CharField(_("name"), max_length=128)
    max_score = models.DecimalField(_("highest score"), max_digits=6, decimal_places=2, default=Decimal("100"))
    pass_mark = models.DecimalField(_("pass mark"), max_digits=6, decimal_places=2, default=Decimal("60"))

    class Meta(Orderable.Meta):
        verbose_name = _("assessment")
        verbose_name_plural = _("assessments")
        constraints = [
            models.UniqueConstraint(fields=["cohort", "name"], name="cohort_assessment_unique_name"),
            models.CheckConstraint(
                condition=models.Q(pass_mark__gte=0, pass_mark__lte=models.F("max_score")),
                name="cohort_assessment_pass_mark_in_range",
            ),
        ]

    def __str__(self):
        return self.name


class CohortMembership(models.Model):
    """One teacher's way through one cohort, from nomination on. Only
    ``lms.cohorts.services`` changes ``status``, recording each step."""

    cohort = models.ForeignKey(Cohort, verbose_name=_("cohort"), on_delete=models.CASCADE, related_name="memberships")
    teacher = models.ForeignKey(
        TeacherProfile, verbose_name=_("teacher"), on_delete=models.PROTECT, related_name="cohort_memberships"
    )
    status = models.CharField(_("status"), max_length=16, choices=MembershipStatus.choices,
                              default=MembershipStatus.NOMINATED)
    status_changed_at = models.DateTimeField(_("status changed"), default=timezone.now)
    nominated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("nominated by"), on_delete=models.SET_NULL, null=True,
        blank=True, related_name="+",
    )
    nominated_at = models.DateTimeField(_("nominated"), default=timezone.now)
    statement = models.TextField(_("nomination statement"))
    # The eligibility rules the teacher did not meet when nominated, as
    # [{"code": …, "params": {…}}], and who let the nomination through anyway.
    eligibility_failures = models.JSONField(_("eligibility rules not met"), default=list, blank=True)
    eligibility_override_reason = models.TextField(_("eligibility override reason"), blank=True)
    eligibility_overridden_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("eligibility overridden by"), on_delete=models.SET_NULL,
        null=True, blank=True, related_name="+",
    )
    certified_at = models.DateTimeField(_("certified"), null=True, blank=True)
    certified_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("certified by"), on_delete=models.SET_NULL, null=True,
        blank=True, related_name="+",
    )
    # Requirements not met at certification, and why it went ahead.
    certification_shortfalls = models.JSONField(_("requirements not met at certification"), default=list, blank=True)
    certification_override_reason = models.TextField(_("certification override reason"), blank=True)

    class Meta:
        ordering = ["cohort", "teacher__staff_number"]
        verbose_name = _("cohort membership")
        verbose_name_plural = _("cohort memberships")
        constraints = [models.UniqueConstraint(fields=["cohort", "teacher"], name="cohort_membership_unique")]
        indexes = [models.Index(fields=["cohort", "status"]), models.Index(fields=["status", "certified_at"])]

    def __str__(self):
        return f"{self.teacher.real_name} · {self.cohort.name}"


class MembershipTransition(models.Model):
    """Who moved a membership from one status to another, when and why."""

    membership = models.ForeignKey(CohortMembership, on_delete=models.CASCADE, related_name="transitions")
    from_status = models.CharField(_("from"), max_length=16, choices=MembershipStatus.choices, blank=True)
    to_status = models.CharField(_("to"), max_length=16, choices=MembershipStatus.choices)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("by"), on_delete=models.SET_NULL, null=True,
                           blank=True, related_name="+")
    at = models.DateTimeField(_("at"), default=timezone.now)
    reason = models.TextField(_("reason"), blank=True)

    class Meta:
        ordering = ["at", "pk"]
        verbose_name = _("membership step")
        verbose_name_plural = _("membership steps")

    def __str__(self):
        return f"{self.get_from_status_display() or '—'} → {self.get_to_status_display()}"


class NominationAttachment(models.Model):
    membership = models.ForeignKey(CohortMembership, on_delete=models.CASCADE, related_name="attachments")
    file = models.FileField(_("file"), upload_to=nomination_upload_to, storage=private_storage)
    original_filename = models.CharField(_("file name"), max_length=255)
    uploaded_at = models.DateTimeField(_("uploaded"), default=timezone.now)

    class Meta:
        verbose_name = _("nomination attachment")
        verbose_name_plural = _("nomination attachments")

    def __str__(self):
        return self.original_filename


class AssessmentResult(models.Model):
    """A member's dated result in one of the cohort's assessments. Recording
    it again replaces it (a retake); ``recorded_via`` says where it came from."""

    membership = models.ForeignKey(CohortMembership, on_delete=models.CASCADE, related_name="assessment_results")
    assessment = models.ForeignKey(CohortAssessment, on_delete=models.CASCADE, related_name="results")
    score = models.DecimalField(_("score"), max_digits=6, decimal_places=2)
    assessed_on = models.DateField(_("assessed on"))
    assessor = models.CharField(_("assessor"), max_length=64)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("recorded by"),
                                    on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    recorded_at = models.DateTimeField(_("recorded"), default=timezone.now)
    recorded_via = models.CharField(_("recorded through"), max_length=32, blank=True)

    class Meta:
        verbose_name = _("assessment result")
        verbose_name_plural = _("assessment results")
        constraints = [
            models.UniqueConstraint(fields=["membership", "assessment"], name="assessment_result_unique"),
            models.CheckConstraint(condition=models.Q(score__gte=0), name="assessment_result_score_not_negative"),
        ]

    def __str__(self):
        return f"{self.assessment} · {self.score}"
