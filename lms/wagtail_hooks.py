"""Registers what the lms core and its upper layer add to Wagtail. Only
registrations: each names a function of the package that owns it."""

from wagtail import hooks

from lms.admin_base import page_move_confirmation_refuse
from lms.cohorts import admin_registration as cohorts
from lms.dashboards import admin_views as dashboards
from lms.dashboards.targets import CERTIFIED_COUNTS_HOOK
from lms.imports import admin_views as imports
from lms.ledger import admin_views as ledger
from lms.people import admin_views as people

# Districts, schools and teachers (lms/people/).
hooks.register("register_admin_viewset", people.admin_viewsets)

# People imports (lms/imports/): the upload and report screens, their menu
# entry, and the import permission on the group editing screen.
hooks.register("register_admin_urls", imports.admin_urls)
hooks.register("register_admin_menu_item", imports.menu_item)
hooks.register("register_permissions", imports.import_permissions)

hooks.register("register_log_actions", ledger.ledger_log_actions_register)

# The city and district dashboards (lms/dashboards/) and the read-only ledger
# listing their figures drill into.
hooks.register("register_admin_urls", dashboards.admin_urls)
hooks.register("register_admin_menu_item", dashboards.menu_item)
hooks.register("register_admin_viewset", dashboards.admin_viewsets)

# HR's corrections to the ledger, the yearly caps and the plan's targets
# (lms/ledger/), under one "Training hours" menu group.
hooks.register("register_admin_viewset", ledger.admin_viewsets)
hooks.register("register_permissions", ledger.correction_permissions)

# Talent cohorts (lms/cohorts/).
hooks.register("register_log_actions", cohorts.cohort_log_actions_register)
hooks.register("register_admin_viewset", cohorts.admin_viewsets)
hooks.register("register_academy_nav_item", cohorts.my_cohorts_nav_item)
hooks.register(CERTIFIED_COUNTS_HOOK, cohorts.certified_counts)

# Whose log entries a reader of Wagtail's site history may see (lms/audit.py):
# each model's entries are kept to the objects its own screens show.
hooks.register("register_log_entry_scope", people.log_entry_scopes)
hooks.register("register_log_entry_scope", dashboards.log_entry_scopes)
hooks.register("register_log_entry_scope", cohorts.log_entry_scopes)

hooks.register("before_move_page", page_move_confirmation_refuse)
