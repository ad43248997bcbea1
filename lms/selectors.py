"""Reads, scoped to what the user may see.

Every view, export and report reuses these, so a district admin's scope is
decided in one place: the ``lms.manage_district`` object permission on
District (guardian's direct foreign-key table). HR and academy admins hold the
permission globally and see every district.
"""

from dataclasses import dataclass
from pathlib import PurePath
from decimal import Decimal

from guardian.shortcuts import get_objects_for_user

from django.db.models import Q

from .constants import DISTRICT_MANAGE_PERMISSION, IMPORT_PERMISSION, LEDGER_EARLIEST_YEAR, CreditCategory
from .models import District, ImportBatch, School, TeacherProfile, TeacherYearTally, TrainingCredit
from .private_files import PrivateFile


def district_list_for_user(user):
    if not user.is_authenticated or not user.is_active:
        return District.objects.none()
    return get_objects_for_user(user, DISTRICT_MANAGE_PERMISSION, klass=District, accept_global_perms=True)


def school_list_for_user(user):
    return School.objects.filter(district__in=district_list_for_user(user)).select_related("district")


def teacher_list_for_user(user):
    teachers = TeacherProfile.objects.select_related("school__district", "user")
    if user.is_authenticated and user.is_active and user.has_perm(DISTRICT_MANAGE_PERMISSION):
        # City-wide staff also see teachers who are between schools.
        return teachers
    return teachers.filter(school__district__in=district_list_for_user(user))


def teacher_get_for_user(user):
    """The teacher profile of the signed-in user, or None."""
    if not user.is_authenticated:
        return None
    return TeacherProfile.objects.select_related("school__district").filter(user=user).first()


# --- Training hours --------------------------------------------------------


@dataclass(frozen=True)
class CategoryHours:
    category: str
    label: str
    hours: Decimal
    person_times: int


@dataclass(frozen=True)
class YearHours:
    year: int
    hours: Decimal
    person_times: int
    # In the order of CreditCategory; categories whose entries cancel out
    # (a credit and its reversal) are left out.
    categories: tuple


@dataclass(frozen=True)
class TeacherHoursSummary:
    # The year asked for, zeros if nothing was credited in it.
    year: YearHours
    # Every year with credits, newest first.
    years: tuple
    # The years worth offering in a year selector, newest first.
    selectable_years: tuple


def _year_hours(year, totals):
    order = {category: position for position, category in enumerate(CreditCategory.values)}
    categories = tuple(
        CategoryHours(category, CreditCategory(category).label, hours, person_times)
        for category, (hours, person_times) in sorted(totals.items(), key=lambda item: order[item[0]])
        if hours or person_times
    )
    return YearHours(
        year=year,
        hours=sum((hours for hours, _person_times in totals.values()), Decimal("0")),
        person_times=sum(person_times for _hours, person_times in totals.values()),
        categories=categories,
    )


def _years_with_credits(by_year, current_year):
    """The years worth offering: those whose totals are not all zero (a row
    can exist for a year whose only entry was refused or reversed), within
    the ledger's range of dates."""
    return {
        year
        for year, totals in by_year.items()
        if LEDGER_EARLIEST_YEAR <= year <= current_year
        and any(hours or person_times for hours, person_times in totals.values())
    }


def teacher_hours_summary(teacher, year: int, *, current_year: int) -> TeacherHoursSummary:
    """A teacher's hours and person-times for ``year`` and for every year, by
    category. Read from the teacher's yearly totals, which the ledger service
    keeps with each credit: one query however long the teacher's ledger."""
    by_year = {}
    rows = TeacherYearTally.objects.filter(teacher=teacher).values_list("year", "category", "hours", "person_times")
    for tally_year, category, hours, person_times in rows:
        by_year.setdefault(tally_year, {})[category] = (hours, person_times)
    credited = _years_with_credits(by_year, current_year)
    return TeacherHoursSummary(
        year=_year_hours(year, by_year.get(year, {})),
        years=tuple(_year_hours(tally_year, by_year[tally_year]) for tally_year in sorted(credited, reverse=True)),
        selectable_years=tuple(sorted({*credited, current_year}, reverse=True)),
    )


def teacher_credit_list(teacher, year: int):
    """A teacher's ledger entries of ``year``, newest first, with what a
    listing shows of each: the entry it reverses or that reverses it, and
    its evidence (one query per kind of evidence on the page)."""
    return (
        TrainingCredit.objects.filter(teacher=teacher, year=year)
        .select_related("reverses", "reversed_by")
        .prefetch_related("evidence")
        .order_by("-occurred_on", "-pk")
    )


def credit_get_for_user(user, pk):
    """The ledger entry ``pk`` if its teacher is one the user may see (the
    scope HR's corrections work in), else None."""
    return (
        TrainingCredit.objects.filter(pk=pk, teacher__in=teacher_list_for_user(user))
        .select_related("teacher__school", "reverses", "reversed_by", "credited_by")
        .first()
    )


# --- Personal files (lms.private_files) -------------------------------------


def credit_evidence_file_get_for_user(user, name):
    """A ledger entry's evidence file, for its teacher and for staff whose
    scope covers the teacher."""
    if not user.is_authenticated:
        return None
    credit = (
        TrainingCredit.objects.filter(evidence_file=name)
        .filter(Q(teacher__user=user) | Q(teacher__in=teacher_list_for_user(user)))
        .first()
    )
    if credit is None:
        return None
    return PrivateFile(credit.evidence_file, PurePath(name).name)


def import_file_get_for_user(user, name):
    """An uploaded people spreadsheet, for whoever may run imports (they see
    every batch's report already)."""
    if not (user.is_authenticated and user.is_active and user.has_perm(IMPORT_PERMISSION)):
        return None
    batch = ImportBatch.objects.filter(file=name).first()
    if batch is None:
        return None
    return PrivateFile(batch.file, batch.original_filename)
