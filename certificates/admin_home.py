"""What certificates add to the admin beyond their screens: their entries in
the site history's log actions and the missing-font warning on the admin's
home page (registered by certificates/wagtail_hooks.py)."""

from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from wagtail.admin.ui.components import Component

from .constants import LOG_ISSUE, LOG_REISSUE, LOG_REVOKE
from .fonts import font_warning


def certificate_log_actions_register(actions):
    """Issuing, revoking and reissuing in Wagtail's site history."""
    actions.register_action(LOG_ISSUE, _("Issue a certificate"), _("Certificate issued"))
    actions.register_action(LOG_REVOKE, _("Revoke a certificate"), _("Certificate revoked"))
    actions.register_action(LOG_REISSUE, _("Reissue a certificate"), _("Certificate reissued"))


class FontWarningPanel(Component):
    """On the admin's home page: certificates would be drawn without an
    embedded Chinese font."""

    name = "certificate_font_warning"
    order = 10

    def __init__(self, message):
        self.message = message

    def render_html(self, parent_context=None):
        return format_html(
            '<section class="help-block help-warning" role="alert" id="certificate-font-warning"><p>{}</p></section>',
            self.message,
        )


def font_warning_panel_add(request, panels):
    warning = font_warning()
    if warning and request.user.has_perm("certificates.view_certificatetemplate"):
        panels.insert(0, FontWarningPanel(warning))
