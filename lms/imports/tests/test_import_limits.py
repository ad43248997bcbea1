"""Imports of files with oversized cells, and of files with very many bad
rows: every problem is reported on its row, and the report stays readable."""

import csv

import pytest
from django.utils import translation

from lms.constants import ImportStatus
from lms.imports import checks, tabular
from lms.imports.services import import_batch_create, import_batch_validate
from lms.imports.tests.builders import checked, error_triples, teacher_row, to_csv, to_xlsx, upload
from lms.tasks import import_batch_validate_task

pytestmark = pytest.mark.django_db

HUGE = "长" * (200 * 1024)  # over the csv module's 128 KB field limit


@pytest.fixture(autouse=True)
def english(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    with translation.override("en"):
        yield


@pytest.fixture(autouse=True)
def default_csv_limit():
    # The import raises the csv module's process-wide limit; start each test
    # from Python's default so the first oversized cell is the one that counts.
    before = csv.field_size_limit(131072)
    yield
    csv.field_size_limit(before)


def test_an_oversized_cell_in_the_first_row_is_a_row_error_at_upload(schools):  # noqa: F811
    batch = checked(to_csv([teacher_row("T001", 岗位=HUGE), teacher_row("T002")]))
    assert batch.status == ImportStatus.INVALID
    assert error_triples(batch) == [(2, "岗位", "cell_too_large")]
    error = batch.errors[0]
    assert error["reason"] == f"This cell holds {len(HUGE)} characters; a cell may hold at most 1000."
    # The report repeats the start of the cell, not the pasted document.
    assert len(error["value"]) <= tabular.REPORT_VALUE_CHARS + 1
    with translation.override("zh-hans"):
        assert checks.row_error_reason(error) != error["reason"]


def test_an_oversized_cell_in_a_later_row_is_a_row_error_in_the_task(schools):  # noqa: F811
    rows = [teacher_row(f"T{n:03d}") for n in range(1, 30)]
    rows.append(teacher_row("T900", name=HUGE, 学科=HUGE))
    batch = import_batch_create(kind="teachers", uploaded_file=upload(to_csv(rows)))
    import_batch_validate_task.apply(args=[batch.pk]).get()
    batch.refresh_from_db()
    assert batch.status == ImportStatus.INVALID
    assert sorted(error_triples(batch)) == [(31, "姓名", "cell_too_large"), (31, "学科", "cell_too_large")]


def test_an_oversized_cell_in_a_workbook_is_a_row_error(schools):  # noqa: F811
    batch = checked(to_xlsx([teacher_row("T001"), teacher_row("T002", school=HUGE[:5000])]), name="t.xlsx")
    assert error_triples(batch) == [(3, "学校代码", "cell_too_large")]


def test_a_csv_the_reader_gives_up_on_names_the_row(schools, monkeypatch):  # noqa: F811
    real_reader = csv.reader

    def reader_failing_on_row_3(*args, **kwargs):
        rows = real_reader(*args, **kwargs)
        yield next(rows)
        yield next(rows)
        raise csv.Error("unexpected end of data")

    data = to_csv([teacher_row("T001"), teacher_row("T002")])
    batch = import_batch_create(kind="teachers", uploaded_file=upload(data))
    monkeypatch.setattr(tabular.csv, "reader", reader_failing_on_row_3)
    batch = import_batch_validate(batch=batch)
    assert batch.status == ImportStatus.INVALID
    assert [error["reason"] for error in batch.errors] == [
        "Row 3 of the file cannot be read as CSV; open the file in Excel or WPS and save it again."
    ]


def test_a_report_of_10000_bad_rows_is_paged_and_the_download_holds_them_all(client, schools):  # noqa: F811
    from django.urls import reverse
    from openpyxl import load_workbook

    from lms.constants import Role
    from lms.imports.admin_views import ERRORS_PER_PAGE
    from lms.tests.factories import user_with_role

    rows = [teacher_row(f"T{n:05d}", school="=1+1") for n in range(10_000)]
    batch = checked(to_csv(rows))
    assert batch.error_count == 10_000  # an unknown school on every row
    client.force_login(user_with_role(Role.HR, username="hr"))
    client.cookies["django_language"] = "en"
    url = reverse("lms_imports:detail", args=[batch.pk])

    page = client.get(url)
    html = page.content.decode()
    assert len(page.content) < 250_000, len(page.content)
    assert html.count("<td>=1+1</td>") == ERRORS_PER_PAGE
    assert "Errors 1 to 100 of 10000; the downloaded report lists them all." in html
    last = client.get(url, {"p": "100"}).content.decode()
    assert "Errors 9901 to 10000 of 10000" in last
    assert "<td>10001</td>" in last and "<td>9901</td>" not in last
    assert client.get(url, {"p": "nonsense"}).status_code == 200

    import io

    download = client.get(reverse("lms_imports:errors", args=[batch.pk, "csv"]))
    lines = list(csv.reader(io.StringIO(download.content.decode("utf-8").lstrip("\ufeff"))))
    assert len(lines) == 1 + 10_000
    assert [line[0] for line in lines[1:]] == [str(number) for number in range(2, 10_002)]
    assert {line[3] for line in lines[1:]} == {"'=1+1"}
    workbook = load_workbook(io.BytesIO(client.get(reverse("lms_imports:errors", args=[batch.pk, "xlsx"])).content))
    assert workbook.active.max_row == 1 + 10_000
