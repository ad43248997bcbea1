"""Giving trainers a course to manage, and taking it back."""

from django.db import transaction
from guardian.shortcuts import assign_perm, remove_perm

from ..constants import COURSE_MANAGE_PERMISSION
from ..models import CoursePage


@transaction.atomic
def course_manager_grant(*, course: CoursePage, user) -> None:
    """Give ``user`` (a trainer) the course: they may edit it and its
    lessons, run its sessions and see its reports, as its owner does."""
    assign_perm(COURSE_MANAGE_PERMISSION, user, course)


@transaction.atomic
def course_manager_revoke(*, course: CoursePage, user) -> None:
    remove_perm(COURSE_MANAGE_PERMISSION, user, course)
