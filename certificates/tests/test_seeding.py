from io import StringIO

import pytest
from django.core.management import call_command

from certificates.constants import CertificateKind, CertificateStatus
from certificates.models import Certificate, CertificateTemplate


@pytest.mark.django_db
def test_seed_demo_gives_a_default_template_per_kind_and_demo_certificates():
    out = StringIO()
    call_command("seed_demo", teachers=60, stdout=out)
    assert set(CertificateTemplate.objects.filter(is_default=True).values_list("kind", flat=True)) == set(
        CertificateKind.values
    )
    demo = Certificate.objects.filter(holder__user__username="teacher")
    assert demo.filter(kind=CertificateKind.HOURS_TRANSCRIPT, status=CertificateStatus.VALID).exists()
    assert demo.filter(status=CertificateStatus.SUPERSEDED).exists()
    assert Certificate.objects.filter(status=CertificateStatus.REVOKED).count() == 1
    assert all(certificate.pdf for certificate in Certificate.objects.all())
    assert "Certificates:" in out.getvalue() or "证书" in out.getvalue()
