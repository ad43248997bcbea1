from django.utils.translation import gettext_lazy as _
from wagtail import hooks

from .constants import LOG_ISSUE, LOG_REISSUE, LOG_REVOKE


@hooks.register("register_log_actions")
def register_certificate_log_actions(actions):
    actions.register_action(LOG_ISSUE, _("Issue a certificate"), _("Certificate issued"))
    actions.register_action(LOG_REVOKE, _("Revoke a certificate"), _("Certificate revoked"))
    actions.register_action(LOG_REISSUE, _("Reissue a certificate"), _("Certificate reissued"))
