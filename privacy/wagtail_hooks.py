from wagtail import hooks


@hooks.register("register_admin_viewset")
def register_correction_request_viewset():
    from .admin_views import correction_request_viewset

    return correction_request_viewset


@hooks.register("register_log_actions")
def register_privacy_log_actions(actions):
    from django.utils.translation import gettext_lazy as _

    from .services import LOG_ANONYMISE, LOG_CORRECTION_REQUEST, LOG_CORRECTION_RESOLVE

    actions.register_action(LOG_CORRECTION_REQUEST, _("Ask for a correction"), _("Correction requested"))
    actions.register_action(LOG_CORRECTION_RESOLVE, _("Resolve a correction request"), _("Correction request resolved"))
    actions.register_action(LOG_ANONYMISE, _("Anonymise a teacher"), _("Teacher anonymised"))


@hooks.register("register_academy_nav_item")
def my_data_nav_item():
    from django.utils.translation import gettext_lazy as _

    from themes.navigation import NavItem, has_teacher_profile

    return NavItem(_("My data"), "privacy:my_data", order=600, visible=has_teacher_profile)
