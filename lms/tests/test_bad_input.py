"""Out-of-range and malformed input to the admin's listings: a clear,
translated message on the page, never a server error."""

import pytest
from django.urls import reverse
from django.utils import translation

from lms.admin_base import YEAR_OUT_OF_RANGE
from lms.constants import MembershipStatus, Role
from lms.people.services import user_role_add
from lms.tests.factories import CohortMembershipFactory, TeacherFactory, UserFactory

pytestmark = pytest.mark.django_db

BAD_YEARS = ["0", "-5", "10000", "99999999999999999999", "2026.5", "1e4", "二〇二六"]


@pytest.fixture
def academy_admin(client):
    user = UserFactory(username="academy-admin")
    user_role_add(user=user, role=Role.ACADEMY_ADMIN)
    client.force_login(user)
    return user


@pytest.mark.parametrize("listing", ["talent_registry:index", "ledger_entries:index"])
def test_a_year_filter_out_of_range_is_a_message_not_an_error(client, academy_admin, listing):
    CohortMembershipFactory(teacher=TeacherFactory(real_name="张小伟"), status=MembershipStatus.CERTIFIED,
                            certified_at="2026-06-01T10:00:00+08:00")
    with translation.override("zh-hans"):
        expected = str(YEAR_OUT_OF_RANGE)
    with translation.override("en"):
        assert expected != str(YEAR_OUT_OF_RANGE)  # the catalogue has it
    for year in BAD_YEARS:
        response = client.get(reverse(listing), {"year": year})
        assert response.status_code == 200, year
        assert expected in response.content.decode(), year
    page = client.get(reverse(listing), {"year": "9999"}).content.decode()
    assert expected not in page
