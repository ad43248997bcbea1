"""Registers the certificate screens (certificates/admin_views.py), their
menu, the audit-log actions, the missing-font warning on the dashboard and
the navigation entries with Wagtail."""

from wagtail import hooks
from wagtail.snippets.models import register_snippet

from . import admin_home, admin_views, navigation

hooks.register("register_log_actions", admin_home.certificate_log_actions_register)
register_snippet(admin_views.template_viewset)
hooks.register("register_admin_viewset", admin_views.admin_viewsets)
hooks.register("register_admin_urls", admin_views.admin_urls)
hooks.register("register_admin_menu_item", admin_views.menu_item)
hooks.register("construct_homepage_panels", admin_home.font_warning_panel_add)
hooks.register("register_academy_nav_item", navigation.nav_items)
