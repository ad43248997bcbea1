"""The demo academy's talent cohorts: the subject-leader cohort, the five
Olympiad-coach cohorts and a master-teacher studio, with members in every
status and some certified, their certificates issued through the
certificates service, so the dashboard shows e.g. "certified 12 / 100".

Members are picked from the demo teachers with the most hours in the
cohort period (one grouped ledger query per cohort), so those certified
meet the requirements their progress is computed against. Memberships,
their steps and assessment results are bulk-inserted: the number of
queries grows with the number of cohorts and certified members, never
with the number of teachers.
"""

import datetime
import random
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.db import transaction
from django.db.models import Sum
from django.utils import timezone

from lms.constants import CohortKind, MembershipStatus, OlympiadSubject, ProfessionalTitle, Stage, Subject
from lms.models import (
    AssessmentResult,
    Cohort,
    CohortAssessment,
    CohortHoursRequirement,
    CohortMembership,
    MembershipTransition,
    TeacherProfile,
    TrainingCredit,
)

S = MembershipStatus
DEMO_TEACHER_USERNAME = "teacher"
HR_USERNAME = "hr"

# The steps to each status, from nomination.
PATHS = {
    S.NOMINATED: [S.NOMINATED],
    S.UNDER_REVIEW: [S.NOMINATED, S.UNDER_REVIEW],
    S.ADMITTED: [S.NOMINATED, S.UNDER_REVIEW, S.ADMITTED],
    S.IN_TRAINING: [S.NOMINATED, S.UNDER_REVIEW, S.ADMITTED, S.IN_TRAINING],
    S.ASSESSED: [S.NOMINATED, S.UNDER_REVIEW, S.ADMITTED, S.IN_TRAINING, S.ASSESSED],
    S.CERTIFIED: [S.NOMINATED, S.UNDER_REVIEW, S.ADMITTED, S.IN_TRAINING, S.ASSESSED, S.CERTIFIED],
    S.NOT_ADMITTED: [S.NOMINATED, S.UNDER_REVIEW, S.NOT_ADMITTED],
    S.WITHDRAWN: [S.NOMINATED, S.UNDER_REVIEW, S.ADMITTED, S.IN_TRAINING, S.WITHDRAWN],
}
REASONS = {
    S.NOT_ADMITTED: "本批次名额有限，建议下一批次再推荐。",
    S.WITHDRAWN: "因工作调动申请退出培养。",
}
STATEMENT = "该同志师德高尚，教学业绩突出，近三年承担区级以上公开课，指导学生获奖，推荐参加培养。"

# Members by status, from the most hours in the period down: the first are
# certified, so they meet the hours requirement.
SUBJECT_LEADER_MIX = [
    (S.CERTIFIED, 12), (S.ASSESSED, 8), (S.IN_TRAINING, 18), (S.ADMITTED, 6), (S.UNDER_REVIEW, 6),
    (S.NOMINATED, 5), (S.WITHDRAWN, 2), (S.NOT_ADMITTED, 3),
]
COACH_MIX = [
    (S.CERTIFIED, 3), (S.ASSESSED, 2), (S.IN_TRAINING, 5), (S.ADMITTED, 2), (S.UNDER_REVIEW, 2), (S.NOMINATED, 2),
    (S.WITHDRAWN, 1), (S.NOT_ADMITTED, 1),
]
STUDIO_MIX = [(S.IN_TRAINING, 8), (S.ADMITTED, 2), (S.NOMINATED, 2)]

OLYMPIAD_TEACHER_SUBJECTS = {
    OlympiadSubject.MATHEMATICS: Subject.MATHEMATICS,
    OlympiadSubject.PHYSICS: Subject.PHYSICS,
    OlympiadSubject.CHEMISTRY: Subject.CHEMISTRY,
    OlympiadSubject.BIOLOGY: Subject.BIOLOGY,
    OlympiadSubject.INFORMATICS: Subject.INFORMATION_TECHNOLOGY,
}
OLYMPIAD_NAMES = {
    OlympiadSubject.MATHEMATICS: "数学", OlympiadSubject.PHYSICS: "物理", OlympiadSubject.CHEMISTRY: "化学",
    OlympiadSubject.BIOLOGY: "生物学", OlympiadSubject.INFORMATICS: "信息学",
}
ASSESSMENT = "专业能力考核"
ASSESSORS = ("王建国教授", "刘海峰研究员", "陈雪梅特级教师")


def _cohort_specs(year):
    start, end = datetime.date(year - 1, 1, 1), datetime.date(year, 12, 31)
    specs = [
        {
            "cohort": Cohort(kind=CohortKind.SUBJECT_LEADER, name=f"济南市科学教育学科带头人培养对象（{year - 1}级）",
                             intake_year=year - 1, capacity=100, period_start=start, period_end=end,
                             min_title=ProfessionalTitle.FIRST_GRADE, min_years_of_service=8),
            "hours": Decimal("24"), "mix": SUBJECT_LEADER_MIX, "stages": None, "subjects": None,
        }
    ]
    for olympiad, subject in OLYMPIAD_TEACHER_SUBJECTS.items():
        specs.append({
            "cohort": Cohort(kind=CohortKind.OLYMPIAD_COACH, olympiad_subject=olympiad,
                             name=f"济南市{OLYMPIAD_NAMES[olympiad]}奥赛教练培养计划（{year - 1}级）",
                             intake_year=year - 1, capacity=20, period_start=start, period_end=end,
                             eligible_stages=[Stage.JUNIOR, Stage.SENIOR], eligible_subjects=[subject]),
            "hours": Decimal("16"), "mix": COACH_MIX, "stages": [Stage.JUNIOR, Stage.SENIOR], "subjects": [subject],
        })
    specs.append({
        "cohort": Cohort(kind=CohortKind.MASTER_TEACHER_STUDIO, name=f"历下区小学科学名师工作室（{year}年）",
                         intake_year=year, capacity=15, period_start=datetime.date(year, 1, 1), period_end=end,
                         eligible_stages=[Stage.PRIMARY]),
        "hours": Decimal("12"), "mix": STUDIO_MIX, "stages": [Stage.PRIMARY], "subjects": None,
    })
    return specs


def _candidates(spec, wanted, taken):
    """Teacher ids with the most hours in the cohort period: one query."""
    cohort = spec["cohort"]
    teachers = TeacherProfile.objects.exclude(user__username=DEMO_TEACHER_USERNAME)
    if spec["stages"]:
        teachers = teachers.filter(stage__in=spec["stages"])
    if spec["subjects"]:
        teachers = teachers.filter(subject__in=spec["subjects"])
    # Only eligible teachers: the demo needs no overrides.
    if cohort.min_title:
        from lms.cohorts.rules import TITLE_RANK

        teachers = teachers.filter(title__in=TITLE_RANK[TITLE_RANK.index(cohort.min_title):])
    if cohort.min_years_of_service:
        teachers = teachers.filter(teaching_since__lte=cohort.period_start.year - cohort.min_years_of_service)
    rows = (
        TrainingCredit.objects.filter(teacher__in=teachers, occurred_on__gte=cohort.period_start,
                                      occurred_on__lte=cohort.period_end)
        .order_by()
        .values_list("teacher_id")
        .annotate(total=Sum("hours"))
        .order_by("-total", "teacher_id")[: wanted + len(taken)]
    )
    return [(teacher_id, total) for teacher_id, total in rows if teacher_id not in taken][:wanted]


def demo_cohorts_seed(*, seed: int = 2024, today: datetime.date | None = None) -> dict:
    """Create the demo cohorts and their members; returns counts by kind of
    the members certified. Certificates need the default cohort template
    (certificates.seeding) to exist first."""
    from certificates.api import CertificateKind, certificate_issue, template_default

    today = today or timezone.localdate()
    rng = random.Random(seed)
    hr = get_user_model().objects.filter(username=HR_USERNAME).first()
    demo = TeacherProfile.objects.filter(user__username=DEMO_TEACHER_USERNAME).first()
    certified = {}
    to_certify = []
    with transaction.atomic():
        taken = set()
        for spec in _cohort_specs(today.year):
            cohort = spec["cohort"]
            cohort.owner = hr
            cohort.save()
            CohortHoursRequirement.objects.create(cohort=cohort, hours=spec["hours"])
            assessment = CohortAssessment.objects.create(cohort=cohort, name=ASSESSMENT, pass_mark=Decimal("60"))
            statuses = [status for status, count in spec["mix"] for _ in range(count)]
            candidates = _candidates(spec, len(statuses), taken)
            # With fewer demo teachers than places, only the top statuses fill.
            pairs = []
            for (teacher_id, total), status in zip(candidates, statuses):
                if status in (S.CERTIFIED, S.ASSESSED) and (total or 0) < spec["hours"]:
                    status = S.IN_TRAINING
                pairs.append((teacher_id, status))
                taken.add(teacher_id)
            if demo is not None and cohort.kind == CohortKind.SUBJECT_LEADER:
                pairs.append((demo.pk, S.IN_TRAINING))
            certified[cohort.kind] = certified.get(cohort.kind, 0)
            _members_write(cohort, assessment, pairs, hr=hr, rng=rng, today=today)
            for teacher_id, status in pairs:
                if status == S.CERTIFIED:
                    certified[cohort.kind] += 1
                    to_certify.append((cohort, teacher_id))

        template = template_default(CertificateKind.COHORT_QUALIFICATION)
        if template is not None and to_certify:
            holders = TeacherProfile.objects.select_related("school", "user").in_bulk(
                [teacher_id for _cohort, teacher_id in to_certify]
            )
            for cohort, teacher_id in to_certify:
                certificate_issue(
                    kind=CertificateKind.COHORT_QUALIFICATION, holder=holders[teacher_id], subject_object=cohort,
                    subject_label=cohort.name, started_on=cohort.period_start,
                    completed_on=min(today, cohort.period_end), template=template, issued_by=hr, notify=False,
                )
    return certified


def _members_write(cohort, assessment, pairs, *, hr, rng, today):
    start = timezone.make_aware(datetime.datetime.combine(cohort.period_start, datetime.time(9)))
    now = timezone.now()
    memberships = []
    for teacher_id, status in pairs:
        path = PATHS[status]
        memberships.append(CohortMembership(
            cohort=cohort, teacher_id=teacher_id, status=status, statement=STATEMENT, nominated_by=hr,
            nominated_at=start, status_changed_at=min(now, start + datetime.timedelta(days=40 * (len(path) - 1))),
            certified_at=min(now, start + datetime.timedelta(days=200)) if status == S.CERTIFIED else None,
            certified_by=hr if status == S.CERTIFIED else None,
        ))
    if not memberships:
        return
    memberships = CohortMembership.objects.bulk_create(memberships)
    steps, results = [], []
    for membership in memberships:
        path = PATHS[membership.status]
        for index, status in enumerate(path):
            steps.append(MembershipTransition(
                membership=membership, from_status=path[index - 1] if index else "", to_status=status, by=hr,
                at=min(now, start + datetime.timedelta(days=40 * index)),
                reason=STATEMENT if index == 0 else REASONS.get(status, ""),
            ))
        if membership.status in (S.ASSESSED, S.CERTIFIED):
            passed = membership.status == S.CERTIFIED or rng.random() < 0.75
            score = Decimal(rng.randint(70, 96) if passed else rng.randint(45, 59))
            results.append(AssessmentResult(
                membership=membership, assessment=assessment, score=score,
                assessed_on=min(today, cohort.period_start + datetime.timedelta(days=160)),
                assessor=rng.choice(ASSESSORS), recorded_by=hr, recorded_via="import",
            ))
    MembershipTransition.objects.bulk_create(steps)
    AssessmentResult.objects.bulk_create(results)
