"""Admin screens for talent cohorts: the menu group and the work screens' URLs.

- Cohorts (set-up): ``lms.cohorts.admin_setup``.
- The cohort work screens (``lms_cohorts:`` URLs): the overview, a cohort's
  roster and a membership's page (``lms.cohorts.admin_screens``), the
  nomination form (``lms.cohorts.admin_nominate``) and the assessment-results
  import (``lms.cohorts.admin_import``).
- The talent registry: ``lms.cohorts.admin_registry``.
"""

from django.urls import path, reverse
from django.utils.translation import gettext_lazy as _
from wagtail.admin.menu import MenuItem
from wagtail.admin.viewsets.base import ViewSet, ViewSetGroup

from lms.cohorts.admin_import import AssessmentImportView, assessment_template_view
from lms.cohorts.admin_nominate import NominateView
from lms.cohorts.admin_registry import TalentRegistryViewSet
from lms.cohorts.admin_screens import MembershipView, OverviewView, RosterView
from lms.cohorts.admin_setup import CohortViewSet
from lms.cohorts.rules import NOMINATE_PERMISSION, VIEW_PERMISSION


class CohortMenuItem(MenuItem):
    def is_shown(self, request):
        return request.user.has_perm(VIEW_PERMISSION)


class CohortWorkViewSet(ViewSet):
    name = "lms_cohorts"
    url_prefix = "talent-cohorts"
    icon = "group"
    menu_label = _("Overview and rosters")
    menu_item_class = CohortMenuItem

    def get_urlpatterns(self):
        return [
            path("", OverviewView.as_view(), name="overview"),
            path("nominate/", NominateView.as_view(), name="nominate"),
            path("<int:pk>/roster/", RosterView.as_view(), name="roster"),
            path("<int:pk>/import/", AssessmentImportView.as_view(), name="import"),
            path("<int:pk>/import/template.csv", assessment_template_view, name="import_template"),
            path("members/<int:pk>/", MembershipView.as_view(), name="membership"),
        ]


class NominateMenuItem(MenuItem):
    def is_shown(self, request):
        return request.user.has_perm(NOMINATE_PERMISSION)


class NominateViewSet(ViewSet):
    """Only the nomination form's menu entry; its URL lives in the work screens."""

    name = "lms_cohorts_nominate"
    icon = "user"
    menu_label = _("Nominate a teacher")
    menu_item_class = NominateMenuItem

    @property
    def menu_url(self):
        return reverse("lms_cohorts:nominate")


class TalentCohortsViewSetGroup(ViewSetGroup):
    menu_label = _("Talent cohorts")
    menu_icon = "group"
    menu_order = 250
    items = (
        CohortWorkViewSet(),
        NominateViewSet(),
        TalentRegistryViewSet("talent_registry"),
        CohortViewSet("cohorts"),
    )


talent_cohorts_viewset_group = TalentCohortsViewSetGroup()
