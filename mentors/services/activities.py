"""The teacher logs a pairing's activities; the mentor confirms them (and
the ledger credits their hours) or returns them with a comment."""

import datetime
from decimal import Decimal, InvalidOperation

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Sum
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from lms.api import CreditCategory, credit_record

from .. import tasks
from ..constants import CREDITED_VIA, HOURS_PER_DAY, ActivityStatus, PairingStatus, activity_source_key
from ..evidence import evidence_file_check
from ..models import ActivityEvidence, ResearchActivity, ResearchPairing
from .common import _notify_after_commit, _now
from .pairings import PAIRING_NOT_ACTIVE, PAIRING_NOT_YOUR_MENTEE, _lock_pairing, _lock_teacher

HOURS_QUANTUM = Decimal("0.01")

ACTIVITY_NOT_YOURS = _("Only the teacher of this pairing can log its activities.")
ACTIVITY_IN_FUTURE = _("The activity's date cannot be in the future.")
ACTIVITY_BEFORE_START = _("The activity's date cannot be before the pairing started (%(start)s).")
ACTIVITY_HOURS_INVALID = _("Enter the duration in hours, e.g. 1.5.")
ACTIVITY_HOURS_NOT_POSITIVE = _("The duration must be more than 0 hours.")
ACTIVITY_HOURS_OVER_DAY = _(
    "That would make %(total)s hours of activity logged on %(date)s; a day has 24 hours at most."
)
ACTIVITY_NOT_CONFIRMED_YET = _("This activity was returned; it cannot be confirmed. The teacher can log it again.")
ACTIVITY_ALREADY_REVIEWED = _("This activity has already been %(status)s.")
COMMENT_REQUIRED = _("Say what the teacher should change: the comment is sent to them.")


def _as_hours(value) -> Decimal:
    try:
        hours = Decimal(str(value).strip())
    except (InvalidOperation, ValueError):
        raise ValidationError(ACTIVITY_HOURS_INVALID, code="hours")
    if not hours.is_finite():
        raise ValidationError(ACTIVITY_HOURS_INVALID, code="hours")
    if hours <= 0:
        raise ValidationError(ACTIVITY_HOURS_NOT_POSITIVE, code="hours")
    if hours != hours.quantize(HOURS_QUANTUM):
        raise ValidationError(ACTIVITY_HOURS_INVALID, code="hours")
    return hours.quantize(HOURS_QUANTUM)


def pairing_activity_log(
    *,
    pairing: ResearchPairing,
    user,
    occurred_on: datetime.date,
    kind: str,
    hours,
    description: str,
    evidence_files=(),
) -> ResearchActivity:
    """The teacher logs an activity of an active pairing; it waits for the
    mentor, who is told by e-mail once this commits."""
    hours = _as_hours(hours)
    for upload in evidence_files:
        evidence_file_check(upload)
    with transaction.atomic():
        # The day's total spans all the teacher's pairings, so the lock is
        # the teacher's: with only the pairing's, two pairings logging at
        # once each saw the other's hours missing. Taken before the
        # pairing's, as every path that holds both does.
        _lock_teacher(pairing.teacher_id)
        pairing = _lock_pairing(pairing)
        if user.pk != pairing.teacher.user_id:
            raise PermissionDenied(ACTIVITY_NOT_YOURS)
        if pairing.status != PairingStatus.ACTIVE:
            raise ValidationError(PAIRING_NOT_ACTIVE, code="status")
        if occurred_on > timezone.localdate():
            raise ValidationError(ACTIVITY_IN_FUTURE, code="occurred_on")
        if occurred_on < pairing.start_on:
            raise ValidationError(ACTIVITY_BEFORE_START, params={"start": pairing.start_on}, code="occurred_on")
        # Across all the teacher's pairings: a day is a day.
        logged = ResearchActivity.objects.filter(
            pairing__teacher=pairing.teacher, occurred_on=occurred_on
        ).exclude(status=ActivityStatus.RETURNED).aggregate(total=Sum("hours"))["total"] or Decimal("0")
        if logged + hours > HOURS_PER_DAY:
            raise ValidationError(
                ACTIVITY_HOURS_OVER_DAY, params={"total": logged + hours, "date": occurred_on}, code="hours"
            )
        activity = ResearchActivity.objects.create(
            pairing=pairing, occurred_on=occurred_on, kind=kind, hours=hours, description=description
        )
        for upload in evidence_files:
            ActivityEvidence.objects.create(
                activity=activity, file=upload, original_filename=upload.name[:255], size=upload.size
            )
        _notify_after_commit(tasks.activity_submitted_task, activity.pk)
    return activity


def _lock_activity(activity) -> ResearchActivity:
    return (
        ResearchActivity.objects.select_for_update(of=("self",))
        .select_related("pairing__mentor", "pairing__teacher__school")
        .get(pk=activity.pk)
    )


@transaction.atomic
def pairing_activity_confirm(*, activity: ResearchActivity, user) -> ResearchActivity:
    """The pairing's mentor confirms an activity, and its hours are credited
    to the teacher's ledger in the same transaction (the ledger applies the
    yearly research-along cap). Confirming twice credits once."""
    activity = _lock_activity(activity)
    pairing = activity.pairing
    if pairing.mentor.user_id != user.pk:
        raise PermissionDenied(PAIRING_NOT_YOUR_MENTEE)
    if activity.status == ActivityStatus.CONFIRMED:
        return activity
    if activity.status == ActivityStatus.RETURNED:
        raise ValidationError(ACTIVITY_NOT_CONFIRMED_YET, code="status")
    result = credit_record(
        teacher=pairing.teacher,
        category=CreditCategory.RESEARCH_ALONG,
        hours=activity.hours,
        source_key=activity_source_key(activity.pk),
        occurred_on=activity.occurred_on,
        evidence=activity,
        evidence_label=f"{pairing.mentor.institution}·{pairing.project_title}"[:255],
        credited_by=user,
        credited_via=CREDITED_VIA,
    )
    activity.status = ActivityStatus.CONFIRMED
    activity.reviewed_at = _now()
    activity.reviewed_by = user
    activity.credit = result.credit
    activity.save(update_fields=["status", "reviewed_at", "reviewed_by", "credit"])
    _notify_after_commit(tasks.activity_reviewed_task, activity.pk)
    return activity


@transaction.atomic
def pairing_activity_return(*, activity: ResearchActivity, user, comment: str) -> ResearchActivity:
    """The mentor returns an activity to the teacher with a comment; nothing is credited."""
    activity = _lock_activity(activity)
    if activity.pairing.mentor.user_id != user.pk:
        raise PermissionDenied(PAIRING_NOT_YOUR_MENTEE)
    if activity.status != ActivityStatus.SUBMITTED:
        raise ValidationError(
            ACTIVITY_ALREADY_REVIEWED, params={"status": activity.get_status_display().lower()}, code="status"
        )
    if not (comment or "").strip():
        raise ValidationError(COMMENT_REQUIRED, code="comment")
    activity.status = ActivityStatus.RETURNED
    activity.mentor_comment = comment.strip()
    activity.reviewed_at = _now()
    activity.reviewed_by = user
    activity.save(update_fields=["status", "mentor_comment", "reviewed_at", "reviewed_by"])
    _notify_after_commit(tasks.activity_reviewed_task, activity.pk)
    return activity
