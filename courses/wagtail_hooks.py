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
