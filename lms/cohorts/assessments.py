"""Importing a cohort's assessment results from a spreadsheet: one row per
member and assessment. The file is read by the people import's tabular reader
(``lms.imports.tabular``: CSV or XLSX, UTF-8 or GBK, oversized cells); the dry
run reports every row's problems and writes nothing; the commit checks the file
again and records every result through ``assessment_result_record``, or none.
"""

import csv
import datetime
import re
from dataclasses import dataclass, field
from decimal import Decimal

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from lms.cohorts.models import Cohort, CohortAssessment, CohortMembership
from lms.cohorts.rules import (
    ASSESSOR_REQUIRED,
    FUTURE_ASSESSMENT,
    MANAGE_PERMISSION,
    NOT_ALLOWED_TO_MANAGE,
    RESULT_STATUS,
    SCORE_NOT_A_NUMBER,
    SCORE_OUT_OF_RANGE,
    CohortError,
    S,
    score_parse,
)
from lms.cohorts.services import assessment_result_record
from lms.imports.tabular import (
    CELL_MAX_CHARS,
    OVERSIZED_CELLS,
    ROW_CELL_TOO_LARGE,
    Column,
    ImportFileError,
    RowError,
    check_extension,
    check_size,
    message_render,
    normalise_header,
    report_value,
    table_open,
)

# The assessment-results spreadsheet: one row per member and assessment.
ASSESSMENT_COLUMNS = (
    Column("staff_number", "工号", required=True, aliases=("staff number", "staff_number", "职工号")),
    Column("assessment", "考核项目", aliases=("考核", "assessment")),
    Column("score", "成绩", required=True, aliases=("分数", "score")),
    Column("assessed_on", "考核日期", required=True, aliases=("日期", "assessed on", "date")),
    Column("assessor", "考核人", required=True, aliases=("评委", "assessor")),
)
ASSESSMENT_HEADERS = {column.field: column.header for column in ASSESSMENT_COLUMNS}
ASSESSMENT_REQUIRED = ("staff_number", "score", "assessed_on", "assessor")

ROW_UNKNOWN_MEMBER = _("No member of this cohort has this staff number.")
ROW_UNKNOWN_ASSESSMENT = _("Unknown assessment; use one of: %(choices)s.")
ROW_BAD_DATE = _("Not a date: write it as 2026-06-30.")
ROW_DUPLICATE = _("This member's result in this assessment is already on row %(first_row)s.")
ROW_REQUIRED = _("This column must not be empty.")
ASSESSMENT_ROW_ERRORS = {
    "cell_too_large": ROW_CELL_TOO_LARGE,
    "unknown_member": ROW_UNKNOWN_MEMBER,
    "unknown_assessment": ROW_UNKNOWN_ASSESSMENT,
    "bad_date": ROW_BAD_DATE,
    "duplicate": ROW_DUPLICATE,
    "required": ROW_REQUIRED,
    "score": SCORE_NOT_A_NUMBER,
    "score_range": SCORE_OUT_OF_RANGE,
    "assessed_on": FUTURE_ASSESSMENT,
    "status": RESULT_STATUS,
    "assessor": ASSESSOR_REQUIRED,
}
DATE_RE = re.compile(r"^(\d{4})[-/.年](\d{1,2})[-/.月](\d{1,2})日?$")


@dataclass
class AssessmentRow:
    row: int
    membership: CohortMembership
    assessment: CohortAssessment
    score: Decimal
    assessed_on: datetime.date
    assessor: str


@dataclass
class AssessmentImportReport:
    rows: list = field(default_factory=list)  # AssessmentRow
    errors: list = field(default_factory=list)  # RowError
    file_error: str = ""

    @property
    def ok(self):
        return not self.errors and not self.file_error and bool(self.rows)


def assessment_row_error_text(error: RowError) -> str:
    message = ASSESSMENT_ROW_ERRORS.get(error.code)
    return message_render(message, error.params) if message else error.code


def _parse_date(text):
    match = DATE_RE.match(text)
    if match:
        try:
            return datetime.date(*map(int, match.groups()))
        except ValueError:
            return None
    try:
        return datetime.date.fromisoformat(text[:10])
    except ValueError:
        return None


def _assessment_rows(data, filename):
    """The file's rows as ``(row number, {field: text})``; ImportFileError
    for a file that cannot be read as a whole."""
    check_extension(filename)
    check_size(len(data))
    yield from table_open(data=data, filename=filename, columns=ASSESSMENT_COLUMNS).rows


@dataclass
class _Context:
    """What every row is checked against."""

    assessments: list
    by_name: dict  # assessment name (as compared) → CohortAssessment
    members: dict  # staff number → CohortMembership
    today: datetime.date
    seen: dict = field(default_factory=dict)  # (membership pk, assessment pk) → first row


def _context(cohort, today) -> _Context:
    """Queries: the cohort's assessments and its members, whatever the number of rows."""
    assessments = list(cohort.assessments.all())
    members = {
        m.teacher.staff_number: m
        for m in CohortMembership.objects.filter(cohort=cohort).select_related("teacher")
    }
    return _Context(assessments, {normalise_header(a.name): a for a in assessments}, members, today)


def _oversized_errors(number, record) -> list:
    return [
        RowError(number, ASSESSMENT_HEADERS[name], "cell_too_large", report_value(record[name]),
                 {"size": len(record[name]), "max": CELL_MAX_CHARS})
        for name in record[OVERSIZED_CELLS]
    ]


class _RowCheck:
    """The errors of one row, each named by the template's header."""

    def __init__(self, number, record):
        self.number, self.record, self.errors = number, record, []

    def error(self, column, code, **params):
        self.errors.append(RowError(self.number, ASSESSMENT_HEADERS[column], code, self.record.get(column, ""), params))


def _member(check: _RowCheck, context: _Context):
    membership = context.members.get(check.record.get("staff_number", ""))
    if check.record.get("staff_number") and membership is None:
        check.error("staff_number", "unknown_member")
    elif membership is not None and membership.status not in (S.IN_TRAINING, S.ASSESSED):
        check.error("staff_number", "status", teacher=membership.teacher.real_name,
                    status=str(membership.get_status_display()))
    return membership


def _assessment(check: _RowCheck, context: _Context):
    assessment = None
    if check.record.get("assessment"):
        assessment = context.by_name.get(normalise_header(check.record["assessment"]))
    elif len(context.assessments) == 1:
        assessment = context.assessments[0]
    if assessment is None:
        check.error("assessment", "unknown_assessment", choices="、".join(a.name for a in context.assessments))
    return assessment


def _score(check: _RowCheck, assessment):
    if not (check.record.get("score") and assessment is not None):
        return None
    try:
        return score_parse(check.record["score"], assessment)
    except CohortError as problem:
        check.error("score", problem.code, **(problem.params or {}))
        return None


def _assessed_on(check: _RowCheck, today):
    if not check.record.get("assessed_on"):
        return None
    assessed_on = _parse_date(check.record["assessed_on"])
    if assessed_on is None:
        check.error("assessed_on", "bad_date")
    elif assessed_on > today:
        check.error("assessed_on", "assessed_on")
    return assessed_on


def _check_row(number, record, context: _Context) -> tuple[AssessmentRow | None, list]:
    """``(row, errors)`` for one record: the row to record, or its errors."""
    if OVERSIZED_CELLS in record:
        # Reported on its row and column, as in every other import;
        # nothing else is checked in a row that cannot be read.
        return None, _oversized_errors(number, record)
    check = _RowCheck(number, record)
    for name in ASSESSMENT_REQUIRED:
        if not record.get(name):
            check.error(name, "required")
    membership = _member(check, context)
    assessment = _assessment(check, context)
    score = _score(check, assessment)
    assessed_on = _assessed_on(check, context.today)
    if membership is not None and assessment is not None:
        key = (membership.pk, assessment.pk)
        if key in context.seen:
            check.error("staff_number", "duplicate", first_row=context.seen[key])
        else:
            context.seen[key] = number
    if check.errors:
        return None, check.errors
    return AssessmentRow(number, membership, assessment, score, assessed_on, record["assessor"][:64]), []


def assessment_import_check(
    *, cohort: Cohort, data: bytes, filename: str, today: datetime.date | None = None
) -> AssessmentImportReport:
    """The dry run: every row checked, every problem reported with its row
    and column, nothing written. Queries: the cohort's assessments and its
    members, whatever the number of rows."""
    context = _context(cohort, today or timezone.localdate())
    report = AssessmentImportReport()
    try:
        for number, record in _assessment_rows(data, filename):
            row, errors = _check_row(number, record, context)
            report.errors.extend(errors)
            if row is not None:
                report.rows.append(row)
    except ImportFileError as problem:
        report.file_error = problem.message
        report.rows = []
    except csv.Error:
        # A malformed CSV (e.g. a field larger than the csv module allows).
        report.file_error = ImportFileError("unexpected").message
        report.rows = []
    if not report.file_error and not report.rows and not report.errors:
        report.file_error = str(ImportFileError("no_rows").message)
    return report


@transaction.atomic
def assessment_import_commit(*, cohort: Cohort, data: bytes, filename: str, by) -> AssessmentImportReport:
    """Check the file again and, only if every row is valid, record every
    result; a file with any error writes nothing."""
    if not (by.is_active and by.has_perm(MANAGE_PERMISSION)):
        raise CohortError(NOT_ALLOWED_TO_MANAGE, code="permission")
    report = assessment_import_check(cohort=cohort, data=data, filename=filename)
    if not report.ok:
        return report
    for row in report.rows:
        assessment_result_record(
            membership=row.membership, assessment=row.assessment, score=row.score, assessed_on=row.assessed_on,
            assessor=row.assessor, by=by, via="import",
        )
    return report


def assessment_import_template() -> bytes:
    """A CSV with the expected header, BOM included so Excel reads Chinese."""
    header = ",".join(column.header for column in ASSESSMENT_COLUMNS)
    return ("\ufeff" + header + "\n").encode("utf-8")
