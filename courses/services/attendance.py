"""Attendance at offline sessions: the trainer's list, and teachers checking
in with the code shown in the room, wrong codes limited."""

import secrets
from datetime import timedelta

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext_lazy

from lms.api import ratelimit

from ..constants import (
    ACTIVE_STATUSES,
    CHECKIN_CODE_LENGTH,
    CHECKIN_CODE_SECONDS,
    CHECKIN_WRONG_CODE_WINDOW_SECONDS,
    CHECKIN_WRONG_CODES_PER_SESSION,
    CHECKIN_WRONG_CODES_PER_TEACHER,
    AttendanceVia,
)
from ..models import Attendance, CheckinCode, Enrolment, OfflineSession
from .common import NOT_A_TEACHER, _now, _require_active, enrolment_lock
from .completion import enrolment_completion_check

CHECKIN_CODE_UNKNOWN = _("This check-in code is not valid. Check the code shown in the room.")
CHECKIN_CODE_EXPIRED = _("This check-in code has expired. Ask the trainer for the current code.")
CHECKIN_OUTSIDE_SESSION = _("Check-in is only open while the session is running.")
ALREADY_CHECKED_IN = _("You are already checked in to this session.")
SESSION_FULL = _("This session is full; ask the trainer.")
CHECKIN_TOO_MANY_WRONG_CODES = ngettext_lazy(
    "Too many wrong check-in codes. Wait %(minutes)d minute, then try again, or ask the trainer to record "
    "your attendance.",
    "Too many wrong check-in codes. Wait %(minutes)d minutes, then try again, or ask the trainer to record "
    "your attendance.",
    "minutes",
)
CHECKIN_SESSION_TOO_MANY_WRONG_CODES = ngettext_lazy(
    "Too many wrong check-in codes have been entered for your session. Wait %(minutes)d minute, then try again, "
    "or ask the trainer to record your attendance.",
    "Too many wrong check-in codes have been entered for your session. Wait %(minutes)d minutes, then try again, "
    "or ask the trainer to record your attendance.",
    "minutes",
)
SESSION_OVER = _("This session has ended; no more check-in codes can be shown.")


def attendance_record(*, session: OfflineSession, enrolment_ids, recorded_by, via=AttendanceVia.TRAINER,
                      now=None) -> int:
    """Mark the given enrolments of the session's course as present (a
    trainer's list or bulk action). Returns how many were newly marked.
    Enrolments of other courses, or withdrawn, are ignored."""
    now = _now(now)
    marked = 0
    enrolments = Enrolment.objects.filter(
        pk__in=list(enrolment_ids), course_id=session.course_id, status__in=ACTIVE_STATUSES
    ).order_by("pk")
    for enrolment in enrolments:
        with transaction.atomic():
            enrolment = enrolment_lock(enrolment)
            _attendance, created = Attendance.objects.get_or_create(
                session=session, enrolment=enrolment,
                defaults={"via": via, "recorded_by": recorded_by, "recorded_at": now},
            )
            marked += created
            enrolment_completion_check(enrolment=enrolment, now=now, locked=True)
    return marked


def checkin_code_create(*, session: OfflineSession, created_by, now=None) -> CheckinCode:
    """A fresh code for the room, valid for a few minutes (never past the session's end)."""
    now = _now(now)
    if now >= session.ends_at:
        raise ValidationError(SESSION_OVER, code="over")
    code = "".join(secrets.choice("0123456789") for _ in range(CHECKIN_CODE_LENGTH))
    expires_at = min(now + timedelta(seconds=CHECKIN_CODE_SECONDS), session.ends_at)
    return CheckinCode.objects.create(session=session, code=code, created_at=now, expires_at=expires_at,
                                      created_by=created_by)


# Refusals that a guesser gets for a wrong code: counted against the limits.
_WRONG_CODE_REFUSALS = {"unknown", "expired", "outside", "not_enrolled"}


def _checkin_limits():
    return (
        ratelimit.Limit("courses:checkin:teacher", CHECKIN_WRONG_CODES_PER_TEACHER, CHECKIN_WRONG_CODE_WINDOW_SECONDS),
        ratelimit.Limit("courses:checkin:session", CHECKIN_WRONG_CODES_PER_SESSION, CHECKIN_WRONG_CODE_WINDOW_SECONDS),
    )


def checkin(*, teacher, code: str, now=None) -> Attendance:
    """A teacher checks in to a running session with the code shown in the
    room. Wrong codes are limited per teacher and per running session the
    teacher is enrolled in; past either limit every try is refused, the
    right code too, until the window ends."""
    now = _now(now)
    if teacher is None:
        raise ValidationError(NOT_A_TEACHER, code="not_teacher")
    per_teacher, per_session = _checkin_limits()
    # The teacher's try is counted before the code is looked at and given
    # back unless it was wrong, so parallel tries cannot all pass the check.
    usage = ratelimit.hit(per_teacher, teacher.pk)
    if usage.exceeded:
        raise ValidationError(CHECKIN_TOO_MANY_WRONG_CODES, params={"minutes": usage.minutes_left}, code="throttled")
    sessions = list(
        OfflineSession.objects.filter(
            course__enrolments__teacher=teacher, starts_at__lte=now, ends_at__gt=now
        ).values_list("pk", flat=True)
    )
    for session_pk in sessions:
        usage = ratelimit.peek(per_session, session_pk)
        if usage.exhausted:
            ratelimit.refund(per_teacher, teacher.pk)
            raise ValidationError(
                CHECKIN_SESSION_TOO_MANY_WRONG_CODES, params={"minutes": usage.minutes_left}, code="throttled"
            )
    try:
        attendance = _checkin(teacher=teacher, code=code, now=now)
    except ValidationError as error:
        if error.code in _WRONG_CODE_REFUSALS:
            for session_pk in sessions:
                ratelimit.hit(per_session, session_pk)
        else:
            ratelimit.refund(per_teacher, teacher.pk)
        raise
    ratelimit.refund(per_teacher, teacher.pk)
    return attendance


def _checkin(*, teacher, code, now):
    code = "".join((code or "").split())
    if not code.isdigit() or len(code) != CHECKIN_CODE_LENGTH:
        raise ValidationError(CHECKIN_CODE_UNKNOWN, code="unknown")
    checkin_code = CheckinCode.objects.filter(code=code).select_related("session").order_by("-expires_at").first()
    if checkin_code is None:
        raise ValidationError(CHECKIN_CODE_UNKNOWN, code="unknown")
    if now >= checkin_code.expires_at:
        raise ValidationError(CHECKIN_CODE_EXPIRED, code="expired")
    session = checkin_code.session
    if not session.is_running(now):
        raise ValidationError(CHECKIN_OUTSIDE_SESSION, code="outside")
    enrolment = Enrolment.objects.filter(course_id=session.course_id, teacher=teacher).first()
    _require_active(enrolment)
    with transaction.atomic():
        enrolment = enrolment_lock(enrolment)
        attendance, created = Attendance.objects.get_or_create(
            session=session, enrolment=enrolment, defaults={"via": AttendanceVia.CHECKIN, "recorded_at": now},
        )
        if not created:
            raise ValidationError(ALREADY_CHECKED_IN, code="again")
        if session.capacity is not None and Attendance.objects.filter(session=session).count() > session.capacity:
            # Rolls back the attendance just written.
            raise ValidationError(SESSION_FULL, code="full")
        enrolment_completion_check(enrolment=enrolment, now=now, locked=True)
    return attendance
