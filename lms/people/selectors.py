"""Reads, scoped to what the user may see.

Every view, export and report reuses these, so a district admin's scope is
decided in one place: the ``lms.manage_district`` object permission on
District (guardian's direct foreign-key table). HR and academy admins hold the
permission globally and see every district.
"""

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.db.models import QuerySet
from django.http import HttpRequest
from guardian.shortcuts import get_objects_for_user

from lms.constants import DISTRICT_MANAGE_PERMISSION
from lms.people.models import District, School, TeacherProfile

# Who a selector is asked about: a signed-in account or the anonymous visitor.
AnyUser = AbstractBaseUser | AnonymousUser


def district_list_for_user(user: AnyUser) -> QuerySet[District]:
    """The districts this user's scope covers: those they hold
    ``lms.manage_district`` on, every district with the global permission."""
    if not user.is_authenticated or not user.is_active:
        return District.objects.none()
    return get_objects_for_user(user, DISTRICT_MANAGE_PERMISSION, klass=District, accept_global_perms=True)


def district_list_for_request(request: HttpRequest | None) -> QuerySet[District]:
    """The districts the requesting user's scope covers, none without a
    request: the choices of every admin list's district filter."""
    if request is None:
        return District.objects.none()
    return district_list_for_user(request.user)


def school_list_for_user(user: AnyUser) -> QuerySet[School]:
    return School.objects.filter(district__in=district_list_for_user(user)).select_related("district")


def school_list_for_request(request: HttpRequest | None) -> QuerySet[School]:
    """The schools of the requesting user's districts, none without a
    request: the choices of the admin lists' school filter."""
    if request is None:
        return School.objects.none()
    return school_list_for_user(request.user)


def teacher_list_for_user(user: AnyUser) -> QuerySet[TeacherProfile]:
    teachers = TeacherProfile.objects.select_related("school__district", "user")
    if user.is_authenticated and user.is_active and user.has_perm(DISTRICT_MANAGE_PERMISSION):
        # City-wide staff also see teachers who are between schools.
        return teachers
    return teachers.filter(school__district__in=district_list_for_user(user))


def teacher_get_for_user(user: AnyUser) -> TeacherProfile | None:
    """The teacher profile of the signed-in user (its school and district
    joined), or None."""
    if not user.is_authenticated:
        return None
    return TeacherProfile.objects.select_related("school__district").filter(user=user).first()


# --- Training hours --------------------------------------------------------


