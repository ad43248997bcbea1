"""What the bulk writer keeps count of while it plans a batch (the teachers'
snapshots, the caps, their totals so far) and how it adds a batch to the
teachers' yearly totals and the dashboards' tallies."""

import datetime
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import connections, router

from lms.db.bulk import rows_insert
from lms.ledger.models import CreditCap, CreditTally, TeacherYearTally
from lms.ledger.tallies import tally_rows
from lms.ledger.validation import BELOW_ZERO_HOURS, BELOW_ZERO_PERSON_TIMES, _decimal
from lms.people.models import TeacherProfile

CHUNK = 500
_ZERO = Decimal("0")


class LedgerTotals:
    """The batch's teachers as the ledger has them: ``snapshots`` (teacher id →
    (real name, district id, school id, locality, subject, stage)), ``caps``
    (category → yearly hours), and their totals so far, kept up to date
    entry by entry as the batch is planned."""

    def __init__(self, snapshots, caps, by_category, by_year):
        self.snapshots = snapshots
        self.caps = caps
        self._by_category = by_category  # (teacher, year, category) → hours
        self._by_year = by_year  # (teacher, year) → [hours, person_times]

    @classmethod
    def load(cls, teacher_ids: set[int]) -> "LedgerTotals":
        ids = sorted(teacher_ids)
        snapshots = TeacherProfile.objects.values_list(
            "pk", "real_name", "school__district_id", "school_id", "school__locality", "subject", "stage"
        )
        if len(ids) <= CHUNK:
            snapshots = snapshots.filter(pk__in=ids)
        caps = {str(category): _decimal(hours) for category, hours in
                CreditCap.objects.values_list("category", "yearly_hours")}
        by_category, by_year = {}, {}
        for teacher_id, year, category, hours, person_times in _teacher_tallies(ids):
            hours = _decimal(hours)
            by_category[(teacher_id, year, category)] = hours
            totals = by_year.setdefault((teacher_id, year), [_ZERO, 0])
            totals[0] += hours
            totals[1] += person_times
        return cls({pk: tuple(rest) for pk, *rest in snapshots}, caps, by_category, by_year)

    def used(self, teacher_id, year, category):
        return self._by_category.get((teacher_id, year, category), _ZERO)

    def add(self, entry):
        key = (entry.teacher_id, entry.year, entry.category)
        self._by_category[key] = self._by_category.get(key, _ZERO) + entry.hours
        totals = self._by_year.get((entry.teacher_id, entry.year))
        if totals is None:
            self._by_year[(entry.teacher_id, entry.year)] = [entry.hours, entry.person_times]
        else:
            totals[0] += entry.hours
            totals[1] += entry.person_times

    def refuse_below_zero(self, teacher_id, year, hours, person_times):
        """Raise ValidationError, as ``credit_record`` does, if taking away
        ``hours`` and ``person_times`` leaves the teacher's year below zero."""
        so_far_hours, so_far_person_times = self._by_year.get((teacher_id, year), (_ZERO, 0))
        params = {"teacher": self.snapshots[teacher_id][0], "year": year}
        if so_far_hours + hours < 0:
            raise ValidationError(BELOW_ZERO_HOURS, params={**params, "hours": so_far_hours + hours}, code="hours")
        if so_far_person_times + person_times < 0:
            raise ValidationError(BELOW_ZERO_PERSON_TIMES,
                                  params={**params, "person_times": so_far_person_times + person_times},
                                  code="person_times")


def _teacher_tallies(ids):
    """The teachers' TeacherYearTally rows, locked: none to read in an empty
    ledger (a seeder's), so no query then."""
    if not TeacherYearTally.objects.exists():
        return []
    query = TeacherYearTally.objects.select_for_update().values_list(
        "teacher_id", "year", "category", "hours", "person_times")
    if len(ids) > CHUNK:
        return list(query)
    return list(query.filter(teacher_id__in=ids))


def tallies_add(entries, totals=None):
    """Add ``entries`` to the teachers' yearly totals and the dashboards'
    tallies: the rows ``credit_record`` adds each entry to, summed first
    (far fewer groups than entries), one statement a table."""
    groups, teacher_totals = {}, {}
    for entry in entries:
        day = entry.occurred_on
        group = (day.year, day.month, entry.district_id, entry.school_id, entry.locality, entry.subject,
                 entry.stage, entry.category)
        _sum_into(groups, group, (entry.hours, entry.person_times, 1))
        _sum_into(teacher_totals, (entry.teacher_id, day.year, entry.category), (entry.hours, entry.person_times))
    tallies = {}
    for (year, month, district_id, school_id, locality, subject, stage, category), sums in groups.items():
        entry = _TallyEntry(year, datetime.date(year, month, 1), district_id, school_id, locality, subject, stage,
                            category)
        for district_key, dimension, key in tally_rows(entry):
            _sum_into(tallies, (year, district_key, str(dimension), key), sums)
    _rows_add(CreditTally, ("year", "district_key", "dimension", "key"), ("hours", "person_times", "entries"),
              [(*key, *sums) for key, sums in tallies.items()])
    _rows_add(TeacherYearTally, ("teacher", "year", "category"), ("hours", "person_times"),
              [(*key, *sums) for key, sums in teacher_totals.items()])


def _sum_into(sums, key, values):
    totals = sums.get(key)
    if totals is None:
        sums[key] = list(values)
    else:
        for index, value in enumerate(values):
            totals[index] += value


class _TallyEntry:
    """What ``tally_rows`` reads of an entry."""

    __slots__ = ("year", "occurred_on", "district_id", "school_id", "locality", "subject", "stage", "category")

    def __init__(self, *values):
        for name, value in zip(self.__slots__, values):
            setattr(self, name, value)


def _rows_add(model, key_fields, sum_fields, rows):
    """Add ``rows`` (keys, then sums) to ``model``'s rows of the same keys:
    plain inserts into an empty table (a seeder's, a COPY on PostgreSQL),
    else one upsert statement run for every row."""
    if not rows:
        return
    if not model.objects.exists():
        rows_insert(model, (*key_fields, *sum_fields), rows)
        return
    connection = connections[router.db_for_write(model)]
    quote = connection.ops.quote_name
    table = quote(model._meta.db_table)
    keys = ", ".join(quote(model._meta.get_field(name).column) for name in key_fields)
    sums = [quote(model._meta.get_field(name).column) for name in sum_fields]
    placeholders = ", ".join(["%s"] * (len(key_fields) + len(sum_fields)))
    updates = ", ".join(f"{column} = {table}.{column} + excluded.{column}" for column in sums)
    with connection.cursor() as cursor:
        cursor.executemany(
            f"INSERT INTO {table} ({keys}, {', '.join(sums)}) VALUES ({placeholders}) "
            f"ON CONFLICT ({keys}) DO UPDATE SET {updates}",
            rows,
        )
