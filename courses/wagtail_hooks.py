from wagtail import hooks


# Course reports, attendance and check-in codes (courses/admin_views.py).
@hooks.register("register_admin_urls")
def register_course_report_urls():
    from . import admin_views

    return admin_views.admin_urls()


@hooks.register("register_admin_menu_item")
def register_course_report_menu_item():
    from . import admin_views

    return admin_views.menu_item()


@hooks.register("register_admin_viewset")
def register_offline_session_viewset():
    from .admin_views import offline_session_viewset

    return offline_session_viewset


@hooks.register("register_academy_nav_item")
def courses_nav_items():
    from django.utils.translation import gettext_lazy as _

    from themes.navigation import NavItem, has_teacher_profile

    from .navigation import catalogue_url

    return [
        NavItem(_("Courses"), catalogue_url, order=100),
        NavItem(_("My learning"), "courses:my_learning", order=200, visible=has_teacher_profile),
    ]


# Site history (lms/audit.py): an offline session's log entries for those who
# manage its course.
@hooks.register("register_log_entry_scope")
def register_session_log_entry_scope():
    from .models import OfflineSession
    from .selectors import session_list_for_user

    return {OfflineSession: session_list_for_user}
