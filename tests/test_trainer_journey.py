"""A trainer publishes a course through the Wagtail admin, in Debian's
Chromium: they create a course with two lessons, one of them a quiz, and
submit it for review; an academy admin approves it; it appears in the
public catalogue with its lessons."""

import re

import pytest

from courses.models import CourseIndexPage
from lms.constants import Role
from lms.tests.factories import user_with_role

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

PASSWORD = "pw-for-tests-1"  # UserFactory's password
DESKTOP = {"width": 1280, "height": 900}
COURSE_TITLE = "高中化学实验安全与微型实验设计"


@pytest.fixture
def people():
    return {
        "trainer": user_with_role(Role.TRAINER, username="zhaolei", first_name="赵磊"),
        "admin": user_with_role(Role.ACADEMY_ADMIN, username="academy-admin"),
        "catalogue": CourseIndexPage.objects.get(),
    }


@pytest.fixture
def new_context(chromium_browser, live_server):
    """A browser context per person, each with their own session."""
    contexts = []

    def make():
        context = chromium_browser.new_context(viewport=DESKTOP)
        context.add_cookies([{"name": "django_language", "value": "en", "url": live_server.url}])
        contexts.append(context)
        return context

    yield make
    for context in contexts:
        context.close()


def admin_login(context, live_server, username):
    page = context.new_page()
    page.set_default_timeout(15_000)
    page.goto(live_server.url + "/admin/login/")
    page.locator("#id_username").fill(username)
    page.locator("#id_password").fill(PASSWORD)
    page.locator("form.login-form button[type=submit]").click()
    page.wait_for_url(live_server.url + "/admin/")
    return page


def insert_block(page, label):
    """Open the StreamField's block menu and choose a block type."""
    page.locator("button[title='Insert a block']").last.click()
    page.get_by_role("option", name=label).click()


def save_draft(page):
    page.get_by_role("button", name="Save draft").click()
    page.wait_for_url(re.compile(r"/admin/pages/\d+/edit/$"))
    return int(re.search(r"/pages/(\d+)/edit/", page.url).group(1))


def submit_for_review(page):
    page.locator("footer .w-dropdown__toggle").last.click()
    page.get_by_role("button", name=re.compile("Submit to")).click()
    page.get_by_text(re.compile("has been submitted")).first.wait_for()


def test_a_trainer_writes_a_course_and_an_admin_approves_it(live_server, people, new_context, artifacts_dir):
    catalogue = people["catalogue"]
    page = admin_login(new_context(), live_server, "zhaolei")

    # The course.
    page.goto(f"{live_server.url}/admin/pages/add/courses/coursepage/{catalogue.pk}/")
    page.locator("#id_title").fill(COURSE_TITLE)
    page.locator("#id_summary").fill("面向高中化学教师的实验安全规范与微型实验设计。")
    page.locator("#id_subject").select_option("chemistry")
    page.locator("#id_stage").select_option("senior")
    page.locator("#id_category").select_option(index=3)
    page.locator("#id_credit_hours").fill("4")
    course_id = save_draft(page)
    page.screenshot(path=str(artifacts_dir / "trainer-course-draft.png"), full_page=True)

    # Lesson 1: text.
    page.goto(f"{live_server.url}/admin/pages/add/courses/lessonpage/{course_id}/")
    page.locator("#id_title").fill("第1课 实验室安全规范")
    insert_block(page, "Text")
    editor = page.locator("[contenteditable='true']").first
    editor.click()
    # Draft.js keeps its own state and takes pasted text into it, as when a
    # trainer pastes from a document.
    editor.evaluate(
        """(element, text) => {
            const data = new DataTransfer();
            data.setData('text/plain', text);
            element.dispatchEvent(new ClipboardEvent('paste', {clipboardData: data, bubbles: true, cancelable: true}));
        }""",
        "危险化学品的储存与使用。",
    )
    page.wait_for_timeout(300)
    assert "危险化学品的储存与使用。" in editor.inner_text()
    lesson_1 = save_draft(page)

    # Lesson 2: a quiz with one true-or-false question.
    page.goto(f"{live_server.url}/admin/pages/add/courses/lessonpage/{course_id}/")
    page.locator("#id_title").fill("第2课 安全知识测验")
    insert_block(page, "Quiz")
    page.locator("[name='body-0-value-title']").fill("实验安全测验")
    page.locator("[name='body-0-value-questions-0-value-prompt']").fill("浓硫酸稀释时应将浓硫酸缓慢注入水中。")
    page.locator("[name='body-0-value-questions-0-value-kind']").select_option("true_false")
    page.locator("[name='body-0-value-questions-0-value-true_is_correct']").check()
    lesson_2 = save_draft(page)
    page.screenshot(path=str(artifacts_dir / "trainer-quiz-lesson.png"), full_page=True)

    # Submit all three for review.
    for page_id in (course_id, lesson_1, lesson_2):
        page.goto(f"{live_server.url}/admin/pages/{page_id}/edit/")
        submit_for_review(page)
    page.close()

    # Not in the catalogue yet.
    public = new_context().new_page()
    public.goto(live_server.url + catalogue.url)
    assert public.get_by_role("link", name=COURSE_TITLE).count() == 0

    # The academy admin approves each from the page editor.
    admin = admin_login(new_context(), live_server, "academy-admin")
    admin.screenshot(path=str(artifacts_dir / "admin-awaiting-review.png"), full_page=True)
    assert admin.get_by_text(COURSE_TITLE).first.is_visible()  # "Awaiting your review"
    for page_id in (course_id, lesson_1, lesson_2):
        admin.goto(f"{live_server.url}/admin/pages/{page_id}/edit/")
        admin.locator("footer .w-dropdown__toggle").last.click()
        admin.get_by_role("button", name=re.compile("^Approve")).first.click()
        # The last task of the workflow approved: the page is published.
        admin.get_by_text(re.compile("has been updated")).first.wait_for()

    # Now the course is in the catalogue, with its lessons listed.
    public.goto(live_server.url + catalogue.url)
    public.get_by_role("link", name=COURSE_TITLE).click()
    assert public.get_by_text("第1课 实验室安全规范").is_visible()
    assert public.get_by_text("第2课 安全知识测验").is_visible()
    public.screenshot(path=str(artifacts_dir / "trainer-course-published.png"), full_page=True)
