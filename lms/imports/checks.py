"""Checking the rows of a people import: the row-level messages, the
per-row checker and what a check produces (``Validation``: errors and the
``Plan`` of each valid row), shared by the teachers' and the schools' checks.
"""

from dataclasses import dataclass, field

from django.utils.translation import gettext_lazy as _

from lms.constants import ImportRowAction
from lms.imports.tabular import (
    CELL_MAX_CHARS,
    FILE_ERRORS,
    OVERSIZED_CELLS,
    ROW_CELL_TOO_LARGE,
    RowError,
    message_render,
    report_value,
)
from lms.imports.vocabulary import NO_TERMS, YES_TERMS, key, vocabulary_hint

# How many rows of the dry run the batch keeps for its preview.
PREVIEW_ROWS = 50
# Rows per IN (...) lookup: well under SQLite's limit on query parameters.
LOOKUP_CHUNK = 2000

# Row-level problems, by the code stored in the batch report.
ROW_REQUIRED = _("This column must not be empty.")
ROW_EMPTY_NAME = _("The name is empty.")
ROW_TOO_LONG = _("Too long: at most %(max)s characters.")
ROW_BAD_STAFF_NUMBER = _("A staff number may contain only letters, digits and . @ + - _")
ROW_DUPLICATE_STAFF_NUMBER = _("This staff number is already used on row %(first_row)s of the file.")
ROW_DUPLICATE_SCHOOL_CODE = _("This school code is already used on row %(first_row)s of the file.")
ROW_USERNAME_TAKEN = _("A user account named after this staff number already exists and is not a teacher.")
ROW_UNKNOWN_SCHOOL = _("Unknown school code; import the school first.")
ROW_BAD_PHONE = _("Not a mobile number: 11 digits starting with 13 to 19.")
ROW_UNKNOWN_CHOICE = _("Unknown value; use one of: %(choices)s.")
ROW_UNKNOWN_POSITION = _("Unknown position “%(token)s”; use one of: %(choices)s.")
ROW_BAD_YES_NO = _("Use 是 or 否 (yes or no, 1 or 0).")
ROW_BAD_YEAR = _("Not a year between %(first)s and %(last)s.")
ROW_BAD_EMAIL = _("Not an email address.")
ROW_SCI_MASTER_NEEDS_DEGREE = _("A science or engineering master's needs the degree 硕士 (master's) or 博士 (doctorate).")
ROW_UNKNOWN_DISTRICT = _("Unknown district; use a name such as 历下区 or a code such as 370102.")
ROW_NO_STAGE = _("A school needs at least one stage: 小学, 初中 or 高中.")

ROW_ERRORS = {
    "required": ROW_REQUIRED,
    "empty_name": ROW_EMPTY_NAME,
    "too_long": ROW_TOO_LONG,
    "bad_staff_number": ROW_BAD_STAFF_NUMBER,
    "duplicate_staff_number": ROW_DUPLICATE_STAFF_NUMBER,
    "duplicate_school_code": ROW_DUPLICATE_SCHOOL_CODE,
    "username_taken": ROW_USERNAME_TAKEN,
    "unknown_school": ROW_UNKNOWN_SCHOOL,
    "bad_phone": ROW_BAD_PHONE,
    "unknown_choice": ROW_UNKNOWN_CHOICE,
    "unknown_position": ROW_UNKNOWN_POSITION,
    "bad_yes_no": ROW_BAD_YES_NO,
    "bad_year": ROW_BAD_YEAR,
    "bad_email": ROW_BAD_EMAIL,
    "sci_master_needs_degree": ROW_SCI_MASTER_NEEDS_DEGREE,
    "unknown_district": ROW_UNKNOWN_DISTRICT,
    "no_stage": ROW_NO_STAGE,
    "cell_too_large": ROW_CELL_TOO_LARGE,
}


def row_error_reason(error: dict) -> str:
    """The reason of a stored error (row or file level), in the active language.

    The report keeps each error's code and parameters besides the reason as
    first rendered, so that every reader sees it in their own language."""
    code = error.get("code")
    message = ROW_ERRORS.get(code) or FILE_ERRORS.get(code)
    if message is None:
        return error.get("reason", "")
    params = error.get("params") or {}
    if "vocabulary" in params:
        # Stored as the vocabulary's name rather than its long list of
        # terms, which a file with thousands of bad cells would repeat.
        params = {**params, "choices": vocabulary_hint(params["vocabulary"])}
    return message_render(message, params)


def row_error_json(error: RowError) -> dict:
    """An error as the batch report stores it."""
    return {
        "row": error.row,
        "column": error.column,
        "code": error.code,
        "params": error.params,
        "reason": row_error_reason({"code": error.code, "params": error.params}),
        "value": error.value,
    }


@dataclass
class Plan:
    """What committing one valid row does."""

    row: int
    action: str  # ImportRowAction
    key: str  # staff number or school code
    values: dict  # model field → value, for a new record or the fields to change
    changes: list = field(default_factory=list)
    existing: dict | None = None  # the stored values of the existing record, with its "id"
    email: str | None = None  # teachers: the user's email, when it is set or changes
    label: str = ""
    place: str = ""


@dataclass
class Validation:
    rows: int = 0
    errors: list = field(default_factory=list)
    plans: list = field(default_factory=list)

    def count(self, action):
        return sum(1 for plan in self.plans if plan.action == action)

    def report(self):
        """The batch fields the dry run (or the commit) records."""
        preview = [
            {
                "row": plan.row,
                "action": plan.action,
                "key": plan.key,
                "name": plan.label,
                "place": plan.place,
                "changes": plan.changes,
            }
            for plan in self.plans
            if plan.action != ImportRowAction.UNCHANGED
        ][:PREVIEW_ROWS]
        return {
            "row_count": self.rows,
            "created_count": self.count(ImportRowAction.CREATE),
            "updated_count": self.count(ImportRowAction.UPDATE),
            "unchanged_count": self.count(ImportRowAction.UNCHANGED),
            "error_count": len(self.errors),
            "errors": [row_error_json(error) for error in self.errors],
            "preview": preview,
        }


class RowChecker:
    """Collects the errors of one row, naming columns as the file does."""

    def __init__(self, number, record, headers, errors):
        self.number = number
        self.record = record
        self.headers = headers
        self.errors = errors
        self.ok = True
        self.oversized = set(record.get(OVERSIZED_CELLS, ()))
        for name in record.get(OVERSIZED_CELLS, ()):
            self._add(name, "cell_too_large", record[name], {"size": len(record[name]), "max": CELL_MAX_CHARS})

    def error(self, name, code, value=None, **params):
        self.ok = False
        if name in self.oversized:
            # Already refused as too large; what else is wrong with a
            # pasted document is noise.
            return
        self._add(name, code, self.record.get(name, "") if value is None else value, params)

    def _add(self, name, code, value, params):
        self.ok = False
        self.errors.append(RowError(self.number, self.headers.get(name, name), code, report_value(value), params))

    def text(self, name, *, max_length, required=False, code="required"):
        value = self.record.get(name, "")
        if not value:
            if required:
                self.error(name, code)
            return value
        if len(value) > max_length:
            self.error(name, "too_long", max=max_length)
        return value

    def choice(self, name, vocabulary, *, required=False):
        value = self.record.get(name, "")
        if not value:
            if required:
                self.error(name, "required")
            return None
        found = vocabulary.get(value)
        if found is None:
            self.error(name, "unknown_choice", vocabulary=vocabulary.name)
        return found

    def yes_no(self, name):
        value = self.record.get(name, "")
        if not value:
            return None
        word = key(value)
        if word in YES_TERMS:
            return True
        if word in NO_TERMS:
            return False
        self.error(name, "bad_yes_no")
        return None


def chunks(items, size=LOOKUP_CHUNK):
    """``items`` in lists of at most ``size``, one IN (...) lookup each."""
    items = list(items)
    for start in range(0, len(items), size):
        yield items[start : start + size]


def rows_validate(table, *, lookups, check_row) -> Validation:
    """Check every row of ``table``: ``lookups(records)`` reads what the
    rows refer to in a few queries, ``check_row(checker, lookups)`` checks
    one row and returns its plan, or None when it has errors."""
    result = Validation()
    records = list(table.rows)
    result.rows = len(records)
    found = lookups(records)
    for number, record in records:
        plan = check_row(RowChecker(number, record, table.headers, result.errors), found)
        if plan is not None:
            result.plans.append(plan)
    return result
