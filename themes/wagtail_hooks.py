from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.views.account import ChangePasswordPanel

from .admin_views import admin_urls, lockouts_menu_item
from .forms import ThrottledAdminPasswordChangeForm
from .navigation import NAV_HOOK, NavItem, has_teacher_profile


@hooks.register(NAV_HOOK)
def home_nav_item():
    return NavItem(_("Home"), "/", order=0, prefix_match=False)


@hooks.register(NAV_HOOK)
def my_hours_nav_item():
    return NavItem(_("My hours"), "themes:my_hours", order=300, visible=has_teacher_profile)


@hooks.register("register_admin_urls")
def sign_in_lockouts_urls():
    return admin_urls()


@hooks.register("register_reports_menu_item")
def sign_in_lockouts_menu_item():
    return lockouts_menu_item()


class ThrottledChangePasswordPanel(ChangePasswordPanel):
    """Wagtail's password panel with the limited form. Wagtail's own is off
    (WAGTAIL_PASSWORD_MANAGEMENT_ENABLED = False), so this one ignores that
    setting."""

    form_class = ThrottledAdminPasswordChangeForm

    def is_active(self):
        return self.user.has_usable_password()


@hooks.register("register_account_settings_panel")
def throttled_password_panel(request, user, profile):
    return ThrottledChangePasswordPanel(request, user, profile)
