"""The teacher's data page (我的资料) with its downloads and correction
requests, and the privacy notice every user acknowledges once."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST

from lms.people.selectors import teacher_get_for_user
from lms.privacy import services
from lms.privacy.constants import PRIVACY_NOTICE_VERSION, SESSION_KEY
from lms.privacy.exports import personal_data_json_response, personal_data_xlsx_response
from lms.privacy.forms import CorrectionRequestForm
from lms.privacy.selectors import correction_request_list_for_teacher, notice_acknowledged, personal_data_get

CORRECTION_SENT = _("Your request was sent to your district's administrators. Its status is shown below.")
NOTICE_ACKNOWLEDGED = _("Thank you. You can read the notice again at any time from the link at the foot of every page.")
EXPORT_FORMATS = {"json": personal_data_json_response, "xlsx": personal_data_xlsx_response}

MY_DATA_TEMPLATE = "privacy/my_data.html"


def _not_a_teacher(request):
    return render(request, MY_DATA_TEMPLATE, {"page_title": _("My data"), "not_teacher": True})


def _my_data_page(request, teacher, form):
    return render(request, MY_DATA_TEMPLATE, {
        "page_title": _("My data"),
        "teacher": teacher,
        "data": personal_data_get(teacher),
        "corrections": correction_request_list_for_teacher(teacher),
        "form": form,
    })


@login_required
def my_data(request):
    teacher = teacher_get_for_user(request.user)
    if teacher is None:
        return _not_a_teacher(request)
    request.user.teacher_profile = teacher
    return _my_data_page(request, teacher, CorrectionRequestForm())


@login_required
def my_data_export(request, export_format):
    teacher = teacher_get_for_user(request.user)
    if teacher is None:
        return _not_a_teacher(request)
    return EXPORT_FORMATS[export_format](personal_data_get(teacher))


@login_required
@require_POST
def correction_request(request):
    teacher = teacher_get_for_user(request.user)
    if teacher is None:
        return _not_a_teacher(request)
    form = CorrectionRequestForm(request.POST)
    if form.is_valid():
        try:
            services.correction_request_create(teacher=teacher, **form.cleaned_data)
        except ValidationError as error:
            form.add_error("text" if error.code == "text" else "field", error)
        else:
            messages.success(request, CORRECTION_SENT)
            return redirect("privacy:my_data")
    request.user.teacher_profile = teacher
    return _my_data_page(request, teacher, form)


def _next_url(request):
    target = request.POST.get("next") or request.GET.get("next") or "/"
    # Only a path: redirect() would take any other word for a view's name.
    if target.startswith("/") and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()},
                                       require_https=request.is_secure()):
        return target
    return "/"


def notice(request):
    """The notice itself: public, so anyone may read it before signing in."""
    acknowledged = request.user.is_authenticated and (
        request.session.get(SESSION_KEY) == PRIVACY_NOTICE_VERSION
        or notice_acknowledged(request.user, PRIVACY_NOTICE_VERSION)
    )
    return render(request, "privacy/notice.html", {
        "page_title": _("Privacy notice"),
        "version": PRIVACY_NOTICE_VERSION,
        "acknowledged": acknowledged,
        "next": _next_url(request),
    })


@login_required
@require_POST
def notice_acknowledge(request):
    services.notice_acknowledge(user=request.user, version=PRIVACY_NOTICE_VERSION)
    request.session[SESSION_KEY] = PRIVACY_NOTICE_VERSION
    messages.success(request, NOTICE_ACKNOWLEDGED)
    return redirect(_next_url(request))


def my_data_nav_item():
    """"My data" in the public site's main navigation."""
    from lms.navigation import NavItem, has_teacher_profile

    return NavItem(_("My data"), "privacy:my_data", order=600, visible=has_teacher_profile)
