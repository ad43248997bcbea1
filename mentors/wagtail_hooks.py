from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.permissions import register_permission_policy

from .admin_views import NoDeletePermissionPolicy
from .models import ResearchPairing

register_permission_policy(ResearchPairing, NoDeletePermissionPolicy(ResearchPairing), exact_class=True)


@hooks.register("register_admin_viewset")
def register_research_along_viewsets():
    from .admin_views import research_along_viewset_group

    return research_along_viewset_group


@hooks.register("register_admin_urls")
def register_research_along_report_urls():
    from .admin_views import admin_urls

    return admin_urls()


@hooks.register("register_admin_menu_item")
def register_research_along_report_menu_item():
    from .admin_views import report_menu_item

    return report_menu_item()


@hooks.register("register_dashboard_section")
def research_along_dashboard_section(request, dashboard):
    """Research-along figures on the city and district dashboards, for
    those who may read the research-along report."""
    from django.template.loader import render_to_string

    from .admin_views import report_visible_to
    from .reports import report_summary

    if not report_visible_to(request.user):
        return ""
    return render_to_string(
        "mentors/admin/dashboard_section.html",
        {"summary": report_summary(request.user, district=dashboard.district)},
        request=request,
    )


def _teacher_or_mentor(user):
    return user.is_authenticated and (hasattr(user, "teacher_profile") or hasattr(user, "mentor_profile"))


@hooks.register("register_academy_nav_item")
def research_along_nav_item():
    from themes.navigation import NavItem

    return NavItem(_("Research-along"), "mentors:my_pairings", order=500, visible=_teacher_or_mentor)


# Site history (lms/audit.py): a pairing's log entries for those who may see it.
@hooks.register("register_log_entry_scope")
def register_pairing_log_entry_scope():
    from .selectors import pairing_list_for_user

    return {ResearchPairing: pairing_list_for_user}
