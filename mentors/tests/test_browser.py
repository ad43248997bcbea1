"""Research-along in a real browser at phone width: the teacher logs an
activity with an evidence file, the mentor confirms it from their queue, and
the teacher sees the hours credited. No page scrolls sideways."""

import pytest

from tests.browser import PASSWORD, PHONE, assert_no_horizontal_scroll

from .factories import PDF_BYTES, MentorFactory, active_pairing, days_ago, teacher

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


@pytest.fixture
def pairing():
    # Created before the browser starts: Playwright's event loop makes Django
    # refuse ORM calls from the test body.
    mentor = MentorFactory(real_name="周志强", user__username="zhou")
    me = teacher(real_name="张伟", user__username="zhangwei")
    return active_pairing(mentor=mentor, teacher_profile=me, project_title="磁性材料探究")


def log_in(page, base, username):
    page.goto(base + "/accounts/login/")
    page.get_by_label("用户名").fill(username)
    page.get_by_label("密码").fill(PASSWORD)
    page.locator("main").get_by_role("button", name="登录").click()
    page.wait_for_url(base + "/")


def test_teacher_logs_and_mentor_confirms_on_a_phone(live_server, pairing, chromium_browser, artifacts_dir):
    context = chromium_browser.new_context(viewport=PHONE, locale="zh-CN")
    page = context.new_page()
    page.set_default_timeout(10_000)
    base = live_server.url
    detail = f"{base}/research-along/pairings/{pairing.pk}/"

    log_in(page, base, "zhangwei")
    page.goto(base + "/research-along/")
    assert_no_horizontal_scroll(page)
    page.get_by_role("link", name="磁性材料探究").click()
    page.wait_for_url(detail)
    page.goto(detail + "log/")
    assert_no_horizontal_scroll(page)
    page.locator("#id_occurred_on").fill(days_ago(1).isoformat())
    page.locator("#id_kind").select_option("lab_session")
    page.locator("#id_hours").fill("2.5")
    page.locator("#id_description").fill("在课题组实验室测量磁滞回线")
    page.locator("#id_evidence").set_input_files(
        [{"name": "实验记录.pdf", "mimeType": "application/pdf", "buffer": PDF_BYTES}]
    )
    page.screenshot(path=str(artifacts_dir / "research-along-log-375.png"), full_page=True)
    page.locator("main button[type=submit]").click()
    page.wait_for_url(detail)
    assert page.get_by_role("link", name="实验记录.pdf").is_visible()
    page.context.clear_cookies()

    log_in(page, base, "zhou")
    page.goto(base + "/research-along/queue/")
    assert_no_horizontal_scroll(page)
    assert "在课题组实验室测量磁滞回线" in page.content()
    page.screenshot(path=str(artifacts_dir / "research-along-queue-375.png"), full_page=True)
    page.locator("main form.inline button[type=submit]").first.click()
    page.wait_for_url(base + "/research-along/queue/")
    page.context.clear_cookies()

    log_in(page, base, "zhangwei")
    page.goto(detail)
    assert_no_horizontal_scroll(page)
    page.screenshot(path=str(artifacts_dir / "research-along-pairing-375.png"), full_page=True)
    # Credited: the entry on "my hours" links back to the pairing.
    page.goto(base + "/my/hours/")
    entry = page.locator(f'.ledger-table a[href="/research-along/pairings/{pairing.pk}/"]')
    assert entry.count() == 1
    assert "2.5" in page.locator(".ledger-table").first.inner_text()
    context.close()
