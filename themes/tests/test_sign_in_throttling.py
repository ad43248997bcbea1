"""Sign-in throttling (django-axes): wrong passwords lock one username at
one address out of every sign-in form for the cool-off, with our page in
Chinese, and an administrator can lift the lock."""

from datetime import timedelta

import pytest
from axes.models import AccessAttempt
from django.core.management import call_command
from django.test import Client
from django.utils import timezone, translation

from lms import ratelimit
from lms.constants import Role
from lms.tests.factories import UserFactory, user_with_role
from themes.admin_views import ThrottledChangePasswordPanel
from themes.forms import OLD_PASSWORD_TOO_MANY_TRIES, ThrottledAdminPasswordChangeForm
from themes.views import SIGN_IN_LOCKED

pytestmark = pytest.mark.django_db

PASSWORD = "pw-for-tests-1"
SCHOOL = "10.20.30.40"
PUBLIC_LOGIN = "/accounts/login/"
ADMIN_LOGIN = "/admin/login/"


def sign_in(client, path, username, password, address=SCHOOL):
    return client.post(path, {"username": username, "password": password}, REMOTE_ADDR=address)


def signed_in(client):
    return "_auth_user_id" in client.session


def fail(client, path, username, times, address=SCHOOL):
    for _ in range(times):
        response = sign_in(client, path, username, "wrong-password", address)
        assert response.status_code == 200 and not signed_in(client)


def locked_message(minutes=15):
    with translation.override("zh-hans"):
        return str(SIGN_IN_LOCKED % {"minutes": minutes})


@pytest.mark.parametrize("path", [PUBLIC_LOGIN, ADMIN_LOGIN])
def test_after_five_wrong_passwords_the_right_one_is_refused_with_our_page(path):
    user = UserFactory(username="zhangwei", is_superuser=True, is_staff=True)
    client = Client()
    fail(client, path, user.username, 4)
    # The fifth failure already answers with the lockout page.
    response = sign_in(client, path, user.username, "wrong-password")
    assert response.status_code == 429
    response = sign_in(client, path, user.username, PASSWORD)
    assert response.status_code == 429
    assert response["Retry-After"] == str(15 * 60)
    page = response.content.decode()
    assert 'id="sign-in-locked"' in page and locked_message() in page
    assert "15 分钟" in page
    assert not signed_in(client)


def test_the_lock_also_holds_on_the_other_form_and_in_english():
    user = UserFactory(username="liming")
    client = Client(HTTP_ACCEPT_LANGUAGE="en", headers={"Cookie": "django_language=en"})
    fail(client, PUBLIC_LOGIN, user.username, 4)
    sign_in(client, PUBLIC_LOGIN, " LiMing ", "wrong-password")  # the same name, however typed
    response = sign_in(client, ADMIN_LOGIN, user.username, PASSWORD)
    assert response.status_code == 429
    with translation.override("en"):
        assert str(SIGN_IN_LOCKED % {"minutes": 15}) in response.content.decode()
    assert not signed_in(client)


def test_a_shared_school_address_does_not_lock_out_other_teachers_nor_the_teacher_elsewhere():
    locked, colleague = UserFactory(username="wang"), UserFactory(username="zhao")
    fail(Client(), PUBLIC_LOGIN, locked.username, 4)
    assert sign_in(Client(), PUBLIC_LOGIN, locked.username, "wrong-password").status_code == 429
    colleague_client = Client()
    response = sign_in(colleague_client, PUBLIC_LOGIN, colleague.username, PASSWORD)
    assert response.status_code == 302 and signed_in(colleague_client)
    at_home = Client()
    response = sign_in(at_home, PUBLIC_LOGIN, locked.username, PASSWORD, address="172.16.0.9")
    assert response.status_code == 302 and signed_in(at_home)


def test_the_lock_lifts_after_the_cool_off():
    user = UserFactory(username="sun")
    client = Client()
    fail(client, PUBLIC_LOGIN, user.username, 4)
    assert sign_in(client, PUBLIC_LOGIN, user.username, "wrong-password").status_code == 429
    AccessAttempt.objects.update(attempt_time=timezone.now() - timedelta(minutes=16))
    response = sign_in(client, PUBLIC_LOGIN, user.username, PASSWORD)
    assert response.status_code == 302 and signed_in(client)


def test_a_success_before_the_limit_starts_the_count_again():
    user = UserFactory(username="qian")
    client = Client()
    fail(client, PUBLIC_LOGIN, user.username, 4)
    assert sign_in(client, PUBLIC_LOGIN, user.username, PASSWORD).status_code == 302
    client.logout()
    fail(client, PUBLIC_LOGIN, user.username, 4)
    assert sign_in(client, PUBLIC_LOGIN, user.username, PASSWORD).status_code == 302


def test_an_administrator_unlocks_a_teacher_with_axes_reset_username():
    user = UserFactory(username="zhou")
    client = Client()
    fail(client, PUBLIC_LOGIN, user.username, 4)
    assert sign_in(client, PUBLIC_LOGIN, user.username, "wrong-password").status_code == 429
    call_command("axes_reset_username", "zhou")
    response = sign_in(client, PUBLIC_LOGIN, user.username, PASSWORD)
    assert response.status_code == 302 and signed_in(client)


def test_the_current_password_on_the_change_form_cannot_be_guessed_either(client, monkeypatch):
    monkeypatch.setattr(ratelimit, "clock", lambda: 1_800_000_000.0)  # a window's start
    user = UserFactory(username="wu")
    client.force_login(user)
    new = {"new_password1": "a-new-pw-4-wu!", "new_password2": "a-new-pw-4-wu!"}
    for _ in range(5):
        response = client.post("/accounts/password_change/", {"old_password": "guess", **new})
        assert response.status_code == 200 and "old_password" in response.context["form"].errors
    response = client.post("/accounts/password_change/", {"old_password": PASSWORD, **new})
    assert response.status_code == 200
    with translation.override("zh-hans"):
        expected = str(OLD_PASSWORD_TOO_MANY_TRIES % {"minutes": 15})
    assert expected in response.content.decode() and "15 分钟" in expected
    user.refresh_from_db()
    assert user.check_password(PASSWORD)


def test_a_right_current_password_changes_it_after_a_few_wrong_ones(client):
    user = UserFactory(username="zheng")
    client.force_login(user)
    new = {"new_password1": "a-new-pw-4-zheng!", "new_password2": "a-new-pw-4-zheng!"}
    for _ in range(4):
        client.post("/accounts/password_change/", {"old_password": "guess", **new})
    response = client.post("/accounts/password_change/", {"old_password": PASSWORD, **new})
    assert response.status_code == 302
    user.refresh_from_db()
    assert user.check_password("a-new-pw-4-zheng!")


def test_academy_admins_see_who_is_locked_out_and_others_do_not(client):
    fail(Client(), PUBLIC_LOGIN, "zhangwei", 4)
    sign_in(Client(), PUBLIC_LOGIN, "zhangwei", "wrong-password")
    fail(Client(), PUBLIC_LOGIN, "not-yet-locked", 2, address="10.0.0.8")
    client.force_login(user_with_role(Role.ACADEMY_ADMIN, username="academy"))
    response = client.get("/admin/reports/sign-in-lockouts/")
    assert response.status_code == 200
    rows = [(attempt.username, attempt.ip_address) for attempt in response.context["object_list"]]
    assert rows == [("zhangwei", SCHOOL)]
    page = response.content.decode()
    assert "登录锁定" in page and "zhangwei" in page and "not-yet-locked" not in page
    hr = Client()
    hr.force_login(user_with_role(Role.HR, username="hr"))
    refused = hr.get("/admin/reports/sign-in-lockouts/")
    assert refused.status_code == 302 and refused.url == "/admin/"  # Wagtail's answer to PermissionDenied
    assert "sign-in-lockouts" not in hr.get("/admin/").content.decode()


def test_the_admins_password_panel_is_ours_and_limited_too(client, monkeypatch):
    monkeypatch.setattr(ratelimit, "clock", lambda: 1_800_000_000.0)
    user = UserFactory(username="editor", is_superuser=True)
    client.force_login(user)
    response = client.get("/admin/account/")
    panels = [panel for tab in response.context["panels_by_tab"].values() for panel in tab]
    assert [type(panel) for panel in panels if panel.name == "password"] == [ThrottledChangePasswordPanel]
    assert "password-old_password" in response.content.decode()
    new = {"password-new_password1": "a-new-pw-4-editor!", "password-new_password2": "a-new-pw-4-editor!"}

    def form(old):
        return ThrottledAdminPasswordChangeForm(user, {"password-old_password": old, **new}, prefix="password")

    for _ in range(5):
        assert "old_password" in form("guess").errors
    errors = form(PASSWORD).errors["old_password"]
    assert errors == [str(OLD_PASSWORD_TOO_MANY_TRIES % {"minutes": 15})]
    # Password reset stays on for the admin's sign-in page.
    assert "/admin/password_reset/" in Client().get(ADMIN_LOGIN).content.decode()


@pytest.mark.parametrize("path", [PUBLIC_LOGIN, ADMIN_LOGIN])
def test_a_username_longer_than_any_account_is_a_wrong_sign_in_not_an_error(path):
    # The forms do not limit its length; the lockout count stores at most
    # 255 characters, which PostgreSQL enforces.
    client = Client()
    response = sign_in(client, path, "教" * 5000, "wrong-password")
    assert response.status_code == 200 and not signed_in(client)
    # The admin's form refuses it before signing in is tried; ours counts it.
    assert list(AccessAttempt.objects.values_list("username", flat=True)) == (
        ["教" * ratelimit.SIGNIN_USERNAME_MAX] if path == PUBLIC_LOGIN else []
    )
