"""Academy admins' view of sign-in lockouts (django-axes keeps them; we do
not use Django's admin, where axes shows them)."""

from django.core.exceptions import PermissionDenied
from django.urls import path, reverse_lazy
from django.utils.translation import gettext_lazy as _
from wagtail.admin.menu import MenuItem
from wagtail.admin.ui.tables import Column, DateColumn
from wagtail.admin.views.account import ChangePasswordPanel
from wagtail.admin.views.reports import ReportView

from .forms import ThrottledAdminPasswordChangeForm
from .selectors import signin_lockout_list

LOCKOUTS_PERMISSION = "axes.view_accessattempt"


class SignInLockoutsView(ReportView):
    page_title = _("Sign-in lockouts")
    header_icon = "lock"
    index_url_name = "sign_in_lockouts"
    index_results_url_name = "sign_in_lockouts_results"
    columns = [
        Column("username", label=_("Username")),
        Column("ip_address", label=_("Address")),
        Column("failures_since_start", label=_("Failed attempts")),
        DateColumn("attempt_time", label=_("Last attempt")),
        DateColumn("locked_until", label=_("Locked until")),
    ]
    list_export = ["username", "ip_address", "failures_since_start", "attempt_time", "locked_until"]
    export_headings = {
        "username": _("Username"), "ip_address": _("Address"), "failures_since_start": _("Failed attempts"),
        "attempt_time": _("Last attempt"), "locked_until": _("Locked until"),
    }

    def dispatch(self, request, *args, **kwargs):
        if not request.user.has_perm(LOCKOUTS_PERMISSION):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)

    def get_queryset(self):
        return signin_lockout_list()


class LockoutsMenuItem(MenuItem):
    def is_shown(self, request):
        return request.user.has_perm(LOCKOUTS_PERMISSION)


def admin_urls():
    return [
        path("reports/sign-in-lockouts/", SignInLockoutsView.as_view(), name="sign_in_lockouts"),
        path("reports/sign-in-lockouts/results/", SignInLockoutsView.as_view(results_only=True),
             name="sign_in_lockouts_results"),
    ]


def lockouts_menu_item():
    return LockoutsMenuItem(_("Sign-in lockouts"), reverse_lazy("sign_in_lockouts"), name="sign-in-lockouts",
                            icon_name="lock", order=1100)


class ThrottledChangePasswordPanel(ChangePasswordPanel):
    """Wagtail's password panel with the limited form. Wagtail's own is off
    (WAGTAIL_PASSWORD_MANAGEMENT_ENABLED = False), so this one ignores that
    setting."""

    form_class = ThrottledAdminPasswordChangeForm

    def is_active(self):
        return self.user.has_usable_password()


def throttled_password_panel(request, user, profile):
    return ThrottledChangePasswordPanel(request, user, profile)
