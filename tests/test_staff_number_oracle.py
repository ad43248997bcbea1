"""No form tells a district admin whether a staff number exists elsewhere.

Every admin form that takes a teacher's staff number answers a number held
by another district's teacher exactly as it answers one nobody holds: the
same status, the same errors, and no trace of the number's owner.
"""

import datetime

import pytest
from django.urls import reverse

from lms.models import TeacherProfile
from lms.people.services import district_admin_assign
from lms.tests.factories import (
    CohortFactory,
    CohortMembershipFactory,
    SchoolFactory,
    TeacherFactory,
    UserFactory,
    district,
)
from mentors.tests.factories import MentorFactory

pytestmark = pytest.mark.django_db

UNKNOWN = "ZZ0000"
ELSEWHERE = "LC0001"


@pytest.fixture
def district_admin(client):
    TeacherFactory(real_name="历城区王老师", staff_number=ELSEWHERE, school=SchoolFactory(district=district("370112")))
    admin = UserFactory(username="lixia-admin")
    district_admin_assign(user=admin, district=district("370102"))
    client.force_login(admin)
    return admin


def form_data(url_name):
    """The rest of a valid submission of each form, and its staff number field."""
    today = datetime.date.today().isoformat()
    if url_name == "lms_cohorts:nominate":
        return {"cohort": CohortFactory().pk, "statement": "推荐"}, "staff_number"
    if url_name == "research_pairings:add":
        return {"mentor": MentorFactory().pk, "project_title": "城市热岛观测", "goals": "开发地理实践课",
                "start_on": today, "planned_end_on": today}, "teacher"
    return {"hours": "2", "person_times": "0", "occurred_on": today, "reason": "补录"}, "teacher"


def answer(response):
    """What the district admin learns: status, form errors, whether the page
    names the number's teacher (the number itself is echoed in its field)."""
    form = (response.context or {}).get("form")
    errors = {name: [str(m) for m in messages] for name, messages in form.errors.items()} if form else None
    page = response.content.decode()
    return response.status_code, errors, "王老师" in page


@pytest.mark.parametrize("url_name", ["lms_cohorts:nominate", "research_pairings:add", "credit_corrections:adjust"])
def test_another_districts_staff_number_gets_the_unknown_numbers_answer(client, district_admin, url_name):
    data, field = form_data(url_name)
    unknown = client.post(reverse(url_name), {**data, field: UNKNOWN})
    elsewhere = client.post(reverse(url_name), {**data, field: ELSEWHERE})
    assert elsewhere.status_code < 500
    assert answer(elsewhere) == answer(unknown)
    assert answer(elsewhere)[2] is False


def test_another_districts_record_gets_the_missing_records_answer(client, district_admin):
    """The same for an id in an address: a record of another district
    answers as one that does not exist."""
    elsewhere = TeacherProfile.objects.get(staff_number=ELSEWHERE)
    membership = CohortMembershipFactory(teacher=elsewhere)
    for url_name, pk in (("teachers:inspect", elsewhere.pk), ("teachers:history", elsewhere.pk),
                         ("teachers:usage", elsewhere.pk), ("lms_cohorts:membership", membership.pk)):
        found = client.get(reverse(url_name, args=[pk]))
        missing = client.get(reverse(url_name, args=[pk + 10_000]))
        assert found.status_code == missing.status_code == 404, url_name
