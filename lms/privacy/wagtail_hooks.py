from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import ngettext
from wagtail import hooks
from wagtail.admin.ui.components import Component


class OpenCorrectionsPanel(Component):
    """On the admin's home page: how many correction requests wait for the
    signed-in admin, linking to the list of open ones."""

    name = "open_correction_requests"
    order = 20

    def __init__(self, count):
        self.count = count

    def render_html(self, parent_context=None):
        message = ngettext(
            "%(count)d correction request from a teacher waits for you.",
            "%(count)d correction requests from teachers wait for you.",
            self.count,
        ) % {"count": self.count}
        url = reverse("correction_requests:index") + "?status=open"
        return format_html(
            '<section class="help-block help-info" id="open-correction-requests"><p><a href="{}">{}</a></p></section>',
            url, message,
        )


@hooks.register("construct_homepage_panels")
def add_open_corrections_panel(request, panels):
    if not request.user.has_perm("privacy.change_correctionrequest"):
        return
    from lms.privacy.selectors import open_correction_count_for_user

    count = open_correction_count_for_user(request.user)
    if count:
        panels.append(OpenCorrectionsPanel(count))


@hooks.register("register_admin_viewset")
def register_correction_request_viewset():
    from lms.privacy.admin_views import correction_request_viewset

    return correction_request_viewset


@hooks.register("register_log_actions")
def register_privacy_log_actions(actions):
    from django.utils.translation import gettext_lazy as _

    from lms.privacy.services import LOG_ANONYMISE, LOG_CORRECTION_REQUEST, LOG_CORRECTION_RESOLVE

    actions.register_action(LOG_CORRECTION_REQUEST, _("Ask for a correction"), _("Correction requested"))
    actions.register_action(LOG_CORRECTION_RESOLVE, _("Resolve a correction request"), _("Correction request resolved"))
    actions.register_action(LOG_ANONYMISE, _("Anonymise a teacher"), _("Teacher anonymised"))


@hooks.register("register_academy_nav_item")
def my_data_nav_item():
    from django.utils.translation import gettext_lazy as _

    from themes.navigation import NavItem, has_teacher_profile

    return NavItem(_("My data"), "privacy:my_data", order=600, visible=has_teacher_profile)


@hooks.register("register_log_entry_scope")
def register_correction_request_log_entry_scope():
    """A district admin's site history shows the correction requests of their
    own district's teachers, as their correction list does."""
    from lms.privacy.models import CorrectionRequest
    from lms.privacy.selectors import correction_request_list_for_user

    return {CorrectionRequest: correction_request_list_for_user}
