"""A teacher's own pages on the public site: "my hours" (我的学时) and the
printable yearly hours transcript (学时证明).

Both read through ``lms.ledger.selectors``: the totals come from the teacher's
yearly tallies, never from summing their ledger, and a teacher only ever
gets their own profile, so no URL can show another teacher's entries.
"""

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext_lazy
from wagtail.models import Page

from lms.api import LEDGER_EARLIEST_YEAR as FIRST_YEAR
from lms.api import teacher_credit_list, teacher_get_for_user, teacher_hours_summary

ENTRIES_PER_PAGE = 50

TEMPLATE = "themes/my_hours.html"


def _selected_year(value, current_year):
    try:
        year = int(value)
    except (TypeError, ValueError):
        return current_year
    return year if FIRST_YEAR <= year <= current_year else current_year


def _evidence_url(evidence, request):
    """Where a teacher can see what they were credited for, if anywhere."""
    if evidence is None:
        return ""
    if isinstance(evidence, Page):
        # With the request Wagtail resolves the site from it rather than
        # querying for the site root paths once per page.
        return evidence.get_url(request) or ""
    for method in ("get_url", "get_absolute_url"):
        if callable(getattr(evidence, method, None)):
            return getattr(evidence, method)() or ""
    return ""


def _for_display(entries, request):
    """Attach what the templates show besides the model fields."""
    for entry in entries:
        entry.evidence_url = _evidence_url(entry.evidence, request) if entry.evidence_type_id else ""
        # The reverse one-to-one raises when there is no reversal; the
        # select_related in the selector already knows, so this costs nothing.
        entry.reversal = getattr(entry, "reversed_by", None)
    return entries


def _teacher(request):
    teacher = teacher_get_for_user(request.user)
    if teacher is not None:
        # The header shows the teacher's name from request.user; handing it
        # the profile already fetched saves it a query.
        request.user.teacher_profile = teacher
    return teacher


def _not_a_teacher(request):
    # Staff and mentors sign in on the same site; this page is not for them,
    # which is worth saying plainly rather than failing.
    return render(request, TEMPLATE, {"view": "not_teacher", "page_title": _("My training hours")})


@login_required
def my_hours(request):
    teacher = _teacher(request)
    if teacher is None:
        return _not_a_teacher(request)
    current_year = timezone.localdate().year
    year = _selected_year(request.GET.get("year"), current_year)
    summary = teacher_hours_summary(teacher, year, current_year=current_year)
    page = Paginator(teacher_credit_list(teacher, year), ENTRIES_PER_PAGE).get_page(request.GET.get("page"))
    _for_display(page.object_list, request)
    return render(
        request,
        TEMPLATE,
        {
            "view": "overview",
            "page_title": _("My training hours"),
            "teacher": teacher,
            "year": year,
            "current_year": current_year,
            "summary": summary,
            "entries": page,
        },
    )


@login_required
def my_hours_transcript(request, year):
    """Every credit of the year and the totals by category, to print.

    The verifiable PDF of the same transcript comes from the certificates app
    (``certificates:my_transcript_pdf``); this page offers it and is the
    printable HTML version."""
    teacher = _teacher(request)
    if teacher is None:
        return _not_a_teacher(request)
    today = timezone.localdate()
    if not FIRST_YEAR <= year <= today.year:
        raise Http404
    summary = teacher_hours_summary(teacher, year, current_year=today.year)
    # Oldest first, as a transcript reads.
    entries = list(teacher_credit_list(teacher, year).order_by("occurred_on", "pk"))
    _for_display(entries, request)
    return render(
        request,
        TEMPLATE,
        {
            "view": "transcript",
            "page_title": _("Training hours transcript %(year)s") % {"year": year},
            "teacher": teacher,
            "year": year,
            "today": today,
            "summary": summary,
            "entries": entries,
        },
    )


SIGN_IN_LOCKED = ngettext_lazy(
    "Too many wrong passwords for this account from your address. Signing in is paused for %(minutes)d "
    "minute: please wait, then try again. An academy administrator can unlock the account sooner.",
    "Too many wrong passwords for this account from your address. Signing in is paused for %(minutes)d "
    "minutes: please wait, then try again. An academy administrator can unlock the account sooner.",
    "minutes",
)


def sign_in_locked(request, original_response=None, credentials=None):
    """django-axes' lockout response (AXES_LOCKOUT_CALLABLE) for every sign-in
    form, the admin's included: our page, 429 and when to come back. Each
    refused try restarts the cool-off, so the full cool-off is what is left."""
    seconds = int(settings.AXES_COOLOFF_TIME.total_seconds())
    response = render(
        request,
        "themes/sign_in_locked.html",
        {"page_title": _("Signing in is paused"), "message": SIGN_IN_LOCKED % {"minutes": -(-seconds // 60)}},
        status=429,
    )
    response["Retry-After"] = str(seconds)
    return response
