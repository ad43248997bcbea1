"""Concurrent requests on PostgreSQL: twenty threads completing the same
enrolment, submitting the same quiz or enrolling in a nearly full course
at once. Real threads, real transactions, real row locks."""

import threading
from decimal import Decimal

import pytest
from django.db import connection

from courses import services
from courses.constants import EnrolmentStatus
from courses.models import Enrolment, QuizAttempt
from courses.tests.factories import RIGHT_ANSWERS, CoursePageFactory, LessonPageFactory, lesson_with_quiz
from lms.ledger.services import ledger_reconcile
from lms.models import TeacherYearTally, TrainingCredit
from lms.tests.builders import THREADS, run_at_once
from lms.tests.completions import completions_announced
from lms.tests.factories import TeacherFactory


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_twenty_concurrent_lesson_completions_credit_once():
    course = CoursePageFactory(credit_hours=Decimal("5"))
    lesson = LessonPageFactory(parent=course)
    teacher = TeacherFactory()
    enrolment = services.enrolment_create(course=course, teacher=teacher)

    with completions_announced() as announced:
        results, refusals, errors = run_at_once(lambda: services.lesson_complete(enrolment=enrolment, lesson=lesson))

    assert errors == [] and refusals == []
    assert len(results) == THREADS and all(result.completed for result in results)
    assert TrainingCredit.objects.filter(source_key=f"course-completion:{enrolment.pk}").count() == 1
    # Announced once, so the certificate is promised once.
    assert [completion.evidence.pk for completion in announced] == [enrolment.pk]
    assert TeacherYearTally.objects.get(teacher=teacher).hours == Decimal("5")
    assert ledger_reconcile() == []


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_twenty_concurrent_quiz_submissions_record_one_pass_and_credit_once():
    course = CoursePageFactory(credit_hours=Decimal("3"))
    lesson, quiz_id = lesson_with_quiz(course, attempts_allowed=0)
    enrolment = services.enrolment_create(course=course, teacher=TeacherFactory())

    results, refusals, errors = run_at_once(lambda: services.quiz_submit(
        enrolment=enrolment, lesson=lesson, quiz_id=quiz_id, answers=RIGHT_ANSWERS))

    assert errors == []
    assert len(results) == 1 and results[0].progress.completed
    assert refusals == [str(services.QUIZ_ALREADY_PASSED)] * (THREADS - 1)
    assert QuizAttempt.objects.count() == 1
    assert TrainingCredit.objects.count() == 1
    assert Enrolment.objects.get().status == EnrolmentStatus.COMPLETED


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_twenty_teachers_racing_for_five_places_fill_exactly_five():
    course = CoursePageFactory(capacity=5)
    teachers = iter([TeacherFactory() for _ in range(THREADS)])
    lock = threading.Lock()

    def enrol():
        with lock:
            teacher = next(teachers)
        return services.enrolment_create(course=course, teacher=teacher)

    results, refusals, errors = run_at_once(enrol)

    assert errors == []
    assert len(results) == 5
    assert refusals == [str(services.COURSE_FULL)] * (THREADS - 5)
    assert Enrolment.objects.filter(course=course).count() == 5


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_teachers_learning_action_locks_only_their_own_enrolment():
    """While one teacher's completion holds its lock, another teacher of the
    same course can act, and an editor can still lock the course's page to
    publish it: nothing but the enrolment row is held."""
    from django.db import transaction
    from wagtail.models import Page

    from courses.models import CoursePage

    course = CoursePageFactory()
    first, second = (services.enrolment_create(course=course, teacher=TeacherFactory()) for _ in range(2))
    holding, release = threading.Event(), threading.Event()
    seen = {}

    def hold_first():
        try:
            with transaction.atomic():
                services.enrolment_lock(first)
                holding.set()
                release.wait(10)
        finally:
            connection.close()

    def try_others():
        try:
            holding.wait(10)
            with transaction.atomic():
                with connection.cursor() as cursor:
                    cursor.execute("SET LOCAL lock_timeout = '2s'")
                seen["other enrolment"] = services.enrolment_lock(second).pk
                seen["course"] = CoursePage.objects.select_for_update(nowait=True).filter(pk=course.pk).count()
                seen["page"] = Page.objects.select_for_update(nowait=True).filter(pk=course.pk).count()
            with transaction.atomic():
                with connection.cursor() as cursor:
                    cursor.execute("SET LOCAL lock_timeout = '200ms'")
                services.enrolment_lock(first)
        except Exception as error:  # noqa: BLE001 - the assertion reports it
            seen["blocked"] = type(error).__name__
        finally:
            release.set()
            connection.close()

    threads = [threading.Thread(target=hold_first), threading.Thread(target=try_others)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    # The same enrolment is still serialised: the second lock on it times out.
    assert seen == {"other enrolment": second.pk, "course": 1, "page": 1, "blocked": "OperationalError"}
