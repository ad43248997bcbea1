"""Builders for people-import tests: rows of the teachers template, files
built from them, batches uploaded and checked through the services, an HR
officer's admin client. The fixtures wrapping them are in this package's
conftest.py; other packages' tests import the builders from here."""

import csv
import io

from django.core.files.uploadedfile import SimpleUploadedFile
from openpyxl import Workbook

from lms.constants import ImportKind, ImportStatus, Role
from lms.imports.services import import_batch_commit, import_batch_create, import_batch_validate
from lms.tests.factories import SchoolFactory, district, user_with_role

TEACHER_HEADER = [
    "工号", "姓名", "学校代码", "手机", "学科", "第二学科", "学段", "职称", "学历", "理工类硕士", "岗位", "从教年份", "邮箱",
]  # fmt: skip
SCHOOL_HEADER = ["学校代码", "学校名称", "区县", "学段", "城乡"]


def two_schools():
    """S001 in the default district, S002 in 370112."""
    return [SchoolFactory(code="S001"), SchoolFactory(code="S002", district=district("370112"))]


def hr_signed_in(client):
    """``client`` signed in as an HR officer, the admin in English."""
    client.force_login(user_with_role(Role.HR, username="hr"))
    client.cookies["django_language"] = "en"
    return client


def teacher_row(staff_number="T001", name="张伟", school="S001", **cells):
    row = {
        "工号": staff_number,
        "姓名": name,
        "学校代码": school,
        "手机": "13812345678",
        "学科": "科学",
        "第二学科": "",
        "学段": "小学",
        "职称": "一级教师",
        "学历": "本科",
        "理工类硕士": "否",
        "岗位": "",
        "从教年份": "2010",
        "邮箱": "",
    }
    row.update(cells)
    return [row[column] for column in TEACHER_HEADER]


def to_csv(rows, header=TEACHER_HEADER, encoding="utf-8"):
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(header)
    writer.writerows(rows)
    return buffer.getvalue().encode(encoding)


def to_xlsx(rows, header=TEACHER_HEADER):
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(header)
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def upload(data, name="teachers.csv"):
    return SimpleUploadedFile(name, data)


def checked(data, name="teachers.csv", kind=ImportKind.TEACHERS, user=None):
    batch = import_batch_create(kind=kind, uploaded_file=upload(data, name), user=user)
    return import_batch_validate(batch=batch)


def committed(data, name="teachers.csv", kind=ImportKind.TEACHERS):
    batch = checked(data, name, kind)
    assert batch.status == ImportStatus.VALIDATED, batch.errors
    return import_batch_commit(batch=batch)


def error_triples(batch):
    return [(error["row"], error["column"], error["code"]) for error in batch.errors]
