"""Reads of courses and learning records, each scoped to who is asking."""

from dataclasses import dataclass
from decimal import Decimal

from django.contrib.auth.models import Permission
from django.db.models import Count, Exists, F, OuterRef, Q
from django.utils import timezone
from guardian.shortcuts import get_objects_for_user

from lms.models import TeacherProfile

from .constants import ACTIVE_STATUSES, COURSE_MANAGE_PERMISSION, EnrolmentStatus
from .models import Attendance, CoursePage, Enrolment, LessonPage, LessonProgress, OfflineSession, QuizAttempt

# Who sees every course's records in the admin (academy admins have it).
ALL_COURSES_PERMISSION = "courses.change_coursepage"


def teacher_for_user(user):
    if not user.is_authenticated:
        return None
    return TeacherProfile.objects.filter(user=user).select_related("school").first()


def course_list_for_user(user):
    """The courses whose records ``user`` may see and manage: all for
    academy admins, else those they own or hold ``courses.manage_course`` on."""
    courses = CoursePage.objects.all()
    if not user.is_active:
        return courses.none()
    if user.is_superuser or user.has_perm(ALL_COURSES_PERMISSION):
        return courses
    granted = get_objects_for_user(user, COURSE_MANAGE_PERMISSION, klass=CoursePage, accept_global_perms=False)
    return courses.filter(Q(owner=user) | Q(pk__in=granted.values("pk")))


def session_list_for_user(user):
    return OfflineSession.objects.filter(course__in=course_list_for_user(user)).select_related("course")


def lessons_of(course):
    return LessonPage.objects.live().filter(path__startswith=course.path, depth=course.depth + 1).order_by("path")


def _quiz_ids(body):
    raw = getattr(body, "raw_data", body) or []
    return [block["id"] for block in raw if block.get("type") == "quiz"]


@dataclass(frozen=True)
class CompletionStatus:
    lessons_done: int
    lessons_required: int
    quizzes_passed: int
    quizzes_total: int
    sessions_attended: int
    sessions_required: int
    minutes: int
    min_minutes: int
    requires_lessons: bool
    requires_quizzes: bool

    @property
    def complete(self):
        return (
            (not self.requires_lessons or self.lessons_done >= self.lessons_required)
            and (not self.requires_quizzes or self.quizzes_passed >= self.quizzes_total)
            and self.sessions_attended >= self.sessions_required
            and self.minutes >= self.min_minutes
        )


def completion_status(enrolment) -> CompletionStatus:
    """Where ``enrolment`` stands against its course's completion rule."""
    course = enrolment.course
    lessons = lessons_of(course)
    required = lessons.filter(is_required=True)
    done = LessonProgress.objects.filter(
        enrolment=enrolment, completed_at__isnull=False, lesson__in=required.values("pk")
    ).count()
    quizzes = set()
    if course.requires_quizzes:
        for lesson_pk, body in lessons.values_list("pk", "body"):
            quizzes.update((lesson_pk, quiz_id) for quiz_id in _quiz_ids(body))
    passed = set(
        QuizAttempt.objects.filter(enrolment=enrolment, passed=True).values_list("lesson_id", "quiz_id")
    ) & quizzes
    attended = Attendance.objects.filter(enrolment=enrolment).count()
    return CompletionStatus(
        lessons_done=done,
        lessons_required=required.count(),
        quizzes_passed=len(passed),
        quizzes_total=len(quizzes),
        sessions_attended=attended,
        sessions_required=course.required_sessions,
        minutes=enrolment.seconds_on_lessons // 60,
        min_minutes=course.min_minutes,
        requires_lessons=course.requires_lessons,
        requires_quizzes=course.requires_quizzes,
    )


def permissions_prime(user):
    """Load ``user``'s model permissions in one query instead of two, for
    pages whose query count is pinned (the header asks ``perms``)."""
    if not user.is_authenticated or hasattr(user, "_perm_cache"):
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


@dataclass
class LessonPageState:
    lesson: LessonPage
    enrolment: Enrolment | None
    lessons: list
    attempts: list


def lesson_page_state(*, lesson_id, user):
    """Everything the lesson page shows, in four queries whatever the size
    of the course or the teacher's history: the lesson, the teacher's
    enrolment (with teacher and course), the course's lessons with the
    teacher's done flags, and the teacher's attempts at this lesson's
    quizzes. ``None`` when there is no such live lesson."""
    lesson = LessonPage.objects.live().filter(pk=lesson_id).first()
    if lesson is None:
        return None
    enrolment = (
        Enrolment.objects.filter(course__path=lesson.course_path, teacher__user=user, status__in=ACTIVE_STATUSES)
        .select_related("teacher", "course")
        .first()
    )
    if enrolment is None:
        return LessonPageState(lesson, None, [], [])
    done = LessonProgress.objects.filter(enrolment=enrolment, lesson=OuterRef("pk"), completed_at__isnull=False)
    lessons = list(
        lessons_of(enrolment.course).annotate(done=Exists(done)).values("pk", "title", "is_required", "done")
    )
    attempts = list(QuizAttempt.objects.filter(enrolment=enrolment, lesson=lesson).order_by("number"))
    return LessonPageState(lesson, enrolment, lessons, attempts)


def enrolment_for(*, course, teacher):
    if teacher is None:
        return None
    return Enrolment.objects.filter(course=course, teacher=teacher).first()


def active_enrolment_count(course):
    return Enrolment.objects.filter(course=course, status__in=ACTIVE_STATUSES).count()


def catalogue_courses(catalogue, *, subject="", stage="", mode="", category="", hours="", open_only=False, query="",
                      now=None):
    """The live courses of ``catalogue`` matching the filters, newest first."""
    now = now or timezone.now()
    courses = CoursePage.objects.live().child_of(catalogue)
    if subject:
        courses = courses.filter(subject=subject)
    if stage:
        courses = courses.filter(stage=stage)
    if mode:
        courses = courses.filter(mode=mode)
    if category:
        courses = courses.filter(category=category)
    if hours:
        low, high = HOURS_RANGES[hours][1:]
        courses = courses.filter(credit_hours__gte=low)
        if high is not None:
            courses = courses.filter(credit_hours__lt=high)
    if open_only:
        courses = courses.filter(
            Q(enrol_opens_at__isnull=True) | Q(enrol_opens_at__lte=now),
            Q(enrol_closes_at__isnull=True) | Q(enrol_closes_at__gt=now),
        )
        taken = Count("enrolments", filter=Q(enrolments__status__in=ACTIVE_STATUSES))
        courses = courses.annotate(taken=taken).filter(Q(capacity__isnull=True) | Q(capacity__gt=F("taken")))
    if query:
        # Wagtail's search backend ranks whole words; Chinese has no spaces
        # between words, so a phrase inside a title ("奥赛" in "高中物理奥赛
        # 辅导") is matched by substring as well.
        matches = [page.pk for page in CoursePage.objects.live().child_of(catalogue).search(query)[:200]]
        courses = courses.filter(
            Q(pk__in=matches) | Q(title__icontains=query) | Q(summary__icontains=query)
        )
    return courses.order_by("-first_published_at", "-pk")


# key: (label, at least, below)
HOURS_RANGES = {
    "lt8": ("< 8", Decimal("0"), Decimal("8")),
    "8to24": ("8–24", Decimal("8"), Decimal("24")),
    "gte24": ("≥ 24", Decimal("24"), None),
}


def my_learning(teacher, *, year=None):
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


def course_report(course):
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
        enrolment.quizzes_passed = sum(1 for attempt in best if attempt.passed)
        enrolment.quiz_scores = "、".join(f"{attempt.score}%" for attempt in best)
    return enrolments


def course_attendance(session):
    present = set(Attendance.objects.filter(session=session).values_list("enrolment_id", flat=True))
    enrolments = list(
        Enrolment.objects.filter(course_id=session.course_id, status__in=ACTIVE_STATUSES)
        .select_related("teacher__school").order_by("teacher__staff_number")
    )
    for enrolment in enrolments:
        enrolment.present = enrolment.pk in present
    return enrolments

