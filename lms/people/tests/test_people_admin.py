"""The admin's people screens: scope by role, exports, creating a teacher."""

import csv
import io
import re

import pytest
from django.urls import reverse
from django.utils import translation
from openpyxl import load_workbook

from lms.constants import Role
from lms.models import TeacherProfile
from lms.people.services import district_admin_assign, user_role_add
from lms.tests.factories import SchoolFactory, TeacherFactory, UserFactory, district

pytestmark = pytest.mark.django_db


@pytest.fixture
def people():
    lixia_school = SchoolFactory(district=district("370102"), name="历下区第一实验小学")
    licheng_school = SchoolFactory(district=district("370112"), name="历城区第二中学")
    return {
        "lixia": TeacherFactory(school=lixia_school, real_name="张小伟", staff_number="LX0001"),
        "licheng": TeacherFactory(school=licheng_school, real_name="王大明", staff_number="LC0001"),
    }


def login_as(client, role, district_code=None):
    user = UserFactory(username=f"{role.name.lower()}-user")
    if role == Role.DISTRICT_ADMIN:
        district_admin_assign(user=user, district=district(district_code))
    else:
        user_role_add(user=user, role=role)
    client.force_login(user)
    client.cookies["django_language"] = "en"
    return user


def export_rows(response):
    body = b"".join(response.streaming_content).decode("utf-8")
    assert body.startswith("\ufeff"), "CSV exports carry a BOM so Excel reads Chinese"
    return list(csv.reader(io.StringIO(body.lstrip("\ufeff"))))


def test_district_admin_lists_and_exports_only_their_district(client, people):
    login_as(client, Role.DISTRICT_ADMIN, "370102")

    page = client.get(reverse("teachers:index")).content.decode()
    assert "张小伟" in page
    assert "王大明" not in page

    rows = export_rows(client.get(reverse("teachers:index") + "?export=csv"))
    staff_numbers = [row[0] for row in rows[1:]]
    assert staff_numbers == ["LX0001"]

    schools = client.get(reverse("schools:index")).content.decode()
    assert "历下区第一实验小学" in schools and "历城区第二中学" not in schools


def test_district_admin_cannot_open_another_districts_teacher(client, people):
    login_as(client, Role.DISTRICT_ADMIN, "370102")
    own = client.get(reverse("teachers:inspect", args=[people["lixia"].pk]))
    other = client.get(reverse("teachers:inspect", args=[people["licheng"].pk]))
    assert own.status_code == 200 and "张小伟" in own.content.decode()
    assert other.status_code == 404


def test_scope_holds_even_with_edit_rights(client, people):
    from django.contrib.auth.models import Permission

    admin = login_as(client, Role.DISTRICT_ADMIN, "370102")
    admin.user_permissions.add(Permission.objects.get(codename="change_teacherprofile"))
    for view in ("teachers:edit", "teachers:history"):
        assert client.get(reverse(view, args=[people["lixia"].pk])).status_code == 200
        assert client.get(reverse(view, args=[people["licheng"].pk])).status_code == 404
    response = client.post(reverse("teachers:edit", args=[people["licheng"].pk]), {"real_name": "改名"})
    assert response.status_code == 404
    people["licheng"].refresh_from_db()
    assert people["licheng"].real_name == "王大明"


def test_district_admin_may_not_edit_or_add(client, people):
    login_as(client, Role.DISTRICT_ADMIN, "370102")
    assert client.get(reverse("teachers:edit", args=[people["lixia"].pk])).status_code in (302, 403)
    assert client.get(reverse("teachers:add")).status_code in (302, 403)


def test_the_teacher_list_heads_its_columns_with_the_fields_names(client, people):
    login_as(client, Role.HR)
    page = client.get(reverse("teachers:index")).content.decode()
    headers = [" ".join(re.sub(r"<[^>]+>", "", th).split()) for th in re.findall(r"<th\b[^>]*>(.*?)</th>", page, re.S)]
    assert {"Main subject", "Stage", "Professional title"} <= set(headers), headers


def test_hr_sees_every_district(client, people):
    login_as(client, Role.HR)
    page = client.get(reverse("teachers:index")).content.decode()
    assert "张小伟" in page and "王大明" in page


def test_teacher_has_no_admin_access(client, people):
    client.force_login(people["lixia"].user)
    response = client.get(reverse("teachers:index"))
    assert response.status_code == 302
    assert "/admin/login/" in response["Location"]


def test_filters_by_district(client, people):
    login_as(client, Role.HR)
    licheng = district("370112")
    page = client.get(reverse("teachers:index"), {"district": licheng.pk}).content.decode()
    assert "王大明" in page and "张小伟" not in page


def test_exports_neutralise_formulas(client, people):
    people["lixia"].real_name = "=HYPERLINK(\"http://evil\")"
    people["lixia"].save()
    login_as(client, Role.HR)

    rows = export_rows(client.get(reverse("teachers:index") + "?export=csv"))
    names = {row[1] for row in rows[1:]}
    assert "'=HYPERLINK(\"http://evil\")" in names

    response = client.get(reverse("teachers:index") + "?export=xlsx")
    sheet = load_workbook(io.BytesIO(b"".join(response.streaming_content))).active
    cells = [cell.value for row in sheet.iter_rows() for cell in row]
    assert "'=HYPERLINK(\"http://evil\")" in cells
    assert not any(isinstance(value, str) and value.startswith("=") for value in cells)


def test_hr_adds_a_teacher_with_an_account(client, people):
    login_as(client, Role.HR)
    school = people["lixia"].school
    response = client.post(
        reverse("teachers:add"),
        {
            "real_name": "刘洋",
            "staff_number": "LX0099",
            "phone": "13912345678",
            "school": school.pk,
            "subject": "physics",
            "stage": "junior",
            "title": "first",
            "degree": "master",
            "is_science_engineering_master": "on",
            "email": "liuyang@example.cn",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    profile = TeacherProfile.objects.get(staff_number="LX0099")
    assert profile.user.username == "LX0099"
    assert not profile.user.has_usable_password()
    assert profile.user.groups.filter(name=Role.TEACHER.value).exists()


def test_bad_phone_is_a_form_error_not_a_500(client, people):
    login_as(client, Role.HR)
    response = client.post(
        reverse("teachers:add"),
        {"real_name": "刘洋", "staff_number": "LX0098", "phone": "12345", "school": people["lixia"].school.pk,
         "subject": "physics", "stage": "junior", "title": "first", "degree": "bachelor"},
    )
    assert response.status_code == 200
    assert "11-digit" in response.content.decode()
    assert not TeacherProfile.objects.filter(staff_number="LX0098").exists()


@pytest.mark.parametrize("language", ["en", "zh-hans"])
def test_the_teacher_export_shows_the_choice_labels_in_the_readers_language(client, people, language):
    """Labels are looked up in choices read once per export, not through
    get_<field>_display per cell: the cells are what that method shows."""
    login_as(client, Role.HR)
    client.cookies["django_language"] = language
    rows = export_rows(client.get(reverse("teachers:index") + "?export=csv"))
    by_staff_number = {row[0]: row for row in rows[1:]}
    with translation.override(language):
        for teacher in people.values():
            teacher.refresh_from_db()
            labels = [teacher.get_subject_display(), teacher.get_stage_display(), teacher.get_title_display(),
                      teacher.get_degree_display()]
            assert by_staff_number[teacher.staff_number][5:9] == [str(label) for label in labels]
    # Methods that are not a choice's label (a school's stages) still come from the method itself.
    rows = export_rows(client.get(reverse("schools:index") + "?export=csv"))
    assert {row[1]: row[3] for row in rows[1:]}["历下区第一实验小学"] == str(people["lixia"].school.get_stages_display())
