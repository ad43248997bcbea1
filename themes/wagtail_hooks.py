"""Registers the theme's navigation entries, the sign-in lockouts report and
the throttled password panel with Wagtail."""

from wagtail import hooks

from lms.api import NAV_HOOK

from . import admin_views, nav_items

hooks.register(NAV_HOOK, nav_items.home_nav_item)
hooks.register(NAV_HOOK, nav_items.my_hours_nav_item)
hooks.register("register_admin_urls", admin_views.admin_urls)
hooks.register("register_reports_menu_item", admin_views.lockouts_menu_item)
hooks.register("register_account_settings_panel", admin_views.throttled_password_panel)
