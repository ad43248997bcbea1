"""Reads for the city and district dashboards.

Every figure comes from ``CreditTally`` rows, which ``lms.ledger.services`` keeps in
step with the ledger in the same transaction as each credit, so a dashboard
costs the same handful of queries whether the ledger holds a thousand
entries or ten million. The ledger itself is only read by the drill-down
listing (``credit_list_for_user``), one page at a time.

Scope is decided by ``lms.people.selectors.district_list_for_user``: city-wide
staff see the whole city and may pick a district; a district admin sees
only their own district(s), and asking for another is ``DistrictNotInScope``
(a 404 to the view), never data.
"""

import datetime
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal
from typing import NamedTuple

from django.db.models import Exists, OuterRef, Q
from django.utils import timezone
from django.utils.dates import MONTHS_AP
from django.utils.translation import gettext_lazy as _
from wagtail import hooks

from lms.constants import (
    CITY,
    DISTRICT_MANAGE_PERMISSION,
    LEDGER_EARLIEST_YEAR,
    CohortKind,
    CreditCategory,
    Locality,
    Stage,
    Subject,
    TallyDimension,
    TargetMetric,
)
from lms.ledger.models import CreditTally, Target, TrainingCredit
from lms.people.models import PRIMARY_SCIENCE_MASTER, School, TeacherProfile
from lms.people.selectors import district_list_for_user

COHORT_NOT_RECORDED = _("Cohort tracking not yet recorded.")
COHORT_CERTIFIED_NOTE = _("%(kind)s certified: %(count)s / %(target)s")
DISTRICT_SHARE_NOTE = _("A city-wide target: this is the district's contribution to it.")
NO_SCHOOLS_NOTE = _("No schools in scope.")
COUNTED_BY_MONTH_NOTE = _("Counted from %(start)s to %(end)s, by whole months.")

ZERO_HOURS = Decimal("0.00")


class DashboardScopeError(Exception):
    """The user may not see a dashboard at all (no district in scope)."""


class DistrictNotInScope(DashboardScopeError):
    """The district asked for does not exist or is outside the user's scope;
    the two are indistinguishable on purpose."""


class TargetStatus:
    ACHIEVED = "achieved"
    ON_TRACK = "on_track"
    BEHIND = "behind"
    # A city-wide count shown on a district dashboard: the district's
    # contribution has no trajectory of its own.
    SHARE = "share"
    NOT_RECORDED = "not_recorded"

    LABELS = {
        ACHIEVED: _("Achieved"),
        ON_TRACK: _("On track"),
        BEHIND: _("Behind"),
        SHARE: _("District's contribution"),
        NOT_RECORDED: _("Not yet recorded"),
    }


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
class TargetProgress:
    target: Target
    value: Decimal
    current: Decimal
    # Where a straight line from the start (at zero) to the deadline (at the
    # target value) stands today.
    expected: Decimal
    status: str
    note: str = ""
    # For count targets: the ledger entries counted, as listing filters.
    filters: dict | None = None

    @property
    def is_percentage(self):
        return self.target.is_percentage

    @property
    def status_label(self):
        return TargetStatus.LABELS[self.status]

    @property
    def fraction(self):
        """Current value as a share of the target, 0–1 for the progress bar."""
        return _clamp_fraction(self.current, self.value)

    @property
    def expected_fraction(self):
        return _clamp_fraction(self.expected, self.value)

    @property
    def percent_of_target(self):
        return Decimal(0) if not self.value else (self.current * 100 / self.value)


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


def _clamp_fraction(part, whole):
    if not whole or whole <= 0:
        return 0.0
    return float(min(max(Decimal(part) / Decimal(whole), Decimal(0)), Decimal(1)))


def user_is_city_wide(user):
    """City-wide staff hold the district-manage permission globally (the same
    test ``lms.people.selectors.teacher_list_for_user`` makes); a district admin
    holds it only on their district."""
    return user.is_authenticated and user.is_active and user.has_perm(DISTRICT_MANAGE_PERMISSION)


def credit_list_for_user(user):
    """Ledger entries whose district is in the user's scope, for the
    drill-down listing and its exports."""
    return TrainingCredit.objects.filter(district__in=district_list_for_user(user)).select_related(
        "teacher", "district", "school"
    )


def target_expected_on(target, today):
    """The value a target should have reached on ``today`` if progress ran
    in a straight line from zero at its start to its value at its deadline."""
    if today <= target.start:
        return Decimal(0)
    if today >= target.deadline:
        return Decimal(target.value)
    elapsed = (today - target.start).days
    duration = (target.deadline - target.start).days
    return Decimal(target.value) * elapsed / duration


def _status(current, expected, value):
    if current >= value:
        return TargetStatus.ACHIEVED
    if current >= expected:
        return TargetStatus.ON_TRACK
    return TargetStatus.BEHIND


def _choice_label(choices, key):
    try:
        return choices(key).label
    except ValueError:
        # A code no longer offered still has history in the tallies.
        return key


def _month_label(key):
    return MONTHS_AP.get(int(key), key)


def dashboard_get(*, user, year: int, district: str | None = None, today: datetime.date | None = None) -> Dashboard:
    """The dashboard of ``year`` for the whole city (``district`` None, only
    for city-wide staff) or for the district with code ``district``.

    A district admin who names no district gets their (first) district.
    Raises ``DashboardScopeError`` when the user may see no dashboard and
    ``DistrictNotInScope`` for a district outside their scope.
    """
    today = today or timezone.localdate()
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
    scope_key = CITY if selected is None else selected.pk
    district_names = {d.pk: d.name for d in districts}

    # Query: every year's total and monthly rows of the scope, for the year
    # selector and for targets that span years.
    totals_by_year, months_by_year = _totals_and_months(scope_key)
    # Years with entries, within the ledger's dates: a tally of year 1 left
    # by an entry from before the dates were checked is not offered.
    years = sorted(
        {y for y, row in totals_by_year.items() if row.entries and LEDGER_EARLIEST_YEAR <= y <= today.year}
        | {today.year},
        reverse=True,
    )

    # Query: the chosen year's breakdowns; for the city, every district's
    # school rows as well (they live under their district's key).
    year_rows = CreditTally.objects.filter(year=year)
    if selected is None:
        year_rows = year_rows.filter(Q(district_key=CITY) | Q(dimension=TallyDimension.SCHOOL))
    else:
        year_rows = year_rows.filter(district_key=scope_key)
    by_dimension = defaultdict(dict)
    # Person-times per school; summed, because a school that moved district
    # has rows under both its old and its new district's key.
    school_person_times = defaultdict(int)
    for row in _tally_rows(year_rows):
        if row.dimension == TallyDimension.SCHOOL:
            school_person_times[int(row.key)] += row.person_times
            if row.district_key != scope_key:
                continue
        by_dimension[row.dimension][row.key] = row

    # Query: the schools in scope, with whether each has a science
    # vice-principal and a science/engineering master's teaching primary
    # science, for the coverage targets and the untrained-schools list.
    schools = _schools_in_scope(districts if selected is None else [selected])

    base_filters = {"year": year}
    if selected is not None:
        base_filters["district"] = selected.pk

    def figure(key, label, row, **filters):
        if row is None:
            return Figure(key, str(label), 0, ZERO_HOURS, 0, {**base_filters, **filters})
        return Figure(key, str(label), row.person_times, row.hours, row.entries, {**base_filters, **filters})

    def choice_breakdown(dimension, name, title, choices):
        rows = by_dimension[dimension]
        keys = list(choices.values) + sorted(set(rows) - set(choices.values))
        figures = [figure(key, _choice_label(choices, key), rows.get(key), **{name: key}) for key in keys]
        return Breakdown(name, title, figures)

    breakdowns = {}
    if selected is None:
        rows = by_dimension[TallyDimension.DISTRICT]
        known = [d.pk for d in districts]
        others = sorted(int(key) for key in rows if int(key) not in district_names)
        breakdowns["district"] = Breakdown(
            "district",
            _("By district"),
            [figure(str(pk), district_names.get(pk, f"#{pk}"), rows.get(str(pk)), district=pk) for pk in known + others],
        )
    else:
        rows = by_dimension[TallyDimension.SCHOOL]
        names = {s["pk"]: s["name"] for s in schools}
        ranked = sorted(rows.values(), key=lambda row: (-row.person_times, -row.hours, int(row.key)))
        breakdowns["school"] = Breakdown(
            "school",
            _("By school"),
            [figure(row.key, names.get(int(row.key), f"#{row.key}"), row, school=int(row.key)) for row in ranked],
        )
    breakdowns["subject"] = choice_breakdown(TallyDimension.SUBJECT, "subject", _("By subject"), Subject)
    breakdowns["stage"] = choice_breakdown(TallyDimension.STAGE, "stage", _("By school stage"), Stage)
    breakdowns["category"] = choice_breakdown(TallyDimension.CATEGORY, "category", _("By kind of training"), CreditCategory)
    breakdowns["locality"] = choice_breakdown(TallyDimension.LOCALITY, "locality", _("Urban and rural"), Locality)
    month_rows = by_dimension[TallyDimension.MONTH]
    breakdowns["month"] = Breakdown(
        "month",
        _("By month"),
        [figure(f"{m:02d}", _month_label(m), month_rows.get(f"{m:02d}"), month=m) for m in range(1, 13)],
    )
    total = figure("", _("Total"), by_dimension[TallyDimension.TOTAL].get(""))

    untrained = [
        SchoolWithoutTraining(
            s["pk"], s["code"], s["name"], district_names.get(s["district_id"], ""),
            str(_choice_label(Locality, s["locality"])),
        )
        for s in schools
        if school_person_times[s["pk"]] <= 0
    ]

    # Query: the targets that apply (the city's, and the district's own).
    applicable = Q(district=None) if selected is None else Q(district=None) | Q(district=selected)
    targets = list(Target.objects.filter(applicable))
    cohort_counts = _cohort_counts(targets, district=selected)
    progress = [
        _target_progress(
            target,
            today=today,
            selected=selected,
            totals_by_year=totals_by_year,
            months_by_year=months_by_year,
            schools=schools,
            cohort_counts=cohort_counts,
        )
        for target in targets
    ]

    return Dashboard(
        year=year,
        years=years,
        today=today,
        city_wide=city_wide,
        districts=districts,
        district=selected,
        total=total,
        breakdowns=breakdowns,
        targets=progress,
        schools_without_training=untrained,
        school_count=len(schools),
    )


def city_target_progress_list(*, today: datetime.date | None = None) -> list[TargetProgress]:
    """The city-wide targets counted from the ledger (person-times, hours)
    and the cohort targets, for the public home page: two queries, with no
    user and no scope, since these figures are published."""
    today = today or timezone.localdate()
    targets = list(
        Target.objects.filter(
            district=None,
            metric__in=[TargetMetric.PERSON_TIMES, TargetMetric.HOURS, TargetMetric.COHORT_MEMBERS],
        )
    )
    if not targets:
        return []
    totals_by_year, months_by_year = _totals_and_months(CITY)
    cohort_counts = _cohort_counts(targets, district=None)
    return [
        _target_progress(
            target, today=today, selected=None, totals_by_year=totals_by_year, months_by_year=months_by_year,
            schools=[], cohort_counts=cohort_counts,
        )
        for target in targets
    ]


# The cohorts (the upper layer) answer "certified members by cohort kind"
# through this Wagtail hook, so the dashboards need not import them:
# ``fn(district=None | District) -> {kind: count}``.
CERTIFIED_COUNTS_HOOK = "register_cohort_certified_counts"


def _cohort_counts(targets, *, district):
    """Certified cohort members by kind, in one query, only when a cohort
    target is shown; none when nothing answers the hook."""
    if not any(target.metric == TargetMetric.COHORT_MEMBERS for target in targets):
        return {}
    for certified_counts in hooks.get_hooks(CERTIFIED_COUNTS_HOOK):
        return certified_counts(district=district)
    return {}


def _totals_and_months(district_key):
    """One query: a scope's yearly totals and monthly rows of every year,
    keyed by year (and month), for the year selector and for targets that
    span years."""
    totals_by_year, months_by_year = {}, defaultdict(dict)
    for row in _tally_rows(
        CreditTally.objects.filter(
            district_key=district_key, dimension__in=[TallyDimension.TOTAL, TallyDimension.MONTH]
        )
    ):
        if row.dimension == TallyDimension.TOTAL:
            totals_by_year[row.year] = row
        else:
            months_by_year[row.year][int(row.key)] = row
    return totals_by_year, months_by_year


class TallyRow(NamedTuple):
    year: int
    district_key: int
    dimension: str
    key: str
    hours: Decimal
    person_times: int
    entries: int


def _tally_rows(queryset):
    # Plain tuples: a city dashboard reads a few hundred rows, and model
    # instances would cost more than the query.
    return (TallyRow(*values) for values in queryset.order_by().values_list(*TallyRow._fields))


def _schools_in_scope(districts):
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


def _months_between(start, end):
    """(year, first month, last month) for each year from ``start`` to ``end``."""
    for year in range(start.year, end.year + 1):
        yield year, (start.month if year == start.year else 1), (end.month if year == end.year else 12)


def _tally_between(totals_by_year, months_by_year, start, end, attribute):
    """The sum of a tally column over the whole months from ``start`` to
    ``end``: full years from the yearly total, the ends from monthly rows."""
    amount = Decimal(0)
    for year, first, last in _months_between(start, end):
        if (first, last) == (1, 12):
            row = totals_by_year.get(year)
            amount += Decimal(getattr(row, attribute)) if row else 0
        else:
            amount += sum(
                (Decimal(getattr(row, attribute)) for m, row in months_by_year.get(year, {}).items() if first <= m <= last),
                Decimal(0),
            )
    return amount


def _target_progress(target, *, today, selected, totals_by_year, months_by_year, schools, cohort_counts=None):
    value = Decimal(target.value)
    expected = target_expected_on(target, today)
    metric = target.metric
    if metric in (TargetMetric.PERSON_TIMES, TargetMetric.HOURS):
        attribute = "person_times" if metric == TargetMetric.PERSON_TIMES else "hours"
        end = min(target.deadline, today)
        current = _tally_between(totals_by_year, months_by_year, target.start, end, attribute)
        # Tallies are kept by month, so a target is counted over whole
        # months; the drill-down lists exactly the entries counted.
        first_day, last_day = target.start.replace(day=1), _month_end(end)
        filters = {"occurred_on_from": first_day.isoformat(), "occurred_on_to": last_day.isoformat()}
        if selected is not None:
            filters["district"] = selected.pk
        # Nothing is ever credited after today, so counting to the end of
        # this month is the same as counting to today.
        whole_months = target.start == first_day and (end == today or end == last_day)
        note = "" if whole_months else COUNTED_BY_MONTH_NOTE % {"start": first_day, "end": last_day}
        if selected is not None and target.district_id is None:
            return TargetProgress(target, value, current, expected, TargetStatus.SHARE, str(DISTRICT_SHARE_NOTE), filters)
        return TargetProgress(target, value, current, expected, _status(current, expected, value), str(note), filters)
    if metric == TargetMetric.COHORT_MEMBERS:
        if not target.cohort_kind:
            return TargetProgress(target, value, Decimal(0), expected, TargetStatus.NOT_RECORDED, str(COHORT_NOT_RECORDED))
        # Certified members of every cohort of the target's kind, e.g.
        # "Subject leaders certified: 37 / 100" (lms.cohorts.services).
        current = Decimal((cohort_counts or {}).get(target.cohort_kind, 0))
        note = COHORT_CERTIFIED_NOTE % {
            "kind": CohortKind(target.cohort_kind).label, "count": int(current), "target": _number(value),
        }
        if selected is not None and target.district_id is None:
            return TargetProgress(target, value, current, expected, TargetStatus.SHARE, str(note))
        return TargetProgress(target, value, current, expected, _status(current, expected, value), str(note))
    if metric in (TargetMetric.SCHOOLS_WITH_SCIENCE_VICE_PRINCIPAL, TargetMetric.PRIMARY_SCHOOLS_WITH_SCIENCE_MASTER):
        if metric == TargetMetric.SCHOOLS_WITH_SCIENCE_VICE_PRINCIPAL:
            eligible = schools
            covered = sum(1 for s in eligible if s["has_vp"])
        else:
            eligible = [s for s in schools if s["has_primary"]]
            covered = sum(1 for s in eligible if s["has_master"])
        if not eligible:
            return TargetProgress(target, value, Decimal(0), expected, TargetStatus.NOT_RECORDED, str(NO_SCHOOLS_NOTE))
        if target.is_percentage:
            current = Decimal(covered) * 100 / len(eligible)
        else:
            current = Decimal(covered)
        note = _("%(covered)s of %(eligible)s schools.") % {"covered": covered, "eligible": len(eligible)}
        return TargetProgress(target, value, current, expected, _status(current, expected, value), str(note))
    return TargetProgress(target, value, Decimal(0), expected, TargetStatus.NOT_RECORDED, "")


def _month_end(day):
    following = (day.replace(day=28) + datetime.timedelta(days=4)).replace(day=1)
    return following - datetime.timedelta(days=1)


def _number(value):
    return format(Decimal(value).normalize(), "f")
