"""A trainer publishes a course through the Wagtail admin, in Debian's
Chromium and in the academy's default, Chinese UI: they create a course with
two lessons, typing the first lesson's text as a Chinese input method does,
and a quiz, and submit them for review; an academy admin approves them; the
course appears in the public catalogue, and a teacher who enrols reads the
lesson as it was typed.

Every control and message is found by the Chinese words people read (the
zh_Hans catalogues, Wagtail's included) or, where Wagtail gives a control no
translated name, by a stable attribute."""

import re
from concurrent.futures import ThreadPoolExecutor

import pytest
from playwright.sync_api import expect

from courses.models import CourseIndexPage
from lms.constants import Role
from lms.tests.factories import TeacherFactory, user_with_role

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

PASSWORD = "pw-for-tests-1"  # UserFactory's password
DESKTOP = {"width": 1280, "height": 900}
COURSE_TITLE = "高中化学实验安全与微型实验设计"
LESSON_TITLE = "第1课 实验室安全规范"
# The first lesson's text as a trainer enters it: each phrase is spelt in
# pinyin, the input method's composition, then committed as characters;
# punctuation is committed at once, and Latin letters are typed as keys.
LESSON_INPUT = [
    ("weixian", "危险"), ("huaxuepin", "化学品"), ("de", "的"), ("chucun", "储存"), ("yu", "与"), ("shiyong", "使用"),
    "（", ("GHS ",), ("biaoqian", "标签"), "）。",
]
LESSON_TEXT = "危险化学品的储存与使用（GHS 标签）。"
WORKFLOW = "课程审核"  # the review workflow's name in the demo and in migrations


@pytest.fixture
def people():
    return {
        "trainer": user_with_role(Role.TRAINER, username="zhaolei", first_name="赵磊"),
        "admin": user_with_role(Role.ACADEMY_ADMIN, username="academy-admin"),
        "teacher": TeacherFactory(user__username="sunmei", real_name="孙梅"),
        "catalogue": CourseIndexPage.objects.get(),
    }


@pytest.fixture
def new_context(chromium_browser, live_server):
    """A browser context per person, each with their own session, and no
    language cookie: the UI is in Chinese, the default."""
    contexts = []

    def make():
        context = chromium_browser.new_context(viewport=DESKTOP)
        contexts.append(context)
        return context

    yield make
    for context in contexts:
        context.close()


def in_another_thread(query):
    """Run an ORM query outside Playwright's event loop, where Django refuses
    them, on a connection of its own that it closes."""
    from django.db import connection

    def run():
        try:
            return query()
        finally:
            connection.close()

    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(run).result()


def sign_in(page, live_server, path, username):
    page.set_default_timeout(15_000)
    page.goto(live_server.url + path)
    page.get_by_label("用户名").fill(username)
    page.get_by_label("密码").fill(PASSWORD)
    page.locator("main, form.login-form").get_by_role("button", name="登录").click()


def admin_login(context, live_server, username):
    page = context.new_page()
    sign_in(page, live_server, "/admin/login/", username)
    page.wait_for_url(live_server.url + "/admin/")
    return page


def field(page, label):
    """A form field by its whole label; a required field's label ends in "*"
    (Wagtail labels the field's panel with it too)."""
    return page.locator("input, select, textarea").and_(page.get_by_label(re.compile(rf"^\s*{label}\*?\s*$")))


def insert_block(page, label):
    """Open the StreamField's block menu and choose a block type. Wagtail
    leaves the menu button's name ("Insert a block") untranslated, so it is
    found by its class."""
    page.locator("button.c-sf-add-button").last.click()
    page.get_by_role("option", name=label, exact=True).click()


def type_as_an_input_method(page, pieces):
    """Enter text into the focused editor as a Chinese input method does:
    for a (pinyin, characters) pair, composition events as the pinyin is
    spelt, then the characters committed as one insertText input; a plain
    string is committed at once; a 1-tuple is typed key by key."""
    cdp = page.context.new_cdp_session(page)
    for piece in pieces:
        if isinstance(piece, str):
            page.keyboard.insert_text(piece)
        elif len(piece) == 1:
            page.keyboard.type(piece[0])
        else:
            pinyin, characters = piece
            for end in range(1, len(pinyin) + 1):
                cdp.send("Input.imeSetComposition", {"text": pinyin[:end], "selectionStart": end, "selectionEnd": end})
            page.keyboard.insert_text(characters)
    cdp.detach()


def save_draft(page):
    page.get_by_role("button", name="保存草稿").click()
    page.wait_for_url(re.compile(r"/admin/pages/\d+/edit/$"))
    page.get_by_text(re.compile(r"页面'.+'已创建")).first.wait_for()
    return int(re.search(r"/pages/(\d+)/edit/", page.url).group(1))


def submit_for_review(page):
    page.locator("footer .w-dropdown__toggle").last.click()
    page.get_by_role("button", name=f"提交给{WORKFLOW}").click()
    page.get_by_text("已经提交进行审核").first.wait_for()


def test_a_trainer_writes_a_course_and_an_admin_approves_it(live_server, people, new_context, artifacts_dir):
    catalogue = people["catalogue"]
    page = admin_login(new_context(), live_server, "zhaolei")

    # The course.
    page.goto(f"{live_server.url}/admin/pages/add/courses/coursepage/{catalogue.pk}/")
    field(page, "标题").fill(COURSE_TITLE)
    field(page, "摘要").fill("面向高中化学教师的实验安全规范与微型实验设计。")
    field(page, "学科").select_option(label="化学")
    field(page, "学段").select_option(label="高中")
    field(page, "培训类别").select_option(index=3)
    field(page, "学时").fill("4")
    course_id = save_draft(page)
    page.screenshot(path=str(artifacts_dir / "trainer-course-draft.png"), full_page=True)

    # Lesson 1: text, typed in Chinese.
    page.goto(f"{live_server.url}/admin/pages/add/courses/lessonpage/{course_id}/")
    field(page, "标题").fill(LESSON_TITLE)
    insert_block(page, "文本")
    editor = page.locator(".Draftail-Editor [contenteditable='true']").first
    # Choosing the block leaves focus on the menu button, where key input
    # goes nowhere: a trainer clicks into the editor first.
    editor.click()
    expect(editor).to_be_focused()
    type_as_an_input_method(page, LESSON_INPUT)
    expect(editor).to_have_text(LESSON_TEXT)
    # What the form sends is Draftail's own state, kept in a hidden field.
    expect(page.locator("input[name='body-0-value']")).to_have_value(re.compile(re.escape(LESSON_TEXT)))
    lesson_1 = save_draft(page)
    expect(page.locator(".Draftail-Editor [contenteditable='true']").first).to_have_text(LESSON_TEXT)

    # Lesson 2: a quiz with one true-or-false question.
    page.goto(f"{live_server.url}/admin/pages/add/courses/lessonpage/{course_id}/")
    field(page, "标题").fill("第2课 安全知识测验")
    insert_block(page, "测验")
    page.locator("[name='body-0-value-title']").fill("实验安全测验")
    page.locator("[name='body-0-value-questions-0-value-prompt']").fill("浓硫酸稀释时应将浓硫酸缓慢注入水中。")
    page.locator("[name='body-0-value-questions-0-value-kind']").select_option(label="判断题")
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
    assert admin.get_by_role("heading", name="等待你的审查").is_visible()
    assert admin.get_by_text(COURSE_TITLE).first.is_visible()
    for page_id in (course_id, lesson_1, lesson_2):
        admin.goto(f"{live_server.url}/admin/pages/{page_id}/edit/")
        admin.locator("footer .w-dropdown__toggle").last.click()
        admin.get_by_role("button", name=re.compile("^批准")).first.click()
        # The last task of the workflow approved: the page is published.
        admin.get_by_text("已被更新").first.wait_for()

    # The published lesson keeps the text as it was typed.
    def published_text():
        from courses.models import LessonPage

        lesson = LessonPage.objects.live().get(pk=lesson_1)
        return [block.value.source for block in lesson.body if block.block_type == "rich_text"]

    assert [re.sub(r"<[^>]+>", "", source) for source in in_another_thread(published_text)] == [LESSON_TEXT]

    # Now the course is in the catalogue, with its lessons listed.
    public.goto(live_server.url + catalogue.url)
    public.get_by_role("link", name=COURSE_TITLE).click()
    assert public.get_by_text(LESSON_TITLE).is_visible()
    assert public.get_by_text("第2课 安全知识测验").is_visible()
    public.screenshot(path=str(artifacts_dir / "trainer-course-published.png"), full_page=True)

    # A teacher enrols and reads the lesson.
    course_url = public.url
    sign_in(public, live_server, "/accounts/login/", "sunmei")
    public.wait_for_url(live_server.url + "/")
    public.goto(course_url)
    public.get_by_role("button", name="报名", exact=True).click()
    assert public.get_by_text("报名成功，请从第一个课时开始学习。").is_visible()
    public.get_by_role("link", name=LESSON_TITLE).first.click()
    assert public.locator(".lesson-body").get_by_text(LESSON_TEXT, exact=True).is_visible()
    public.screenshot(path=str(artifacts_dir / "trainer-lesson-as-typed.png"), full_page=True)
