"""Proposing, accepting, declining and ending pairings, and their outputs.
The locks and checks of who may act on a pairing are shared with the
completion and activity services."""

import datetime

from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext_lazy as _
from guardian.shortcuts import assign_perm

from lms.api import TeacherProfile, teacher_list_for_user

from .. import tasks
from ..constants import PAIRING_CHANGE_PERMISSION, PAIRING_VIEW_PERMISSION, PairingStatus, ProposalSource
from ..models import MentorProfile, ResearchOutput, ResearchPairing
from .common import _notify_after_commit, _now, is_academy_admin

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
def pairing_output_add(*, pairing: ResearchPairing, user, kind: str, title: str, description: str = "", link: str = ""):
    _require_member(pairing, user)
    return ResearchOutput.objects.create(
        pairing=pairing, kind=kind, title=title, description=description, link=link, created_by=user
    )
