"""Open Badges 2.0 hosted assertions: each certificate is published as an
Assertion (JSON-LD) pointing at its BadgeClass (one per template) and the
academy's Issuer profile, so a holder can import it into a badge backpack.
A revoked or superseded certificate's assertion says ``revoked: true`` with
the reason; verification is ``hosted``: the assertion's own URL is the proof.
"""

import hashlib
import hmac
import io

from django.conf import settings
from django.urls import reverse
from PIL import Image, ImageDraw, ImageFont

from .constants import CertificateStatus
from .fonts import certificate_font

CONTEXT = "https://w3id.org/openbadges/v2"
SUPERSEDED_REASON = "Superseded by certificate %(serial)s"


def _url(name, **kwargs):
    return settings.CERTIFICATES_BASE_URL.rstrip("/") + reverse(name, kwargs=kwargs)


def issuer_url():
    return _url("certificates:badge_issuer")


def badge_class_url(template):
    return _url("certificates:badge_class", pk=template.pk)


def assertion_url(certificate):
    return _url("certificates:badge_assertion", token=certificate.token)


def issuer_json():
    return {
        "@context": CONTEXT,
        "type": "Issuer",
        "id": issuer_url(),
        "name": settings.CERTIFICATES_ISSUER_NAME,
        "url": settings.CERTIFICATES_BASE_URL,
        "email": settings.DEFAULT_FROM_EMAIL,
    }


def badge_class_json(template):
    name = template.title if "{" not in template.title else f"{template.title.split('{')[0]}{template.get_kind_display()}"
    return {
        "@context": CONTEXT,
        "type": "BadgeClass",
        "id": badge_class_url(template),
        "name": name.strip() or str(template.get_kind_display()),
        "description": f"{settings.CERTIFICATES_ISSUER_NAME}：{template.get_kind_display()}",
        "image": _url("certificates:badge_image", pk=template.pk),
        "criteria": {"narrative": template.body},
        "issuer": issuer_url(),
    }


def _salt(certificate):
    return hmac.new(settings.SECRET_KEY.encode(), certificate.token.encode(), hashlib.sha256).hexdigest()[:16]


def _recipient(certificate, email):
    salt = _salt(certificate)
    if email:
        kind, identity = "email", email.strip().lower()
    else:
        # No email on file: the holder is identified by their verification page.
        kind, identity = "url", _url("certificates:verify_token", token=certificate.token)
    digest = hashlib.sha256((identity + salt).encode()).hexdigest()
    return {"type": kind, "hashed": True, "salt": salt, "identity": f"sha256${digest}"}


def assertion_json(certificate, *, email=""):
    data = {
        "@context": CONTEXT,
        "type": "Assertion",
        "id": assertion_url(certificate),
        "recipient": _recipient(certificate, email),
        "badge": badge_class_url(certificate.template),
        "issuedOn": certificate.issued_at.isoformat(),
        "verification": {"type": "hosted"},
        "evidence": _url("certificates:verify_token", token=certificate.token),
        "narrative": certificate.subject_label,
    }
    if certificate.status == CertificateStatus.REVOKED:
        data.update(revoked=True, revocationReason=certificate.revocation_reason)
    elif certificate.status == CertificateStatus.SUPERSEDED:
        serial = certificate.superseded_by.serial if certificate.superseded_by_id else ""
        data.update(revoked=True, revocationReason=SUPERSEDED_REASON % {"serial": serial})
    return data


def badge_image_png(template):
    """A round red seal with the kind's first character, 256 px."""
    size = 256
    image = Image.new("RGBA", (size, size), (255, 255, 255, 0))
    draw = ImageDraw.Draw(image)
    draw.ellipse((8, 8, size - 8, size - 8), fill=(156, 31, 31, 255))
    draw.ellipse((24, 24, size - 24, size - 24), outline=(255, 255, 255, 255), width=4)
    font = certificate_font()
    text = "证"
    if font.embedded:
        face = ImageFont.truetype(font.path, 120, index=0)
        draw.text((size / 2, size / 2), text, font=face, fill="white", anchor="mm")
    buffer = io.BytesIO()
    image.save(buffer, "PNG")
    return buffer.getvalue()
