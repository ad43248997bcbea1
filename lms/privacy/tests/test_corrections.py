import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from lms.privacy import services
from lms.privacy.constants import CorrectionStatus
from lms.privacy.models import CorrectionRequest
from lms.privacy.tests.factories import academy_admin, district_admin_of
from lms.tests.factories import SchoolFactory, TeacherFactory, district

pytestmark = pytest.mark.django_db

LIXIA, SHIZHONG = "370102", "370103"


@pytest.fixture
def lixia_teacher():
    return TeacherFactory(school=SchoolFactory(district=district(LIXIA)))


@pytest.fixture
def shizhong_teacher():
    return TeacherFactory(school=SchoolFactory(district=district(SHIZHONG)))


def test_a_teacher_sends_a_request_and_sees_its_status(client, lixia_teacher):
    client.force_login(lixia_teacher.user)
    response = client.post(reverse("privacy:correction_request"), {"field": "title", "text": "应为高级教师"},
                           follow=True)
    content = response.content.decode()
    assert "您的申请已提交" in content and "应为高级教师" in content and "待处理" in content
    request = CorrectionRequest.objects.get()
    assert (request.teacher, request.field, request.status) == (lixia_teacher, "title", CorrectionStatus.OPEN)


@pytest.mark.parametrize("data, message", [
    ({"field": "title", "text": "   "}, "请写明哪里有误以及正确的内容。"),
    ({"field": "nonsense", "text": "x"}, "选择一个有效的选项"),
    ({"field": "title", "text": "长" * 2001}, "2000"),
])
def test_bad_input_is_a_message_and_writes_nothing(client, lixia_teacher, data, message):
    client.force_login(lixia_teacher.user)
    response = client.post(reverse("privacy:correction_request"), data)
    assert response.status_code == 200 and message in response.content.decode()
    assert not CorrectionRequest.objects.exists()


def test_the_service_refuses_empty_text(lixia_teacher):
    with pytest.raises(ValidationError) as error:
        services.correction_request_create(teacher=lixia_teacher, field="title", text="")
    assert error.value.messages == [str(services.CORRECTION_TEXT_REQUIRED)]


def test_district_admins_see_only_their_districts_requests(client, lixia_teacher, shizhong_teacher):
    services.correction_request_create(teacher=lixia_teacher, field="title", text="历下的申请")
    services.correction_request_create(teacher=shizhong_teacher, field="phone", text="市中的申请")
    client.force_login(district_admin_of(district(LIXIA)))
    content = client.get("/admin/correction-requests/").content.decode()
    assert "历下的申请" in content and "市中的申请" not in content

    client.force_login(academy_admin())
    content = client.get("/admin/correction-requests/").content.decode()
    assert "历下的申请" in content and "市中的申请" in content


def test_resolving_with_a_note_shows_on_the_teachers_page(client, lixia_teacher):
    request = services.correction_request_create(teacher=lixia_teacher, field="title", text="应为高级教师")
    admin = district_admin_of(district(LIXIA))
    client.force_login(admin)
    edit_url = f"/admin/correction-requests/edit/{request.pk}/"
    response = client.post(edit_url, {"resolution_note": ""})
    assert response.status_code == 200
    request.refresh_from_db()
    assert request.is_open

    client.post(edit_url, {"resolution_note": "已在教师档案中更正职称。"})
    request.refresh_from_db()
    assert (request.status, request.resolved_by, request.resolution_note) == (
        CorrectionStatus.RESOLVED, admin, "已在教师档案中更正职称。")

    client.force_login(lixia_teacher.user)
    content = client.get(reverse("privacy:my_data")).content.decode()
    assert "已处理" in content and "已在教师档案中更正职称。" in content


def test_another_districts_request_cannot_be_opened_or_resolved(client, shizhong_teacher):
    request = services.correction_request_create(teacher=shizhong_teacher, field="title", text="x y")
    admin = district_admin_of(district(LIXIA))
    client.force_login(admin)
    assert client.get(f"/admin/correction-requests/edit/{request.pk}/").status_code == 404
    with pytest.raises(PermissionDenied):
        services.correction_request_resolve(request=request, by=admin, note="不该能处理")
    request.refresh_from_db()
    assert request.is_open


def test_resolving_twice_is_refused(lixia_teacher):
    request = services.correction_request_create(teacher=lixia_teacher, field="title", text="x")
    admin = academy_admin()
    services.correction_request_resolve(request=request, by=admin, note="done")
    with pytest.raises(ValidationError) as error:
        services.correction_request_resolve(request=request, by=admin, note="again")
    assert error.value.messages == [str(services.CORRECTION_ALREADY_RESOLVED)]


def test_requests_are_never_added_or_deleted_in_the_admin(client, lixia_teacher):
    request = services.correction_request_create(teacher=lixia_teacher, field="title", text="x")
    client.force_login(academy_admin())
    assert client.get("/admin/correction-requests/new/").status_code in (302, 403)
    client.post(f"/admin/correction-requests/delete/{request.pk}/")
    assert CorrectionRequest.objects.filter(pk=request.pk).exists()


def test_the_admin_home_tells_a_district_admin_how_many_wait(client, lixia_teacher, shizhong_teacher):
    services.correction_request_create(teacher=lixia_teacher, field="title", text="x")
    services.correction_request_create(teacher=shizhong_teacher, field="title", text="y")
    client.force_login(district_admin_of(district(LIXIA)))
    content = client.get("/admin/").content.decode()
    assert "1 条教师的更正申请等待您处理" in content
    assert '/admin/correction-requests/?status=open' in content


def test_a_district_admin_opens_a_request_with_what_is_wrong_named(client, lixia_teacher):
    request = services.correction_request_create(teacher=lixia_teacher, field="title", text="应为高级教师")
    client.force_login(district_admin_of(district(LIXIA)))
    response = client.get(reverse("correction_requests:inspect", args=[request.pk]))
    content = response.content.decode()
    assert response.status_code == 200 and "职称" in content and "应为高级教师" in content
