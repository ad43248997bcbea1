"""Talent cohorts: nomination, the membership steps, progress computed from
the ledger and completion records, certification and the assessment import."""

import datetime
from decimal import Decimal

import pytest
from django.utils import timezone, translation

from certificates.constants import CertificateKind
from certificates.models import Certificate
from certificates.tests.factories import CertificateTemplateFactory
from courses.constants import EnrolmentStatus
from courses.tests.factories import CoursePageFactory, EnrolmentFactory
from lms.cohorts import rules as cohorts
from lms.cohorts.assessments import assessment_import_check, assessment_import_commit, assessment_row_error_text
from lms.cohorts.progress import membership_progress_get
from lms.cohorts.rules import CohortError
from lms.cohorts.selectors import nominee_get_for_user
from lms.cohorts.services import (
    assessment_result_record,
    cohort_certify_eligible,
    membership_certify,
    membership_nominate,
    membership_transition,
    memberships_transition_bulk,
)
from lms.constants import CreditCategory, MembershipStatus, ProfessionalTitle, Role, Stage, Subject
from lms.ledger.services import credit_record
from lms.models import AssessmentResult, CohortMembership, MembershipTransition
from lms.people.services import district_admin_assign
from lms.tests.factories import (
    CohortAssessmentFactory,
    CohortFactory,
    CohortHoursRequirementFactory,
    CohortMembershipFactory,
    SchoolFactory,
    TeacherFactory,
    UserFactory,
    district,
    user_with_role,
)

pytestmark = pytest.mark.django_db
S = MembershipStatus


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


@pytest.fixture
def hr():
    return user_with_role(Role.HR, username="hr-officer")


@pytest.fixture
def lixia_admin():
    user = UserFactory(username="lixia-admin")
    district_admin_assign(user=user, district=district("370102"))
    return user


@pytest.fixture
def lixia_teacher():
    return TeacherFactory(school=SchoolFactory(district=district("370102")), title=ProfessionalTitle.SENIOR,
                          teaching_since=2010)


@pytest.fixture
def licheng_teacher():
    return TeacherFactory(school=SchoolFactory(district=district("370112")), title=ProfessionalTitle.SENIOR,
                          teaching_since=2010)


@pytest.fixture
def template():
    return CertificateTemplateFactory(kind=CertificateKind.COHORT_QUALIFICATION, is_default=True,
                                      name="资格证书", title="资格证书", body="{name} 确认为{subject}。")


def message(error):
    return " ".join(error.value.messages)


# --- Nomination ---------------------------------------------------------------------


def test_district_admin_nominates_own_teacher_with_statement(lixia_admin, lixia_teacher):
    cohort = CohortFactory()
    membership = membership_nominate(cohort=cohort, teacher=lixia_teacher, by=lixia_admin, statement="区级骨干")
    assert membership.status == S.NOMINATED
    step = membership.transitions.get()
    assert (step.from_status, step.to_status, step.by, step.reason) == ("", S.NOMINATED, lixia_admin, "区级骨干")


def test_the_nominee_is_found_only_within_the_nominators_scope(hr, lixia_admin, lixia_teacher, licheng_teacher):
    # The nomination form asks this selector; a teacher of another district
    # is answered like a staff number nobody holds.
    found = nominee_get_for_user(lixia_admin, staff_number=lixia_teacher.staff_number)
    assert found == lixia_teacher
    assert nominee_get_for_user(lixia_admin, staff_number=licheng_teacher.staff_number) is None
    assert nominee_get_for_user(lixia_admin, staff_number="NOBODY") is None
    assert nominee_get_for_user(hr, staff_number=licheng_teacher.staff_number) == licheng_teacher


def test_nomination_outside_the_nominators_district_is_refused(lixia_admin, licheng_teacher):
    with pytest.raises(CohortError) as error:
        membership_nominate(cohort=CohortFactory(), teacher=licheng_teacher, by=lixia_admin, statement="推荐")
    assert message(error) == str(cohorts.TEACHER_NOT_IN_SCOPE) % {"teacher": licheng_teacher.real_name}
    assert not CohortMembership.objects.exists()


def test_a_teacher_cannot_nominate(lixia_teacher):
    with pytest.raises(CohortError) as error:
        membership_nominate(cohort=CohortFactory(), teacher=lixia_teacher, by=lixia_teacher.user, statement="x")
    assert message(error) == str(cohorts.NOT_ALLOWED_TO_NOMINATE)


def test_duplicate_membership_in_the_same_cohort_is_refused(hr, lixia_teacher):
    cohort = CohortFactory(name="学科带头人2026")
    membership_nominate(cohort=cohort, teacher=lixia_teacher, by=hr, statement="推荐")
    with pytest.raises(CohortError) as error:
        membership_nominate(cohort=cohort, teacher=lixia_teacher, by=hr, statement="再次推荐")
    assert message(error) == str(cohorts.DUPLICATE_MEMBERSHIP) % {
        "teacher": lixia_teacher.real_name, "cohort": "学科带头人2026", "status": "Nominated"}
    assert CohortMembership.objects.count() == 1
    # The same teacher may join another cohort.
    membership_nominate(cohort=CohortFactory(), teacher=lixia_teacher, by=hr, statement="推荐")


def test_empty_statement_is_refused(hr, lixia_teacher):
    with pytest.raises(CohortError) as error:
        membership_nominate(cohort=CohortFactory(), teacher=lixia_teacher, by=hr, statement="  ")
    assert message(error) == str(cohorts.STATEMENT_REQUIRED)


def test_eligibility_rules_are_checked_and_explained(lixia_admin):
    cohort = CohortFactory(eligible_stages=[Stage.JUNIOR, Stage.SENIOR], eligible_subjects=[Subject.PHYSICS],
                           min_title=ProfessionalTitle.FIRST_GRADE, min_years_of_service=5)
    teacher = TeacherFactory(school=SchoolFactory(district=district("370102")), stage=Stage.PRIMARY,
                             subject=Subject.SCIENCE, title=ProfessionalTitle.SECOND_GRADE,
                             teaching_since=timezone.localdate().year - 2)
    failures = cohorts.eligibility_failures(cohort=cohort, teacher=teacher)
    assert [f["code"] for f in failures] == ["stage", "subject", "title", "years"]
    assert "Primary" in cohorts.eligibility_text(failures[0])
    assert "Junior secondary、Senior secondary" in cohorts.eligibility_text(failures[0])
    assert "at least First-grade teacher" in cohorts.eligibility_text(failures[2])
    with pytest.raises(CohortError) as error:
        membership_nominate(cohort=cohort, teacher=teacher, by=lixia_admin, statement="推荐")
    assert "does not meet the cohort's eligibility rules" in message(error)
    assert "has 2 years of service (at least 5 are required)" in message(error)
    # A district admin cannot override.
    with pytest.raises(CohortError) as error:
        membership_nominate(cohort=cohort, teacher=teacher, by=lixia_admin, statement="推荐", override_reason="特殊人才")
    assert message(error) == str(cohorts.OVERRIDE_NOT_ALLOWED)


def test_hr_overrides_eligibility_with_a_reason_that_is_recorded(hr):
    cohort = CohortFactory(min_years_of_service=5)
    teacher = TeacherFactory(teaching_since=None)
    membership = membership_nominate(cohort=cohort, teacher=teacher, by=hr, statement="推荐",
                                     override_reason="省级教学能手，破格推荐")
    assert membership.eligibility_failures == [{"code": "years_unknown", "params": {"required": 5}}]
    assert membership.eligibility_override_reason == "省级教学能手，破格推荐"
    assert membership.eligibility_overridden_by == hr
    assert "省级教学能手" in membership.transitions.get().reason


def test_eligible_teacher_needs_no_override(hr, lixia_teacher):
    cohort = CohortFactory(eligible_stages=[Stage.PRIMARY], min_title=ProfessionalTitle.FIRST_GRADE,
                           min_years_of_service=5)
    membership = membership_nominate(cohort=cohort, teacher=lixia_teacher, by=hr, statement="推荐")
    assert membership.eligibility_failures == []
    assert membership.eligibility_overridden_by is None


# --- Transitions ---------------------------------------------------------------------


def test_membership_moves_through_every_step_recording_who_when_why(hr, template, lixia_teacher,
                                                                   django_capture_on_commit_callbacks):
    cohort = CohortFactory()
    membership = membership_nominate(cohort=cohort, teacher=lixia_teacher, by=hr, statement="推荐")
    for status in (S.UNDER_REVIEW, S.ADMITTED, S.IN_TRAINING, S.ASSESSED):
        membership = membership_transition(membership=membership, to_status=status, by=hr, reason=f"to {status}")
    with django_capture_on_commit_callbacks(execute=True):
        membership = membership_certify(membership=membership, by=hr)
    steps = list(membership.transitions.values_list("from_status", "to_status", "by", "reason"))
    assert steps[1:] == [
        (S.NOMINATED, S.UNDER_REVIEW, hr.pk, "to under_review"),
        (S.UNDER_REVIEW, S.ADMITTED, hr.pk, "to admitted"),
        (S.ADMITTED, S.IN_TRAINING, hr.pk, "to in_training"),
        (S.IN_TRAINING, S.ASSESSED, hr.pk, "to assessed"),
        (S.ASSESSED, S.CERTIFIED, hr.pk, ""),
    ]
    assert all(at is not None for at in membership.transitions.values_list("at", flat=True))


@pytest.mark.parametrize(
    ("start", "to"),
    [
        (S.NOMINATED, S.ADMITTED),
        (S.NOMINATED, S.IN_TRAINING),
        (S.UNDER_REVIEW, S.ASSESSED),
        (S.ADMITTED, S.NOT_ADMITTED),
        (S.CERTIFIED, S.WITHDRAWN),
        (S.WITHDRAWN, S.UNDER_REVIEW),
        (S.NOT_ADMITTED, S.ADMITTED),
    ],
)
def test_illegal_transitions_are_refused(hr, start, to):
    membership = CohortMembershipFactory(status=start)
    with pytest.raises(CohortError) as error:
        membership_transition(membership=membership, to_status=to, by=hr, reason="x")
    assert message(error) == str(cohorts.ILLEGAL_TRANSITION) % {"from": S(start).label, "to": S(to).label}
    membership.refresh_from_db()
    assert membership.status == start
    assert not MembershipTransition.objects.exists()


def test_certified_only_through_certify(hr):
    membership = CohortMembershipFactory(status=S.ASSESSED)
    with pytest.raises(CohortError) as error:
        membership_transition(membership=membership, to_status=S.CERTIFIED, by=hr)
    assert message(error) == str(cohorts.CERTIFY_THROUGH_SERVICE)


def test_withdrawing_and_not_admitting_need_a_reason(hr):
    membership = CohortMembershipFactory(status=S.UNDER_REVIEW)
    with pytest.raises(CohortError) as error:
        membership_transition(membership=membership, to_status=S.NOT_ADMITTED, by=hr)
    assert message(error) == str(cohorts.REASON_REQUIRED)
    membership_transition(membership=membership, to_status=S.NOT_ADMITTED, by=hr, reason="名额有限")
    assert membership.transitions.get().reason == "名额有限"


def test_district_admin_cannot_move_memberships(lixia_admin, lixia_teacher):
    membership = CohortMembershipFactory(teacher=lixia_teacher)
    with pytest.raises(CohortError) as error:
        membership_transition(membership=membership, to_status=S.UNDER_REVIEW, by=lixia_admin)
    assert message(error) == str(cohorts.NOT_ALLOWED_TO_MANAGE)


def test_admission_stops_at_capacity_and_bulk_reports_each_refusal(hr):
    cohort = CohortFactory(capacity=2, name="奥赛教练·物理")
    members = [CohortMembershipFactory(cohort=cohort, status=S.UNDER_REVIEW) for _ in range(3)]
    members.append(CohortMembershipFactory(cohort=cohort, status=S.NOMINATED))
    result = memberships_transition_bulk(memberships=members, to_status=S.ADMITTED, by=hr)
    assert [m.pk for m in result.done] == [members[0].pk, members[1].pk]
    assert [(m.pk, text) for m, text in result.refused] == [
        (members[2].pk, str(cohorts.COHORT_FULL) % {"cohort": "奥赛教练·物理", "capacity": 2}),
        (members[3].pk, str(cohorts.ILLEGAL_TRANSITION) % {"from": "Nominated", "to": "Admitted"}),
    ]


# --- Progress ---------------------------------------------------------------------------


@pytest.fixture
def demanding_cohort():
    """40 hours in all, 8 of them research-along, one course, the
    professional-ability assessment and a completed research-along pairing."""
    cohort = CohortFactory(requires_research_along=True, period_start=datetime.date(2025, 1, 1),
                           period_end=datetime.date(2026, 12, 31))
    CohortHoursRequirementFactory(cohort=cohort, category="", hours=40)
    CohortHoursRequirementFactory(cohort=cohort, category=CreditCategory.RESEARCH_ALONG, hours=8)
    course = CoursePageFactory(title="学科带头人研修课程")
    cohort.required_courses.add(course)
    cohort.save()
    assessment = CohortAssessmentFactory(cohort=cohort, pass_mark=60)
    return cohort, course, assessment


def _complete_everything(teacher, course, membership, assessment, *, by, score="86"):
    from mentors.constants import PairingStatus
    from mentors.models import ResearchPairing
    from mentors.tests.factories import active_pairing

    credit_record(teacher=teacher, category=CreditCategory.ONLINE_COURSE, hours="32", source_key=f"a{teacher.pk}",
                  occurred_on=datetime.date(2025, 5, 1))
    credit_record(teacher=teacher, category=CreditCategory.RESEARCH_ALONG, hours="8", source_key=f"b{teacher.pk}",
                  occurred_on=datetime.date(2025, 6, 1))
    EnrolmentFactory(course=course, teacher=teacher, status=EnrolmentStatus.COMPLETED)
    pairing = active_pairing(teacher_profile=teacher)
    ResearchPairing.objects.filter(pk=pairing.pk).update(status=PairingStatus.COMPLETED)
    assessment_result_record(membership=membership, assessment=assessment, score=score,
                             assessed_on=datetime.date(2026, 1, 5), assessor="王教授", by=by)


def test_progress_is_computed_from_ledger_courses_assessments_and_research(hr, demanding_cohort):
    cohort, course, assessment = demanding_cohort
    teacher = TeacherFactory()
    membership = CohortMembershipFactory(cohort=cohort, teacher=teacher, status=S.IN_TRAINING)
    # Outside the cohort period: does not count.
    credit_record(teacher=teacher, category=CreditCategory.ONLINE_COURSE, hours="50", source_key="old",
                  occurred_on=datetime.date(2024, 12, 31))
    progress = membership_progress_get(membership=membership)
    assert [(r.key, r.met, r.current) for r in progress.requirements] == [
        ("hours:", False, "0 / 40"),
        ("hours:research_along", False, "0 / 8"),
        (f"course:{course.pk}", False, "not yet"),
        (f"assessment:{assessment.pk}", False, "no result"),
        ("research_along", False, "not yet"),
    ]
    _complete_everything(teacher, course, membership, assessment, by=hr)
    progress = membership_progress_get(membership=membership)
    assert [(r.met, r.current) for r in progress.requirements] == [
        (True, "40 / 40"), (True, "8 / 8"), (True, "completed"), (True, "86 / 60"), (True, "completed"),
    ]
    assert progress.met_all
    # Every assessment has a result, so the member moved on to assessed.
    membership.refresh_from_db()
    assert membership.status == S.ASSESSED


def test_a_failed_assessment_is_not_met(hr, demanding_cohort):
    cohort, _course, assessment = demanding_cohort
    membership = CohortMembershipFactory(cohort=cohort, status=S.IN_TRAINING)
    assessment_result_record(membership=membership, assessment=assessment, score="59.5",
                             assessed_on=datetime.date(2026, 1, 5), assessor="王教授", by=hr)
    item = membership_progress_get(membership=membership).requirements[3]
    assert (item.met, item.current) == (False, "59.5 / 60")


@pytest.mark.parametrize("score", ["-1", "100.01", "abc", "NaN", "1e9"])
def test_assessment_score_out_of_range_is_refused(hr, score):
    assessment = CohortAssessmentFactory(max_score=100)
    membership = CohortMembershipFactory(cohort=assessment.cohort, status=S.IN_TRAINING)
    with pytest.raises(CohortError) as error:
        assessment_result_record(membership=membership, assessment=assessment, score=score,
                                 assessed_on=datetime.date(2026, 1, 5), assessor="王教授", by=hr)
    assert message(error) in (str(cohorts.SCORE_OUT_OF_RANGE) % {"max": "100"}, str(cohorts.SCORE_NOT_A_NUMBER))
    assert not AssessmentResult.objects.exists()


def test_assessment_result_for_a_nominee_or_in_the_future_is_refused(hr):
    assessment = CohortAssessmentFactory()
    nominee = CohortMembershipFactory(cohort=assessment.cohort, status=S.NOMINATED)
    with pytest.raises(CohortError):
        assessment_result_record(membership=nominee, assessment=assessment, score="80",
                                 assessed_on=datetime.date(2026, 1, 5), assessor="王教授", by=hr)
    member = CohortMembershipFactory(cohort=assessment.cohort, status=S.IN_TRAINING)
    with pytest.raises(CohortError) as error:
        assessment_result_record(membership=member, assessment=assessment, score="80",
                                 assessed_on=timezone.localdate() + datetime.timedelta(days=1), assessor="王", by=hr)
    assert message(error) == str(cohorts.FUTURE_ASSESSMENT)


# --- Certification ------------------------------------------------------------------------


def test_certifying_without_meeting_requirements_is_refused_then_overridden(hr, template, demanding_cohort,
                                                                           django_capture_on_commit_callbacks):
    cohort, _course, _assessment = demanding_cohort
    membership = CohortMembershipFactory(cohort=cohort, status=S.ASSESSED)
    with pytest.raises(CohortError) as error:
        membership_certify(membership=membership, by=hr)
    assert "does not meet every requirement yet" in message(error)
    assert "40 hours (all categories)" in message(error)
    membership.refresh_from_db()
    assert membership.status == S.ASSESSED

    with django_capture_on_commit_callbacks(execute=True):
        membership_certify(membership=membership, by=hr, override_reason="国家级竞赛金牌教练，经学院审议破格认定")
    membership.refresh_from_db()
    assert membership.status == S.CERTIFIED
    assert membership.certification_override_reason.startswith("国家级竞赛金牌教练")
    assert [s["key"] for s in membership.certification_shortfalls][0] == "hours:"
    assert membership.transitions.last().reason.startswith("国家级竞赛金牌教练")


def test_certification_issues_one_certificate_even_when_certified_twice(hr, template, demanding_cohort,
                                                                       django_capture_on_commit_callbacks):
    cohort, course, assessment = demanding_cohort
    teacher = TeacherFactory()
    membership = CohortMembershipFactory(cohort=cohort, teacher=teacher, status=S.IN_TRAINING)
    _complete_everything(teacher, course, membership, assessment, by=hr)
    with django_capture_on_commit_callbacks(execute=True):
        membership_certify(membership=membership, by=hr)
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        membership_certify(membership=membership, by=hr)
    assert callbacks == []
    certificate = Certificate.objects.get()
    assert (certificate.kind, certificate.holder, certificate.subject_label) == (
        CertificateKind.COHORT_QUALIFICATION, teacher, cohort.name)
    assert membership.transitions.filter(to_status=S.CERTIFIED).count() == 1


def test_certify_without_a_certificate_template_is_refused(hr):
    membership = CohortMembershipFactory(status=S.ASSESSED)
    with pytest.raises(CohortError) as error:
        membership_certify(membership=membership, by=hr)
    assert message(error) == str(cohorts.NO_CERTIFICATE_TEMPLATE)


def test_certify_all_who_meet_every_requirement(hr, template, demanding_cohort, django_capture_on_commit_callbacks):
    cohort, course, assessment = demanding_cohort
    ready = CohortMembershipFactory(cohort=cohort, status=S.IN_TRAINING)
    _complete_everything(ready.teacher, course, ready, assessment, by=hr)
    short = CohortMembershipFactory(cohort=cohort, status=S.ASSESSED)
    training = CohortMembershipFactory(cohort=cohort, status=S.IN_TRAINING)
    with django_capture_on_commit_callbacks(execute=True):
        result = cohort_certify_eligible(cohort=cohort, by=hr)
    assert [m.pk for m in result.done] == [ready.pk]
    assert [m.pk for m, _text in result.refused] == [short.pk]
    assert Certificate.objects.filter(holder=ready.teacher).count() == 1
    training.refresh_from_db()
    assert training.status == S.IN_TRAINING


# --- Assessment import ---------------------------------------------------------------------


def _csv(*lines):
    return ("\n".join(lines) + "\n").encode("utf-8")


@pytest.fixture
def assessed_cohort():
    cohort = CohortFactory()
    assessment = CohortAssessmentFactory(cohort=cohort, name="专业能力考核", max_score=100)
    members = [
        CohortMembershipFactory(cohort=cohort, teacher=TeacherFactory(staff_number=f"JN{i:03d}"),
                                status=S.IN_TRAINING)
        for i in range(3)
    ]
    CohortMembershipFactory(cohort=cohort, teacher=TeacherFactory(staff_number="JN999"), status=S.NOMINATED)
    return cohort, assessment, members


def test_assessment_import_dry_run_reports_every_row_error_and_writes_nothing(hr, assessed_cohort):
    cohort, _assessment, _members = assessed_cohort
    data = _csv(
        "工号,考核项目,成绩,考核日期,考核人",
        "JN000,专业能力考核,88,2026-01-05,王教授",
        "JN001,专业能力考核,120,2026-01-05,王教授",
        "NOBODY,专业能力考核,70,2026-01-05,王教授",
        "JN002,实验技能,70,2026/13/40,",
        "JN000,专业能力考核,90,2026-01-06,李教授",
        "JN999,专业能力考核,70,2026-01-05,王教授",
    )
    report = assessment_import_check(cohort=cohort, data=data, filename="成绩.csv")
    assert not report.ok
    found = [(e.row, e.column, e.code) for e in report.errors]
    assert found == [
        (3, "成绩", "score_range"),
        (4, "工号", "unknown_member"),
        (5, "考核人", "required"),
        (5, "考核项目", "unknown_assessment"),
        (5, "考核日期", "bad_date"),
        (6, "工号", "duplicate"),
        (7, "工号", "status"),
    ]
    assert assessment_row_error_text(report.errors[0]) == "A score must be between 0 and 100."
    assert "row 2" in assessment_row_error_text(report.errors[5])
    committed = assessment_import_commit(cohort=cohort, data=data, filename="成绩.csv", by=hr)
    assert not committed.ok
    assert not AssessmentResult.objects.exists()


def test_assessment_import_commit_records_results_and_moves_members_to_assessed(hr, assessed_cohort):
    cohort, assessment, members = assessed_cohort
    data = _csv("工号,成绩,考核日期,考核人", "JN000,88,2026-01-05,王教授", "JN001,59,2026年1月5日,王教授")
    report = assessment_import_check(cohort=cohort, data=data, filename="scores.csv")
    assert report.ok and len(report.rows) == 2
    assert not AssessmentResult.objects.exists()
    assessment_import_commit(cohort=cohort, data=data, filename="scores.csv", by=hr)
    scores = dict(AssessmentResult.objects.values_list("membership__teacher__staff_number", "score"))
    assert scores == {"JN000": Decimal("88"), "JN001": Decimal("59")}
    assert AssessmentResult.objects.get(membership=members[0]).recorded_via == "import"
    members[0].refresh_from_db()
    assert members[0].status == S.ASSESSED


@pytest.mark.parametrize(
    ("filename", "data", "expected"),
    [
        ("scores.txt", b"x", "Only .csv and .xlsx"),
        ("scores.csv", b"", "The file is empty."),
        ("scores.csv", "姓名,成绩\n张伟,80\n".encode(), "“工号” is missing"),
        ("scores.csv", "工号,成绩,考核日期,考核人\n".encode(), "no data rows"),
        ("scores.xlsx", b"not a zip", "not a readable .xlsx"),
    ],
)
def test_assessment_import_bad_files_are_explained(assessed_cohort, filename, data, expected):
    report = assessment_import_check(cohort=assessed_cohort[0], data=data, filename=filename)
    assert not report.ok
    assert expected in report.file_error


def test_assessment_import_reads_xlsx(hr, assessed_cohort):
    import io

    from openpyxl import Workbook

    cohort = assessed_cohort[0]
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(["工号", "成绩", "考核日期", "考核人"])
    sheet.append(["JN000", 91.5, datetime.datetime(2026, 1, 5), "王教授"])
    buffer = io.BytesIO()
    workbook.save(buffer)
    report = assessment_import_check(cohort=cohort, data=buffer.getvalue(), filename="scores.xlsx")
    assert report.ok
    assert (report.rows[0].score, report.rows[0].assessed_on) == (Decimal("91.5"), datetime.date(2026, 1, 5))


def test_assessment_import_huge_cell_is_a_row_error_not_a_crash(assessed_cohort):
    huge = "工号,成绩,考核日期,考核人\n\"" + "x" * 200_000 + "\",80,2026-01-05,王\n"
    report = assessment_import_check(cohort=assessed_cohort[0], data=huge.encode(), filename="scores.csv")
    assert not report.ok and not report.file_error
    [error] = report.errors
    assert (error.row, error.column, error.code) == (2, "工号", "cell_too_large")
    assert error.params == {"size": 200_000, "max": 1000}
    assert len(error.value) < 200


def test_assessment_import_too_large_is_refused(settings, assessed_cohort):
    settings.LMS_IMPORT_MAX_BYTES = 10
    report = assessment_import_check(cohort=assessed_cohort[0], data=b"x" * 11, filename="scores.csv")
    assert "the largest file that can be imported" in report.file_error


def test_roles_carry_the_cohort_permissions(hr, lixia_admin):
    from django.contrib.auth import get_user_model

    hr, lixia_admin = (get_user_model().objects.get(pk=u.pk) for u in (hr, lixia_admin))
    assert all(hr.has_perm(f"lms.{p}") for p in ("add_cohort", "change_cohort", "change_cohortmembership"))
    assert lixia_admin.has_perm("lms.add_cohortmembership") and lixia_admin.has_perm("lms.view_cohort")
    assert not lixia_admin.has_perm("lms.change_cohortmembership")
    assert not lixia_admin.has_perm("lms.change_cohort")
