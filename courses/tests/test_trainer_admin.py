"""Trainers in the Wagtail admin: they edit only the courses they own or
were given, submit them to the review workflow, and see reports, take
attendance and show check-in codes for their own courses only."""

import pytest
from django.contrib.auth.models import Group
from wagtail.models import GroupApprovalTask

from courses import services
from courses.constants import EnrolmentStatus
from courses.models import Attendance, CheckinCode, CoursePage, Enrolment
from courses.selectors import course_list_for_user
from courses.tests.factories import (
    CoursePageFactory,
    LessonPageFactory,
    OfflineSessionFactory,
    catalogue,
    lesson_with_quiz,
)
from lms.constants import Role
from lms.models import TrainingCredit
from lms.tests.factories import TeacherFactory, user_with_role

pytestmark = pytest.mark.django_db


@pytest.fixture
def trainer():
    return user_with_role(Role.TRAINER, username="sunli")


@pytest.fixture
def other_trainer():
    return user_with_role(Role.TRAINER, username="zhoujie")


@pytest.fixture
def course(trainer):
    course = CoursePageFactory(owner=trainer, title="小学科学实验教学")
    LessonPageFactory(parent=course, owner=trainer)
    return course


@pytest.fixture
def learners(course):
    lesson, quiz_id = lesson_with_quiz(course)
    teachers = [TeacherFactory(real_name=name) for name in ("王芳", "刘洋")]
    enrolments = [services.enrolment_create(course=course, teacher=teacher) for teacher in teachers]
    services.quiz_submit(enrolment=enrolments[0], lesson=lesson, quiz_id=quiz_id,
                         answers={"q0": ["1"], "q1": ["0", "2"], "q2": ["true"]})
    return enrolments


def login(client, user):
    client.force_login(user)
    client.cookies["django_language"] = "en"


# Editing courses --------------------------------------------------------------------------


def test_a_trainer_edits_their_own_course_and_its_lessons_only(client, trainer, other_trainer, course):
    lesson = course.get_children().first()
    theirs = CoursePageFactory(owner=other_trainer)
    assert course.permissions_for_user(trainer).can_edit()
    assert lesson.specific.permissions_for_user(trainer).can_edit()
    assert not theirs.permissions_for_user(trainer).can_edit()
    assert not course.permissions_for_user(other_trainer).can_edit()
    assert not course.permissions_for_user(trainer).can_publish(), "publishing goes through review"

    login(client, trainer)
    assert client.get(f"/admin/pages/{course.pk}/edit/").status_code == 200
    assert client.get(f"/admin/pages/{lesson.pk}/edit/").status_code == 200
    assert client.get(f"/admin/pages/{theirs.pk}/edit/").status_code in (302, 403)
    assert client.get(f"/admin/pages/add/courses/coursepage/{catalogue().pk}/").status_code == 200
    assert client.get(f"/admin/pages/add/courses/lessonpage/{theirs.pk}/").status_code in (302, 403)


def test_a_course_given_to_a_trainer_becomes_editable_for_them(client, other_trainer, course):
    login(client, other_trainer)
    assert client.get(f"/admin/pages/{course.pk}/edit/").status_code in (302, 403)
    services.course_manager_grant(course=course, user=other_trainer)
    assert client.get(f"/admin/pages/{course.pk}/edit/").status_code == 200
    assert client.get(f"/admin/pages/add/courses/lessonpage/{course.pk}/").status_code == 200
    assert list(course_list_for_user(other_trainer)) == [course]
    services.course_manager_revoke(course=course, user=other_trainer)
    assert not course_list_for_user(other_trainer).exists()


def test_courses_go_through_the_academy_admins_review(course):
    workflow = course.get_workflow()
    assert workflow is not None and workflow.name == "课程审核"
    task = workflow.tasks.get().specific
    assert isinstance(task, GroupApprovalTask)
    assert list(task.groups.all()) == [Group.objects.get(name=Role.ACADEMY_ADMIN.value)]


def test_a_trainer_submits_a_course_for_review(client, trainer):
    login(client, trainer)
    url = f"/admin/pages/add/courses/coursepage/{catalogue().pk}/"
    data = {
        "title": "高中化学实验安全", "slug": "lab-safety", "subject": "chemistry", "stage": "senior",
        "credit_hours": "4", "mode": "online", "category": "lab_teaching", "required_sessions": "0",
        "min_minutes": "0", "requires_lessons": "on", "action-submit": "1",
    }
    response = client.post(url, data)
    assert response.status_code == 302, response.content.decode()[:2000]
    course = catalogue().get_children().get(slug="lab-safety").specific
    assert course.owner == trainer and not course.live
    assert course.workflow_in_progress
    assert course_list_for_user(trainer).filter(pk=course.pk).exists()


# Reports ---------------------------------------------------------------------------------------


def test_the_report_shows_progress_and_quiz_results_to_the_courses_trainer(client, trainer, course, learners):
    login(client, trainer)
    text = client.get("/admin/course-reports/").content.decode()
    assert course.title in text
    text = client.get(f"/admin/course-reports/{course.pk}/").content.decode()
    assert "王芳" in text and "刘洋" in text and "100%" in text


def test_the_report_exports_csv_and_xlsx(client, trainer, course, learners):
    login(client, trainer)
    response = client.get(f"/admin/course-reports/{course.pk}/?export=csv")
    text = response.content.decode("utf-8-sig")
    assert response["Content-Type"].startswith("text/csv")
    header, *rows = text.strip().splitlines()
    assert header.startswith("Staff number,Name,School,Status")
    assert len(rows) == 2 and any("王芳" in row and "100%" in row for row in rows)
    response = client.get(f"/admin/course-reports/{course.pk}/?export=xlsx")
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    assert response.content[:2] == b"PK"


def test_another_trainer_sees_nothing_of_the_course(client, other_trainer, course, learners):
    session = OfflineSessionFactory(course=course)
    login(client, other_trainer)
    assert course.title not in client.get("/admin/course-reports/").content.decode()
    assert client.get(f"/admin/course-reports/{course.pk}/").status_code == 404
    assert client.get(f"/admin/course-reports/{course.pk}/?export=csv").status_code == 404
    assert client.get(f"/admin/course-reports/sessions/{session.pk}/attendance/").status_code == 404
    response = client.post(f"/admin/course-reports/sessions/{session.pk}/attendance/",
                           {"present": [learners[0].pk]})
    assert response.status_code == 404 and not Attendance.objects.exists()
    assert client.post(f"/admin/course-reports/sessions/{session.pk}/checkin/").status_code == 404
    assert not CheckinCode.objects.exists()
    assert session.title not in client.get("/admin/offline_sessions/").content.decode()
    assert client.get(f"/admin/offline_sessions/edit/{session.pk}/").status_code == 404


def test_an_academy_admin_sees_every_course(client, course, learners):
    admin = user_with_role(Role.ACADEMY_ADMIN, username="academy-admin")
    login(client, admin)
    assert client.get(f"/admin/course-reports/{course.pk}/").status_code == 200


# Attendance and check-in ------------------------------------------------------------------------


def test_taking_attendance_in_bulk_completes_offline_courses(client, trainer):
    course = CoursePageFactory(owner=trainer, requires_lessons=False, required_sessions=1)
    session = OfflineSessionFactory(course=course)
    enrolments = [services.enrolment_create(course=course, teacher=TeacherFactory()) for _ in range(3)]
    login(client, trainer)
    text = client.get(f"/admin/course-reports/sessions/{session.pk}/attendance/").content.decode()
    assert text.count('type="checkbox" name="present"') == 3
    response = client.post(f"/admin/course-reports/sessions/{session.pk}/attendance/",
                           {"present": [enrolments[0].pk, enrolments[1].pk, "junk"]})
    assert response.status_code == 302
    assert Attendance.objects.count() == 2
    assert Enrolment.objects.filter(status=EnrolmentStatus.COMPLETED).count() == 2
    assert TrainingCredit.objects.count() == 2
    text = client.get(f"/admin/course-reports/sessions/{session.pk}/attendance/").content.decode()
    assert text.count('type="checkbox" name="present"') == 1
    assert "2 teachers newly marked present." in text
    response = client.post(f"/admin/course-reports/sessions/{session.pk}/attendance/", {})
    assert "Select the teachers who are present." in client.get(response["Location"]).content.decode()


def test_the_trainer_shows_a_check_in_code_and_qr(client, trainer, course):
    session = OfflineSessionFactory(course=course)
    login(client, trainer)
    assert "No check-in code is showing" in client.get(f"/admin/course-reports/sessions/{session.pk}/checkin/").content.decode()
    client.post(f"/admin/course-reports/sessions/{session.pk}/checkin/")
    code = CheckinCode.objects.get()
    text = client.get(f"/admin/course-reports/sessions/{session.pk}/checkin/").content.decode()
    assert code.code in text and "<svg" in text and f"/checkin/?code={code.code}" in text


def test_a_trainer_schedules_sessions_only_for_their_courses(client, trainer, other_trainer, course):
    theirs = CoursePageFactory(owner=other_trainer, title="别人的课程")
    login(client, trainer)
    text = client.get("/admin/offline_sessions/new/").content.decode()
    assert course.title in text and "别人的课程" not in text
    response = client.post("/admin/offline_sessions/new/", {
        "course": theirs.pk, "title": "越权", "starts_at": "2026-05-01 09:00", "ends_at": "2026-05-01 12:00",
        "place": "某处", "hours": "3",
    })
    assert response.status_code == 200 and not theirs.sessions.exists()


def test_an_academy_admin_gives_a_course_to_another_trainer_and_takes_it_back(client, trainer, other_trainer, course):
    admin = user_with_role(Role.ACADEMY_ADMIN, username="academy-admin")
    login(client, admin)
    response = client.post(f"/admin/course-reports/{course.pk}/managers/", {"user": other_trainer.pk})
    assert response.status_code == 302
    assert course.permissions_for_user(other_trainer).can_edit()
    assert "zhoujie" in client.get(f"/admin/course-reports/{course.pk}/").content.decode()
    client.post(f"/admin/course-reports/{course.pk}/managers/", {"user": other_trainer.pk, "action": "revoke"})
    assert not CoursePage.objects.get(pk=course.pk).permissions_for_user(other_trainer).can_edit()
    response = client.post(f"/admin/course-reports/{course.pk}/managers/", {"user": admin.pk})
    assert "Choose a trainer." in client.get(response["Location"]).content.decode()


def test_a_trainer_cannot_give_away_courses(client, trainer, other_trainer, course):
    login(client, trainer)
    assert client.post(f"/admin/course-reports/{course.pk}/managers/", {"user": other_trainer.pk}).status_code == 404
    assert not course_list_for_user(other_trainer).exists()
    assert "Give this course to a trainer" not in client.get(f"/admin/course-reports/{course.pk}/").content.decode()


# The report and its CSV read the enrolments with their teachers, schools
# and counts in one statement and the quiz attempts in another: the same
# number of queries whatever the number of enrolments (the page's include
# Wagtail's admin chrome).
REPORT_QUERIES = 14
REPORT_CSV_QUERIES = 8


@pytest.mark.parametrize("more", [0, 12])
def test_the_report_runs_a_fixed_number_of_queries(client, trainer, course, learners, more,
                                                   django_assert_num_queries):
    for _ in range(more):
        services.enrolment_create(course=course, teacher=TeacherFactory())
    login(client, trainer)
    url = f"/admin/course-reports/{course.pk}/"
    client.get(url)
    with django_assert_num_queries(REPORT_QUERIES):
        text = client.get(url).content.decode()
    assert text.count("<td>Enrolled</td>") + text.count("<td>Completed</td>") == 2 + more
    with django_assert_num_queries(REPORT_CSV_QUERIES):
        rows = client.get(f"{url}?export=csv").content.decode("utf-8-sig").strip().splitlines()[1:]
    assert len(rows) == 2 + more and all(",Enrolled," in row or ",Completed," in row for row in rows)
