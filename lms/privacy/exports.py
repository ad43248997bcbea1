"""The teacher's own data as downloads: JSON (every section, machine
readable) and XLSX (a sheet per section, Chinese column headers, formulas
neutralised by ``lms.exports``)."""

import json
from io import BytesIO

from django.core.serializers.json import DjangoJSONEncoder
from django.http import HttpResponse
from django.utils import translation
from django.utils.encoding import force_str
from django.utils.functional import Promise
from django.utils.http import content_disposition_header
from openpyxl import Workbook

from lms.exports import SHEET_TITLE_FORBIDDEN_RE, XLSX_CONTENT_TYPE, _xlsx_cell
from lms.privacy.constants import PRIVACY_NOTICE_VERSION

# The file is a record for the teacher and whoever they show it to in Jinan:
# its headers are Chinese whatever language the page was in.
EXPORT_LANGUAGE = "zh-hans"


def _filename(data, extension):
    return f"my-data-{data.teacher.pk}-{data.generated_at:%Y%m%d}.{extension}"


def _plain(value):
    """Lazy translations (choice labels, yes/no) as text in the file's language."""
    return force_str(value) if isinstance(value, Promise) else value


def _cell_value(value):
    value = _plain(value)
    if isinstance(value, (dict, list)):
        return json.dumps(value, ensure_ascii=False, cls=DjangoJSONEncoder)
    if hasattr(value, "tzinfo") and getattr(value, "tzinfo", None) is not None:
        # Excel has no time zones: local time, as the page shows it.
        return value.replace(tzinfo=None)
    return value


def personal_data_json(data) -> dict:
    with translation.override(EXPORT_LANGUAGE):
        return {
            "generated_at": data.generated_at.isoformat(),
            "notice_version": PRIVACY_NOTICE_VERSION,
            "sections": [
                {
                    "key": section.key,
                    "title": force_str(section.title),
                    "columns": {key: force_str(label) for key, label in section.columns},
                    "rows": [{key: _plain(value) for key, value in row.items()} for row in section.as_dicts()],
                }
                for section in data.sections
            ],
        }


def personal_data_json_response(data) -> HttpResponse:
    content = json.dumps(personal_data_json(data), ensure_ascii=False, indent=2, cls=DjangoJSONEncoder)
    response = HttpResponse(content, content_type="application/json; charset=utf-8")
    response["Content-Disposition"] = content_disposition_header(as_attachment=True, filename=_filename(data, "json"))
    return response


def personal_data_xlsx_response(data) -> HttpResponse:
    workbook = Workbook(write_only=True)
    with translation.override(EXPORT_LANGUAGE):
        used = set()
        for section in data.sections:
            title = SHEET_TITLE_FORBIDDEN_RE.sub("", force_str(section.title))[:31] or section.key
            if title in used:
                title = section.key[:31]
            used.add(title)
            sheet = workbook.create_sheet(title=title)
            sheet.append([_xlsx_cell(sheet, force_str(label)) for _key, label in section.columns])
            for row in section.rows:
                sheet.append([_xlsx_cell(sheet, _cell_value(value)) for value in row])
    buffer = BytesIO()
    workbook.save(buffer)
    response = HttpResponse(buffer.getvalue(), content_type=XLSX_CONTENT_TYPE)
    response["Content-Disposition"] = content_disposition_header(as_attachment=True, filename=_filename(data, "xlsx"))
    return response
