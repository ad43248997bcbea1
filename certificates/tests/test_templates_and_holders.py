import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import translation

from certificates.constants import CertificateKind, CertificateStatus
from certificates.models import Certificate
from certificates.services import NO_TEMPLATE, certificate_issue
from certificates.templating import NOT_AN_IMAGE, TEMPLATE_TOO_LONG, UNKNOWN_PLACEHOLDER
from lms.constants import CreditCategory, Role
from lms.ledger.services import credit_record
from lms.people.services import district_admin_assign

from .factories import CertificateTemplateFactory, TeacherFactory, TranscriptTemplateFactory, user_with_role
from .pdf import issued_pdf, pdf_text

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


def _png():
    import io

    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", (40, 40), "red").save(buffer, "PNG")
    return buffer.getvalue()


# --- Bad templates are refused when saved -------------------------------------


def test_an_unknown_placeholder_is_refused_with_its_name():
    template = CertificateTemplateFactory.build(body="{name} 完成了 {coursename}")
    with pytest.raises(ValidationError) as error:
        template.full_clean()
    message = error.value.message_dict["body"][0]
    assert "{coursename}" in message and "{name}" not in message.split("Use only")[0]
    assert str(UNKNOWN_PLACEHOLDER).split("%")[0] in message


def test_an_unmatched_brace_is_refused():
    template = CertificateTemplateFactory.build(title="结业证书 {name")
    with pytest.raises(ValidationError) as error:
        template.full_clean()
    assert "title" in error.value.message_dict


def test_a_file_that_is_not_an_image_is_refused():
    template = CertificateTemplateFactory.build(seal=SimpleUploadedFile("seal.png", b"not an image at all"))
    with pytest.raises(ValidationError) as error:
        template.full_clean()
    assert error.value.message_dict["seal"] == [str(NOT_AN_IMAGE)]


def test_a_real_image_is_accepted_and_printed():
    template = CertificateTemplateFactory(seal=SimpleUploadedFile("seal.png", _png()))
    template.full_clean()
    certificate = certificate_issue(kind="course", holder=TeacherFactory(), subject_key="c:1", subject_label="课",
                                    template=template).certificate
    assert certificate.rendered["seal"] == template.seal.name


def test_a_body_too_long_for_the_page_is_refused_at_save_time():
    template = CertificateTemplateFactory.build(body="兹证明{name}完成培训。" * 400)
    with pytest.raises(ValidationError) as error:
        template.full_clean()
    assert error.value.message_dict["body"] == [str(TEMPLATE_TOO_LONG)]


def test_the_preview_is_a_pdf_with_sample_values(rf):
    template = CertificateTemplateFactory.build()
    response = template.serve_preview(rf.get("/"), "")
    assert response["Content-Type"] == "application/pdf"
    assert "张伟" in "".join(pdf_text(response.content).split())


# --- Holders see their own certificates, nobody else's --------------------------


def _certificate(teacher):
    return certificate_issue(
        kind=CertificateKind.COURSE_COMPLETION, holder=teacher, subject_key="course:1", subject_label="小学科学",
        hours=Decimal("8"), template=CertificateTemplateFactory(),
    ).certificate


def test_a_teacher_lists_and_downloads_their_own_certificates(client):
    teacher = TeacherFactory()
    certificate = _certificate(teacher)
    other = _certificate(TeacherFactory())
    client.force_login(teacher.user)
    page = client.get(reverse("certificates:my_certificates")).content.decode()
    assert certificate.serial in page and other.serial not in page
    response = client.get(reverse("certificates:my_certificate_pdf", args=[certificate.pk]))
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert b"".join(response.streaming_content).startswith(b"%PDF")
    assert client.get(reverse("certificates:my_certificate_pdf", args=[other.pk])).status_code == 404


@pytest.mark.parametrize("role", [Role.TRAINER, Role.DISTRICT_ADMIN, Role.HR])
def test_staff_cannot_download_a_teachers_certificate_from_the_holder_pages(client, role):
    certificate = _certificate(TeacherFactory())
    user = user_with_role(role)
    if role == Role.DISTRICT_ADMIN:
        district_admin_assign(user=user, district=certificate.holder.school.district)
    client.force_login(user)
    assert client.get(reverse("certificates:my_certificate_pdf", args=[certificate.pk])).status_code == 404
    assert certificate.serial not in client.get(reverse("certificates:my_certificates")).content.decode()


def test_anonymous_visitors_are_sent_to_log_in(client):
    certificate = _certificate(TeacherFactory())
    for url in (reverse("certificates:my_certificates"),
                reverse("certificates:my_certificate_pdf", args=[certificate.pk])):
        response = client.get(url)
        assert response.status_code == 302 and "/accounts/login/" in response["Location"]


# --- The hours transcript (学时证明) --------------------------------------------


def _credit(teacher, n, hours, category=CreditCategory.ONLINE_COURSE):
    return credit_record(
        teacher=teacher, hours=Decimal(hours), category=category, source_key=f"test:{teacher.pk}:{n}",
        occurred_on=datetime.date(2025, 3, n), evidence_label=f"科学课程第{n}讲", person_times=1,
    )


def test_asking_for_a_transcript_before_hr_set_a_default_template_says_so(client):
    teacher = TeacherFactory()
    _credit(teacher, 1, "3")
    client.force_login(teacher.user)
    client.cookies["django_language"] = "en"
    response = client.post(reverse("certificates:my_transcript_pdf", args=[2025]), follow=True)
    assert response.redirect_chain[-1][0] == reverse("themes:my_hours_transcript", args=[2025])
    expected = NO_TEMPLATE % {"kind": CertificateKind.HOURS_TRANSCRIPT.label}
    assert expected in response.content.decode()
    assert not Certificate.objects.exists()


def test_the_transcript_pdf_lists_every_credit_and_totals_by_category(client):
    TranscriptTemplateFactory(is_default=True)
    teacher = TeacherFactory(real_name="王芳")
    _credit(teacher, 1, "3")
    _credit(teacher, 2, "4.5", CreditCategory.OFFLINE_WORKSHOP)
    client.force_login(teacher.user)
    url = reverse("certificates:my_transcript_pdf", args=[2025])
    assert client.get(url).status_code == 405  # issuing is a POST
    response = client.post(url)
    assert response.status_code == 200
    text = "".join(pdf_text(b"".join(response.streaming_content)).split())
    assert "王芳" in text and "2025年度培训学时证明" in text
    assert "科学课程第1讲" in text and "科学课程第2讲" in text
    assert "7.5" in text  # the total
    certificate = Certificate.objects.get(holder=teacher)
    assert certificate.serial in text and certificate.hours == Decimal("7.5")

    # Asking again changes nothing; a new credit reissues it.
    client.post(url)
    assert Certificate.objects.filter(holder=teacher).count() == 1
    _credit(teacher, 3, "2")
    text = "".join(pdf_text(b"".join(client.post(url).streaming_content)).split())
    assert "9.5" in text
    certificate.refresh_from_db()
    assert certificate.status == CertificateStatus.SUPERSEDED
    assert Certificate.objects.get(holder=teacher, status=CertificateStatus.VALID).hours == Decimal("9.5")


def test_a_long_transcript_runs_over_several_pages():
    from certificates.services import certificate_transcript_issue

    template = TranscriptTemplateFactory()
    teacher = TeacherFactory()
    for n in range(1, 29):
        _credit(teacher, n, "1")
    certificate = certificate_transcript_issue(teacher=teacher, year=2025, template=template).certificate
    text = "".join(pdf_text(issued_pdf(certificate)).split())
    assert all(f"科学课程第{n}讲" in text for n in range(1, 29))
    assert text.count(certificate.serial) >= 2


def test_the_transcript_page_offers_the_pdf(client):
    teacher = TeacherFactory()
    client.force_login(teacher.user)
    page = client.get(reverse("themes:my_hours_transcript", args=[2025])).content.decode()
    assert reverse("certificates:my_transcript_pdf", args=[2025]) in page


def test_a_pdf_lost_from_storage_is_drawn_again_from_the_issued_values(client):
    teacher = TeacherFactory(real_name="陈静")
    certificate = _certificate(teacher)
    issued_pdf(certificate)
    certificate.refresh_from_db()
    certificate.pdf.storage.delete(certificate.pdf.name)
    client.force_login(teacher.user)
    response = client.get(reverse("certificates:my_certificate_pdf", args=[certificate.pk]))
    assert response.status_code == 200
    text = "".join(pdf_text(b"".join(response.streaming_content)).split())
    assert "陈静" in text and certificate.serial in text
