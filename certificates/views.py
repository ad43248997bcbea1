"""Public and holder-facing pages: verification by token (the QR code) or by
serial and check code, the Open Badges JSON, and a teacher's own
certificates and hours transcript PDF. Thin: parse, check, call a selector
or a service."""

import time

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.cache import cache
from django.http import FileResponse, Http404, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST

from lms.selectors import teacher_get_for_user

from . import badges
from .constants import CertificateStatus
from .models import CertificateTemplate
from .selectors import (
    certificate_get_by_serial_and_code,
    certificate_get_by_token,
    certificate_get_for_holder,
    certificate_list_for_holder,
)
from .services import certificate_pdf_open, certificate_transcript_current

RATE_LIMITED = _("Too many verification requests from your address. Please wait a minute and try again.")
FIRST_YEAR = 2000


def _client_address(request):
    # REMOTE_ADDR: the reverse proxy must pass the real address (see
    # docs/operations.md); X-Forwarded-For is not trusted here.
    return request.META.get("REMOTE_ADDR", "unknown")


def rate_limited(view):
    """At most CERTIFICATES_VERIFY_RATE_PER_MINUTE lookups a minute per
    address, across the verification page, the form and the assertions."""

    def wrapper(request, *args, **kwargs):
        key = f"certificates:verify:{_client_address(request)}:{int(time.time() // 60)}"
        cache.add(key, 0, timeout=120)
        try:
            count = cache.incr(key)
        except ValueError:
            count = 1
        if count > settings.CERTIFICATES_VERIFY_RATE_PER_MINUTE:
            response = render(request, "certificates/verify.html", {"rate_limited": True, "message": RATE_LIMITED},
                              status=429)
            response["Retry-After"] = "60"
            return response
        return view(request, *args, **kwargs)

    wrapper.__name__ = view.__name__
    wrapper.__doc__ = view.__doc__
    return wrapper


def _verification(request, certificate, *, form=None):
    if certificate is None:
        return render(request, "certificates/verify.html", {"not_found": True, "form": form}, status=404)
    return render(
        request,
        "certificates/verify.html",
        {"certificate": certificate, "statuses": CertificateStatus, "form": form},
    )


@rate_limited
def verify_token(request, token):
    """The page the QR code opens. Unknown and malformed tokens alike are
    "not found"."""
    return _verification(request, certificate_get_by_token(token))


@rate_limited
def verify_form(request):
    serial = request.GET.get("serial", "")
    code = request.GET.get("code", "")
    form = {"serial": serial[:32], "code": code[:8]}
    if not serial and not code:
        return render(request, "certificates/verify.html", {"form": form, "ask": True})
    return _verification(request, certificate_get_by_serial_and_code(serial, code), form=form)


def _json(data, status=200):
    response = JsonResponse(data, status=status, json_dumps_params={"ensure_ascii": False})
    response["Content-Type"] = "application/ld+json; charset=utf-8"
    response["Access-Control-Allow-Origin"] = "*"
    return response


@rate_limited
def badge_assertion(request, token):
    certificate = certificate_get_by_token(token)
    if certificate is None:
        return _json({"error": "not found"}, status=404)
    email = certificate.holder.user.email if certificate.holder_id else ""
    return _json(badges.assertion_json(certificate, email=email))


def badge_class(request, pk):
    return _json(badges.badge_class_json(get_object_or_404(CertificateTemplate, pk=pk)))


def badge_image(request, pk):
    return HttpResponse(badges.badge_image_png(get_object_or_404(CertificateTemplate, pk=pk)),
                        content_type="image/png")


def badge_issuer(request):
    return _json(badges.issuer_json())


@login_required
def my_certificates(request):
    return render(
        request,
        "certificates/my_certificates.html",
        {
            "page_title": _("My certificates"),
            "certificates": certificate_list_for_holder(request.user),
            "is_teacher": teacher_get_for_user(request.user) is not None,
            "statuses": CertificateStatus,
        },
    )


def _pdf_response(certificate):
    return FileResponse(
        certificate_pdf_open(certificate=certificate), as_attachment=True, filename=f"{certificate.serial}.pdf",
        content_type="application/pdf",
    )


@login_required
def my_certificate_pdf(request, pk):
    """A holder's own PDF; anyone else's is a 404, whoever asks."""
    certificate = certificate_get_for_holder(request.user, pk)
    if certificate is None:
        raise Http404
    return _pdf_response(certificate)


@login_required
@require_POST
def my_transcript_pdf(request, year):
    """The hours transcript (学时证明) of ``year`` as a PDF certificate: issued
    on first request, reissued when the ledger has changed since."""
    teacher = teacher_get_for_user(request.user)
    if teacher is None or not FIRST_YEAR <= year <= timezone.localdate().year:
        raise Http404
    try:
        certificate = certificate_transcript_current(teacher=teacher, year=year)
    except ValidationError as error:
        # No default transcript template yet: say so on the page the teacher
        # came from, rather than failing.
        for message in error.messages:
            messages.error(request, message)
        return redirect(reverse("themes:my_hours_transcript", args=[year]))
    return _pdf_response(certificate)
