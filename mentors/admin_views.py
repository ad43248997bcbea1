"""Admin screens of the research-along app, for district and academy admins:
the scoped pairings list (district admins propose for their own teachers),
inviting and editing mentors, and the research-along report with CSV and
XLSX exports. Teachers and mentors never need these: their pages are on the
public site (``mentors.views``)."""

import django_filters
from django import forms
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.urls import path, reverse_lazy
from django.utils.translation import gettext_lazy as _
from django.views.generic import TemplateView
from wagtail.admin.filters import WagtailFilterSet
from wagtail.admin.menu import MenuItem
from wagtail.admin.views import generic
from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin
from wagtail.admin.viewsets.model import ModelViewSet, ModelViewSetGroup
from wagtail.admin.widgets import AdminDateInput
from wagtail.permission_policies import ModelPermissionPolicy

from lms.api import (
    ScopedModelViewSet,
    Stage,
    Subject,
    csv_response,
    display_column,
    district_list_for_request,
    forbidden,
    teacher_list_for_user,
    xlsx_response,
    yes_no_column,
)

from . import services
from .constants import InstitutionType, PairingStatus
from .models import MentorProfile, ResearchPairing
from .reports import report_summary, research_along_report
from .selectors import pairing_list_for_user

# Who may open the report: academy admins, and district admins (who may
# propose pairings) for their own district.
REPORT_PERMISSIONS = ("mentors.view_researchpairing", "mentors.add_researchpairing")
EXPORT_FORMATS = ("csv", "xlsx")


def report_visible_to(user) -> bool:
    return user.is_authenticated and user.is_active and any(user.has_perm(perm) for perm in REPORT_PERMISSIONS)


class PairingFilterSet(WagtailFilterSet):
    status = django_filters.ChoiceFilter(label=_("status"), choices=PairingStatus.choices)
    district = django_filters.ModelChoiceFilter(
        label=_("district"), queryset=district_list_for_request, field_name="teacher__school__district"
    )

    class Meta:
        model = ResearchPairing
        fields = ["status", "district"]


class PairingProposeForm(forms.Form):
    teacher = forms.ModelChoiceField(
        label=_("Teacher's staff number"), queryset=None, to_field_name="staff_number",
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
        error_messages={"invalid_choice": _("No teacher with this staff number in the districts you look after.")},
    )
    mentor = forms.ModelChoiceField(label=_("Mentor"), queryset=MentorProfile.objects.filter(is_accepting=True))
    project_title = forms.CharField(label=_("Project title"), max_length=200)
    goals = forms.CharField(label=_("Goals"), widget=forms.Textarea(attrs={"rows": 3}))
    start_on = forms.DateField(label=_("Start"), widget=AdminDateInput)
    planned_end_on = forms.DateField(label=_("Planned end"), widget=AdminDateInput)

    def __init__(self, *args, for_user=None, instance=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["teacher"].queryset = teacher_list_for_user(for_user)


class PairingProposeView(generic.CreateView):
    """District and academy admins propose a pairing through the service."""

    def get_form_class(self):
        return PairingProposeForm

    def get_form_kwargs(self):
        kwargs = super().get_form_kwargs()
        kwargs.pop("instance", None)
        return {**kwargs, "for_user": self.request.user}

    def save_instance(self):
        return services.pairing_propose(proposed_by=self.request.user, **self.form.cleaned_data)

    def form_valid(self, form):
        self.form = form
        try:
            return super().form_valid(form)
        except (ValidationError, PermissionDenied) as error:
            form.add_error(None, " ".join(error.messages) if isinstance(error, ValidationError) else str(error))
            return self.form_invalid(form)


class NoDeletePermissionPolicy(ModelPermissionPolicy):
    """Pairings are never deleted: they are the evidence behind credited
    hours and the history of who worked with whom. A pairing that should
    stop is declined or ended early, with a reason."""

    def user_has_permission(self, user, action):
        return action != "delete" and super().user_has_permission(user, action)

    def user_has_any_permission(self, user, actions):
        return super().user_has_any_permission(user, [action for action in actions if action != "delete"])

    def users_with_any_permission(self, actions):
        return super().users_with_any_permission([action for action in actions if action != "delete"])


class PairingViewSet(ScopedModelViewSet):
    model = ResearchPairing
    icon = "group"
    menu_label = _("Pairings")
    list_display = ["project_title", "teacher", "mentor", display_column(ResearchPairing, "status"), "start_on",
                    "planned_end_on"]
    list_per_page = 50
    list_export = [
        "project_title", "teacher", "teacher.school", "teacher.school.district", "mentor", "mentor.institution",
        "get_status_display", "get_proposed_via_display", "start_on", "planned_end_on", "status_reason",
    ]
    export_headings = {
        "teacher.school": _("school"),
        "teacher.school.district": _("district"),
        "mentor.institution": _("institution"),
        "get_status_display": _("status"),
        "get_proposed_via_display": _("proposed by"),
    }
    export_filename = "research-along-pairings"
    filterset_class = PairingFilterSet
    search_fields = ["project_title", "teacher__real_name", "mentor__real_name"]
    search_backend_name = None
    # Status changes go through the mentors' and teachers' pages (services);
    # academy admins may correct the description.
    form_fields = ["project_title", "goals", "planned_end_on"]
    add_view_class = PairingProposeView
    scope = staticmethod(pairing_list_for_user)


class MentorInviteForm(forms.ModelForm):
    email = forms.EmailField(label=_("e-mail (their sign-in name)"))
    subjects = forms.MultipleChoiceField(
        label=_("subjects"), choices=Subject.choices, required=False, widget=forms.CheckboxSelectMultiple
    )
    stages = forms.MultipleChoiceField(
        label=_("stages"), choices=Stage.choices, required=False, widget=forms.CheckboxSelectMultiple,
        help_text=_("Leave empty for any stage."),
    )

    class Meta:
        model = MentorProfile
        fields = ["real_name", "institution", "institution_type", "department", "research_fields", "title",
                  "contact_phone", "capacity", "availability"]


class MentorInviteView(generic.CreateView):
    def get_form_class(self):
        return MentorInviteForm

    def save_instance(self):
        data = dict(self.form.cleaned_data)
        return services.mentor_invite(invited_by=self.request.user, **data)

    def form_valid(self, form):
        self.form = form
        try:
            return super().form_valid(form)
        except ValidationError as error:
            form.add_error("email" if error.code == "email" else None, error)
            return self.form_invalid(form)


class MentorEditForm(forms.ModelForm):
    subjects = forms.MultipleChoiceField(
        label=_("subjects"), choices=Subject.choices, required=False, widget=forms.CheckboxSelectMultiple
    )
    stages = forms.MultipleChoiceField(
        label=_("stages"), choices=Stage.choices, required=False, widget=forms.CheckboxSelectMultiple
    )

    class Meta:
        model = MentorProfile
        fields = ["real_name", "institution", "institution_type", "department", "research_fields", "subjects",
                  "stages", "title", "contact_email", "contact_phone", "capacity", "availability", "is_accepting"]


class MentorFilterSet(WagtailFilterSet):
    institution_type = django_filters.ChoiceFilter(label=_("type of institution"), choices=InstitutionType.choices)

    class Meta:
        model = MentorProfile
        fields = ["institution_type", "is_accepting"]


class MentorViewSet(ModelViewSet):
    model = MentorProfile
    icon = "user"
    menu_label = _("Mentors")
    list_display = ["real_name", "institution", display_column(MentorProfile, "institution_type"), "capacity",
                    yes_no_column(MentorProfile, "is_accepting")]
    list_export = ["real_name", "institution", "get_institution_type_display", "research_fields",
                   "get_subjects_display", "title", "contact_email", "capacity", "availability", "is_accepting"]
    export_headings = {"get_institution_type_display": _("type of institution"),
                       "get_subjects_display": _("subjects")}
    export_filename = "research-along-mentors"
    filterset_class = MentorFilterSet
    search_fields = ["real_name", "institution", "research_fields"]
    search_backend_name = None
    add_view_class = MentorInviteView
    copy_view_enabled = False
    inspect_view_enabled = True

    def get_form_class(self, for_update=False):
        return MentorEditForm if for_update else MentorInviteForm


class ResearchAlongReportView(WagtailAdminTemplateMixin, TemplateView):
    template_name = "mentors/admin/report.html"
    page_title = _("Research-along report")
    header_icon = "doc-full"

    def dispatch(self, request, *args, **kwargs):
        if not report_visible_to(request.user):
            return forbidden(request)
        return super().dispatch(request, *args, **kwargs)

    def get(self, request, *args, **kwargs):
        export_format = request.GET.get("export")
        if export_format:
            return self.export(export_format, request.GET.get("table", ""))
        return super().get(request, *args, **kwargs)

    def export(self, export_format, key):
        if export_format not in EXPORT_FORMATS:
            raise Http404
        table = next((table for table in research_along_report(self.request.user) if table.key == key), None)
        if table is None:
            raise Http404
        filename = f"research-along-{table.key}.{export_format}"
        if export_format == "xlsx":
            return xlsx_response(filename, table.header, table.rows, sheet_title=table.key)
        return csv_response(filename, table.header, table.rows)

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            tables=research_along_report(self.request.user), summary=report_summary(self.request.user), **kwargs
        )


class ReportMenuItem(MenuItem):
    def is_shown(self, request):
        return report_visible_to(request.user)


def admin_urls():
    return [path("research-along/report/", ResearchAlongReportView.as_view(), name="mentors_report")]


def report_menu_item():
    return ReportMenuItem(_("Research-along report"), reverse_lazy("mentors_report"), name="research-along-report",
                          icon_name="doc-full", order=160)


class ResearchAlongViewSetGroup(ModelViewSetGroup):
    menu_label = _("Research-along")
    menu_icon = "group"
    menu_order = 220
    items = (PairingViewSet("research_pairings"), MentorViewSet("research_mentors"))


research_along_viewset_group = ResearchAlongViewSetGroup()


# A district admin proposes pairings (add) and may open the ones in their
# district; the inspect view is scoped like the list, so "add" is enough.
PairingViewSet.inspect_view_class.permission_required = None
PairingViewSet.inspect_view_class.any_permission_required = ["add", "view"]


def admin_viewsets():
    return research_along_viewset_group


def dashboard_section(request, dashboard):
    """Research-along figures on the city and district dashboards, for
    those who may read the research-along report."""
    from django.template.loader import render_to_string

    if not report_visible_to(request.user):
        return ""
    return render_to_string(
        "mentors/admin/dashboard_section.html",
        {"summary": report_summary(request.user, district=dashboard.district)},
        request=request,
    )


def log_entry_scopes():
    """Site history (lms/audit.py): a pairing's log entries for those who may see it."""
    return {ResearchPairing: pairing_list_for_user}
