"""Registers research-along's admin screens, dashboard section, navigation
and site-history scope with Wagtail (the functions live in admin_views and
navigation)."""

from wagtail import hooks
from wagtail.permissions import register_permission_policy

from . import admin_views, navigation
from .models import ResearchPairing

register_permission_policy(ResearchPairing, admin_views.NoDeletePermissionPolicy(ResearchPairing), exact_class=True)

hooks.register("register_admin_viewset", admin_views.admin_viewsets)
hooks.register("register_admin_urls", admin_views.admin_urls)
hooks.register("register_admin_menu_item", admin_views.report_menu_item)
hooks.register("register_dashboard_section", admin_views.dashboard_section)
hooks.register("register_academy_nav_item", navigation.nav_item)
hooks.register("register_log_entry_scope", admin_views.log_entry_scopes)
