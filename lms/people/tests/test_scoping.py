import pytest
from django.contrib.auth.models import AnonymousUser, Group

from lms.constants import Role
from lms.people.selectors import (
    district_list_for_request,
    district_list_for_user,
    school_list_for_request,
    school_list_for_user,
    teacher_get_for_user,
    teacher_list_for_user,
)
from lms.people.services import district_admin_assign, user_role_add
from lms.tests.factories import SchoolFactory, TeacherFactory, UserFactory, district

pytestmark = pytest.mark.django_db


@pytest.fixture
def two_districts():
    lixia, licheng = district("370102"), district("370112")
    lixia_teacher = TeacherFactory(school=SchoolFactory(district=lixia))
    licheng_teacher = TeacherFactory(school=SchoolFactory(district=licheng))
    return lixia, licheng, lixia_teacher, licheng_teacher


def test_roles_exist_as_groups():
    names = set(Group.objects.values_list("name", flat=True))
    assert {role.value for role in Role} <= names


def test_district_admin_sees_only_their_district(two_districts):
    lixia, licheng, lixia_teacher, licheng_teacher = two_districts
    admin = UserFactory(username="lixia-admin")
    district_admin_assign(user=admin, district=lixia)

    assert list(district_list_for_user(admin)) == [lixia]
    assert list(teacher_list_for_user(admin)) == [lixia_teacher]
    assert list(school_list_for_user(admin)) == [lixia_teacher.school]
    assert licheng_teacher not in teacher_list_for_user(admin)


def test_hr_and_academy_admin_see_every_district(two_districts):
    _lixia, _licheng, lixia_teacher, licheng_teacher = two_districts
    for role in (Role.HR, Role.ACADEMY_ADMIN):
        user = UserFactory(username=f"user-{role.name}")
        user_role_add(user=user, role=role)
        assert set(teacher_list_for_user(user)) == {lixia_teacher, licheng_teacher}


def test_teacher_and_anonymous_see_no_one(two_districts, django_user_model):
    from django.contrib.auth.models import AnonymousUser

    teacher = two_districts[2]
    assert not teacher_list_for_user(teacher.user).exists()
    assert not teacher_list_for_user(AnonymousUser()).exists()


def test_the_admin_filters_offer_the_districts_and_schools_of_the_users_scope(two_districts, rf):
    lixia, _licheng, lixia_teacher, _licheng_teacher = two_districts
    admin = UserFactory(username="lixia-filters")
    district_admin_assign(user=admin, district=lixia)
    request = rf.get("/admin/")
    request.user = admin
    assert list(district_list_for_request(request)) == [lixia]
    assert list(school_list_for_request(request)) == [lixia_teacher.school]
    # A filter set built without a request offers nothing.
    assert not district_list_for_request(None).exists() and not school_list_for_request(None).exists()


def test_the_signed_in_teacher_is_found_with_school_and_district(two_districts, django_assert_num_queries):
    _lixia, _licheng, lixia_teacher, _licheng_teacher = two_districts
    with django_assert_num_queries(1):
        found = teacher_get_for_user(lixia_teacher.user)
        assert found == lixia_teacher and found.school.district.code == "370102"
    assert teacher_get_for_user(AnonymousUser()) is None
    assert teacher_get_for_user(UserFactory()) is None

