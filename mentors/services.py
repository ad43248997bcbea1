"""Writes of the research-along app: inviting mentors, proposing and running
pairings, logging, confirming and returning activities.

Every service takes keyword-only arguments, checks who is acting, and raises
``ValidationError`` (with one of the module's message constants) or
``PermissionDenied`` having written nothing. E-mails and the certificate hook
are promised in the transaction (lms.outbox) and sent once it commits.
"""

import datetime
import logging
from decimal import Decimal, InvalidOperation

from django.contrib.auth import get_user_model
from django.contrib.auth.tokens import default_token_generator
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Sum
from django.urls import reverse
from django.utils import timezone
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode
from django.utils.translation import gettext_lazy as _
from guardian.shortcuts import assign_perm

from lms.api import (
    Completion,
    CompletionKind,
    CreditCategory,
    Role,
    TeacherProfile,
    completion_announce,
    credit_record,
    task_enqueue,
    teacher_list_for_user,
    user_role_add,
)

from . import tasks
from .constants import (
    CREDITED_VIA,
    HOURS_PER_DAY,
    PAIRING_CHANGE_PERMISSION,
    PAIRING_VIEW_PERMISSION,
    ActivityStatus,
    PairingStatus,
    ProposalSource,
    activity_source_key,
    pairing_completion_key,
)
from .evidence import evidence_file_check
from .models import ActivityEvidence, MentorProfile, MentorProject, ResearchActivity, ResearchOutput, ResearchPairing

logger = logging.getLogger(__name__)

HOURS_QUANTUM = Decimal("0.01")

MENTOR_EMAIL_TAKEN = _("An account with this e-mail address already exists.")
MENTOR_NOT_ACCEPTING = _("%(mentor)s is not taking on teachers at the moment.")
MENTOR_AT_CAPACITY = _("%(mentor)s already works with %(capacity)s teachers, as many as they can take at once.")
PAIRING_ALREADY_OPEN = _("This teacher already has a proposed or active pairing with this mentor.")
PAIRING_END_BEFORE_START = _("The planned end cannot be before the start.")
PAIRING_NOT_YOURS_TO_PROPOSE = _("You can only propose pairings for teachers you manage.")
PAIRING_NOT_PROPOSED = _("Only a proposed pairing can be accepted or declined.")
PAIRING_NOT_ACTIVE = _("This pairing is not active.")
PAIRING_NOT_YOUR_MENTEE = _("Only the mentor of this pairing can do this.")
PAIRING_NOT_A_MEMBER = _("Only the teacher or the mentor of this pairing can do this.")
REASON_REQUIRED = _("Give a reason; the other side will see it.")
FINAL_REPORT_REQUIRED = _("Write a short final report before confirming completion.")
ACTIVITIES_STILL_WAITING = _(
    "%(count)s logged activities are still waiting for the mentor; confirm or return them before completing."
)
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
PROJECT_NOT_YOURS = _("Only the mentor who posted this project can close it.")


def _now():
    return timezone.now()


def _notify_after_commit(task, *args):
    """Promise an e-mail task in the transaction (the outbox), sent once it
    has committed. A broker that cannot take it is logged, not raised: the
    confirmation or proposal it reports on is already saved, and the sweep
    sends the e-mail when the broker is back."""
    task_enqueue(task, args)


def is_academy_admin(user) -> bool:
    """Academy admins hold the pairing permissions on the model itself;
    mentors and teachers hold them only on their own pairings."""
    return bool(user and user.is_authenticated and user.is_active and user.has_perm(PAIRING_CHANGE_PERMISSION))


# --- Mentors ----------------------------------------------------------------


@transaction.atomic
def mentor_invite(
    *,
    email: str,
    real_name: str,
    institution: str,
    institution_type: str,
    research_fields: str,
    invited_by,
    subjects=(),
    stages=(),
    title: str = "",
    department: str = "",
    contact_phone: str = "",
    capacity: int = 2,
    availability: str = "",
) -> MentorProfile:
    """Create a mentor's account (Mentor role, no usable password) and profile,
    and e-mail them a link to set their password once this commits."""
    email = email.strip().lower()
    User = get_user_model()
    if User.objects.filter(username__iexact=email).exists() or User.objects.filter(email__iexact=email).exists():
        raise ValidationError(MENTOR_EMAIL_TAKEN, code="email")
    user = User(username=email, email=email, first_name=real_name)
    user.set_unusable_password()
    user.save()
    user_role_add(user=user, role=Role.MENTOR)
    mentor = MentorProfile.objects.create(
        user=user,
        real_name=real_name,
        institution=institution,
        institution_type=institution_type,
        department=department,
        research_fields=research_fields,
        subjects=list(subjects),
        stages=list(stages),
        title=title,
        contact_email=email,
        contact_phone=contact_phone,
        capacity=capacity,
        availability=availability,
    )
    set_password_path = reverse(
        "password_reset_confirm",
        kwargs={"uidb64": urlsafe_base64_encode(force_bytes(user.pk)), "token": default_token_generator.make_token(user)},
    )
    _notify_after_commit(tasks.mentor_invited_task, mentor.pk, set_password_path)
    return mentor


def mentor_project_post(*, mentor: MentorProfile, title: str, summary: str = "") -> MentorProject:
    """A mentor posts a project teachers can apply to."""
    return MentorProject.objects.create(mentor=mentor, title=title.strip(), summary=summary.strip())


def mentor_project_close(*, project: MentorProject, user) -> MentorProject:
    """No more applications to the project; pairings already made stay."""
    if project.mentor.user_id != user.pk:
        raise PermissionDenied(PROJECT_NOT_YOURS)
    project.is_open = False
    project.save(update_fields=["is_open"])
    return project


# --- Pairings ---------------------------------------------------------------


def _proposal_source(*, teacher, user):
    if user.pk == teacher.user_id:
        return ProposalSource.TEACHER
    if is_academy_admin(user):
        return ProposalSource.ACADEMY
    if user.has_perm("mentors.add_researchpairing") and teacher_list_for_user(user).filter(pk=teacher.pk).exists():
        return ProposalSource.DISTRICT
    raise PermissionDenied(PAIRING_NOT_YOURS_TO_PROPOSE)


@transaction.atomic
def pairing_propose(
    *,
    teacher,
    mentor: MentorProfile,
    project_title: str,
    goals: str,
    start_on: datetime.date,
    planned_end_on: datetime.date,
    proposed_by,
    project=None,
) -> ResearchPairing:
    """Propose that ``teacher`` work with ``mentor``: the teacher applying, or
    their district admin or an academy admin proposing. The mentor's and the
    teacher's users get view and change permissions on the pairing."""
    proposed_via = _proposal_source(teacher=teacher, user=proposed_by)
    if not mentor.is_accepting:
        raise ValidationError(MENTOR_NOT_ACCEPTING, params={"mentor": mentor.real_name}, code="mentor")
    if planned_end_on < start_on:
        raise ValidationError(PAIRING_END_BEFORE_START, code="planned_end_on")
    if ResearchPairing.objects.filter(
        teacher=teacher, mentor=mentor, status__in=[PairingStatus.PROPOSED, PairingStatus.ACTIVE]
    ).exists():
        raise ValidationError(PAIRING_ALREADY_OPEN, code="duplicate")
    pairing = ResearchPairing.objects.create(
        teacher=teacher,
        mentor=mentor,
        project=project,
        project_title=project_title,
        goals=goals,
        start_on=start_on,
        planned_end_on=planned_end_on,
        proposed_via=proposed_via,
        proposed_by=proposed_by,
    )
    for user_id in {mentor.user_id, teacher.user_id}:
        user = get_user_model()(pk=user_id)
        assign_perm(PAIRING_VIEW_PERMISSION, user, pairing)
        assign_perm(PAIRING_CHANGE_PERMISSION, user, pairing)
    _notify_after_commit(tasks.pairing_proposed_task, pairing.pk)
    return pairing


def _lock_teacher(teacher_id):
    TeacherProfile.objects.select_for_update().filter(pk=teacher_id).values_list("pk").first()


def _lock_pairing(pairing) -> ResearchPairing:
    return ResearchPairing.objects.select_for_update(of=("self",)).select_related("mentor", "teacher").get(pk=pairing.pk)


def _require_mentor_or_academy(pairing, user):
    if pairing.mentor.user_id != user.pk and not is_academy_admin(user):
        raise PermissionDenied(PAIRING_NOT_YOUR_MENTEE)


def pairing_accept(*, pairing: ResearchPairing, user) -> ResearchPairing:
    """The mentor (or an academy admin) accepts a proposal: it becomes active
    unless the mentor already has as many active pairings as their capacity.

    The mentor's row is locked first, so two acceptances at once for the same
    mentor are serialised and the second sees the first's count."""
    with transaction.atomic():
        mentor = MentorProfile.objects.select_for_update().get(pk=pairing.mentor_id)
        pairing = _lock_pairing(pairing)
        _require_mentor_or_academy(pairing, user)
        if pairing.status != PairingStatus.PROPOSED:
            raise ValidationError(PAIRING_NOT_PROPOSED, code="status")
        active = ResearchPairing.objects.filter(mentor=mentor, status=PairingStatus.ACTIVE).count()
        if active >= mentor.capacity:
            raise ValidationError(
                MENTOR_AT_CAPACITY, params={"mentor": mentor.real_name, "capacity": mentor.capacity}, code="capacity"
            )
        pairing.status = PairingStatus.ACTIVE
        pairing.activated_at = _now()
        pairing.save(update_fields=["status", "activated_at"])
        _notify_after_commit(tasks.pairing_decided_task, pairing.pk)
    return pairing


@transaction.atomic
def pairing_decline(*, pairing: ResearchPairing, user, reason: str) -> ResearchPairing:
    pairing = _lock_pairing(pairing)
    _require_mentor_or_academy(pairing, user)
    if pairing.status != PairingStatus.PROPOSED:
        raise ValidationError(PAIRING_NOT_PROPOSED, code="status")
    if not (reason or "").strip():
        raise ValidationError(REASON_REQUIRED, code="reason")
    pairing.status = PairingStatus.DECLINED
    pairing.status_reason = reason.strip()
    pairing.closed_at = _now()
    pairing.save(update_fields=["status", "status_reason", "closed_at"])
    _notify_after_commit(tasks.pairing_decided_task, pairing.pk)
    return pairing


def _require_member(pairing, user):
    if user.pk not in (pairing.mentor.user_id, pairing.teacher.user_id) and not is_academy_admin(user):
        raise PermissionDenied(PAIRING_NOT_A_MEMBER)


@transaction.atomic
def pairing_end_early(*, pairing: ResearchPairing, user, reason: str) -> ResearchPairing:
    """Stop an active pairing before completion. Confirmed activity stays credited."""
    pairing = _lock_pairing(pairing)
    _require_member(pairing, user)
    if pairing.status != PairingStatus.ACTIVE:
        raise ValidationError(PAIRING_NOT_ACTIVE, code="status")
    if not (reason or "").strip():
        raise ValidationError(REASON_REQUIRED, code="reason")
    pairing.status = PairingStatus.ENDED_EARLY
    pairing.status_reason = reason.strip()
    pairing.closed_at = _now()
    pairing.save(update_fields=["status", "status_reason", "closed_at"])
    return pairing


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


@transaction.atomic
def pairing_output_add(*, pairing: ResearchPairing, user, kind: str, title: str, description: str = "", link: str = ""):
    _require_member(pairing, user)
    return ResearchOutput.objects.create(
        pairing=pairing, kind=kind, title=title, description=description, link=link, created_by=user
    )


# --- Activities -------------------------------------------------------------


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
