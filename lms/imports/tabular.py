"""The tabular reader: a CSV or XLSX upload opened as rows of named cells.

Knows nothing of teachers, schools or cohorts: the caller says which columns
it expects (``Column``: the field, the header of the official template, its
aliases, whether it is required) and gets a ``Table``: the file's encoding,
the header each field was found under and the data rows as ``(row number,
{field: text})``, numbered as the spreadsheet numbers them, blank rows
skipped. Problems with the file as a whole raise ``ImportFileError``; a cell
longer than ``CELL_MAX_CHARS`` is not refused here but named in the record
under ``OVERSIZED_CELLS`` so that the caller reports it on its row.

Used by the people import (``lms.imports.services``) and by the cohorts'
assessment-results import (``lms.cohorts.assessments``).
"""

import codecs
import csv
import io
import re
import unicodedata
import zipfile
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import PurePath

from django.conf import settings
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext_lazy as _

ALLOWED_EXTENSIONS = (".csv", ".xlsx")

# No column of the templates holds more than a few dozen characters; a cell
# longer than this is a pasted document, refused on its row rather than
# carried through the checks and into the report.
CELL_MAX_CHARS = 1000
# How much of a bad cell the report repeats.
REPORT_VALUE_CHARS = 100
# Where a record notes its cells over CELL_MAX_CHARS (not a column name).
OVERSIZED_CELLS = "\x00oversized"

# --- file-level problems: shown as a form error, or as the only line of a report ---
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
ROW_CELL_TOO_LARGE = _("This cell holds %(size)s characters; a cell may hold at most %(max)s.")

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


def message_render(message, params: dict | None) -> str:
    """``message`` (a translatable string with ``%(name)s`` placeholders) in
    the active language, filled with ``params``; the one renderer of stored
    error codes and parameters (people import and cohorts alike)."""
    return str(message) % params if params else str(message)


class ImportFileError(Exception):
    """The file as a whole cannot be imported (type, size, encoding, header).

    ``code`` is a key of FILE_ERRORS; ``str()`` gives the translated message."""

    def __init__(self, code, **params):
        self.code = code
        self.params = params
        super().__init__(code)

    @property
    def message(self):
        return message_render(FILE_ERRORS[self.code], self.params)

    def __str__(self):
        return self.message

    def as_row_error(self):
        return RowError(None, "", self.code, "", self.params)


@dataclass
class RowError:
    """One problem of a report: its row (None: the whole file), the column as
    the file names it, a code the caller renders, the cell and parameters."""

    row: int | None  # None: the whole file
    column: str
    code: str
    value: str = ""
    params: dict = field(default_factory=dict)


def report_value(text: str) -> str:
    """A bad cell as the report repeats it: at most REPORT_VALUE_CHARS."""
    return text[:REPORT_VALUE_CHARS] + "…" if len(text) > REPORT_VALUE_CHARS else text


@dataclass(frozen=True)
class Column:
    field: str
    header: str  # as in the official template
    required: bool = False
    aliases: tuple = ()


@dataclass
class Table:
    """An opened file: its encoding, which field each column holds, and its
    rows as ``(row number, {field: text})``, blank rows skipped."""

    encoding: str
    headers: dict  # field → the header as written in the file
    rows: Iterator


def normalise_header(text) -> str:
    """A header (or a name to look up) as compared: NFKC, case-folded, without
    the template's asterisks, spaces and dashes as underscores."""
    text = unicodedata.normalize("NFKC", str(text or "")).strip().strip("*").strip()
    return re.sub(r"[\s\-]+", "_", text.casefold())


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


def map_headers(columns: Iterable[Column], header_cells: list) -> tuple[dict, dict]:
    """Return ``(index by field, header by field)`` for the known columns.

    Raises ImportFileError for a column found twice or a required one missing."""
    columns = tuple(columns)
    names = {}
    for column in columns:
        for name in (column.header, column.field, *column.aliases):
            names[normalise_header(name)] = column
    index, headers = {}, {}
    for position, cell in enumerate(header_cells):
        column = names.get(normalise_header(cell))
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


def _records(raw_rows, index, verbatim) -> Iterator[tuple[int, dict]]:
    for number, cells in raw_rows:
        if not any(cell.strip() for cell in cells):
            continue
        record = {}
        oversized = []
        for name, position in index.items():
            text = cells[position].strip() if position < len(cells) else ""
            if len(text) > CELL_MAX_CHARS:
                oversized.append(name)
            if text and name not in verbatim:
                text = unicodedata.normalize("NFKC", text).strip()
            record[name] = text
        if oversized:
            record[OVERSIZED_CELLS] = oversized
        yield number, record


def _raw_rows(suffix: str, data: bytes) -> tuple[str, Iterator]:
    if suffix == ".csv":
        text, encoding = decode_csv(data)
        return encoding, _csv_rows(text)
    return "", _xlsx_rows(data)


def table_open(*, data: bytes, filename: str, columns: Iterable[Column], verbatim=frozenset()) -> Table:
    """Open a file and check it as a whole; the rows are read lazily.

    Every cell is stripped and, unless its field is in ``verbatim``,
    NFKC-normalised (full-width digits and letters read as ASCII). Raises
    ImportFileError for a wrong type, an unknown encoding, a missing or
    repeated header or a file without data rows."""
    suffix = check_extension(filename)
    if not data.strip():
        raise ImportFileError("empty")
    encoding, raw_rows = _raw_rows(suffix, data)
    header = None
    for _number, cells in raw_rows:
        header = cells
        break
    if not header or not any(cell.strip() for cell in header):
        raise ImportFileError("empty")
    index, headers = map_headers(columns, header)
    records = _records(raw_rows, index, verbatim)
    first = next(records, None)
    if first is None:
        raise ImportFileError("no_rows")

    def rows():
        yield first
        yield from records

    return Table(encoding=encoding, headers=headers, rows=rows())
