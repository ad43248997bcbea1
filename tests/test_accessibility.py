"""The public pages against WCAG 2.1 AA, checked by axe-core running
inside Debian's Chromium, at a phone's width and a desktop's, plus keyboard
use: the skip link and a visible focus ring.

Each page is loaded with realistic content (the demo home page's sections,
a teacher's ledger) so that the checks see what people see.
"""

import datetime

import pytest
from django.utils import timezone

from lms.constants import CreditCategory
from lms.ledger import credit_record
from lms.tests.factories import TeacherFactory
from themes.seeding import home_page_demo_seed

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

PASSWORD = "pw-for-tests-1"  # UserFactory's password
WIDTHS = {"phone": {"width": 375, "height": 740}, "desktop": {"width": 1280, "height": 800}}


@pytest.fixture
def teacher_with_hours():
    teacher = TeacherFactory(user__username="wangfang", real_name="王芳")
    today = timezone.localdate()
    for n, category in enumerate([CreditCategory.ONLINE_COURSE, CreditCategory.OFFLINE_WORKSHOP]):
        credit_record(teacher=teacher, category=category, hours="6", source_key=f"a11y:{n}",
                      occurred_on=today - datetime.timedelta(days=n), evidence_label="初中物理实验教学能力提升")
    return teacher


@pytest.fixture
def demo_home():
    return home_page_demo_seed()


@pytest.fixture
def browser_page(chromium_browser):
    context = chromium_browser.new_context(viewport=WIDTHS["desktop"])
    page = context.new_page()
    page.set_default_timeout(10_000)
    yield page
    context.close()


def check_at_both_widths(page, axe_violations, artifacts_dir, name):
    for label, viewport in WIDTHS.items():
        page.set_viewport_size(viewport)
        violations = axe_violations(page)
        assert violations == [], f"{name} at {label} width:\n" + "\n".join(violations)
        scroll = page.evaluate("() => document.documentElement.scrollWidth - window.innerWidth")
        assert scroll <= 0, f"{name} scrolls sideways by {scroll}px at {label} width"
        page.screenshot(path=str(artifacts_dir / f"a11y-{name}-{viewport['width']}.png"), full_page=True)


def test_public_pages_meet_wcag_aa_at_phone_and_desktop_widths(
    live_server, demo_home, teacher_with_hours, browser_page, axe_violations, artifacts_dir
):
    page = browser_page
    page.goto(live_server.url + "/")
    assert page.get_by_role("heading", name="通知公告").is_visible()
    assert page.get_by_role("heading", name="全市培训目标进展").is_visible()
    check_at_both_widths(page, axe_violations, artifacts_dir, "home")

    page.goto(live_server.url + "/accounts/login/")
    check_at_both_widths(page, axe_violations, artifacts_dir, "login")
    page.get_by_label("用户名").fill("wangfang")
    page.get_by_label("密码").fill(PASSWORD)
    page.locator("main").get_by_role("button", name="登录").click()
    page.wait_for_url(live_server.url + "/")
    check_at_both_widths(page, axe_violations, artifacts_dir, "home-signed-in")

    page.locator("nav.main-nav").get_by_role("link", name="我的学时").click()
    page.wait_for_url(live_server.url + "/my/hours/")
    assert page.get_by_text("初中物理实验教学能力提升").first.is_visible()
    check_at_both_widths(page, axe_violations, artifacts_dir, "my-hours")

    page.goto(live_server.url + "/accounts/password_reset/")
    check_at_both_widths(page, axe_violations, artifacts_dir, "password-reset")


def test_keyboard_users_can_skip_to_the_content_and_see_where_focus_is(live_server, demo_home, browser_page):
    page = browser_page
    page.goto(live_server.url + "/")
    page.keyboard.press("Tab")
    skip = page.get_by_role("link", name="跳到主要内容")
    assert skip.evaluate("element => element === document.activeElement")
    assert skip.is_visible()  # off-screen until focused, then shown
    page.keyboard.press("Enter")
    assert page.url.endswith("#main")

    # Every focusable element in the header shows a focus ring.
    page.goto(live_server.url + "/")
    for _ in range(4):
        page.keyboard.press("Tab")
        outline = page.evaluate(
            "() => { const s = getComputedStyle(document.activeElement); return [s.outlineStyle, s.outlineWidth]; }"
        )
        assert outline[0] != "none" and outline[1] != "0px", outline
