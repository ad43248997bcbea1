"""The talent registry: certified members, filtered and exported, scoped
(``lms.cohorts.selectors.talent_registry_list``); never edited here."""

import django_filters
from django.utils.translation import gettext_lazy as _
from wagtail.admin.filters import WagtailFilterSet
from wagtail.admin.ui.tables import Column
from wagtail.permission_policies import ModelPermissionPolicy
from wagtail.permissions import register_permission_policy

from lms.admin_base import ScopedModelViewSet, YearFilter
from lms.cohorts import selectors
from lms.cohorts.models import Cohort, CohortMembership
from lms.constants import CohortKind, Subject
from lms.people.selectors import district_list_for_request


class ViewOnlyPermissionPolicy(ModelPermissionPolicy):
    """Memberships change only through lms.cohorts.services' services; the registry
    lists and exports them, never edits."""

    def user_has_permission(self, user, action):
        return action == "view" and super().user_has_permission(user, action)

    def user_has_any_permission(self, user, actions):
        return "view" in actions and super().user_has_permission(user, "view")


register_permission_policy(CohortMembership, ViewOnlyPermissionPolicy(CohortMembership))


class RegistryFilterSet(WagtailFilterSet):
    name = django_filters.CharFilter(label=_("name or staff number"), method="filter_name")
    subject = django_filters.ChoiceFilter(label=_("subject"), choices=Subject.choices, field_name="teacher__subject")
    district = django_filters.ModelChoiceFilter(label=_("district"), queryset=district_list_for_request,
                                                field_name="teacher__school__district")
    cohort = django_filters.ModelChoiceFilter(label=_("cohort"), queryset=Cohort.objects.all())
    kind = django_filters.ChoiceFilter(label=_("kind"), choices=CohortKind.choices, field_name="cohort__kind")
    year = YearFilter(label=_("year certified"), field_name="certified_at__year")

    class Meta:
        model = CohortMembership
        fields = []

    def filter_name(self, queryset, name, value):
        from django.db.models import Q

        return queryset.filter(Q(teacher__real_name__icontains=value) | Q(teacher__staff_number__icontains=value))


def _registry_scope(user):
    return selectors.talent_registry_list(user=user)


class TalentRegistryViewSet(ScopedModelViewSet):
    model = CohortMembership
    icon = "tasks"
    menu_label = _("Talent registry")
    url_prefix = "talent-registry"
    list_display = [
        "teacher",
        Column("school", label=_("school"), accessor="teacher.school"),
        Column("district", label=_("district"), accessor="teacher.school.district"),
        "cohort",
        "certified_at",
    ]
    list_per_page = 50
    list_export = [
        "teacher.staff_number", "teacher.real_name", "teacher.get_subject_display", "teacher.get_stage_display",
        "teacher.school", "teacher.school.district", "cohort", "cohort.get_kind_display", "cohort.intake_year",
        "certified_at", "certification_override_reason",
    ]
    export_headings = {
        "teacher.staff_number": _("staff number"), "teacher.real_name": _("name"),
        "teacher.get_subject_display": _("subject"), "teacher.get_stage_display": _("stage"),
        "teacher.school": _("school"), "teacher.school.district": _("district"), "cohort": _("cohort"),
        "cohort.get_kind_display": _("kind"), "cohort.intake_year": _("intake year"),
        "certified_at": _("certified"), "certification_override_reason": _("certified by override"),
    }
    export_filename = "talent-registry"
    filterset_class = RegistryFilterSet
    inspect_view_enabled = True
    copy_view_enabled = False
    form_fields = []
    scope = staticmethod(_registry_scope)
