"""Reads for the city and district dashboards, kept under their old name so
every caller's import stands. They live in:

- ``lms.dashboards.figures``: ``dashboard_get`` and the figures' types;
- ``lms.dashboards.targets``: the targets' progress, ``city_target_progress_list``;
- ``lms.dashboards.tallies``: the tally rows and schools a dashboard reads;
- ``lms.dashboards.scope``: ``user_is_city_wide``, ``credit_list_for_user``.
"""

from lms.dashboards.figures import (
    ZERO_HOURS,
    Breakdown,
    Dashboard,
    DashboardScopeError,
    DistrictNotInScope,
    Figure,
    SchoolWithoutTraining,
    dashboard_get,
)
from lms.dashboards.scope import credit_list_for_user, user_is_city_wide
from lms.dashboards.tallies import TallyRow
from lms.dashboards.targets import (
    COHORT_CERTIFIED_NOTE,
    COHORT_NOT_RECORDED,
    COUNTED_BY_MONTH_NOTE,
    DISTRICT_SHARE_NOTE,
    NO_SCHOOLS_NOTE,
    TargetProgress,
    TargetStatus,
    city_target_progress_list,
    target_expected_on,
)

__all__ = [
    "ZERO_HOURS", "Breakdown", "Dashboard", "DashboardScopeError", "DistrictNotInScope", "Figure",
    "SchoolWithoutTraining", "dashboard_get", "credit_list_for_user", "user_is_city_wide", "TallyRow",
    "COHORT_CERTIFIED_NOTE", "COHORT_NOT_RECORDED", "COUNTED_BY_MONTH_NOTE", "DISTRICT_SHARE_NOTE",
    "NO_SCHOOLS_NOTE", "TargetProgress", "TargetStatus", "city_target_progress_list", "target_expected_on",
]
