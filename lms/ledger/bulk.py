"""The ledger's bulk writer: many credits in a fixed number of statements,
written exactly as ``credit_record`` (and, for reversals, ``credit_reverse``)
would write them one after another in the order given.

The contract, the same as the one-by-one writers':

- every credit is checked as ``credit_record`` checks it (hours, category,
  person-times, source key, date) and a reversal as ``credit_reverse``
  checks it (a reason; no reversal of a reversal; an entry reversed once);
  a refused credit raises ValidationError and nothing of the batch is
  written;
- evidence already credited (its source key in the ledger, or earlier in the
  batch) is skipped: the first entry stands, nothing is written for it and
  its key is reported in ``BulkCreditResult.skipped``;
- each entry copies its teacher's district, school, urban/rural, subject and
  stage (a reversal: its original's); yearly caps apply in the order given,
  on top of the teacher's totals already in the ledger; an entry that takes
  away may not leave a teacher's year below zero;
- the teachers' yearly totals (TeacherYearTally) and the dashboards' tallies
  (CreditTally) are added to in the same transaction;
- with ``audit`` (the default) every entry gets its audit-log line, as
  ``credit_record`` writes it; the demo seeder, writing a made-up history,
  leaves them out.

It takes no lock on the teachers' rows: run it where single credits do not
race it for the same teachers (a seeder, an import in its own transaction).
The totals stay right either way; only a cap could be overrun.
"""

import datetime
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any, NamedTuple

from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.db import connections, router, transaction
from django.utils import timezone
from wagtail.log_actions import get_active_log_context

from lms.constants import CreditCategory
from lms.db.bulk import rows_insert
from lms.ledger.bulk_totals import LedgerTotals, tallies_add
from lms.ledger.models import TrainingCredit
from lms.ledger.validation import (
    ALREADY_REVERSED,
    CANNOT_REVERSE_REVERSAL,
    NO_SCHOOL,
    REASON_REQUIRED,
    _apply_cap,
    _credit_checked,
)
from lms.ledger.writers import LOG_ADJUSTMENT, LOG_CREDIT, LOG_REVERSAL, _log_line
from lms.people.models import TeacherProfile

# Keys and ids asked for in one IN (…) list at most; more teachers than this
# and their snapshots are read for the whole table in one query.
CHUNK = 500
_ZERO = Decimal("0")
_ADJUSTMENT = CreditCategory.ADJUSTMENT.value


class BulkCredit(NamedTuple):
    """One piece of evidence to credit: ``credit_record``'s arguments, the
    teacher and the user by id. For a reversal give ``reverses_key`` (the
    source key of the entry it reverses), the teacher, ``reason`` and who
    reversed it; the rest comes from the original, as ``credit_reverse``
    takes it. A named tuple: a seeder hands over hundreds of thousands."""

    teacher_id: int
    category: str = ""
    hours: Any = _ZERO
    source_key: str = ""
    person_times: int = 1
    occurred_on: datetime.date | None = None
    evidence: Any = None
    evidence_label: str = ""
    credited_by_id: int | None = None
    credited_via: str = ""
    reason: str = ""
    # When the entry was written; now by default (a seeder's history differs).
    credited_at: datetime.datetime | None = None
    reverses_key: str = ""


@dataclass(frozen=True)
class BulkCreditResult:
    created: int
    # Source keys already credited, left as they were.
    skipped: tuple[str, ...] = ()
    # Source key → entry id of every credit of the batch (reversals under
    # their own "reversal:<id>" keys), when asked for with ``with_ids``.
    ids: dict[str, int] = field(default_factory=dict)


class _Entry(NamedTuple):
    """An entry as it will be inserted, in ENTRY_FIELDS' order."""

    teacher_id: int
    category: str
    year: int
    occurred_on: datetime.date
    hours: Decimal
    requested_hours: Decimal
    capped_hours: Decimal
    person_times: int
    source_key: str
    evidence_type_id: int | None
    evidence_id: str
    evidence_label: str
    reason: str
    credited_by_id: int | None
    credited_via: str
    created_at: datetime.datetime
    district_id: int
    school_id: int
    locality: str
    subject: str
    stage: str


ENTRY_FIELDS = ("teacher", "category", "year", "occurred_on", "hours", "requested_hours", "capped_hours",
                "person_times", "source_key", "evidence_type", "evidence_id", "evidence_label", "reason",
                "credited_by", "credited_via", "created_at", "district", "school", "locality", "subject", "stage")


def credits_record_bulk(
    credits: Iterable[BulkCredit], *, audit: bool = True, with_ids: bool = False
) -> BulkCreditResult:
    """Credit every one of ``credits`` as ``credit_record`` would, in that
    order, in one transaction (see the module's contract)."""
    credits = list(credits)
    with transaction.atomic():
        fresh, skipped = _fresh_credits(credits)
        if not fresh:
            return BulkCreditResult(0, skipped, _ids_of(credits) if with_ids else {})
        originals = _originals({credit.reverses_key for credit in fresh if credit.reverses_key})
        totals = LedgerTotals.load({credit.teacher_id for credit in fresh if not credit.reverses_key}
                                   | {original.teacher_id for original in originals.values()})
        entries, reversals = _entries_planned(fresh, totals, originals)
        rows_insert(TrainingCredit, ENTRY_FIELDS, _adapted(entries))
        reversal_entries = _reversals_insert(reversals, originals)
        tallies_add(entries + [entry for entry, _original_id in reversal_entries], totals)
        ids = {}
        if audit or with_ids:
            ids = _ids_of([*credits, *(BulkCredit(0, source_key=entry.source_key) for entry, _ in reversal_entries)])
        if audit:
            _log_lines_write(entries, reversal_entries, ids)
    return BulkCreditResult(len(entries) + len(reversal_entries), skipped, ids if with_ids else {})


def _fresh_credits(credits):
    """The credits whose evidence is not in the ledger yet, first of their
    key in the batch, and the keys skipped."""
    keys = [credit.source_key for credit in credits if not credit.reverses_key]
    existing = set()
    if keys and TrainingCredit.objects.exists():
        for start in range(0, len(keys), CHUNK):
            existing.update(
                TrainingCredit.objects.filter(source_key__in=keys[start:start + CHUNK]).values_list(
                    "source_key", flat=True)
            )
    fresh, skipped, seen = [], [], set()
    for credit in credits:
        key = credit.source_key
        if not credit.reverses_key and (key in existing or key in seen):
            skipped.append(key)
            continue
        seen.add(key)
        fresh.append(credit)
    return fresh, tuple(skipped)


class _Original(NamedTuple):
    """What a reversal takes from the entry it reverses."""

    pk: int | None
    teacher_id: int
    category: str
    occurred_on: datetime.date
    hours: Decimal
    person_times: int
    evidence_label: str
    snapshot: tuple
    is_reversal: bool


def _originals(keys):
    """The ledger's entries reversed by the batch, by source key, refusing
    any already reversed."""
    if not keys:
        return {}
    keys, originals = sorted(keys), {}
    for start in range(0, len(keys), CHUNK):
        chunk = keys[start:start + CHUNK]
        if TrainingCredit.objects.filter(reverses__source_key__in=chunk).exists():
            raise ValidationError(ALREADY_REVERSED, code="reversal")
        for row in TrainingCredit.objects.filter(source_key__in=chunk).values_list(
            "source_key", "pk", "teacher_id", "category", "occurred_on", "hours", "person_times", "evidence_label",
            "district_id", "school_id", "locality", "subject", "stage", "reverses_id",
        ):
            originals[row[0]] = _Original(*row[1:8], snapshot=tuple(row[8:13]), is_reversal=row[13] is not None)
    return originals


def _entries_planned(credits, totals, originals):
    """The entries to insert, in order, and the reversals (entry without its
    source key and links yet, the original's key), caps and totals applied
    credit by credit."""
    now = timezone.now()
    entries, reversals, reversed_keys = [], [], set()
    wanted = {credit.reverses_key for credit in credits if credit.reverses_key}
    for credit in credits:
        if credit.reverses_key:
            entry = _reversal_planned(credit, originals, reversed_keys, now)
            totals.refuse_below_zero(entry.teacher_id, entry.year, entry.requested_hours, entry.person_times)
            reversals.append((entry, credit.reverses_key))
        else:
            entry = _entry_planned(credit, totals, now)
            entries.append(entry)
            if credit.source_key in wanted:
                originals[credit.source_key] = _Original(
                None, entry.teacher_id, entry.category, entry.occurred_on, entry.hours, entry.person_times,
                entry.evidence_label, _snapshot_of(entry), False,
            )
        totals.add(entry)
    return entries, reversals


def _entry_planned(credit, totals, now):
    hours, occurred_on = _credit_checked(category=credit.category, hours=credit.hours,
                                         person_times=credit.person_times, source_key=credit.source_key,
                                         occurred_on=credit.occurred_on, today=timezone.localdate(now))
    snapshot = totals.snapshots.get(credit.teacher_id)
    if snapshot is None or snapshot[1] is None:
        name = snapshot[0] if snapshot else credit.teacher_id
        raise ValidationError(NO_SCHOOL, params={"teacher": name}, code="school")
    year, category = occurred_on.year, credit.category
    credited, capped = hours, _ZERO
    if hours > 0 and category != _ADJUSTMENT:
        credited, capped = _apply_cap(totals.caps.get(category), hours, totals.used(credit.teacher_id, year, category))
    if hours < 0 or credit.person_times < 0:
        totals.refuse_below_zero(credit.teacher_id, year, hours, credit.person_times)
    evidence = credit.evidence
    return _Entry(
        credit.teacher_id, str(category), year, occurred_on, credited, hours, capped, credit.person_times,
        credit.source_key, ContentType.objects.get_for_model(evidence).pk if evidence is not None else None,
        str(evidence.pk) if evidence is not None else "", credit.evidence_label[:255], credit.reason,
        credit.credited_by_id, credit.credited_via, credit.credited_at or now, *snapshot[1:],
    )


def _reversal_planned(credit, originals, reversed_keys, now):
    if not credit.reason or not credit.reason.strip():
        raise ValidationError(REASON_REQUIRED, code="reversal")
    original = originals.get(credit.reverses_key)
    if original is None:
        raise ValueError(f"No entry {credit.reverses_key!r} to reverse, in the ledger or earlier in the batch.")
    if original.is_reversal:
        raise ValidationError(CANNOT_REVERSE_REVERSAL, code="reversal")
    if credit.reverses_key in reversed_keys:
        raise ValidationError(ALREADY_REVERSED, code="reversal")
    reversed_keys.add(credit.reverses_key)
    return _Entry(
        original.teacher_id, original.category, original.occurred_on.year, original.occurred_on, -original.hours,
        -original.hours, _ZERO, -original.person_times, "", None, "", original.evidence_label,
        credit.reason.strip(), credit.credited_by_id, "reversal", credit.credited_at or now, *original.snapshot,
    )


def _snapshot_of(entry):
    return (entry.district_id, entry.school_id, entry.locality, entry.subject, entry.stage)


def _adapted(entries):
    """The entries as rows for ``rows_insert``: datetimes as the backend
    stores them (SQLite: naive UTC text), the only value it cannot pass as
    it is."""
    adapt = connections[router.db_for_write(TrainingCredit)].ops.adapt_datetimefield_value
    return [(*entry[:15], adapt(entry.created_at), *entry[16:]) for entry in entries]


def _reversals_insert(reversals, originals):
    """Insert the reversals once the entries they reverse have ids, as
    ``credit_reverse`` writes them: key ``reversal:<id>``, the original as
    their evidence. Returns [(entry, original id)]."""
    if not reversals:
        return []
    ids = {key: original.pk for key, original in originals.items() if original.pk is not None}
    pending = sorted({key for _entry, key in reversals if key not in ids})
    for start in range(0, len(pending), CHUNK):
        ids.update(TrainingCredit.objects.filter(source_key__in=pending[start:start + CHUNK]).values_list(
            "source_key", "pk"))
    credit_type_id = ContentType.objects.get_for_model(TrainingCredit).pk
    done = [
        (entry._replace(source_key=f"reversal:{ids[key]}", evidence_type_id=credit_type_id,
                        evidence_id=str(ids[key])), ids[key])
        for entry, key in reversals
    ]
    rows_insert(TrainingCredit, (*ENTRY_FIELDS, "reverses"),
                [(*row, original_id) for row, (_entry, original_id) in zip(_adapted([e for e, _ in done]), done)])
    return done


def _ids_of(credits):
    keys = sorted({credit.source_key for credit in credits if credit.source_key})
    ids = {}
    for start in range(0, len(keys), CHUNK):
        ids.update(TrainingCredit.objects.filter(source_key__in=keys[start:start + CHUNK]).values_list(
            "source_key", "pk"))
    return ids


def _log_lines_write(entries, reversal_entries, ids):
    """The audit-log line of every entry written, as ``credit_record`` and
    ``credit_reverse`` write it."""
    teacher_ids = {entry.teacher_id for entry in entries} | {entry.teacher_id for entry, _ in reversal_entries}
    teachers = TeacherProfile.objects.in_bulk(sorted(teacher_ids))
    context_user_id = getattr(get_active_log_context().user, "pk", None)
    actions = [(entry, LOG_ADJUSTMENT if entry.category == _ADJUSTMENT else LOG_CREDIT) for entry in entries]
    actions += [(entry, LOG_REVERSAL) for entry, _original_id in reversal_entries]
    lines = []
    for entry, action in actions:
        credit = TrainingCredit(
            pk=ids[entry.source_key], category=entry.category, hours=entry.hours, capped_hours=entry.capped_hours,
            person_times=entry.person_times, source_key=entry.source_key, reason=entry.reason,
        )
        line = _log_line(credit, action, label=str(teachers[entry.teacher_id]),
                         user_id=entry.credited_by_id or context_user_id)
        if line is not None:
            lines.append(line)
    if lines:
        type(lines[0]).objects.bulk_create(lines, batch_size=500)
