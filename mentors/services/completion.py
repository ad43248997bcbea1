"""Completing a pairing: both sides confirm, with a final report, and the
completion is announced (``lms.events``)."""

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Sum
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from lms.api import Completion, CompletionKind, completion_announce

from ..constants import ActivityStatus, PairingStatus, pairing_completion_key
from ..models import ResearchPairing
from .common import _now
from .pairings import PAIRING_NOT_A_MEMBER, PAIRING_NOT_ACTIVE, _lock_pairing

FINAL_REPORT_REQUIRED = _("Write a short final report before confirming completion.")
ACTIVITIES_STILL_WAITING = _(
    "%(count)s logged activities are still waiting for the mentor; confirm or return them before completing."
)


@transaction.atomic
def pairing_complete_confirm(*, pairing: ResearchPairing, user, final_report: str = "") -> ResearchPairing:
    """The teacher or the mentor confirms the pairing is complete. A final
    report is needed (the first to confirm writes it, the second may revise
    it); once both have confirmed, the pairing is completed and the
    completion announced (``lms.events``: the certificates app promises the
    research-along certificate)."""
    pairing = _lock_pairing(pairing)
    if user.pk not in (pairing.mentor.user_id, pairing.teacher.user_id):
        raise PermissionDenied(PAIRING_NOT_A_MEMBER)
    if pairing.status != PairingStatus.ACTIVE:
        raise ValidationError(PAIRING_NOT_ACTIVE, code="status")
    final_report = (final_report or "").strip() or pairing.final_report
    if not final_report:
        raise ValidationError(FINAL_REPORT_REQUIRED, code="final_report")
    waiting = pairing.activities.filter(status=ActivityStatus.SUBMITTED).count()
    if waiting:
        raise ValidationError(ACTIVITIES_STILL_WAITING, params={"count": waiting}, code="waiting")
    now = _now()
    pairing.final_report = final_report
    if user.pk == pairing.mentor.user_id:
        pairing.mentor_completed_at = pairing.mentor_completed_at or now
    if user.pk == pairing.teacher.user_id:
        pairing.teacher_completed_at = pairing.teacher_completed_at or now
    if pairing.mentor_completed_at and pairing.teacher_completed_at:
        pairing.status = PairingStatus.COMPLETED
        pairing.closed_at = now
    pairing.save(update_fields=["final_report", "mentor_completed_at", "teacher_completed_at", "status", "closed_at"])
    if pairing.status == PairingStatus.COMPLETED:
        # In the transaction: what the receivers record (the certificate's
        # promise in the outbox) commits with the completion.
        completion_announce(_completion(pairing))
    return pairing


@transaction.atomic
def pairing_completion_reannounce(*, pairing_pk) -> None:
    """Announce a completed pairing's completion again: for what was
    promised before completions were announced (mentors/tasks.py). The
    certificate it promises is issued once however often it is announced."""
    pairing = ResearchPairing.objects.filter(pk=pairing_pk, status=PairingStatus.COMPLETED).first()
    if pairing is not None:
        completion_announce(_completion(pairing))


def _completion(pairing) -> Completion:
    """The "completion recorded" event of a completed pairing: its hours are
    the confirmed activities' hours."""
    hours = pairing.activities.filter(status=ActivityStatus.CONFIRMED).aggregate(total=Sum("hours"))["total"]
    return Completion(
        kind=CompletionKind.RESEARCH_ALONG,
        teacher_pk=pairing.teacher_id,
        evidence=pairing,
        subject=pairing,
        title=pairing.project_title,
        occurred_on=timezone.localdate(pairing.closed_at),
        source_key=pairing_completion_key(pairing.pk),
        hours=hours,
        started_on=pairing.start_on,
    )
