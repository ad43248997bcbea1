"""Enrolment, learning actions and completion: what each service writes,
that completion credits the ledger exactly once, and every refusal's message."""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone, translation

from courses import services
from courses.constants import AttendanceVia, CourseMode, EnrolmentStatus
from courses.models import Attendance, CoursePage, Enrolment, LessonProgress, QuizAttempt
from courses.quiz import ANSWER_MALFORMED, ANSWER_MISSING, ANSWERS_FOR_ANOTHER_QUIZ
from courses.tests.factories import (
    RIGHT_ANSWERS,
    WRONG_ANSWERS,
    CheckinCodeFactory,
    CoursePageFactory,
    EnrolmentFactory,
    LessonPageFactory,
    OfflineSessionFactory,
    lesson_with_quiz,
)
from lms.constants import CreditCategory, Position
from lms.events import CompletionKind
from lms.models import PendingTask, TeacherYearTally, TrainingCredit
from lms.tests.factories import TeacherFactory

pytestmark = pytest.mark.django_db


def message_of(excinfo):
    return " ".join(excinfo.value.messages)


def refused(message, call, **params):
    """``call`` is refused with ``message`` (its ``params`` filled in), in
    English and in Chinese, and the Chinese is a translation, not the msgid."""
    with pytest.raises(ValidationError) as excinfo:
        call()
    seen = {}
    for language in ("en", "zh-hans"):
        with translation.override(language):
            expected = str(message) % params if params else str(message)
            assert message_of(excinfo) == expected, language
            seen[language] = str(message)
    assert seen["zh-hans"] != seen["en"], f"no Chinese for {seen['en']!r}"


@pytest.fixture
def teacher():
    return TeacherFactory()


@pytest.fixture
def course():
    return CoursePageFactory(credit_hours=Decimal("6"))


# The locked read ------------------------------------------------------------------


def test_the_locked_enrolment_reads_what_the_orm_reads(django_assert_num_queries):
    """A learning action re-reads the enrolment with its course, teacher and
    school in one hand-written statement: the same values as the ORM's, and
    a course field it leaves out loads when touched rather than reading as
    a default."""
    teacher = TeacherFactory(is_lab_manager=True)
    course = CoursePageFactory(credit_hours=Decimal("7.50"), required_sessions=2, min_minutes=30,
                               enrol_closes_at=timezone.now() + datetime.timedelta(days=3),
                               audience=[Position.LAB_MANAGER], summary="实验室安全与规范")
    enrolment = services.enrolment_create(course=course, teacher=teacher)

    def values(instance, names):
        return {name: getattr(instance, name) for name in names}

    with transaction.atomic(), django_assert_num_queries(1):
        locked = services.enrolment_lock(enrolment)
    orm = Enrolment.objects.select_related("course", "teacher__school").get(pk=enrolment.pk)
    assert values(locked, [f.attname for f in Enrolment._meta.concrete_fields]) == values(
        orm, [f.attname for f in Enrolment._meta.concrete_fields])
    for related, names in ((lambda e: e.course, [
        "id", "title", "path", "depth", "live", "credit_hours", "mode", "audience", "enrol_closes_at",
        "requires_lessons", "requires_quizzes", "required_sessions", "min_minutes", "issues_certificate",
    ]), (lambda e: e.teacher, ["id", "user_id", "real_name", "subject", "stage", "school_id"]),
            (lambda e: e.teacher.school, ["id", "district_id", "locality"])):
        with django_assert_num_queries(0):
            assert values(related(locked), names) == values(related(orm), names)
    assert isinstance(locked.course, CoursePage) and locked.course.credit_hours == Decimal("7.50")
    with django_assert_num_queries(1):
        assert locked.course.summary == "实验室安全与规范"


def test_an_enrolment_has_no_save_hooks_for_the_completions_direct_update_to_skip():
    """Completion writes the enrolment's status with a plain UPDATE
    (``lms.db.rows.fields_update``), which sends no signals."""
    from django.db import models
    from django.db.models.signals import post_save, pre_save
    from django.dispatch.dispatcher import _make_id

    assert Enrolment.save is models.Model.save
    for signal in (pre_save, post_save):
        assert not [entry for entry in signal.receivers if entry[0][1] == _make_id(Enrolment)]


def test_a_teacher_without_a_school_reads_as_such_and_is_not_credited(course):
    teacher = TeacherFactory(school=None)
    lesson = LessonPageFactory(parent=course)
    enrolment = services.enrolment_create(course=course, teacher=teacher)
    with transaction.atomic():
        assert services.enrolment_lock(enrolment).teacher.school is None
    progress = services.lesson_complete(enrolment=enrolment, lesson=lesson)
    assert not progress.completed and progress.problems
    assert not TrainingCredit.objects.filter(teacher=teacher).exists()


# Enrolment -------------------------------------------------------------------------


def test_enrol_then_withdraw_then_enrol_again(course, teacher):
    enrolment = services.enrolment_create(course=course, teacher=teacher)
    assert enrolment.status == EnrolmentStatus.ENROLLED
    refused(services.ALREADY_ENROLLED, lambda: services.enrolment_create(course=course, teacher=teacher))
    services.enrolment_withdraw(enrolment=enrolment)
    enrolment.refresh_from_db()
    assert enrolment.status == EnrolmentStatus.WITHDRAWN and enrolment.withdrawn_at
    again = services.enrolment_create(course=course, teacher=teacher)
    assert again.pk == enrolment.pk and again.status == EnrolmentStatus.ENROLLED
    assert Enrolment.objects.count() == 1


def test_enrolment_window_is_respected(teacher):
    now = timezone.now()
    later = CoursePageFactory(enrol_opens_at=now + datetime.timedelta(days=1))
    closed = CoursePageFactory(enrol_closes_at=now - datetime.timedelta(minutes=1))
    refused(services.ENROLMENT_NOT_OPEN, lambda: services.enrolment_create(course=later, teacher=teacher))
    refused(services.ENROLMENT_CLOSED, lambda: services.enrolment_create(course=closed, teacher=teacher))
    assert not Enrolment.objects.exists()


def test_a_full_course_refuses_and_withdrawing_frees_a_place():
    course = CoursePageFactory(capacity=2)
    first, second, third = TeacherFactory(), TeacherFactory(), TeacherFactory()
    services.enrolment_create(course=course, teacher=first)
    kept = services.enrolment_create(course=course, teacher=second)
    refused(services.COURSE_FULL, lambda: services.enrolment_create(course=course, teacher=third))
    services.enrolment_withdraw(enrolment=kept)
    assert services.enrolment_create(course=course, teacher=third).status == EnrolmentStatus.ENROLLED


def test_prerequisites_must_be_completed_first(teacher):
    basics = CoursePageFactory(title="科学教育基础")
    advanced = CoursePageFactory()
    advanced.prerequisites.add(basics)
    advanced.save()
    refused(services.PREREQUISITES_MISSING, lambda: services.enrolment_create(course=advanced, teacher=teacher),
            courses="科学教育基础")
    EnrolmentFactory(course=basics, teacher=teacher, status=EnrolmentStatus.COMPLETED)
    assert services.enrolment_create(course=advanced, teacher=teacher)


def test_the_audience_is_respected():
    course = CoursePageFactory(audience=["lab_manager"])
    refused(services.NOT_IN_AUDIENCE, lambda: services.enrolment_create(course=course, teacher=TeacherFactory()),
            audience="Lab manager")
    assert services.enrolment_create(course=course, teacher=TeacherFactory(is_lab_manager=True))


def test_a_user_without_teacher_profile_cannot_enrol(course):
    refused(services.NOT_A_TEACHER, lambda: services.enrolment_create(course=course, teacher=None))


def test_a_completed_course_cannot_be_left(course, teacher):
    enrolment = EnrolmentFactory(course=course, teacher=teacher, status=EnrolmentStatus.COMPLETED)
    refused(services.CANNOT_WITHDRAW_COMPLETED, lambda: services.enrolment_withdraw(enrolment=enrolment))


# Completion and the ledger --------------------------------------------------------------


def test_doing_every_lesson_completes_and_credits_the_ledger_once(course, teacher, announced):
    first, second = LessonPageFactory(parent=course), LessonPageFactory(parent=course)
    LessonPageFactory(parent=course, is_required=False)
    enrolment = services.enrolment_create(course=course, teacher=teacher)

    assert not services.lesson_complete(enrolment=enrolment, lesson=first).completed
    assert not TrainingCredit.objects.exists()
    result = services.lesson_complete(enrolment=enrolment, lesson=second)

    assert result.completed
    enrolment.refresh_from_db()
    assert enrolment.status == EnrolmentStatus.COMPLETED and enrolment.completed_at
    credit = TrainingCredit.objects.get()
    assert credit.source_key == f"course-completion:{enrolment.pk}"
    assert (credit.hours, credit.person_times, credit.category) == (Decimal("6"), 1, CreditCategory.ONLINE_COURSE)
    assert credit.evidence == enrolment and credit.evidence_label == course.title
    assert enrolment.credit == credit
    assert TeacherYearTally.objects.get(teacher=teacher).hours == Decimal("6")

    # Re-doing a lesson, re-checking, or a retried task: nothing more.
    services.lesson_complete(enrolment=enrolment, lesson=second)
    services.enrolment_completion_check(enrolment=enrolment)
    assert TrainingCredit.objects.count() == 1
    assert LessonProgress.objects.filter(enrolment=enrolment).count() == 2


def test_the_completion_is_announced_once_inside_the_completing_transaction(course, teacher, announced):
    """Inside, so that what its receivers record (the outbox's promise of the
    certificate) commits or rolls back with the completion."""
    lesson = LessonPageFactory(parent=course)
    enrolment = services.enrolment_create(course=course, teacher=teacher)
    with pytest.raises(RuntimeError), transaction.atomic():
        services.lesson_complete(enrolment=enrolment, lesson=lesson)
        assert [completion.evidence.pk for completion in announced] == [enrolment.pk]
        raise RuntimeError("the request fails after the completion")
    enrolment.refresh_from_db()
    assert enrolment.completed_at is None
    announced.clear()
    services.lesson_complete(enrolment=enrolment, lesson=lesson)
    services.lesson_complete(enrolment=enrolment, lesson=lesson)
    assert [completion.evidence.pk for completion in announced] == [enrolment.pk]
    completion = announced[0]
    enrolment.refresh_from_db()
    assert (completion.kind, completion.teacher_pk, completion.subject.pk, completion.title) == (
        CompletionKind.COURSE, teacher.pk, course.pk, course.title)
    assert (completion.hours, completion.source_key, completion.earns_certificate) == (
        course.credit_hours, f"course-completion:{enrolment.pk}", True)
    assert completion.occurred_on == timezone.localdate(enrolment.completed_at)
    assert completion.started_on == timezone.localdate(enrolment.enrolled_at)


def test_no_certificate_for_a_course_that_issues_none(teacher, announced, django_capture_on_commit_callbacks):
    course = CoursePageFactory(issues_certificate=False)
    lesson = LessonPageFactory(parent=course)
    enrolment = services.enrolment_create(course=course, teacher=teacher)
    with django_capture_on_commit_callbacks(execute=True):
        assert services.lesson_complete(enrolment=enrolment, lesson=lesson).completed
    assert [(completion.evidence.pk, completion.earns_certificate) for completion in announced] == [
        (enrolment.pk, False)]
    assert not PendingTask.objects.exists()


def test_an_offline_course_credits_an_offline_workshop(teacher):
    course = CoursePageFactory(mode=CourseMode.OFFLINE, requires_lessons=False, required_sessions=1)
    session = OfflineSessionFactory(course=course)
    enrolment = services.enrolment_create(course=course, teacher=teacher)
    assert services.attendance_record(session=session, enrolment_ids=[enrolment.pk], recorded_by=None) == 1
    assert TrainingCredit.objects.get().category == CreditCategory.OFFLINE_WORKSHOP
    assert services.attendance_record(session=session, enrolment_ids=[enrolment.pk], recorded_by=None) == 0
    assert TrainingCredit.objects.count() == 1


def test_a_teacher_without_school_keeps_progress_but_is_not_credited(course):
    teacher = TeacherFactory(school=None)
    lesson = LessonPageFactory(parent=course)
    enrolment = services.enrolment_create(course=course, teacher=teacher)
    result = services.lesson_complete(enrolment=enrolment, lesson=lesson)
    assert not result.completed
    assert "could not be credited yet" in str(result.problems[0])
    assert LessonProgress.objects.get(enrolment=enrolment).completed_at
    enrolment.refresh_from_db()
    assert enrolment.status == EnrolmentStatus.ENROLLED
    assert not TrainingCredit.objects.exists()


def test_minimum_time_counts_each_visit_once(teacher):
    course = CoursePageFactory(min_minutes=30)
    lesson = LessonPageFactory(parent=course)
    enrolment = services.enrolment_create(course=course, teacher=teacher)
    start = timezone.now() - datetime.timedelta(minutes=40)
    token = services.lesson_visit_token(lesson, now=start)
    first_end = start + datetime.timedelta(minutes=20)
    assert not services.lesson_complete(enrolment=enrolment, lesson=lesson, visit_token=token, now=first_end).completed
    # The same visit's form posted again adds nothing.
    services.lesson_complete(enrolment=enrolment, lesson=lesson, visit_token=token)
    enrolment.refresh_from_db()
    assert enrolment.minutes_on_lessons == 20
    later = services.lesson_visit_token(lesson, now=timezone.now() - datetime.timedelta(minutes=15))
    assert services.lesson_complete(enrolment=enrolment, lesson=lesson, visit_token=later).completed
    # A forged token counts nothing.
    other = services.enrolment_create(course=course, teacher=TeacherFactory())
    forged = services.lesson_visit_token(lesson, now=start) + "x"
    assert not services.lesson_complete(enrolment=other, lesson=lesson, visit_token=forged, now=first_end).completed
    other.refresh_from_db()
    assert other.minutes_on_lessons == 0


def test_a_lesson_of_another_course_is_refused(course, teacher):
    other_lesson = LessonPageFactory(parent=CoursePageFactory())
    enrolment = services.enrolment_create(course=course, teacher=teacher)
    refused(services.LESSON_NOT_IN_COURSE, lambda: services.lesson_complete(enrolment=enrolment, lesson=other_lesson))
    refused(services.NOT_ENROLLED, lambda: services.lesson_complete(enrolment=None, lesson=other_lesson))
    assert not LessonProgress.objects.exists()


# Quizzes -------------------------------------------------------------------------------


def test_passing_the_quiz_and_the_lesson_completes(course, teacher):
    lesson, quiz_id = lesson_with_quiz(course)
    enrolment = services.enrolment_create(course=course, teacher=teacher)
    failed = services.quiz_submit(enrolment=enrolment, lesson=lesson, quiz_id=quiz_id, answers=WRONG_ANSWERS)
    assert (failed.attempt.score, failed.attempt.passed, failed.attempt.number) == (0, False, 1)
    assert not LessonProgress.objects.get(enrolment=enrolment).completed_at
    services.lesson_complete(enrolment=enrolment, lesson=lesson)
    assert not TrainingCredit.objects.exists(), "the quiz is not passed yet"
    passed = services.quiz_submit(enrolment=enrolment, lesson=lesson, quiz_id=quiz_id, answers=RIGHT_ANSWERS)
    assert (passed.attempt.score, passed.attempt.passed, passed.attempt.number) == (100, True, 2)
    assert passed.progress.completed
    assert TrainingCredit.objects.count() == 1
    refused(services.QUIZ_ALREADY_PASSED, lambda: services.quiz_submit(
        enrolment=enrolment, lesson=lesson, quiz_id=quiz_id, answers=RIGHT_ANSWERS))
    assert QuizAttempt.objects.count() == 2 and TrainingCredit.objects.count() == 1


def test_passing_a_lessons_quiz_marks_the_lesson_done(course, teacher):
    lesson, quiz_id = lesson_with_quiz(course)
    LessonPageFactory(parent=course)
    enrolment = services.enrolment_create(course=course, teacher=teacher)
    services.quiz_submit(enrolment=enrolment, lesson=lesson, quiz_id=quiz_id, answers=RIGHT_ANSWERS)
    assert LessonProgress.objects.get(enrolment=enrolment, lesson=lesson).completed_at
    assert not TrainingCredit.objects.exists(), "the other lesson is not done"


def test_partly_right_scores_by_question(course, teacher):
    lesson, quiz_id = lesson_with_quiz(course, pass_mark=60)
    enrolment = services.enrolment_create(course=course, teacher=teacher)
    answers = {"q0": ["1"], "q1": ["0"], "q2": ["true"]}  # the multiple choice misses one
    attempt = services.quiz_submit(enrolment=enrolment, lesson=lesson, quiz_id=quiz_id, answers=answers).attempt
    assert (attempt.score, attempt.passed) == (66, True)


def test_attempts_run_out(course, teacher):
    lesson, quiz_id = lesson_with_quiz(course, attempts_allowed=2)
    enrolment = services.enrolment_create(course=course, teacher=teacher)
    for _ in range(2):
        services.quiz_submit(enrolment=enrolment, lesson=lesson, quiz_id=quiz_id, answers=WRONG_ANSWERS)
    refused(services.NO_ATTEMPTS_LEFT, lambda: services.quiz_submit(
        enrolment=enrolment, lesson=lesson, quiz_id=quiz_id, answers=RIGHT_ANSWERS), allowed=2)
    assert QuizAttempt.objects.count() == 2


@pytest.mark.parametrize(
    "answers, message, params",
    [
        ({"q0": ["1"], "q1": ["0"]}, ANSWER_MISSING, {"number": 3}),
        ({"q0": [], "q1": ["0"], "q2": ["true"]}, ANSWER_MISSING, {"number": 1}),
        ({"q0": ["7"], "q1": ["0"], "q2": ["true"]}, ANSWER_MALFORMED, {"number": 1}),
        ({"q0": ["0", "1"], "q1": ["0"], "q2": ["true"]}, ANSWER_MALFORMED, {"number": 1}),
        ({"q0": ["1"], "q1": ["0"], "q2": ["maybe"]}, ANSWER_MALFORMED, {"number": 3}),
        ({"q0": ["1"], "q1": ["0", "0"], "q2": ["true"]}, ANSWER_MALFORMED, {"number": 2}),
        ({"q0": "1", "q1": ["0"], "q2": ["true"]}, ANSWER_MALFORMED, {"number": 1}),
        ({"q0": ["1"], "q1": ["0"], "q2": ["true"], "q9": ["1"]}, ANSWERS_FOR_ANOTHER_QUIZ, {}),
    ],
)
def test_bad_answers_are_refused_and_nothing_recorded(course, teacher, answers, message, params):
    lesson, quiz_id = lesson_with_quiz(course)
    enrolment = services.enrolment_create(course=course, teacher=teacher)
    refused(message, lambda: services.quiz_submit(
        enrolment=enrolment, lesson=lesson, quiz_id=quiz_id, answers=answers), **params)
    assert not QuizAttempt.objects.exists()


def test_a_quiz_of_another_lesson_is_refused(course, teacher):
    lesson, _quiz_id = lesson_with_quiz(course)
    _other, other_quiz_id = lesson_with_quiz(course)
    enrolment = services.enrolment_create(course=course, teacher=teacher)
    for quiz_id in (other_quiz_id, "", "not-a-quiz"):
        refused(services.QUIZ_NOT_FOUND, lambda: services.quiz_submit(
            enrolment=enrolment, lesson=lesson, quiz_id=quiz_id, answers=RIGHT_ANSWERS))
    assert not QuizAttempt.objects.exists()


def test_a_withdrawn_teacher_cannot_submit(course, teacher):
    lesson, quiz_id = lesson_with_quiz(course)
    enrolment = services.enrolment_create(course=course, teacher=teacher)
    services.enrolment_withdraw(enrolment=enrolment)
    enrolment.refresh_from_db()
    refused(services.NOT_ENROLLED, lambda: services.quiz_submit(
        enrolment=enrolment, lesson=lesson, quiz_id=quiz_id, answers=RIGHT_ANSWERS))


# Offline sessions and check-in ------------------------------------------------------------


@pytest.fixture
def offline():
    course = CoursePageFactory(mode=CourseMode.BLENDED, requires_lessons=False, required_sessions=1)
    return OfflineSessionFactory(course=course)


def test_checkin_with_the_current_code_records_attendance_and_completes(offline, teacher):
    enrolment = services.enrolment_create(course=offline.course, teacher=teacher)
    code = services.checkin_code_create(session=offline, created_by=None)
    attendance = services.checkin(teacher=teacher, code=f" {code.code[:3]} {code.code[3:]} ")
    assert (attendance.enrolment, attendance.via) == (enrolment, AttendanceVia.CHECKIN)
    enrolment.refresh_from_db()
    assert enrolment.status == EnrolmentStatus.COMPLETED
    refused(services.ALREADY_CHECKED_IN, lambda: services.checkin(teacher=teacher, code=code.code))
    assert Attendance.objects.count() == 1 and TrainingCredit.objects.count() == 1


def test_checkin_refusals(offline, teacher):
    services.enrolment_create(course=offline.course, teacher=teacher)
    expired = CheckinCodeFactory(session=offline, code="111111",
                                 expires_at=timezone.now() - datetime.timedelta(seconds=1))
    refused(services.CHECKIN_CODE_EXPIRED, lambda: services.checkin(teacher=teacher, code=expired.code))
    refused(services.CHECKIN_CODE_UNKNOWN, lambda: services.checkin(teacher=teacher, code="999999"))
    refused(services.CHECKIN_CODE_UNKNOWN, lambda: services.checkin(teacher=teacher, code="abc"))
    refused(services.NOT_A_TEACHER, lambda: services.checkin(teacher=None, code="111111"))
    future = OfflineSessionFactory(course=offline.course, starts_at=timezone.now() + datetime.timedelta(days=1),
                                   ends_at=timezone.now() + datetime.timedelta(days=1, hours=2))
    CheckinCodeFactory(session=future, code="222222")
    refused(services.CHECKIN_OUTSIDE_SESSION, lambda: services.checkin(teacher=teacher, code="222222"))
    stranger = TeacherFactory()
    code = services.checkin_code_create(session=offline, created_by=None)
    refused(services.NOT_ENROLLED, lambda: services.checkin(teacher=stranger, code=code.code))
    assert not Attendance.objects.exists()


def test_checking_in_to_a_full_session_is_refused(offline):
    offline.capacity = 1
    offline.save()
    first, second = TeacherFactory(), TeacherFactory()
    for teacher in (first, second):
        services.enrolment_create(course=offline.course, teacher=teacher)
    code = services.checkin_code_create(session=offline, created_by=None)
    services.checkin(teacher=first, code=code.code)
    refused(services.SESSION_FULL, lambda: services.checkin(teacher=second, code=code.code))
    assert Attendance.objects.count() == 1


def test_a_code_never_outlives_its_session(offline):
    soon_over = OfflineSessionFactory(course=offline.course, ends_at=timezone.now() + datetime.timedelta(minutes=1))
    code = services.checkin_code_create(session=soon_over, created_by=None)
    assert code.expires_at == soon_over.ends_at
    over = OfflineSessionFactory(course=offline.course, starts_at=timezone.now() - datetime.timedelta(hours=3),
                                 ends_at=timezone.now() - datetime.timedelta(hours=1))
    refused(services.SESSION_OVER, lambda: services.checkin_code_create(session=over, created_by=None))


def test_bulk_attendance_ignores_other_courses_and_withdrawn(offline):
    here = [services.enrolment_create(course=offline.course, teacher=TeacherFactory()) for _ in range(3)]
    services.enrolment_withdraw(enrolment=here[2])
    elsewhere = EnrolmentFactory()
    marked = services.attendance_record(
        session=offline, enrolment_ids=[e.pk for e in here] + [elsewhere.pk], recorded_by=None
    )
    assert marked == 2
    assert set(Attendance.objects.values_list("enrolment_id", flat=True)) == {here[0].pk, here[1].pk}
    assert TrainingCredit.objects.count() == 2
