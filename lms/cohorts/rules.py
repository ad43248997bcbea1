"""Talent cohorts (人才梯队): the rules every cohort module shares.

Which membership step may follow which, who may do what, the messages of
every refusal (``CohortError``), the eligibility rules of a nomination and
what a score must be. The writes are in ``lms.cohorts.services``, progress
in ``lms.cohorts.progress``, the results import in ``lms.cohorts.assessments``,
the scoped reads in ``lms.cohorts.selectors``.
"""

import datetime
from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from lms.cohorts.models import Cohort, CohortAssessment
from lms.constants import MembershipStatus, ProfessionalTitle, Stage, Subject
from lms.imports.tabular import message_render
from lms.people.models import TeacherProfile

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
VIEW_PERMISSION = "lms.view_cohort"
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


def label(choices, value) -> str:
    """The label of ``value`` among ``choices``, or the value if it is not one."""
    try:
        return str(choices(value).label)
    except ValueError:
        return str(value)


# --- Eligibility -----------------------------------------------------------------


def eligibility_failures(*, cohort: Cohort, teacher: TeacherProfile, today: datetime.date | None = None) -> list[dict]:
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
        params["stage"] = label(Stage, params["stage"])
        params["allowed"] = "、".join(label(Stage, value) for value in params["allowed"])
    elif code == "subject":
        params["subject"] = label(Subject, params["subject"])
        params["allowed"] = "、".join(label(Subject, value) for value in params["allowed"])
    elif code == "title":
        params["title"] = label(ProfessionalTitle, params["title"])
        params["required"] = label(ProfessionalTitle, params["required"])
    message = ELIGIBILITY_MESSAGES.get(code)
    return message_render(message, params) if message else str(code)


def eligibility_rules_text(cohort: Cohort) -> list[str]:
    """The cohort's eligibility rules, for the nomination form."""
    rules = []
    if cohort.eligible_stages:
        rules.append(gettext("Stage: %s") % "、".join(label(Stage, v) for v in cohort.eligible_stages))
    if cohort.eligible_subjects:
        rules.append(gettext("Subject: %s") % "、".join(label(Subject, v) for v in cohort.eligible_subjects))
    if cohort.min_title:
        rules.append(gettext("Title: at least %s") % label(ProfessionalTitle, cohort.min_title))
    if cohort.min_years_of_service:
        rules.append(gettext("Years of service: at least %s") % cohort.min_years_of_service)
    return rules


def hours_text(value) -> str:
    """Hours (or a score) without trailing zeros: "32.5", "40"."""
    return format(Decimal(value).normalize(), "f") if value is not None else ""


def score_parse(value, assessment: CohortAssessment) -> Decimal:
    """A score as typed or read from a file, checked against the assessment's
    range and to two decimals; CohortError if it is not one."""
    try:
        score = Decimal(str(value).strip())
    except (InvalidOperation, ValueError):
        raise CohortError(SCORE_NOT_A_NUMBER, code="score")
    if not score.is_finite():
        raise CohortError(SCORE_NOT_A_NUMBER, code="score")
    if score < 0 or score > assessment.max_score:
        raise CohortError(SCORE_OUT_OF_RANGE, code="score_range", params={"max": hours_text(assessment.max_score)})
    if score != score.quantize(Decimal("0.01")):
        raise CohortError(SCORE_NOT_A_NUMBER, code="score")
    return score
