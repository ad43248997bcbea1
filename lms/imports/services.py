"""Bulk import of schools and teachers from CSV or XLSX files.

An import is an ``ImportBatch`` that goes through three services:

``import_batch_create``
    stores the upload after checking the file as a whole (type, size,
    encoding, header row, at least one data row);
``import_batch_validate``
    the dry run: checks every row and records the report (errors, counts, a
    preview of what a commit would do) on the batch, and writes nothing else;
``import_batch_commit``
    checks every row again, against the database as it is now, and writes all
    rows in one transaction, or none.

The file format. Row 1 is the header; rows are numbered as the spreadsheet
numbers them, so an error "row 7" is the seventh row in Excel or WPS. Headers
are the Chinese ones of the official templates, or their English aliases.
Choice columns take the Chinese term or the code value. Rows are matched to
existing records by staff number (teachers) or school code (schools). For an
existing teacher an empty optional cell leaves the stored value as it is: HR
spreadsheets often have gaps, and a gap must not wipe what is known.

Lookups (schools, districts, existing teachers, usernames) are loaded in bulk
before the rows are checked, so validation costs a few queries whatever the
size of the file. New records are written with ``bulk_create``, changes with
one executemany UPDATE per set of changed columns (see ``_update_rows``).
"""

import codecs
import csv
import io
import logging
import re
import secrets
import unicodedata
import zipfile
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import PurePath

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import UNUSABLE_PASSWORD_PREFIX
from django.contrib.auth.models import Group
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.validators import validate_email
from django.db import OperationalError, connections, router, transaction
from django.template.defaultfilters import filesizeformat
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _

from lms.constants import (
    POSITION_FIELDS,
    Degree,
    ImportKind,
    ImportRowAction,
    ImportStatus,
    Locality,
    Position,
    ProfessionalTitle,
    Role,
    Stage,
    Subject,
)
from lms.imports.models import ImportBatch
from lms.people.models import District, School, TeacherProfile

logger = logging.getLogger(__name__)

ALLOWED_EXTENSIONS = (".csv", ".xlsx")

# How many rows of the dry run the batch keeps for its preview.
PREVIEW_ROWS = 50
# Rows per IN (...) lookup: well under SQLite's limit on query parameters.
LOOKUP_CHUNK = 2000
WRITE_BATCH = 1000
EARLIEST_TEACHING_YEAR = 1950
# No column of the templates holds more than a few dozen characters; a cell
# longer than this is a pasted document, refused on its row rather than
# carried through the checks and into the report.
CELL_MAX_CHARS = 1000
# How much of a bad cell the report repeats.
REPORT_VALUE_CHARS = 100
# Where a record notes its cells over CELL_MAX_CHARS (not a column name).
OVERSIZED_CELLS = "\x00oversized"

PHONE_RE = re.compile(r"^1[3-9]\d{9}$")
# Staff numbers become usernames, so they must be valid usernames.
STAFF_NUMBER_RE = re.compile(r"^[\w.@+-]+\Z")
YEAR_RE = re.compile(r"^(\d{4})(?:\.0+)?年?$")
LIST_SEPARATORS_RE = re.compile(r"[、,，;；\s]+")

# --- messages -----------------------------------------------------------------
# File-level problems: shown as a form error, or as the only line of a report.
ERROR_EXTENSION = _("Only .csv and .xlsx files can be imported; save the sheet from Excel or WPS in one of them.")
ERROR_TOO_LARGE = _("The file is %(size)s; the largest file that can be imported is %(limit)s.")
ERROR_EMPTY_FILE = _("The file is empty.")
ERROR_ENCODING = _("The file's encoding could not be recognised; save it as UTF-8 or GBK.")
ERROR_NOT_XLSX = _("The file is not a readable .xlsx workbook; open it in Excel or WPS and save it again as .xlsx.")
ERROR_NO_ROWS = _("The file has a header row but no data rows.")
ERROR_MISSING_HEADER = _("The required column “%(header)s” is missing from the header row (row 1).")
ERROR_DUPLICATE_HEADER = _("The column “%(header)s” appears more than once in the header row.")
ERROR_CSV_UNREADABLE = _("Row %(row)s of the file cannot be read as CSV; open the file in Excel or WPS and save it again.")
ERROR_UNEXPECTED = _("The import failed unexpectedly and nothing was written. Try again; if it fails again, report it.")

# Why a batch cannot be committed (or checked) now.
ERROR_ALREADY_COMMITTED = _("This import has already been committed; it cannot be committed twice.")
ERROR_ALREADY_COMMITTING = _("This import is already being committed.")
ERROR_NOT_CHECKED = _("This import is still being checked; wait for the check to finish.")
ERROR_NOT_VALID = _("This import has errors and cannot be committed; correct the file and upload it again.")
ERROR_FAILED = _("This import failed; upload the file again.")

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
ROW_CELL_TOO_LARGE = _("This cell holds %(size)s characters; a cell may hold at most %(max)s.")

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


FILE_ERRORS = {
    "extension": ERROR_EXTENSION,
    "too_large": ERROR_TOO_LARGE,
    "empty": ERROR_EMPTY_FILE,
    "encoding": ERROR_ENCODING,
    "not_xlsx": ERROR_NOT_XLSX,
    "no_rows": ERROR_NO_ROWS,
    "missing_header": ERROR_MISSING_HEADER,
    "duplicate_header": ERROR_DUPLICATE_HEADER,
    "csv_unreadable": ERROR_CSV_UNREADABLE,
    "unexpected": ERROR_UNEXPECTED,
}


class ImportFileError(Exception):
    """The file as a whole cannot be imported (type, size, encoding, header).

    ``code`` is a key of FILE_ERRORS; ``str()`` gives the translated message."""

    def __init__(self, code, **params):
        self.code = code
        self.params = params
        super().__init__(code)

    @property
    def message(self):
        return _render(FILE_ERRORS[self.code], self.params)

    def __str__(self):
        return self.message

    def as_row_error(self):
        return RowError(None, "", self.code, "", self.params)


class ImportBatchStateError(Exception):
    """The batch is not in a state that allows the requested step."""

    def __init__(self, message):
        self.message = message
        super().__init__(str(message))


@dataclass
class RowError:
    row: int | None  # None: the whole file
    column: str
    code: str
    value: str = ""
    params: dict = field(default_factory=dict)

    def as_json(self):
        return {
            "row": self.row,
            "column": self.column,
            "code": self.code,
            "params": self.params,
            "reason": row_error_reason({"code": self.code, "params": self.params}),
            "value": self.value,
        }


def _render(message, params):
    if "vocabulary" in params:
        # Stored as the vocabulary's name rather than its long list of
        # terms, which a file with thousands of bad cells would repeat.
        params = {**params, "choices": vocabulary_hint(params["vocabulary"])}
    return str(message) % params if params else str(message)


def row_error_reason(error: dict) -> str:
    """The reason of a stored error (row or file level), in the active language.

    The report keeps each error's code and parameters besides the reason as
    first rendered, so that every reader sees it in their own language."""
    code = error.get("code")
    message = ROW_ERRORS.get(code) or FILE_ERRORS.get(code)
    if message is None:
        return error.get("reason", "")
    return _render(message, error.get("params") or {})


# --- columns ------------------------------------------------------------------


@dataclass(frozen=True)
class Column:
    field: str
    header: str  # as in the official template
    required: bool = False
    aliases: tuple = ()


TEACHER_COLUMNS = (
    Column("staff_number", "工号", required=True, aliases=("职工号", "staff number", "staff no")),
    Column("real_name", "姓名", required=True, aliases=("name",)),
    Column("school_code", "学校代码", required=True, aliases=("学校编码", "school")),
    Column("phone", "手机", aliases=("手机号", "手机号码", "mobile")),
    Column("subject", "学科", required=True, aliases=("任教学科", "主学科")),
    Column("second_subject", "第二学科"),
    Column("stage", "学段", required=True, aliases=("任教学段",)),
    Column("title", "职称", aliases=("professional_title",)),
    Column("degree", "学历", aliases=("最高学历",)),
    Column("is_science_engineering_master", "理工类硕士", aliases=("science_engineering_master",)),
    Column("positions", "岗位"),
    Column("teaching_since", "从教年份", aliases=("teaching since",)),
    Column("email", "邮箱", aliases=("电子邮箱", "e-mail")),
)

SCHOOL_COLUMNS = (
    Column("code", "学校代码", required=True, aliases=("学校编码", "school_code")),
    Column("name", "学校名称", required=True, aliases=("名称",)),
    Column("district", "区县", required=True, aliases=("所属区县",)),
    Column("stages", "学段", required=True, aliases=("办学学段",)),
    Column("locality", "城乡", required=True, aliases=("城乡类别",)),
)

COLUMNS = {ImportKind.TEACHERS: TEACHER_COLUMNS, ImportKind.SCHOOLS: SCHOOL_COLUMNS}

# Names are kept exactly as typed; every other cell is NFKC-normalised so that
# full-width digits and letters (１３８…, Ｓ００１) read as their ASCII forms.
VERBATIM_FIELDS = {"real_name", "name"}


def _normalise_header(text) -> str:
    text = unicodedata.normalize("NFKC", str(text or "")).strip().strip("*").strip()
    return re.sub(r"[\s\-]+", "_", text.casefold())


def template_headers(kind) -> list[str]:
    """The header row of the official template for ``kind``."""
    return [column.header for column in COLUMNS[kind]]


# --- vocabulary ---------------------------------------------------------------
# The Chinese terms are part of the file format, not translations of the UI:
# they are what the templates and the schools' own spreadsheets say, whatever
# language the admin is shown in, so they live here rather than in a .po file.

SUBJECT_TERMS = {
    Subject.SCIENCE: ("科学",),
    Subject.PHYSICS: ("物理",),
    Subject.CHEMISTRY: ("化学",),
    Subject.BIOLOGY: ("生物", "生物学"),
    Subject.GEOGRAPHY: ("地理",),
    Subject.INFORMATION_TECHNOLOGY: ("信息技术", "信息科技"),
    Subject.GENERAL_TECHNOLOGY: ("通用技术",),
    Subject.MATHEMATICS: ("数学",),
}
STAGE_TERMS = {
    Stage.PRIMARY: ("小学",),
    Stage.JUNIOR: ("初中", "初级中学"),
    Stage.SENIOR: ("高中", "高级中学"),
}
STAGE_TERMS_LONGEST_FIRST = sorted(
    ((term, stage) for stage, terms in STAGE_TERMS.items() for term in terms), key=lambda pair: -len(pair[0])
)
# School types that name several stages at once.
STAGE_COMBINATIONS = {
    "九年一贯制": (Stage.PRIMARY, Stage.JUNIOR),
    "完全中学": (Stage.JUNIOR, Stage.SENIOR),
    "十二年一贯制": (Stage.PRIMARY, Stage.JUNIOR, Stage.SENIOR),
}
TITLE_TERMS = {
    ProfessionalTitle.SENIOR_PROFESSOR: ("正高级教师", "正高级"),
    ProfessionalTitle.SENIOR: ("高级教师", "高级", "副高级教师", "副高级"),
    ProfessionalTitle.FIRST_GRADE: ("一级教师", "一级"),
    ProfessionalTitle.SECOND_GRADE: ("二级教师", "二级"),
    ProfessionalTitle.THIRD_GRADE: ("三级教师", "三级"),
    ProfessionalTitle.UNRANKED: ("未定级", "无职称"),
}
DEGREE_TERMS = {
    Degree.DOCTORATE: ("博士", "博士研究生"),
    Degree.MASTER: ("硕士", "硕士研究生", "研究生"),
    Degree.BACHELOR: ("本科", "学士", "大学本科"),
    Degree.ASSOCIATE: ("专科", "大专", "大学专科"),
    Degree.OTHER: ("其他",),
}
POSITION_TERMS = {
    Position.SCIENCE_VICE_PRINCIPAL: ("科学副校长",),
    Position.LAB_MANAGER: ("实验员", "实验室管理员"),
    Position.TEACHING_RESEARCHER: ("教研员",),
    Position.BACKBONE_TEACHER: ("骨干教师",),
    Position.SCIENCE_TECH_TUTOR: ("科技辅导员",),
    Position.PART_TIME_SCIENCE_TEACHER: ("兼职科学教师",),
}
# A 岗位 cell saying the teacher holds none of the positions.
NO_POSITION_TERMS = {"无", "none"}
LOCALITY_TERMS = {
    Locality.URBAN: ("城区", "城镇", "城市"),
    Locality.RURAL: ("农村", "乡村"),
}
YES_TERMS = {"是", "yes", "y", "1", "true", "√"}
NO_TERMS = {"否", "no", "n", "0", "false", "×"}


def _key(text) -> str:
    return " ".join(unicodedata.normalize("NFKC", str(text)).casefold().split())


VOCABULARIES = {
    "subject": (Subject, SUBJECT_TERMS),
    "stage": (Stage, STAGE_TERMS),
    "title": (ProfessionalTitle, TITLE_TERMS),
    "degree": (Degree, DEGREE_TERMS),
    "position": (Position, POSITION_TERMS),
    "locality": (Locality, LOCALITY_TERMS),
}


def vocabulary_hint(name) -> str:
    """What a cell of vocabulary ``name`` may say: "科学 (science), 物理 (physics), …"."""
    choices, terms = VOCABULARIES[name]
    return ", ".join(f"{terms[choice][0]} ({choice.value})" for choice in choices)


class Vocabulary:
    """Maps what a cell may say (Chinese term, code value, label in either
    language) to the choice value."""

    def __init__(self, name):
        self.name = name
        self.lookup = {}
        choices, terms = VOCABULARIES[name]
        for choice in choices:
            names = [choice.value, *terms[choice]]
            for language in ("en", "zh-hans"):
                with translation.override(language):
                    names.append(str(choice.label))
            for name in names:
                self.lookup.setdefault(_key(name), choice.value)

    def get(self, text):
        return self.lookup.get(_key(text))


def _vocabularies():
    # Built per check, not at import: the labels depend on the catalogues.
    return {name: Vocabulary(name) for name in VOCABULARIES}


# --- reading files --------------------------------------------------------------


@dataclass
class Table:
    """An opened file: its encoding, which field each column holds, and its
    rows as ``(row number, {field: text})``, blank rows skipped."""

    encoding: str
    headers: dict  # field → the header as written in the file
    rows: Iterator


def check_extension(filename: str) -> str:
    suffix = PurePath(filename or "").suffix.lower()
    if suffix not in ALLOWED_EXTENSIONS:
        raise ImportFileError("extension")
    return suffix


def check_size(size: int):
    limit = settings.LMS_IMPORT_MAX_BYTES
    if size > limit:
        raise ImportFileError("too_large", size=filesizeformat(size), limit=filesizeformat(limit))


def decode_csv(data: bytes) -> tuple[str, str]:
    """Return ``(text, encoding)``: UTF-8 (with or without a BOM), else GB18030,
    the superset of GBK and GB2312 that Excel on Chinese Windows writes."""
    if data.startswith(codecs.BOM_UTF8):
        candidates = [("utf-8-sig", data[len(codecs.BOM_UTF8) :])]
    elif data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        candidates = []
    else:
        candidates = [("utf-8", data), ("gb18030", data)]
    for encoding, payload in candidates:
        try:
            text = payload.decode("utf-8" if encoding == "utf-8-sig" else encoding)
        except UnicodeDecodeError:
            continue
        # NUL never occurs in a text CSV; it means UTF-16 or a binary file
        # that happened to decode.
        if "\x00" not in text:
            return text, encoding
    raise ImportFileError("encoding")


def _csv_rows(text: str) -> Iterator[tuple[int, list]]:
    first_line = text.split("\n", 1)[0]
    delimiter = "\t" if first_line.count("\t") > first_line.count(",") else ","
    # The csv module refuses a field over its process-wide limit (128 KB by
    # default) by failing the whole file; no field can be longer than the
    # file, so with that as the limit an oversized cell reaches the row
    # checks and is reported on its row and column.
    if csv.field_size_limit() <= len(text):
        csv.field_size_limit(len(text) + 1)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    number = 0
    try:
        for number, cells in enumerate(reader, start=1):
            yield number, cells
    except csv.Error as error:
        raise ImportFileError("csv_unreadable", row=number + 1) from error


def _xlsx_text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, float) and value.is_integer():
        # Excel stores 13812345678 and 2005 as floats.
        return str(int(value))
    if isinstance(value, datetime):
        return value.date().isoformat() if value.time() == datetime.min.time() else value.isoformat()
    if isinstance(value, date):
        return value.isoformat()
    return str(value)


def _xlsx_rows(data: bytes) -> Iterator[tuple[int, list]]:
    from openpyxl import load_workbook

    try:
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as error:
        # openpyxl raises whatever its zip and XML layers raise on a broken
        # or disguised file: BadZipFile, KeyError, InvalidFileException, …
        raise ImportFileError("not_xlsx") from error
    try:
        if not workbook.worksheets:
            raise ImportFileError("empty")
        sheet = workbook.worksheets[0]
        # The stored dimensions may claim a million rows; read what is there.
        sheet.reset_dimensions()
        try:
            for number, values in enumerate(sheet.iter_rows(min_row=1, values_only=True), start=1):
                yield number, [_xlsx_text(value) for value in values]
        except ImportFileError:
            raise
        except (zipfile.BadZipFile, KeyError, ValueError, TypeError, OSError, SyntaxError) as error:
            raise ImportFileError("not_xlsx") from error
    finally:
        workbook.close()


def _map_headers(kind, header_cells) -> tuple[dict, dict]:
    """Return ``(index by field, header by field)`` for the known columns."""
    columns = COLUMNS[kind]
    names = {}
    for column in columns:
        for name in (column.header, column.field, *column.aliases):
            names[_normalise_header(name)] = column
    index, headers = {}, {}
    for position, cell in enumerate(header_cells):
        column = names.get(_normalise_header(cell))
        if column is None:
            continue
        if column.field in index:
            raise ImportFileError("duplicate_header", header=str(cell).strip())
        index[column.field] = position
        headers[column.field] = str(cell).strip().lstrip("\ufeff")
    for column in columns:
        if column.required and column.field not in index:
            raise ImportFileError("missing_header", header=column.header)
    return index, headers


def _records(raw_rows, index) -> Iterator[tuple[int, dict]]:
    for number, cells in raw_rows:
        if not any(cell.strip() for cell in cells):
            continue
        record = {}
        oversized = []
        for name, position in index.items():
            text = cells[position].strip() if position < len(cells) else ""
            if len(text) > CELL_MAX_CHARS:
                oversized.append(name)
            if text and name not in VERBATIM_FIELDS:
                text = unicodedata.normalize("NFKC", text).strip()
            record[name] = text
        if oversized:
            record[OVERSIZED_CELLS] = oversized
        yield number, record


def table_open(*, kind, data: bytes, filename: str) -> Table:
    """Open a file and check it as a whole; the rows are read lazily.

    Raises ImportFileError for a wrong type, an unknown encoding, a missing
    or repeated header or a file without data rows."""
    suffix = check_extension(filename)
    if not data.strip():
        raise ImportFileError("empty")
    if suffix == ".csv":
        text, encoding = decode_csv(data)
        raw_rows = _csv_rows(text)
    else:
        encoding = ""
        raw_rows = _xlsx_rows(data)
    header = None
    for _number, cells in raw_rows:
        header = cells
        break
    if not header or not any(cell.strip() for cell in header):
        raise ImportFileError("empty")
    index, headers = _map_headers(kind, header)
    records = _records(raw_rows, index)
    first = next(records, None)
    if first is None:
        raise ImportFileError("no_rows")

    def rows():
        yield first
        yield from records

    return Table(encoding=encoding, headers=headers, rows=rows())


# --- validation -----------------------------------------------------------------


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
            "errors": [error.as_json() for error in self.errors],
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
        if len(value) > REPORT_VALUE_CHARS:
            value = value[:REPORT_VALUE_CHARS] + "…"
        self.errors.append(RowError(self.number, self.headers.get(name, name), code, value, params))

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
        key = _key(value)
        if key in YES_TERMS:
            return True
        if key in NO_TERMS:
            return False
        self.error(name, "bad_yes_no")
        return None


def _chunks(items, size=LOOKUP_CHUNK):
    items = list(items)
    for start in range(0, len(items), size):
        yield items[start : start + size]


TEACHER_VALUE_FIELDS = (
    "real_name",
    "school_id",
    "phone",
    "subject",
    "second_subject",
    "stage",
    "title",
    "degree",
    "is_science_engineering_master",
    "teaching_since",
    *POSITION_FIELDS.values(),
)


def _validate_teachers(table: Table) -> Validation:
    User = get_user_model()
    result = Validation()
    records = list(table.rows)
    result.rows = len(records)
    headers = table.headers
    words = _vocabularies()
    # Every school, in one query: a city has a few thousand, and a file of
    # teachers names most of them.
    schools = dict(School.objects.values_list("code", "pk"))

    staff_numbers = {record.get("staff_number") for _n, record in records} - {""}
    # Stored values as dicts, not model instances: instantiating 50,000
    # profiles and their users would cost more than checking the rows.
    existing = {}
    for chunk in _chunks(staff_numbers):
        stored = TeacherProfile.objects.filter(staff_number__in=chunk).values(
            "id", "staff_number", "user_id", "user__email", *TEACHER_VALUE_FIELDS
        )
        existing.update((profile["staff_number"], profile) for profile in stored)
    taken_usernames = set()
    for chunk in _chunks(staff_numbers - existing.keys()):
        taken_usernames.update(User.objects.filter(username__in=chunk).values_list("username", flat=True))

    first_rows = {}
    this_year = timezone.localdate().year
    for number, record in records:
        check = RowChecker(number, record, headers, result.errors)
        values = {}

        staff_number = check.text("staff_number", max_length=32, required=True)
        if staff_number:
            if not STAFF_NUMBER_RE.match(staff_number):
                check.error("staff_number", "bad_staff_number")
            elif staff_number in first_rows:
                check.error("staff_number", "duplicate_staff_number", first_row=first_rows[staff_number])
            else:
                first_rows[staff_number] = number
                if staff_number not in existing and staff_number in taken_usernames:
                    check.error("staff_number", "username_taken")

        real_name = check.text("real_name", max_length=64, required=True, code="empty_name")
        if real_name:
            values["real_name"] = real_name

        school_code = check.text("school_code", max_length=32, required=True)
        if school_code:
            school_id = schools.get(school_code)
            if school_id is None:
                check.error("school_code", "unknown_school")
            else:
                values["school_id"] = school_id

        phone = record.get("phone", "").replace(" ", "").replace("-", "")
        if phone:
            if PHONE_RE.match(phone):
                values["phone"] = phone
            else:
                check.error("phone", "bad_phone")

        for name, vocabulary, required in (
            ("subject", words["subject"], True),
            ("second_subject", words["subject"], False),
            ("stage", words["stage"], True),
            ("title", words["title"], False),
            ("degree", words["degree"], False),
        ):
            found = check.choice(name, vocabulary, required=required)
            if found is not None:
                values[name] = found

        sci_master = check.yes_no("is_science_engineering_master")
        if sci_master is not None:
            values["is_science_engineering_master"] = sci_master

        positions_text = record.get("positions", "")
        if positions_text:
            held = set()
            for token in LIST_SEPARATORS_RE.split(positions_text):
                if not token or _key(token) in NO_POSITION_TERMS:
                    continue
                position = words["position"].get(token)
                if position is None:
                    check.error("positions", "unknown_position", token=token, vocabulary="position")
                else:
                    held.add(position)
            for position, field_name in POSITION_FIELDS.items():
                values[field_name] = position.value in held

        year_text = record.get("teaching_since", "")
        if year_text:
            match = YEAR_RE.match(year_text)
            year = int(match.group(1)) if match else None
            if year is None or not EARLIEST_TEACHING_YEAR <= year <= this_year:
                check.error("teaching_since", "bad_year", first=EARLIEST_TEACHING_YEAR, last=this_year)
            else:
                values["teaching_since"] = year

        email = record.get("email", "")
        if email:
            try:
                validate_email(email)
            except ValidationError:
                check.error("email", "bad_email")

        profile = existing.get(staff_number)
        # The constraint teacher_sci_master_needs_degree, on the values the
        # row leaves in place: a row may set one of the two and keep the other.
        degree = values.get("degree", profile["degree"] if profile else Degree.BACHELOR)
        is_sci_master = values.get(
            "is_science_engineering_master", profile["is_science_engineering_master"] if profile else False
        )
        if is_sci_master and degree not in (Degree.MASTER, Degree.DOCTORATE):
            name = "is_science_engineering_master" if "is_science_engineering_master" in values else "degree"
            check.error(name, "sci_master_needs_degree")

        if not check.ok:
            continue
        plan = Plan(row=number, action=ImportRowAction.CREATE, key=staff_number, values=values,
                    label=real_name, place=school_code)
        if profile is None:
            plan.email = email
        else:
            plan.existing = profile
            plan.changes = [name for name, value in values.items() if profile[name] != value]
            if email and email != profile["user__email"]:
                plan.email = email
                plan.changes.append("email")
            plan.action = ImportRowAction.UPDATE if plan.changes else ImportRowAction.UNCHANGED
        result.plans.append(plan)
    return result


SCHOOL_VALUE_FIELDS = ("name", "district_id", "has_primary", "has_junior", "has_senior", "locality")


def _validate_schools(table: Table) -> Validation:
    result = Validation()
    records = list(table.rows)
    result.rows = len(records)
    headers = table.headers
    words = _vocabularies()
    districts = {}
    for district in District.objects.all():
        districts[_key(district.code)] = district
        districts[_key(district.name)] = district
    codes = {record.get("code") for _n, record in records} - {""}
    existing = {}
    for chunk in _chunks(codes):
        stored = School.objects.filter(code__in=chunk).values("id", "code", *SCHOOL_VALUE_FIELDS)
        existing.update((school["code"], school) for school in stored)

    first_rows = {}
    for number, record in records:
        check = RowChecker(number, record, headers, result.errors)
        values = {}
        code = check.text("code", max_length=32, required=True)
        if code:
            if code in first_rows:
                check.error("code", "duplicate_school_code", first_row=first_rows[code])
            else:
                first_rows[code] = number
        name = check.text("name", max_length=128, required=True, code="empty_name")
        if name:
            values["name"] = name

        district_text = record.get("district", "")
        district = districts.get(_key(district_text)) if district_text else None
        if not district_text:
            check.error("district", "required")
        elif district is None:
            check.error("district", "unknown_district")
        else:
            values["district_id"] = district.pk

        stages = _parse_stages(record.get("stages", ""), words["stage"])
        if stages is None:
            check.error("stages", "unknown_choice", vocabulary="stage")
        elif not stages:
            check.error("stages", "no_stage")
        else:
            values["has_primary"] = Stage.PRIMARY in stages
            values["has_junior"] = Stage.JUNIOR in stages
            values["has_senior"] = Stage.SENIOR in stages

        locality = check.choice("locality", words["locality"], required=True)
        if locality:
            values["locality"] = locality

        if not check.ok:
            continue
        school = existing.get(code)
        plan = Plan(row=number, action=ImportRowAction.CREATE, key=code, values=values, label=name,
                    place=district.name)
        if school is not None:
            plan.existing = school
            plan.changes = [name for name, value in values.items() if school[name] != value]
            plan.action = ImportRowAction.UPDATE if plan.changes else ImportRowAction.UNCHANGED
        result.plans.append(plan)
    return result


def _parse_stages(text, vocabulary):
    """The set of stages a 学段 cell names ("小学、初中", "九年一贯制",
    "primary, junior", "小学初中"), or None if part of it is not a stage."""
    stages = set()
    for token in LIST_SEPARATORS_RE.split(text):
        if not token:
            continue
        if token in STAGE_COMBINATIONS:
            stages.update(STAGE_COMBINATIONS[token])
            continue
        found = vocabulary.get(token)
        if found is not None:
            stages.add(found)
            continue
        # Run-together Chinese terms such as 小学初中.
        rest = token
        while rest:
            for term, stage in STAGE_TERMS_LONGEST_FIRST:
                if rest.startswith(term):
                    stages.add(stage)
                    rest = rest[len(term) :]
                    break
            else:
                return None
    return stages


VALIDATORS = {ImportKind.TEACHERS: _validate_teachers, ImportKind.SCHOOLS: _validate_schools}


def _validate_batch_file(batch: ImportBatch) -> Validation:
    """Read the stored file and check every row; a problem with the whole file
    becomes the only error of the report."""
    try:
        with batch.file.open("rb") as stored:
            data = stored.read()
        table = table_open(kind=batch.kind, data=data, filename=batch.original_filename)
        return VALIDATORS[batch.kind](table)
    except ImportFileError as error:
        return Validation(errors=[error.as_row_error()])


# --- writing --------------------------------------------------------------------


def _unusable_password():
    # What make_password(None) returns, without its per-call cost (seconds
    # at 50,000 teachers). The random part makes each new teacher's
    # password-reset token different.
    return UNUSABLE_PASSWORD_PREFIX + secrets.token_urlsafe(30)


def _update_rows(model, changes):
    """Write ``changes``, an iterable of ``(pk, {attribute name: value})``
    (``school_id``, not ``school``), as one parametrised UPDATE per row run
    through executemany, one statement per set of changed columns, so a
    column that did not change is not written.

    Why not bulk_update: it builds a CASE … WHEN pk = … expression per row
    and per field, over a millisecond a row here, so an import that changes
    50,000 teachers took two minutes; this way it takes seconds."""
    groups = defaultdict(list)
    for pk, values in changes:
        groups[tuple(sorted(values))].append((pk, values))
    connection = connections[router.db_for_write(model)]
    quote = connection.ops.quote_name
    table = quote(model._meta.db_table)
    pk_column = quote(model._meta.pk.column)
    with connection.cursor() as cursor:
        for names, rows in groups.items():
            fields = [model._meta.get_field(name) for name in names]
            assignments = ", ".join(f"{quote(field.column)} = %s" for field in fields)
            params = [
                [field.get_db_prep_save(values[field.attname], connection) for field in fields] + [pk]
                for pk, values in rows
            ]
            cursor.executemany(f"UPDATE {table} SET {assignments} WHERE {pk_column} = %s", params)


def _write_teachers(plans) -> None:
    """Create and update the teachers of ``plans``."""
    User = get_user_model()
    now = timezone.now()
    new = [plan for plan in plans if plan.action == ImportRowAction.CREATE]
    changed = [plan for plan in plans if plan.action == ImportRowAction.UPDATE]

    # As teacher_create does it: the real name is also the account's first name.
    users = [
        User(
            username=plan.key,
            email=plan.email or "",
            first_name=plan.values["real_name"][:150],
            password=_unusable_password(),
        )
        for plan in new
    ]
    User.objects.bulk_create(users, batch_size=WRITE_BATCH)
    if any(user.pk is None for user in users):  # a backend that cannot return ids
        ids = {}
        for chunk in _chunks([user.username for user in users]):
            ids.update(User.objects.filter(username__in=chunk).values_list("username", "pk"))
        for user in users:
            user.pk = ids[user.username]
    # What user_role_add(role=Role.TEACHER) does, for all new teachers at once.
    teacher_group = Group.objects.get(name=Role.TEACHER.value)
    Membership = User.groups.through
    Membership.objects.bulk_create(
        [Membership(user_id=user.pk, group_id=teacher_group.pk) for user in users], batch_size=WRITE_BATCH
    )
    profiles = [
        TeacherProfile(user_id=user.pk, staff_number=plan.key, **plan.values) for plan, user in zip(new, users)
    ]
    TeacherProfile.objects.bulk_create(profiles, batch_size=WRITE_BATCH)

    profile_changes, user_changes = [], []
    for plan in changed:
        values = {name: plan.values[name] for name in plan.changes if name != "email"}
        if values:
            profile_changes.append((plan.existing["id"], {**values, "updated_at": now}))
        account = {}
        if plan.email is not None:
            account["email"] = plan.email
        if "real_name" in values:
            account["first_name"] = values["real_name"][:150]
        if account:
            user_changes.append((plan.existing["user_id"], account))
    _update_rows(TeacherProfile, profile_changes)
    _update_rows(User, user_changes)


def _write_schools(plans) -> None:
    new = [School(code=plan.key, **plan.values) for plan in plans if plan.action == ImportRowAction.CREATE]
    School.objects.bulk_create(new, batch_size=WRITE_BATCH)
    changes = [
        (plan.existing["id"], {name: plan.values[name] for name in plan.changes})
        for plan in plans
        if plan.action == ImportRowAction.UPDATE
    ]
    _update_rows(School, changes)


WRITERS = {ImportKind.TEACHERS: _write_teachers, ImportKind.SCHOOLS: _write_schools}


# --- services -------------------------------------------------------------------

CHECKABLE = (ImportStatus.UPLOADED, ImportStatus.VALIDATED, ImportStatus.INVALID)
COMMITTABLE = (ImportStatus.VALIDATED, ImportStatus.COMMITTING)
STATE_ERRORS = {
    ImportStatus.UPLOADED: ERROR_NOT_CHECKED,
    ImportStatus.INVALID: ERROR_NOT_VALID,
    ImportStatus.COMMITTING: ERROR_ALREADY_COMMITTING,
    ImportStatus.COMMITTED: ERROR_ALREADY_COMMITTED,
    ImportStatus.FAILED: ERROR_FAILED,
}


def _refuse(status):
    raise ImportBatchStateError(STATE_ERRORS.get(status, ERROR_FAILED))


def import_batch_create(*, kind: str, uploaded_file, user=None) -> ImportBatch:
    """Store an uploaded file as a new batch, waiting for its dry run.

    Raises ImportFileError, and stores nothing, if the file cannot be
    imported at all. The caller then runs ``import_batch_validate`` (the admin
    does so in a Celery task)."""
    if kind not in ImportKind.values:
        raise ValueError(f"unknown import kind {kind!r}")
    filename = PurePath(uploaded_file.name or "").name
    check_extension(filename)
    if uploaded_file.size is not None:
        check_size(uploaded_file.size)
    uploaded_file.seek(0)
    data = uploaded_file.read()
    check_size(len(data))
    table = table_open(kind=kind, data=data, filename=filename)
    batch = ImportBatch(kind=kind, original_filename=filename[:255], encoding=table.encoding, created_by=user)
    batch.file.save(filename, ContentFile(data), save=False)
    batch.save()
    return batch


def import_batch_validate(*, batch: ImportBatch) -> ImportBatch:
    """The dry run: check every row and record the report on the batch.

    Writes nothing but the batch. Refused (ImportBatchStateError) once the
    batch is being committed or has been."""
    if batch.status not in CHECKABLE:
        _refuse(batch.status)
    validation = _validate_batch_file(batch)
    status = ImportStatus.INVALID if validation.errors else ImportStatus.VALIDATED
    # Conditional, so that a check finishing late cannot overwrite a commit.
    claimed = ImportBatch.objects.filter(pk=batch.pk, status__in=CHECKABLE).update(
        status=status, **validation.report()
    )
    batch.refresh_from_db()
    if not claimed:
        _refuse(batch.status)
    return batch


def import_batch_commit_request(*, batch: ImportBatch) -> ImportBatch:
    """Mark a valid batch as being committed, before its commit is queued.

    The conditional update is what stops a double click, or two HR officers,
    from queueing the same commit twice."""
    claimed = ImportBatch.objects.filter(pk=batch.pk, status=ImportStatus.VALIDATED).update(
        status=ImportStatus.COMMITTING
    )
    batch.refresh_from_db()
    if not claimed:
        _refuse(batch.status)
    return batch


def import_batch_commit(*, batch: ImportBatch) -> ImportBatch:
    """Check the file again and write every row, in one transaction.

    If any row is now bad (the database may have changed since the dry run)
    nothing is written and the batch becomes invalid with the new report.
    The batch row is locked for the duration, so a second commit running at
    the same time waits, then finds the batch committed and is refused
    (ImportBatchStateError)."""

    try:
        with transaction.atomic():
            locked = ImportBatch.objects.select_for_update().get(pk=batch.pk)
            if locked.status not in COMMITTABLE:
                _refuse(locked.status)
            validation = _validate_batch_file(locked)
            report = validation.report()
            if validation.errors:
                locked.status = ImportStatus.INVALID
            else:
                WRITERS[locked.kind](validation.plans)
                locked.status = ImportStatus.COMMITTED
                locked.committed_at = timezone.now()
            for name, value in report.items():
                setattr(locked, name, value)
            locked.save()
    except (ImportBatchStateError, OperationalError):
        # Refusals are the caller's to report; OperationalError (a locked
        # database, a dropped connection) is transient and the task retries.
        raise
    except Exception:
        logger.exception("Import batch %s failed", batch.pk)
        import_batch_fail(batch=batch)
        raise
    batch.refresh_from_db()
    return batch


def import_batch_retry(*, batch: ImportBatch) -> ImportBatch:
    """Take up again a batch whose check or commit never ran or failed.

    A failed batch wrote nothing, so it goes back to being checked from its
    file (HR then commits it again). A batch still waiting to be checked or
    committed keeps its status: the caller sends its task again, which is
    safe because a check writes only the batch and a commit runs once.
    Refused (ImportBatchStateError) for any other status."""
    with transaction.atomic():
        locked = ImportBatch.objects.select_for_update().get(pk=batch.pk)
        if locked.status == ImportStatus.FAILED:
            locked.status = ImportStatus.UPLOADED
            locked.errors = []
            locked.error_count = 0
            locked.save(update_fields=["status", "errors", "error_count"])
        elif locked.status not in (ImportStatus.UPLOADED, ImportStatus.COMMITTING):
            _refuse(locked.status)
    batch.refresh_from_db()
    return batch


def import_batch_fail(*, batch: ImportBatch, statuses=(ImportStatus.UPLOADED, *COMMITTABLE)) -> ImportBatch:
    """Record that checking or committing the batch failed unexpectedly.

    Only a batch still in one of ``statuses`` changes: a committed batch
    stays committed whatever happens to a late duplicate task."""
    ImportBatch.objects.filter(pk=batch.pk, status__in=statuses).update(
        status=ImportStatus.FAILED,
        errors=[ImportFileError("unexpected").as_row_error().as_json()],
        error_count=1,
    )
    batch.refresh_from_db()
    return batch
