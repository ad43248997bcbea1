import uuid
from decimal import Decimal
from pathlib import PurePath

from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.core.validators import RegexValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from guardian.models import GroupObjectPermissionBase, UserObjectPermissionBase
from modelcluster.fields import ParentalKey, ParentalManyToManyField
from modelcluster.models import ClusterableModel
from wagtail.models import Orderable

from .constants import (
    CohortKind,
    MembershipStatus,
    OlympiadSubject,
    CreditCategory,
    Degree,
    DistrictKind,
    ImportKind,
    ImportStatus,
    Locality,
    ProfessionalTitle,
    Stage,
    Subject,
    TallyDimension,
    TargetMetric,
)
from .private_files import private_storage

mobile_phone_validator = RegexValidator(
    r"^1[3-9]\d{9}$", _("Enter an 11-digit mainland mobile number, e.g. 13812345678.")
)


class District(models.Model):
    """A county-level division of Jinan, or a functional zone that runs schools."""

    code = models.CharField(_("code"), max_length=16, unique=True)
    name = models.CharField(_("name"), max_length=64, unique=True)
    kind = models.CharField(_("kind"), max_length=16, choices=DistrictKind.choices)
    sort_order = models.PositiveSmallIntegerField(_("order"), default=0)

    class Meta:
        ordering = ["sort_order", "code"]
        verbose_name = _("district")
        verbose_name_plural = _("districts")
        permissions = [("manage_district", _("Can manage the people of this district"))]

    def __str__(self):
        return self.name


class DistrictUserObjectPermission(UserObjectPermissionBase):
    content_object = models.ForeignKey(District, on_delete=models.CASCADE)


class DistrictGroupObjectPermission(GroupObjectPermissionBase):
    content_object = models.ForeignKey(District, on_delete=models.CASCADE)


class School(models.Model):
    code = models.CharField(_("school code"), max_length=32, unique=True)
    name = models.CharField(_("name"), max_length=128)
    district = models.ForeignKey(
        District, verbose_name=_("district"), on_delete=models.PROTECT, related_name="schools"
    )
    has_primary = models.BooleanField(_("primary stage"), default=False)
    has_junior = models.BooleanField(_("junior secondary stage"), default=False)
    has_senior = models.BooleanField(_("senior secondary stage"), default=False)
    locality = models.CharField(_("urban or rural"), max_length=8, choices=Locality.choices)


    class Meta:
        ordering = ["district__sort_order", "code"]
        verbose_name = _("school")
        verbose_name_plural = _("schools")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(has_primary=True) | models.Q(has_junior=True) | models.Q(has_senior=True),
                name="school_has_a_stage",
            )
        ]

    def __str__(self):
        return self.name

    @property
    def is_rural(self):
        return self.locality == Locality.RURAL

    @property
    def stages(self):
        flags = {Stage.PRIMARY: self.has_primary, Stage.JUNIOR: self.has_junior, Stage.SENIOR: self.has_senior}
        return [stage for stage, present in flags.items() if present]

    def get_stages_display(self):
        return "、".join(str(stage.label) for stage in self.stages)


# A primary science teacher with a science or engineering master's, as the
# plan counts them: teaching the primary stage with science as the main or
# second subject (many primary science classes are taught by a maths or IT
# teacher). The dashboards' coverage target and its index share this.
PRIMARY_SCIENCE_MASTER = models.Q(is_science_engineering_master=True, stage=Stage.PRIMARY) & (
    models.Q(subject=Subject.SCIENCE) | models.Q(second_subject=Subject.SCIENCE)
)


class TeacherProfile(models.Model):
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, verbose_name=_("user"), on_delete=models.CASCADE, related_name="teacher_profile"
    )
    real_name = models.CharField(_("real name"), max_length=64)
    name_romanised = models.CharField(_("romanised name"), max_length=128, blank=True)
    staff_number = models.CharField(_("staff number"), max_length=32, unique=True)
    phone = models.CharField(_("mobile phone"), max_length=11, blank=True, validators=[mobile_phone_validator])
    # Empty for a teacher between schools: they keep their account and
    # history, but nothing can be credited until a school is set.
    school = models.ForeignKey(
        School, verbose_name=_("school"), on_delete=models.PROTECT, related_name="teachers", null=True
    )
    subject = models.CharField(_("main subject"), max_length=16, choices=Subject.choices)
    second_subject = models.CharField(_("second subject"), max_length=16, choices=Subject.choices, blank=True)
    stage = models.CharField(_("stage"), max_length=8, choices=Stage.choices)
    title = models.CharField(
        _("professional title"), max_length=20, choices=ProfessionalTitle.choices, default=ProfessionalTitle.UNRANKED
    )
    degree = models.CharField(_("highest degree"), max_length=12, choices=Degree.choices, default=Degree.BACHELOR)
    is_science_engineering_master = models.BooleanField(_("science or engineering master's"), default=False)
    teaching_since = models.PositiveSmallIntegerField(_("teaching since (year)"), null=True, blank=True)
    is_science_vice_principal = models.BooleanField(_("science vice-principal"), default=False)
    is_lab_manager = models.BooleanField(_("lab manager"), default=False)
    is_teaching_researcher = models.BooleanField(_("teaching researcher"), default=False)
    is_backbone_teacher = models.BooleanField(_("backbone teacher"), default=False)
    is_science_tech_tutor = models.BooleanField(_("science-tech tutor"), default=False)
    is_part_time_science_teacher = models.BooleanField(_("part-time science teacher"), default=False)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)


    class Meta:
        ordering = ["staff_number"]
        verbose_name = _("teacher")
        verbose_name_plural = _("teachers")
        indexes = [
            models.Index(fields=["school", "subject"]),
            # The dashboards' coverage targets ask, school by school, whether
            # one such teacher exists; these keep that to an index probe.
            models.Index(
                fields=["school"], condition=models.Q(is_science_vice_principal=True), name="teacher_school_sci_vp_idx"
            ),
            models.Index(fields=["school"], condition=PRIMARY_SCIENCE_MASTER, name="teacher_school_pri_sci_mst_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(is_science_engineering_master=False)
                | models.Q(degree__in=["master", "doctorate"]),
                name="teacher_sci_master_needs_degree",
            )
        ]

    def __str__(self):
        return f"{self.real_name} ({self.staff_number})"

    @property
    def district(self):
        return self.school.district if self.school_id else None

    @property
    def masked_name(self):
        return mask_chinese_name(self.real_name)

    def positions(self):
        from .constants import POSITION_FIELDS

        return [position for position, field in POSITION_FIELDS.items() if getattr(self, field)]


def mask_chinese_name(name):
    """Mask a name for public pages: 张伟 → 张*, 张小伟 → 张*伟, 欧阳小明 → 欧**明."""
    name = (name or "").strip()
    if len(name) <= 1:
        return name
    if len(name) == 2:
        return name[0] + "*"
    return name[0] + "*" * (len(name) - 2) + name[-1]


# Folders of the personal files in private storage (lms.private_files).
IMPORT_FOLDER = "imports/"
LEDGER_EVIDENCE_FOLDER = "ledger/"
NOMINATION_FOLDER = "cohorts/nominations/"


def import_upload_to(instance, filename):
    """A random stored name: uploads hold personal data, so their path must not
    be guessable, and two HR officers uploading "教师名单.xlsx" must not clash.
    The name the user chose is kept in ``original_filename``."""
    suffix = PurePath(filename).suffix.lower()
    return f"{IMPORT_FOLDER}{timezone.now():%Y/%m}/{uuid.uuid4().hex}{suffix}"


class ImportBatch(models.Model):
    """One uploaded schools or teachers file, its dry-run report and, once
    committed, what the commit did. See ``lms.imports``."""

    kind = models.CharField(_("kind"), max_length=16, choices=ImportKind.choices)
    file = models.FileField(_("file"), upload_to=import_upload_to, storage=private_storage)
    original_filename = models.CharField(_("file name"), max_length=255)
    encoding = models.CharField(_("encoding"), max_length=16, blank=True)
    status = models.CharField(
        _("status"), max_length=16, choices=ImportStatus.choices, default=ImportStatus.UPLOADED
    )
    row_count = models.PositiveIntegerField(_("rows"), default=0)
    created_count = models.PositiveIntegerField(_("new"), default=0)
    updated_count = models.PositiveIntegerField(_("updated"), default=0)
    unchanged_count = models.PositiveIntegerField(_("unchanged"), default=0)
    error_count = models.PositiveIntegerField(_("errors"), default=0)
    # [{"row": 3, "column": "手机", "code": "bad_phone", "params": {}, "reason": "…", "value": "123"}];
    # row is None for a problem with the whole file.
    errors = models.JSONField(_("errors"), default=list, blank=True)
    # The first rows the commit will create or update, for the dry-run preview.
    preview = models.JSONField(_("preview"), default=list, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("uploaded by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField(_("uploaded"), auto_now_add=True)
    committed_at = models.DateTimeField(_("committed"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("import batch")
        verbose_name_plural = _("import batches")

    def __str__(self):
        return f"{self.get_kind_display()}: {self.original_filename}"

    @property
    def is_running(self):
        """True while a worker is checking or committing the batch."""
        return self.status in {ImportStatus.UPLOADED, ImportStatus.COMMITTING}


class AppendOnlyQuerySet(models.QuerySet):
    """The ledger is append-only: corrections are reversing entries."""

    def update(self, **kwargs):
        raise TypeError("Ledger entries are never updated; record a reversal instead.")

    def delete(self):
        raise TypeError("Ledger entries are never deleted; record a reversal instead.")


class TrainingCredit(models.Model):
    """One line of the training-hours ledger (学时台账).

    Written only by ``lms.ledger.credit_record`` (and the reversal and
    adjustment services built on it). ``source_key`` names the evidence; its
    uniqueness makes crediting the same evidence twice a no-op. District,
    school, locality, subject and stage are copied from the teacher at the
    moment of crediting, so history never moves when a teacher moves.
    """

    teacher = models.ForeignKey(
        TeacherProfile, verbose_name=_("teacher"), on_delete=models.PROTECT, related_name="credits"
    )
    category = models.CharField(_("category"), max_length=20, choices=CreditCategory.choices)
    year = models.PositiveSmallIntegerField(_("year"))
    occurred_on = models.DateField(_("date of the training"))
    hours = models.DecimalField(_("hours credited"), max_digits=6, decimal_places=2)
    requested_hours = models.DecimalField(_("hours earned"), max_digits=6, decimal_places=2)
    capped_hours = models.DecimalField(
        _("hours over the yearly cap"), max_digits=6, decimal_places=2, default=Decimal("0")
    )
    person_times = models.SmallIntegerField(_("person-times"))
    source_key = models.CharField(_("evidence key"), max_length=191, unique=True)
    evidence_type = models.ForeignKey(
        ContentType, verbose_name=_("evidence type"), on_delete=models.PROTECT, null=True, blank=True
    )
    evidence_id = models.CharField(_("evidence id"), max_length=64, blank=True)
    evidence = GenericForeignKey("evidence_type", "evidence_id")
    evidence_label = models.CharField(_("evidence"), max_length=255, blank=True)
    evidence_file = models.FileField(
        _("evidence file"), upload_to=LEDGER_EVIDENCE_FOLDER + "%Y/", storage=private_storage, blank=True
    )
    reason = models.TextField(_("reason"), blank=True)
    reverses = models.OneToOneField(
        "self",
        verbose_name=_("reverses"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="reversed_by",
    )
    credited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("credited by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    credited_via = models.CharField(_("credited through"), max_length=64, blank=True)
    created_at = models.DateTimeField(_("credited at"), default=timezone.now)
    district = models.ForeignKey(District, verbose_name=_("district"), on_delete=models.PROTECT, related_name="+")
    school = models.ForeignKey(School, verbose_name=_("school"), on_delete=models.PROTECT, related_name="+")
    locality = models.CharField(_("urban or rural"), max_length=8, choices=Locality.choices)
    subject = models.CharField(_("subject"), max_length=16, choices=Subject.choices)
    stage = models.CharField(_("stage"), max_length=8, choices=Stage.choices)

    objects = AppendOnlyQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("training credit")
        verbose_name_plural = _("training credits")
        indexes = [
            models.Index(fields=["teacher", "year"]),
            models.Index(fields=["district", "year"]),
            models.Index(fields=["school", "year"]),
        ]
        constraints = [
            models.CheckConstraint(condition=models.Q(person_times__gte=-1, person_times__lte=1), name="credit_person_times_range"),
            models.CheckConstraint(
                condition=models.Q(hours__gte=0) | models.Q(reverses__isnull=False) | models.Q(category="adjustment"),
                name="credit_negative_only_when_correcting",
            ),
        ]

    def __str__(self):
        return f"{self.teacher.real_name} · {self.get_category_display()} · {self.hours}"

    def save(self, *args, **kwargs):
        if self.pk is not None and not kwargs.get("force_insert"):
            raise TypeError("Ledger entries are never updated; record a reversal instead.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise TypeError("Ledger entries are never deleted; record a reversal instead.")


class CreditCap(models.Model):
    """An optional yearly ceiling on the hours one teacher may be credited in
    a category. Hours over it are recorded on the entry as capped, not lost."""

    category = models.CharField(_("category"), max_length=20, choices=CreditCategory.choices, unique=True)
    yearly_hours = models.DecimalField(_("hours a year at most"), max_digits=6, decimal_places=2)
    note = models.CharField(_("note"), max_length=255, blank=True)

    class Meta:
        verbose_name = _("yearly hours cap")
        verbose_name_plural = _("yearly hours caps")

    def __str__(self):
        return f"{self.get_category_display()} ≤ {self.yearly_hours}"


class CreditTally(models.Model):
    """Running totals of the ledger, kept in the same transaction as each
    credit, one row per (year, district or the city, breakdown, value). The
    dashboards read only these; ``reconcile_ledger`` recomputes them."""

    year = models.PositiveSmallIntegerField()
    district_key = models.PositiveIntegerField(help_text="District id, or 0 for the whole city.")
    dimension = models.CharField(max_length=16, choices=TallyDimension.choices)
    key = models.CharField(max_length=32)
    hours = models.DecimalField(max_digits=14, decimal_places=2, default=Decimal("0"))
    person_times = models.IntegerField(default=0)
    entries = models.IntegerField(default=0)

    class Meta:
        verbose_name = _("ledger tally")
        constraints = [
            models.UniqueConstraint(fields=["year", "district_key", "dimension", "key"], name="credit_tally_unique")
        ]

    def __str__(self):
        return f"{self.year}/{self.district_key}/{self.dimension}/{self.key}"


class TeacherYearTally(models.Model):
    """One teacher's totals for a year and category: "my hours" and the
    yearly caps read these instead of summing the teacher's ledger."""

    teacher = models.ForeignKey(TeacherProfile, on_delete=models.CASCADE, related_name="year_tallies")
    year = models.PositiveSmallIntegerField()
    category = models.CharField(max_length=20, choices=CreditCategory.choices)
    hours = models.DecimalField(max_digits=8, decimal_places=2, default=Decimal("0"))
    person_times = models.IntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["teacher", "year", "category"], name="teacher_year_tally_unique")
        ]


class Target(models.Model):
    """A figure the city's plan sets, with its scope and deadline."""

    name = models.CharField(_("name"), max_length=128)
    metric = models.CharField(_("metric"), max_length=40, choices=TargetMetric.choices)
    cohort_kind = models.CharField(_("cohort"), max_length=20, choices=CohortKind.choices, blank=True)
    district = models.ForeignKey(
        District, verbose_name=_("district"), on_delete=models.CASCADE, null=True, blank=True,
        help_text=_("Leave empty for a city-wide target."),
    )
    value = models.DecimalField(_("target value"), max_digits=12, decimal_places=2)
    is_percentage = models.BooleanField(_("a share of all schools, in per cent"), default=False)
    start = models.DateField(_("start"))
    deadline = models.DateField(_("deadline"))
    sort_order = models.PositiveSmallIntegerField(_("order"), default=0)

    class Meta:
        ordering = ["sort_order", "pk"]
        verbose_name = _("target")
        verbose_name_plural = _("targets")
        constraints = [models.CheckConstraint(condition=models.Q(deadline__gt=models.F("start")), name="target_deadline_after_start")]

    def __str__(self):
        return self.name


# --- Talent cohorts (lms.cohorts) --------------------------------------------


def nomination_upload_to(instance, filename):
    """Nomination attachments hold personal data: a random stored name, the
    chosen one kept in ``original_filename``."""
    suffix = PurePath(filename).suffix.lower()
    return f"{NOMINATION_FOLDER}{timezone.now():%Y/%m}/{uuid.uuid4().hex}{suffix}"


class Cohort(ClusterableModel):
    """A talent cohort the city grows: subject leaders, the Olympiad coaches
    of one subject, or a master-teacher studio; with what a member must do
    to be certified. Progress is computed by ``lms.cohorts``, never typed in."""

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
    ``lms.cohorts`` changes ``status``, recording each step."""

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


class NominationAttachment(models.Model):
    membership = models.ForeignKey(CohortMembership, on_delete=models.CASCADE, related_name="attachments")
    file = models.FileField(_("file"), upload_to=nomination_upload_to, storage=private_storage)
    original_filename = models.CharField(_("file name"), max_length=255)
    uploaded_at = models.DateTimeField(_("uploaded"), default=timezone.now)

    class Meta:
        verbose_name = _("nomination attachment")
        verbose_name_plural = _("nomination attachments")


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


class PendingTask(models.Model):
    """A Celery task the academy has promised to run (a transactional outbox).

    Written in the same transaction as the data the task works on, so the
    promise commits or rolls back with it; sent to the broker once that
    transaction has committed. The worker deletes the row when the task has
    run; a row still here after a grace period is sent again by
    ``lms.outbox.pending_tasks_sweep`` (every minute, from Celery beat). The
    tasks are idempotent, so a second delivery is harmless. See
    docs/decisions/0060-task-outbox.md."""

    task_name = models.CharField(_("task"), max_length=200)
    args = models.JSONField(_("arguments"), default=list, blank=True)
    kwargs = models.JSONField(_("keyword arguments"), default=dict, blank=True)
    # Sent as the Celery task id, so the worker can find the row again; every
    # resend reuses it.
    task_id = models.UUIDField(_("task id"), default=uuid.uuid4, unique=True, editable=False)
    # What the task is about ("importbatch:12"), for screens that show it.
    ref = models.CharField(_("about"), max_length=100, blank=True, db_index=True)
    created_at = models.DateTimeField(_("created"), default=timezone.now, db_index=True)
    sent_at = models.DateTimeField(_("last sent"), null=True, blank=True)
    attempts = models.PositiveIntegerField(_("send attempts"), default=0)
    last_error = models.TextField(_("last error"), blank=True)
    # The worker gave up on the task (retries exhausted, or an error retrying
    # cannot fix): the sweep leaves it alone; operators see it here.
    failed_at = models.DateTimeField(_("failed"), null=True, blank=True)

    class Meta:
        ordering = ["created_at", "pk"]
        verbose_name = _("pending task")
        verbose_name_plural = _("pending tasks")

    def __str__(self):
        return f"{self.task_name} {self.ref or self.task_id}"
