"""Completions elsewhere in the academy earn their certificates through the
"completion recorded" event (lms.events → certificates.receivers): one task
promised in the completing transaction, run as a worker would once the
completion has committed."""

from decimal import Decimal

import pytest

from certificates.constants import CertificateKind, CertificateStatus
from certificates.models import Certificate
from certificates.tests.factories import CertificateTemplateFactory
from certificates.tests.pdf import issued_pdf, pdf_text
from courses import services as course_services
from courses.tests.factories import CoursePageFactory, EnrolmentFactory, LessonPageFactory
from mentors import services as mentor_services
from mentors.tests.builders import activity_logged
from mentors.tests.factories import active_pairing

pytestmark = pytest.mark.django_db


def test_completing_a_course_issues_one_completion_certificate(django_capture_on_commit_callbacks):
    CertificateTemplateFactory(kind=CertificateKind.COURSE_COMPLETION, is_default=True)
    course = CoursePageFactory(title="小学科学实验教学能力提升", credit_hours=Decimal("12"), requires_quizzes=False)
    lesson = LessonPageFactory(parent=course)
    enrolment = EnrolmentFactory(course=course)
    for _ in range(2):  # a double click
        with django_capture_on_commit_callbacks(execute=True):
            course_services.lesson_complete(enrolment=enrolment, lesson=lesson, visit_token="")
    certificate = Certificate.objects.get()
    assert certificate.kind == CertificateKind.COURSE_COMPLETION
    assert certificate.holder == enrolment.teacher
    assert certificate.status == CertificateStatus.VALID
    text = "".join(pdf_text(issued_pdf(certificate)).split())
    assert "小学科学实验教学能力提升" in text and enrolment.teacher.real_name in text and "12" in text


def test_a_course_that_issues_no_certificate_gets_none(django_capture_on_commit_callbacks):
    CertificateTemplateFactory(kind=CertificateKind.COURSE_COMPLETION, is_default=True)
    course = CoursePageFactory(requires_quizzes=False, issues_certificate=False)
    lesson = LessonPageFactory(parent=course)
    with django_capture_on_commit_callbacks(execute=True):
        course_services.lesson_complete(enrolment=EnrolmentFactory(course=course), lesson=lesson, visit_token="")
    assert not Certificate.objects.exists()


def test_completing_a_pairing_issues_a_research_along_certificate(django_capture_on_commit_callbacks):
    CertificateTemplateFactory(kind=CertificateKind.RESEARCH_ALONG, is_default=True, title="科研跟学结业证书")
    pairing = active_pairing(project_title="校园土壤微生物多样性调查")
    activity = activity_logged(pairing, hours="3")
    mentor_services.pairing_activity_confirm(activity=activity, user=pairing.mentor.user)
    with django_capture_on_commit_callbacks(execute=True):
        mentor_services.pairing_complete_confirm(pairing=pairing, user=pairing.teacher.user, final_report="完成调查报告")
    assert not Certificate.objects.exists()  # one side only
    with django_capture_on_commit_callbacks(execute=True):
        mentor_services.pairing_complete_confirm(pairing=pairing, user=pairing.mentor.user)
    certificate = Certificate.objects.get()
    assert certificate.kind == CertificateKind.RESEARCH_ALONG
    assert certificate.holder == pairing.teacher
    assert certificate.hours == Decimal("3")
    assert "校园土壤微生物多样性调查" in "".join(pdf_text(issued_pdf(certificate)).split())


def test_without_a_default_template_the_completion_stands_and_no_certificate_is_issued(django_capture_on_commit_callbacks):
    course = CoursePageFactory(requires_quizzes=False)
    lesson = LessonPageFactory(parent=course)
    enrolment = EnrolmentFactory(course=course)
    with django_capture_on_commit_callbacks(execute=True):
        course_services.lesson_complete(enrolment=enrolment, lesson=lesson, visit_token="")
    enrolment.refresh_from_db()
    assert enrolment.completed_at is not None and enrolment.credit_id is not None
    assert not Certificate.objects.exists()


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_broker_that_is_down_neither_undoes_nor_fails_a_completion_and_the_sweep_issues_later(
    client, monkeypatch, caplog
):
    """The certificate is promised in the completing transaction; a broker
    that refuses the message is logged, the teacher sees the completion, and
    the sweep sends the task once the broker is back."""
    import datetime

    from django.utils import timezone
    from kombu.exceptions import OperationalError

    from certificates import tasks
    from courses.constants import EnrolmentStatus
    from courses.views import COURSE_COMPLETED
    from lms.models import PendingTask, TrainingCredit
    from lms.outbox import pending_tasks_sweep

    def broker_down(*args, **kwargs):
        raise OperationalError("broker unreachable")

    monkeypatch.setattr(tasks.certificate_issue_task, "apply_async", broker_down)
    CertificateTemplateFactory(kind=CertificateKind.COURSE_COMPLETION, is_default=True)
    course = CoursePageFactory(requires_quizzes=False)
    lesson = LessonPageFactory(parent=course)
    enrolment = EnrolmentFactory(course=course)
    client.force_login(enrolment.teacher.user)

    response = client.post(f"/learn/{lesson.pk}/done/", follow=True)

    assert response.status_code == 200
    assert str(COURSE_COMPLETED) in [str(message) for message in response.context["messages"]]
    enrolment.refresh_from_db()
    assert enrolment.status == EnrolmentStatus.COMPLETED
    assert TrainingCredit.objects.filter(teacher=enrolment.teacher).count() == 1
    assert "broker unreachable" in caplog.text
    assert not Certificate.objects.exists()
    pending = PendingTask.objects.get()
    assert pending.task_name == "certificates.tasks.certificate_issue_task"
    assert (pending.kwargs["holder_pk"], pending.kwargs["subject_pk"]) == (enrolment.teacher.pk, str(course.pk))
    assert pending.sent_at is None and "broker unreachable" in pending.last_error

    # Still down a minute later: the sweep stops at once and keeps the promise.
    later = timezone.now() + datetime.timedelta(minutes=2)
    assert pending_tasks_sweep(now=later).unsent == 1
    monkeypatch.undo()
    assert pending_tasks_sweep(now=later).sent == 1
    assert Certificate.objects.get().holder == enrolment.teacher
    assert not PendingTask.objects.exists()
