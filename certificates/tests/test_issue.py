import datetime
from decimal import Decimal

import pytest
from django.core import mail
from django.utils import translation
from wagtail.models import ModelLogEntry

from certificates.constants import LOG_ISSUE, LOG_REISSUE, LOG_REVOKE, CertificateKind, CertificateStatus
from certificates.models import Certificate, SerialCounter
from certificates.services import (
    NO_SUBJECT,
    NOT_REVOCABLE,
    REASON_REQUIRED,
    CertificateError,
    certificate_issue,
    certificate_reissue,
    certificate_revoke,
)
from certificates.tasks import certificate_issue_task

from .factories import CertificateTemplateFactory, TeacherFactory, UserFactory
from .pdf import issued_pdf, pdf_fonts, pdf_text

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


def issue(teacher, template, **kwargs):
    return certificate_issue(
        kind=CertificateKind.COURSE_COMPLETION,
        holder=teacher,
        subject_key=kwargs.pop("subject_key", "course:demo-1"),
        subject_label=kwargs.pop("subject_label", "小学科学探究式教学实践"),
        hours=kwargs.pop("hours", Decimal("24")),
        started_on=datetime.date(2026, 3, 1),
        completed_on=datetime.date(2026, 6, 30),
        template=template,
        **kwargs,
    )


def test_pdf_reads_back_with_name_hours_serial_and_title():
    teacher = TeacherFactory(real_name="张小伟")
    result = issue(teacher, CertificateTemplateFactory())
    assert result.created
    certificate = result.certificate
    text = pdf_text(issued_pdf(certificate))
    flat = "".join(text.split())
    assert "张小伟" in flat
    assert "24学时" in flat
    assert "结业证书" in flat
    assert certificate.serial in flat
    assert "小学科学探究式教学实践" in flat


def test_every_font_in_the_pdf_is_embedded_and_none_is_a_standard_font():
    certificate = issue(TeacherFactory(), CertificateTemplateFactory()).certificate
    fonts = pdf_fonts(issued_pdf(certificate))
    assert fonts, "the PDF has text, so it must have fonts"
    assert all(embedded for _name, _subtype, embedded in fonts), fonts
    standard = {"Helvetica", "Times-Roman", "Courier", "Symbol", "ZapfDingbats"}
    assert not any(name.split("+")[-1].split("-")[0] in standard for name, _subtype, _embedded in fonts)


def test_long_names_and_titles_shrink_and_wrap_and_stay_on_the_page():
    long_label = "新课标背景下初中物理跨学科实践活动设计与实施——基于项目式学习的课堂教学改进专题研修" * 2
    certificate = issue(TeacherFactory(real_name="欧阳司马慕容诸葛"), CertificateTemplateFactory(),
                        subject_label=long_label).certificate
    flat = "".join(pdf_text(issued_pdf(certificate)).split())
    assert long_label in flat
    assert "欧阳司马慕容诸葛" in flat


def test_serials_are_prefix_year_sequence_and_gap_free():
    template = CertificateTemplateFactory()
    teacher = TeacherFactory()
    serials = [issue(teacher, template, subject_key=f"course:{n}").certificate for n in range(3)]
    year = serials[0].year
    assert [c.serial for c in serials] == [f"JNKJ-{year}-{n:06d}" for n in (1, 2, 3)]
    assert SerialCounter.objects.get(year=year).last_value == 3


def test_issuing_twice_returns_the_first_certificate_and_writes_nothing():
    template = CertificateTemplateFactory()
    teacher = TeacherFactory()
    first = issue(teacher, template)
    second = issue(teacher, template)
    assert first.created and not second.created
    assert second.certificate.pk == first.certificate.pk
    assert Certificate.objects.count() == 1
    assert SerialCounter.objects.get().last_value == 1


def test_the_task_run_twice_issues_one_certificate():
    template = CertificateTemplateFactory()
    teacher = TeacherFactory()
    kwargs = {"kind": "course", "holder_pk": teacher.pk, "subject_key": "course:7", "subject_label": "课程七",
              "hours": "12", "template_pk": template.pk}
    first = certificate_issue_task.delay(**kwargs).get()
    second = certificate_issue_task.delay(**kwargs).get()
    assert first == second
    assert Certificate.objects.filter(holder=teacher).count() == 1


def test_certificate_for_a_model_object_keys_on_its_type_and_pk():
    template = CertificateTemplateFactory()
    teacher = TeacherFactory()
    school = teacher.school  # any model instance stands in for a course
    certificate = certificate_issue(kind="course", holder=teacher, subject_object=school, template=template,
                                    hours=Decimal("8")).certificate
    assert certificate.subject_key == f"lms.school:{school.pk}"
    assert certificate.subject == school
    assert certificate.subject_label == str(school)


def test_a_certificate_needs_something_to_certify():
    with pytest.raises(CertificateError) as error:
        certificate_issue(kind="course", holder=TeacherFactory(), template=CertificateTemplateFactory())
    assert error.value.messages == [str(NO_SUBJECT)]


def test_editing_the_template_never_changes_an_issued_certificate():
    template = CertificateTemplateFactory()
    certificate = issue(TeacherFactory(), template).certificate
    pdf_before = issued_pdf(certificate)
    template.title = "新的标题"
    template.save()
    certificate.refresh_from_db()
    assert certificate.rendered["title"] == "结业证书"
    assert issued_pdf(certificate) == pdf_before


def test_revoke_needs_a_reason_and_is_logged_and_emailed(django_capture_on_commit_callbacks):
    hr = UserFactory()
    certificate = issue(TeacherFactory(), CertificateTemplateFactory()).certificate
    with pytest.raises(CertificateError) as error:
        certificate_revoke(certificate=certificate, reason="  ", user=hr)
    assert error.value.messages == [str(REASON_REQUIRED)]
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        revoked = certificate_revoke(certificate=certificate, reason="学时记录有误", user=hr)
    assert revoked.status == CertificateStatus.REVOKED
    assert revoked.revocation_reason == "学时记录有误"
    entry = ModelLogEntry.objects.get(action=LOG_REVOKE)
    assert entry.user == hr and entry.object_id == str(certificate.pk)
    assert "学时记录有误" in mail.outbox[-1].body
    with pytest.raises(CertificateError) as error:
        certificate_revoke(certificate=certificate, reason="again", user=hr)
    assert error.value.messages == [str(NOT_REVOCABLE)]


def test_reissue_gives_a_new_serial_and_the_old_one_is_superseded(django_capture_on_commit_callbacks):
    hr = UserFactory()
    template = CertificateTemplateFactory()
    teacher = TeacherFactory()
    old = issue(teacher, template, issued_by=hr).certificate
    template.title = "结业证书（新版）"
    template.save()
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        new = certificate_reissue(certificate=old, user=hr)
    old.refresh_from_db()
    assert new.serial != old.serial
    assert old.status == CertificateStatus.SUPERSEDED and old.superseded_by == new
    assert new.status == CertificateStatus.VALID
    assert new.rendered["title"] == "结业证书（新版）"
    assert "结业证书（新版）" in "".join(pdf_text(issued_pdf(new)).split())
    assert ModelLogEntry.objects.filter(action=LOG_ISSUE, object_id=str(new.pk)).exists()
    assert ModelLogEntry.objects.get(action=LOG_REISSUE).object_id == str(old.pk)
    assert len(mail.outbox) == 1 and old.serial in mail.outbox[0].body
    # Only one valid certificate for the same thing.
    assert Certificate.objects.filter(holder=teacher, status=CertificateStatus.VALID).count() == 1


def test_issue_is_written_to_the_audit_log_and_the_holder_is_emailed(django_capture_on_commit_callbacks):
    hr = UserFactory()
    teacher = TeacherFactory()
    teacher.user.email = "zhang@example.cn"
    teacher.user.save()
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        certificate = issue(teacher, CertificateTemplateFactory(), issued_by=hr).certificate
    entry = ModelLogEntry.objects.get(action=LOG_ISSUE)
    assert entry.user == hr and entry.data["serial"] == certificate.serial
    assert mail.outbox[0].to == ["zhang@example.cn"]
    assert certificate.serial in mail.outbox[0].subject


def test_issue_later_runs_the_task_once_the_transaction_commits(django_capture_on_commit_callbacks):
    from certificates.services import certificate_issue_later

    template = CertificateTemplateFactory(is_default=True)
    teacher = TeacherFactory()
    school = teacher.school  # stands in for a course
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        certificate_issue_later(kind=CertificateKind.COURSE_COMPLETION, holder_pk=teacher.pk, subject_object=school,
                                hours=Decimal("6"), completed_on=datetime.date(2026, 5, 1))
    assert not Certificate.objects.exists()  # nothing before the commit
    for callback in callbacks:
        callback()
    certificate = Certificate.objects.get()
    assert certificate.subject == school and certificate.template == template
    assert certificate.hours == Decimal("6") and certificate.completed_on == datetime.date(2026, 5, 1)
