"""The lms core's public names: the only ones other apps import from lms.

courses, mentors, certificates and themes import from here and nowhere
else in lms (an import-linter contract in pyproject.toml holds them to it;
docs/decisions/0090-app-apis-and-import-contracts.md). What is not listed
here is the lms core's own business and may change without notice.

The upper layer of lms (lms.cohorts' behaviour, lms.demo, lms.privacy, the
project modules) is not exported: nothing below it may depend on it. The
cohorts' models are, because certificates are issued to cohort members.
"""

from lms import ratelimit
from lms.admin_base import (
    ReadOnlyScopedModelViewSet,
    SafeExportMixin,
    ScopedModelViewSet,
    ScopedObjectMixin,
    YearFilter,
    display_column,
    forbidden,
    yes_no_column,
)
from lms.cohorts.models import Cohort, CohortMembership
from lms.constants import (
    DISTRICT_MANAGE_PERMISSION,
    LEDGER_EARLIEST_YEAR,
    POSITION_FIELDS,
    CreditCategory,
    MembershipStatus,
    Position,
    Role,
    Stage,
    Subject,
)
from lms.dashboards.selectors import city_target_progress_list
from lms.db.rows import RowShape, fields_update, read_row
from lms.events import (
    REFUSED_NO_CERTIFICATE_TEMPLATE,
    Completion,
    CompletionKind,
    CompletionRefused,
    completion_announce,
    completion_recorded,
)
from lms.exports import csv_response, xlsx_response
from lms.ledger.bulk import BulkCredit, credits_record_bulk
from lms.ledger.models import TrainingCredit
from lms.ledger.selectors import teacher_credit_list, teacher_hours_summary
from lms.ledger.services import credit_record
from lms.navigation import NAV_HOOK, NavItem, anyone, has_teacher_profile, nav_links_for, signed_in
from lms.outbox import task_enqueue
from lms.people.models import District, School, TeacherProfile, mask_chinese_name
from lms.people.selectors import (
    AnyUser,
    district_list_for_request,
    district_list_for_user,
    teacher_get_for_user,
    teacher_list_for_user,
)
from lms.people.services import user_role_add
from lms.private_files import PrivateFile, private_file_kind_register, private_file_response, private_storage

__all__ = [
    # The academy's vocabularies (lms.constants).
    "DISTRICT_MANAGE_PERMISSION",
    "LEDGER_EARLIEST_YEAR",
    "POSITION_FIELDS",
    "CreditCategory",
    "MembershipStatus",
    "Position",
    "Role",
    "Stage",
    "Subject",
    # People: districts, schools, teachers, and who may see which.
    "District",
    "School",
    "TeacherProfile",
    "mask_chinese_name",
    "AnyUser",
    "district_list_for_request",
    "district_list_for_user",
    "teacher_get_for_user",
    "teacher_list_for_user",
    "user_role_add",
    # The training-hours ledger: its one writer and a teacher's reads.
    "TrainingCredit",
    "credit_record",
    "BulkCredit",
    "credits_record_bulk",
    "teacher_credit_list",
    "teacher_hours_summary",
    # Figures for the public home page.
    "city_target_progress_list",
    # Talent cohorts' records (certificates go to certified members).
    "Cohort",
    "CohortMembership",
    # Durable hand-offs to Celery (the task outbox).
    "task_enqueue",
    # Personal files in private storage, served after a check by their app.
    "PrivateFile",
    "private_file_kind_register",
    "private_file_response",
    "private_storage",
    # Spreadsheet downloads with formulas neutralised.
    "csv_response",
    "xlsx_response",
    # Hand-written SQL on hot paths.
    "RowShape",
    "fields_update",
    "read_row",
    # Fixed-window rate limits in the shared cache (the module).
    "ratelimit",
    # The admin's base: scoped and read-only viewsets, columns, the 403.
    "ReadOnlyScopedModelViewSet",
    "SafeExportMixin",
    "ScopedModelViewSet",
    "ScopedObjectMixin",
    "YearFilter",
    "display_column",
    "forbidden",
    "yes_no_column",
    # The public site's main navigation (each app adds its items by hook).
    "NAV_HOOK",
    "NavItem",
    "anyone",
    "has_teacher_profile",
    "nav_links_for",
    "signed_in",
    # Completions announced across the academy (lms.events); certificates listen.
    "REFUSED_NO_CERTIFICATE_TEMPLATE",
    "Completion",
    "CompletionKind",
    "CompletionRefused",
    "completion_announce",
    "completion_recorded",
]
