"""Research-along's entry in the public site's main navigation."""

from django.utils.translation import gettext_lazy as _

from lms.api import NavItem


def teacher_or_mentor(user):
    return user.is_authenticated and (hasattr(user, "teacher_profile") or hasattr(user, "mentor_profile"))


def nav_item():
    return NavItem(_("Research-along"), "mentors:my_pairings", order=500, visible=teacher_or_mentor)
