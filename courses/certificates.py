"""The seam between course completion and certificate issuing.

The certificates app (built separately) issues completion certificates. A
completed enrolment of a course that issues one calls, inside the completing
transaction, the function named by the setting ``COURSES_CERTIFICATE_ISSUER``
(a dotted path) with ``enrolment_id=<pk>``. That function should record a
task through the outbox (``lms.outbox.task_enqueue``), which commits with
the completion and is sent once it has; the task re-fetches the enrolment
and issues idempotently. Unset, nothing happens.
"""

from django.conf import settings
from django.utils.module_loading import import_string


def certificate_issuer():
    path = getattr(settings, "COURSES_CERTIFICATE_ISSUER", "")
    return import_string(path) if path else None


def certificate_issue_enqueue(*, enrolment_id: int):
    issuer = certificate_issuer()
    if issuer is not None:
        issuer(enrolment_id=enrolment_id)
