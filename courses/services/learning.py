"""Learning actions on lesson pages: doing a lesson, answering its quizzes,
and the time spent on the page counted once per visit."""

import datetime
from dataclasses import dataclass

from django.conf import settings
from django.core import signing
from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from ..constants import MAX_SECONDS_PER_VISIT
from ..models import Enrolment, LessonProgress, QuizAttempt
from ..quiz import quiz_grade
from .common import ProgressResult, _now, _require_active, enrolment_lock
from .completion import enrolment_completion_check

LESSON_NOT_IN_COURSE = _("This lesson is not part of the course.")
QUIZ_NOT_FOUND = _("This quiz is not part of this lesson. Reload the page and try again.")
QUIZ_ALREADY_PASSED = _("You have already passed this quiz.")
NO_ATTEMPTS_LEFT = _("You have used all %(allowed)s attempts at this quiz.")

VISIT_SALT = "courses.lesson-visit"


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
