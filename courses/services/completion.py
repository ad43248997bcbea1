"""Completing an enrolment once its course's rule holds: status, ledger
credit and the completion announced, in the transaction of the learning
action that met the rule. See docs/decisions/0011-course-completion-idempotency.md."""

from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from lms.api import Completion, CompletionKind, CreditCategory, completion_announce, credit_record, fields_update

from ..constants import COMPLETION_SOURCE_KEY, CourseMode, EnrolmentStatus
from ..models import Enrolment
from ..selectors import completion_status
from .common import ProgressResult, _now, enrolment_lock

COMPLETION_NOT_CREDITED = _(
    "You have met the course's completion rule, but the hours could not be credited yet: %(reason)s"
)

CREDITED_VIA = "course-completion"


def _completion(enrolment) -> Completion:
    """The "completion recorded" event of a completed enrolment."""
    course = enrolment.course
    return Completion(
        kind=CompletionKind.COURSE,
        teacher_pk=enrolment.teacher_id,
        evidence=enrolment,
        subject=course,
        title=course.title,
        occurred_on=timezone.localdate(enrolment.completed_at),
        source_key=COMPLETION_SOURCE_KEY.format(pk=enrolment.pk),
        hours=course.credit_hours,
        started_on=timezone.localdate(enrolment.enrolled_at),
        earns_certificate=course.issues_certificate,
    )


@transaction.atomic
def enrolment_completion_reannounce(*, enrolment_id) -> None:
    """Announce a completed enrolment's completion again: for what was
    promised before completions were announced (courses/tasks.py). The
    certificate it promises is issued once however often it is announced."""
    enrolment = Enrolment.objects.select_related("course", "teacher").filter(pk=enrolment_id).first()
    if enrolment is not None and enrolment.status == EnrolmentStatus.COMPLETED:
        completion_announce(_completion(enrolment))


def enrolment_completion_check(*, enrolment: Enrolment, now=None, locked=False) -> ProgressResult:
    """Complete ``enrolment`` if its course's rule holds: status, ledger
    credit (course hours, one person-time) and the completion announced
    (``lms.events``: the certificates app promises the certificate). A
    completed enrolment is left alone. ``locked`` says the caller holds the
    enrolment's row lock in its transaction."""
    now = _now(now)
    if not locked:
        with transaction.atomic():
            return enrolment_completion_check(enrolment=enrolment_lock(enrolment), now=now, locked=True)
    if enrolment.status != EnrolmentStatus.ENROLLED:
        return ProgressResult(completed=enrolment.status == EnrolmentStatus.COMPLETED)
    if not completion_status(enrolment, stop_early=True).complete:
        return ProgressResult()
    course = enrolment.course
    try:
        # The ledger writes in a savepoint of its own: if it refuses (say
        # the teacher has no school), it has written nothing, the progress
        # just recorded is kept and the enrolment is not completed.
        result = credit_record(
            teacher=enrolment.teacher,
            category=CreditCategory.OFFLINE_WORKSHOP if course.mode == CourseMode.OFFLINE
            else CreditCategory.ONLINE_COURSE,
            hours=course.credit_hours,
            person_times=1,
            source_key=COMPLETION_SOURCE_KEY.format(pk=enrolment.pk),
            occurred_on=timezone.localdate(now),
            evidence=enrolment,
            evidence_label=course.title,
            credited_via=CREDITED_VIA,
        )
    except ValidationError as error:
        return ProgressResult(problems=[COMPLETION_NOT_CREDITED % {"reason": " ".join(error.messages)}])
    enrolment.status = EnrolmentStatus.COMPLETED
    enrolment.completed_at = now
    enrolment.credit = result.credit
    fields_update(enrolment, ["status", "completed_at", "credit"], connection)
    # In the transaction: what the receivers record (the certificate's
    # promise in the outbox) commits with the completion, and a broker that
    # is down delays it rather than losing it.
    completion_announce(_completion(enrolment))
    return ProgressResult(completed=True)
