"""Writes to organisations, people and roles."""

from django.contrib.auth.models import Group
from django.db import transaction
from guardian.shortcuts import assign_perm, remove_perm

from lms.constants import DISTRICT_MANAGE_PERMISSION, Role


def user_role_add(*, user, role: Role):
    user.groups.add(Group.objects.get(name=role.value))


@transaction.atomic
def district_admin_assign(*, user, district):
    """Make ``user`` a district admin of ``district`` (and only of it)."""
    user_role_add(user=user, role=Role.DISTRICT_ADMIN)
    assign_perm(DISTRICT_MANAGE_PERMISSION, user, district)


@transaction.atomic
def district_admin_revoke(*, user, district):
    remove_perm(DISTRICT_MANAGE_PERMISSION, user, district)


@transaction.atomic
def teacher_create(*, email="", **profile_fields):
    """Create a teacher's account and profile. The account has no usable
    password: the teacher sets one through the password-reset page."""
    from django.contrib.auth import get_user_model

    from lms.people.models import TeacherProfile

    user = get_user_model()(username=profile_fields["staff_number"], email=email, first_name=profile_fields["real_name"])
    user.set_unusable_password()
    user.save()
    user_role_add(user=user, role=Role.TEACHER)
    return TeacherProfile.objects.create(user=user, **profile_fields)
