"""A teacher's first visit, in a real browser (Debian's Chromium through
Playwright): Chinese by default, log in, switch to English, log out; the
pages fit a 375 px phone screen. Plus the branded Wagtail admin login.

Screenshots land in ``test-artifacts/`` for a human to look at.

The live server runs in another thread, so these tests commit to the test
database (``transaction=True``); ``serialized_rollback`` puts back the rows
the migrations created (districts, the home page, the site) for the tests
that run afterwards.
"""

import re

import pytest

from lms.tests.factories import TeacherFactory, UserFactory
from tests.browser import DESKTOP, PASSWORD, screenshots

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

ACADEMY_NAME = "济南市科学教育教师网络研修学院"


def cjk_glyphs_render(page):
    """True when Chinese text is drawn with a real font. Without one every
    character is the same "tofu" box, so two different characters would
    produce identical pixels."""
    return page.evaluate(
        """() => {
            const font = '32px ' + getComputedStyle(document.body).fontFamily;
            const pixels = (text) => {
                const canvas = document.createElement('canvas');
                canvas.width = canvas.height = 40;
                const ctx = canvas.getContext('2d');
                ctx.font = font;
                ctx.fillText(text, 2, 32);
                return Array.from(ctx.getImageData(0, 0, 40, 40).data).join(',');
            };
            const blank = pixels('');
            const a = pixels('济'), b = pixels('学');
            return a !== blank && b !== blank && a !== b;
        }"""
    )


@pytest.fixture
def teacher():
    return TeacherFactory(user__username="zhangwei", real_name="张伟")


@pytest.fixture
def page_in_english_browser(chromium_browser):
    """A page whose browser asks for English: the academy must still answer in Chinese."""
    context = chromium_browser.new_context(viewport=DESKTOP, locale="en-US")
    page = context.new_page()
    page.set_default_timeout(10_000)
    yield page
    context.close()


def test_teacher_logs_in_switches_language_and_logs_out(live_server, teacher, page_in_english_browser, artifacts_dir):
    page = page_in_english_browser

    # The home page, in Chinese although the browser asks for English.
    page.goto(live_server.url + "/")
    assert page.locator("html").get_attribute("lang") == "zh-CN"
    assert page.locator("h1").inner_text() == ACADEMY_NAME
    assert page.get_by_role("link", name="登录开始学习").is_visible()
    assert cjk_glyphs_render(page)
    screenshots(page, artifacts_dir, "home-zh")

    # Log in through the form.
    page.locator(".account-nav").get_by_role("link", name="登录", exact=True).click()
    page.wait_for_url(re.compile(r"/accounts/login/$"))
    assert page.locator("h1").inner_text() == "登录"
    screenshots(page, artifacts_dir, "login-zh")
    page.get_by_label("用户名").fill("zhangwei")
    page.get_by_label("密码").fill(PASSWORD)
    page.locator("main").get_by_role("button", name="登录").click()
    page.wait_for_url(live_server.url + "/")

    # Their name is in the header.
    assert page.locator(".site-header .who").inner_text() == "张伟"
    assert page.get_by_role("button", name="退出登录").is_visible()
    screenshots(page, artifacts_dir, "home-zh-logged-in")

    # Switch to English with the switcher.
    page.select_option("#language-select", "en")
    page.get_by_role("button", name="切换").click()
    page.wait_for_function("document.documentElement.lang === 'en'")
    assert page.locator(".site-header .who").inner_text() == "张伟"
    assert page.get_by_role("button", name="Log out").is_visible()
    assert page.get_by_role("link", name="Change password").is_visible()
    assert page.locator("#language-select").input_value() == "en"
    assert "Skip to main content" in page.content()
    screenshots(page, artifacts_dir, "home-en-logged-in")

    # Log out: back on the home page, still in English.
    page.get_by_role("button", name="Log out").click()
    page.wait_for_selector(".site-header >> text=Log in")
    assert page.locator(".site-header .who").count() == 0
    assert page.get_by_role("link", name="Log in to start learning").is_visible()
    screenshots(page, artifacts_dir, "home-en")


def test_password_reset_page_fits_a_phone(live_server, page_in_english_browser, artifacts_dir):
    page = page_in_english_browser
    page.goto(live_server.url + "/accounts/password_reset/")
    assert page.locator("h1").inner_text() == "重置密码"
    screenshots(page, artifacts_dir, "password-reset-zh")


@pytest.fixture
def superuser():
    # Created before the browser starts: Playwright's event loop makes Django
    # refuse ORM calls from the test body.
    return UserFactory(username="academy", is_superuser=True, is_staff=True)


def test_wagtail_admin_login_shows_the_academy_name(live_server, superuser, page_in_english_browser, artifacts_dir):
    page = page_in_english_browser

    page.goto(live_server.url + "/admin/login/")
    assert page.locator("h1").inner_text() == f"登录{ACADEMY_NAME}"
    assert page.title().endswith(ACADEMY_NAME)
    assert page.locator("label[for=id_password]").inner_text().startswith("密码")
    hue = page.evaluate("getComputedStyle(document.documentElement).getPropertyValue('--w-color-secondary-hue')")
    assert hue.strip() == "209.6"  # from the default brand colour #0b5cab
    screenshots(page, artifacts_dir, "admin-login-zh")

    page.locator("#id_username").fill("academy")
    page.locator("#id_password").fill(PASSWORD)
    page.locator("form.login-form button[type=submit]").click()
    page.wait_for_url(live_server.url + "/admin/")
    assert page.title().endswith(ACADEMY_NAME)
    assert ACADEMY_NAME in page.locator("h1").first.inner_text()
    page.screenshot(path=str(artifacts_dir / "admin-dashboard-1280.png"))
