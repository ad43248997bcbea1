"""The teacher-facing pages: catalogue and course page contexts (served by
Wagtail), the lesson page, the learning actions, "my learning" and check-in.

Views parse input, find the signed-in teacher, call one service and report
its outcome as a message; a service's ValidationError is the teacher's
message, never a 500.
"""

import re

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.html import format_html, format_html_join
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext
from django.views.decorators.http import require_POST

from lms.api import teacher_get_for_user

from . import services
from .catalogue import catalogue_courses
from .constants import ACTIVE_STATUSES
from .forms import CatalogueFilterForm, CheckinForm
from .models import CoursePage
from .quiz import quiz_feedback
from .selectors import (
    active_enrolment_count,
    completion_status,
    enrolment_for,
    lesson_page_state,
    lessons_of,
    permissions_prime,
)
from .selectors import (
    my_learning as my_learning_select,
)

COURSES_PER_PAGE = 12
ANSWER_FIELD = re.compile(r"^q\d{1,3}$")

ENROLLED = _("You are enrolled. Start with the first lesson.")
WITHDRAWN = _("You have left the course. You can enrol again while enrolment is open.")
LESSON_DONE = _("Lesson marked as done.")
COURSE_COMPLETED = _("Congratulations: you have completed the course, and its hours are credited.")
QUIZ_PASSED = _("You passed the quiz with %(score)s%%.")
QUIZ_FAILED = _("You scored %(score)s%%; the pass mark is %(pass_mark)s%%.")
CHECKED_IN = _("You are checked in to %(session)s.")
NOT_A_TEACHER_PAGE = _("This page is for teachers. Your account has no teacher profile.")


def _messages_for(request, error: ValidationError):
    for message in error.messages:
        messages.error(request, message)


def _report_progress(request, progress):
    if progress.completed:
        messages.success(request, COURSE_COMPLETED)
    for problem in progress.problems:
        messages.warning(request, problem)


# Catalogue and course pages (served by Wagtail) --------------------------------


def catalogue_context(catalogue, request):
    permissions_prime(request)
    form = CatalogueFilterForm(request.GET or None)
    filters = form.filters() if request.GET else {"query": ""}
    courses = catalogue_courses(catalogue, **filters)
    page = Paginator(courses, COURSES_PER_PAGE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return {"filter_form": form, "courses": page, "query_string": query.urlencode()}


def course_context(course, request):
    permissions_prime(request)
    teacher = teacher_get_for_user(request.user)
    if teacher is not None:
        request.user.teacher_profile = teacher  # the header shows the name: no second query
    enrolment = enrolment_for(course=course, teacher=teacher)
    active = enrolment is not None and enrolment.status in ACTIVE_STATUSES
    lessons = list(lessons_of(course).values("pk", "title", "is_required", "estimated_minutes"))
    for lesson in lessons:
        lesson["url"] = reverse("courses:lesson", args=[lesson["pk"]])
    taken = active_enrolment_count(course)
    return {
        "teacher": teacher,
        "enrolment": enrolment if active else None,
        "completion": completion_status(enrolment) if active else None,
        "lessons": lessons,
        "sessions": list(course.sessions.all()),
        "places_left": None if course.capacity is None else max(course.capacity - taken, 0),
        "is_open": course.is_open_for_enrolment(),
        # Through the page manager: in a preview the relation is modelcluster's
        # in-memory FakeQuerySet, which has no live().
        "prerequisites": list(
            CoursePage.objects.live().filter(pk__in=course.prerequisites.values_list("id", flat=True))
            .order_by("path").values_list("title", flat=True)
        ),
    }


@login_required
@require_POST
def enrol(request, pk):
    course = get_object_or_404(CoursePage.objects.live(), pk=pk)
    try:
        services.enrolment_create(course=course, teacher=teacher_get_for_user(request.user))
    except ValidationError as error:
        _messages_for(request, error)
    else:
        messages.success(request, ENROLLED)
    return redirect(course.url)


@login_required
@require_POST
def unenrol(request, pk):
    course = get_object_or_404(CoursePage.objects.live(), pk=pk)
    enrolment = enrolment_for(course=course, teacher=teacher_get_for_user(request.user))
    try:
        if enrolment is None:
            raise ValidationError(services.NOT_ENROLLED)
        services.enrolment_withdraw(enrolment=enrolment)
    except ValidationError as error:
        _messages_for(request, error)
    else:
        messages.success(request, WITHDRAWN)
    return redirect(course.url)


# The lesson page -------------------------------------------------------------------


def _quiz_states(lesson, attempts, *, just_submitted=None):
    """Per quiz block: the teacher's attempts and what may be shown. Correct
    answers and explanations appear only once the quiz is passed or out of
    attempts, so a failed attempt with tries left teaches nothing to copy."""
    states = {}
    for block in lesson.quizzes():
        own = [attempt for attempt in attempts if attempt.quiz_id == block.id]
        allowed = block.value["attempts_allowed"]
        passed = any(attempt.passed for attempt in own)
        left = None if not allowed else max(allowed - len(own), 0)
        finished = passed or left == 0
        last = own[-1] if own else None
        states[block.id] = {
            "attempts": own,
            "passed": passed,
            "attempts_left": left,
            "can_submit": not finished,
            "last": last,
            "reveal": finished,
            "feedback": quiz_feedback(block.value, last.answers) if last and finished else None,
        }
    return states


def lesson_url_pattern():
    """The lesson URL with a ``{pk}`` slot: one reverse() for a page that
    links to every lesson of a course, instead of one per lesson."""
    return reverse("courses:lesson", args=[987654321]).replace("987654321", "{pk}")


def _lesson_nav(lessons, *, current):
    """The course's lessons as list items, built here rather than in a
    template loop: a course may have hundreds of lessons and this list is
    on every lesson page."""
    done_tag = format_html(' <span class="tag tag-done">{}</span>', _("done"))
    optional_tag = format_html(' <span class="help">{}</span>', pgettext("lesson", "optional"))
    return format_html_join(
        "\n", '<li{}><a href="{}">{}</a>{}{}</li>',
        (
            (
                mark_safe(' aria-current="page" class="current"') if item["pk"] == current else "",
                item["url"], item["title"], done_tag if item["done"] else "",
                "" if item["is_required"] else optional_tag,
            )
            for item in lessons
        ),
    )


def _lesson_response(request, lesson, *, enrolment, lessons, attempts, preview=False):
    states = _quiz_states(lesson, attempts)
    blocks = [(block, states.get(block.id)) for block in lesson.body]
    position = next((index for index, item in enumerate(lessons) if item["pk"] == lesson.pk), 0)
    done = sum(1 for item in lessons if item["done"])
    url = lesson_url_pattern()
    for item in lessons:
        item["url"] = url.format(pk=item["pk"])
    context = {
        "lesson_nav": _lesson_nav(lessons, current=lesson.pk),
        "page": lesson,
        "self": lesson,
        "course": enrolment.course if enrolment else None,
        "enrolment": enrolment,
        "blocks": blocks,
        "lessons": lessons,
        "lessons_done": done,
        "percent": (done * 100 // len(lessons)) if lessons else 0,
        "this_done": bool(lessons and lessons[position]["done"]),
        "previous_lesson": lessons[position - 1] if position > 0 else None,
        "next_lesson": lessons[position + 1] if position + 1 < len(lessons) else None,
        "visit_token": services.lesson_visit_token(lesson),
        "preview": preview,
    }
    return TemplateResponse(request, "courses/lesson_page.html", context)


@login_required
def lesson(request, pk):
    permissions_prime(request)
    state = lesson_page_state(lesson_id=pk, user=request.user)
    if state is None:
        raise Http404
    if state.enrolment is None:
        messages.error(request, services.NOT_ENROLLED)
        course = CoursePage.objects.live().filter(path=state.lesson.course_path).first()
        return redirect(course.url if course else "courses:my_learning")
    # The header shows the teacher's name; hand it the profile already read.
    request.user.teacher_profile = state.enrolment.teacher
    return _lesson_response(
        request, state.lesson, enrolment=state.enrolment, lessons=state.lessons, attempts=state.attempts
    )


def lesson_preview(request, lesson):
    """The admin's preview of a lesson: its content, no teacher's records."""
    lessons = [{"pk": lesson.pk, "title": lesson.title, "is_required": lesson.is_required, "done": False}]
    return _lesson_response(request, lesson, enrolment=None, lessons=lessons, attempts=[], preview=True)


def _lesson_and_enrolment(request, pk):
    """The live lesson and the teacher's enrolment in its course (``None``
    when not enrolled), in one query: the service re-reads the enrolment,
    its course and teacher under its row lock."""
    state = lesson_page_state(lesson_id=pk, user=request.user, records=False)
    if state is None:
        raise Http404
    return state.lesson, state.enrolment


@login_required
@require_POST
def lesson_done(request, pk):
    lesson, enrolment = _lesson_and_enrolment(request, pk)
    try:
        progress = services.lesson_complete(
            enrolment=enrolment, lesson=lesson, visit_token=request.POST.get("visit", "")
        )
    except ValidationError as error:
        _messages_for(request, error)
    else:
        messages.success(request, LESSON_DONE)
        _report_progress(request, progress)
    return redirect("courses:lesson", pk)


@login_required
@require_POST
def quiz_submit(request, pk):
    lesson, enrolment = _lesson_and_enrolment(request, pk)
    answers = {key: request.POST.getlist(key) for key in request.POST if ANSWER_FIELD.match(key)}
    quiz_id = request.POST.get("quiz", "")
    try:
        result = services.quiz_submit(
            enrolment=enrolment, lesson=lesson, quiz_id=quiz_id, answers=answers,
            visit_token=request.POST.get("visit", ""),
        )
    except ValidationError as error:
        _messages_for(request, error)
    else:
        attempt = result.attempt
        if attempt.passed:
            messages.success(request, QUIZ_PASSED % {"score": attempt.score})
        else:
            messages.warning(
                request, QUIZ_FAILED % {"score": attempt.score, "pass_mark": lesson.quiz(quiz_id).value["pass_mark"]}
            )
        _report_progress(request, result.progress)
    url = reverse("courses:lesson", args=[pk])
    return redirect(f"{url}#quiz-{quiz_id}" if lesson.quiz(quiz_id) else url)


# "My learning" and check-in -----------------------------------------------------


@login_required
def my_learning(request):
    permissions_prime(request)
    teacher = teacher_get_for_user(request.user)
    if teacher is None:
        return render(request, "courses/my_learning.html", {"not_teacher": True, "message": NOT_A_TEACHER_PAGE})
    request.user.teacher_profile = teacher
    return render(request, "courses/my_learning.html", {"teacher": teacher, **my_learning_select(teacher)})


@login_required
def checkin(request):
    teacher = teacher_get_for_user(request.user)
    form = CheckinForm(request.POST or None, initial={"code": request.GET.get("code", "")})
    status = 200
    if request.method == "POST" and form.is_valid():
        try:
            attendance = services.checkin(teacher=teacher, code=form.cleaned_data["code"])
        except ValidationError as error:
            for message in error.messages:
                form.add_error("code", message)
            if error.code == "throttled":
                status = 429
        else:
            messages.success(request, CHECKED_IN % {"session": attendance.session.title})
            return redirect(attendance.session.course.url)
    return render(request, "courses/checkin.html", {"form": form}, status=status)

