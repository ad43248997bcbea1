"""Registers the privacy screens, the open-corrections panel, the log
actions, the "My data" navigation entry and the site-history scope with
Wagtail (the functions live in admin_views and views)."""

from wagtail import hooks

from lms.privacy import admin_views, views

hooks.register("construct_homepage_panels", admin_views.open_corrections_panel_add)
hooks.register("register_admin_viewset", admin_views.admin_viewsets)
hooks.register("register_log_actions", admin_views.privacy_log_actions_register)
hooks.register("register_academy_nav_item", views.my_data_nav_item)
hooks.register("register_log_entry_scope", admin_views.log_entry_scopes)
