from decimal import Decimal

from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from lms.constants import CohortKind, CreditCategory, Locality, Stage, Subject, TallyDimension, TargetMetric
from lms.people.models import District, School, TeacherProfile
from lms.private_files import private_storage

# Folder of ledger evidence in private storage (lms.private_files).
LEDGER_EVIDENCE_FOLDER = "ledger/"


class AppendOnlyQuerySet(models.QuerySet):
    """The ledger is append-only: corrections are reversing entries."""

    def update(self, **kwargs):
        raise TypeError("Ledger entries are never updated; record a reversal instead.")

    def delete(self):
        raise TypeError("Ledger entries are never deleted; record a reversal instead.")


class TrainingCredit(models.Model):
    """One line of the training-hours ledger (学时台账).

    Written only by ``lms.ledger.services.credit_record`` (and the reversal and
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

    def __str__(self):
        return f"{self.teacher.real_name} · {self.year} · {self.get_category_display()} · {self.hours}"


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


