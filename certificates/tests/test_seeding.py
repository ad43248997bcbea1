from io import StringIO

import pytest
from django.core.management import call_command

from certificates.constants import CertificateKind, CertificateStatus
from certificates.models import Certificate, CertificateTemplate
from conftest import files_under


@pytest.mark.django_db
def test_seed_demo_gives_a_default_template_per_kind_and_demo_certificates(
    media_roots, django_capture_on_commit_callbacks
):
    public, private = media_roots
    out = StringIO()
    with django_capture_on_commit_callbacks(execute=True):
        call_command("seed_demo", teachers=60, stdout=out)
    assert set(CertificateTemplate.objects.filter(is_default=True).values_list("kind", flat=True)) == set(
        CertificateKind.values
    )
    demo = Certificate.objects.filter(holder__user__username="teacher")
    assert demo.filter(kind=CertificateKind.HOURS_TRANSCRIPT, status=CertificateStatus.VALID).exists()
    assert demo.filter(status=CertificateStatus.SUPERSEDED).exists()
    assert Certificate.objects.filter(status=CertificateStatus.REVOKED).count() == 1
    pdfs = {certificate.pdf.name for certificate in Certificate.objects.all()}
    assert "" not in pdfs
    # Every PDF is in private storage, and no personal file in public media.
    assert set(files_under(private)) == pdfs
    assert not [name for name in files_under(public) if not name.startswith("certificates/templates/")]
    assert "Certificates:" in out.getvalue() or "证书" in out.getvalue()
