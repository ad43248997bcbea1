import pytest
from django.urls import reverse

from lms.constants import Role
from lms.privacy.constants import PRIVACY_NOTICE_VERSION
from lms.privacy.models import NoticeAcknowledgement
from lms.tests.factories import TeacherFactory, user_with_role

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def notice_required(settings):
    settings.PRIVACY_NOTICE_REQUIRED = True


@pytest.fixture
def teacher(client):
    teacher = TeacherFactory()
    client.force_login(teacher.user)
    return teacher


def test_a_learner_page_sends_a_new_user_to_the_notice_and_back(client, teacher):
    response = client.get("/my/hours/?year=2026")
    assert response.status_code == 302
    assert response["Location"] == reverse("privacy:notice") + "?next=%2Fmy%2Fhours%2F%3Fyear%3D2026"

    page = client.get(response["Location"]).content.decode()
    assert "个人信息保护告知书" in page and "保存期限" in page and 'id="acknowledge-notice"' in page

    response = client.post(reverse("privacy:notice_acknowledge"), {"next": "/my/hours/?year=2026"})
    assert response["Location"] == "/my/hours/?year=2026"
    acknowledgement = NoticeAcknowledgement.objects.get(user=teacher.user)
    assert acknowledgement.notice_version == PRIVACY_NOTICE_VERSION and acknowledgement.acknowledged_at
    assert client.get("/my/hours/").status_code == 200


def test_once_acknowledged_the_session_remembers_it(client, teacher):
    client.post(reverse("privacy:notice_acknowledge"))
    client.get("/my/hours/")
    NoticeAcknowledgement.objects.all().delete()  # the session remembers
    assert client.get("/my/hours/").status_code == 200


def test_once_acknowledged_the_notice_costs_a_page_no_query(client, teacher, settings):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client.post(reverse("privacy:notice_acknowledge"))

    def queries():
        with CaptureQueriesContext(connection) as captured:
            assert client.get("/my/hours/").status_code == 200
        return len(captured)

    queries()  # the first page warms caches (the site, content types)
    required = queries()
    settings.PRIVACY_NOTICE_REQUIRED = False
    assert required == queries()


def test_a_new_version_is_asked_again(client, teacher, monkeypatch):
    client.post(reverse("privacy:notice_acknowledge"))
    monkeypatch.setattr("lms.privacy.middleware.PRIVACY_NOTICE_VERSION", "2099-01")
    assert client.get("/my/hours/").status_code == 302


@pytest.mark.parametrize("path", ["/privacy/", "/static/themes/academy.css", "/admin/pages/", "/accounts/password_change/"])
def test_these_are_never_redirected(client, teacher, path):
    response = client.get(path)
    assert not (response.status_code == 302 and response["Location"].startswith(reverse("privacy:notice")))


def test_signing_out_is_never_blocked(client, teacher):
    response = client.post(reverse("logout"))
    assert response.status_code == 302 and not response["Location"].startswith(reverse("privacy:notice"))


def test_a_posted_form_is_not_lost(client, teacher):
    response = client.post(reverse("privacy:correction_request"), {"field": "school", "text": "应为第二实验小学"})
    assert response.status_code == 302 and response["Location"] == reverse("privacy:my_data")


def test_staff_meet_it_once_on_the_admin_home(client):
    staff = user_with_role(Role.ACADEMY_ADMIN)
    client.force_login(staff)
    assert client.get("/admin/").status_code == 302
    client.post(reverse("privacy:notice_acknowledge"), {"next": "/admin/"})
    assert client.get("/admin/").status_code == 200


def test_the_notice_is_public(client):
    response = client.get(reverse("privacy:notice"))
    assert response.status_code == 200 and "我们收集哪些信息" in response.content.decode()


def test_the_notice_never_sends_anyone_to_another_site(client, teacher):
    page = client.get(reverse("privacy:notice"), {"next": "https://evil.example/"}).content.decode()
    assert '<input type="hidden" name="next" value="/">' in page
    response = client.post(reverse("privacy:notice_acknowledge"), {"next": "https://evil.example/"})
    assert response["Location"] == "/"


def test_every_public_page_links_the_notice_in_its_footer(client):
    content = client.get(reverse("certificates:verify")).content.decode()
    assert f'href="{reverse("privacy:notice")}" id="footer-privacy-notice"' in content


def test_the_notice_reads_in_english_too(client):
    client.cookies["django_language"] = "en"
    content = client.get(reverse("privacy:notice")).content.decode()
    assert "What we collect" in content and "Personal Information Protection Law" in content


@pytest.mark.parametrize("target", ["10000", "科学", "privacy:notice"])
def test_a_next_that_is_not_a_path_sends_the_user_home(client, teacher, target):
    client.force_login(teacher.user)
    response = client.post(reverse("privacy:notice_acknowledge"), {"next": target})
    assert response.status_code == 302 and response["Location"] == "/"
