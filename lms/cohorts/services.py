"""Talent cohorts (人才梯队): subject leaders, Olympiad coaches and
master-teacher studios, from nomination to qualification.

The writes: nomination, the membership's steps (one at a time or HR's bulk
step), certification, and a member's assessment result. Services are named
``<entity>_<action>`` and take keyword-only arguments; each checks who may
act, records who did what and why (``MembershipTransition``, the site
history) and refuses with a ``CohortError`` whose message is for the user.
The rules they apply are in ``lms.cohorts.rules``; a member's progress is
computed by ``lms.cohorts.progress``.
"""

from dataclasses import dataclass, field

from django.core.cache import cache
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext

from lms.cohorts.models import (
    AssessmentResult,
    Cohort,
    CohortAssessment,
    CohortMembership,
    MembershipTransition,
    NominationAttachment,
)
from lms.cohorts.progress import (
    cohort_requirements_get,
    membership_progress_get,
    membership_progress_map,
)
from lms.cohorts.rules import (
    ASSESSMENT_NOT_OF_COHORT,
    ASSESSOR_REQUIRED,
    CERTIFY_THROUGH_SERVICE,
    COHORT_FULL,
    DUPLICATE_MEMBERSHIP,
    FUTURE_ASSESSMENT,
    ILLEGAL_TRANSITION,
    MANAGE_PERMISSION,
    MEMBERSHIP_TRANSITIONS,
    NO_CERTIFICATE_TEMPLATE,
    NOMINATE_PERMISSION,
    NOT_ALLOWED_TO_MANAGE,
    NOT_ALLOWED_TO_NOMINATE,
    NOT_ELIGIBLE,
    OVERRIDE_NOT_ALLOWED,
    OVERRIDE_PERMISSION,
    PLACE_STATUSES,
    REASON_REQUIRED,
    REQUIREMENTS_NOT_MET,
    RESULT_STATUS,
    STATEMENT_REQUIRED,
    TEACHER_NO_SCHOOL,
    TEACHER_NOT_IN_SCOPE,
    CohortError,
    S,
    eligibility_failures,
    eligibility_text,
    label,
    score_parse,
)
from lms.cohorts.selectors import NAV_CACHE_KEY
from lms.constants import MembershipStatus
from lms.events import (
    REFUSED_NO_CERTIFICATE_TEMPLATE,
    Completion,
    CompletionKind,
    CompletionRefused,
    completion_announce,
)
from lms.imports.tabular import message_render
from lms.people.selectors import teacher_list_for_user

LOG_NOMINATE = "lms.cohort_nominate"
LOG_TRANSITION = "lms.cohort_transition"
LOG_CERTIFY = "lms.cohort_certify"


# --- Nomination and transitions ---------------------------------------------------


def _can_override(user):
    return user is not None and user.is_active and user.has_perm(OVERRIDE_PERMISSION)


def _log(instance, action, user, data):
    from wagtail.log_actions import log

    log(instance=instance, action=action, user=user, data=data)


@transaction.atomic
def membership_nominate(*, cohort, teacher, by, statement, attachments=(), override_reason="", today=None):
    """Nominate ``teacher`` to ``cohort``. A district admin nominates only
    their own district's teachers; a teacher who fails an eligibility rule
    is refused unless HR or an academy admin gives an override reason."""
    if not (by.is_active and by.has_perm(NOMINATE_PERMISSION)):
        raise CohortError(NOT_ALLOWED_TO_NOMINATE, code="permission")
    if not teacher_list_for_user(by).filter(pk=teacher.pk).exists():
        raise CohortError(TEACHER_NOT_IN_SCOPE, params={"teacher": teacher.real_name}, code="scope")
    if teacher.school_id is None:
        raise CohortError(TEACHER_NO_SCHOOL, params={"teacher": teacher.real_name}, code="school")
    statement = (statement or "").strip()
    if not statement:
        raise CohortError(STATEMENT_REQUIRED, code="statement")
    override_reason = (override_reason or "").strip()
    if override_reason and not _can_override(by):
        raise CohortError(OVERRIDE_NOT_ALLOWED, code="override")
    existing = CohortMembership.objects.filter(cohort=cohort, teacher=teacher).first()
    if existing is not None:
        raise CohortError(DUPLICATE_MEMBERSHIP, code="duplicate", params=_duplicate_params(existing, cohort, teacher))
    failures = eligibility_failures(cohort=cohort, teacher=teacher, today=today)
    if failures and not override_reason:
        raise CohortError(
            NOT_ELIGIBLE,
            code="eligibility",
            params={"teacher": teacher.real_name, "rules": "；".join(eligibility_text(f) for f in failures)},
        )
    now = timezone.now()
    try:
        with transaction.atomic():
            membership = CohortMembership.objects.create(
                cohort=cohort, teacher=teacher, status=S.NOMINATED, status_changed_at=now, nominated_by=by,
                nominated_at=now, statement=statement, eligibility_failures=failures,
                eligibility_override_reason=override_reason if failures else "",
                eligibility_overridden_by=by if failures else None,
            )
    except IntegrityError:
        existing = CohortMembership.objects.get(cohort=cohort, teacher=teacher)
        raise CohortError(DUPLICATE_MEMBERSHIP, code="duplicate", params=_duplicate_params(existing, cohort, teacher))
    reason = statement if not failures else f"{statement}\n\n{gettext('Eligibility overridden')}: {override_reason}"
    MembershipTransition.objects.create(membership=membership, from_status="", to_status=S.NOMINATED, by=by,
                                        at=now, reason=reason)
    for upload in attachments:
        NominationAttachment.objects.create(membership=membership, file=upload,
                                            original_filename=getattr(upload, "name", "")[:255])
    cache.delete(NAV_CACHE_KEY.format(pk=teacher.user_id))
    _log(membership, LOG_NOMINATE, by, {"cohort": cohort.pk, "teacher": teacher.pk, "override": bool(failures)})
    return membership


def _duplicate_params(existing, cohort, teacher):
    return {"teacher": teacher.real_name, "cohort": cohort.name, "status": existing.get_status_display()}


def _transition(membership, to_status, by, reason, now):
    from_status = membership.status
    membership.status = to_status
    membership.status_changed_at = now
    MembershipTransition.objects.create(
        membership=membership, from_status=from_status, to_status=to_status, by=by, at=now, reason=reason
    )


def _check_transition(membership, to_status):
    if to_status not in MEMBERSHIP_TRANSITIONS.get(membership.status, set()):
        raise CohortError(
            ILLEGAL_TRANSITION,
            code="transition",
            params={"from": label(MembershipStatus, membership.status), "to": label(MembershipStatus, to_status)},
        )


def _places_taken(cohort):
    return CohortMembership.objects.filter(cohort=cohort, status__in=PLACE_STATUSES).count()


@transaction.atomic
def membership_transition(*, membership, to_status, by, reason=""):
    """Move ``membership`` one legal step, recording who, when and why.
    Refusing, not admitting and withdrawing need a reason."""
    if not (by.is_active and by.has_perm(MANAGE_PERMISSION)):
        raise CohortError(NOT_ALLOWED_TO_MANAGE, code="permission")
    to_status = MembershipStatus(to_status)
    if to_status == S.CERTIFIED:
        raise CohortError(CERTIFY_THROUGH_SERVICE, code="transition")
    membership = CohortMembership.objects.select_for_update(of=("self",)).select_related("cohort", "teacher").get(pk=membership.pk)
    _check_transition(membership, to_status)
    reason = (reason or "").strip()
    if to_status in (S.NOT_ADMITTED, S.WITHDRAWN) and not reason:
        raise CohortError(REASON_REQUIRED, code="reason")
    if to_status == S.ADMITTED:
        cohort = Cohort.objects.select_for_update().get(pk=membership.cohort_id)
        if _places_taken(cohort) >= cohort.capacity:
            raise CohortError(COHORT_FULL, code="capacity", params={"cohort": cohort.name, "capacity": cohort.capacity})
    _transition(membership, to_status, by, reason, timezone.now())
    membership.save(update_fields=["status", "status_changed_at"])
    _log(membership, LOG_TRANSITION, by, {"to": to_status.value, "reason": reason})
    return membership


@dataclass
class BulkResult:
    done: list = field(default_factory=list)
    # (membership, message)
    refused: list = field(default_factory=list)


def memberships_transition_bulk(*, memberships, to_status, by, reason="") -> BulkResult:
    """HR's bulk step (admit, move to training, …): each membership moves or
    is refused with its message; one refusal stops none of the others."""
    result = BulkResult()
    for membership in memberships:
        try:
            result.done.append(membership_transition(membership=membership, to_status=to_status, by=by, reason=reason))
        except CohortError as error:
            result.refused.append((membership, " ".join(error.messages)))
    return result


# --- Certification -----------------------------------------------------------------


@transaction.atomic
def membership_certify(*, membership, by, override_reason="", progress=None):
    """Certify an assessed member who meets every requirement (or, with an
    override reason from HR or an academy admin, one who does not), and
    issue the cohort qualification certificate after the commit.

    Idempotent: a member already certified is returned as is, and the
    certificate is issued at most once (one valid certificate per holder and
    cohort, enforced by the certificates app)."""
    if not (by.is_active and by.has_perm(MANAGE_PERMISSION)):
        raise CohortError(NOT_ALLOWED_TO_MANAGE, code="permission")
    membership = (
        CohortMembership.objects.select_for_update(of=("self",))
        .select_related("cohort", "teacher__school")
        .get(pk=membership.pk)
    )
    if membership.status == S.CERTIFIED:
        return membership
    _check_transition(membership, S.CERTIFIED)
    override_reason = (override_reason or "").strip()
    if progress is None:
        progress = membership_progress_get(membership=membership)
    missing = progress.missing
    if missing and not override_reason:
        raise CohortError(
            REQUIREMENTS_NOT_MET,
            code="requirements",
            params={"teacher": membership.teacher.real_name, "missing": "；".join(r.label for r in missing)},
        )
    now = timezone.now()
    reason = override_reason if missing else ""
    _transition(membership, S.CERTIFIED, by, reason, now)
    membership.certified_at = now
    membership.certified_by = by
    membership.certification_shortfalls = [{"key": r.key, "label": r.label, "current": r.current} for r in missing]
    membership.certification_override_reason = reason
    membership.save(update_fields=[
        "status", "status_changed_at", "certified_at", "certified_by", "certification_shortfalls",
        "certification_override_reason",
    ])
    _log(membership, LOG_CERTIFY, by, {"override": bool(missing), "reason": reason})
    _certification_announce(membership)
    return membership


def _certification_announce(membership):
    """Announce the certification (lms.events), in its transaction: the
    certificates app promises the qualification certificate, and refuses
    the certification when HR has no default template for it, rather than
    failing later in the worker."""
    cohort = membership.cohort
    try:
        completion_announce(Completion(
            kind=CompletionKind.COHORT,
            teacher_pk=membership.teacher_id,
            evidence=membership,
            subject=cohort,
            title=cohort.name,
            occurred_on=timezone.localdate(membership.certified_at),
            source_key=f"cohort-certification:{membership.pk}",
            started_on=cohort.period_start,
            certificate_required=True,
        ))
    except CompletionRefused as refusal:
        if refusal.code == REFUSED_NO_CERTIFICATE_TEMPLATE:
            raise CohortError(NO_CERTIFICATE_TEMPLATE, code="template") from refusal
        raise CohortError(" ".join(refusal.messages), code=refusal.code) from refusal


def cohort_certify_eligible(*, cohort, by) -> BulkResult:
    """Certify every assessed member who meets every requirement; the
    others are left as they are, each with what they lack."""
    requirements = cohort_requirements_get(cohort)
    assessed = list(CohortMembership.objects.filter(cohort=cohort, status=S.ASSESSED).select_related("teacher"))
    progress = membership_progress_map(cohort=cohort, memberships=assessed, requirements=requirements)
    result = BulkResult()
    for membership in assessed:
        member_progress = progress[membership.pk]
        if not member_progress.met_all:
            result.refused.append((membership, message_render(REQUIREMENTS_NOT_MET, {
                "teacher": membership.teacher.real_name,
                "missing": "；".join(r.label for r in member_progress.missing),
            })))
            continue
        try:
            result.done.append(membership_certify(membership=membership, by=by, progress=member_progress))
        except CohortError as error:
            result.refused.append((membership, " ".join(error.messages)))
    return result


# --- Assessment results ------------------------------------------------------------


@transaction.atomic
def assessment_result_record(*, membership, assessment, score, assessed_on, assessor, by, via="form"):
    """Record (or replace, for a retake) a member's result. A member in
    training with a result in every assessment becomes assessed."""
    if not (by.is_active and by.has_perm(MANAGE_PERMISSION)):
        raise CohortError(NOT_ALLOWED_TO_MANAGE, code="permission")
    if assessment.cohort_id != membership.cohort_id:
        raise CohortError(ASSESSMENT_NOT_OF_COHORT, code="assessment")
    score = score_parse(score, assessment)
    if assessed_on > timezone.localdate():
        raise CohortError(FUTURE_ASSESSMENT, code="assessed_on")
    assessor = (assessor or "").strip()
    if not assessor:
        raise CohortError(ASSESSOR_REQUIRED, code="assessor")
    if membership.status not in (S.IN_TRAINING, S.ASSESSED):
        raise CohortError(RESULT_STATUS, code="status", params={
            "teacher": membership.teacher.real_name, "status": membership.get_status_display()})
    result, _created = AssessmentResult.objects.update_or_create(
        membership=membership, assessment=assessment,
        defaults={"score": score, "assessed_on": assessed_on, "assessor": assessor, "recorded_by": by,
                  "recorded_at": timezone.now(), "recorded_via": via},
    )
    if membership.status == S.IN_TRAINING:
        wanted = CohortAssessment.objects.filter(cohort_id=membership.cohort_id).count()
        have = AssessmentResult.objects.filter(membership=membership).count()
        if have >= wanted:
            membership = CohortMembership.objects.select_for_update(of=("self",)).get(pk=membership.pk)
            if membership.status == S.IN_TRAINING:
                _transition(membership, S.ASSESSED, by, gettext("Every assessment has a result."), timezone.now())
                membership.save(update_fields=["status", "status_changed_at"])
    return result
