"""The training-hours ledger (学时台账): the only code that writes it.

Every app credits hours and person-times through ``credit_record``; HR's
corrections go through ``credit_reverse`` and ``credit_adjust``. One credit is
one transaction: the entry, the teacher's yearly totals and the dashboard
tallies are written together, so a figure on a dashboard is never ahead of or
behind the ledger.

Idempotency comes from the database: ``TrainingCredit.source_key`` is unique,
so the same evidence credited twice, by a double click, two workers or a
retried task, yields the first entry and writes nothing.
"""

import datetime
import uuid
from dataclasses import dataclass
from decimal import Decimal

from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
from django.utils import timezone
from wagtail.log_actions import get_active_log_context
from wagtail.log_actions import registry as log_registry

from lms.constants import CreditCategory
from lms.db.rows import insert_statement
from lms.ledger.models import CreditCap, TeacherYearTally, TrainingCredit
from lms.ledger.tallies import _tally_upsert
from lms.ledger.validation import (
    ADJUSTMENT_ZERO,
    ALREADY_REVERSED,
    BELOW_ZERO_HOURS,
    BELOW_ZERO_PERSON_TIMES,
    CANNOT_REVERSE_REVERSAL,
    NO_SCHOOL,
    REASON_REQUIRED,
    _apply_cap,
    _as_hours,
    _credit_checked,
    _decimal,
)
from lms.people.models import TeacherProfile

LOG_CREDIT = "lms.credit"
LOG_REVERSAL = "lms.credit_reverse"
LOG_ADJUSTMENT = "lms.credit_adjust"


@dataclass(frozen=True)
class CreditResult:
    credit: TrainingCredit
    created: bool



def credit_record(
    *,
    teacher,
    category: str,
    hours,
    source_key: str,
    person_times: int = 1,
    occurred_on: datetime.date | None = None,
    evidence=None,
    evidence_label: str = "",
    credited_by=None,
    credited_via: str = "",
    reason: str = "",
    evidence_file=None,
) -> CreditResult:
    """Credit ``hours`` and ``person_times`` to ``teacher`` for the evidence
    named by ``source_key``; a no-op returning the existing entry if that
    evidence was credited before. Raises ValidationError on bad input, or
    when a negative entry would take the teacher's totals of the year below
    zero, having written nothing."""
    hours, occurred_on = _credit_checked(category=category, hours=hours, person_times=person_times,
                                         source_key=source_key, occurred_on=occurred_on)
    return _write(
        teacher=teacher,
        category=category,
        hours=hours,
        person_times=person_times,
        source_key=source_key,
        occurred_on=occurred_on,
        evidence=evidence,
        evidence_label=evidence_label,
        credited_by=credited_by,
        credited_via=credited_via,
        reason=reason,
        evidence_file=evidence_file,
        action=LOG_ADJUSTMENT if category == CreditCategory.ADJUSTMENT else LOG_CREDIT,
    )


def credit_reverse(*, credit: TrainingCredit, reason: str, reversed_by) -> CreditResult:
    """Cancel an entry with an opposite one. It counts for the original's
    year, district and school, so every total returns to what it was."""
    if not reason or not reason.strip():
        raise ValidationError(REASON_REQUIRED, code="reason")
    if credit.reverses_id is not None:
        raise ValidationError(CANNOT_REVERSE_REVERSAL, code="reversal")
    if TrainingCredit.objects.filter(reverses=credit).exists():
        raise ValidationError(ALREADY_REVERSED, code="reversal")
    result = _write(
        teacher=credit.teacher,
        category=credit.category,
        hours=-credit.hours,
        person_times=-credit.person_times,
        source_key=f"reversal:{credit.pk}",
        occurred_on=credit.occurred_on,
        evidence=credit,
        evidence_label=credit.evidence_label,
        credited_by=reversed_by,
        credited_via="reversal",
        reason=reason.strip(),
        evidence_file=None,
        action=LOG_REVERSAL,
        reverses=credit,
    )
    if not result.created and result.credit.reverses_id != credit.pk:
        raise ValidationError(ALREADY_REVERSED, code="reversal")
    return result


def credit_adjust(
    *,
    teacher,
    hours,
    person_times: int,
    occurred_on: datetime.date,
    reason: str,
    adjusted_by,
    evidence_file=None,
    request_token: str | None = None,
) -> CreditResult:
    """HR's manual adjustment: hours (may be negative) and person-times
    (-1, 0 or 1) with a reason. ``request_token`` comes from the form, so a
    double-submitted form adjusts once."""
    if not reason or not reason.strip():
        raise ValidationError(REASON_REQUIRED, code="reason")
    hours = _as_hours(hours)
    if hours == 0 and person_times == 0:
        raise ValidationError(ADJUSTMENT_ZERO, code="hours")
    return credit_record(
        teacher=teacher,
        category=CreditCategory.ADJUSTMENT,
        hours=hours,
        person_times=person_times,
        source_key=f"adjustment:{request_token or uuid.uuid4().hex}",
        occurred_on=occurred_on,
        credited_by=adjusted_by,
        credited_via="adjustment",
        reason=reason.strip(),
        evidence_file=evidence_file,
    )


def _write(*, teacher, category, hours, person_times, source_key, occurred_on, evidence, evidence_label,
           credited_by, credited_via, reason, evidence_file, action, reverses=None):
    if reverses is not None:
        snapshot = {
            "district_id": reverses.district_id,
            "school_id": reverses.school_id,
            "locality": reverses.locality,
            "subject": reverses.subject,
            "stage": reverses.stage,
        }
    else:
        school = teacher.school
        if school is None:
            raise ValidationError(NO_SCHOOL, params={"teacher": teacher.real_name}, code="school")
        snapshot = {
            "district_id": school.district_id,
            "school_id": school.pk,
            "locality": school.locality,
            "subject": teacher.subject,
            "stage": teacher.stage,
        }

    credit = TrainingCredit(
        teacher=teacher,
        category=category,
        year=occurred_on.year,
        occurred_on=occurred_on,
        requested_hours=hours,
        person_times=person_times,
        source_key=source_key,
        evidence_type=ContentType.objects.get_for_model(evidence) if evidence is not None else None,
        evidence_id=str(evidence.pk) if evidence is not None else "",
        evidence_label=evidence_label[:255],
        evidence_file=evidence_file,
        reason=reason,
        reverses=reverses,
        credited_by=credited_by,
        credited_via=credited_via,
        **snapshot,
    )
    try:
        # A savepoint when the caller holds a transaction (a course
        # completion, say): a write that fails leaves nothing behind and the
        # caller's own work stands. The same evidence credited meanwhile is
        # caught by the entry's ON CONFLICT; a unique index other than
        # source_key (a reversal's) still raises, and the entry that won is
        # returned.
        with transaction.atomic():
            return _write_locked(credit, action=action)
    except IntegrityError:
        existing = TrainingCredit.objects.filter(source_key=source_key).first()
        if existing is None:
            raise
        return CreditResult(existing, False)


def _teacher_tally_lock(credit):
    """Create or lock the teacher's row for the year and category, in one
    statement, and return its id, the hours so far and the category's
    yearly cap (None when it has none).

    The row is the lock that serialises one teacher's credits, so a cap
    can't be overrun by two concurrent credits and a second credit of the
    same evidence waits, then finds the first. An upsert that touches the
    row takes the same row lock as SELECT … FOR UPDATE (and SQLite's
    immediate transactions lock the whole database)."""
    quote = connection.ops.quote_name
    table = quote(TeacherYearTally._meta.db_table)
    caps = quote(CreditCap._meta.db_table)
    sql = (
        f"INSERT INTO {table} (teacher_id, year, category, hours, person_times) VALUES (%s, %s, %s, 0, 0) "
        f"ON CONFLICT (teacher_id, year, category) DO UPDATE SET hours = {table}.hours "
        f"RETURNING id, hours, (SELECT yearly_hours FROM {caps} WHERE category = %s)"
    )
    category = str(credit.category)
    with connection.cursor() as cursor:
        cursor.execute(sql, [credit.teacher_id, credit.year, category, category])
        tally_id, hours, cap = cursor.fetchone()
    return tally_id, _decimal(hours), None if cap is None else _decimal(cap)


def _write_locked(credit, *, action):
    """Lock the teacher's tally, then write the entry, the teacher's and the
    dashboards' totals and the audit-log line: four statements on
    PostgreSQL, whatever the number of tallies. An entry for the same
    evidence already written (found once the lock is held, or written
    meanwhile under another category's lock) is returned instead."""
    takes_away = credit.requested_hours < 0 or credit.person_times < 0
    if takes_away:
        # Entries that take away (adjustments, reversals) queue on the
        # teacher's row before their category's, so two of them, whatever
        # their categories, never both see the totals before the other.
        # Credits that add take only their category's row, as before.
        TeacherProfile.objects.select_for_update().filter(pk=credit.teacher_id).values_list("pk").first()
    tally_id, hours_so_far, cap = _teacher_tally_lock(credit)
    if takes_away:
        _refuse_below_zero(credit)
    hours = credit.requested_hours
    credit.hours, credit.capped_hours = hours, Decimal("0")
    if hours > 0 and credit.category != CreditCategory.ADJUSTMENT:
        credit.hours, credit.capped_hours = _apply_cap(cap, hours, hours_so_far)

    if not _insert_unless_credited(credit):
        return CreditResult(TrainingCredit.objects.get(source_key=credit.source_key), False)

    table = connection.ops.quote_name(TeacherYearTally._meta.db_table)
    statements = [
        (
            f"UPDATE {table} SET hours = hours + %s, person_times = person_times + %s WHERE id = %s",
            [credit.hours, credit.person_times, tally_id],
        ),
        _tally_upsert(credit),
    ]
    entry = _log_entry(credit, action)
    if entry is not None:
        statements.insert(1, insert_statement(entry, connection))
    _run_together(statements)
    return CreditResult(credit, True)


def _refuse_below_zero(credit):
    """Raise ValidationError if ``credit`` would leave the teacher's totals
    of its year, all categories together, below zero. Called with the
    teacher's rows of the year locked."""
    table = connection.ops.quote_name(TeacherYearTally._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT COALESCE(SUM(hours), 0), COALESCE(SUM(person_times), 0) FROM {table} "
            f"WHERE teacher_id = %s AND year = %s",
            [credit.teacher_id, credit.year],
        )
        hours, person_times = cursor.fetchone()
    hours_after = _decimal(hours) + credit.requested_hours
    person_times_after = person_times + credit.person_times
    params = {"teacher": credit.teacher.real_name, "year": credit.year}
    if (hours_after < 0 or person_times_after < 0) and TrainingCredit.objects.filter(
        source_key=credit.source_key
    ).exists():
        # The same form sent again: the entry is found and returned, not refused.
        return
    if hours_after < 0:
        raise ValidationError(BELOW_ZERO_HOURS, params={**params, "hours": hours_after}, code="hours")
    if person_times_after < 0:
        raise ValidationError(
            BELOW_ZERO_PERSON_TIMES, params={**params, "person_times": person_times_after}, code="person_times"
        )


def _insert_unless_credited(credit):
    """INSERT the entry unless its evidence has been credited: True and the
    entry's id set, or False."""
    sql, params = insert_statement(credit, connection, suffix=" ON CONFLICT (source_key) DO NOTHING RETURNING id")
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        row = cursor.fetchone()
    if row is None:
        return False
    credit.pk = row[0]
    credit._state.adding = False
    return True


def _log_entry(credit, action):
    """The audit-log line ``wagtail.log_actions.log`` would write for the
    entry, unsaved: the same model, content type, user and log context, and
    no second look at the content type table."""
    if log_registry.get_log_model_for_model(TrainingCredit) is None:
        return None
    user = credit.credited_by or get_active_log_context().user
    return _log_line(credit, action, label=str(credit.teacher), user_id=getattr(user, "pk", None))


def _log_line(credit, action, *, label, user_id):
    """The unsaved audit-log line of ``credit`` (saved, so with its id), or
    None when entries are not logged; ``label`` names the teacher."""
    model = log_registry.get_log_model_for_model(type(credit))
    if model is None:
        return None
    context = get_active_log_context()
    return model(
        content_type=ContentType.objects.get_for_model(credit, for_concrete_model=False),
        label=label[:255],
        action=action,
        timestamp=timezone.now(),
        data={
            "hours": str(credit.hours),
            "capped_hours": str(credit.capped_hours),
            "person_times": credit.person_times,
            "category": str(credit.category),
            "source_key": credit.source_key,
            "reason": credit.reason,
        },
        user_id=user_id,
        uuid=context.uuid,
        object_id=str(credit.pk),
    )


def _run_together(statements):
    """Run (sql, params) pairs in order: on PostgreSQL as one statement, all
    but the last as data-modifying WITH clauses (one round trip, one plan);
    elsewhere one after another."""
    with connection.cursor() as cursor:
        if connection.vendor != "postgresql":
            for sql, params in statements:
                cursor.execute(sql, params)
            return
        *before, (last_sql, last_params) = statements
        clauses = ", ".join(f"w{number} AS ({sql})" for number, (sql, _params) in enumerate(before))
        cursor.execute(
            f"WITH {clauses} {last_sql}", [param for _sql, params in before for param in params] + last_params
        )
