"""Minimum study time counts a teacher's wall time once: lessons open in
several tabs at once share the same seconds."""

import datetime

import pytest
from django.utils import timezone

from courses import services
from courses.tests.factories import CoursePageFactory, LessonPageFactory
from lms.tests.factories import TeacherFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def course_with_lessons():
    course = CoursePageFactory(min_minutes=60)
    lessons = [LessonPageFactory(parent=course, title=f"第{number}课") for number in range(1, 6)]
    enrolment = services.enrolment_create(course=course, teacher=TeacherFactory())
    return enrolment, lessons


def seconds_counted(enrolment):
    enrolment.refresh_from_db()
    return enrolment.seconds_on_lessons


def test_five_tabs_open_at_once_count_their_wall_time_once(course_with_lessons):
    enrolment, lessons = course_with_lessons
    opened = timezone.now() - datetime.timedelta(minutes=5)
    tokens = [services.lesson_visit_token(lesson, now=opened) for lesson in lessons]
    done = opened + datetime.timedelta(seconds=17)
    for lesson, token in zip(lessons, tokens):
        services.lesson_complete(enrolment=enrolment, lesson=lesson, visit_token=token, now=done)
    assert seconds_counted(enrolment) == 17


def test_overlapping_visits_count_their_union_and_later_visits_add(course_with_lessons):
    enrolment, (first, second, third, *_rest) = course_with_lessons
    t0 = timezone.now() - datetime.timedelta(hours=1)
    at = lambda seconds: t0 + datetime.timedelta(seconds=seconds)  # noqa: E731

    # 0–100 s on the first lesson, 40–130 s on the second: 130 s of wall time.
    first_visit = services.lesson_visit_token(first, now=at(0))
    second_visit = services.lesson_visit_token(second, now=at(40))
    services.lesson_complete(enrolment=enrolment, lesson=first, visit_token=first_visit, now=at(100))
    services.lesson_complete(enrolment=enrolment, lesson=second, visit_token=second_visit, now=at(130))
    assert seconds_counted(enrolment) == 130

    # A quiz on a page opened before the last counted moment adds only
    # what came after it; a visit after a pause adds all of its time.
    third_visit = services.lesson_visit_token(third, now=at(120))
    services.lesson_complete(enrolment=enrolment, lesson=third, visit_token=third_visit, now=at(150))
    assert seconds_counted(enrolment) == 150
    again = services.lesson_visit_token(first, now=at(1000))
    services.lesson_complete(enrolment=enrolment, lesson=first, visit_token=again, now=at(1060))
    assert seconds_counted(enrolment) == 210


def test_a_visit_finishing_before_an_already_counted_one_adds_nothing_twice(course_with_lessons):
    enrolment, (first, second, *_rest) = course_with_lessons
    t0 = timezone.now() - datetime.timedelta(hours=1)
    long_visit = services.lesson_visit_token(first, now=t0)
    short_visit = services.lesson_visit_token(second, now=t0 + datetime.timedelta(seconds=10))
    services.lesson_complete(enrolment=enrolment, lesson=first, visit_token=long_visit,
                             now=t0 + datetime.timedelta(seconds=300))
    # The short visit (10–20 s) lies inside the time already counted.
    services.lesson_complete(enrolment=enrolment, lesson=second, visit_token=short_visit,
                             now=t0 + datetime.timedelta(seconds=20))
    assert seconds_counted(enrolment) == 300
