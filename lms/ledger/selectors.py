"""Ledger reads: a teacher's hours by year and category, and single entries
and evidence files scoped through the people selectors."""

from dataclasses import dataclass
from decimal import Decimal
from pathlib import PurePath

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.db.models import Q, QuerySet

from lms.constants import LEDGER_EARLIEST_YEAR, CreditCategory
from lms.models import TeacherProfile, TeacherYearTally, TrainingCredit
from lms.people.selectors import teacher_list_for_user
from lms.private_files import PrivateFile


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


def teacher_hours_summary(teacher: TeacherProfile, year: int, *, current_year: int) -> TeacherHoursSummary:
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


def teacher_credit_list(teacher: TeacherProfile, year: int) -> QuerySet[TrainingCredit]:
    """A teacher's ledger entries of ``year``, newest first, with what a
    listing shows of each: the entry it reverses or that reverses it, and
    its evidence (one query per kind of evidence on the page)."""
    return (
        TrainingCredit.objects.filter(teacher=teacher, year=year)
        .select_related("reverses", "reversed_by")
        .prefetch_related("evidence")
        .order_by("-occurred_on", "-pk")
    )


def credit_get_for_user(user: AbstractBaseUser | AnonymousUser, pk: int | str) -> TrainingCredit | None:
    """The ledger entry ``pk`` if its teacher is one the user may see (the
    scope HR's corrections work in), else None."""
    return (
        TrainingCredit.objects.filter(pk=pk, teacher__in=teacher_list_for_user(user))
        .select_related("teacher__school", "reverses", "reversed_by", "credited_by")
        .first()
    )


# --- Personal files (lms.private_files) -------------------------------------


def credit_evidence_file_get_for_user(user: AbstractBaseUser | AnonymousUser, name: str) -> PrivateFile | None:
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


