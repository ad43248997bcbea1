"""Where completions elsewhere in the academy earn a certificate.

``courses`` and ``mentors`` know nothing of certificates: after a
completion they call, inside the completing transaction, the function their
setting names (``COURSES_CERTIFICATE_ISSUER``, ``MENTORS_CERTIFICATE_ISSUER``),
and these are those functions. Each only promises a Celery task with the
completion's id through the outbox (``lms.outbox.task_enqueue``): the promise
commits with the completion and is sent once it has, so a broker that is down
delays the certificate but never loses it.
The worker reads the completion, checks that HR has a default template for
the kind and queues ``certificate_issue``, which is idempotent: one valid
certificate per holder and thing certified, however often the completion is
reported.
"""

import logging

from django.db.models import Sum
from django.utils import timezone

from lms.outbox import task_enqueue

from .constants import CertificateKind
from .services import certificate_issue_later, template_default
from .tasks import course_completion_certificate_task, research_along_certificate_task

logger = logging.getLogger(__name__)


def _template_ready(kind, what):
    """Whether HR has set a default template for ``kind``. Without one the
    completion stands and no certificate is issued: HR issues it in bulk
    once a template exists (the admin's certificate screens say so)."""
    if template_default(kind) is not None:
        return True
    logger.info("No default %s template: no certificate issued for %s", kind, what)
    return False


def course_completion_certificate(*, enrolment_id):
    task_enqueue(course_completion_certificate_task, kwargs={"enrolment_id": enrolment_id},
                 ref=f"enrolment:{enrolment_id}")


def research_along_certificate(*, pairing_pk):
    task_enqueue(research_along_certificate_task, kwargs={"pairing_pk": pairing_pk}, ref=f"pairing:{pairing_pk}")


def course_completion_certificate_issue(*, enrolment_id):
    """In the worker: queue the completion certificate of a completed
    enrolment, if its course issues one and HR has a default template."""
    from courses.models import Enrolment

    enrolment = Enrolment.objects.select_related("course", "teacher").get(pk=enrolment_id)
    course = enrolment.course
    if not enrolment.completed_at or not course.issues_certificate:
        return
    if not _template_ready(CertificateKind.COURSE_COMPLETION, f"enrolment {enrolment_id}"):
        return
    certificate_issue_later(
        kind=CertificateKind.COURSE_COMPLETION,
        holder=enrolment.teacher,
        subject_object=course,
        subject_label=course.title,
        hours=course.credit_hours,
        started_on=timezone.localdate(enrolment.enrolled_at),
        completed_on=timezone.localdate(enrolment.completed_at),
    )


def research_along_certificate_issue(*, pairing_pk):
    """In the worker: queue the research-along certificate of a completed
    pairing, if HR has a default template."""
    from mentors.constants import ActivityStatus, PairingStatus
    from mentors.models import ResearchPairing

    pairing = ResearchPairing.objects.select_related("teacher", "mentor").get(pk=pairing_pk)
    if pairing.status != PairingStatus.COMPLETED:
        return
    if not _template_ready(CertificateKind.RESEARCH_ALONG, f"pairing {pairing_pk}"):
        return
    hours = pairing.activities.filter(status=ActivityStatus.CONFIRMED).aggregate(total=Sum("hours"))["total"]
    certificate_issue_later(
        kind=CertificateKind.RESEARCH_ALONG,
        holder=pairing.teacher,
        subject_object=pairing,
        subject_label=pairing.project_title,
        hours=hours,
        started_on=pairing.start_on,
        completed_on=timezone.localdate(pairing.closed_at) if pairing.closed_at else None,
    )
