"""Admin: the correction requests of the teachers in the user's scope (their
district's, or every district's for the academy's admins), and resolving one
with a note the teacher reads."""

import django_filters
from django import forms
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext
from wagtail.admin.filters import WagtailFilterSet
from wagtail.admin.ui.components import Component
from wagtail.admin.ui.tables import Column
from wagtail.admin.views import generic
from wagtail.permission_policies import ModelPermissionPolicy
from wagtail.permissions import register_permission_policy

from lms.admin_base import ScopedModelViewSet, ScopedObjectMixin, display_column
from lms.people.selectors import district_list_for_request
from lms.privacy import services
from lms.privacy.constants import CorrectionField, CorrectionStatus
from lms.privacy.models import CorrectionRequest
from lms.privacy.selectors import correction_request_list_for_user, open_correction_count_for_user


class CorrectionFilterSet(WagtailFilterSet):
    status = django_filters.ChoiceFilter(label=_("status"), choices=CorrectionStatus.choices)
    field = django_filters.ChoiceFilter(label=_("what is wrong"), choices=CorrectionField.choices)
    district = django_filters.ModelChoiceFilter(
        label=_("district"), queryset=district_list_for_request, field_name="teacher__school__district"
    )

    class Meta:
        model = CorrectionRequest
        fields = ["status", "field", "district"]


class CorrectionResolveForm(forms.ModelForm):
    class Meta:
        model = CorrectionRequest
        fields = ["resolution_note"]
        help_texts = {
            "resolution_note": _("Say what was corrected, or why nothing was changed. "
                                 "The teacher reads it on their data page."),
        }


class CorrectionResolveView(ScopedObjectMixin, generic.EditView):
    """Resolving is the only change an admin makes to a request, through the
    service (the data itself is corrected where it lives)."""

    scope = staticmethod(correction_request_list_for_user)

    def get_form_class(self):
        return CorrectionResolveForm

    def save_instance(self):
        return services.correction_request_resolve(
            request=self.object, by=self.request.user, note=self.form.cleaned_data["resolution_note"]
        )

    def form_valid(self, form):
        self.form = form
        try:
            return super().form_valid(form)
        except ValidationError as error:
            form.add_error(None, error)
        except PermissionDenied as error:
            form.add_error(None, str(error))
        self.produced_error_message = self.get_error_message()
        return self.form_invalid(form)


class ViewAndResolveOnlyPolicy(ModelPermissionPolicy):
    """Requests are written by teachers and never deleted by admins: the
    admin screens only list, inspect and resolve them."""

    ALLOWED = {"view", "change"}

    def user_has_permission(self, user, action):
        return action in self.ALLOWED and super().user_has_permission(user, action)

    def user_has_any_permission(self, user, actions):
        return super().user_has_any_permission(user, [action for action in actions if action in self.ALLOWED])

    def users_with_any_permission(self, actions):
        return super().users_with_any_permission([action for action in actions if action in self.ALLOWED])


class CorrectionRequestViewSet(ScopedModelViewSet):
    model = CorrectionRequest
    icon = "edit"
    menu_label = _("Correction requests")
    menu_order = 950
    add_to_admin_menu = True
    url_prefix = "correction-requests"
    list_display = ["teacher", Column("school", label=_("school"), accessor="teacher.school"), display_column(CorrectionRequest, "field"), "text",
                    display_column(CorrectionRequest, "status"), "created_at"]
    list_filter = None
    filterset_class = CorrectionFilterSet
    list_per_page = 50
    search_fields = ["teacher__real_name", "teacher__staff_number", "text"]
    search_backend_name = None
    form_fields = ["resolution_note"]
    inspect_view_fields = ["teacher", "field", "text", "status", "created_at", "resolved_at", "resolved_by",
                           "resolution_note"]
    scope = staticmethod(correction_request_list_for_user)


class CorrectionInspectView(CorrectionRequestViewSet.inspect_view_class):
    """The model's field called ``field`` would make Wagtail call its own
    ``get_field_display_value`` as that field's display hook (a 500): it is
    shown through the choice label here instead."""

    def get_field_display_value(self, field_name, field):
        if field_name == "field":
            return self.object.get_field_display()
        return super().get_field_display_value(field_name, field)


# The scoped edit view ScopedModelViewSet sets is replaced by resolving.
CorrectionRequestViewSet.edit_view_class = CorrectionResolveView
CorrectionRequestViewSet.inspect_view_class = CorrectionInspectView
register_permission_policy(CorrectionRequest, ViewAndResolveOnlyPolicy(CorrectionRequest), exact_class=True)
correction_request_viewset = CorrectionRequestViewSet("correction_requests")


def admin_viewsets():
    return correction_request_viewset


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


def open_corrections_panel_add(request, panels):
    if not request.user.has_perm("privacy.change_correctionrequest"):
        return
    count = open_correction_count_for_user(request.user)
    if count:
        panels.append(OpenCorrectionsPanel(count))


def privacy_log_actions_register(actions):
    actions.register_action(services.LOG_CORRECTION_REQUEST, _("Ask for a correction"), _("Correction requested"))
    actions.register_action(
        services.LOG_CORRECTION_RESOLVE, _("Resolve a correction request"), _("Correction request resolved")
    )
    actions.register_action(services.LOG_ANONYMISE, _("Anonymise a teacher"), _("Teacher anonymised"))


def log_entry_scopes():
    """A district admin's site history shows the correction requests of their
    own district's teachers, as their correction list does."""
    return {CorrectionRequest: correction_request_list_for_user}
