"""Reads of courses and learning records, each scoped to who is asking.
The catalogue's filters and search are in ``courses.catalogue``."""

import functools
import json
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.contrib.auth.models import Permission
from django.db import connection, models
from django.db.models import Count, Exists, OuterRef, Q, QuerySet
from django.http import HttpRequest
from django.utils import timezone
from django.utils.encoding import force_str
from guardian.shortcuts import get_objects_for_user

from lms.api import AnyUser, TeacherProfile

from .constants import ACTIVE_STATUSES, COURSE_MANAGE_PERMISSION, EnrolmentStatus
from .models import Attendance, CoursePage, Enrolment, LessonPage, LessonProgress, OfflineSession, QuizAttempt

# Who sees every course's records in the admin (academy admins have it).
ALL_COURSES_PERMISSION = "courses.change_coursepage"


@functools.cache
def _choice_labels(field):
    return dict(field.flatchoices)


def choice_label(instance: models.Model, field_name: str) -> Any:
    """What ``instance.get_<field_name>_display()`` shows, without Django
    rebuilding (and translating) the field's whole choice list on every
    call, which a long listing pays for per row. The labels stay lazy, so
    each is translated into the language of the request that shows it."""
    field = instance._meta.get_field(field_name)
    value = getattr(instance, field.attname)
    return force_str(_choice_labels(field).get(value, value), strings_only=True)


def course_list_for_user(user: AnyUser) -> QuerySet[CoursePage]:
    """The courses whose records ``user`` may see and manage: all for
    academy admins, else those they own or hold ``courses.manage_course`` on."""
    courses = CoursePage.objects.all()
    if not user.is_active:
        return courses.none()
    if user.is_superuser or user.has_perm(ALL_COURSES_PERMISSION):
        return courses
    granted = get_objects_for_user(user, COURSE_MANAGE_PERMISSION, klass=CoursePage, accept_global_perms=False)
    return courses.filter(Q(owner=user) | Q(pk__in=granted.values("pk")))


def session_list_for_user(user: AnyUser) -> QuerySet[OfflineSession]:
    return OfflineSession.objects.filter(course__in=course_list_for_user(user)).select_related("course")


def lessons_of(course: CoursePage) -> QuerySet[LessonPage]:
    return LessonPage.objects.live().filter(path__startswith=course.path, depth=course.depth + 1).order_by("path")


def _quiz_ids(body):
    raw = getattr(body, "raw_data", body) or []
    return [block["id"] for block in raw if block.get("type") == "quiz"]


@dataclass(frozen=True)
class CompletionStatus:
    lessons_done: int
    lessons_required: int
    quizzes_passed: int | None
    quizzes_total: int | None
    sessions_attended: int | None
    sessions_required: int
    minutes: int
    min_minutes: int
    requires_lessons: bool
    requires_quizzes: bool

    @property
    def complete(self):
        return (
            (not self.requires_lessons or self.lessons_done >= self.lessons_required)
            and (not self.requires_quizzes or (self.quizzes_total is not None
                                               and self.quizzes_passed >= self.quizzes_total))
            and (self.sessions_required == 0 or (self.sessions_attended or 0) >= self.sessions_required)
            and self.minutes >= self.min_minutes
        )


# The live lessons of a course: its page's children.
COURSE_LESSONS_SQL = """
FROM courses_lessonpage l
JOIN wagtailcore_page p ON p.id = l.page_ptr_id
WHERE p.path LIKE %(prefix)s AND p.depth = %(depth)s AND p.live
"""

REQUIRED_LESSONS_SQL = """
SELECT COUNT(*),
       SUM(CASE WHEN EXISTS (
           SELECT 1 FROM courses_lessonprogress d
           WHERE d.enrolment_id = %(enrolment)s AND d.lesson_id = l.page_ptr_id AND d.completed_at IS NOT NULL
       ) THEN 1 ELSE 0 END)
""" + COURSE_LESSONS_SQL + "AND l.is_required"

LESSON_BODIES_SQL = "SELECT l.page_ptr_id, l.body" + COURSE_LESSONS_SQL


def _course_lessons_params(course):
    """Parameters of COURSE_LESSONS_SQL. Page paths are digits and capitals
    only, so the prefix needs no LIKE escaping."""
    return {"prefix": f"{course.path}%", "depth": course.depth + 1}


def _course_quiz_ids(course):
    """(lesson id, quiz id) of every quiz in the course's live lessons."""
    with connection.cursor() as cursor:
        cursor.execute(LESSON_BODIES_SQL, _course_lessons_params(course))
        rows = cursor.fetchall()
    for lesson_pk, body in rows:
        # PostgreSQL hands JSON back parsed, SQLite as text.
        for quiz_id in _quiz_ids(json.loads(body) if isinstance(body, str) else body):
            yield lesson_pk, quiz_id


def _required_lessons_done(enrolment):
    """The course's live required lessons and how many of them the
    enrolment has done, in one hand-written statement: it runs on every
    learning action, and the ORM took longer to compile it than the
    database to answer it."""
    with connection.cursor() as cursor:
        cursor.execute(REQUIRED_LESSONS_SQL, {"enrolment": enrolment.pk, **_course_lessons_params(enrolment.course)})
        required, done = cursor.fetchone()
    return {"required": required, "done": done or 0}


def completion_status(enrolment: Enrolment, *, stop_early: bool = False) -> CompletionStatus:
    """Where ``enrolment`` stands against its course's completion rule.
    With ``stop_early``, conditions after the first unmet one are not
    counted (``None``): completion checks run on every learning action,
    and most of them are not the last one."""
    course = enrolment.course
    counts = _required_lessons_done(enrolment)
    status = dict(
        lessons_done=counts["done"], lessons_required=counts["required"], quizzes_passed=None, quizzes_total=None,
        sessions_attended=None, sessions_required=course.required_sessions,
        minutes=enrolment.seconds_on_lessons // 60, min_minutes=course.min_minutes,
        requires_lessons=course.requires_lessons, requires_quizzes=course.requires_quizzes,
    )

    def unmet():
        return stop_early and not CompletionStatus(**{**status, "requires_quizzes": False}).complete

    if course.requires_lessons and counts["done"] < counts["required"] and stop_early:
        return CompletionStatus(**status)
    if course.required_sessions:
        status["sessions_attended"] = Attendance.objects.filter(enrolment=enrolment).count()
    if unmet():
        return CompletionStatus(**status)
    if course.requires_quizzes:
        quizzes = set(_course_quiz_ids(course))
        passed = set(
            QuizAttempt.objects.filter(enrolment=enrolment, passed=True).values_list("lesson_id", "quiz_id")
        ) & quizzes if quizzes else set()
        status.update(quizzes_passed=len(passed), quizzes_total=len(quizzes))
    return CompletionStatus(**status)


# How long the header's permission set is kept in the session.
PERMISSIONS_IN_SESSION_SECONDS = 300
PERMISSIONS_SESSION_KEY = "_courses_perms"


def permissions_prime(request: HttpRequest) -> None:
    """Give ``request.user`` its model permissions without querying on the
    teacher's pages (lesson, catalogue, course page, my learning), whose
    query counts are pinned: the header asks ``perms`` only to show the
    Admin link. They are kept in the session (read anyway) for a
    few minutes; anything that matters re-checks through the database."""
    user = request.user
    if not user.is_authenticated or hasattr(user, "_perm_cache"):
        return
    now = int(timezone.now().timestamp())
    kept = request.session.get(PERMISSIONS_SESSION_KEY)
    if kept and kept[0] == user.pk and now - kept[1] < PERMISSIONS_IN_SESSION_SECONDS:
        user._perm_cache = set(kept[2])
        return
    if not user.is_active:
        user._perm_cache = set()
        return
    rows = (
        Permission.objects.filter(Q(user=user) | Q(group__user=user))
        .values_list("content_type__app_label", "codename")
        .distinct()
    )
    user._perm_cache = {f"{app_label}.{codename}" for app_label, codename in rows}
    request.session[PERMISSIONS_SESSION_KEY] = [user.pk, now, sorted(user._perm_cache)]


@dataclass
class LessonPageState:
    lesson: LessonPage
    enrolment: Enrolment | None
    lessons: list
    attempts: list


# The lesson, its course and the signed-in teacher's active enrolment in it,
# in one round trip. Written as SQL because this is the hottest read of the
# site and the ORM spends longer compiling the equivalent two queries (page
# tables have dozens of columns) than the database takes to answer them;
# courses/tests/test_pages.py covers every column on SQLite and PostgreSQL.
LESSON_PAGE_SQL = """
SELECT p.id, p.title, p.slug, p.path, p.depth, p.url_path, p.locale_id, p.content_type_id, l.body, l.is_required,
       l.estimated_minutes, e.id, e.status, e.completed_at, e.seconds_on_lessons, c.id, c.title, c.url_path,
       t.id, t.real_name
FROM courses_lessonpage l
JOIN wagtailcore_page p ON p.id = l.page_ptr_id
JOIN wagtailcore_page c ON c.path = SUBSTR(p.path, 1, LENGTH(p.path) - %(steplen)s)
LEFT JOIN lms_teacherprofile t ON t.user_id = %(user)s
LEFT JOIN courses_enrolment e ON e.course_id = c.id AND e.teacher_id = t.id AND e.status IN (%(enrolled)s, %(completed)s)
WHERE l.page_ptr_id = %(lesson)s AND p.live
"""


def lesson_page_state(*, lesson_id: int, user: AnyUser, records: bool = True) -> LessonPageState | None:
    """Everything the lesson page shows, in three queries whatever the size
    of the course or the teacher's history: the lesson with its course and
    the teacher's enrolment, the course's lessons with the teacher's done
    flags, and the teacher's attempts at this lesson's quizzes. ``None``
    when there is no such live lesson. Without ``records``, only the first
    query: the lesson and whether the teacher is enrolled, which is what a
    learning action needs before its service locks the enrolment."""
    with connection.cursor() as cursor:
        cursor.execute(LESSON_PAGE_SQL, {
            "steplen": LessonPage.steplen, "user": user.pk, "lesson": lesson_id,
            "enrolled": EnrolmentStatus.ENROLLED.value, "completed": EnrolmentStatus.COMPLETED.value,
        })
        row = cursor.fetchone()
    if row is None:
        return None
    (pk, title, slug, path, depth, url_path, locale_id, content_type_id, body, is_required, minutes,
     enrolment_id, status, completed_at, seconds, course_id, course_title, course_url_path,
     teacher_id, teacher_name) = row
    lesson = LessonPage(
        id=pk, page_ptr_id=pk, title=title, slug=slug, path=path, depth=depth, url_path=url_path, locale_id=locale_id,
        content_type_id=content_type_id, body=body, is_required=bool(is_required), estimated_minutes=minutes,
        live=True,
    )
    lesson._state.adding, lesson._state.db = False, connection.alias
    if enrolment_id is None:
        return LessonPageState(lesson, None, [], [])
    if isinstance(completed_at, str):  # SQLite hands timestamps back as text
        completed_at = Enrolment._meta.get_field("completed_at").to_python(completed_at)
    course = CoursePage(id=course_id, page_ptr_id=course_id, title=course_title, path=lesson.course_path, depth=depth - 1,
                        url_path=course_url_path, locale_id=locale_id, live=True)
    enrolment = Enrolment(
        id=enrolment_id, status=status, completed_at=completed_at, seconds_on_lessons=seconds, course=course,
        teacher=TeacherProfile(id=teacher_id, real_name=teacher_name, user_id=user.pk),
    )
    for instance in (lesson, course, enrolment, enrolment.teacher):
        instance._state.adding, instance._state.db = False, connection.alias  # rows read above
    if not records:
        return LessonPageState(lesson, enrolment, [], [])
    done = LessonProgress.objects.filter(enrolment_id=enrolment_id, lesson=OuterRef("pk"), completed_at__isnull=False)
    lessons = list(lessons_of(course).annotate(done=Exists(done)).values("pk", "title", "is_required", "done"))
    attempts = list(QuizAttempt.objects.filter(enrolment_id=enrolment_id, lesson_id=pk).order_by("number"))
    return LessonPageState(lesson, enrolment, lessons, attempts)


def enrolment_for(*, course: CoursePage, teacher: TeacherProfile | None) -> Enrolment | None:
    if teacher is None:
        return None
    return Enrolment.objects.filter(course=course, teacher=teacher).first()


def active_enrolment_count(course: CoursePage) -> int:
    return Enrolment.objects.filter(course=course, status__in=ACTIVE_STATUSES).count()


def my_learning(teacher: TeacherProfile, *, year: int | None = None) -> dict[str, Any]:
    """A teacher's enrolments by status, and the course hours completed this year."""
    year = year or timezone.localdate().year
    enrolments = list(
        Enrolment.objects.filter(teacher=teacher).exclude(status=EnrolmentStatus.WITHDRAWN)
        .select_related("course").order_by("-enrolled_at")
    )
    lesson_done = dict(
        LessonProgress.objects.filter(enrolment__in=[e.pk for e in enrolments], completed_at__isnull=False)
        .values("enrolment").annotate(n=Count("pk")).values_list("enrolment", "n")
    )
    lesson_totals = {}
    course_paths = {e.course_id: e.course.path for e in enrolments}
    if course_paths:
        rows = LessonPage.objects.live().filter(
            Q(*[Q(path__startswith=path) for path in course_paths.values()], _connector=Q.OR)
        ).values_list("path", flat=True)
        by_path = {path: pk for pk, path in course_paths.items()}
        counts = {}
        for path in rows:
            course_pk = by_path.get(path[:-4])
            if course_pk:
                counts[course_pk] = counts.get(course_pk, 0) + 1
        lesson_totals = counts
    for enrolment in enrolments:
        enrolment.lessons_done = lesson_done.get(enrolment.pk, 0)
        enrolment.lessons_total = lesson_totals.get(enrolment.course_id, 0)
    in_progress = [e for e in enrolments if e.status == EnrolmentStatus.ENROLLED]
    completed = [e for e in enrolments if e.status == EnrolmentStatus.COMPLETED]
    hours_this_year = sum(
        (e.course.credit_hours for e in completed if e.completed_at and timezone.localtime(e.completed_at).year == year),
        Decimal("0"),
    )
    return {
        "enrolled": enrolments,
        "in_progress": in_progress,
        "completed": completed,
        "hours_this_year": hours_this_year,
        "year": year,
    }


def course_report(course: CoursePage) -> list[Enrolment]:
    """Per enrolment of ``course``: teacher, status, lessons done, quiz results, sessions attended."""
    enrolments = list(
        Enrolment.objects.filter(course=course).select_related("teacher__school").annotate(
            lessons_done=Count("lesson_progress", filter=Q(lesson_progress__completed_at__isnull=False), distinct=True),
            sessions_attended=Count("attendance", distinct=True),
        ).order_by("teacher__staff_number")
    )
    attempts = {}
    for attempt in QuizAttempt.objects.filter(enrolment__course=course).order_by("number"):
        best = attempts.setdefault(attempt.enrolment_id, {})
        key = (attempt.lesson_id, attempt.quiz_id)
        if key not in best or attempt.score > best[key].score:
            best[key] = attempt
    for enrolment in enrolments:
        best = attempts.get(enrolment.pk, {}).values()
        enrolment.status_label = choice_label(enrolment, "status")
        enrolment.quizzes_passed = sum(1 for attempt in best if attempt.passed)
        enrolment.quiz_scores = "、".join(f"{attempt.score}%" for attempt in best)
    return enrolments


def course_attendance(session: OfflineSession) -> list[Enrolment]:
    present = set(Attendance.objects.filter(session=session).values_list("enrolment_id", flat=True))
    enrolments = list(
        Enrolment.objects.filter(course_id=session.course_id, status__in=ACTIVE_STATUSES)
        .select_related("teacher__school").order_by("teacher__staff_number")
    )
    for enrolment in enrolments:
        enrolment.present = enrolment.pk in present
    return enrolments

