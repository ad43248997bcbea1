"""Reconciliation: every tally recomputed from the ledger and compared with
the stored one (``manage.py reconcile_ledger``), optionally rewritten."""

from dataclasses import dataclass
from decimal import Decimal

from django.db import transaction
from django.db.models import Count, Sum
from django.db.models.functions import ExtractMonth

from lms.constants import CITY, TallyDimension
from lms.ledger.models import CreditTally, TeacherYearTally, TrainingCredit
from lms.ledger.validation import HOURS_QUANTUM


@dataclass(frozen=True)
class TallyDifference:
    year: int
    district_key: int
    dimension: str
    key: str
    stored: tuple
    expected: tuple


def _expected_tallies():
    """Every tally row recomputed from the ledger: {(year, district_key,
    dimension, key): (hours, person_times, entries)}."""
    expected = {}

    def add(year, district_key, dimension, key, hours, person_times, entries):
        expected[(year, district_key, str(dimension), str(key))] = (
            Decimal(hours or 0).quantize(HOURS_QUANTUM),
            person_times or 0,
            entries,
        )

    groupings = [
        (TallyDimension.TOTAL, None),
        (TallyDimension.SUBJECT, "subject"),
        (TallyDimension.STAGE, "stage"),
        (TallyDimension.CATEGORY, "category"),
        (TallyDimension.LOCALITY, "locality"),
        (TallyDimension.MONTH, "month"),
    ]
    base = TrainingCredit.objects.annotate(month=ExtractMonth("occurred_on"))
    totals = {"h": Sum("hours"), "p": Sum("person_times"), "n": Count("pk")}
    for dimension, field in groupings:
        for scope_field in (None, "district_id"):
            fields = ["year"] + ([scope_field] if scope_field else []) + ([field] if field else [])
            for row in base.values(*fields).annotate(**totals).order_by():
                key = "" if field is None else row[field]
                if dimension == TallyDimension.MONTH:
                    key = f"{key:02d}"
                add(row["year"], row[scope_field] if scope_field else CITY, dimension, key, row["h"], row["p"], row["n"])
    for row in base.values("year", "district_id").annotate(**totals).order_by():
        add(row["year"], CITY, TallyDimension.DISTRICT, row["district_id"], row["h"], row["p"], row["n"])
    for row in base.values("year", "district_id", "school_id").annotate(**totals).order_by():
        add(row["year"], row["district_id"], TallyDimension.SCHOOL, row["school_id"], row["h"], row["p"], row["n"])
    return expected


def ledger_reconcile(*, fix: bool = False) -> list[TallyDifference]:
    """Compare every tally with the ledger; with ``fix``, rewrite the tallies
    from the ledger. Returns the differences found (none when healthy)."""
    with transaction.atomic():
        if fix:
            # Hold the tallies still while they are rebuilt.
            list(CreditTally.objects.select_for_update().values_list("pk", flat=True))
        expected = _expected_tallies()
        stored = {
            (row.year, row.district_key, row.dimension, row.key): (
                Decimal(row.hours).quantize(HOURS_QUANTUM),
                row.person_times,
                row.entries,
            )
            for row in CreditTally.objects.all()
        }
        zero = (Decimal("0.00"), 0, 0)
        differences = [
            TallyDifference(*key, stored=stored.get(key, zero), expected=expected.get(key, zero))
            for key in sorted(set(expected) | set(stored))
            if stored.get(key, zero) != expected.get(key, zero)
        ]
        teacher_differences = _teacher_tally_differences()
        differences += teacher_differences
        if fix and differences:
            CreditTally.objects.all().delete()
            CreditTally.objects.bulk_create(
                (
                    CreditTally(year=year, district_key=district_key, dimension=dimension, key=key,
                                hours=hours, person_times=person_times, entries=entries)
                    for (year, district_key, dimension, key), (hours, person_times, entries) in expected.items()
                ),
                batch_size=1000,
            )
        if fix and teacher_differences:
            TeacherYearTally.objects.all().delete()
            TeacherYearTally.objects.bulk_create(
                (
                    TeacherYearTally(teacher_id=row["teacher_id"], year=row["year"], category=row["category"],
                                     hours=row["h"], person_times=row["p"])
                    for row in _teacher_totals()
                ),
                batch_size=1000,
            )
    return differences


def _teacher_totals():
    return (
        TrainingCredit.objects.values("teacher_id", "year", "category")
        .annotate(h=Sum("hours"), p=Sum("person_times"))
        .order_by()
    )


def _teacher_tally_differences():
    """Teachers' yearly totals that disagree with their ledger entries,
    reported as dimension ``teacher`` with key ``<teacher id>/<category>``."""
    zero = (Decimal("0.00"), 0, 0)
    expected = {
        (row["year"], row["teacher_id"], row["category"]): (Decimal(row["h"] or 0).quantize(HOURS_QUANTUM), row["p"] or 0, 0)
        for row in _teacher_totals()
    }
    stored = {
        (row.year, row.teacher_id, row.category): (Decimal(row.hours).quantize(HOURS_QUANTUM), row.person_times, 0)
        for row in TeacherYearTally.objects.all()
    }
    return [
        TallyDifference(key[0], CITY, "teacher", f"{key[1]}/{key[2]}", stored.get(key, zero), expected.get(key, zero))
        for key in sorted(set(expected) | set(stored))
        if stored.get(key, zero) != expected.get(key, zero)
    ]

