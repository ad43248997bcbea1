"""The demo academy's cohorts: every status, certified members who meet
their requirements and hold their certificate, the dashboard's figures,
and a number of queries that does not grow with the number of teachers."""

from io import StringIO

import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import translation

from certificates.models import Certificate
from lms.cohorts.progress import membership_progress_map
from lms.constants import MembershipStatus
from lms.dashboards.selectors import city_target_progress_list
from lms.demo.cohorts import demo_cohorts_seed
from lms.demo.seeding import demo_academy_seed
from lms.models import Cohort, CohortMembership

pytestmark = pytest.mark.django_db
S = MembershipStatus


def test_seed_demo_adds_cohorts():
    output = StringIO()
    with translation.override("en"):  # the output is asserted in English; the default language is Chinese
        call_command("seed_demo", teachers=300, stdout=output)
    assert "Talent cohorts:" in output.getvalue()
    assert Cohort.objects.count() == 7


def test_cohorts_have_members_in_every_status_and_certificates():
    from certificates.seeding import demo_templates_create

    demo_academy_seed(teacher_count=1500)
    demo_templates_create()
    demo_cohorts_seed()
    assert Cohort.objects.filter(kind="subject_leader").count() == 1
    assert sorted(Cohort.objects.filter(kind="olympiad_coach").values_list("olympiad_subject", flat=True)) == [
        "biology", "chemistry", "informatics", "maths", "physics"]
    leaders = Cohort.objects.get(kind="subject_leader")
    assert set(leaders.memberships.values_list("status", flat=True)) == set(S.values)
    certified = list(CohortMembership.objects.filter(status=S.CERTIFIED).select_related("cohort"))
    assert certified
    for cohort in {m.cohort for m in certified}:
        members = [m for m in certified if m.cohort_id == cohort.pk]
        assert all(p.met_all for p in membership_progress_map(cohort=cohort, memberships=members).values())
    assert Certificate.objects.filter(kind="cohort", subject_key__startswith="lms.cohort:").count() == len(certified)
    # Every step is recorded, from the nomination on.
    member = certified[0]
    assert list(member.transitions.values_list("to_status", flat=True)) == [
        S.NOMINATED, S.UNDER_REVIEW, S.ADMITTED, S.IN_TRAINING, S.ASSESSED, S.CERTIFIED]
    # The demo teacher has a membership to show at /my/cohorts/.
    assert CohortMembership.objects.filter(teacher__user__username="teacher", cohort=leaders).exists()
    with translation.override("en"):
        notes = [p.note for p in city_target_progress_list() if p.target.cohort_kind == "subject_leader"]
    count = leaders.memberships.filter(status=S.CERTIFIED).count()
    assert notes == [f"Subject leaders certified: {count} / 100"]


@pytest.mark.parametrize("teachers", [300, 1200])
def test_cohort_seeding_queries_do_not_grow_with_teachers(teachers):
    demo_academy_seed(teacher_count=teachers)
    # Without a certificate template nothing is issued: what is left is
    # about fifteen per cohort (its rows, requirements, one grouped ledger
    # query, the bulk inserts of members, steps and results), whatever the
    # number of teachers.
    with CaptureQueriesContext(connection) as queries:
        demo_cohorts_seed()
    assert Cohort.objects.count() == 7
    assert len(queries) <= 15 * 7
