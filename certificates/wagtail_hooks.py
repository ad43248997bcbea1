"""Registers the certificate screens (certificates/admin_views.py), their
menu, the audit-log actions and the missing-font warning on the dashboard."""

from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.ui.components import Component
from wagtail.snippets.models import register_snippet

from .constants import LOG_ISSUE, LOG_REISSUE, LOG_REVOKE


@hooks.register("register_log_actions")
def register_certificate_log_actions(actions):
    actions.register_action(LOG_ISSUE, _("Issue a certificate"), _("Certificate issued"))
    actions.register_action(LOG_REVOKE, _("Revoke a certificate"), _("Certificate revoked"))
    actions.register_action(LOG_REISSUE, _("Reissue a certificate"), _("Certificate reissued"))


def _register_template_snippet():
    from .admin_views import template_viewset

    register_snippet(template_viewset)


_register_template_snippet()


@hooks.register("register_admin_viewset")
def register_certificate_viewset():
    from .admin_views import certificate_viewset

    return certificate_viewset


@hooks.register("register_admin_urls")
def register_certificate_admin_urls():
    from .admin_views import admin_urls

    return admin_urls()


@hooks.register("register_admin_menu_item")
def register_certificates_menu():
    from .admin_views import menu_item

    return menu_item()


class FontWarningPanel(Component):
    name = "certificate_font_warning"
    order = 10

    def __init__(self, message):
        self.message = message

    def render_html(self, parent_context=None):
        return format_html(
            '<section class="help-block help-warning" role="alert" id="certificate-font-warning"><p>{}</p></section>',
            self.message,
        )


@hooks.register("construct_homepage_panels")
def add_font_warning_panel(request, panels):
    from .fonts import font_warning

    warning = font_warning()
    if warning and request.user.has_perm("certificates.view_certificatetemplate"):
        panels.insert(0, FontWarningPanel(warning))


@hooks.register("register_academy_nav_item")
def certificates_nav_items():
    from django.utils.translation import gettext_lazy as _

    from themes.navigation import NavItem, has_teacher_profile

    return [
        NavItem(_("My certificates"), "certificates:my_certificates", order=400, visible=has_teacher_profile),
        NavItem(_("Verify a certificate"), "certificates:verify", order=900),
    ]
