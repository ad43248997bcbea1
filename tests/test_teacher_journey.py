"""A teacher's whole journey through the academy, in Debian's Chromium:
find a course through the catalogue's search and filters, enrol, work
through its lessons and quiz, see the hours on "my hours", download the
completion certificate and open its verification page from the URL in the
certificate's QR code.

The live server runs in another thread with Celery tasks run eagerly, so
the certificate the completion queues is issued as soon as the completion
commits, as a worker would shortly after.
"""

import io
import json
import re
from urllib.parse import urlparse

import pytest
from django.utils import timezone

from certificates.constants import CertificateKind
from certificates.tests.factories import CertificateTemplateFactory
from certificates.tests.pdf import pdf_images, pdf_text, zbar_decode
from courses.constants import CourseMode
from courses.tests.factories import CoursePageFactory, LessonPageFactory, quiz_block, text_block
from lms.constants import Stage, Subject
from lms.tests.factories import TeacherFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

PASSWORD = "pw-for-tests-1"  # UserFactory's password
PHONE = {"width": 375, "height": 740}
DESKTOP = {"width": 1280, "height": 800}
COURSE_TITLE = "初中物理浮力实验教学"


@pytest.fixture
def academy():
    """Created before the browser starts: Playwright's event loop makes
    Django refuse ORM calls from the test body."""
    CertificateTemplateFactory(kind=CertificateKind.COURSE_COMPLETION, is_default=True)
    course = CoursePageFactory(
        title=COURSE_TITLE, slug="buoyancy-lab", subject=Subject.PHYSICS, stage=Stage.JUNIOR,
        mode=CourseMode.ONLINE, credit_hours="6", requires_lessons=True, requires_quizzes=True,
        search_description="用自制器材开展浮力探究实验的教学设计。",
    )
    LessonPageFactory(parent=course, title="第1课 浮力从哪里来", slug="lesson-1",
                      body=json.dumps([text_block("<p>阿基米德原理的探究。</p>")]))
    LessonPageFactory(parent=course, title="第2课 单元测验", slug="lesson-2",
                      body=json.dumps([text_block("<p>完成测验。</p>"), quiz_block(title="浮力单元测验")]))
    # Another course the filters must leave out.
    CoursePageFactory(title="小学科学探究式教学设计", slug="inquiry", subject=Subject.SCIENCE, stage=Stage.PRIMARY)
    teacher = TeacherFactory(user__username="liuyang", real_name="刘洋")
    return {"course": course, "teacher": teacher, "today": timezone.localdate().isoformat()}


@pytest.fixture
def page(chromium_browser):
    context = chromium_browser.new_context(viewport=DESKTOP, accept_downloads=True)
    page = context.new_page()
    page.set_default_timeout(15_000)
    yield page
    context.close()


def shot(page, artifacts_dir, name):
    for viewport in (PHONE, DESKTOP):
        page.set_viewport_size(viewport)
        scroll = page.evaluate("() => document.documentElement.scrollWidth - window.innerWidth")
        assert scroll <= 0, f"{name} scrolls sideways at {viewport['width']} px"
        page.screenshot(path=str(artifacts_dir / f"journey-{name}-{viewport['width']}.png"), full_page=True)


def test_a_teacher_finds_a_course_completes_it_and_verifies_the_certificate(
    live_server, academy, page, artifacts_dir, axe_violations
):
    page.context.add_cookies([{"name": "django_language", "value": "en", "url": live_server.url}])

    # Sign in.
    page.goto(live_server.url + "/accounts/login/")
    page.get_by_label("Username").fill("liuyang")
    page.get_by_label("Password").fill(PASSWORD)
    page.locator("main").get_by_role("button", name="Log in").click()
    page.wait_for_url(live_server.url + "/")

    # Find the course: search and filter in the catalogue.
    page.locator("nav.main-nav").get_by_role("link", name="Courses").click()
    page.get_by_label("Search").fill("浮力")
    page.get_by_label("Subject").select_option(label="Physics")
    page.get_by_role("button", name="Find courses").click()
    page.wait_for_url(re.compile(r"q=%E6%B5%AE%E5%8A%9B"))
    results = page.locator("main")
    assert results.get_by_role("link", name=COURSE_TITLE).is_visible()
    assert results.get_by_text("小学科学探究式教学设计").count() == 0
    shot(page, artifacts_dir, "catalogue")
    assert axe_violations(page) == []

    # Enrol.
    results.get_by_role("link", name=COURSE_TITLE).click()
    page.get_by_role("button", name="Enrol").click()
    assert page.get_by_role("button", name="Leave this course").is_visible()
    shot(page, artifacts_dir, "course")

    # Lesson 1: read it and mark it done.
    page.get_by_role("link", name="第1课 浮力从哪里来").first.click()
    assert page.get_by_text("阿基米德原理的探究。").is_visible()
    page.get_by_role("button", name="Mark this lesson as done").click()
    assert page.get_by_text("You have done this lesson.").is_visible()
    assert page.get_by_text("1 of 2 lessons done").is_visible()

    # Lesson 2: the quiz, answered right.
    page.get_by_role("link", name=re.compile("第2课 单元测验")).first.click()
    quiz = page.locator("form.quiz-form")
    html = page.content()
    assert "correct" not in html.split("quiz-form", 1)[1].split("</form>", 1)[0]  # no answers in the form
    quiz.get_by_label("3×10⁸ 米/秒").check()
    quiz.get_by_label("太阳能").check()
    quiz.get_by_label("风能").check()
    quiz.get_by_label("True").check()
    shot(page, artifacts_dir, "quiz")
    quiz.get_by_role("button", name="Submit answers").click()
    assert page.get_by_text("You have passed this quiz.").is_visible()
    # Passing the lesson's quiz is doing the lesson, and that completes the course.
    assert page.get_by_text("you have completed the course, and its hours are credited").is_visible()
    assert page.get_by_text("2 of 2 lessons done").is_visible()
    assert page.get_by_text("Course completed").first.is_visible()
    shot(page, artifacts_dir, "lesson-completed")

    # "My hours" shows the course's six hours.
    page.locator("nav.main-nav").get_by_role("link", name="My hours").click()
    assert page.locator(".stat-value").first.inner_text().strip() in ("6", "6.0", "6.00")
    assert page.get_by_text(COURSE_TITLE).first.is_visible()
    shot(page, artifacts_dir, "my-hours")

    # "My certificates": download the completion certificate and read it.
    page.locator("nav.main-nav").get_by_role("link", name="My certificates").click()
    row = page.locator("tr", has_text=COURSE_TITLE)
    assert row.get_by_text("Valid").is_visible()
    with page.expect_download() as download_info:
        row.get_by_role("link", name="Download PDF").click()
    pdf = open(download_info.value.path(), "rb").read()
    text = pdf_text(pdf)
    assert "刘洋" in text and COURSE_TITLE in text and "6" in text
    serial = re.search(r"[A-Z]+-\d{4}-\d{6}", text).group(0)
    shot(page, artifacts_dir, "my-certificates")

    # The QR code in the PDF opens the public verification page.
    urls = [url for image in pdf_images(pdf) for url in (zbar_decode(image) or [])]
    assert urls, "no QR code could be read from the certificate"
    verify = urlparse(urls[0])
    page.context.clear_cookies()  # as anyone would, signed out
    page.goto(live_server.url + verify.path)
    body = page.locator("main").inner_text()
    assert serial in body
    assert COURSE_TITLE in body
    assert "刘*" in body and "刘洋" not in body  # the holder's name is masked
    # Started, completed and issued today, by the academy's (Beijing) calendar.
    assert body.count(academy["today"]) == 3, body
    shot(page, artifacts_dir, "verification")
    assert axe_violations(page) == []
