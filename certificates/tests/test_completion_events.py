"""One completion, one certificate task: what "completion recorded"
(lms.events) leaves in the outbox for each kind of completion, inside the
completing transaction, and nothing when that transaction rolls back."""

from decimal import Decimal

import pytest
from django.db import transaction
from django.utils import timezone

from certificates.constants import CertificateKind
from certificates.tasks import certificate_issue_task
from certificates.tests.factories import CertificateTemplateFactory
from courses import services as course_services
from courses.constants import EnrolmentStatus
from courses.tests.factories import CoursePageFactory, EnrolmentFactory, LessonPageFactory
from lms.cohorts.services import CohortError, membership_certify
from lms.constants import MembershipStatus, Role
from lms.models import PendingTask
from lms.tests.completions import nobody_listening
from lms.tests.factories import CohortMembershipFactory, user_with_role
from mentors import services as mentor_services
from mentors.constants import PairingStatus
from mentors.tests.builders import activity_logged
from mentors.tests.factories import active_pairing

pytestmark = pytest.mark.django_db


def promised():
    """The certificate tasks promised so far (kind, holder, subject, ref)."""
    pending = PendingTask.objects.filter(task_name=certificate_issue_task.name).order_by("pk")
    return [(task.kwargs["kind"], task.kwargs["holder_pk"], task.kwargs["subject_pk"], task.ref) for task in pending]


def completed_course():
    course = CoursePageFactory(requires_quizzes=False)
    return course, LessonPageFactory(parent=course), EnrolmentFactory(course=course)


def test_a_course_completion_promises_one_certificate_task_and_a_rolled_back_one_none():
    course, lesson, enrolment = completed_course()
    with pytest.raises(RuntimeError), transaction.atomic():
        course_services.lesson_complete(enrolment=enrolment, lesson=lesson, visit_token="")
        assert len(promised()) == 1
        raise RuntimeError("the request fails after the completion")
    assert promised() == []

    for _ in range(2):  # a double click, a retried request
        course_services.lesson_complete(enrolment=enrolment, lesson=lesson, visit_token="")
    enrolment.refresh_from_db()
    assert promised() == [("course", enrolment.teacher_id, str(course.pk), f"course-completion:{enrolment.pk}")]
    kwargs = PendingTask.objects.get().kwargs
    assert (kwargs["subject_label"], Decimal(kwargs["hours"]), kwargs["template_pk"]) == (
        course.title, course.credit_hours, None)
    assert kwargs["started_on"] == timezone.localdate(enrolment.enrolled_at).isoformat()
    assert kwargs["completed_on"] == timezone.localdate(enrolment.completed_at).isoformat()


def test_a_research_along_completion_promises_one_certificate_task_and_a_rolled_back_one_none():
    pairing = active_pairing()
    mentor_services.pairing_activity_confirm(activity=activity_logged(pairing, hours="3"), user=pairing.mentor.user)
    mentor_services.pairing_complete_confirm(pairing=pairing, user=pairing.teacher.user, final_report="报告")
    with pytest.raises(RuntimeError), transaction.atomic():
        mentor_services.pairing_complete_confirm(pairing=pairing, user=pairing.mentor.user)
        assert len(promised()) == 1
        raise RuntimeError("the request fails after the completion")
    assert promised() == []

    assert mentor_services.pairing_complete_confirm(
        pairing=pairing, user=pairing.mentor.user).status == PairingStatus.COMPLETED
    assert promised() == [
        ("research", pairing.teacher_id, str(pairing.pk), f"research-along-completion:{pairing.pk}")]
    assert Decimal(PendingTask.objects.get(task_name=certificate_issue_task.name).kwargs["hours"]) == Decimal("3")


def test_a_cohort_certification_promises_one_certificate_task_and_a_rolled_back_one_none():
    template = CertificateTemplateFactory(kind=CertificateKind.COHORT_QUALIFICATION, is_default=True)
    hr = user_with_role(Role.HR, username="hr-officer")
    membership = CohortMembershipFactory(status=MembershipStatus.ASSESSED)
    with pytest.raises(RuntimeError), transaction.atomic():
        membership_certify(membership=membership, by=hr)
        assert len(promised()) == 1
        raise RuntimeError("the request fails after the certification")
    assert promised() == []

    membership_certify(membership=membership, by=hr)
    membership_certify(membership=membership, by=hr)  # already certified: nothing more
    assert promised() == [
        ("cohort", membership.teacher_id, str(membership.cohort_id), f"cohort-certification:{membership.pk}")]
    assert PendingTask.objects.get(task_name=certificate_issue_task.name).kwargs["template_pk"] == template.pk


def test_a_cohort_certification_without_a_template_is_refused_and_promises_nothing():
    membership = CohortMembershipFactory(status=MembershipStatus.ASSESSED)
    with pytest.raises(CohortError) as error:
        membership_certify(membership=membership, by=user_with_role(Role.HR, username="hr-officer"))
    assert error.value.code == "template"
    membership.refresh_from_db()
    assert membership.status == MembershipStatus.ASSESSED and membership.certified_at is None
    assert promised() == []


def test_with_nobody_listening_completions_stand_and_promise_nothing():
    """As on a site without the certificates app."""
    _course, lesson, enrolment = completed_course()
    membership = CohortMembershipFactory(status=MembershipStatus.ASSESSED)
    with nobody_listening():
        assert course_services.lesson_complete(enrolment=enrolment, lesson=lesson, visit_token="").completed
        membership_certify(membership=membership, by=user_with_role(Role.HR, username="hr-officer"))
    enrolment.refresh_from_db()
    membership.refresh_from_db()
    assert enrolment.status == EnrolmentStatus.COMPLETED
    assert membership.status == MembershipStatus.CERTIFIED
    assert promised() == []


def test_completions_promised_before_the_upgrade_are_announced_again_under_the_old_task_names():
    """Outbox rows and messages promised before completions were announced
    name the certificates app's old tasks: those names still run, and each
    promises the certificate's one task."""
    from lms.celery import app

    _course, lesson, enrolment = completed_course()
    pairing = active_pairing()
    with nobody_listening():
        course_services.lesson_complete(enrolment=enrolment, lesson=lesson, visit_token="")
        mentor_services.pairing_complete_confirm(pairing=pairing, user=pairing.teacher.user, final_report="报告")
        mentor_services.pairing_complete_confirm(pairing=pairing, user=pairing.mentor.user)
    assert promised() == []
    app.loader.import_default_modules()  # as a worker, or the outbox's sweep, finds them
    app.tasks["certificates.tasks.course_completion_certificate_task"](enrolment_id=enrolment.pk)
    app.tasks["certificates.tasks.research_along_certificate_task"](pairing_pk=pairing.pk)
    assert [(kind, holder) for kind, holder, _subject, _ref in promised()] == [
        ("course", enrolment.teacher_id), ("research", pairing.teacher_id)]
