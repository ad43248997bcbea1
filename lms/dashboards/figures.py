"""The city and district dashboards' figures, read from ``CreditTally`` rows.

Every figure comes from tallies, which ``lms.ledger`` keeps in step with the
ledger in the same transaction as each credit, so a dashboard costs the same
handful of queries whether the ledger holds a thousand entries or ten
million. ``dashboard_get`` reads them in steps: the scope, every year's
totals, the chosen year's rows, the schools in scope, the targets.

Scope is decided by ``lms.people.selectors.district_list_for_user``: city-wide
staff see the whole city and may pick a district; a district admin sees
only their own district(s), and asking for another is ``DistrictNotInScope``
(a 404 to the view), never data.
"""

import datetime
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.db.models import Q
from django.utils import timezone
from django.utils.dates import MONTHS_AP
from django.utils.translation import gettext_lazy as _

from lms.constants import CITY, LEDGER_EARLIEST_YEAR, CreditCategory, Locality, Stage, Subject, TallyDimension
from lms.dashboards.scope import user_is_city_wide
from lms.dashboards.tallies import schools_in_scope, tally_rows_read, totals_and_months
from lms.dashboards.targets import _cohort_counts, target_progress
from lms.ledger.models import CreditTally, Target
from lms.people.selectors import district_list_for_user

ZERO_HOURS = Decimal("0.00")


class DashboardScopeError(Exception):
    """The user may not see a dashboard at all (no district in scope)."""


class DistrictNotInScope(DashboardScopeError):
    """The district asked for does not exist or is outside the user's scope;
    the two are indistinguishable on purpose."""


@dataclass(frozen=True)
class Figure:
    """One bar, point or row of a breakdown: the totals of one tally row.
    ``filters`` are the drill-down listing's query parameters that select
    the ledger entries behind the figure."""

    key: str
    label: str
    person_times: int
    hours: Decimal
    entries: int
    filters: dict


@dataclass(frozen=True)
class Breakdown:
    name: str
    title: str
    figures: list

    @property
    def person_times(self):
        return sum(figure.person_times for figure in self.figures)

    @property
    def hours(self):
        return sum((figure.hours for figure in self.figures), ZERO_HOURS)


@dataclass(frozen=True)
class SchoolWithoutTraining:
    pk: int
    code: str
    name: str
    district: str
    locality: str


@dataclass(frozen=True)
class Dashboard:
    year: int
    years: list
    today: datetime.date
    city_wide: bool
    # Districts the user may pick, in display order; the selected one or
    # None for the whole city.
    districts: list
    district: object
    total: Figure
    breakdowns: dict
    targets: list
    schools_without_training: list = field(default_factory=list)
    school_count: int = 0

    @property
    def scope_label(self):
        return self.district.name if self.district is not None else _("Whole city")

    @property
    def base_filters(self):
        filters = {"year": self.year}
        if self.district is not None:
            filters["district"] = self.district.pk
        return filters


def _choice_label(choices, key):
    try:
        return choices(key).label
    except ValueError:
        # A code no longer offered still has history in the tallies.
        return key


def _month_label(key):
    return MONTHS_AP.get(int(key), key)


def dashboard_get(
    *, user: AbstractBaseUser | AnonymousUser, year: int, district: str | None = None,
    today: datetime.date | None = None,
) -> Dashboard:
    """The dashboard of ``year`` for the whole city (``district`` None, only
    for city-wide staff) or for the district with code ``district``.

    A district admin who names no district gets their (first) district.
    Raises ``DashboardScopeError`` when the user may see no dashboard and
    ``DistrictNotInScope`` for a district outside their scope.
    """
    today = today or timezone.localdate()
    districts, city_wide, selected = _scope(user, district)
    scope_key = CITY if selected is None else selected.pk
    # Query: every year's total and monthly rows of the scope, for the year
    # selector and for targets that span years.
    totals_by_year, months_by_year = totals_and_months(scope_key)
    by_dimension, school_person_times = _year_rows(year, selected=selected, scope_key=scope_key)
    # Query: the schools in scope, with whether each has a science
    # vice-principal and a science/engineering master's teaching primary
    # science, for the coverage targets and the untrained-schools list.
    schools = schools_in_scope(districts if selected is None else [selected])
    figures = _Figures({"year": year} if selected is None else {"year": year, "district": selected.pk})
    district_names = {d.pk: d.name for d in districts}
    breakdowns = _breakdowns(figures, by_dimension, selected=selected, districts=districts, schools=schools)
    # Query: the targets that apply (the city's, and the district's own).
    applicable = Q(district=None) if selected is None else Q(district=None) | Q(district=selected)
    targets = list(Target.objects.filter(applicable))
    cohort_counts = _cohort_counts(targets, district=selected)
    progress = [
        target_progress(target, today=today, selected=selected, totals_by_year=totals_by_year,
                        months_by_year=months_by_year, schools=schools, cohort_counts=cohort_counts)
        for target in targets
    ]
    return Dashboard(
        year=year,
        years=_years(totals_by_year, today),
        today=today,
        city_wide=city_wide,
        districts=districts,
        district=selected,
        total=figures.figure("", _("Total"), by_dimension[TallyDimension.TOTAL].get("")),
        breakdowns=breakdowns,
        targets=progress,
        schools_without_training=_untrained(schools, school_person_times, district_names),
        school_count=len(schools),
    )


def _scope(user, district):
    """The user's districts, whether they are city-wide, and the district
    chosen (None: the whole city)."""
    districts = list(district_list_for_user(user))
    if not districts:
        raise DashboardScopeError
    city_wide = user_is_city_wide(user)
    if district:
        selected = next((d for d in districts if d.code == district), None)
        if selected is None:
            raise DistrictNotInScope
    elif city_wide:
        selected = None
    else:
        selected = districts[0]
    return districts, city_wide, selected


def _years(totals_by_year, today):
    """Years with entries, within the ledger's dates, and this year: a tally
    of year 1 left by an entry from before the dates were checked is not
    offered."""
    return sorted(
        {y for y, row in totals_by_year.items() if row.entries and LEDGER_EARLIEST_YEAR <= y <= today.year}
        | {today.year},
        reverse=True,
    )


def _year_rows(year, *, selected, scope_key):
    """Query: the chosen year's breakdowns by dimension and key; for the
    city, every district's school rows as well (they live under their
    district's key), for the person-times of every school."""
    year_rows = CreditTally.objects.filter(year=year)
    if selected is None:
        year_rows = year_rows.filter(Q(district_key=CITY) | Q(dimension=TallyDimension.SCHOOL))
    else:
        year_rows = year_rows.filter(district_key=scope_key)
    by_dimension = defaultdict(dict)
    # Person-times per school; summed, because a school that moved district
    # has rows under both its old and its new district's key.
    school_person_times = defaultdict(int)
    for row in tally_rows_read(year_rows):
        if row.dimension == TallyDimension.SCHOOL:
            school_person_times[int(row.key)] += row.person_times
            if row.district_key != scope_key:
                continue
        by_dimension[row.dimension][row.key] = row
    return by_dimension, school_person_times


class _Figures:
    """Figures of tally rows, each with the listing filters of its entries."""

    def __init__(self, base_filters):
        self.base_filters = base_filters

    def figure(self, key, label, row, **filters):
        if row is None:
            return Figure(key, str(label), 0, ZERO_HOURS, 0, {**self.base_filters, **filters})
        return Figure(key, str(label), row.person_times, row.hours, row.entries, {**self.base_filters, **filters})

    def choice_breakdown(self, rows, name, title, choices):
        keys = list(choices.values) + sorted(set(rows) - set(choices.values))
        figures = [self.figure(key, _choice_label(choices, key), rows.get(key), **{name: key}) for key in keys]
        return Breakdown(name, title, figures)


def _breakdowns(figures, by_dimension, *, selected, districts, schools):
    breakdowns = {}
    if selected is None:
        rows = by_dimension[TallyDimension.DISTRICT]
        district_names = {d.pk: d.name for d in districts}
        others = sorted(int(key) for key in rows if int(key) not in district_names)
        breakdowns["district"] = Breakdown("district", _("By district"), [
            figures.figure(str(pk), district_names.get(pk, f"#{pk}"), rows.get(str(pk)), district=pk)
            for pk in [d.pk for d in districts] + others
        ])
    else:
        rows = by_dimension[TallyDimension.SCHOOL]
        names = {s["pk"]: s["name"] for s in schools}
        ranked = sorted(rows.values(), key=lambda row: (-row.person_times, -row.hours, int(row.key)))
        breakdowns["school"] = Breakdown("school", _("By school"), [
            figures.figure(row.key, names.get(int(row.key), f"#{row.key}"), row, school=int(row.key))
            for row in ranked
        ])
    for dimension, name, title, choices in (
        (TallyDimension.SUBJECT, "subject", _("By subject"), Subject),
        (TallyDimension.STAGE, "stage", _("By school stage"), Stage),
        (TallyDimension.CATEGORY, "category", _("By kind of training"), CreditCategory),
        (TallyDimension.LOCALITY, "locality", _("Urban and rural"), Locality),
    ):
        breakdowns[name] = figures.choice_breakdown(by_dimension[dimension], name, title, choices)
    month_rows = by_dimension[TallyDimension.MONTH]
    breakdowns["month"] = Breakdown("month", _("By month"), [
        figures.figure(f"{m:02d}", _month_label(m), month_rows.get(f"{m:02d}"), month=m) for m in range(1, 13)
    ])
    return breakdowns


def _untrained(schools, school_person_times, district_names):
    """The schools in scope without a person-time in the year."""
    return [
        SchoolWithoutTraining(
            s["pk"], s["code"], s["name"], district_names.get(s["district_id"], ""),
            str(_choice_label(Locality, s["locality"])),
        )
        for s in schools
        if school_person_times[s["pk"]] <= 0
    ]
