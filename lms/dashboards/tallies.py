"""The tally rows a dashboard reads: a few hundred plain tuples whatever the
size of the ledger, and the schools in scope with what the coverage
targets count."""

from collections import defaultdict
from collections.abc import Iterator
from decimal import Decimal
from typing import NamedTuple

from django.db.models import Exists, OuterRef, QuerySet

from lms.constants import TallyDimension
from lms.ledger.models import CreditTally
from lms.people.models import PRIMARY_SCIENCE_MASTER, District, School, TeacherProfile


class TallyRow(NamedTuple):
    year: int
    district_key: int
    dimension: str
    key: str
    hours: Decimal
    person_times: int
    entries: int


def tally_rows_read(queryset: QuerySet) -> Iterator[TallyRow]:
    # Plain tuples: a city dashboard reads a few hundred rows, and model
    # instances would cost more than the query.
    return (TallyRow(*values) for values in queryset.order_by().values_list(*TallyRow._fields))


def totals_and_months(district_key: int) -> tuple[dict, dict]:
    """One query: a scope's yearly totals and monthly rows of every year,
    keyed by year (and month), for the year selector and for targets that
    span years."""
    totals_by_year, months_by_year = {}, defaultdict(dict)
    for row in tally_rows_read(
        CreditTally.objects.filter(
            district_key=district_key, dimension__in=[TallyDimension.TOTAL, TallyDimension.MONTH]
        )
    ):
        if row.dimension == TallyDimension.TOTAL:
            totals_by_year[row.year] = row
        else:
            months_by_year[row.year][int(row.key)] = row
    return totals_by_year, months_by_year


def schools_in_scope(districts: list[District]) -> list[dict]:
    # Both match a partial index on the school (lms.models), so each school
    # costs one index probe, not a scan of its teachers.
    science_vice_principal = TeacherProfile.objects.filter(school=OuterRef("pk"), is_science_vice_principal=True)
    primary_science_master = TeacherProfile.objects.filter(PRIMARY_SCIENCE_MASTER, school=OuterRef("pk"))
    return list(
        School.objects.filter(district__in=[d.pk for d in districts])
        .annotate(has_vp=Exists(science_vice_principal), has_master=Exists(primary_science_master))
        .order_by("district__sort_order", "code")
        .values("pk", "code", "name", "district_id", "locality", "has_primary", "has_vp", "has_master")
    )
