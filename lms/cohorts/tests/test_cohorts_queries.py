"""The roster's progress, the talent registry and the dashboard's cohort
figures cost a fixed number of queries at 100 and at 1,000 members."""

import datetime

import pytest
from django.contrib.auth import get_user_model
from django.utils import translation

from courses.constants import EnrolmentStatus
from courses.models import Enrolment
from courses.tests.factories import CoursePageFactory
from lms.cohorts.progress import membership_progress_map
from lms.cohorts.selectors import roster_list, talent_registry_list
from lms.constants import CreditCategory, MembershipStatus, Role
from lms.dashboards.selectors import city_target_progress_list, dashboard_get
from lms.models import AssessmentResult, CohortMembership, TeacherProfile, TrainingCredit
from lms.people.services import district_admin_assign
from lms.tests.factories import (
    CohortAssessmentFactory,
    CohortFactory,
    CohortHoursRequirementFactory,
    SchoolFactory,
    UserFactory,
    district,
    user_with_role,
)

pytestmark = pytest.mark.django_db
S = MembershipStatus


def _members(cohort, count, *, status=S.IN_TRAINING, schools=None):
    """``count`` teachers and their memberships, written in bulk."""
    schools = schools or [SchoolFactory(district=district("370102")), SchoolFactory(district=district("370112"))]
    prefix = f"c{cohort.pk}-"
    users = get_user_model().objects.bulk_create(
        [get_user_model()(username=f"{prefix}{i}") for i in range(count)]
    )
    teachers = TeacherProfile.objects.bulk_create([
        TeacherProfile(user=user, real_name=f"教师{i}", staff_number=f"{prefix}{i:05d}", school=schools[i % len(schools)],
                       subject="physics", stage="junior")
        for i, user in enumerate(users)
    ])
    certified_at = datetime.datetime(2026, 3, 1, tzinfo=datetime.UTC) if status == S.CERTIFIED else None
    return CohortMembership.objects.bulk_create([
        CohortMembership(cohort=cohort, teacher=teacher, status=status, statement="推荐", certified_at=certified_at)
        for teacher in teachers
    ])


def _with_records(cohort, memberships, course, assessment):
    """Half the members have ledger hours, completions and results."""
    half = memberships[::2]
    TrainingCredit.objects.bulk_create([
        TrainingCredit(teacher=m.teacher, category=CreditCategory.ONLINE_COURSE, hours=30, requested_hours=30, person_times=1,
                       source_key=f"q{m.pk}", occurred_on=datetime.date(2026, 3, 1), year=2026,
                       district_id=m.teacher.school.district_id, school_id=m.teacher.school_id,
                       locality=m.teacher.school.locality, subject="physics", stage="junior")
        for m in half
    ])
    Enrolment.objects.bulk_create([
        Enrolment(course=course, teacher=m.teacher, status=EnrolmentStatus.COMPLETED) for m in half
    ])
    AssessmentResult.objects.bulk_create([
        AssessmentResult(membership=m, assessment=assessment, score=75, assessed_on=datetime.date(2026, 6, 1),
                         assessor="王教授")
        for m in half
    ])


@pytest.fixture
def cohort():
    cohort = CohortFactory(requires_research_along=True)
    CohortHoursRequirementFactory(cohort=cohort, hours=20)
    CohortHoursRequirementFactory(cohort=cohort, category=CreditCategory.ONLINE_COURSE, hours=10)
    course = CoursePageFactory()
    cohort.required_courses.add(course)
    cohort.save()
    return cohort, course, CohortAssessmentFactory(cohort=cohort)


# Roster: the members (one), the requirements (three: hours, courses,
# assessments), the ledger grouped per teacher and category, the completed
# courses, the assessment results and the completed pairings (one each).
ROSTER_QUERIES = 8


@pytest.mark.parametrize("count", [100, 1000])
def test_roster_with_progress_costs_fixed_queries(django_assert_max_num_queries, cohort, count):
    cohort, course, assessment = cohort
    memberships = _members(cohort, count)
    _with_records(cohort, list(CohortMembership.objects.select_related("teacher__school")), course, assessment)
    hr = user_with_role(Role.HR)
    hr.has_perm("lms.manage_district")  # warm the permission cache, as the request's middleware would
    with django_assert_max_num_queries(ROSTER_QUERIES):
        roster = list(roster_list(cohort=cohort, user=hr))
        progress = membership_progress_map(cohort=cohort, memberships=roster)
    assert len(roster) == count == len(memberships)
    first, second = progress[roster[0].pk], progress[roster[1].pk]
    assert [r.met for r in first.requirements] == [True, True, True, True, False]
    assert [r.met for r in second.requirements] == [False, False, False, False, False]


# Registry: the members with teacher, school, district and cohort (one),
# plus one for the district admin's scope check (their districts subquery
# is part of the same statement).
REGISTRY_QUERIES = 2


@pytest.mark.parametrize("count", [100, 1000])
def test_talent_registry_costs_fixed_queries_and_is_scoped(django_assert_max_num_queries, count):
    cohort = CohortFactory()
    _members(cohort, count, status=S.CERTIFIED)
    _members(CohortFactory(), 3, status=S.IN_TRAINING)
    lixia_admin = UserFactory(username="lixia-admin")
    district_admin_assign(user=lixia_admin, district=district("370102"))
    hr = user_with_role(Role.HR)
    for user, expected in ((hr, count), (lixia_admin, count // 2)):
        user = get_user_model().objects.get(pk=user.pk)
        with django_assert_max_num_queries(REGISTRY_QUERIES + 2):  # + the permission lookups of a fresh user
            rows = [(m.teacher.real_name, m.teacher.school.district.name, m.cohort.name)
                    for m in talent_registry_list(user=user)]
        assert len(rows) == expected
    assert {d for _n, d, _c in [(m.teacher.real_name, m.teacher.school.district.name, m.cohort.name)
                                for m in talent_registry_list(user=lixia_admin)]} == {"历下区"}


def test_dashboard_counts_certified_members_by_cohort_kind(django_assert_max_num_queries):
    lixia, licheng = SchoolFactory(district=district("370102")), SchoolFactory(district=district("370112"))
    _members(CohortFactory(kind="subject_leader"), 37, status=S.CERTIFIED, schools=[lixia])
    _members(CohortFactory(kind="subject_leader"), 5, status=S.ASSESSED, schools=[lixia])
    _members(CohortFactory(kind="olympiad_coach", olympiad_subject="physics"), 12, status=S.CERTIFIED,
             schools=[lixia, licheng])
    with translation.override("en"):
        progress = {p.target.cohort_kind: p for p in city_target_progress_list(today=datetime.date(2026, 6, 30))
                    if p.target.cohort_kind}
    assert progress["subject_leader"].current == 37
    assert progress["subject_leader"].note == "Subject leaders certified: 37 / 100"
    assert progress["olympiad_coach"].note == "Olympiad coaches certified: 12 / 100"

    lixia_admin = UserFactory(username="lixia-admin")
    district_admin_assign(user=lixia_admin, district=district("370102"))
    dashboard = dashboard_get(user=lixia_admin, year=2026, today=datetime.date(2026, 6, 30))
    coaches = next(p for p in dashboard.targets if p.target.cohort_kind == "olympiad_coach")
    assert (coaches.current, coaches.status) == (6, "share")


# Whole admin pages, caches warm (the branding among them): the session,
# user, permissions and Wagtail's admin furniture, plus for the roster its cohort, page of 100
# members and their count, and the progress reads; for the registry its
# page of 50 and count. Pinned exactly, at both sizes.
ROSTER_PAGE_QUERIES = 19
REGISTRY_PAGE_QUERIES = 13


def _page_queries(client, url):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client.get(url)  # fills the caches (content types, the site, the menu)
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200
    return len(captured), response.content.decode()


@pytest.mark.parametrize("count", [100, 1000])
def test_roster_and_registry_pages_cost_the_same_at_100_and_1000_members(client, cohort, count):
    cohort, course, assessment = cohort
    _members(cohort, count)
    _with_records(cohort, list(CohortMembership.objects.select_related("teacher__school")), course, assessment)
    _members(CohortFactory(), count, status=S.CERTIFIED)
    client.force_login(user_with_role(Role.HR))
    queries, page = _page_queries(client, f"/admin/talent-cohorts/{cohort.pk}/roster/")
    assert queries == ROSTER_PAGE_QUERIES
    assert page.count('name="member"') == 100
    assert "30 / 20" in page and "无成绩" in page  # "no result", in the default language
    queries, page = _page_queries(client, "/admin/talent-registry/")
    assert queries == REGISTRY_PAGE_QUERIES
    assert "教师0" in page
