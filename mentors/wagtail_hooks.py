from django.utils.translation import gettext_lazy as _
from wagtail import hooks


def _teacher_or_mentor(user):
    return user.is_authenticated and (hasattr(user, "teacher_profile") or hasattr(user, "mentor_profile"))


@hooks.register("register_academy_nav_item")
def research_along_nav_item():
    from themes.navigation import NavItem

    return NavItem(_("Research-along"), "mentors:my_pairings", order=500, visible=_teacher_or_mentor)
