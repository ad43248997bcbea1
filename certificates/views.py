"""Public and holder-facing pages: verification by token (the QR code) or by
serial and check code, the Open Badges JSON, and a teacher's own
certificates and hours transcript PDF. Thin: parse, check, call a selector
or a service."""

import logging

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST

from lms.api import LEDGER_EARLIEST_YEAR as FIRST_YEAR
from lms.api import private_file_response, ratelimit, teacher_get_for_user

from . import badges
from .constants import CertificateStatus
from .models import CertificateTemplate
from .selectors import (
    certificate_get_by_serial_and_code,
    certificate_get_by_token,
    certificate_get_for_holder,
    certificate_list_for_holder,
)
from .services import certificate_pdf_ensure, certificate_transcript_current

PDF_BEING_PREPARED = _("The PDF of this certificate is being prepared. Please try again in a minute.")
RATE_LIMITED = _("Too many verification requests from your address. Please wait a minute and try again.")
CERTIFICATE_RATE_LIMITED = _(
    "This certificate has been looked up too often in the last minute. Please wait a minute and try again."
)

logger = logging.getLogger(__name__)


def _address_limit():
    return ratelimit.Limit("certificates:verify:address", settings.CERTIFICATES_VERIFY_RATE_PER_MINUTE, 60)


def _certificate_limit():
    return ratelimit.Limit(
        "certificates:verify:certificate", settings.CERTIFICATES_VERIFY_RATE_PER_CERTIFICATE_PER_MINUTE, 60
    )


def _certificate_key(request, kwargs):
    """What identifies the certificate asked about: its token (QR code,
    badge assertion) or its serial (the form), or None for the empty form."""
    if "token" in kwargs:
        return f"token:{kwargs['token'][:64]}"
    serial = request.GET.get("serial", "").strip().upper()[:32]
    return f"serial:{serial}" if serial else None


def _too_many(request, message, usage):
    response = render(request, "certificates/verify.html", {"rate_limited": True, "message": message}, status=429)
    response["Retry-After"] = str(usage.seconds_left)
    return response


def rate_limited(view):
    """Two budgets a minute, across the verification page, the form and the
    assertions: a generous one per address (a school's teachers share one),
    and a small one per certificate, so nobody can try check codes against
    one serial from many addresses (docs/decisions/0071-shared-rate-limits.md)."""

    def wrapper(request, *args, **kwargs):
        usage = ratelimit.hit(_address_limit(), ratelimit.client_address(request))
        if usage.exceeded:
            return _too_many(request, RATE_LIMITED, usage)
        certificate_key = _certificate_key(request, kwargs)
        if certificate_key is not None:
            usage = ratelimit.hit(_certificate_limit(), certificate_key)
            if usage.exceeded:
                return _too_many(request, CERTIFICATE_RATE_LIMITED, usage)
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


def certificate_pdf_response(request, certificate):
    """The certificate's PDF, drawn first if it has none yet; if drawing
    fails, a page saying it is being prepared (never a server error)."""
    try:
        pdf = certificate_pdf_ensure(certificate=certificate)
    except Exception:  # noqa: BLE001 - any drawing failure: try again later
        logger.exception("Could not draw the PDF of certificate %s", certificate.serial)
        response = render(request, "certificates/pdf_pending.html",
                          {"page_title": PDF_BEING_PREPARED, "message": PDF_BEING_PREPARED}, status=503)
        response["Retry-After"] = "60"
        return response
    return private_file_response(pdf, f"{certificate.serial}.pdf")


@login_required
def my_certificate_pdf(request, pk):
    """A holder's own PDF; anyone else's is a 404, whoever asks."""
    certificate = certificate_get_for_holder(request.user, pk)
    if certificate is None:
        raise Http404
    return certificate_pdf_response(request, certificate)


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
    return certificate_pdf_response(request, certificate)
