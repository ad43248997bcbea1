"""Reads, scoped to what the user may see.

Every view, export and report reuses these, so a district admin's scope is
decided in one place: the ``lms.manage_district`` object permission on
District (guardian's direct foreign-key table). HR and academy admins hold the
permission globally and see every district.
"""


from guardian.shortcuts import get_objects_for_user

from lms.constants import DISTRICT_MANAGE_PERMISSION
from lms.people.models import District, School, TeacherProfile


def district_list_for_user(user):
    if not user.is_authenticated or not user.is_active:
        return District.objects.none()
    return get_objects_for_user(user, DISTRICT_MANAGE_PERMISSION, klass=District, accept_global_perms=True)


def school_list_for_user(user):
    return School.objects.filter(district__in=district_list_for_user(user)).select_related("district")


def teacher_list_for_user(user):
    teachers = TeacherProfile.objects.select_related("school__district", "user")
    if user.is_authenticated and user.is_active and user.has_perm(DISTRICT_MANAGE_PERMISSION):
        # City-wide staff also see teachers who are between schools.
        return teachers
    return teachers.filter(school__district__in=district_list_for_user(user))


def teacher_get_for_user(user):
    """The teacher profile of the signed-in user, or None."""
    if not user.is_authenticated:
        return None
    return TeacherProfile.objects.select_related("school__district").filter(user=user).first()


# --- Training hours --------------------------------------------------------


