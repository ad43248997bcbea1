"""The demo academy's course catalogue: its courses, learners and their
credits, which go through the ledger so dashboards and "my hours" agree."""

import pytest
from django.contrib.auth import get_user_model

from courses.constants import EnrolmentStatus
from courses.models import Attendance, CoursePage, Enrolment, LessonPage, OfflineSession, QuizAttempt
from courses.seeding import COMPLETED, COURSES
from courses.selectors import course_list_for_user
from lms.demo.seeding import demo_academy_seed
from lms.ledger.services import ledger_reconcile
from lms.models import TrainingCredit

pytestmark = pytest.mark.django_db


def test_the_demo_catalogue_has_courses_learners_and_credited_completions():
    summary = demo_academy_seed(teacher_count=200)

    assert summary.courses == len(COURSES) == CoursePage.objects.live().count()
    assert set(CoursePage.objects.values_list("mode", flat=True)) == {"online", "offline", "blended"}
    assert len(set(CoursePage.objects.values_list("subject", flat=True))) >= 6
    assert LessonPage.objects.count() == sum(len(spec.lessons) for spec in COURSES)
    assert all(lesson.quizzes() for lesson in LessonPage.objects.filter(slug="lesson-3"))
    assert OfflineSession.objects.exists() and Attendance.objects.exists()

    completed = Enrolment.objects.filter(status=EnrolmentStatus.COMPLETED)
    assert completed.count() == COMPLETED + 1  # and the demo teacher's
    assert Enrolment.objects.filter(status=EnrolmentStatus.ENROLLED).count() > 100
    assert QuizAttempt.objects.filter(passed=True).count() == completed.count()
    credits = TrainingCredit.objects.filter(credited_via="course-completion")
    assert credits.count() == completed.count()
    assert set(completed.values_list("credit_id", flat=True)) == set(credits.values_list("pk", flat=True))
    assert ledger_reconcile() == []

    demo = Enrolment.objects.filter(teacher__user__username="teacher")
    assert sorted(demo.values_list("status", flat=True)) == ["completed", "enrolled", "enrolled"]
    trainer = get_user_model().objects.get(username="trainer")
    assert 0 < course_list_for_user(trainer).count() < len(COURSES)
