"""Where completions elsewhere in the academy earn a certificate.

``courses`` and ``mentors`` know nothing of certificates: after a
completion commits they call the function their setting names
(``COURSES_CERTIFICATE_ISSUER``, ``MENTORS_CERTIFICATE_ISSUER``), and these
are those functions. Each queues ``certificate_issue`` as a Celery task, so
a slow PDF never holds up the teacher's request, and issuing is idempotent:
one valid certificate per holder and thing certified, however often the
completion is reported.
"""

import logging

from django.db.models import Sum
from django.utils import timezone

from .constants import CertificateKind
from .services import certificate_issue_later, template_default

logger = logging.getLogger(__name__)


def _template_ready(kind, what):
    """Whether HR has set a default template for ``kind``. Without one the
    completion stands and nothing is queued: HR issues the certificate in
    bulk once a template exists (the admin's certificate screens say so)."""
    if template_default(kind) is not None:
        return True
    logger.warning("No default %s template: no certificate queued for %s", kind, what)
    return False


def course_completion_certificate(*, enrolment_id):
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


def research_along_certificate(*, pairing_pk):
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
