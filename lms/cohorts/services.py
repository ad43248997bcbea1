"""Talent cohorts (人才梯队): subject leaders, Olympiad coaches and
master-teacher studios, from nomination to qualification.

Services (writes) are named ``<entity>_<action>`` and take keyword-only
arguments; selectors (reads) ``<entity>_list…``/``…_get``. A member's
progress is never typed in: it is computed from the ledger, the course
enrolments, the assessment results and the research-along pairings, for a
whole roster at once in a fixed number of queries (see
``membership_progress_map`` and docs/decisions/0040-cohort-progress-and-overrides.md).
"""

import csv
import datetime
import re
import unicodedata
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Count, Q, Sum
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from lms.constants import (
    DISTRICT_MANAGE_PERMISSION,
    CreditCategory,
    MembershipStatus,
    ProfessionalTitle,
    Stage,
    Subject,
)
from lms.imports.services import (
    CELL_MAX_CHARS,
    REPORT_VALUE_CHARS,
    ROW_CELL_TOO_LARGE,
    ImportFileError,
    RowError,
    _csv_rows,
    _normalise_header,
    _xlsx_rows,
    check_extension,
    check_size,
    decode_csv,
)
from lms.models import (
    AssessmentResult,
    Cohort,
    CohortAssessment,
    CohortMembership,
    MembershipTransition,
    NominationAttachment,
    TrainingCredit,
)
from lms.people.selectors import district_list_for_user, teacher_list_for_user
from lms.private_files import PrivateFile

S = MembershipStatus

# Which step may follow which. Certified is reached only through
# ``membership_certify``, which checks the requirements.
MEMBERSHIP_TRANSITIONS = {
    S.NOMINATED: {S.UNDER_REVIEW, S.WITHDRAWN},
    S.UNDER_REVIEW: {S.ADMITTED, S.NOT_ADMITTED, S.WITHDRAWN},
    S.ADMITTED: {S.IN_TRAINING, S.WITHDRAWN},
    S.IN_TRAINING: {S.ASSESSED, S.WITHDRAWN},
    S.ASSESSED: {S.CERTIFIED, S.IN_TRAINING, S.WITHDRAWN},
    S.CERTIFIED: set(),
    S.NOT_ADMITTED: set(),
    S.WITHDRAWN: set(),
}
# Statuses that hold one of the cohort's places.
PLACE_STATUSES = (S.ADMITTED, S.IN_TRAINING, S.ASSESSED, S.CERTIFIED)
# Who may override eligibility and requirements: HR and academy admins.
OVERRIDE_PERMISSION = "lms.change_cohortmembership"
MANAGE_PERMISSION = "lms.change_cohortmembership"
NOMINATE_PERMISSION = "lms.add_cohortmembership"

# --- Messages (tests assert these) -------------------------------------------

TEACHER_NOT_IN_SCOPE = _("%(teacher)s is not a teacher of your district; you can nominate only your own district's teachers.")
TEACHER_NO_SCHOOL = _("%(teacher)s has no school; set their school before nominating them.")
DUPLICATE_MEMBERSHIP = _("%(teacher)s is already in %(cohort)s (%(status)s).")
STATEMENT_REQUIRED = _("Write a nomination statement: why this teacher should join the cohort.")
NOT_ELIGIBLE = _("%(teacher)s does not meet the cohort's eligibility rules: %(rules)s. HR or an academy admin may nominate them anyway, giving a reason.")
OVERRIDE_NOT_ALLOWED = _("Only HR or an academy admin may override the eligibility rules.")
NOT_ALLOWED_TO_NOMINATE = _("You may not nominate teachers to cohorts.")
NOT_ALLOWED_TO_MANAGE = _("Only HR or an academy admin may change a membership.")
ILLEGAL_TRANSITION = _("A membership that is %(from)s cannot become %(to)s.")
CERTIFY_THROUGH_SERVICE = _("Use “certify”, which checks the requirements, to certify a member.")
COHORT_FULL = _("%(cohort)s is full: all %(capacity)s places are taken.")
REASON_REQUIRED = _("Give a reason: it is kept with the membership's history.")
REQUIREMENTS_NOT_MET = _("%(teacher)s does not meet every requirement yet: %(missing)s. Certify with an override reason to go ahead anyway.")
NO_CERTIFICATE_TEMPLATE = _("There is no default template for cohort qualification certificates. HR must mark one as the default before certifying.")
SCORE_OUT_OF_RANGE = _("A score must be between 0 and %(max)s.")
SCORE_NOT_A_NUMBER = _("Not a score: write a number such as 86 or 86.5.")
FUTURE_ASSESSMENT = _("The assessment date cannot be in the future.")
ASSESSOR_REQUIRED = _("Name the assessor.")
ASSESSMENT_NOT_OF_COHORT = _("That assessment belongs to another cohort.")
RESULT_STATUS = _("%(teacher)s is %(status)s; results are recorded only for members in training or assessed.")

ELIGIBILITY_MESSAGES = {
    "stage": _("teaches the %(stage)s stage (the cohort takes %(allowed)s)"),
    "subject": _("teaches %(subject)s (the cohort takes %(allowed)s)"),
    "title": _("is %(title)s (at least %(required)s is required)"),
    "years": _("has %(years)s years of service (at least %(required)s are required)"),
    "years_unknown": _("has no recorded start of teaching (at least %(required)s years of service are required)"),
}

LOG_NOMINATE = "lms.cohort_nominate"
LOG_TRANSITION = "lms.cohort_transition"
LOG_CERTIFY = "lms.cohort_certify"

# Titles from the lowest up, for the "at least this title" rule.
TITLE_RANK = [
    ProfessionalTitle.UNRANKED,
    ProfessionalTitle.THIRD_GRADE,
    ProfessionalTitle.SECOND_GRADE,
    ProfessionalTitle.FIRST_GRADE,
    ProfessionalTitle.SENIOR,
    ProfessionalTitle.SENIOR_PROFESSOR,
]


class CohortError(ValidationError):
    """A refused cohort action; ``messages`` are for the user."""


def _label(choices, value):
    try:
        return str(choices(value).label)
    except ValueError:
        return str(value)


def _render(message, params):
    return str(message) % params if params else str(message)


# --- Eligibility -----------------------------------------------------------------


def eligibility_failures(*, cohort, teacher, today=None) -> list[dict]:
    """The cohort's eligibility rules ``teacher`` does not meet, as
    ``{"code", "params"}`` (stored with a nomination; ``eligibility_text``
    renders them in the reader's language)."""
    today = today or timezone.localdate()
    failures = []
    if cohort.eligible_stages and teacher.stage not in cohort.eligible_stages:
        failures.append({"code": "stage", "params": {"stage": teacher.stage, "allowed": list(cohort.eligible_stages)}})
    subjects = {teacher.subject, teacher.second_subject} - {""}
    if cohort.eligible_subjects and not subjects & set(cohort.eligible_subjects):
        failures.append(
            {"code": "subject", "params": {"subject": teacher.subject, "allowed": list(cohort.eligible_subjects)}}
        )
    if cohort.min_title and TITLE_RANK.index(teacher.title) < TITLE_RANK.index(cohort.min_title):
        failures.append({"code": "title", "params": {"title": teacher.title, "required": cohort.min_title}})
    if cohort.min_years_of_service:
        if teacher.teaching_since is None:
            failures.append({"code": "years_unknown", "params": {"required": cohort.min_years_of_service}})
        elif today.year - teacher.teaching_since < cohort.min_years_of_service:
            failures.append(
                {
                    "code": "years",
                    "params": {"years": today.year - teacher.teaching_since, "required": cohort.min_years_of_service},
                }
            )
    return failures


def eligibility_text(failure: dict) -> str:
    params = dict(failure.get("params") or {})
    code = failure.get("code")
    if code == "stage":
        params["stage"] = _label(Stage, params["stage"])
        params["allowed"] = "、".join(_label(Stage, value) for value in params["allowed"])
    elif code == "subject":
        params["subject"] = _label(Subject, params["subject"])
        params["allowed"] = "、".join(_label(Subject, value) for value in params["allowed"])
    elif code == "title":
        params["title"] = _label(ProfessionalTitle, params["title"])
        params["required"] = _label(ProfessionalTitle, params["required"])
    message = ELIGIBILITY_MESSAGES.get(code)
    return _render(message, params) if message else str(code)


def eligibility_rules_text(cohort) -> list[str]:
    """The cohort's eligibility rules, for the nomination form."""
    rules = []
    if cohort.eligible_stages:
        rules.append(gettext("Stage: %s") % "、".join(_label(Stage, v) for v in cohort.eligible_stages))
    if cohort.eligible_subjects:
        rules.append(gettext("Subject: %s") % "、".join(_label(Subject, v) for v in cohort.eligible_subjects))
    if cohort.min_title:
        rules.append(gettext("Title: at least %s") % _label(ProfessionalTitle, cohort.min_title))
    if cohort.min_years_of_service:
        rules.append(gettext("Years of service: at least %s") % cohort.min_years_of_service)
    return rules


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
            params={"from": _label(MembershipStatus, membership.status), "to": _label(MembershipStatus, to_status)},
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


# --- Requirements and progress ----------------------------------------------------


@dataclass(frozen=True)
class Requirement:
    key: str
    label: str


@dataclass(frozen=True)
class RequirementProgress:
    key: str
    label: str
    met: bool
    # What stands against the requirement, e.g. "32.5 / 40", "86 / 60".
    current: str


@dataclass
class MemberProgress:
    membership: CohortMembership
    requirements: list

    @property
    def met_all(self):
        return all(r.met for r in self.requirements)

    @property
    def met_count(self):
        return sum(1 for r in self.requirements if r.met)

    @property
    def missing(self):
        return [r for r in self.requirements if not r.met]


@dataclass
class CohortRequirements:
    cohort: Cohort
    hours: list  # CohortHoursRequirement
    courses: list  # (pk, title)
    assessments: list  # CohortAssessment

    def as_list(self):
        items = []
        for requirement in self.hours:
            category = _label(CreditCategory, requirement.category) if requirement.category else gettext("all categories")
            items.append(Requirement(f"hours:{requirement.category}",
                                     gettext("%(hours)s hours (%(category)s)") % {
                                         "hours": _hours(requirement.hours), "category": category}))
        for pk, title in self.courses:
            items.append(Requirement(f"course:{pk}", gettext("Course: %s") % title))
        for assessment in self.assessments:
            items.append(Requirement(f"assessment:{assessment.pk}", gettext("Assessment: %s") % assessment.name))
        if self.cohort.requires_research_along:
            items.append(Requirement("research_along", gettext("Research-along completed")))
        return items


def _hours(value):
    return format(Decimal(value).normalize(), "f") if value is not None else ""


def cohort_requirements_get(cohort) -> CohortRequirements:
    """The cohort's requirements: three queries."""
    return CohortRequirements(
        cohort=cohort,
        hours=list(cohort.hours_requirements.all()),
        courses=list(cohort.required_courses.order_by("title").values_list("pk", "title")),
        assessments=list(cohort.assessments.all()),
    )


def membership_progress_map(*, cohort, memberships, requirements=None) -> dict:
    """``{membership pk: MemberProgress}`` for memberships of one cohort.

    A fixed number of queries whatever the number of members: the
    requirements (three), the ledger summed per teacher and category over
    the cohort period (one grouped query), the completed required courses
    (one), the assessment results (one) and the completed research-along
    pairings (one, only when required)."""
    from courses.api import Enrolment, EnrolmentStatus
    from mentors.api import PairingStatus, ResearchPairing

    requirements = requirements or cohort_requirements_get(cohort)
    memberships = list(memberships)
    if not memberships:
        return {}
    members = CohortMembership.objects.filter(cohort=cohort, pk__in=[m.pk for m in memberships])
    teacher_ids = members.values("teacher_id")

    hours = defaultdict(lambda: defaultdict(Decimal))
    if requirements.hours:
        rows = (
            TrainingCredit.objects.filter(
                teacher__in=teacher_ids, occurred_on__gte=cohort.period_start, occurred_on__lte=cohort.period_end
            )
            .order_by()
            .values_list("teacher_id", "category")
            .annotate(total=Sum("hours"))
        )
        for teacher_id, category, total in rows:
            hours[teacher_id][category] += total or 0
    completed = set()
    if requirements.courses:
        completed = set(
            Enrolment.objects.filter(
                teacher__in=teacher_ids, course_id__in=[pk for pk, _t in requirements.courses],
                status=EnrolmentStatus.COMPLETED,
            ).values_list("teacher_id", "course_id")
        )
    results = {}
    if requirements.assessments:
        for membership_id, assessment_id, score in AssessmentResult.objects.filter(
            membership__in=members, assessment__in=[a.pk for a in requirements.assessments]
        ).values_list("membership_id", "assessment_id", "score"):
            results[(membership_id, assessment_id)] = score
    researched = set()
    if cohort.requires_research_along:
        researched = set(
            ResearchPairing.objects.filter(teacher__in=teacher_ids, status=PairingStatus.COMPLETED)
            .values_list("teacher_id", flat=True)
            .distinct()
        )

    labels = {r.key: r.label for r in requirements.as_list()}
    progress = {}
    for membership in memberships:
        items = []
        teacher_hours = hours.get(membership.teacher_id, {})
        for requirement in requirements.hours:
            key = f"hours:{requirement.category}"
            total = teacher_hours.get(requirement.category, Decimal(0)) if requirement.category else sum(
                teacher_hours.values(), Decimal(0))
            items.append(RequirementProgress(key, labels[key], total >= requirement.hours,
                                             f"{_hours(total)} / {_hours(requirement.hours)}"))
        for pk, _title in requirements.courses:
            key = f"course:{pk}"
            done = (membership.teacher_id, pk) in completed
            items.append(RequirementProgress(key, labels[key], done,
                                             gettext("completed") if done else gettext("not yet")))
        for assessment in requirements.assessments:
            key = f"assessment:{assessment.pk}"
            score = results.get((membership.pk, assessment.pk))
            if score is None:
                items.append(RequirementProgress(key, labels[key], False, gettext("no result")))
            else:
                items.append(RequirementProgress(key, labels[key], score >= assessment.pass_mark,
                                                 f"{_hours(score)} / {_hours(assessment.pass_mark)}"))
        if cohort.requires_research_along:
            done = membership.teacher_id in researched
            items.append(RequirementProgress("research_along", labels["research_along"], done,
                                             gettext("completed") if done else gettext("not yet")))
        progress[membership.pk] = MemberProgress(membership, items)
    return progress


def membership_progress_get(*, membership) -> MemberProgress:
    return membership_progress_map(cohort=membership.cohort, memberships=[membership])[membership.pk]


# --- Certification -----------------------------------------------------------------


@transaction.atomic
def membership_certify(*, membership, by, override_reason="", progress=None):
    """Certify an assessed member who meets every requirement (or, with an
    override reason from HR or an academy admin, one who does not), and
    issue the cohort qualification certificate after the commit.

    Idempotent: a member already certified is returned as is, and the
    certificate is issued at most once (one valid certificate per holder and
    cohort, enforced by the certificates app)."""
    from certificates.api import CertificateKind, certificate_issue_later, template_default

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
    template = template_default(CertificateKind.COHORT_QUALIFICATION)
    if template is None:
        raise CohortError(NO_CERTIFICATE_TEMPLATE, code="template")
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
    cohort = membership.cohort
    certificate_issue_later(
        kind=CertificateKind.COHORT_QUALIFICATION,
        holder=membership.teacher,
        subject_object=cohort,
        subject_label=cohort.name,
        started_on=cohort.period_start,
        completed_on=timezone.localdate(now),
        template=template,
    )
    return membership


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
            result.refused.append((membership, _render(REQUIREMENTS_NOT_MET, {
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


def _score(value, assessment):
    try:
        score = Decimal(str(value).strip())
    except (InvalidOperation, ValueError):
        raise CohortError(SCORE_NOT_A_NUMBER, code="score")
    if not score.is_finite():
        raise CohortError(SCORE_NOT_A_NUMBER, code="score")
    if score < 0 or score > assessment.max_score:
        raise CohortError(SCORE_OUT_OF_RANGE, code="score_range", params={"max": _hours(assessment.max_score)})
    if score != score.quantize(Decimal("0.01")):
        raise CohortError(SCORE_NOT_A_NUMBER, code="score")
    return score


@transaction.atomic
def assessment_result_record(*, membership, assessment, score, assessed_on, assessor, by, via="form"):
    """Record (or replace, for a retake) a member's result. A member in
    training with a result in every assessment becomes assessed."""
    if not (by.is_active and by.has_perm(MANAGE_PERMISSION)):
        raise CohortError(NOT_ALLOWED_TO_MANAGE, code="permission")
    if assessment.cohort_id != membership.cohort_id:
        raise CohortError(ASSESSMENT_NOT_OF_COHORT, code="assessment")
    score = _score(score, assessment)
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


# The assessment-results spreadsheet: one row per member and assessment.
ASSESSMENT_COLUMNS = {
    "staff_number": ("工号", "staff number", "staff_number", "职工号"),
    "assessment": ("考核项目", "考核", "assessment"),
    "score": ("成绩", "分数", "score"),
    "assessed_on": ("考核日期", "日期", "assessed on", "date"),
    "assessor": ("考核人", "评委", "assessor"),
}
ASSESSMENT_REQUIRED = ("staff_number", "score", "assessed_on", "assessor")

ROW_UNKNOWN_MEMBER = _("No member of this cohort has this staff number.")
ROW_UNKNOWN_ASSESSMENT = _("Unknown assessment; use one of: %(choices)s.")
ROW_BAD_DATE = _("Not a date: write it as 2026-06-30.")
ROW_DUPLICATE = _("This member's result in this assessment is already on row %(first_row)s.")
ROW_REQUIRED = _("This column must not be empty.")
ASSESSMENT_ROW_ERRORS = {
    "cell_too_large": ROW_CELL_TOO_LARGE,
    "unknown_member": ROW_UNKNOWN_MEMBER,
    "unknown_assessment": ROW_UNKNOWN_ASSESSMENT,
    "bad_date": ROW_BAD_DATE,
    "duplicate": ROW_DUPLICATE,
    "required": ROW_REQUIRED,
    "score": SCORE_NOT_A_NUMBER,
    "score_range": SCORE_OUT_OF_RANGE,
    "assessed_on": FUTURE_ASSESSMENT,
    "status": RESULT_STATUS,
    "assessor": ASSESSOR_REQUIRED,
}
DATE_RE = re.compile(r"^(\d{4})[-/.年](\d{1,2})[-/.月](\d{1,2})日?$")


@dataclass
class AssessmentRow:
    row: int
    membership: CohortMembership
    assessment: CohortAssessment
    score: Decimal
    assessed_on: datetime.date
    assessor: str


@dataclass
class AssessmentImportReport:
    rows: list = field(default_factory=list)  # AssessmentRow
    errors: list = field(default_factory=list)  # RowError
    file_error: str = ""

    @property
    def ok(self):
        return not self.errors and not self.file_error and bool(self.rows)


def assessment_row_error_text(error: RowError) -> str:
    message = ASSESSMENT_ROW_ERRORS.get(error.code)
    return _render(message, error.params) if message else error.code


def _parse_date(text):
    match = DATE_RE.match(text)
    if match:
        try:
            return datetime.date(*map(int, match.groups()))
        except ValueError:
            return None
    try:
        return datetime.date.fromisoformat(text[:10])
    except ValueError:
        return None


def _assessment_rows(data, filename):
    suffix = check_extension(filename)
    check_size(len(data))
    if not data.strip():
        raise ImportFileError("empty")
    if suffix == ".csv":
        text, _encoding = decode_csv(data)
        raw = _csv_rows(text)
    else:
        raw = _xlsx_rows(data)
    header = next(raw, (None, None))[1]
    if not header or not any(str(cell).strip() for cell in header):
        raise ImportFileError("empty")
    names = {_normalise_header(alias): name for name, aliases in ASSESSMENT_COLUMNS.items() for alias in aliases}
    index = {}
    for position, cell in enumerate(header):
        name = names.get(_normalise_header(cell))
        if name is None:
            continue
        if name in index:
            raise ImportFileError("duplicate_header", header=str(cell).strip())
        index[name] = position
    for name in ASSESSMENT_REQUIRED:
        if name not in index:
            raise ImportFileError("missing_header", header=ASSESSMENT_COLUMNS[name][0])
    for number, cells in raw:
        if not any(str(c).strip() for c in cells):
            continue
        yield number, {
            name: unicodedata.normalize("NFKC", cells[pos].strip()) if pos < len(cells) else ""
            for name, pos in index.items()
        }


def assessment_import_check(*, cohort, data: bytes, filename: str, today=None) -> AssessmentImportReport:
    """The dry run: every row checked, every problem reported with its row
    and column, nothing written. Queries: the cohort's assessments and its
    members, whatever the number of rows."""
    today = today or timezone.localdate()
    report = AssessmentImportReport()
    assessments = list(cohort.assessments.all())
    by_name = {_normalise_header(a.name): a for a in assessments}
    members = {
        m.teacher.staff_number: m
        for m in CohortMembership.objects.filter(cohort=cohort).select_related("teacher")
    }
    seen = {}
    try:
        for number, record in _assessment_rows(data, filename):
            errors = []

            def error(column, code, **params):
                errors.append(RowError(number, ASSESSMENT_COLUMNS[column][0], code, record.get(column, ""), params))

            oversized = [name for name, text in record.items() if len(text) > CELL_MAX_CHARS]
            if oversized:
                # Reported on its row and column, as in every other import;
                # nothing else is checked in a row that cannot be read.
                report.errors.extend(
                    RowError(number, ASSESSMENT_COLUMNS[name][0], "cell_too_large",
                             record[name][:REPORT_VALUE_CHARS] + "…",
                             {"size": len(record[name]), "max": CELL_MAX_CHARS})
                    for name in oversized
                )
                continue
            for name in ASSESSMENT_REQUIRED:
                if not record.get(name):
                    error(name, "required")
            membership = members.get(record.get("staff_number", ""))
            if record.get("staff_number") and membership is None:
                error("staff_number", "unknown_member")
            elif membership is not None and membership.status not in (S.IN_TRAINING, S.ASSESSED):
                error("staff_number", "status", teacher=membership.teacher.real_name,
                      status=str(membership.get_status_display()))
            assessment = None
            if record.get("assessment"):
                assessment = by_name.get(_normalise_header(record["assessment"]))
            elif len(assessments) == 1:
                assessment = assessments[0]
            if assessment is None:
                error("assessment", "unknown_assessment", choices="、".join(a.name for a in assessments))
            score = None
            if record.get("score") and assessment is not None:
                try:
                    score = _score(record["score"], assessment)
                except CohortError as problem:
                    error("score", problem.code, **(problem.params or {}))
            assessed_on = None
            if record.get("assessed_on"):
                assessed_on = _parse_date(record["assessed_on"])
                if assessed_on is None:
                    error("assessed_on", "bad_date")
                elif assessed_on > today:
                    error("assessed_on", "assessed_on")
            if membership is not None and assessment is not None:
                key = (membership.pk, assessment.pk)
                if key in seen:
                    error("staff_number", "duplicate", first_row=seen[key])
                else:
                    seen[key] = number
            if errors:
                report.errors.extend(errors)
            else:
                report.rows.append(AssessmentRow(number, membership, assessment, score, assessed_on,
                                                 record["assessor"][:64]))
    except ImportFileError as problem:
        report.file_error = problem.message
        report.rows = []
    except csv.Error:
        # A malformed CSV (e.g. a field larger than the csv module allows).
        report.file_error = ImportFileError("unexpected").message
        report.rows = []
    if not report.file_error and not report.rows and not report.errors:
        report.file_error = str(ImportFileError("no_rows").message)
    return report


@transaction.atomic
def assessment_import_commit(*, cohort, data: bytes, filename: str, by) -> AssessmentImportReport:
    """Check the file again and, only if every row is valid, record every
    result; a file with any error writes nothing."""
    if not (by.is_active and by.has_perm(MANAGE_PERMISSION)):
        raise CohortError(NOT_ALLOWED_TO_MANAGE, code="permission")
    report = assessment_import_check(cohort=cohort, data=data, filename=filename)
    if not report.ok:
        return report
    for row in report.rows:
        assessment_result_record(
            membership=row.membership, assessment=row.assessment, score=row.score, assessed_on=row.assessed_on,
            assessor=row.assessor, by=by, via="import",
        )
    return report


def assessment_import_template() -> bytes:
    """A CSV with the expected header, BOM included so Excel reads Chinese."""
    header = ",".join(aliases[0] for aliases in ASSESSMENT_COLUMNS.values())
    return ("\ufeff" + header + "\n").encode("utf-8")


# --- Selectors -------------------------------------------------------------------------


def cohort_list_for_user(user):
    """Every cohort, for anyone who may nominate or manage (cohorts are not
    secret); nothing for anyone else."""
    if not (user.is_authenticated and user.is_active):
        return Cohort.objects.none()
    if user.has_perm("lms.view_cohort") or user.has_perm(NOMINATE_PERMISSION):
        return Cohort.objects.all()
    return Cohort.objects.none()


def membership_list_for_user(user):
    """Memberships of the teachers the user may see: HR and academy admins
    all, a district admin their district's."""
    if not (user.is_authenticated and user.is_active):
        return CohortMembership.objects.none()
    memberships = CohortMembership.objects.all()
    if user.has_perm(DISTRICT_MANAGE_PERMISSION):
        return memberships
    return memberships.filter(teacher__school__district__in=district_list_for_user(user))


def nomination_attachment_file_get_for_user(user, name):
    """A nomination attachment, for the nominated teacher and for staff
    whose scope covers the teacher (HR and academy admins, the district's
    admins)."""
    if not (user.is_authenticated and user.is_active):
        return None
    attachment = (
        NominationAttachment.objects.filter(file=name)
        .filter(Q(membership__teacher__user=user) | Q(membership__in=membership_list_for_user(user)))
        .first()
    )
    if attachment is None:
        return None
    return PrivateFile(attachment.file, attachment.original_filename)


def roster_list(*, cohort, user):
    """The cohort's members the user may see, with their teacher, school
    and district: one query."""
    return (
        membership_list_for_user(user)
        .filter(cohort=cohort)
        .select_related("teacher__school__district")
        .order_by("teacher__staff_number")
    )


def talent_registry_list(*, user):
    """Certified members the user may see, for the talent registry."""
    return (
        membership_list_for_user(user)
        .filter(status=S.CERTIFIED)
        .select_related("teacher__school__district", "cohort")
        .order_by("-certified_at", "pk")
    )


def my_membership_list(*, teacher) -> list:
    """A teacher's memberships with their progress: one progress
    computation per cohort (a teacher is in few)."""
    memberships = list(
        CohortMembership.objects.filter(teacher=teacher).select_related("cohort").order_by("-nominated_at")
    )
    return [
        (membership, membership_progress_map(cohort=membership.cohort, memberships=[membership])[membership.pk])
        for membership in memberships
    ]


NAV_CACHE_KEY = "lms:cohort-member:{pk}"
NAV_CACHE_SECONDS = 300


def teacher_has_membership(user) -> bool:
    """Whether the public site's menu shows "My cohorts" to ``user``.

    Asked on every page, so the answer is cached for a few minutes (and
    dropped when the user is nominated): the pages' pinned query counts
    stay as they are."""
    if not user.is_authenticated:
        return False
    key = NAV_CACHE_KEY.format(pk=user.pk)
    answer = cache.get(key)
    if answer is None:
        answer = CohortMembership.objects.filter(teacher__user=user).exclude(status=S.NOT_ADMITTED).exists()
        cache.set(key, answer, NAV_CACHE_SECONDS)
    return answer


def cohort_certified_counts(*, district=None) -> dict:
    """Certified members by cohort kind (``{kind: count}``), city-wide or
    of one district's teachers: one query."""
    memberships = CohortMembership.objects.filter(status=S.CERTIFIED)
    if district is not None:
        memberships = memberships.filter(teacher__school__district=district)
    return dict(memberships.order_by().values_list("cohort__kind").annotate(n=Count("pk")))


def cohort_status_counts(cohorts) -> dict:
    """``{cohort pk: {status: count}}``: one query."""
    counts = defaultdict(dict)
    for cohort_id, status, n in (
        CohortMembership.objects.filter(cohort__in=cohorts).order_by().values_list("cohort_id", "status")
        .annotate(n=Count("pk"))
    ):
        counts[cohort_id][status] = n
    return counts
