"""The public pages, the learner's pages and the admin's own screens
against WCAG 2.1 AA, checked by axe-core running inside Debian's Chromium,
at a phone's width and a desktop's, plus keyboard use: the skip link and a
visible focus ring. Every page is checked in the default, Chinese UI.

Each page is loaded with realistic content (the demo home page's sections,
a teacher's ledger, the demo academy behind the admin screens) so that the
checks see what people see.
"""

import datetime
import io
import json
import re

import pytest
from django.utils import timezone

from lms.constants import CreditCategory
from lms.ledger.services import credit_record
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


# How much of <main> is cut off at the side, and its height where it
# scrolls itself: Wagtail's admin scrolls inside <main> and hides what is
# wider than it.
MAIN_OVERFLOW = """() => {
    const main = document.querySelector('main');
    if (!main) { return [0, 0]; }
    return [main.scrollWidth - main.clientWidth, main.scrollHeight > main.clientHeight ? main.scrollHeight : 0];
}"""


def check_at_both_widths(page, axe_violations, artifacts_dir, name, cut_off_ok=False):
    """axe's WCAG 2.1 AA rules at both widths, nothing scrolled sideways or
    cut off (unless ``cut_off_ok``), and a screenshot of the whole page at
    each."""
    for label, viewport in WIDTHS.items():
        page.set_viewport_size(viewport)
        violations = axe_violations(page)
        assert violations == [], f"{name} at {label} width:\n" + "\n".join(violations)
        scroll = page.evaluate("() => document.documentElement.scrollWidth - window.innerWidth")
        assert scroll <= 0, f"{name} scrolls sideways by {scroll}px at {label} width"
        cut_off, height = page.evaluate(MAIN_OVERFLOW)
        if not cut_off_ok:
            assert cut_off <= 0, f"{name} cuts {cut_off}px off the side of its content at {label} width"
        if height:  # the admin's page is as tall as the window: show all of <main>
            page.set_viewport_size({"width": viewport["width"], "height": min(height, 8000)})
        page.screenshot(path=str(artifacts_dir / f"a11y-{name}-{viewport['width']}.png"), full_page=True)
    page.set_viewport_size(WIDTHS["desktop"])


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


COHORT_NAME = "济南市科学教育学科带头人培养对象（第一批）"


@pytest.fixture
def learner():
    """A teacher part-way through a course, with a certificate, a
    research-along pairing and a cohort membership that meets one of its two
    requirements."""
    from certificates.constants import CertificateKind
    from certificates.services import certificate_issue
    from certificates.tests.factories import CertificateTemplateFactory
    from courses.tests.factories import CoursePageFactory, EnrolmentFactory, LessonPageFactory, quiz_block, text_block
    from lms.constants import MembershipStatus
    from lms.tests.factories import (
        CohortAssessmentFactory,
        CohortFactory,
        CohortHoursRequirementFactory,
        CohortMembershipFactory,
    )
    from mentors.tests.factories import MentorFactory, proposed_pairing

    teacher = TeacherFactory(user__username="chenjing", real_name="陈静")
    today = timezone.localdate()
    cohort = CohortFactory(name=COHORT_NAME, intake_year=today.year, period_start=datetime.date(today.year, 1, 1),
                           period_end=datetime.date(today.year, 12, 31))
    CohortHoursRequirementFactory(cohort=cohort, hours=12)
    CohortAssessmentFactory(cohort=cohort)
    CohortMembershipFactory(cohort=cohort, teacher=teacher, status=MembershipStatus.IN_TRAINING)
    credit_record(teacher=teacher, category=CreditCategory.OFFLINE_WORKSHOP, hours="16", source_key="a11y:cohort",
                  occurred_on=today, evidence_label="学科带头人集中研修")
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
        ("my-cohorts", "/my/cohorts/"),
    ]:
        page.goto(live_server.url + path)
        assert page.locator("main h1").count() >= 1, name
        check_at_both_widths(page, axe_violations, artifacts_dir, name)
    # The cohort page shows the member's progress: the hours are met, the assessment is not.
    assert page.get_by_role("heading", name=COHORT_NAME).is_visible()
    assert page.get_by_text("已达到 1 / 2 项要求").is_visible()
    assert page.locator(".cohort-status").inner_text() == "培养中"


@pytest.fixture
def demo_academy():
    """The demo academy, small: every admin screen below has rows to show.
    Its accounts share DEMO_PASSWORD."""
    from django.core.management import call_command

    from certificates.constants import CertificateKind
    from certificates.services import template_default
    from courses.models import CoursePage
    from lms.constants import CohortKind
    from lms.models import Cohort, CohortMembership

    call_command("seed_demo", "--teachers", "40", stdout=io.StringIO())
    cohort = Cohort.objects.get(kind=CohortKind.SUBJECT_LEADER)
    course = CoursePage.objects.filter(owner__username="trainer", enrolments__isnull=False).distinct().order_by("path")[0]
    return {
        "cohort": cohort,
        "membership": CohortMembership.objects.get(cohort=cohort, teacher__user__username="teacher"),
        "course": course,
        "qualification_template": str(template_default(CertificateKind.COHORT_QUALIFICATION).pk),
    }


@pytest.fixture
def admin_page(chromium_browser, live_server):
    """A page signed in to the admin as one of the demo accounts, each in
    its own browser context."""
    from lms.demo.accounts import DEMO_PASSWORD

    contexts = []

    def sign_in(username):
        context = chromium_browser.new_context(viewport=WIDTHS["desktop"])
        contexts.append(context)
        page = context.new_page()
        page.set_default_timeout(15_000)
        page.goto(live_server.url + "/admin/login/")
        page.get_by_label("用户名").fill(username)
        page.get_by_label("密码").fill(DEMO_PASSWORD)
        page.get_by_role("button", name="登录").click()
        page.wait_for_url(live_server.url + "/admin/")
        return page

    yield sign_in
    for context in contexts:
        context.close()


def check_admin_screens(page, live_server, axe_violations, artifacts_dir, screens):
    for name, path, heading, *cut_off_ok in screens:
        page.goto(live_server.url + path)
        assert page.locator("main h1").first.inner_text().strip().startswith(heading), name
        check_at_both_widths(page, axe_violations, artifacts_dir, name, cut_off_ok=bool(cut_off_ok))


# Wagtail's generic listings cut off their widest columns at a phone's width
# rather than scroll them: Wagtail's own layout, checked by axe all the same.
WAGTAIL_LISTING = True


def test_the_admin_screens_meet_wcag_aa_at_phone_and_desktop_widths(
    live_server, demo_academy, browser_page, admin_page, axe_violations, artifacts_dir
):
    """The Wagtail admin with the academy's branding, and the academy's own
    screens in it, each for a role that uses it."""
    cohort, membership, course = demo_academy["cohort"], demo_academy["membership"], demo_academy["course"]
    browser_page.goto(live_server.url + "/admin/login/")
    assert browser_page.get_by_role("heading", name="登录济南市科学教育教师网络研修学院").is_visible()
    check_at_both_widths(browser_page, axe_violations, artifacts_dir, "admin-login")

    academy = admin_page("academy")
    check_admin_screens(academy, live_server, axe_violations, artifacts_dir, [
        ("admin-home", "/admin/", "济南市科学教育教师网络研修学院"),
        ("admin-dashboard", "/admin/dashboard/", "数据看板"),
        ("admin-cohorts", "/admin/talent-cohorts/", "人才培养项目"),
        ("admin-roster", f"/admin/talent-cohorts/{cohort.pk}/roster/", f"成员名单：{cohort.name}"),
        ("admin-membership", f"/admin/talent-cohorts/members/{membership.pk}/", f"张伟 · {cohort.name}"),
        ("admin-nominate", "/admin/talent-cohorts/nominate/", "提名教师"),
        ("admin-assessment-import", f"/admin/talent-cohorts/{cohort.pk}/import/", f"导入考核结果：{cohort.name}"),
        ("admin-talent-registry", "/admin/talent-registry/", "培养项目成员", WAGTAIL_LISTING),
        ("admin-people-import", "/admin/people-imports/", "人员导入"),
        ("admin-research-along-report", "/admin/research-along/report/", "科研跟学报表"),
        ("admin-pairings", "/admin/research_pairings/", "科研跟学结对", WAGTAIL_LISTING),
        ("admin-mentors", "/admin/research_mentors/", "导师", WAGTAIL_LISTING),
    ])
    # A chart's bars still open the ledger entries behind them, for a mouse.
    academy.goto(live_server.url + "/admin/dashboard/")
    academy.locator(".lms-bars .lms-chart__link").first.click()
    academy.wait_for_url(re.compile(r"/admin/ledger-entries/\?"))

    trainer = admin_page("trainer")
    check_admin_screens(trainer, live_server, axe_violations, artifacts_dir, [
        ("admin-course-reports", "/admin/course-reports/", "课程报表"),
        ("admin-course-report", f"/admin/course-reports/{course.pk}/", course.title),
    ])

    # HR bulk-issues the cohort's qualification certificates and watches the progress page.
    hr = admin_page("hr")
    check_admin_screens(hr, live_server, axe_violations, artifacts_dir, [
        ("admin-bulk-issue", "/admin/certificate-actions/batches/", "批量颁发证书"),
    ])
    hr.locator("#id_template").select_option(demo_academy["qualification_template"])
    hr.locator("#id_cohort").select_option(str(cohort.pk))
    hr.get_by_role("button", name="开始批量颁发").click()
    hr.wait_for_url(re.compile(r"/admin/certificate-actions/batches/\d+/$"))
    assert hr.get_by_text("批量颁发已开始，本页面显示其进度。").is_visible()
    assert hr.locator("main h1").inner_text().startswith("批量颁发：")
    check_at_both_widths(hr, axe_violations, artifacts_dir, "admin-bulk-issue-progress")
