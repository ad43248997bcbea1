import datetime
import json
from decimal import Decimal
from urllib.parse import urlparse

import pytest
from django.core.cache import cache
from django.test import Client
from django.urls import reverse
from django.utils import translation

from certificates.constants import CertificateKind
from certificates.services import certificate_issue, certificate_reissue, certificate_revoke

from .factories import CertificateTemplateFactory, TeacherFactory
from .pdf import issued_pdf, pdf_images, zbar_decode

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def english_and_fresh_rate_limits(settings):
    cache.clear()
    settings.CERTIFICATES_BASE_URL = "https://academy.example.cn"
    with translation.override("en"):
        yield
    cache.clear()


@pytest.fixture
def english_client():
    return Client(HTTP_ACCEPT_LANGUAGE="en", headers={"Cookie": "django_language=en"})


def issue(teacher=None, **kwargs):
    return certificate_issue(
        kind=CertificateKind.COURSE_COMPLETION,
        holder=teacher or TeacherFactory(real_name="张小伟"),
        subject_key=kwargs.pop("subject_key", "course:1"),
        subject_label="小学科学探究式教学实践",
        hours=Decimal("24"),
        started_on=datetime.date(2026, 3, 1),
        completed_on=datetime.date(2026, 6, 30),
        template=kwargs.pop("template", None) or CertificateTemplateFactory(),
        **kwargs,
    ).certificate


def test_the_qr_code_decodes_to_the_verification_page_which_shows_the_certificate(english_client):
    import shutil

    from conftest import service_missing

    if not shutil.which("zbarimg"):
        service_missing("zbarimg is missing (apt-get install zbar-tools)")
    certificate = issue()
    images = pdf_images(issued_pdf(certificate))
    decoded = [text for image in images for text in (zbar_decode(image) or [])]
    assert len(decoded) == 1
    url = urlparse(decoded[0])
    assert url.netloc == "academy.example.cn"
    response = english_client.get(url.path)
    assert response.status_code == 200
    page = response.content.decode()
    assert "Valid" in page
    assert "张*伟" in page and "张小伟" not in page
    assert "小学科学探究式教学实践" in page
    assert certificate.serial in page
    assert "24" in page


def test_tokens_have_at_least_128_bits_and_differ():
    first, second = issue(subject_key="course:1"), issue(subject_key="course:2")
    assert len(first.token) >= 22 and first.token != second.token  # 43 url-safe characters = 256 bits


@pytest.mark.parametrize("token", ["x" * 43, "short", "../../etc/passwd", "%00" * 20, "A" * 200])
def test_unknown_and_malformed_tokens_get_the_same_not_found_page(english_client, token):
    issue()
    response = english_client.get(f"/certificates/v/{token}/")
    assert response.status_code == 404
    assert b'id="verify-not-found"' in response.content


def test_revoked_and_superseded_certificates_say_so(english_client):
    revoked = issue(subject_key="course:1")
    certificate_revoke(certificate=revoked, reason="Attendance was recorded twice")
    page = english_client.get(reverse("certificates:verify_token", args=[revoked.token])).content.decode()
    assert "Revoked" in page and "Attendance was recorded twice" in page

    old = issue(subject_key="course:2")
    new = certificate_reissue(certificate=old)
    page = english_client.get(reverse("certificates:verify_token", args=[old.token])).content.decode()
    assert "Superseded" in page and new.serial in page


def test_the_form_needs_serial_and_check_code_together(english_client):
    certificate = issue()
    url = reverse("certificates:verify")
    found = english_client.get(url, {"serial": certificate.serial.lower(), "code": certificate.check_code})
    assert found.status_code == 200 and b'id="verify-result"' in found.content
    wrong = "AAAAAA" if certificate.check_code != "AAAAAA" else "BBBBBB"
    for params in ({"serial": certificate.serial, "code": wrong}, {"serial": certificate.serial, "code": ""},
                   {"serial": "nonsense", "code": "<script>"}):
        response = english_client.get(url, params)
        assert response.status_code == 404
        assert b'id="verify-not-found"' in response.content
        assert certificate.holder_name.encode() not in response.content


def test_verification_is_rate_limited_per_address(english_client, settings):
    settings.CERTIFICATES_VERIFY_RATE_PER_MINUTE = 5
    certificate = issue()
    url = reverse("certificates:verify_token", args=[certificate.token])
    statuses = [english_client.get(url, REMOTE_ADDR="10.0.0.1").status_code for _ in range(6)]
    assert statuses == [200] * 5 + [429]
    # Guessing by serial counts against the same budget.
    assert english_client.get(reverse("certificates:verify"), {"serial": "JNKJ-2026-000001", "code": "ABCDEF"},
                              REMOTE_ADDR="10.0.0.1").status_code == 429
    # Another address is not affected.
    assert english_client.get(url, REMOTE_ADDR="10.0.0.2").status_code == 200


@pytest.mark.parametrize("count", [1, 20])
def test_the_verification_page_runs_a_fixed_small_number_of_queries(
    english_client, django_assert_max_num_queries, count
):
    template = CertificateTemplateFactory()
    teacher = TeacherFactory()
    certificates = [issue(teacher, subject_key=f"course:{n}", template=template) for n in range(count)]
    superseded = certificates[0]
    certificate_reissue(certificate=superseded)
    # The first page ever shown creates the site's branding settings row.
    english_client.get(reverse("certificates:verify"))
    # One for the certificate (with its successor), two for the branding.
    for certificate in (superseded, certificates[-1]):
        with django_assert_max_num_queries(3):
            response = english_client.get(reverse("certificates:verify_token", args=[certificate.token]))
        assert response.status_code == 200


def test_open_badges_assertion_badge_class_and_issuer(english_client):
    certificate = issue()
    certificate.holder.user.email = "Zhang@Example.cn"
    certificate.holder.user.save()
    response = english_client.get(reverse("certificates:badge_assertion", args=[certificate.token]))
    assert response["Content-Type"].startswith("application/ld+json")
    assertion = json.loads(response.content)
    assert assertion["@context"] == "https://w3id.org/openbadges/v2"
    assert assertion["type"] == "Assertion"
    assert assertion["verification"] == {"type": "hosted"}
    assert assertion["id"] == "https://academy.example.cn" + reverse(
        "certificates:badge_assertion", args=[certificate.token]
    )
    assert assertion["recipient"]["hashed"] is True and assertion["recipient"]["type"] == "email"
    import hashlib

    expected = hashlib.sha256(("zhang@example.cn" + assertion["recipient"]["salt"]).encode()).hexdigest()
    assert assertion["recipient"]["identity"] == f"sha256${expected}"
    assert "revoked" not in assertion

    badge = json.loads(english_client.get(urlparse(assertion["badge"]).path).content)
    assert badge["type"] == "BadgeClass" and badge["name"] == "结业证书"
    assert {"image", "criteria", "issuer", "description"} <= badge.keys()
    issuer = json.loads(english_client.get(urlparse(badge["issuer"]).path).content)
    assert issuer["type"] == "Issuer" and issuer["name"]
    image = english_client.get(urlparse(badge["image"]).path)
    assert image["Content-Type"] == "image/png" and image.content.startswith(b"\x89PNG")

    certificate_revoke(certificate=certificate, reason="Issued in error")
    assertion = json.loads(english_client.get(reverse("certificates:badge_assertion", args=[certificate.token])).content)
    assert assertion["revoked"] is True and assertion["revocationReason"] == "Issued in error"


def test_an_unknown_assertion_is_a_json_404(english_client):
    response = english_client.get("/certificates/v/" + "y" * 43 + "/assertion.json")
    assert response.status_code == 404
