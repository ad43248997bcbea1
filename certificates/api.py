"""The certificates app's public names: the only ones other apps import
from certificates (docs/decisions/0090-app-apis-and-import-contracts.md)."""

from .constants import CertificateKind
from .models import Certificate, IssueBatchItem
from .seeding import demo_certificates_seed
from .services import certificate_issue, certificate_issue_later, template_default

__all__ = [
    # Issuing (cohort certification issues a qualification certificate).
    "CertificateKind",
    "certificate_issue",
    "certificate_issue_later",
    "template_default",
    # A teacher's certificates (their personal data).
    "Certificate",
    "IssueBatchItem",
    # The demo templates and certificates, seeded by seed_demo.
    "demo_certificates_seed",
]
