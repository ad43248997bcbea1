"""The theme's own entries in the public site's main navigation
(lms.navigation gathers every app's)."""

from django.utils.translation import gettext_lazy as _

from lms.api import NavItem, has_teacher_profile


def home_nav_item():
    return NavItem(_("Home"), "/", order=0, prefix_match=False)


def my_hours_nav_item():
    return NavItem(_("My hours"), "themes:my_hours", order=300, visible=has_teacher_profile)
