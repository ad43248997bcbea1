"""The teacher-facing pages: what they show, that a teacher sees only their
own records, that quiz answers never reach the browser before submission,
and the lesson page's fixed number of queries."""

import datetime
import json
import uuid
from decimal import Decimal

import pytest
from django.contrib.messages import get_messages
from django.utils import timezone

from courses import services
from courses.constants import CourseCategory, CourseMode, EnrolmentStatus
from courses.models import LessonPage, QuizAttempt
from courses.tests.factories import (
    RIGHT_ANSWERS,
    CheckinCodeFactory,
    CoursePageFactory,
    EnrolmentFactory,
    LessonPageFactory,
    OfflineSessionFactory,
    catalogue,
    lesson_with_quiz,
    quiz_block,
    text_block,
)
from courses.views import COURSE_COMPLETED, ENROLLED, QUIZ_FAILED
from lms.constants import Stage, Subject
from lms.tests.factories import TeacherFactory, UserFactory

pytestmark = pytest.mark.django_db


def english(client):
    client.cookies["django_language"] = "en"


def messages_of(response):
    """The messages a response added (the test client does not follow the
    redirect, so earlier unread messages are still queued before them)."""
    return [str(message) for message in get_messages(response.wsgi_request)][-1:]


@pytest.fixture
def teacher(client):
    teacher = TeacherFactory(real_name="张伟")
    client.force_login(teacher.user)
    english(client)
    return teacher


@pytest.fixture
def course():
    return CoursePageFactory(title="初中物理实验教学创新", credit_hours=Decimal("4"))


# The lesson page ---------------------------------------------------------------------


def test_the_lesson_page_shows_progress_and_the_quiz_without_its_answers(client, teacher, course):
    first = LessonPageFactory(parent=course, title="第一课")
    lesson, quiz_id = lesson_with_quiz(course)
    enrolment = services.enrolment_create(course=course, teacher=teacher)
    services.lesson_complete(enrolment=enrolment, lesson=first)

    text = client.get(f"/learn/{lesson.pk}/").content.decode()

    assert "1 of 2 lessons done" in text
    assert f'name="quiz" value="{quiz_id}"' in text
    assert "光在真空中的传播速度约为？" in text and "3×10⁸ 米/秒" in text
    # Nothing tells the right choice apart: no flag, no explanation, no raw data.
    assert "correct" not in text.lower()
    assert "光速约为每秒三十万千米" not in text
    assert "true_is_correct" not in text
    assert f'href="/learn/{first.pk}/"' in text


def test_answers_are_shown_only_after_the_quiz_is_passed(client, teacher, course):
    lesson, quiz_id = lesson_with_quiz(course)
    enrolment = services.enrolment_create(course=course, teacher=teacher)
    services.quiz_submit(enrolment=enrolment, lesson=lesson, quiz_id=quiz_id,
                         answers={"q0": ["0"], "q1": ["1"], "q2": ["false"]})
    text = client.get(f"/learn/{lesson.pk}/").content.decode()
    assert "Attempt 1: 0%" in text
    assert "光速约为每秒三十万千米" not in text, "a failed attempt with tries left reveals nothing"
    services.quiz_submit(enrolment=enrolment, lesson=lesson, quiz_id=quiz_id, answers=RIGHT_ANSWERS)
    text = client.get(f"/learn/{lesson.pk}/").content.decode()
    assert "光速约为每秒三十万千米" in text and "Correct answer:" in text
    assert "Submit answers" not in text


def test_submitting_a_quiz_through_the_page(client, teacher, course):
    lesson, quiz_id = lesson_with_quiz(course)
    services.enrolment_create(course=course, teacher=teacher)
    response = client.post(f"/learn/{lesson.pk}/quiz/", {"quiz": quiz_id, "q0": "0", "q1": ["1"], "q2": "false"})
    assert response.status_code == 302 and response["Location"] == f"/learn/{lesson.pk}/#quiz-{quiz_id}"
    assert messages_of(response) == [str(QUIZ_FAILED % {"score": 0, "pass_mark": 60})]
    client.get(f"/learn/{lesson.pk}/")  # reads the message
    response = client.post(f"/learn/{lesson.pk}/quiz/", {"quiz": quiz_id, **RIGHT_ANSWERS})
    assert [str(m) for m in get_messages(response.wsgi_request)] == ["You passed the quiz with 100%.",
                                                                     str(COURSE_COMPLETED)]
    assert QuizAttempt.objects.filter(passed=True).count() == 1


@pytest.mark.parametrize(
    "data, message",
    [
        ({"q0": "1"}, "This quiz is not part of this lesson. Reload the page and try again."),
        ({"quiz": "nope", "q0": "1"}, "This quiz is not part of this lesson. Reload the page and try again."),
        ({"quiz": "QUIZ", "q0": "1", "q1": "0"}, "Answer every question before submitting: question 3 has no answer."),
        ({"quiz": "QUIZ", "q0": "x", "q1": "0", "q2": "true"},
         "The answer to question 1 is not one of its choices. Reload the page and try again."),
    ],
)
def test_bad_quiz_posts_get_a_message_not_an_error(client, teacher, course, data, message):
    lesson, quiz_id = lesson_with_quiz(course)
    services.enrolment_create(course=course, teacher=teacher)
    data = {key: (quiz_id if value == "QUIZ" else value) for key, value in data.items()}
    response = client.post(f"/learn/{lesson.pk}/quiz/", data)
    assert response.status_code == 302
    assert messages_of(response) == [message]
    assert not QuizAttempt.objects.exists()


def test_a_lesson_of_a_course_one_is_not_enrolled_in(client, teacher, course):
    lesson, quiz_id = lesson_with_quiz(course)
    response = client.get(f"/learn/{lesson.pk}/")
    assert response.status_code == 302 and response["Location"] == course.url
    assert messages_of(response) == ["You are not enrolled in this course. Enrol first."]
    response = client.post(f"/learn/{lesson.pk}/quiz/", {"quiz": quiz_id, **RIGHT_ANSWERS})
    assert messages_of(response) == ["You are not enrolled in this course. Enrol first."]
    response = client.post(f"/learn/{lesson.pk}/done/")
    assert messages_of(response) == ["You are not enrolled in this course. Enrol first."]
    assert not QuizAttempt.objects.exists()
    assert client.get("/learn/999999/").status_code == 404


def test_a_teacher_never_sees_another_teachers_progress_or_answers(client, teacher, course):
    lesson, quiz_id = lesson_with_quiz(course)
    other = TeacherFactory(real_name="李娜")
    theirs = services.enrolment_create(course=course, teacher=other)
    services.quiz_submit(enrolment=theirs, lesson=lesson, quiz_id=quiz_id, answers=RIGHT_ANSWERS)
    services.lesson_complete(enrolment=theirs, lesson=lesson)

    # Not enrolled: the other teacher's records do not let this one in.
    assert client.get(f"/learn/{lesson.pk}/").status_code == 302
    services.enrolment_create(course=course, teacher=teacher)
    text = client.get(f"/learn/{lesson.pk}/").content.decode()
    assert "0 of 1 lessons done" in text
    assert "Attempt 1" not in text and "光速约为每秒三十万千米" not in text
    my = client.get("/my/learning/").content.decode()
    assert course.title in my and "李娜" not in my
    assert "0 of 1 lessons done" in my


def _bulk_lessons(course, count, quiz_id):
    """``count`` lessons, the last with a quiz and an image-free body, added
    to the tree in bulk (treebeard's add_child costs several queries each)."""
    body = json.dumps([text_block()])
    lessons = []
    for number in range(count):
        lesson = LessonPage(title=f"第{number + 1}课", slug=f"l{number}", body=body)
        lessons.append(lesson)
    last = LessonPageFactory(parent=course, body=json.dumps([text_block(), quiz_block(quiz_id=quiz_id)]))
    for lesson in lessons[:-1]:
        course.add_child(instance=lesson)
    return last


# Session, user, the lesson with its course and the teacher's enrolment (one
# statement), the course's lessons with done flags and this lesson's
# attempts: 5, within the budget of 10. The header's permissions come from
# the session and its branding from the cache after the first visit.
LESSON_PAGE_QUERIES = 10


@pytest.mark.parametrize("size", [1, 50, 500])
def test_the_lesson_page_runs_a_fixed_number_of_queries(client, teacher, course, size,
                                                        django_assert_max_num_queries, django_assert_num_queries):
    quiz_id = str(uuid.uuid4())
    if size == 1:
        lesson = LessonPageFactory(parent=course, body=json.dumps([text_block(), quiz_block(quiz_id=quiz_id)]))
    else:
        lesson = _bulk_lessons(course, size, quiz_id)
    enrolment = services.enrolment_create(course=course, teacher=teacher)
    # A history: other courses completed, progress and failed attempts here.
    for _ in range(3):
        EnrolmentFactory(teacher=teacher, status=EnrolmentStatus.COMPLETED)
    services.lesson_complete(enrolment=enrolment, lesson=lesson)
    services.quiz_submit(enrolment=enrolment, lesson=lesson, quiz_id=quiz_id,
                         answers={"q0": ["0"], "q1": ["1"], "q2": ["false"]})
    client.get(f"/learn/{lesson.pk}/")  # fills the caches any later request finds filled

    with django_assert_max_num_queries(LESSON_PAGE_QUERIES) as captured:
        response = client.get(f"/learn/{lesson.pk}/")
    assert response.status_code == 200
    assert len(captured) == 5
    text = response.content.decode()
    assert text.count('<li') >= size
    assert f"1 of {size} lessons done" in text
    assert "Attempt 1: 0%" in text
    # The same count at every size: pinned exactly, not only bounded.
    with django_assert_num_queries(len(captured)):
        client.get(f"/learn/{lesson.pk}/")


# Session, user, the lesson with the teacher's enrolment (one statement);
# the transaction; the enrolment locked (with teacher, school and course);
# progress read or created (one statement); the completion rule (required lessons done,
# the lessons' quizzes); the ledger in a savepoint (lock the teacher's yearly
# tally and read the cap; the entry; the teacher's and dashboards' totals and
# the audit-log line, one statement on PostgreSQL, three on SQLite); the
# enrolment completed; the certificate's task promised (the outbox's INSERT).
# Sending it after commit runs no query.
COMPLETION_POST_QUERIES = {"postgresql": 16, "sqlite": 18}


def test_a_completing_post_runs_a_fixed_number_of_queries_and_none_after_commit(
    client, teacher, course, django_assert_num_queries, django_capture_on_commit_callbacks, monkeypatch
):
    from django.contrib.contenttypes.models import ContentType
    from django.db import connection

    from certificates import tasks
    from courses.models import Enrolment
    from lms.models import TrainingCredit

    queued = []
    lessons = [LessonPageFactory(parent=course) for _ in range(2)]
    services.enrolment_create(course=course, teacher=teacher)
    client.post(f"/learn/{lessons[0].pk}/done/")  # fills the caches any later request finds filled
    for model in (Enrolment, TrainingCredit):  # content types, cached once per process
        ContentType.objects.get_for_model(model)

    monkeypatch.setattr(
        tasks.certificate_issue_task, "apply_async", lambda **options: queued.append(options["kwargs"])
    )
    with django_assert_num_queries(COMPLETION_POST_QUERIES[connection.vendor]) as captured:
        with django_capture_on_commit_callbacks(execute=True):
            response = client.post(f"/learn/{lessons[1].pk}/done/")
    assert response.status_code == 302
    assert messages_of(response) == [str(COURSE_COMPLETED)]
    # The certificate's one task, its kwargs all it needs: the worker reads
    # nothing of the completion again.
    assert [(kwargs["kind"], kwargs["holder_pk"], kwargs["subject_pk"]) for kwargs in queued] == [
        ("course", teacher.pk, str(course.pk))]
    sql = [query["sql"] for query in captured.captured_queries]
    assert sum("lms_trainingcredit" in statement and statement.startswith("INSERT") for statement in sql) == 1
    assert not any("certificates_" in statement for statement in sql)


# Catalogue, course page, enrolment ---------------------------------------------------------


def test_the_catalogue_filters_and_searches(client, teacher):
    physics = CoursePageFactory(title="高中物理奥赛辅导", subject=Subject.PHYSICS, stage=Stage.SENIOR,
                                category=CourseCategory.OLYMPIAD_COACHING, credit_hours=Decimal("30"))
    lab = CoursePageFactory(title="小学科学实验室安全", subject=Subject.SCIENCE, mode=CourseMode.OFFLINE,
                            category=CourseCategory.LAB_TEACHING, credit_hours=Decimal("4"))
    closed = CoursePageFactory(title="已结束的课程", enrol_closes_at=timezone.now() - datetime.timedelta(days=1))
    url = catalogue().url

    def titles(query=""):
        text = client.get(f"{url}?{query}").content.decode()
        return {course.title for course in (physics, lab, closed) if course.title in text}

    assert titles() == {physics.title, lab.title, closed.title}
    assert titles("subject=physics") == {physics.title}
    assert titles("stage=senior") == {physics.title}
    assert titles("mode=offline") == {lab.title}
    assert titles("category=lab_teaching") == {lab.title}
    assert titles("hours=gte24") == {physics.title}
    assert titles("hours=lt8") == {lab.title}  # the closed course has 8 hours
    assert titles("open_only=on") == {physics.title, lab.title}
    assert titles("q=奥赛") == {physics.title}
    # Nonsense in the query string is ignored, never a 500.
    assert titles("subject=astrology&hours=lots&page=abc") == {physics.title, lab.title, closed.title}


def test_enrolling_and_leaving_through_the_course_page(client, teacher, course):
    LessonPageFactory(parent=course, title="第一课 实验设计")
    text = client.get(course.url).content.decode()
    assert "Enrol" in text and '/learn/' not in text
    response = client.post(f"/enrol/{course.pk}/")
    assert response["Location"] == course.url and messages_of(response) == [str(ENROLLED)]
    text = client.get(course.url).content.decode()
    assert "/learn/" in text and "Leave this course" in text
    response = client.post(f"/unenrol/{course.pk}/")
    assert messages_of(response) == ["You have left the course. You can enrol again while enrolment is open."]


def test_enrolling_in_a_full_or_closed_course_says_so(client, teacher):
    full = CoursePageFactory(capacity=1)
    EnrolmentFactory(course=full)
    closed = CoursePageFactory(enrol_closes_at=timezone.now() - datetime.timedelta(hours=1))
    assert messages_of(client.post(f"/enrol/{full.pk}/")) == ["This course is full."]
    assert messages_of(client.post(f"/enrol/{closed.pk}/")) == ["Enrolment for this course has closed."]
    assert client.post("/enrol/999999/").status_code == 404


def test_a_user_without_a_teacher_profile_is_told(client, course):
    client.force_login(UserFactory())
    english(client)
    assert messages_of(client.post(f"/enrol/{course.pk}/")) == ["Only teachers with a teacher profile can take courses."]
    assert "This page is for teachers" in client.get("/my/learning/").content.decode()


def test_my_learning_counts_this_years_hours(client, teacher):
    done = CoursePageFactory(title="已完成的课程", credit_hours=Decimal("6"))
    lesson = LessonPageFactory(parent=done)
    services.lesson_complete(enrolment=services.enrolment_create(course=done, teacher=teacher), lesson=lesson)
    going = CoursePageFactory(title="进行中的课程")
    LessonPageFactory(parent=going)
    services.enrolment_create(course=going, teacher=teacher)
    text = client.get("/my/learning/").content.decode()
    assert "已完成的课程" in text and "进行中的课程" in text
    assert '<span class="stat-value">6</span>' in text


def test_checking_in_through_the_page(client, teacher):
    session = OfflineSessionFactory()
    services.enrolment_create(course=session.course, teacher=teacher)
    code = CheckinCodeFactory(session=session, code="314159")
    response = client.post("/checkin/", {"code": "314 159"})
    assert response.status_code == 302
    assert messages_of(response) == [f"You are checked in to {session.title}."]
    response = client.post("/checkin/", {"code": code.code})
    assert "You are already checked in to this session." in response.content.decode()
    response = client.post("/checkin/", {"code": "000000"})
    assert "This check-in code is not valid." in response.content.decode()
    assert 'label for="id_code"' in client.get("/checkin/").content.decode()


def test_the_main_navigation_follows_the_catalogue_when_its_address_changes(client):
    index = catalogue()
    english(client)
    assert f'<a href="{index.url}">Courses</a>' in client.get("/").content.decode()  # cached from here on

    index.slug = "kecheng"
    index.save_revision().publish()
    index.refresh_from_db()

    assert index.url.endswith("/kecheng/")
    assert f'<a href="{index.url}">Courses</a>' in client.get("/").content.decode()


def test_a_course_names_its_live_prerequisites_and_its_draft_previews(client):
    from lms.constants import Role
    from lms.tests.factories import user_with_role

    basics = CoursePageFactory(title="科学探究基础")
    withdrawn = CoursePageFactory(title="已下线课程")
    withdrawn.unpublish()
    course = CoursePageFactory(title="探究式教学进阶")
    course.prerequisites.set([basics, withdrawn])
    course.save_revision().publish()
    page = client.get(course.url).content.decode()
    assert "科学探究基础" in page and "已下线课程" not in page

    # A preview reads the prerequisites from the draft revision, in memory.
    course.title = "探究式教学进阶（修订稿）"
    course.save_revision()
    client.force_login(user_with_role(Role.ACADEMY_ADMIN))
    response = client.get(f"/admin/pages/{course.pk}/view_draft/")
    assert response.status_code == 200
    assert "科学探究基础" in response.content.decode()


# The catalogue, the course page and "my learning" after the first visit:
# the header's permissions come from the session (as on the lesson page) and
# the teacher, read once, is the header's name too. No count grows with the
# number of courses, lessons or enrolments.
CATALOGUE_QUERIES = 12
COURSE_PAGE_QUERIES = 20
MY_LEARNING_QUERIES = 7


def _no_permission_reads(captured):
    return not any("auth_permission" in query["sql"] for query in captured)


@pytest.mark.parametrize("size", [1, 13])
def test_the_catalogue_runs_a_fixed_number_of_queries(client, teacher, size, django_assert_num_queries):
    for number in range(size):
        CoursePageFactory(title=f"课程{number}", subject=Subject.PHYSICS)
    url = catalogue().url
    client.get(url)  # fills the caches and the session any later request finds filled
    with django_assert_num_queries(CATALOGUE_QUERIES) as captured:
        response = client.get(url)
    assert response.status_code == 200 and f"课程{size - 1}" in response.content.decode()
    assert _no_permission_reads(captured)


@pytest.mark.parametrize("size", [1, 20])
def test_the_course_page_runs_a_fixed_number_of_queries(client, teacher, course, size, django_assert_num_queries):
    for number in range(size):
        LessonPageFactory(parent=course, title=f"第{number + 1}课")
    services.enrolment_create(course=course, teacher=teacher)
    client.get(course.url)
    with django_assert_num_queries(COURSE_PAGE_QUERIES) as captured:
        response = client.get(course.url)
    text = response.content.decode()
    assert response.status_code == 200 and f"第{size}课" in text and "张伟" in text
    assert _no_permission_reads(captured)
    assert sum("lms_teacherprofile" in query["sql"] for query in captured) == 1


@pytest.mark.parametrize("size", [1, 6])
def test_my_learning_runs_a_fixed_number_of_queries(client, teacher, size, django_assert_num_queries):
    for number in range(size):
        course = CoursePageFactory(title=f"课程{number}")
        LessonPageFactory(parent=course)
        services.enrolment_create(course=course, teacher=teacher)
    client.get("/my/learning/")
    with django_assert_num_queries(MY_LEARNING_QUERIES) as captured:
        response = client.get("/my/learning/")
    assert response.status_code == 200 and f"课程{size - 1}" in response.content.decode()
    assert _no_permission_reads(captured)


def test_the_course_facts_show_the_choice_labels(client, teacher):
    course = CoursePageFactory(subject=Subject.PHYSICS, stage=Stage.JUNIOR, mode=CourseMode.BLENDED,
                               category=CourseCategory.LAB_TEACHING)
    expected = [course.get_subject_display(), course.get_stage_display(), course.get_mode_display(),
                course.get_category_display()]
    for url in (course.url, catalogue().url):
        text = client.get(url).content.decode()
        assert all(f"<dd>{label}</dd>" in text for label in expected)
    client.cookies["django_language"] = "zh-hans"
    text = client.get(course.url).content.decode()
    assert "<dd>物理</dd>" in text
