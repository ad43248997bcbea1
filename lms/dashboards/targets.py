"""The plan's targets on a dashboard: how far each has come (counted from
the tallies, the cohorts or the schools), where a straight line from its
start says it should be, and whether it is on track."""

import datetime
from dataclasses import dataclass
from decimal import Decimal

from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from wagtail import hooks

from lms.constants import CITY, CohortKind, TargetMetric
from lms.dashboards.tallies import totals_and_months
from lms.ledger.models import Target
from lms.people.models import District

COHORT_NOT_RECORDED = _("Cohort tracking not yet recorded.")
COHORT_CERTIFIED_NOTE = _("%(kind)s certified: %(count)s / %(target)s")
DISTRICT_SHARE_NOTE = _("A city-wide target: this is the district's contribution to it.")
NO_SCHOOLS_NOTE = _("No schools in scope.")
COUNTED_BY_MONTH_NOTE = _("Counted from %(start)s to %(end)s, by whole months.")


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


def _clamp_fraction(part, whole):
    if not whole or whole <= 0:
        return 0.0
    return float(min(max(Decimal(part) / Decimal(whole), Decimal(0)), Decimal(1)))


def target_expected_on(target: Target, today: datetime.date) -> Decimal:
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
    totals_by_year, months_by_year = totals_and_months(CITY)
    cohort_counts = _cohort_counts(targets, district=None)
    return [
        target_progress(
            target, today=today, selected=None, totals_by_year=totals_by_year, months_by_year=months_by_year,
            schools=[], cohort_counts=cohort_counts,
        )
        for target in targets
    ]


# The cohorts (the upper layer) answer "certified members by cohort kind"
# through this Wagtail hook, so the dashboards need not import them:
# ``fn(district=None | District) -> {kind: count}``.
CERTIFIED_COUNTS_HOOK = "register_cohort_certified_counts"


def _cohort_counts(targets: list[Target], *, district: District | None) -> dict:
    """Certified cohort members by kind, in one query, only when a cohort
    target is shown; none when nothing answers the hook."""
    if not any(target.metric == TargetMetric.COHORT_MEMBERS for target in targets):
        return {}
    for certified_counts in hooks.get_hooks(CERTIFIED_COUNTS_HOOK):
        return certified_counts(district=district)
    return {}


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


def _month_end(day):
    following = (day.replace(day=28) + datetime.timedelta(days=4)).replace(day=1)
    return following - datetime.timedelta(days=1)


def _number(value):
    return format(Decimal(value).normalize(), "f")


def target_progress(
    target: Target, *, today: datetime.date, selected: District | None, totals_by_year: dict, months_by_year: dict,
    schools: list[dict], cohort_counts: dict | None = None,
) -> TargetProgress:
    """How far ``target`` has come on ``today``, for the city (``selected``
    None) or the district ``selected``."""
    value = Decimal(target.value)
    expected = target_expected_on(target, today)
    metric = target.metric
    if metric in (TargetMetric.PERSON_TIMES, TargetMetric.HOURS):
        return _count_progress(target, value, expected, today=today, selected=selected,
                               totals_by_year=totals_by_year, months_by_year=months_by_year)
    if metric == TargetMetric.COHORT_MEMBERS:
        return _cohort_progress(target, value, expected, selected=selected, cohort_counts=cohort_counts)
    if metric in (TargetMetric.SCHOOLS_WITH_SCIENCE_VICE_PRINCIPAL, TargetMetric.PRIMARY_SCHOOLS_WITH_SCIENCE_MASTER):
        return _coverage_progress(target, value, expected, schools=schools)
    return TargetProgress(target, value, Decimal(0), expected, TargetStatus.NOT_RECORDED, "")


def _count_progress(target, value, expected, *, today, selected, totals_by_year, months_by_year):
    """Person-times or hours credited from the target's start to today."""
    attribute = "person_times" if target.metric == TargetMetric.PERSON_TIMES else "hours"
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


def _cohort_progress(target, value, expected, *, selected, cohort_counts):
    """Certified members of every cohort of the target's kind, e.g.
    "Subject leaders certified: 37 / 100" (lms.cohorts.selectors, through CERTIFIED_COUNTS_HOOK)."""
    if not target.cohort_kind:
        return TargetProgress(target, value, Decimal(0), expected, TargetStatus.NOT_RECORDED, str(COHORT_NOT_RECORDED))
    current = Decimal((cohort_counts or {}).get(target.cohort_kind, 0))
    note = COHORT_CERTIFIED_NOTE % {
        "kind": CohortKind(target.cohort_kind).label, "count": int(current), "target": _number(value),
    }
    if selected is not None and target.district_id is None:
        return TargetProgress(target, value, current, expected, TargetStatus.SHARE, str(note))
    return TargetProgress(target, value, current, expected, _status(current, expected, value), str(note))


def _coverage_progress(target, value, expected, *, schools):
    """Schools with a science vice-principal, or primary schools with a
    science/engineering master's teaching science, among those in scope."""
    if target.metric == TargetMetric.SCHOOLS_WITH_SCIENCE_VICE_PRINCIPAL:
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
