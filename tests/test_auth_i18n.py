"""Login, logout, password change and password reset on the academy's own
pages, in Simplified Chinese (the default) and English (chosen with the
language switcher)."""

import re

import pytest
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core import mail

from lms.tests.factories import TeacherFactory

pytestmark = pytest.mark.django_db

PASSWORD = "pw-for-tests-1"  # UserFactory's password
NEW_PASSWORD = "Quartz-Lantern-2026"
ACADEMY_NAME = "济南市科学教育教师网络研修学院"

LOGIN_URL = "/accounts/login/"
LOGOUT_URL = "/accounts/logout/"
PASSWORD_CHANGE_URL = "/accounts/password_change/"
PASSWORD_RESET_URL = "/accounts/password_reset/"


@pytest.fixture
def teacher():
    return TeacherFactory(user__username="zhangwei", user__email="zhangwei@example.cn", real_name="张伟")


def choose_language(client, code, next_url="/"):
    response = client.post("/i18n/setlang/", {"language": code, "next": next_url})
    assert response.status_code == 302
    assert response["Location"] == next_url
    assert client.cookies[settings.LANGUAGE_COOKIE_NAME].value == code
    return response


def text(response):
    return response.content.decode()


def log_in(client, username, password, **extra):
    return client.post(LOGIN_URL, {"username": username, "password": password, **extra})


# Language ------------------------------------------------------------------


def test_default_language_is_chinese_even_for_an_english_browser(client):
    response = client.get(LOGIN_URL, HTTP_ACCEPT_LANGUAGE="en-GB,en;q=0.9")

    assert response.status_code == 200
    assert response["Content-Language"] == "zh-hans"
    body = text(response)
    assert '<html lang="zh-CN">' in body
    assert "<h1>登录</h1>" in body
    assert "Log in" not in body


def test_home_page_is_chinese_by_default(client):
    response = client.get("/", HTTP_ACCEPT_LANGUAGE="en")

    body = text(response)
    assert response.status_code == 200
    assert f"<h1>{ACADEMY_NAME}</h1>" in body
    assert "登录开始学习" in body
    assert "跳到主要内容" in body


def test_language_switcher_switches_to_english_and_back(client):
    body = text(client.get("/"))
    assert 'action="/i18n/setlang/"' in body
    assert '<option value="en" lang="en">English</option>' in body

    choose_language(client, "en", next_url=LOGIN_URL)
    response = client.get(LOGIN_URL)
    body = text(response)
    assert response["Content-Language"] == "en"
    assert '<html lang="en">' in body
    assert "<h1>Log in</h1>" in body
    assert "Forgotten your password?" in body
    assert "登录" not in body

    choose_language(client, "zh-hans", next_url=LOGIN_URL)
    body = text(client.get(LOGIN_URL, HTTP_ACCEPT_LANGUAGE="en"))
    assert '<html lang="zh-CN">' in body
    assert "<h1>登录</h1>" in body
    assert "忘记密码？" in body


def test_unknown_language_cookie_falls_back_to_chinese(client):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "fr"
    assert "<h1>登录</h1>" in text(client.get(LOGIN_URL))


# Log in and out --------------------------------------------------------------


@pytest.mark.parametrize(
    "language, expected",
    [
        ("zh-hans", ["<h1>登录</h1>", "用户名", "密码", "忘记密码？", "语言"]),
        ("en", ["<h1>Log in</h1>", "Username", "Password", "Forgotten your password?", "Language"]),
    ],
)
def test_login_page_renders(client, language, expected):
    choose_language(client, language)
    response = client.get(LOGIN_URL)

    assert response.status_code == 200
    body = text(response)
    for snippet in expected:
        assert snippet in body
    assert 'name="username"' in body
    assert 'name="password"' in body
    assert 'href="/accounts/password_reset/"' in body


@pytest.mark.parametrize(
    "language, error",
    [
        ("zh-hans", "请输入一个正确的用户名和密码。注意，两者都区分大小写。"),
        ("en", "Please enter a correct username and password. Note that both fields may be case-sensitive."),
    ],
)
def test_wrong_password_shows_the_translated_error(client, teacher, language, error):
    choose_language(client, language)
    response = log_in(client, "zhangwei", "not-the-password")

    assert response.status_code == 200
    body = text(response)
    assert error in body
    assert body.count('role="alert"') == 1
    assert "_auth_user_id" not in client.session


def test_login_redirects_and_shows_the_teachers_name(client, teacher):
    response = log_in(client, "zhangwei", PASSWORD)

    assert response.status_code == 302
    assert response["Location"] == settings.LOGIN_REDIRECT_URL
    body = text(client.get("/"))
    assert '<span class="who">张伟</span>' in body
    assert "退出登录" in body
    assert "修改密码" in body
    assert "登录开始学习" not in body


def test_login_follows_a_safe_next_url_only(client, teacher):
    response = log_in(client, "zhangwei", PASSWORD, next=PASSWORD_CHANGE_URL)
    assert response["Location"] == PASSWORD_CHANGE_URL

    client.post(LOGOUT_URL)
    response = log_in(client, "zhangwei", PASSWORD, next="https://evil.example.com/")
    assert response["Location"] == settings.LOGIN_REDIRECT_URL


def test_logout_is_a_post_and_returns_to_the_home_page(client, teacher):
    client.force_login(teacher.user)
    assert client.get(LOGOUT_URL).status_code == 405  # a link must not log people out

    response = client.post(LOGOUT_URL)

    assert response.status_code == 302
    assert response["Location"] == settings.LOGOUT_REDIRECT_URL
    body = text(client.get("/"))
    assert "张伟" not in body
    assert "登录开始学习" in body


def test_logout_keeps_the_chosen_language(client, teacher):
    choose_language(client, "en")
    client.force_login(teacher.user)
    client.post(LOGOUT_URL)
    body = text(client.get("/"))
    assert "Log in to start learning" in body


# Password change ---------------------------------------------------------------


def test_password_change_needs_login(client):
    response = client.get(PASSWORD_CHANGE_URL)
    assert response.status_code == 302
    assert response["Location"] == f"{LOGIN_URL}?next={PASSWORD_CHANGE_URL}"


@pytest.mark.parametrize(
    "language, labels, wrong_old, done",
    [
        ("zh-hans", ["<h1>修改密码</h1>", "旧密码", "新密码", "新密码确认"], "你的旧密码不正确。请重新输入。", "您的密码已修改成功。"),
        (
            "en",
            ["<h1>Change password</h1>", "Old password", "New password", "New password confirmation"],
            "Your old password was entered incorrectly. Please enter it again.",
            "Your password was changed.",
        ),
    ],
)
def test_password_change(client, teacher, language, labels, wrong_old, done):
    choose_language(client, language)
    assert log_in(client, "zhangwei", PASSWORD).status_code == 302

    body = text(client.get(PASSWORD_CHANGE_URL))
    for label in labels:
        assert label in body

    response = client.post(
        PASSWORD_CHANGE_URL,
        {"old_password": "wrong", "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
    )
    assert response.status_code == 200
    assert wrong_old in text(response)

    response = client.post(
        PASSWORD_CHANGE_URL,
        {"old_password": PASSWORD, "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
        follow=True,
    )
    assert response.redirect_chain[-1][0] == "/accounts/password_change/done/"
    assert done in text(response)
    # Django keeps the session valid after a password change.
    assert '<span class="who">张伟</span>' in text(response)

    client.post(LOGOUT_URL)
    assert log_in(client, "zhangwei", PASSWORD).status_code == 200  # the old one no longer works
    assert log_in(client, "zhangwei", NEW_PASSWORD).status_code == 302


# Password reset ----------------------------------------------------------------

RESET_TEXT = {
    "zh-hans": {
        "form": ["<h1>重置密码</h1>", "电子邮件", "请输入您账号绑定的电子邮箱"],
        "done": "如果您输入的电子邮箱已绑定账号",
        "subject": f"重置{ACADEMY_NAME}账号密码",
        "body": [f"您申请重置{ACADEMY_NAME}的账号密码。", "请打开以下页面设置新密码：", "您的用户名：zhangwei"],
        "confirm": ["<h1>设置新密码</h1>", "新密码", "新密码确认"],
        "complete": "新密码已设置成功，现在可以登录了。",
        "invalid": "该密码重置链接无效",
    },
    "en": {
        "form": ["<h1>Reset your password</h1>", "Email", "Enter the email address of your account"],
        "done": "emailed you instructions for setting your password",
        "subject": f"Reset your password for {ACADEMY_NAME}",
        "body": [
            f"You asked to reset your password for {ACADEMY_NAME}.",
            "Open this page and choose a new password:",
            "Your username: zhangwei",
        ],
        "confirm": ["<h1>Set a new password</h1>", "New password", "New password confirmation"],
        "complete": "Your password has been set. You may go ahead and log in now.",
        "invalid": "This password reset link is invalid",
    },
}


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_password_reset_by_email(client, teacher, language):
    expected = RESET_TEXT[language]
    choose_language(client, language)

    body = text(client.get(PASSWORD_RESET_URL))
    for snippet in expected["form"]:
        assert snippet in body

    response = client.post(PASSWORD_RESET_URL, {"email": "zhangwei@example.cn"}, follow=True)
    assert response.redirect_chain[-1][0] == "/accounts/password_reset/done/"
    assert expected["done"] in text(response)

    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["zhangwei@example.cn"]
    assert message.subject == expected["subject"]
    for snippet in expected["body"]:
        assert snippet in message.body
    match = re.search(r"http://testserver(/accounts/reset/[^/\s]+/[^/\s]+/)", message.body)
    assert match, message.body
    link = match.group(1)

    # Django swaps the token for a session key and redirects to .../set-password/.
    response = client.get(link, follow=True)
    assert response.redirect_chain[-1][0].endswith("/set-password/")
    body = text(response)
    for snippet in expected["confirm"]:
        assert snippet in body

    response = client.post(
        response.redirect_chain[-1][0],
        {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
        follow=True,
    )
    assert response.redirect_chain[-1][0] == "/accounts/reset/done/"
    assert expected["complete"] in text(response)

    # The link is single-use, and the new password works.
    assert expected["invalid"] in text(client.get(link, follow=True))
    assert log_in(client, "zhangwei", NEW_PASSWORD).status_code == 302
    assert get_user_model().objects.get(username="zhangwei").check_password(NEW_PASSWORD)


def test_password_reset_for_an_unknown_email_sends_nothing_and_reveals_nothing(client, teacher):
    response = client.post(PASSWORD_RESET_URL, {"email": "nobody@example.cn"}, follow=True)

    assert response.redirect_chain[-1][0] == "/accounts/password_reset/done/"
    assert "如果您输入的电子邮箱已绑定账号" in text(response)
    assert mail.outbox == []


def test_password_reset_rejects_a_mismatched_new_password(client, teacher):
    client.post(PASSWORD_RESET_URL, {"email": "zhangwei@example.cn"})
    link = re.search(r"http://testserver(/accounts/reset/\S+/)", mail.outbox[0].body).group(1)
    set_password_url = client.get(link)["Location"]

    response = client.post(set_password_url, {"new_password1": NEW_PASSWORD, "new_password2": "something-else"})

    assert response.status_code == 200
    assert "输入的两个密码不一致。" in text(response)
    assert get_user_model().objects.get(username="zhangwei").check_password(PASSWORD)


# The Wagtail admin's login -------------------------------------------------------


def test_wagtail_admin_login_page_carries_the_academy_branding(client):
    response = client.get("/admin/login/", HTTP_ACCEPT_LANGUAGE="en")

    assert response.status_code == 200
    body = text(response)
    assert f"<h1>登录{ACADEMY_NAME}</h1>" in body
    assert re.search(rf"<title>.* - {ACADEMY_NAME}</title>", body)
    assert "/static/themes/academy-mark.svg" in body
    assert "--w-color-secondary-hue: 209.6;" in body  # the default brand colour #0b5cab
    # Wagtail leaves the password field without a label; ours is translated.
    assert re.search(r'<label class="w-field__label" for="id_password"[^>]*>\s*密码', body)

    choose_language(client, "en")
    body = text(client.get("/admin/login/"))
    assert f"<h1>Sign in to {ACADEMY_NAME}</h1>" in body


@pytest.mark.parametrize(
    "typed, brand, hue",
    [("#C00", "#cc0000", "0.0"), ("1a7f37", "#1a7f37", "137.2"), ("};</st", "#0b5cab", "209.6")],
)
def test_brand_colour_comes_from_the_branding_setting_and_is_sanitised(client, typed, brand, hue):
    from wagtail.models import Site

    from themes.models import BrandingSettings

    branding = BrandingSettings.for_site(Site.objects.get(is_default_site=True))
    branding.primary_colour = typed
    branding.save()

    assert f"--brand: {brand};" in text(client.get("/"))
    body = text(client.get("/admin/login/"))
    assert f"--w-color-secondary-hue: {hue};" in body
    assert "<script>" not in body


def test_sign_in_pages_survive_a_missing_default_site(client):
    """An editor can break the Sites setup; the admin login (where they would
    fix it) and the site's login must still render, with the default name."""
    from wagtail.models import Site

    Site.objects.update(is_default_site=False)

    assert f"<h1>登录{ACADEMY_NAME}</h1>" in text(client.get("/admin/login/"))
    assert "<h1>登录</h1>" in text(client.get(LOGIN_URL))
