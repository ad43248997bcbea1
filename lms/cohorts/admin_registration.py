"""What the talent cohorts add to Wagtail, registered by lms/wagtail_hooks.py:
their admin screens, their log actions, their site-history scopes, the
member's navigation item and the dashboards' certified-member counts."""

from django.utils.translation import gettext_lazy as _

from lms.cohorts.admin_views import talent_cohorts_viewset_group
from lms.cohorts.models import Cohort, CohortMembership
from lms.cohorts.selectors import (
    cohort_certified_counts,
    cohort_list_for_user,
    membership_list_for_user,
    teacher_has_membership,
)
from lms.cohorts.services import LOG_CERTIFY, LOG_NOMINATE, LOG_TRANSITION
from lms.navigation import NavItem


def admin_viewsets():
    return talent_cohorts_viewset_group


def cohort_log_actions_register(actions):
    actions.register_action(LOG_NOMINATE, _("Nominate to a cohort"), _("Nominated to a cohort"))
    actions.register_action(LOG_TRANSITION, _("Change a cohort membership"), _("Cohort membership changed"))
    actions.register_action(LOG_CERTIFY, _("Certify a cohort member"), _("Cohort member certified"))


def my_cohorts_nav_item():
    return NavItem(_("My cohorts"), "my_cohorts", order=320, visible=teacher_has_membership)


def log_entry_scopes():
    """Site history (lms/audit.py): a cohort's and a membership's log entries
    for those whose cohort screens show them."""
    return {Cohort: cohort_list_for_user, CohortMembership: membership_list_for_user}


def certified_counts(*, district=None) -> dict:
    """Certified members by cohort kind, for the dashboards' cohort targets
    (lms.dashboards.targets.CERTIFIED_COUNTS_HOOK)."""
    return cohort_certified_counts(district=district)
