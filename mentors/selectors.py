"""Reads of the research-along app, scoped to the user.

Who sees which pairings is decided once, in ``pairing_list_for_user``:

- the mentor and the teacher of a pairing hold view and change object
  permissions on it (guardian's direct foreign-key tables, given when the
  pairing is proposed);
- a district admin sees the pairings of teachers whose school is in a
  district they hold ``lms.manage_district`` on *as an object permission*
  (HR's global hold of that permission does not show them pairings);
- an academy admin holds the pairing permissions on the model and sees all.

All of it is one query with subqueries, never a check per pairing.
"""

from dataclasses import dataclass, field

from django.db.models import Count, Q, QuerySet
from guardian.shortcuts import get_objects_for_user

from lms.api import DISTRICT_MANAGE_PERMISSION, AnyUser, District, PrivateFile, TeacherProfile

from .constants import PAIRING_VIEW_PERMISSION, ActivityStatus, PairingStatus
from .models import ActivityEvidence, MentorProfile, ResearchActivity, ResearchPairing


def _district_object_scope(user):
    """Districts the user manages by an object permission (district admins)."""
    return get_objects_for_user(user, DISTRICT_MANAGE_PERMISSION, klass=District, accept_global_perms=False,
                                with_superuser=False)


def pairing_list_for_user(user: AnyUser) -> QuerySet[ResearchPairing]:
    if not user.is_authenticated or not user.is_active:
        return ResearchPairing.objects.none()
    if user.has_perm(PAIRING_VIEW_PERMISSION):
        # The model permission (academy admins, superusers): every pairing.
        pairings = ResearchPairing.objects.all()
    else:
        own = get_objects_for_user(user, PAIRING_VIEW_PERMISSION, klass=ResearchPairing, accept_global_perms=False)
        pairings = ResearchPairing.objects.filter(
            Q(pk__in=own.values("pk")) | Q(teacher__school__district__in=_district_object_scope(user))
        )
    return pairings.select_related("teacher__school__district", "mentor")


def pairing_get_for_user(user: AnyUser, pk: int) -> ResearchPairing | None:
    return pairing_list_for_user(user).filter(pk=pk).first()


def evidence_get_for_user(user: AnyUser, pk: int) -> ActivityEvidence | None:
    """An activity's evidence file, for whoever may see its pairing: the
    teacher, the mentor, the district's admins and academy admins."""
    return ActivityEvidence.objects.filter(pk=pk, activity__pairing__in=pairing_list_for_user(user)).first()


def evidence_file_get_for_user(user: AnyUser, name: str) -> PrivateFile | None:
    evidence = ActivityEvidence.objects.filter(
        file=name, activity__pairing__in=pairing_list_for_user(user)
    ).first()
    if evidence is None:
        return None
    return PrivateFile(evidence.file, evidence.original_filename)


def mentor_get_for_user(user: AnyUser) -> MentorProfile | None:
    if not user.is_authenticated:
        return None
    return MentorProfile.objects.filter(user=user).first()


def activity_queue_for_mentor(mentor: MentorProfile) -> QuerySet[ResearchActivity]:
    """Activities waiting for ``mentor``, oldest first, with their evidence."""
    return (
        ResearchActivity.objects.filter(pairing__mentor=mentor, status=ActivityStatus.SUBMITTED)
        .select_related("pairing__teacher")
        .prefetch_related("evidence_files")
        .order_by("occurred_on", "pk")
    )


def activity_waiting_count(mentor: MentorProfile) -> int:
    return ResearchActivity.objects.filter(pairing__mentor=mentor, status=ActivityStatus.SUBMITTED).count()


def mentor_directory() -> QuerySet[MentorProfile]:
    """Mentors taking on teachers, with how many they work with now."""
    return MentorProfile.objects.filter(is_accepting=True).annotate(
        active_count=Count("pairings", filter=Q(pairings__status=PairingStatus.ACTIVE))
    ).prefetch_related("projects")


# --- Matching ---------------------------------------------------------------

SCORE_MAIN_SUBJECT = 3
SCORE_SECOND_SUBJECT = 1
SCORE_STAGE = 2
SCORE_FREE_PLACE = 1


@dataclass
class MentorSuggestion:
    mentor: MentorProfile
    score: int
    free_places: int
    reasons: list = field(default_factory=list)


def mentor_suggestions(teacher: TeacherProfile, *, limit: int = 5) -> list[MentorSuggestion]:
    """Mentors ranked for ``teacher`` by subject fit, stage and free capacity,
    each with the reasons in words. Mentors without a free place or already
    paired with the teacher are left out. One query for the directory."""
    from django.utils.translation import gettext as _

    already = set(
        ResearchPairing.objects.filter(
            teacher=teacher, status__in=[PairingStatus.PROPOSED, PairingStatus.ACTIVE]
        ).values_list("mentor_id", flat=True)
    )
    suggestions = []
    for mentor in mentor_directory():
        free = mentor.capacity - mentor.active_count
        if free <= 0 or mentor.pk in already:
            continue
        score, reasons = 0, []
        if teacher.subject in mentor.subjects:
            score += SCORE_MAIN_SUBJECT
            reasons.append(_("works in your subject, %(subject)s") % {"subject": teacher.get_subject_display()})
        elif teacher.second_subject and teacher.second_subject in mentor.subjects:
            score += SCORE_SECOND_SUBJECT
            reasons.append(
                _("works in your second subject, %(subject)s") % {"subject": teacher.get_second_subject_display()}
            )
        if not mentor.stages or teacher.stage in mentor.stages:
            score += SCORE_STAGE
            reasons.append(_("works with %(stage)s teachers") % {"stage": teacher.get_stage_display()})
        score += min(free, 3) * SCORE_FREE_PLACE
        reasons.append(_("%(count)s free places") % {"count": free})
        suggestions.append(MentorSuggestion(mentor=mentor, score=score, free_places=free, reasons=reasons))
    suggestions.sort(key=lambda suggestion: (-suggestion.score, suggestion.mentor.real_name))
    return suggestions[:limit]
