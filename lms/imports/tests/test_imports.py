import csv
import io
import threading
import time
import zipfile

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection
from django.urls import reverse
from django.utils import translation
from django.utils.html import escape
from openpyxl import load_workbook

from lms.constants import Degree, ImportKind, ImportStatus, Locality, ProfessionalTitle, Role, Stage, Subject
from lms.exports import csv_response, safe_cell, xlsx_response
from lms.imports import checks, state, tabular
from lms.imports.services import (
    import_batch_commit,
    import_batch_commit_request,
    import_batch_create,
    import_batch_validate,
)
from lms.imports.state import ImportBatchStateError
from lms.imports.tabular import ImportFileError
from lms.imports.tests.builders import (
    SCHOOL_HEADER,
    TEACHER_HEADER,
    checked,
    committed,
    error_triples,
    teacher_row,
    to_csv,
    to_xlsx,
    upload,
)
from lms.models import ImportBatch, School, TeacherProfile
from lms.people.services import district_admin_assign
from lms.tasks import import_batch_commit_task, import_batch_validate_task
from lms.tests.factories import SchoolFactory, TeacherFactory, UserFactory, district, user_with_role

pytestmark = pytest.mark.django_db

User = get_user_model()


@pytest.fixture(autouse=True)
def english():
    # Reasons are asserted in English: the Chinese catalogue is not built yet.
    with translation.override("en"):
        yield


@pytest.fixture(autouse=True)
def media(request, settings, tmp_path):
    # A real worker reads uploads from the MEDIA_ROOT of the test settings.
    if "celery_worker_process" not in request.fixturenames:
        settings.MEDIA_ROOT = tmp_path / "media"
        settings.PRIVATE_MEDIA_ROOT = tmp_path / "private-media"


# --- the report -------------------------------------------------------------------


def test_report_lists_every_bad_row_with_row_column_and_reason(schools):
    rows = [
        teacher_row("T001"),  # row 2: fine
        teacher_row("T002", school="NOPE"),  # 3
        teacher_row("T001"),  # 4: duplicate of row 2
        teacher_row("T004", 手机="1381234567"),  # 5
        teacher_row("T005", name=""),  # 6
        teacher_row("T006", 学科="美术"),  # 7
        teacher_row("T007", 学段="大学"),  # 8
        teacher_row("T008", 理工类硕士="是", 学历="本科"),  # 9
        teacher_row("T009", 岗位="骨干教师、校长"),  # 10
        teacher_row("T010", 从教年份="1900"),  # 11
        teacher_row("T011", 邮箱="not-an-email"),  # 12
        teacher_row("T012", 理工类硕士="maybe"),  # 13
        teacher_row("T013", 职称="院士"),  # 14
        teacher_row("", name="李娜"),  # 15
    ]
    batch = checked(to_csv(rows))

    assert batch.status == ImportStatus.INVALID
    assert error_triples(batch) == [
        (3, "学校代码", "unknown_school"),
        (4, "工号", "duplicate_staff_number"),
        (5, "手机", "bad_phone"),
        (6, "姓名", "empty_name"),
        (7, "学科", "unknown_choice"),
        (8, "学段", "unknown_choice"),
        (9, "理工类硕士", "sci_master_needs_degree"),
        (10, "岗位", "unknown_position"),
        (11, "从教年份", "bad_year"),
        (12, "邮箱", "bad_email"),
        (13, "理工类硕士", "bad_yes_no"),
        (14, "职称", "unknown_choice"),
        (15, "工号", "required"),
    ]
    by_row = {error["row"]: error for error in batch.errors}
    assert by_row[3]["reason"] == str(checks.ROW_UNKNOWN_SCHOOL)
    assert by_row[3]["value"] == "NOPE"
    assert by_row[4]["reason"] == str(checks.ROW_DUPLICATE_STAFF_NUMBER) % {"first_row": 2}
    assert by_row[5]["reason"] == str(checks.ROW_BAD_PHONE)
    assert by_row[5]["value"] == "1381234567"
    assert by_row[6]["reason"] == str(checks.ROW_EMPTY_NAME)
    assert by_row[7]["value"] == "美术"
    assert "科学 (science)" in by_row[7]["reason"]
    assert by_row[9]["reason"] == str(checks.ROW_SCI_MASTER_NEEDS_DEGREE)
    assert "“校长”" in by_row[10]["reason"]
    assert by_row[11]["reason"] == str(checks.ROW_BAD_YEAR) % {"first": 1950, "last": batch.created_at.year}
    assert (batch.row_count, batch.error_count, batch.created_count) == (14, 13, 1)


def test_report_names_columns_as_the_file_does(schools):
    header = ["staff_number", "real_name", "school_code", "phone", "subject", "stage"]
    data = to_csv([["T1", "张伟", "S001", "123", "science", "primary"]], header=header)
    batch = checked(data)
    assert error_triples(batch) == [(2, "phone", "bad_phone")]


def test_school_report(schools):
    rows = [
        ["S100", "济南市新学校", "历下区", "小学、初中", "城区"],  # 2: fine
        ["S101", "济南市某学校", "朝阳区", "小学", "城区"],  # 3
        ["S102", "济南市某学校", "370102", "", "城区"],  # 4
        ["S103", "济南市某学校", "370102", "小学、大学", "农村"],  # 5
        ["S100", "济南市某学校", "370102", "小学", "农村"],  # 6
        ["S104", "", "370102", "小学", "郊区"],  # 7
    ]
    batch = checked(to_csv(rows, header=SCHOOL_HEADER), "schools.csv", ImportKind.SCHOOLS)
    assert error_triples(batch) == [
        (3, "区县", "unknown_district"),
        (4, "学段", "no_stage"),
        (5, "学段", "unknown_choice"),
        (6, "学校代码", "duplicate_school_code"),
        (7, "学校名称", "empty_name"),
        (7, "城乡", "unknown_choice"),
    ]
    assert batch.errors[0]["reason"] == str(checks.ROW_UNKNOWN_DISTRICT)
    assert batch.errors[1]["reason"] == str(checks.ROW_NO_STAGE)


def test_schools_are_created_and_updated_by_code(schools):
    rows = [
        ["S100", "济南市九年一贯制学校", "历下区", "九年一贯制", "城区"],
        ["S101", "济南市完全中学", "370112", "初中, 高中", "rural"],
        ["S001", "改名后的学校", "370102", "小学初中", "urban"],
    ]
    batch = committed(to_csv(rows, header=SCHOOL_HEADER), "schools.csv", ImportKind.SCHOOLS)

    assert (batch.created_count, batch.updated_count, batch.unchanged_count) == (2, 1, 0)
    new = School.objects.get(code="S100")
    assert (new.has_primary, new.has_junior, new.has_senior, new.district.code) == (True, True, False, "370102")
    other = School.objects.get(code="S101")
    assert other.stages == [Stage.JUNIOR, Stage.SENIOR] and other.locality == Locality.RURAL
    renamed = School.objects.get(code="S001")
    assert renamed.name == "改名后的学校" and renamed.has_junior

    again = committed(to_csv(rows, header=SCHOOL_HEADER), "schools.csv", ImportKind.SCHOOLS)
    assert (again.created_count, again.updated_count, again.unchanged_count) == (0, 0, 3)


def test_validation_queries_do_not_grow_with_rows(schools, django_assert_max_num_queries):
    rows = [teacher_row(f"T{n:04d}", school="S001" if n % 2 else "S002") for n in range(300)]
    TeacherFactory(staff_number="T0001", school=schools[0])
    batch = import_batch_create(kind=ImportKind.TEACHERS, uploaded_file=upload(to_csv(rows)))
    with django_assert_max_num_queries(8):
        batch = import_batch_validate(batch=batch)
    assert (batch.created_count, batch.updated_count) == (299, 1)


# --- whole-file problems ------------------------------------------------------------


@pytest.mark.parametrize(
    "name, data, message",
    [
        ("teachers.csv", b"", tabular.ERROR_EMPTY_FILE),
        ("teachers.csv", b"\r\n\r\n", tabular.ERROR_EMPTY_FILE),
        ("teachers.txt", b"a,b", tabular.ERROR_EXTENSION),
        ("teachers.xls", b"a,b", tabular.ERROR_EXTENSION),
        ("teachers.xlsx", "工号,姓名\nT1,张伟\n".encode(), tabular.ERROR_NOT_XLSX),
        ("teachers.csv", ",".join(TEACHER_HEADER).encode() + b"\r\n", tabular.ERROR_NO_ROWS),
        ("teachers.csv", b"\x81\x20\xff\xfe\x80 garbage", tabular.ERROR_ENCODING),
        ("teachers.csv", ",".join(TEACHER_HEADER).encode("utf-16"), tabular.ERROR_ENCODING),
    ],
)
def test_file_level_errors(name, data, message):
    with pytest.raises(ImportFileError) as raised:
        import_batch_create(kind=ImportKind.TEACHERS, uploaded_file=upload(data, name))
    assert raised.value.message == str(message)
    assert not ImportBatch.objects.exists()


def test_a_zip_that_is_not_a_workbook_is_refused():
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("hello.txt", "hi")
    with pytest.raises(ImportFileError) as raised:
        import_batch_create(kind=ImportKind.TEACHERS, uploaded_file=upload(buffer.getvalue(), "t.xlsx"))
    assert raised.value.code == "not_xlsx"


def test_missing_header_is_named():
    header = [column for column in TEACHER_HEADER if column != "学校代码"]
    data = to_csv([["T1", "张伟", "", "科学", "", "小学", "", "", "", "", "", ""]], header=header)
    with pytest.raises(ImportFileError) as raised:
        import_batch_create(kind=ImportKind.TEACHERS, uploaded_file=upload(data))
    assert raised.value.message == str(tabular.ERROR_MISSING_HEADER) % {"header": "学校代码"}


def test_repeated_header_is_refused():
    data = to_csv([["T1", "T1", "张伟", "S001", "科学", "小学"]], header=["工号", "staff_number", "姓名", "学校代码", "学科", "学段"])
    with pytest.raises(ImportFileError) as raised:
        import_batch_create(kind=ImportKind.TEACHERS, uploaded_file=upload(data))
    assert raised.value.code == "duplicate_header"


def test_oversize_file_is_refused(settings):
    settings.LMS_IMPORT_MAX_BYTES = 100
    data = to_csv([teacher_row(f"T{n}") for n in range(5)])
    with pytest.raises(ImportFileError) as raised:
        import_batch_create(kind=ImportKind.TEACHERS, uploaded_file=upload(data))
    assert raised.value.code == "too_large"
    assert "100" in raised.value.message


# --- encodings and formats ------------------------------------------------------------


@pytest.mark.parametrize(
    "encoding, detected", [("gbk", "gb18030"), ("gb18030", "gb18030"), ("utf-8-sig", "utf-8-sig"), ("utf-8", "utf-8")]
)
def test_csv_encodings_are_detected(schools, encoding, detected):
    batch = committed(to_csv([teacher_row("T001", name="欧阳小明", 岗位="骨干教师")], encoding=encoding))
    assert batch.encoding == detected
    teacher = TeacherProfile.objects.get(staff_number="T001")
    assert teacher.real_name == "欧阳小明"
    assert teacher.is_backbone_teacher


def test_gb18030_only_characters_survive(schools):
    # 𠀀 is outside GBK: only a GB18030 decoder reads it.
    committed(to_csv([teacher_row("T001", name="张𠀀")], encoding="gb18030"))
    assert TeacherProfile.objects.get().real_name == "张𠀀"


def test_xlsx_is_read_with_numbers_and_gaps(schools):
    rows = [
        [1001, "张伟", "S001", 13812345678, "物理", None, "初中", "高级教师", "硕士", "是", "实验员；教研员", 2005.0, "z@x.cn"],
        [None] * len(TEACHER_HEADER),
        ["1002", "王芳", "S002", None, "chemistry", "科学", "senior", None, None, None, None, None, None],
    ]
    batch = committed(to_xlsx(rows), "teachers.xlsx")

    assert batch.created_count == 2 and batch.row_count == 2
    first = TeacherProfile.objects.select_related("user").get(staff_number="1001")
    assert (first.phone, first.subject, first.stage, first.title, first.degree) == (
        "13812345678", Subject.PHYSICS, Stage.JUNIOR, ProfessionalTitle.SENIOR, Degree.MASTER
    )  # fmt: skip
    assert first.is_science_engineering_master and first.is_lab_manager and first.is_teaching_researcher
    assert first.teaching_since == 2005 and first.user.email == "z@x.cn"
    second = TeacherProfile.objects.get(staff_number="1002")
    assert (second.second_subject, second.title, second.degree) == (
        Subject.SCIENCE, ProfessionalTitle.UNRANKED, Degree.BACHELOR
    )  # fmt: skip


def test_xlsx_errors_use_spreadsheet_row_numbers(schools):
    rows = [teacher_row("T1"), [None] * len(TEACHER_HEADER), teacher_row("T2", 手机="12")]
    batch = checked(to_xlsx(rows), "teachers.xlsx")
    assert error_triples(batch) == [(4, "手机", "bad_phone")]


# --- commit ---------------------------------------------------------------------------


def test_new_teachers_get_an_account_without_password_in_the_teacher_group(schools):
    committed(to_csv([teacher_row("T001", 邮箱="zhang@example.cn")]))
    teacher = TeacherProfile.objects.select_related("user").get(staff_number="T001")
    user = teacher.user
    assert user.username == "T001" and user.email == "zhang@example.cn"
    assert not user.has_usable_password()
    assert list(user.groups.values_list("name", flat=True)) == [Role.TEACHER.value]
    assert teacher.school.code == "S001"


def test_one_bad_row_means_nothing_is_written(schools):
    rows = [teacher_row(f"T{n:03d}") for n in range(20)] + [teacher_row("T999", 手机="110")]
    batch = checked(to_csv(rows))
    assert batch.status == ImportStatus.INVALID

    with pytest.raises(ImportBatchStateError) as refused:
        import_batch_commit(batch=batch)
    assert refused.value.message == state.ERROR_NOT_VALID
    assert not TeacherProfile.objects.exists()
    assert not User.objects.filter(username__startswith="T").exists()


def test_commit_checks_again_and_writes_nothing_if_the_data_changed(schools):
    batch = checked(to_csv([teacher_row("T001"), teacher_row("T002", school="S002")]))
    assert batch.status == ImportStatus.VALIDATED
    School.objects.filter(code="S002").delete()

    batch = import_batch_commit(batch=batch)

    assert batch.status == ImportStatus.INVALID
    assert error_triples(batch) == [(3, "学校代码", "unknown_school")]
    assert not TeacherProfile.objects.exists() and not User.objects.filter(username="T001").exists()


def test_a_failure_while_writing_rolls_everything_back(schools, monkeypatch):
    batch = checked(to_csv([teacher_row("T001"), teacher_row("T002")]))

    def broken(*args, **kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr(TeacherProfile.objects, "bulk_create", broken)
    with pytest.raises(RuntimeError):
        import_batch_commit(batch=batch)

    # The users were created before the profiles failed, and are gone again.
    assert not User.objects.filter(username__in=["T001", "T002"]).exists()
    batch.refresh_from_db()
    assert batch.status == ImportStatus.FAILED
    assert batch.errors[0]["reason"] == str(tabular.ERROR_UNEXPECTED)


def test_reimporting_the_same_file_changes_nothing(schools):
    data = to_csv([teacher_row(f"T{n:03d}", 岗位="骨干教师", 邮箱=f"t{n}@x.cn") for n in range(10)])
    first = committed(data)
    assert (first.created_count, first.updated_count, first.unchanged_count) == (10, 0, 0)
    stamps = dict(TeacherProfile.objects.values_list("staff_number", "updated_at"))
    users = User.objects.count()

    second = committed(data)

    assert (second.created_count, second.updated_count, second.unchanged_count) == (0, 0, 10)
    assert second.preview == []
    assert User.objects.count() == users
    assert dict(TeacherProfile.objects.values_list("staff_number", "updated_at")) == stamps


def test_upsert_updates_changed_fields_and_keeps_what_empty_cells_leave(schools):
    committed(to_csv([teacher_row("T001", 岗位="实验员"), teacher_row("T002")]))
    before = dict(TeacherProfile.objects.values_list("staff_number", "updated_at"))

    rows = [
        teacher_row("T001", school="S002", 手机="", 职称="高级教师", 岗位="", 邮箱="new@x.cn"),
        teacher_row("T002"),
    ]
    batch = checked(to_csv(rows))
    assert (batch.created_count, batch.updated_count, batch.unchanged_count) == (0, 1, 1)
    assert batch.preview[0]["changes"] == ["school_id", "title", "email"]
    import_batch_commit(batch=batch)

    changed = TeacherProfile.objects.select_related("user", "school").get(staff_number="T001")
    assert changed.school.code == "S002" and changed.title == ProfessionalTitle.SENIOR
    assert changed.phone == "13812345678"  # empty cell: kept
    assert changed.is_lab_manager  # empty cell: kept
    assert changed.user.email == "new@x.cn"
    assert changed.updated_at > before["T001"]
    assert TeacherProfile.objects.get(staff_number="T002").updated_at == before["T002"]


def test_imported_teachers_are_found_by_the_admin_search(schools, client):
    def found(query):
        page = client.get(reverse("teachers:index"), {"q": query}).content.decode()
        return [number for number in ("T001", "T002") if number in page]

    client.force_login(user_with_role(Role.HR))
    committed(to_csv([teacher_row("T001", name="Zhang Wei"), teacher_row("T002", name="Wang Fang")]))
    assert found("Zhang") == ["T001"]

    committed(to_csv([teacher_row("T001", name="Zhou Min"), teacher_row("T002", name="Wang Fang")]))
    assert found("Zhou") == ["T001"]
    assert found("Zhang") == []


def test_science_master_is_checked_against_the_stored_degree(schools):
    TeacherFactory(staff_number="T001", school=schools[0], degree=Degree.DOCTORATE)
    TeacherFactory(staff_number="T002", school=schools[0], degree=Degree.MASTER, is_science_engineering_master=True)
    rows = [
        teacher_row("T001", 学历="", 理工类硕士="是"),  # keeps the doctorate: fine
        teacher_row("T002", 学历="本科", 理工类硕士=""),  # keeps the flag: not fine
    ]
    batch = checked(to_csv(rows))
    assert error_triples(batch) == [(3, "学历", "sci_master_needs_degree")]


def test_a_username_taken_by_someone_else_is_reported(schools):
    UserFactory(username="T001")
    batch = checked(to_csv([teacher_row("T001")]))
    assert error_triples(batch) == [(2, "工号", "username_taken")]


def test_a_batch_cannot_be_committed_twice(schools):
    batch = committed(to_csv([teacher_row("T001")]))
    assert batch.status == ImportStatus.COMMITTED and batch.committed_at

    with pytest.raises(ImportBatchStateError) as refused:
        import_batch_commit(batch=batch)
    assert refused.value.message == state.ERROR_ALREADY_COMMITTED
    with pytest.raises(ImportBatchStateError):
        import_batch_commit_request(batch=batch)
    with pytest.raises(ImportBatchStateError):
        import_batch_validate(batch=batch)
    assert TeacherProfile.objects.count() == 1


def test_a_commit_is_requested_once(schools):
    batch = checked(to_csv([teacher_row("T001")]))
    import_batch_commit_request(batch=batch)
    with pytest.raises(ImportBatchStateError) as refused:
        import_batch_commit_request(batch=batch)
    assert refused.value.message == state.ERROR_ALREADY_COMMITTING
    assert import_batch_commit(batch=batch).status == ImportStatus.COMMITTED


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_concurrent_commits_write_once():
    SchoolFactory(code="S001")
    batch = checked(to_csv([teacher_row(f"T{n:03d}") for n in range(200)]))
    outcomes = []
    start = threading.Barrier(2)

    def commit():
        try:
            start.wait()
            import_batch_commit(batch=ImportBatch.objects.get(pk=batch.pk))
            outcomes.append("committed")
        except ImportBatchStateError as refusal:
            outcomes.append(refusal.message)
        finally:
            connection.close()

    threads = [threading.Thread(target=commit) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    assert sorted(map(str, outcomes)) == sorted(["committed", str(state.ERROR_ALREADY_COMMITTED)])
    assert TeacherProfile.objects.count() == 200
    assert User.objects.filter(username__startswith="T").count() == 200


def test_tasks_are_thin_and_retry_only_database_hiccups():
    from django.db import OperationalError

    for task in (import_batch_commit_task, import_batch_validate_task):
        assert task.acks_late is True
        assert task.autoretry_for == (OperationalError,)
        assert task.max_retries == 3 and task.retry_backoff


def test_commit_task_ignores_a_redelivered_message(schools):
    batch = committed(to_csv([teacher_row("T001")]))
    import_batch_commit_task.delay(batch.pk)  # eager: runs here, and is refused quietly
    batch.refresh_from_db()
    assert batch.status == ImportStatus.COMMITTED and TeacherProfile.objects.count() == 1


# --- who may import ---------------------------------------------------------------------


@pytest.fixture
def some_batch(schools):
    return checked(to_csv([teacher_row("T001", 手机="123")]))


def admin_urls(batch):
    return [
        reverse("lms_imports:index"),
        reverse("lms_imports:detail", args=[batch.pk]),
        reverse("lms_imports:errors", args=[batch.pk, "csv"]),
        reverse("lms_imports:template", args=["teachers", "xlsx"]),
    ]


@pytest.mark.parametrize("role", [Role.HR, Role.ACADEMY_ADMIN])
def test_hr_and_academy_admins_may_import(client, some_batch, role):
    client.force_login(user_with_role(role))
    client.cookies["django_language"] = "en"
    for url in admin_urls(some_batch):
        assert client.get(url).status_code == 200, url
    assert "Import people" in client.get(reverse("wagtailadmin_home")).content.decode()


def test_district_admin_is_forbidden(client, some_batch):
    admin = UserFactory(username="lixia-admin")
    district_admin_assign(user=admin, district=district("370102"))
    client.force_login(admin)
    for url in admin_urls(some_batch):
        assert client.get(url).status_code == 403, url
    assert client.post(reverse("lms_imports:commit", args=[some_batch.pk])).status_code == 403
    response = client.post(reverse("lms_imports:index"), {"kind": "teachers", "file": upload(b"x")})
    assert response.status_code == 403
    assert ImportBatch.objects.count() == 1


def test_anonymous_is_sent_to_login(client, some_batch):
    for url in admin_urls(some_batch):
        response = client.get(url)
        assert response.status_code == 302 and response.url.startswith(reverse("wagtailadmin_login")), url


# --- the admin screens ----------------------------------------------------------------------


def test_admin_flow_upload_preview_commit(hr_client, schools, django_capture_on_commit_callbacks, settings):
    index = reverse("lms_imports:index")
    assert "Import people" in hr_client.get(index).content.decode()

    bad = to_csv([teacher_row("T001"), teacher_row("T002", 手机="12345"), teacher_row("T003", school="S404")])
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        response = hr_client.post(index, {"kind": "teachers", "file": upload(bad, "名单.csv")})
    assert len(callbacks) == 1  # the check is queued only once the batch is saved
    batch = ImportBatch.objects.get()
    assert response.status_code == 302 and response.url == reverse("lms_imports:detail", args=[batch.pk])
    # A spreadsheet of teachers is personal data: private storage only.
    assert (settings.PRIVATE_MEDIA_ROOT / batch.file.name).read_bytes() == bad
    assert not settings.MEDIA_ROOT.exists() or not any(settings.MEDIA_ROOT.rglob("*.csv"))

    page = hr_client.get(response.url).content.decode()
    assert "Has errors" in page
    assert str(checks.ROW_BAD_PHONE) in page and "12345" in page
    assert str(checks.ROW_UNKNOWN_SCHOOL) in page and "S404" in page
    assert "<td>3</td>" in page and "<td>4</td>" in page
    assert "Commit import" not in page and 'http-equiv="refresh"' not in page

    good = to_csv([teacher_row("T001"), teacher_row("T002", 手机="13912345678")])
    with django_capture_on_commit_callbacks(execute=True):
        response = hr_client.post(index, {"kind": "teachers", "file": upload(good, "名单.csv")})
    page = hr_client.get(response.url).content.decode()
    assert "Commit import" in page and "Ready to commit" in page
    assert 'id="import-preview"' in page and "T002" in page
    assert not TeacherProfile.objects.exists()

    batch = ImportBatch.objects.get(status=ImportStatus.VALIDATED)
    commit_url = reverse("lms_imports:commit", args=[batch.pk])
    with django_capture_on_commit_callbacks(execute=True):
        response = hr_client.post(commit_url, follow=True)
    assert str(imports_views_message("MESSAGE_COMMITTING")) in response.content.decode()
    batch.refresh_from_db()
    assert batch.status == ImportStatus.COMMITTED and batch.created_count == 2
    assert set(TeacherProfile.objects.values_list("staff_number", flat=True)) == {"T001", "T002"}
    assert batch.created_by.username == "hr"

    response = hr_client.post(commit_url, follow=True)
    assert str(state.ERROR_ALREADY_COMMITTED) in response.content.decode()

    listing = hr_client.get(index).content.decode()
    assert listing.count("名单.csv") == 2


def imports_views_message(name):
    from lms.imports import admin_views as import_views

    return getattr(import_views, name)


def test_the_page_refreshes_while_the_batch_is_being_checked(hr_client, schools):
    batch = import_batch_create(kind=ImportKind.TEACHERS, uploaded_file=upload(to_csv([teacher_row()])))
    page = hr_client.get(reverse("lms_imports:detail", args=[batch.pk])).content.decode()
    assert '<meta http-equiv="refresh" content="2">' in page
    batch.status = ImportStatus.COMMITTING
    batch.save()
    page = hr_client.get(reverse("lms_imports:detail", args=[batch.pk])).content.decode()
    assert '<meta http-equiv="refresh" content="2">' in page


def zip_not_xlsx():
    return b"PK\x03\x04 this is not really a workbook"


@pytest.mark.parametrize(
    "name, data, message",
    [
        ("t.csv", b"", tabular.ERROR_EMPTY_FILE),
        ("t.pdf", b"%PDF-1.4", tabular.ERROR_EXTENSION),
        ("t.xlsx", zip_not_xlsx(), tabular.ERROR_NOT_XLSX),
        ("t.csv", ",".join(TEACHER_HEADER).encode(), tabular.ERROR_NO_ROWS),
        ("t.csv", b"\xff\xfe\x00\x00\x81", tabular.ERROR_ENCODING),
    ],
)
def test_bad_uploads_are_form_errors(hr_client, name, data, message):
    response = hr_client.post(reverse("lms_imports:index"), {"kind": "teachers", "file": upload(data, name)})
    assert response.status_code == 200
    assert escape(str(message)) in response.content.decode()
    assert not ImportBatch.objects.exists()


def test_an_oversize_upload_is_a_form_error(hr_client, settings):
    settings.LMS_IMPORT_MAX_BYTES = 10
    data = to_csv([teacher_row()])
    response = hr_client.post(reverse("lms_imports:index"), {"kind": "teachers", "file": upload(data)})
    assert response.status_code == 200
    assert "the largest file that can be imported is 10" in response.content.decode()


def test_missing_kind_or_file_is_a_form_error(hr_client):
    response = hr_client.post(reverse("lms_imports:index"), {"kind": "teachers"})
    assert response.status_code == 200 and not ImportBatch.objects.exists()


def test_error_report_download_neutralises_formulas(hr_client, schools):
    batch = checked(to_csv([teacher_row("T001", 手机="=HYPERLINK(\"http://x\")"), teacher_row("T002", 学科="@SUM(A1)")]))

    response = hr_client.get(reverse("lms_imports:errors", args=[batch.pk, "csv"]))
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"] == f'attachment; filename="import-{batch.pk}-errors.csv"'
    body = response.content.decode("utf-8")
    assert body.startswith("\ufeffRow,Column,Reason,Value")
    rows = list(csv.reader(io.StringIO(body.lstrip("\ufeff"))))
    assert rows[1][:2] == ["2", "手机"] and rows[1][3] == "'=HYPERLINK(\"http://x\")"
    assert rows[2][:2] == ["3", "学科"] and rows[2][3] == "'@SUM(A1)"

    response = hr_client.get(reverse("lms_imports:errors", args=[batch.pk, "xlsx"]))
    sheet = load_workbook(io.BytesIO(response.content)).active
    assert [cell.value for cell in sheet[2]][:2] == [2, "手机"]
    assert sheet["D2"].value == "'=HYPERLINK(\"http://x\")" and sheet["D2"].data_type == "s"


# --- exports ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "value, expected",
    [
        ("=1+2", "'=1+2"),
        ("+86 138", "'+86 138"),
        ("-3", "'-3"),
        ("@A1", "'@A1"),
        ("\tx", "'\tx"),
        ("\rx", "'\rx"),
        ("张伟", "张伟"),
        ("a=b", "a=b"),
        (-3, -3),
        (None, None),
        ("", ""),
    ],
)
def test_safe_cell(value, expected):
    assert safe_cell(value) == expected


def test_csv_and_xlsx_responses():
    response = csv_response("教师.csv", ["姓名", translation.gettext_lazy("Name")], [["=cmd", 1]])
    assert response.content.decode("utf-8") == "\ufeff姓名,Name\r\n'=cmd,1\r\n"
    assert "filename*=utf-8''%E6%95%99%E5%B8%88.csv" in response["Content-Disposition"]

    response = xlsx_response("x.xlsx", ["a"], [["-1+1"], [5], ["bell\x07"]], sheet_title="Errors: [all]")
    sheet = load_workbook(io.BytesIO(response.content)).active
    assert sheet.title == "Errors all"
    assert [row[0] for row in sheet.iter_rows(values_only=True)] == ["a", "'-1+1", 5, "bell"]


# --- the management command ----------------------------------------------------------------------


def write(tmp_path, data, name="teachers.csv"):
    path = tmp_path / name
    path.write_bytes(data)
    return path


def test_command_dry_run_reports_and_fails_on_errors(schools, tmp_path, capsys):
    path = write(tmp_path, to_csv([teacher_row("T001"), teacher_row("T002", 手机="12")]))
    with pytest.raises(CommandError) as failed:
        call_command("import_people", "teachers", str(path))
    assert "nothing was imported" in str(failed.value)
    output = capsys.readouterr()
    assert "2 rows: 1 to create, 0 to update, 0 unchanged, 1 errors." in output.out
    assert f"Row 3, 手机: {checks.ROW_BAD_PHONE} (value: '12')" in output.err
    assert not TeacherProfile.objects.exists()


def test_command_dry_run_then_commit(schools, tmp_path, capsys):
    path = write(tmp_path, to_csv([teacher_row("T001"), teacher_row("T002")]))
    call_command("import_people", "teachers", str(path))
    assert "Dry run: nothing was written" in capsys.readouterr().out
    assert not TeacherProfile.objects.exists()

    hr = user_with_role(Role.HR, username="hr")
    call_command("import_people", "teachers", str(path), "--commit", "--user", "hr")
    assert "Imported: 2 created, 0 updated, 0 unchanged" in capsys.readouterr().out
    assert TeacherProfile.objects.count() == 2
    assert ImportBatch.objects.filter(status=ImportStatus.COMMITTED, created_by=hr).count() == 1


def test_command_refuses_bad_files_and_users(tmp_path):
    with pytest.raises(CommandError, match="encoding could not be recognised"):
        call_command("import_people", "teachers", str(write(tmp_path, b"\xff\xfe\x00\x01")))
    with pytest.raises(CommandError, match="No such file"):
        call_command("import_people", "teachers", str(tmp_path / "missing.csv"))
    with pytest.raises(CommandError, match="No user named"):
        call_command("import_people", "teachers", str(write(tmp_path, b"x")), "--user", "nobody")


def test_command_imports_schools_from_xlsx(tmp_path):
    data = to_xlsx([["S100", "济南市新学校", "历下区", "小学", "城区"]], header=SCHOOL_HEADER)
    call_command("import_people", "schools", str(write(tmp_path, data, "schools.xlsx")), "--commit")
    assert School.objects.get(code="S100").district.name == "历下区"


# --- a real worker -------------------------------------------------------------------------------------


def wait_for(predicate, timeout=30):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.2)
    return False


@pytest.mark.celery
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_commit_through_a_real_worker(celery_worker_process, client):
    SchoolFactory(code="S001")
    client.force_login(user_with_role(Role.HR, username="hr"))
    data = to_csv([teacher_row(f"T{n:03d}") for n in range(30)])

    client.post(reverse("lms_imports:index"), {"kind": "teachers", "file": upload(data)})
    batch = ImportBatch.objects.get()
    try:
        assert wait_for(lambda: ImportBatch.objects.get(pk=batch.pk).status != ImportStatus.UPLOADED)
        batch.refresh_from_db()
        assert batch.status == ImportStatus.VALIDATED, batch.errors

        client.post(reverse("lms_imports:commit", args=[batch.pk]))
        assert wait_for(lambda: ImportBatch.objects.get(pk=batch.pk).status == ImportStatus.COMMITTED)
        assert TeacherProfile.objects.count() == 30
        assert Group.objects.get(name=Role.TEACHER.value).user_set.filter(username__startswith="T").count() == 30
    finally:
        # The worker shares the settings' MEDIA_ROOT, not a temporary one.
        batch.file.delete(save=False)
