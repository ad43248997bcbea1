"""A certificate's PDF is drawn after its row and serial have committed,
outside any transaction: no file is ever left for a serial the database does
not hold, and a drawing that fails leaves a certificate that is drawn on its
next download."""

import re

import pytest
from django.db import connection, transaction
from django.urls import reverse

from certificates import pdf_files, services
from certificates.models import Certificate
from certificates.views import PDF_BEING_PREPARED
from conftest import files_under
from lms.tests.builders import THREADS, run_at_once
from lms.tests.factories import TeacherFactory

from .factories import CertificateTemplateFactory
from .pdf import pdf_text

SERIAL = re.compile(r"[A-Z0-9]+-\d{4}-\d{6}")


def issue(holder, template, key="course:1"):
    return services.certificate_issue(
        kind="course", holder=holder, subject_key=key, subject_label="科学探究实验教学", template=template
    )


def drawing_recorded(monkeypatch, *, fail=False):
    """Record, for every drawing, whether it ran inside a transaction."""
    calls = []
    draw = pdf_files.render_certificate_pdf

    def recording(*args, **kwargs):
        calls.append(connection.in_atomic_block)
        if fail:
            raise OSError("font file unreadable")
        return draw(*args, **kwargs)

    monkeypatch.setattr(pdf_files, "render_certificate_pdf", recording)
    return calls


def assert_every_file_belongs_to_its_certificate(private):
    """Each PDF on disk is the PDF of a certificate row that carries the
    serial printed in it; returns the files."""
    files = files_under(private / "certificates")
    for name in files:
        certificate = Certificate.objects.get(pdf=f"certificates/{name}")
        text = "".join(pdf_text((private / "certificates" / name).read_bytes()).split())
        assert SERIAL.findall(text) == [certificate.serial], name
        assert certificate.holder_name in text
    return files


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_twenty_concurrent_issues_leave_one_certificate_and_no_stray_pdf(media_roots, monkeypatch):
    _public, private = media_roots
    drawings = drawing_recorded(monkeypatch)
    template = CertificateTemplateFactory()
    holder = TeacherFactory(real_name="张小伟")

    results, refusals, errors = run_at_once(lambda: issue(holder, template))

    assert errors == [] and refusals == []
    assert len(results) == THREADS and sum(result.created for result in results) == 1
    assert Certificate.objects.filter(holder=holder).count() == 1
    # The serials the losers drew back are given to the next certificate.
    other = issue(TeacherFactory(real_name="王芳"), template).certificate
    assert Certificate.objects.count() == 2 and other.sequence == 2
    # Drawn once per certificate, each time outside any transaction, so no
    # lock (the serial counter's above all) waited for the drawing.
    assert drawings == [False, False]
    files = assert_every_file_belongs_to_its_certificate(private)
    assert len(files) == 2


@pytest.mark.django_db
def test_a_failed_drawing_leaves_a_certificate_that_is_drawn_on_download(
    client, media_roots, monkeypatch, django_capture_on_commit_callbacks, caplog
):
    _public, private = media_roots
    holder = TeacherFactory(real_name="陈静")
    drawing_recorded(monkeypatch, fail=True)
    with django_capture_on_commit_callbacks(execute=True):
        certificate = issue(holder, CertificateTemplateFactory()).certificate
    certificate.refresh_from_db()
    assert certificate.serial and not certificate.pdf
    assert "drawn on its next download" in caplog.text
    assert files_under(private) == []

    client.force_login(holder.user)
    url = reverse("certificates:my_certificate_pdf", args=[certificate.pk])
    client.cookies["django_language"] = "en"
    response = client.get(url)
    assert response.status_code == 503 and response["Retry-After"] == "60"
    assert str(PDF_BEING_PREPARED) in response.content.decode()

    monkeypatch.undo()
    response = client.get(url)
    assert response.status_code == 200
    assert certificate.serial in "".join(pdf_text(b"".join(response.streaming_content)).split())
    certificate.refresh_from_db()
    assert certificate.pdf.name.startswith(f"certificates/{certificate.year}/{certificate.serial}-")
    assert assert_every_file_belongs_to_its_certificate(private) == [certificate.pdf.name.split("/", 1)[1]]


@pytest.mark.django_db
def test_two_drawings_of_one_certificate_keep_one_file(media_roots, monkeypatch):
    _public, private = media_roots
    # Issued without running its on-commit drawing: no PDF yet.
    certificate = issue(TeacherFactory(), CertificateTemplateFactory()).certificate
    draw = pdf_files.render_certificate_pdf
    first = {}

    def racing(*args, **kwargs):
        """While the committed issue's drawing runs, a download draws the
        same certificate and attaches its PDF first."""
        if not first:
            first["name"] = ""
            first["name"] = pdf_files.certificate_pdf_ensure(certificate=Certificate.objects.get(pk=certificate.pk)).name
        return draw(*args, **kwargs)

    monkeypatch.setattr(pdf_files, "render_certificate_pdf", racing)
    pdf_files.certificate_pdf_render_committed(certificate_pk=certificate.pk)
    # The drawing that lost the race deleted its own file and kept the first.
    certificate.refresh_from_db()
    assert first["name"] and certificate.pdf.name == first["name"]
    assert len(assert_every_file_belongs_to_its_certificate(private)) == 1


@pytest.mark.django_db
def test_a_rolled_back_issue_draws_nothing(media_roots, django_capture_on_commit_callbacks):
    _public, private = media_roots
    template = CertificateTemplateFactory()
    holder = TeacherFactory()
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        with pytest.raises(Abandoned), transaction.atomic():
            issue(holder, template)
            raise Abandoned
    assert callbacks == []
    assert not Certificate.objects.exists()
    assert files_under(private) == []


class Abandoned(Exception):
    """The caller's transaction fails after the certificate was written."""
