"""Registers the courses app's admin screens, navigation and site-history
scope with Wagtail (the functions live in admin_views and navigation)."""

from wagtail import hooks

from . import admin_views, navigation

# Course reports, attendance and check-in codes (courses/admin_views.py).
hooks.register("register_admin_urls", admin_views.admin_urls)
hooks.register("register_admin_menu_item", admin_views.menu_item)
hooks.register("register_admin_viewset", admin_views.admin_viewsets)
hooks.register("register_academy_nav_item", navigation.nav_items)
hooks.register("register_log_entry_scope", admin_views.log_entry_scopes)
