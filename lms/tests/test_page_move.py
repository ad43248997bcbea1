"""Moving a page: its confirmation step is refused to whoever may not move
the page, as choosing the destination and the move itself are."""

import pytest
from django.urls import reverse

from courses.tests.factories import CoursePageFactory, lesson_with_quiz
from lms.constants import Role
from lms.tests.factories import user_with_role

pytestmark = pytest.mark.django_db


@pytest.fixture
def lesson_and_course():
    trainer = user_with_role(Role.TRAINER, username="course-owner")
    course = CoursePageFactory(owner=trainer)
    lesson, _quiz_id = lesson_with_quiz(course)
    return lesson, course


@pytest.mark.parametrize("role", [Role.TRAINER, Role.HR, Role.DISTRICT_ADMIN])
def test_the_move_confirmation_is_refused_without_the_right_to_move(client, lesson_and_course, role):
    lesson, course = lesson_and_course
    client.force_login(user_with_role(role))
    url = reverse("wagtailadmin_pages:move_confirm", args=[lesson.pk, course.pk])
    for response in (client.get(url), client.post(url)):
        assert response.status_code == 302 and response["Location"] == reverse("wagtailadmin_home")
    lesson.refresh_from_db()
    assert lesson.get_parent().pk == course.pk


def test_the_academy_admin_is_shown_the_move_confirmation(client, lesson_and_course):
    lesson, course = lesson_and_course
    client.force_login(user_with_role(Role.ACADEMY_ADMIN))
    response = client.get(reverse("wagtailadmin_pages:move_confirm", args=[lesson.pk, course.pk]))
    assert response.status_code == 200
