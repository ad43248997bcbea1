"""Writes of the research-along app: inviting mentors, proposing and running
pairings, logging, confirming and returning activities. One module per
flow (mentor_accounts, pairings, completion, activities); this package
gathers their public names, so callers keep using ``mentors.services``.

Every service takes keyword-only arguments, checks who is acting, and raises
``ValidationError`` (with one of the module's message constants) or
``PermissionDenied`` having written nothing. E-mails and the certificate hook
are promised in the transaction (lms.outbox) and sent once it commits.
"""

from .activities import (
    ACTIVITY_ALREADY_REVIEWED,
    ACTIVITY_BEFORE_START,
    ACTIVITY_HOURS_INVALID,
    ACTIVITY_HOURS_NOT_POSITIVE,
    ACTIVITY_HOURS_OVER_DAY,
    ACTIVITY_IN_FUTURE,
    ACTIVITY_NOT_CONFIRMED_YET,
    ACTIVITY_NOT_YOURS,
    COMMENT_REQUIRED,
    HOURS_QUANTUM,
    pairing_activity_confirm,
    pairing_activity_log,
    pairing_activity_return,
)
from .common import is_academy_admin
from .completion import (
    ACTIVITIES_STILL_WAITING,
    FINAL_REPORT_REQUIRED,
    pairing_complete_confirm,
    pairing_completion_reannounce,
)
from .mentor_accounts import (
    MENTOR_EMAIL_TAKEN,
    PROJECT_NOT_YOURS,
    mentor_invite,
    mentor_project_close,
    mentor_project_post,
)
from .pairings import (
    MENTOR_AT_CAPACITY,
    MENTOR_NOT_ACCEPTING,
    PAIRING_ALREADY_OPEN,
    PAIRING_END_BEFORE_START,
    PAIRING_NOT_A_MEMBER,
    PAIRING_NOT_ACTIVE,
    PAIRING_NOT_PROPOSED,
    PAIRING_NOT_YOUR_MENTEE,
    PAIRING_NOT_YOURS_TO_PROPOSE,
    REASON_REQUIRED,
    pairing_accept,
    pairing_decline,
    pairing_end_early,
    pairing_output_add,
    pairing_propose,
)

__all__ = [
    "ACTIVITIES_STILL_WAITING",
    "ACTIVITY_ALREADY_REVIEWED",
    "ACTIVITY_BEFORE_START",
    "ACTIVITY_HOURS_INVALID",
    "ACTIVITY_HOURS_NOT_POSITIVE",
    "ACTIVITY_HOURS_OVER_DAY",
    "ACTIVITY_IN_FUTURE",
    "ACTIVITY_NOT_CONFIRMED_YET",
    "ACTIVITY_NOT_YOURS",
    "COMMENT_REQUIRED",
    "FINAL_REPORT_REQUIRED",
    "HOURS_QUANTUM",
    "MENTOR_AT_CAPACITY",
    "MENTOR_EMAIL_TAKEN",
    "MENTOR_NOT_ACCEPTING",
    "PAIRING_ALREADY_OPEN",
    "PAIRING_END_BEFORE_START",
    "PAIRING_NOT_ACTIVE",
    "PAIRING_NOT_A_MEMBER",
    "PAIRING_NOT_PROPOSED",
    "PAIRING_NOT_YOURS_TO_PROPOSE",
    "PAIRING_NOT_YOUR_MENTEE",
    "PROJECT_NOT_YOURS",
    "REASON_REQUIRED",
    "is_academy_admin",
    "mentor_invite",
    "mentor_project_close",
    "mentor_project_post",
    "pairing_accept",
    "pairing_activity_confirm",
    "pairing_activity_log",
    "pairing_activity_return",
    "pairing_complete_confirm",
    "pairing_completion_reannounce",
    "pairing_decline",
    "pairing_end_early",
    "pairing_output_add",
    "pairing_propose",
]
