"""Writes to organisations, people and roles."""

from django.contrib.auth.models import Group
from django.db import transaction
from guardian.shortcuts import assign_perm, remove_perm

from .constants import DISTRICT_MANAGE_PERMISSION, Role


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
