"""Spreadsheet downloads (CSV and XLSX) that are safe to open in Excel or WPS.

Every export in the academy goes through this module, so that data typed by
users can never run as a spreadsheet formula on the machine of whoever opens
the file ("CSV injection"): a cell such as ``=HYPERLINK(...)`` or
``-2+3`` arrives as text.

The API is three functions:

``safe_cell(value)``
    One cell value, neutralised. Numbers, dates and ``None`` pass through.
``csv_response(filename, header, rows)``
    An ``HttpResponse`` with a UTF-8 CSV attachment (with a BOM, which is what
    makes Excel on Chinese Windows read it as UTF-8 rather than GBK).
``xlsx_response(filename, header, rows, sheet_title=None)``
    The same rows as an .xlsx attachment.

``header`` is a sequence of column titles (lazy translations are fine) and
``rows`` any iterable of sequences; both are passed through ``safe_cell``.

Wagtail's own list exports (``SpreadsheetExportMixin``: every ModelViewSet
and SnippetViewSet with ``list_export``, the reports, form submissions) go
through ``safe_cell`` too: ``neutralise_wagtail_exports``, called once when
the app loads, makes the mixin's per-value step end with it.
"""

import csv
import re
from collections.abc import Iterable, Sequence
from io import BytesIO

from django.http import HttpResponse
from django.utils.encoding import force_str
from django.utils.functional import Promise
from django.utils.http import content_disposition_header
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

# What Excel, LibreOffice and WPS treat as the start of a formula (or, for tab
# and carriage return, strip before looking for one).
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")

# Characters Excel does not allow in a sheet name.
SHEET_TITLE_FORBIDDEN_RE = re.compile(r"[\[\]:*?/\\]")

CSV_CONTENT_TYPE = "text/csv; charset=utf-8"
XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def safe_cell(value):
    """Return ``value`` so that a spreadsheet shows it as text, never as a formula.

    Strings starting with ``= + - @``, a tab or a carriage return get a leading
    apostrophe, the spreadsheet convention for "this is text". Lazy
    translations become strings; other values are returned unchanged.
    """
    if isinstance(value, Promise):
        value = force_str(value)
    if isinstance(value, str) and value.startswith(FORMULA_PREFIXES):
        return "'" + value
    return value


def _attachment(content, *, content_type, filename):
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = content_disposition_header(as_attachment=True, filename=filename)
    return response


def csv_response(filename: str, header: Sequence, rows: Iterable[Sequence]) -> HttpResponse:
    """A CSV attachment named ``filename``, encoded as UTF-8 with a BOM."""
    response = _attachment("\ufeff", content_type=CSV_CONTENT_TYPE, filename=filename)
    writer = csv.writer(response)
    writer.writerow([safe_cell(title) for title in header])
    for row in rows:
        writer.writerow([safe_cell(value) for value in row])
    return response


def _xlsx_cell(sheet, value):
    value = safe_cell(value)
    if isinstance(value, str):
        # openpyxl refuses control characters that XML cannot carry; a user
        # pasting from another program must not make the download fail.
        value = ILLEGAL_CHARACTERS_RE.sub("", value)
        cell = WriteOnlyCell(sheet, value=value)
        # Belt and braces: a text cell is never evaluated, whatever it holds.
        cell.data_type = "s"
        return cell
    return value


def xlsx_response(filename: str, header: Sequence, rows: Iterable[Sequence], sheet_title: str | None = None):
    """An .xlsx attachment named ``filename`` with one sheet of ``rows``."""
    workbook = Workbook(write_only=True)
    title = SHEET_TITLE_FORBIDDEN_RE.sub("", force_str(sheet_title))[:31] if sheet_title else None
    sheet = workbook.create_sheet(title=title or None)
    sheet.append([_xlsx_cell(sheet, title) for title in header])
    for row in rows:
        sheet.append([_xlsx_cell(sheet, value) for value in row])
    buffer = BytesIO()
    workbook.save(buffer)
    return _attachment(buffer.getvalue(), content_type=XLSX_CONTENT_TYPE, filename=filename)


def neutralise_wagtail_exports():
    """Make every Wagtail spreadsheet export pass each value through
    ``safe_cell``, whichever view (ours, a built-in report, a contrib app's)
    writes it. Wagtail itself only keeps XLSX cells from being typed as
    formulas; its CSV writes ``=HYPERLINK(...)`` as it is."""
    from wagtail.admin.views.mixins import SpreadsheetExportMixin

    preprocess = SpreadsheetExportMixin.preprocess_field_value
    if getattr(preprocess, "formula_safe", False):
        return

    def preprocess_field_value(self, field, value, export_format):
        return safe_cell(preprocess(self, field, value, export_format))

    preprocess_field_value.formula_safe = True
    SpreadsheetExportMixin.preprocess_field_value = preprocess_field_value
