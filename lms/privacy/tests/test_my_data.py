import json
from io import BytesIO

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from lms.privacy.tests.factories import REAL_NAME, STAFF_NUMBER, full_teacher
from lms.tests.factories import TeacherFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def teacher(client):
    teacher = full_teacher()
    client.force_login(teacher.user)
    return teacher


def test_the_page_shows_every_part_of_the_record(client, teacher):
    response = client.get(reverse("privacy:my_data"))
    content = response.content.decode()
    assert response.status_code == 200
    for needle in (REAL_NAME, STAFF_NUMBER, "探究式科学教学", "第一课", "黄河水质微生物监测", "名单.xlsx",
                   "推荐表.pdf", "照片.pdf"):
        assert needle in content, needle
    # Every section is on the page, in Chinese.
    assert 'id="data-ledger"' in content and "学时台账" in content
    assert 'id="data-certificates"' in content
    assert reverse("privacy:my_data") in content  # the navigation's entry


def test_the_json_download_holds_every_section(client, teacher):
    response = client.get(reverse("privacy:my_data_export", args=["json"]))
    assert response["Content-Disposition"].startswith("attachment")
    data = json.loads(response.content)
    sections = {section["key"]: section for section in data["sections"]}
    assert sections["profile"]["rows"][0] == {"field": "真实姓名", "value": REAL_NAME}
    assert sections["ledger"]["columns"]["hours"] == "记入学时"
    assert sorted(row["hours"] for row in sections["ledger"]["rows"]) == ["2.00", "8.00"]
    assert len(sections["certificates"]["rows"]) == 1
    assert sections["import_rows"]["rows"][0]["content"]["key"] == STAFF_NUMBER
    # Only this teacher's row of the roster.
    assert len(sections["import_rows"]["rows"]) == 1


def test_the_xlsx_download_has_chinese_headers_and_no_formulas(client, teacher):
    teacher.real_name = "=HYPERLINK(\"http://evil\")"
    teacher.save()
    response = client.get(reverse("privacy:my_data_export", args=["xlsx"]), HTTP_ACCEPT_LANGUAGE="en")
    workbook = load_workbook(BytesIO(response.content))
    assert "学时台账" in workbook.sheetnames
    profile = workbook["教师信息"]
    rows = list(profile.iter_rows(values_only=True))
    assert rows[0] == ("项目", "内容")
    assert ("真实姓名", "'=HYPERLINK(\"http://evil\")") in rows
    ledger_header = next(workbook["学时台账"].iter_rows(values_only=True))
    assert "记入学时" in ledger_header


def test_an_unknown_format_is_not_found(client, teacher):
    assert client.get("/my/data/export.csv").status_code == 404


def test_someone_without_a_teacher_profile_is_told_so(client):
    client.force_login(UserFactory())
    response = client.get(reverse("privacy:my_data"))
    assert response.status_code == 200
    assert "没有教师档案" in response.content.decode()


def test_a_teacher_sees_only_their_own_data(client):
    other = TeacherFactory(real_name="司马相如")
    me = TeacherFactory(real_name="诸葛亮")
    client.force_login(me.user)
    content = client.get(reverse("privacy:my_data")).content.decode()
    assert "诸葛亮" in content and other.real_name not in content


def test_signed_out_visitors_are_sent_to_sign_in(client):
    response = client.get(reverse("privacy:my_data"))
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]
