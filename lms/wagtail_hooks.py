from wagtail import hooks

from lms.people.admin_views import people_viewset_group


@hooks.register("register_admin_viewset")
def register_people_viewsets():
    return people_viewset_group


# People imports (lms/imports/admin_views.py): the upload and report screens, their
# menu entry, and the import permission on the group editing screen.
@hooks.register("register_admin_urls")
def register_import_urls():
    from lms.imports import admin_views as import_views

    return import_views.admin_urls()


@hooks.register("register_admin_menu_item")
def register_import_menu_item():
    from lms.imports import admin_views as import_views

    return import_views.menu_item()


@hooks.register("register_permissions")
def register_import_permissions():
    from django.contrib.auth.models import Permission

    codenames = ["add_importbatch", "view_importbatch"]
    return Permission.objects.filter(content_type__app_label="lms", codename__in=codenames)


@hooks.register("register_log_actions")
def register_ledger_log_actions(actions):
    from django.utils.translation import gettext_lazy as _

    from lms.ledger.services import LOG_ADJUSTMENT, LOG_CREDIT, LOG_REVERSAL

    actions.register_action(LOG_CREDIT, _("Credit training hours"), _("Training hours credited"))
    actions.register_action(LOG_REVERSAL, _("Reverse a credit"), _("Credit reversed"))
    actions.register_action(LOG_ADJUSTMENT, _("Adjust training hours"), _("Training hours adjusted"))


# The city and district dashboards (lms/dashboards/admin_views.py) and the read-only
# ledger listing their figures drill into.
@hooks.register("register_admin_urls")
def register_dashboard_urls():
    from lms.dashboards import admin_views as dashboard_views

    return dashboard_views.admin_urls()


@hooks.register("register_admin_menu_item")
def register_dashboard_menu_item():
    from lms.dashboards import admin_views as dashboard_views

    return dashboard_views.menu_item()


@hooks.register("register_admin_viewset")
def register_ledger_entry_viewset():
    from lms.dashboards.admin_views import ledger_entry_viewset

    return ledger_entry_viewset


# HR's corrections to the ledger, the yearly caps and the plan's targets
# (lms/ledger/admin_views.py), under one "Training hours" menu group.
@hooks.register("register_admin_viewset")
def register_training_hours_viewsets():
    from lms.ledger.admin_views import training_hours_viewset_group

    return training_hours_viewset_group


@hooks.register("register_permissions")
def register_ledger_correction_permission():
    from django.contrib.auth.models import Permission

    return Permission.objects.filter(content_type__app_label="lms", codename="add_trainingcredit")


# Talent cohorts (lms/cohorts/).
@hooks.register("register_log_actions")
def register_cohort_log_actions(actions):
    from django.utils.translation import gettext_lazy as _

    from lms.cohorts.services import LOG_CERTIFY, LOG_NOMINATE, LOG_TRANSITION

    actions.register_action(LOG_NOMINATE, _("Nominate to a cohort"), _("Nominated to a cohort"))
    actions.register_action(LOG_TRANSITION, _("Change a cohort membership"), _("Cohort membership changed"))
    actions.register_action(LOG_CERTIFY, _("Certify a cohort member"), _("Cohort member certified"))


@hooks.register("register_admin_viewset")
def register_talent_cohort_viewsets():
    from lms.cohorts.admin_views import talent_cohorts_viewset_group

    return talent_cohorts_viewset_group


@hooks.register("register_academy_nav_item")
def my_cohorts_nav_item():
    from django.utils.translation import gettext_lazy as _

    from lms.cohorts.selectors import teacher_has_membership
    from themes.navigation import NavItem

    return NavItem(_("My cohorts"), "my_cohorts", order=320, visible=teacher_has_membership)


# Whose log entries a reader of Wagtail's site history may see (lms/audit.py):
# each model's entries are kept to the objects its own screens show.
@hooks.register("register_log_entry_scope")
def register_people_log_entry_scopes():
    from lms.cohorts.selectors import cohort_list_for_user, membership_list_for_user
    from lms.dashboards.selectors import credit_list_for_user
    from lms.models import Cohort, CohortMembership, District, School, TeacherProfile, TrainingCredit
    from lms.people.selectors import district_list_for_user, school_list_for_user, teacher_list_for_user

    return {
        District: district_list_for_user,
        School: school_list_for_user,
        TeacherProfile: teacher_list_for_user,
        TrainingCredit: credit_list_for_user,
        Cohort: cohort_list_for_user,
        CohortMembership: membership_list_for_user,
    }


@hooks.register("before_move_page")
def refuse_move_confirmation_without_permission(request, page, destination):
    """Wagtail checks the right to move a page on choosing a destination and
    on the move itself, but renders the confirmation step (the page's
    subpage count and destination) to anyone with admin access: the same
    check is made here, so that step is refused like the others."""
    from wagtail.admin.auth import permission_denied

    if not page.permissions_for_user(request.user).can_move_to(destination):
        return permission_denied(request)
    return None
