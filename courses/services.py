"""Writes to enrolments, progress, quiz attempts and attendance.

Every service that can change whether a teacher has completed a course
locks that teacher's enrolment row first (``select_for_update``), so two
requests for the same enrolment (a double click, two tabs, a retried task)
run one after the other. Completion then credits the ledger in the same
transaction, under a source key unique to the enrolment: the enrolment's
status and the ledger's unique key each make a second credit impossible.
See docs/decisions/0011-course-completion-idempotency.md.
"""

import datetime
import secrets
from dataclasses import dataclass, field
from datetime import timedelta

from django.conf import settings
from django.core import signing
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext_lazy
from guardian.shortcuts import assign_perm, remove_perm
from wagtail.models import Page

from lms.api import (
    POSITION_FIELDS,
    Completion,
    CompletionKind,
    CreditCategory,
    RowShape,
    School,
    TeacherProfile,
    completion_announce,
    credit_record,
    fields_update,
    ratelimit,
    read_row,
)

from .constants import (
    ACTIVE_STATUSES,
    CHECKIN_CODE_LENGTH,
    CHECKIN_CODE_SECONDS,
    CHECKIN_WRONG_CODE_WINDOW_SECONDS,
    CHECKIN_WRONG_CODES_PER_SESSION,
    CHECKIN_WRONG_CODES_PER_TEACHER,
    COMPLETION_SOURCE_KEY,
    COURSE_MANAGE_PERMISSION,
    MAX_SECONDS_PER_VISIT,
    AttendanceVia,
    CourseMode,
    EnrolmentStatus,
)
from .models import Attendance, CheckinCode, CoursePage, Enrolment, LessonProgress, OfflineSession, QuizAttempt
from .quiz import quiz_grade
from .selectors import completion_status

NOT_A_TEACHER = _("Only teachers with a teacher profile can take courses.")
COURSE_NOT_AVAILABLE = _("This course is not available.")
ENROLMENT_NOT_OPEN = _("Enrolment for this course has not opened yet.")
ENROLMENT_CLOSED = _("Enrolment for this course has closed.")
COURSE_FULL = _("This course is full.")
ALREADY_ENROLLED = _("You are already enrolled in this course.")
NOT_IN_AUDIENCE = _("This course is for %(audience)s only.")
PREREQUISITES_MISSING = _("Complete these courses first: %(courses)s.")
CANNOT_WITHDRAW_COMPLETED = _("You have completed this course, so you cannot leave it.")
NOT_ENROLLED = _("You are not enrolled in this course. Enrol first.")
LESSON_NOT_IN_COURSE = _("This lesson is not part of the course.")
QUIZ_NOT_FOUND = _("This quiz is not part of this lesson. Reload the page and try again.")
QUIZ_ALREADY_PASSED = _("You have already passed this quiz.")
NO_ATTEMPTS_LEFT = _("You have used all %(allowed)s attempts at this quiz.")
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
COMPLETION_NOT_CREDITED = _(
    "You have met the course's completion rule, but the hours could not be credited yet: %(reason)s"
)

VISIT_SALT = "courses.lesson-visit"
CREDITED_VIA = "course-completion"


@dataclass
class ProgressResult:
    """What a learning action did: whether it completed the course, and a
    message for the teacher if completion was blocked."""

    completed: bool = False
    problems: list = field(default_factory=list)


def _now(now):
    return now or timezone.now()


# What a learning action reads with the enrolment it locks: the course's
# completion rule and ledger figures, the teacher and their school (the
# ledger's snapshot). Other fields of the course are deferred.
_LOCKED_SHAPES = (
    RowShape(Enrolment, "e"),
    RowShape(CoursePage, {Page: "p", CoursePage: "c"}, fields=[
        "id", "content_type", "title", "draft_title", "slug", "path", "depth", "url_path", "live", "locale",
        "page_ptr", "subject", "stage", "credit_hours", "mode", "category", "audience", "enrol_opens_at",
        "enrol_closes_at", "capacity", "requires_lessons", "requires_quizzes", "required_sessions", "min_minutes",
        "issues_certificate",
    ]),
    RowShape(TeacherProfile, "t"),
    RowShape(School, "s"),
)
_LOCKED_SQL = """
SELECT {columns}
FROM courses_enrolment e
JOIN wagtailcore_page p ON p.id = e.course_id
JOIN courses_coursepage c ON c.page_ptr_id = e.course_id
JOIN lms_teacherprofile t ON t.id = e.teacher_id
LEFT JOIN lms_school s ON s.id = t.school_id
WHERE e.id = %s
"""
_locked_sql = {}


def enrolment_lock(enrolment: Enrolment) -> Enrolment:
    """The enrolment, re-read under a row lock for the rest of the
    transaction, with its course, teacher and school, in one statement.
    Every learning action calls it first; public so that tests can hold the
    lock and count its one query.

    Only the enrolment's row is locked (``OF e``): locking the joined course
    and page rows too would make every teacher's learning action on a course
    wait for every other teacher's, and hold up an editor publishing it.
    SQLite has no row locks; its transactions take the database's write lock
    when they begin (``transaction_mode`` IMMEDIATE)."""
    sql = _locked_sql.get(connection.vendor)
    if sql is None:
        sql = _LOCKED_SQL.format(columns=", ".join(shape.columns(connection) for shape in _LOCKED_SHAPES))
        if connection.features.has_select_for_update_of:
            sql += "FOR UPDATE OF e"
        _locked_sql[connection.vendor] = sql
    with connection.cursor() as cursor:
        cursor.execute(sql, [enrolment.pk])
        row = cursor.fetchone()
    if row is None:
        raise Enrolment.DoesNotExist
    locked, course, teacher, school = read_row(row, _LOCKED_SHAPES, connection)
    teacher.school = school
    locked.course, locked.teacher = course, teacher
    return locked


def _require_active(enrolment):
    if enrolment is None or enrolment.status not in ACTIVE_STATUSES:
        raise ValidationError(NOT_ENROLLED, code="not_enrolled")


# Enrolment ------------------------------------------------------------------


def _check_audience(course, teacher):
    if not course.audience:
        return
    if not any(getattr(teacher, POSITION_FIELDS[value], False) for value in course.audience if value in POSITION_FIELDS):
        raise ValidationError(NOT_IN_AUDIENCE, params={"audience": course.get_audience_display()}, code="audience")


def _check_prerequisites(course, teacher):
    required = list(course.prerequisites.values_list("pk", "title"))
    if not required:
        return
    done = set(
        Enrolment.objects.filter(
            teacher=teacher, status=EnrolmentStatus.COMPLETED, course_id__in=[pk for pk, _title in required]
        ).values_list("course_id", flat=True)
    )
    missing = [title for pk, title in required if pk not in done]
    if missing:
        raise ValidationError(PREREQUISITES_MISSING, params={"courses": "、".join(missing)}, code="prerequisites")


def enrolment_create(*, course: CoursePage, teacher, now=None) -> Enrolment:
    """Enrol ``teacher`` (or re-enrol after withdrawing), respecting the
    enrolment window, audience, prerequisites and capacity."""
    now = _now(now)
    if teacher is None:
        raise ValidationError(NOT_A_TEACHER, code="not_teacher")
    if not course.live:
        raise ValidationError(COURSE_NOT_AVAILABLE, code="not_live")
    if course.enrol_opens_at and now < course.enrol_opens_at:
        raise ValidationError(ENROLMENT_NOT_OPEN, code="not_open")
    if course.enrol_closes_at and now >= course.enrol_closes_at:
        raise ValidationError(ENROLMENT_CLOSED, code="closed")
    _check_audience(course, teacher)
    _check_prerequisites(course, teacher)
    with transaction.atomic():
        # The course row is the lock that keeps concurrent enrolments from
        # overfilling it.
        CoursePage.objects.select_for_update(of=("self",)).filter(pk=course.pk).values_list("pk").first()
        existing = Enrolment.objects.filter(course=course, teacher=teacher).first()
        if existing is not None and existing.status in ACTIVE_STATUSES:
            raise ValidationError(ALREADY_ENROLLED, code="already")
        if course.capacity is not None:
            taken = Enrolment.objects.filter(course=course, status__in=ACTIVE_STATUSES).count()
            if taken >= course.capacity:
                raise ValidationError(COURSE_FULL, code="full")
        if existing is not None:
            existing.status = EnrolmentStatus.ENROLLED
            existing.withdrawn_at = None
            existing.enrolled_at = now
            existing.save(update_fields=["status", "withdrawn_at", "enrolled_at"])
            return existing
        try:
            with transaction.atomic():
                return Enrolment.objects.create(course=course, teacher=teacher, enrolled_at=now)
        except IntegrityError:
            raise ValidationError(ALREADY_ENROLLED, code="already")


@transaction.atomic
def enrolment_withdraw(*, enrolment: Enrolment, now=None) -> Enrolment:
    enrolment = enrolment_lock(enrolment)
    if enrolment.status == EnrolmentStatus.COMPLETED:
        raise ValidationError(CANNOT_WITHDRAW_COMPLETED, code="completed")
    if enrolment.status != EnrolmentStatus.ENROLLED:
        raise ValidationError(NOT_ENROLLED, code="not_enrolled")
    enrolment.status = EnrolmentStatus.WITHDRAWN
    enrolment.withdrawn_at = _now(now)
    enrolment.save(update_fields=["status", "withdrawn_at"])
    return enrolment


# Trainers ---------------------------------------------------------------------------


@transaction.atomic
def course_manager_grant(*, course: CoursePage, user) -> None:
    """Give ``user`` (a trainer) the course: they may edit it and its
    lessons, run its sessions and see its reports, as its owner does."""
    assign_perm(COURSE_MANAGE_PERMISSION, user, course)


@transaction.atomic
def course_manager_revoke(*, course: CoursePage, user) -> None:
    remove_perm(COURSE_MANAGE_PERMISSION, user, course)


# Time on lesson pages -------------------------------------------------------


def lesson_visit_token(lesson, now=None) -> str:
    """Signed into the lesson page's forms: when this visit began."""
    return signing.dumps([lesson.pk, int((_now(now)).timestamp())], salt=VISIT_SALT)


def _visit_started(lesson, token):
    try:
        lesson_pk, started = signing.loads(token or "", salt=VISIT_SALT, max_age=24 * 3600)
    except (signing.BadSignature, ValueError, TypeError):
        return None
    return started if lesson_pk == lesson.pk else None


def _count_visit(enrolment, progress, lesson, visit_token, now):
    """Add the time of this visit, once per visit, capped, and only the part
    of it not already counted for the enrolment: five lessons open in five
    tabs for the same minute are one minute of study. The caller holds the
    enrolment's lock, so two visits ending at once take turns."""
    started = _visit_started(lesson, visit_token)
    if started is None or started <= progress.last_visit_started:
        return
    ended = int(now.timestamp())
    counted_from = max(started, enrolment.seconds_counted_until)
    seconds = max(0, min(ended - counted_from, MAX_SECONDS_PER_VISIT))
    progress.seconds_spent += seconds
    progress.last_visit_started = started
    enrolment.seconds_on_lessons += seconds
    enrolment.seconds_counted_until = max(enrolment.seconds_counted_until, ended)


PROGRESS_UPSERT_SQL = """
INSERT INTO courses_lessonprogress (enrolment_id, lesson_id, completed_at, seconds_spent, last_visit_started)
VALUES (%s, %s, %s, 0, 0)
ON CONFLICT (enrolment_id, lesson_id) DO UPDATE SET lesson_id = excluded.lesson_id
RETURNING id, completed_at, seconds_spent, last_visit_started
"""


def _progress_for(enrolment, lesson, *, completed_at=None):
    """The enrolment's progress row for ``lesson``, created (done at
    ``completed_at``, if given) when missing, in one statement. The caller
    holds the enrolment's lock, so no one else is writing it."""
    field = LessonProgress._meta.get_field("completed_at")
    with connection.cursor() as cursor:
        cursor.execute(PROGRESS_UPSERT_SQL, [
            enrolment.pk, lesson.pk, field.get_db_prep_save(completed_at, connection),
        ])
        pk, done_at, seconds, visit = cursor.fetchone()
    if isinstance(done_at, str):  # SQLite hands timestamps back as text
        done_at = field.to_python(done_at)
    if done_at is not None and settings.USE_TZ and timezone.is_naive(done_at):
        done_at = timezone.make_aware(done_at, datetime.timezone.utc)
    progress = LessonProgress(
        id=pk, enrolment=enrolment, lesson_id=lesson.pk, completed_at=done_at, seconds_spent=seconds,
        last_visit_started=visit,
    )
    progress._state.adding, progress._state.db = False, connection.alias
    return progress


def _check_lesson(enrolment, lesson):
    if lesson.course_path != enrolment.course.path or not lesson.live:
        raise ValidationError(LESSON_NOT_IN_COURSE, code="lesson")


# Learning actions -----------------------------------------------------------


def lesson_complete(*, enrolment: Enrolment, lesson, visit_token: str = "", now=None) -> ProgressResult:
    """Mark ``lesson`` done for ``enrolment``; completes the course if its rule now holds."""
    now = _now(now)
    _require_active(enrolment)
    with transaction.atomic():
        enrolment = enrolment_lock(enrolment)
        _require_active(enrolment)
        _check_lesson(enrolment, lesson)
        progress = _progress_for(enrolment, lesson, completed_at=now)
        seconds = enrolment.seconds_on_lessons
        _count_visit(enrolment, progress, lesson, visit_token, now)
        if progress.completed_at is None or enrolment.seconds_on_lessons != seconds:
            progress.completed_at = progress.completed_at or now
            progress.save(update_fields=["completed_at", "seconds_spent", "last_visit_started"])
        if enrolment.seconds_on_lessons != seconds:
            enrolment.save(update_fields=["seconds_on_lessons", "seconds_counted_until"])
        return enrolment_completion_check(enrolment=enrolment, now=now, locked=True)


@dataclass
class QuizResult:
    attempt: QuizAttempt
    progress: ProgressResult


def quiz_submit(*, enrolment: Enrolment, lesson, quiz_id: str, answers: dict, visit_token: str = "",
                now=None) -> QuizResult:
    """Grade and record one attempt at a lesson's quiz."""
    now = _now(now)
    _require_active(enrolment)
    block = lesson.quiz(quiz_id) if quiz_id else None
    if block is None:
        raise ValidationError(QUIZ_NOT_FOUND, code="quiz")
    grade = quiz_grade(block.value, answers)
    with transaction.atomic():
        enrolment = enrolment_lock(enrolment)
        _require_active(enrolment)
        _check_lesson(enrolment, lesson)
        attempts = list(
            QuizAttempt.objects.filter(enrolment=enrolment, lesson=lesson, quiz_id=quiz_id).values_list("passed", flat=True)
        )
        if any(attempts):
            raise ValidationError(QUIZ_ALREADY_PASSED, code="passed")
        allowed = block.value["attempts_allowed"]
        if allowed and len(attempts) >= allowed:
            raise ValidationError(NO_ATTEMPTS_LEFT, params={"allowed": allowed}, code="attempts")
        attempt = QuizAttempt.objects.create(
            enrolment=enrolment, lesson=lesson, quiz_id=quiz_id, number=len(attempts) + 1, answers=grade.answers,
            score=grade.score, passed=grade.passed, submitted_at=now,
        )
        progress = _progress_for(enrolment, lesson)
        _count_visit(enrolment, progress, lesson, visit_token, now)
        if grade.passed and progress.completed_at is None and _all_quizzes_passed(enrolment, lesson):
            # Passing a lesson's (last) quiz is doing the lesson.
            progress.completed_at = now
        progress.save()
        enrolment.save(update_fields=["seconds_on_lessons", "seconds_counted_until"])
        return QuizResult(attempt, enrolment_completion_check(enrolment=enrolment, now=now, locked=True))


def _all_quizzes_passed(enrolment, lesson):
    passed = set(
        QuizAttempt.objects.filter(enrolment=enrolment, lesson=lesson, passed=True).values_list("quiz_id", flat=True)
    )
    return all(block.id in passed for block in lesson.quizzes())


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


# Completion -----------------------------------------------------------------


def _completion(enrolment) -> Completion:
    """The "completion recorded" event of a completed enrolment."""
    course = enrolment.course
    return Completion(
        kind=CompletionKind.COURSE,
        teacher_pk=enrolment.teacher_id,
        evidence=enrolment,
        subject=course,
        title=course.title,
        occurred_on=timezone.localdate(enrolment.completed_at),
        source_key=COMPLETION_SOURCE_KEY.format(pk=enrolment.pk),
        hours=course.credit_hours,
        started_on=timezone.localdate(enrolment.enrolled_at),
        earns_certificate=course.issues_certificate,
    )


@transaction.atomic
def enrolment_completion_reannounce(*, enrolment_id) -> None:
    """Announce a completed enrolment's completion again: for what was
    promised before completions were announced (courses/tasks.py). The
    certificate it promises is issued once however often it is announced."""
    enrolment = Enrolment.objects.select_related("course", "teacher").filter(pk=enrolment_id).first()
    if enrolment is not None and enrolment.status == EnrolmentStatus.COMPLETED:
        completion_announce(_completion(enrolment))


def enrolment_completion_check(*, enrolment: Enrolment, now=None, locked=False) -> ProgressResult:
    """Complete ``enrolment`` if its course's rule holds: status, ledger
    credit (course hours, one person-time) and the completion announced
    (``lms.events``: the certificates app promises the certificate). A
    completed enrolment is left alone. ``locked`` says the caller holds the
    enrolment's row lock in its transaction."""
    now = _now(now)
    if not locked:
        with transaction.atomic():
            return enrolment_completion_check(enrolment=enrolment_lock(enrolment), now=now, locked=True)
    if enrolment.status != EnrolmentStatus.ENROLLED:
        return ProgressResult(completed=enrolment.status == EnrolmentStatus.COMPLETED)
    if not completion_status(enrolment, stop_early=True).complete:
        return ProgressResult()
    course = enrolment.course
    try:
        # The ledger writes in a savepoint of its own: if it refuses (say
        # the teacher has no school), it has written nothing, the progress
        # just recorded is kept and the enrolment is not completed.
        result = credit_record(
            teacher=enrolment.teacher,
            category=CreditCategory.OFFLINE_WORKSHOP if course.mode == CourseMode.OFFLINE
            else CreditCategory.ONLINE_COURSE,
            hours=course.credit_hours,
            person_times=1,
            source_key=COMPLETION_SOURCE_KEY.format(pk=enrolment.pk),
            occurred_on=timezone.localdate(now),
            evidence=enrolment,
            evidence_label=course.title,
            credited_via=CREDITED_VIA,
        )
    except ValidationError as error:
        return ProgressResult(problems=[COMPLETION_NOT_CREDITED % {"reason": " ".join(error.messages)}])
    enrolment.status = EnrolmentStatus.COMPLETED
    enrolment.completed_at = now
    enrolment.credit = result.credit
    fields_update(enrolment, ["status", "completed_at", "credit"], connection)
    # In the transaction: what the receivers record (the certificate's
    # promise in the outbox) commits with the completion, and a broker that
    # is down delays it rather than losing it.
    completion_announce(_completion(enrolment))
    return ProgressResult(completed=True)
