"""A cohort member's progress against every requirement of the cohort.

Never typed in: computed from the ledger, the course enrolments, the
assessment results and the research-along pairings, for a whole roster at
once in a fixed number of queries (docs/decisions/0040-cohort-progress-and-overrides.md).
"""

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Sum
from django.utils.translation import gettext

from lms.cohorts.models import AssessmentResult, Cohort, CohortMembership
from lms.cohorts.rules import hours_text, label
from lms.constants import CreditCategory
from lms.ledger.models import TrainingCredit


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
            category = label(CreditCategory, requirement.category) if requirement.category else gettext("all categories")
            items.append(Requirement(f"hours:{requirement.category}",
                                     gettext("%(hours)s hours (%(category)s)") % {
                                         "hours": hours_text(requirement.hours), "category": category}))
        for pk, title in self.courses:
            items.append(Requirement(f"course:{pk}", gettext("Course: %s") % title))
        for assessment in self.assessments:
            items.append(Requirement(f"assessment:{assessment.pk}", gettext("Assessment: %s") % assessment.name))
        if self.cohort.requires_research_along:
            items.append(Requirement("research_along", gettext("Research-along completed")))
        return items


def cohort_requirements_get(cohort: Cohort) -> CohortRequirements:
    """The cohort's requirements: three queries."""
    return CohortRequirements(
        cohort=cohort,
        hours=list(cohort.hours_requirements.all()),
        courses=list(cohort.required_courses.order_by("title").values_list("pk", "title")),
        assessments=list(cohort.assessments.all()),
    )


@dataclass
class ProgressFacts:
    """What the members have done, read for all of them at once."""

    hours: dict  # teacher pk → {category: hours in the cohort period}
    completed: set  # (teacher pk, course pk) of completed required courses
    results: dict  # (membership pk, assessment pk) → score
    researched: set  # teacher pks with a completed research-along pairing


def _ledger_hours(cohort, requirements, teacher_ids) -> dict:
    """The ledger summed per teacher and category over the cohort period."""
    hours = defaultdict(lambda: defaultdict(Decimal))
    if not requirements.hours:
        return hours
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
    return hours


def _courses_completed(requirements, teacher_ids) -> set:
    from courses.api import Enrolment, EnrolmentStatus

    if not requirements.courses:
        return set()
    return set(
        Enrolment.objects.filter(
            teacher__in=teacher_ids, course_id__in=[pk for pk, _t in requirements.courses],
            status=EnrolmentStatus.COMPLETED,
        ).values_list("teacher_id", "course_id")
    )


def _assessment_scores(requirements, members) -> dict:
    results = {}
    if requirements.assessments:
        for membership_id, assessment_id, score in AssessmentResult.objects.filter(
            membership__in=members, assessment__in=[a.pk for a in requirements.assessments]
        ).values_list("membership_id", "assessment_id", "score"):
            results[(membership_id, assessment_id)] = score
    return results


def _research_done(cohort, teacher_ids) -> set:
    from mentors.api import PairingStatus, ResearchPairing

    if not cohort.requires_research_along:
        return set()
    return set(
        ResearchPairing.objects.filter(teacher__in=teacher_ids, status=PairingStatus.COMPLETED)
        .values_list("teacher_id", flat=True)
        .distinct()
    )


def _done_text(done) -> str:
    return gettext("completed") if done else gettext("not yet")


def _member_items(cohort, membership, requirements, labels, facts: ProgressFacts) -> list:
    """One member's RequirementProgress, in the order of the requirements."""
    items = []
    teacher_hours = facts.hours.get(membership.teacher_id, {})
    for requirement in requirements.hours:
        key = f"hours:{requirement.category}"
        total = teacher_hours.get(requirement.category, Decimal(0)) if requirement.category else sum(
            teacher_hours.values(), Decimal(0))
        items.append(RequirementProgress(key, labels[key], total >= requirement.hours,
                                         f"{hours_text(total)} / {hours_text(requirement.hours)}"))
    for pk, _title in requirements.courses:
        key = f"course:{pk}"
        done = (membership.teacher_id, pk) in facts.completed
        items.append(RequirementProgress(key, labels[key], done, _done_text(done)))
    for assessment in requirements.assessments:
        key = f"assessment:{assessment.pk}"
        score = facts.results.get((membership.pk, assessment.pk))
        if score is None:
            items.append(RequirementProgress(key, labels[key], False, gettext("no result")))
        else:
            items.append(RequirementProgress(key, labels[key], score >= assessment.pass_mark,
                                             f"{hours_text(score)} / {hours_text(assessment.pass_mark)}"))
    if cohort.requires_research_along:
        done = membership.teacher_id in facts.researched
        items.append(RequirementProgress("research_along", labels["research_along"], done, _done_text(done)))
    return items


def membership_progress_map(
    *, cohort: Cohort, memberships: Iterable[CohortMembership], requirements: CohortRequirements | None = None
) -> dict:
    """``{membership pk: MemberProgress}`` for memberships of one cohort.

    A fixed number of queries whatever the number of members: the
    requirements (three), the ledger summed per teacher and category over
    the cohort period (one grouped query), the completed required courses
    (one), the assessment results (one) and the completed research-along
    pairings (one, only when required)."""
    requirements = requirements or cohort_requirements_get(cohort)
    memberships = list(memberships)
    if not memberships:
        return {}
    members = CohortMembership.objects.filter(cohort=cohort, pk__in=[m.pk for m in memberships])
    teacher_ids = members.values("teacher_id")
    facts = ProgressFacts(
        hours=_ledger_hours(cohort, requirements, teacher_ids),
        completed=_courses_completed(requirements, teacher_ids),
        results=_assessment_scores(requirements, members),
        researched=_research_done(cohort, teacher_ids),
    )
    labels = {r.key: r.label for r in requirements.as_list()}
    return {
        membership.pk: MemberProgress(membership, _member_items(cohort, membership, requirements, labels, facts))
        for membership in memberships
    }


def membership_progress_get(*, membership: CohortMembership) -> MemberProgress:
    return membership_progress_map(cohort=membership.cohort, memberships=[membership])[membership.pk]
