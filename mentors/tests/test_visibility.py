"""Who sees which pairings: every role, through the one scoped selector."""

import pytest
from django.contrib.auth.models import AnonymousUser

from lms.constants import Role
from lms.people.services import district_admin_assign
from lms.tests.factories import SchoolFactory, UserFactory, district, user_with_role
from mentors.selectors import pairing_get_for_user, pairing_list_for_user

from .factories import MentorFactory, academy_admin, active_pairing, proposed_pairing, teacher

pytestmark = pytest.mark.django_db


@pytest.fixture
def city():
    """Two mentors, three pairings in two districts."""
    lixia, licheng = district("370102"), district("370112")
    zhou, sun = MentorFactory(real_name="周志强"), MentorFactory(real_name="孙海燕")
    lixia_teacher = teacher(school=SchoolFactory(district=lixia))
    licheng_teacher = teacher(school=SchoolFactory(district=licheng))
    return {
        "lixia": lixia,
        "zhou": zhou,
        "sun": sun,
        "lixia_teacher": lixia_teacher,
        "licheng_teacher": licheng_teacher,
        "zhou_lixia": active_pairing(mentor=zhou, teacher_profile=lixia_teacher),
        "zhou_licheng": proposed_pairing(mentor=zhou, teacher_profile=licheng_teacher),
        "sun_licheng": active_pairing(mentor=sun, teacher_profile=licheng_teacher),
    }


def visible(user):
    return set(pairing_list_for_user(user))


def test_mentor_sees_only_their_own_pairings(city):
    assert visible(city["zhou"].user) == {city["zhou_lixia"], city["zhou_licheng"]}
    assert visible(city["sun"].user) == {city["sun_licheng"]}
    assert pairing_get_for_user(city["sun"].user, city["zhou_lixia"].pk) is None


def test_teacher_sees_only_their_own_pairings(city):
    assert visible(city["lixia_teacher"].user) == {city["zhou_lixia"]}
    assert visible(city["licheng_teacher"].user) == {city["zhou_licheng"], city["sun_licheng"]}
    assert visible(teacher().user) == set()


def test_district_admin_sees_their_districts_pairings(city):
    admin = UserFactory()
    district_admin_assign(user=admin, district=city["lixia"])
    assert visible(admin) == {city["zhou_lixia"]}


def test_academy_admin_sees_every_pairing(city):
    assert visible(academy_admin()) == {city["zhou_lixia"], city["zhou_licheng"], city["sun_licheng"]}


@pytest.mark.parametrize("role", [Role.HR, Role.TRAINER, Role.MENTOR, Role.TEACHER])
def test_other_roles_without_a_pairing_see_none(city, role):
    assert visible(user_with_role(role)) == set()


def test_anonymous_and_inactive_users_see_none(city):
    inactive = city["zhou"].user
    inactive.is_active = False
    inactive.save()
    assert visible(AnonymousUser()) == set()
    assert visible(inactive) == set()


@pytest.mark.parametrize("size", [2, 20])
def test_my_pairings_query_count_does_not_grow(size, django_assert_max_num_queries):
    mentor = MentorFactory(capacity=size)
    for _ in range(size):
        active_pairing(mentor=mentor)
    user = mentor.user
    with django_assert_max_num_queries(3):
        pairings = list(pairing_list_for_user(user))
        assert len(pairings) == size
        assert all(pairing.teacher.school.district.name for pairing in pairings)
