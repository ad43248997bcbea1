"""Every public page says where it is: Home › … › the page."""

import json
import re

import pytest

from courses.tests.factories import CoursePageFactory, EnrolmentFactory, LessonPageFactory, text_block
from lms.tests.factories import TeacherFactory

pytestmark = pytest.mark.django_db


def trail(html):
    nav = re.search(r'<nav class="breadcrumbs"[^>]*>(.*?)</nav>', html, re.S)
    assert nav, "no breadcrumbs"
    return [re.sub(r"<[^>]+>", "", item).strip() for item in re.findall(r"<li>(.*?)</li>", nav.group(1), re.S)]


def test_course_lesson_and_personal_pages_show_where_they_are(client):
    client.cookies["django_language"] = "en"
    teacher = TeacherFactory()
    course = CoursePageFactory(title="初中物理实验教学创新设计")
    lesson = LessonPageFactory(parent=course, title="第1课 演示实验的改进", body=json.dumps([text_block()]))
    EnrolmentFactory(course=course, teacher=teacher)
    client.force_login(teacher.user)

    assert trail(client.get(course.get_parent().url).content.decode()) == ["Home", course.get_parent().title]
    assert trail(client.get(course.url).content.decode()) == ["Home", course.get_parent().title, course.title]
    assert trail(client.get(f"/learn/{lesson.pk}/").content.decode()) == ["Home", course.title, lesson.title]
    assert trail(client.get("/my/hours/").content.decode()) == ["Home", "My training hours"]
    assert trail(client.get("/my/certificates/").content.decode()) == ["Home", "My certificates"]
