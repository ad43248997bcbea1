"""A teacher's whole journey through the academy, in Debian's Chromium:
find a course through the catalogue's search and filters, enrol, work
through its lessons and quiz, see the hours on "my hours", download the
completion certificate and open its verification page from the URL in the
certificate's QR code. It runs in the academy's default, Chinese UI and
once in English (the ``django_language`` cookie), finding every control
and message by the words a teacher reads, taken from the catalogues.

The live server runs in another thread with Celery tasks run eagerly, so
the certificate the completion queues is issued as soon as the completion
commits, as a worker would shortly after.
"""

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


# What the teacher reads, in each language (zh_Hans catalogues, and msgids).
UI = {
    "zh-hans": {
        "lang": "zh-CN", "username": "用户名", "password": "密码", "log_in": "登录", "courses": "课程", "search": "搜索",
        "subject": "学科", "physics": "物理", "find": "查找课程", "enrol": "报名",
        "enrolled": "报名成功，请从第一个课时开始学习。", "leave": "退选本课程", "mark_done": "标记本课时为已完成",
        "marked": "已将本课时标记为完成。", "lesson_done": "您已完成本课时。", "one_of_two": "已完成 1 / 2 个课时",
        "true": "正确", "submit": "提交答案", "quiz_passed": "您已通过本测验。",
        "course_completed_message": "恭喜您已结业，本课程学时已记入。", "two_of_two": "已完成 2 / 2 个课时",
        "course_completed": "课程已结业", "my_hours": "我的学时", "my_certificates": "我的证书", "valid": "有效",
        "download": "下载 PDF", "verify": "证书查验", "verified": "有效 — 本证书由研修学院颁发，未被撤销。",
    },
    "en": {
        "lang": "en", "username": "Username", "password": "Password", "log_in": "Log in", "courses": "Courses", "search": "Search",
        "subject": "Subject", "physics": "Physics", "find": "Find courses", "enrol": "Enrol",
        "enrolled": "You are enrolled. Start with the first lesson.", "leave": "Leave this course",
        "mark_done": "Mark this lesson as done", "marked": "Lesson marked as done.",
        "lesson_done": "You have done this lesson.", "one_of_two": "1 of 2 lessons done", "true": "True",
        "submit": "Submit answers", "quiz_passed": "You have passed this quiz.",
        "course_completed_message": "Congratulations: you have completed the course, and its hours are credited.",
        "two_of_two": "2 of 2 lessons done", "course_completed": "Course completed", "my_hours": "My hours",
        "my_certificates": "My certificates", "valid": "Valid", "download": "Download PDF",
        "verify": "Verify a certificate",
        "verified": "Valid — This certificate was issued by the academy and has not been revoked.",
    },
}


def speak(page, live_server, language):
    """No cookie for the default language, as a first visit has none."""
    if language != "zh-hans":
        page.context.add_cookies([{"name": "django_language", "value": language, "url": live_server.url}])


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_a_teacher_finds_a_course_completes_it_and_verifies_the_certificate(
    live_server, academy, page, artifacts_dir, axe_violations, language
):
    ui = UI[language]
    speak(page, live_server, language)
    nav = page.locator("nav.main-nav")

    # Sign in.
    page.goto(live_server.url + "/accounts/login/")
    assert page.locator("html").get_attribute("lang") == ui["lang"]
    page.get_by_label(ui["username"]).fill("liuyang")
    page.get_by_label(ui["password"]).fill(PASSWORD)
    page.locator("main").get_by_role("button", name=ui["log_in"]).click()
    page.wait_for_url(live_server.url + "/")

    # Find the course: search and filter in the catalogue.
    nav.get_by_role("link", name=ui["courses"], exact=True).click()
    page.get_by_label(ui["search"]).fill("浮力")
    page.get_by_label(ui["subject"]).select_option(label=ui["physics"])
    page.get_by_role("button", name=ui["find"]).click()
    page.wait_for_url(re.compile(r"q=%E6%B5%AE%E5%8A%9B"))
    results = page.locator("main")
    assert results.get_by_role("link", name=COURSE_TITLE).is_visible()
    assert results.get_by_text("小学科学探究式教学设计").count() == 0
    shot(page, artifacts_dir, f"catalogue-{language}")
    assert axe_violations(page) == []

    # Enrol.
    results.get_by_role("link", name=COURSE_TITLE).click()
    page.get_by_role("button", name=ui["enrol"], exact=True).click()
    assert page.get_by_text(ui["enrolled"]).is_visible()
    assert page.get_by_role("button", name=ui["leave"]).is_visible()
    shot(page, artifacts_dir, f"course-{language}")

    # Lesson 1: read it and mark it done.
    page.get_by_role("link", name="第1课 浮力从哪里来").first.click()
    assert page.get_by_text("阿基米德原理的探究。").is_visible()
    page.get_by_role("button", name=ui["mark_done"]).click()
    assert page.get_by_text(ui["marked"]).is_visible()
    assert page.get_by_text(ui["lesson_done"]).is_visible()
    assert page.get_by_text(ui["one_of_two"]).is_visible()

    # Lesson 2: the quiz, answered right.
    page.get_by_role("link", name=re.compile("第2课 单元测验")).first.click()
    quiz = page.locator("form.quiz-form")
    html = page.content()
    assert "correct" not in html.split("quiz-form", 1)[1].split("</form>", 1)[0]  # no answers in the form
    quiz.get_by_label("3×10⁸ 米/秒").check()
    quiz.get_by_label("太阳能").check()
    quiz.get_by_label("风能").check()
    quiz.get_by_label(ui["true"], exact=True).check()
    shot(page, artifacts_dir, f"quiz-{language}")
    quiz.get_by_role("button", name=ui["submit"]).click()
    assert page.get_by_text(ui["quiz_passed"]).is_visible()
    # Passing the lesson's quiz is doing the lesson, and that completes the course.
    assert page.get_by_text(ui["course_completed_message"]).is_visible()
    assert page.get_by_text(ui["two_of_two"]).is_visible()
    assert page.get_by_text(ui["course_completed"], exact=True).first.is_visible()
    shot(page, artifacts_dir, f"lesson-completed-{language}")

    # "My hours" shows the course's six hours.
    nav.get_by_role("link", name=ui["my_hours"]).click()
    assert page.locator(".stat-value").first.inner_text().strip() in ("6", "6.0", "6.00")
    assert page.get_by_text(COURSE_TITLE).first.is_visible()
    shot(page, artifacts_dir, f"my-hours-{language}")

    # "My certificates": download the completion certificate and read it.
    nav.get_by_role("link", name=ui["my_certificates"]).click()
    row = page.locator("tr", has_text=COURSE_TITLE)
    assert row.get_by_text(ui["valid"], exact=True).is_visible()
    with page.expect_download() as download_info:
        row.get_by_role("link", name=ui["download"]).click()
    pdf = open(download_info.value.path(), "rb").read()
    text = pdf_text(pdf)
    assert "刘洋" in text and COURSE_TITLE in text and "6" in text
    serial = re.search(r"[A-Z]+-\d{4}-\d{6}", text).group(0)
    shot(page, artifacts_dir, f"my-certificates-{language}")

    # The QR code in the PDF opens the public verification page.
    urls = [url for image in pdf_images(pdf) for url in (zbar_decode(image) or [])]
    assert urls, "no QR code could be read from the certificate"
    verify = urlparse(urls[0])
    page.context.clear_cookies()  # as anyone would, signed out
    speak(page, live_server, language)
    page.goto(live_server.url + verify.path)
    assert page.get_by_role("heading", name=ui["verify"]).is_visible()
    assert " ".join(page.locator("#verify-status").inner_text().split()) == ui["verified"]
    body = page.locator("main").inner_text()
    assert serial in body
    assert COURSE_TITLE in body
    assert "刘*" in body and "刘洋" not in body  # the holder's name is masked
    # Started, completed and issued today, by the academy's (Beijing) calendar.
    assert body.count(academy["today"]) == 3, body
    shot(page, artifacts_dir, f"verification-{language}")
    assert axe_violations(page) == []
