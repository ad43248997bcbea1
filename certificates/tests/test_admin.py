import datetime
import io
import json
import zipfile
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import translation
from wagtail.models import ModelLogEntry

from certificates import fonts
from certificates.constants import LOG_ISSUE, LOG_REVOKE, CertificateStatus
from certificates.models import Certificate, CertificateTemplate, IssueBatch
from certificates.services import certificate_issue
from lms.constants import CreditCategory, Role
from lms.ledger.services import credit_record
from lms.people.services import district_admin_assign

from .factories import CertificateTemplateFactory, TeacherFactory, TranscriptTemplateFactory, district, user_with_role
from .pdf import issued_pdf, pdf_fonts, pdf_text

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def english(client):
    client.cookies["django_language"] = "en"  # the admin pages are asserted in English; the default is Chinese
    with translation.override("en"):
        yield


@pytest.fixture
def hr(client):
    user = user_with_role(Role.HR)
    client.force_login(user)
    return user


def _template_form(**overrides):
    data = {
        "name": "结业证书（标准）", "kind": "course", "title": "结业证书",
        "body": "{name} 老师参加“{subject}”培训，共 {hours} 学时。", "issuer_name": "济南市科学教育教师网络研修学院",
        "signatory_1_name": "王建国", "signatory_1_title": "院长", "signatory_2_name": "", "signatory_2_title": "",
        "orientation": "landscape",
    }
    data.update(overrides)
    return data


def test_hr_creates_a_template_as_a_snippet(client, hr):
    response = client.post(reverse("wagtailsnippets_certificates_certificatetemplate:add"), _template_form())
    assert response.status_code == 302
    assert CertificateTemplate.objects.get().title == "结业证书"


@pytest.mark.parametrize(
    "overrides, field, fragment",
    [
        ({"body": "{name} 完成 {coursename}"}, "body", "{coursename}"),
        ({"body": "兹证明{name}完成培训。" * 400}, "body", "does not fit on one page"),
        ({"seal": SimpleUploadedFile("seal.png", b"GIF89a this is not an image")}, "seal", ""),
    ],
)
def test_bad_templates_are_refused_with_a_clear_message_at_save_time(client, hr, overrides, field, fragment):
    response = client.post(reverse("wagtailsnippets_certificates_certificatetemplate:add"),
                           _template_form(**overrides))
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert field in errors
    assert fragment in " ".join(errors[field])
    assert not CertificateTemplate.objects.exists()


def test_hr_issues_one_certificate_and_it_is_logged(client, hr):
    teacher = TeacherFactory()
    template = CertificateTemplateFactory()
    data = {"staff_number": teacher.staff_number, "template": template.pk, "training": "实验教学能力提升",
            "hours": "16", "started_on": "2026-03-01", "completed_on": "2026-04-01"}
    response = client.post(reverse("certificates_admin:issue"), data)
    certificate = Certificate.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("issued_certificates:inspect", args=[certificate.pk])
    assert certificate.holder == teacher and certificate.hours == Decimal("16")
    assert ModelLogEntry.objects.get(action=LOG_ISSUE).user == hr
    # Issuing the same again issues nothing.
    client.post(reverse("certificates_admin:issue"), data)
    assert Certificate.objects.count() == 1
    page = client.get(reverse("issued_certificates:inspect", args=[certificate.pk])).content.decode()
    assert reverse("certificates_admin:revoke", args=[certificate.pk]) in page
    assert reverse("certificates_admin:reissue", args=[certificate.pk]) in page


def test_issuing_to_an_unknown_staff_number_is_a_form_error(client, hr):
    response = client.post(reverse("certificates_admin:issue"), {
        "staff_number": "nobody", "template": CertificateTemplateFactory().pk, "training": "x"})
    assert response.status_code == 200
    assert "No teacher you may issue to has this staff number." in response.content.decode()


def test_hr_revokes_then_reissues_through_the_admin(client, hr):
    certificate = certificate_issue(kind="course", holder=TeacherFactory(), subject_key="c:1", subject_label="课程",
                                    template=CertificateTemplateFactory()).certificate
    response = client.post(reverse("certificates_admin:revoke", args=[certificate.pk]), {"reason": ""})
    assert response.status_code == 200  # the reason is required
    client.post(reverse("certificates_admin:revoke", args=[certificate.pk]), {"reason": "重复发放"})
    certificate.refresh_from_db()
    assert certificate.status == CertificateStatus.REVOKED
    assert ModelLogEntry.objects.get(action=LOG_REVOKE).user == hr
    response = client.post(reverse("certificates_admin:reissue", args=[certificate.pk]))
    certificate.refresh_from_db()
    assert certificate.status == CertificateStatus.SUPERSEDED
    assert response["Location"] == reverse("issued_certificates:inspect", args=[certificate.superseded_by.pk])
    listing = client.get(reverse("issued_certificates:index")).content.decode()
    assert certificate.serial in listing and certificate.superseded_by.serial in listing


@pytest.mark.parametrize("role", [Role.TEACHER, Role.TRAINER, Role.DISTRICT_ADMIN])
def test_only_hr_reaches_the_certificate_admin(client, role):
    certificate = certificate_issue(kind="course", holder=TeacherFactory(), subject_key="c:1", subject_label="课程",
                                    template=CertificateTemplateFactory()).certificate
    user = user_with_role(role)
    if role == Role.DISTRICT_ADMIN:
        district_admin_assign(user=user, district=certificate.holder.school.district)
    client.force_login(user)
    for url in (
        reverse("certificates_admin:pdf", args=[certificate.pk]),
        reverse("certificates_admin:revoke", args=[certificate.pk]),
        reverse("certificates_admin:issue"),
        reverse("certificates_admin:batches"),
    ):
        response = client.get(url)
        assert response.status_code in (302, 403), url
        assert b"%PDF" not in b"".join(getattr(response, "streaming_content", [response.content]))
    index = client.get(reverse("issued_certificates:index"))
    assert certificate.serial not in index.content.decode()


def test_bulk_issue_from_the_admin_with_progress_and_a_zip(client, hr, django_capture_on_commit_callbacks):
    template = CertificateTemplateFactory()
    lixia = district("370102")
    teachers = [TeacherFactory() for _ in range(3)]
    for n, teacher in enumerate(teachers):
        credit_record(teacher=teacher, hours=Decimal("6"), category=CreditCategory.OFFLINE_WORKSHOP,
                      source_key=f"w:{n}", occurred_on=datetime.date(2025, 8, 1), evidence_label="暑期集中培训")
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("certificates_admin:batches"), {
            "template": template.pk, "year": 2025, "district": lixia.pk, "training": "暑期集中培训"})
    batch = IssueBatch.objects.get()
    assert response["Location"] == reverse("certificates_admin:batch", args=[batch.pk])
    page = client.get(response["Location"]).content.decode()
    assert 'id="batch-progress-bar"' in page
    progress = json.loads(client.get(reverse("certificates_admin:batch_progress", args=[batch.pk])).content)
    assert progress == {"done": 3, "failed": 0, "total": 3, "status": "done"}
    response = client.get(reverse("certificates_admin:batch_zip", args=[batch.pk]))
    archive = zipfile.ZipFile(io.BytesIO(b"".join(response.streaming_content)))
    names = archive.namelist()
    assert len(names) == 3
    serials = set(Certificate.objects.values_list("serial", flat=True))
    assert {name.split("-")[0] + "-" + name.split("-")[1] + "-" + name.split("-")[2] for name in names} == serials
    assert "暑期集中培训" in "".join(pdf_text(archive.read(names[0])).split())


def test_a_bulk_issue_matching_nobody_says_so(client, hr):
    response = client.post(reverse("certificates_admin:batches"), {
        "template": TranscriptTemplateFactory().pk, "year": 2024})
    assert response.status_code == 200
    assert "No teacher matches these filters" in response.content.decode()
    assert not IssueBatch.objects.exists()


@pytest.fixture
def no_truetype_font(settings):
    settings.CERTIFICATES_FONT_PATH = "/nonexistent/font.ttf"
    fonts.certificate_font.cache_clear()
    yield
    settings.CERTIFICATES_FONT_PATH = ""
    fonts.certificate_font.cache_clear()
    fonts.certificate_font()


def test_without_a_truetype_font_pdfs_fall_back_and_the_admin_warns(client, hr, no_truetype_font):
    assert not fonts.certificate_font().embedded
    certificate = certificate_issue(kind="course", holder=TeacherFactory(real_name="李娜"), subject_key="c:1",
                                    subject_label="课程", template=CertificateTemplateFactory()).certificate
    data = issued_pdf(certificate)
    assert "李娜" in "".join(pdf_text(data).split())
    assert {name for name, _subtype, _embedded in pdf_fonts(data)} == {"STSong-Light"}
    dashboard = client.get(reverse("wagtailadmin_home")).content.decode()
    assert 'id="certificate-font-warning"' in dashboard and "fonts-wqy-microhei" in dashboard
    assert 'id="certificate-font-warning"' in client.get(reverse("certificates_admin:batches")).content.decode()


def test_with_the_font_there_is_no_warning(client, hr):
    assert fonts.certificate_font().embedded
    assert 'id="certificate-font-warning"' not in client.get(reverse("wagtailadmin_home")).content.decode()


def test_the_snippet_preview_shows_the_pdf_with_sample_values(client, hr):
    url = reverse("wagtailsnippets_certificates_certificatetemplate:preview_on_add")
    response = client.post(url, _template_form(title="继续教育结业证书"))
    assert json.loads(response.content)["is_valid"] is True
    response = client.get(url)
    assert response["Content-Type"] == "application/pdf"
    text = "".join(pdf_text(response.content).split())
    assert "继续教育结业证书" in text and "张伟" in text


def test_bulk_issue_for_a_cohort_gives_its_certified_members_one_qualification_each(
    client, hr, django_capture_on_commit_callbacks
):
    from certificates.constants import CertificateKind
    from certificates.selectors import batch_items_for_cohort
    from lms.tests.factories import CohortFactory, CohortMembershipFactory

    template = CertificateTemplateFactory(kind=CertificateKind.COHORT_QUALIFICATION, title="学科带头人认定证书")
    cohort = CohortFactory(name="济南市初中物理学科带头人培养对象（2026）")
    certified = [CohortMembershipFactory(cohort=cohort, status="certified") for _ in range(3)]
    CohortMembershipFactory(cohort=cohort, status="in_training")
    # One was certified earlier and already holds its certificate.
    certificate_issue(kind=CertificateKind.COHORT_QUALIFICATION, holder=certified[0].teacher, subject_object=cohort,
                      template=template, notify=False)
    assert [item["holder_id"] for item in batch_items_for_cohort(cohort=cohort)] == sorted(
        m.teacher_id for m in certified)

    url = reverse("certificates_admin:batches")
    response = client.post(url, {"template": template.pk, "training": "x", "cohort": ""})
    assert "Choose the cohort whose certified members get a qualification certificate." in response.content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        client.post(url, {"template": template.pk, "cohort": cohort.pk})
    batch = IssueBatch.objects.get()
    assert batch.items.count() == 3
    issued = Certificate.objects.filter(kind=CertificateKind.COHORT_QUALIFICATION, status=CertificateStatus.VALID)
    assert sorted(issued.values_list("holder_id", flat=True)) == sorted(m.teacher_id for m in certified)
    assert issued.count() == 3  # the earlier certificate was kept, not duplicated
    assert "济南市初中物理学科带头人培养对象（2026）" in "".join(pdf_text(issued_pdf(issued.last())).split())


def test_a_cohort_goes_only_with_a_qualification_template(client, hr):
    from lms.tests.factories import CohortFactory

    response = client.post(reverse("certificates_admin:batches"), {
        "template": CertificateTemplateFactory().pk, "year": 2025, "training": "暑期集中培训",
        "cohort": CohortFactory().pk})
    assert "A cohort goes with a cohort qualification template." in response.content.decode()
    assert not IssueBatch.objects.exists()
