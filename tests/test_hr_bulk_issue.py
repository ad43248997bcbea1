"""HR issues certificates in bulk from the admin and watches the batch's
progress bar fill, in Debian's Chromium and the default, Chinese admin,
while a real Celery worker on Redis issues them in chunks in the
background."""

import datetime
import re

import pytest
from django.utils import timezone

from certificates.constants import CertificateKind
from certificates.tests.factories import CertificateTemplateFactory
from lms.constants import CreditCategory, Role
from lms.ledger.services import credit_record
from lms.tests.factories import TeacherFactory, user_with_role

pytestmark = [
    pytest.mark.browser,
    pytest.mark.celery,
    pytest.mark.redis,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

PASSWORD = "pw-for-tests-1"  # UserFactory's password
TRAINING = "暑期科学教师集中培训"
TEACHERS = 40


@pytest.fixture
def academy(settings):
    settings.CERTIFICATES_BATCH_CHUNK_SIZE = 5  # eight chunks, so the bar moves
    last_year = timezone.localdate().year - 1
    template = CertificateTemplateFactory(kind=CertificateKind.COURSE_COMPLETION, name="集中培训结业证书", is_default=True)
    for n in range(TEACHERS):
        credit_record(teacher=TeacherFactory(), category=CreditCategory.OFFLINE_WORKSHOP, hours="24",
                      source_key=f"summer:{n}", occurred_on=datetime.date(last_year, 7, 20),
                      evidence_label=TRAINING)
    user_with_role(Role.HR, username="hr-wang")
    return {"year": last_year, "template": str(template.pk)}


def test_hr_starts_a_bulk_issue_and_the_progress_bar_reaches_100_percent(
    live_server, academy, celery_worker_process, chromium_browser, artifacts_dir
):
    context = chromium_browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.set_default_timeout(20_000)

    page.goto(live_server.url + "/admin/login/")
    page.get_by_label("用户名").fill("hr-wang")
    page.get_by_label("密码").fill(PASSWORD)
    page.get_by_role("button", name="登录").click()
    page.wait_for_url(live_server.url + "/admin/")

    page.goto(live_server.url + "/admin/certificate-actions/batches/")
    assert page.locator("main h1").inner_text() == "批量颁发证书"
    page.get_by_role("combobox", name=re.compile("^模板")).select_option(academy["template"])
    page.get_by_role("spinbutton", name=re.compile("^年度")).fill(str(academy["year"]))
    page.get_by_role("textbox", name=re.compile("^培训项目")).fill(TRAINING)
    page.get_by_role("button", name="开始批量颁发").click()
    page.wait_for_url(re.compile(r"/admin/certificate-actions/batches/\d+/$"))
    assert page.get_by_text("批量颁发已开始，本页面显示其进度。").is_visible()

    bar = page.locator("#batch-progress-bar")
    assert bar.get_attribute("max") == str(TEACHERS)
    page.screenshot(path=str(artifacts_dir / "hr-bulk-issue-started.png"), full_page=True)
    # The page polls the batch's progress; the worker issues in chunks of five.
    page.wait_for_function(
        "() => { const bar = document.getElementById('batch-progress-bar');"
        " return bar && Number(bar.value) === Number(bar.max); }",
        timeout=120_000,
    )
    assert page.locator("#batch-done").inner_text() == str(TEACHERS)
    assert page.locator("#batch-failed").inner_text() == "0"
    # The last items count as done when their certificates commit; the batch
    # is marked done once their PDFs are drawn, a poll or two later.
    page.wait_for_selector("#batch-running", state="hidden", timeout=30_000)
    assert page.get_by_role("link", name="下载全部 PDF（ZIP）").is_visible()
    page.screenshot(path=str(artifacts_dir / "hr-bulk-issue-done.png"), full_page=True)
    context.close()
