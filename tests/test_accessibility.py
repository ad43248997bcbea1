"""The public pages against WCAG 2.1 AA, checked by axe-core running
inside Debian's Chromium, at a phone's width and a desktop's, plus keyboard
use: the skip link and a visible focus ring.

Each page is loaded with realistic content (the demo home page's sections,
a teacher's ledger) so that the checks see what people see.
"""

import datetime
import json

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


@pytest.fixture
def learner():
    """A teacher part-way through a course, with a certificate and a
    research-along pairing."""
    from certificates.constants import CertificateKind
    from certificates.services import certificate_issue
    from certificates.tests.factories import CertificateTemplateFactory
    from courses.tests.factories import CoursePageFactory, EnrolmentFactory, LessonPageFactory, quiz_block, text_block
    from mentors.tests.factories import MentorFactory, proposed_pairing

    teacher = TeacherFactory(user__username="chenjing", real_name="陈静")
    course = CoursePageFactory(title="初中生物显微观察实验教学", summary="显微镜的规范使用与观察记录。")
    LessonPageFactory(parent=course, title="第1课 显微镜的结构", slug="a11y-1", body=json.dumps([text_block()]))
    lesson = LessonPageFactory(parent=course, title="第2课 单元测验", slug="a11y-2",
                               body=json.dumps([text_block(), quiz_block()]))
    EnrolmentFactory(course=course, teacher=teacher)
    CertificateTemplateFactory(kind=CertificateKind.COURSE_COMPLETION, is_default=True)
    certificate = certificate_issue(kind=CertificateKind.COURSE_COMPLETION, holder=teacher, subject_object=course,
                                    hours="8", notify=False).certificate
    proposed_pairing(teacher_profile=teacher, mentor=MentorFactory())
    return {"course_url": course.url, "lesson_url": f"/learn/{lesson.pk}/",
            "verify_url": f"/certificates/v/{certificate.token}/"}


def test_learning_pages_meet_wcag_aa_at_phone_and_desktop_widths(
    live_server, learner, browser_page, axe_violations, artifacts_dir
):
    page = browser_page
    page.goto(live_server.url + "/accounts/login/")
    page.get_by_label("用户名").fill("chenjing")
    page.get_by_label("密码").fill(PASSWORD)
    page.locator("main").get_by_role("button", name="登录").click()
    page.wait_for_url(live_server.url + "/")
    for name, path in [
        ("catalogue", "/courses/"),
        ("course", learner["course_url"]),
        ("lesson", learner["lesson_url"]),
        ("my-learning", "/my/learning/"),
        ("my-certificates", "/my/certificates/"),
        ("research-along", "/research-along/"),
        ("mentor-directory", "/research-along/mentors/"),
        ("checkin", "/checkin/"),
        ("verification", learner["verify_url"]),
        ("verify-form", "/certificates/verify/"),
    ]:
        page.goto(live_server.url + path)
        assert page.locator("main h1").count() >= 1, name
        check_at_both_widths(page, axe_violations, artifacts_dir, name)
