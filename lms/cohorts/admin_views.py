"""Admin screens for talent cohorts.

- Cohorts (set-up): a ModelViewSet for HR and academy admins, with the
  cohort's requirements as inline panels.
- The cohort work screens (``lms_cohorts:`` URLs): the overview of every
  cohort, a cohort's roster with each member's progress per requirement
  and HR's bulk actions, a membership's page with its history and actions,
  the nomination form and the assessment-results import.
- The talent registry: certified members, filtered and exported, scoped.

Every screen draws its rows from the scoped selectors in ``lms.cohorts.services``
and every write goes through one of its services; a refusal is shown as
the service's message, never a 500.
"""

import datetime
import uuid

import django_filters
from django import forms
from django.core import signing
from django.core.files.base import ContentFile
from django.core.paginator import Paginator
from django.forms.formsets import DEFAULT_MAX_NUM
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.urls import path, reverse
from django.utils.translation import gettext_lazy as _
from django.views.generic import TemplateView
from wagtail.admin import messages
from wagtail.admin.filters import WagtailFilterSet
from wagtail.admin.forms import WagtailAdminModelForm
from wagtail.admin.menu import MenuItem
from wagtail.admin.panels import FieldPanel, FieldRowPanel, InlinePanel, MultiFieldPanel, ObjectList
from wagtail.admin.ui.tables import Column
from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin
from wagtail.admin.viewsets.base import ViewSet, ViewSetGroup
from wagtail.admin.viewsets.model import ModelViewSet
from wagtail.permission_policies import ModelPermissionPolicy
from wagtail.permissions import register_permission_policy

from lms.admin_base import ScopedModelViewSet, YearFilter, display_column, forbidden
from lms.cohorts import services
from lms.cohorts.services import MANAGE_PERMISSION, NOMINATE_PERMISSION, CohortError
from lms.constants import CohortKind, MembershipStatus, Role, Stage, Subject
from lms.imports.services import ALLOWED_EXTENSIONS, ImportFileError, check_size
from lms.models import Cohort, CohortMembership, District
from lms.people.selectors import district_list_for_user, teacher_list_for_user
from lms.private_files import private_storage

VIEW_PERMISSION = "lms.view_cohort"
ROSTER_PER_PAGE = 100

OLYMPIAD_SUBJECT_REQUIRED = _("An Olympiad-coach cohort needs its Olympiad subject.")
OLYMPIAD_SUBJECT_ONLY_FOR_COACHES = _("Only Olympiad-coach cohorts have an Olympiad subject.")
UNKNOWN_STAFF_NUMBER = _("No teacher with this staff number in your scope.")
NOTHING_SELECTED = _("Select at least one member.")
ROWS_ALTERED = _("The rows of this form were altered and cannot be saved. Reload the page and enter them again.")
IMPORT_EXPIRED = _("This check has expired or was not yours; upload the file again.")
BULK_DONE = _("%(count)s member(s) updated.")
BULK_REFUSED = _("%(teacher)s: %(reason)s")
NOMINATED = _("%(teacher)s was nominated to %(cohort)s.")
IMPORTED = _("%(count)s assessment result(s) recorded.")

# What HR may do to selected members from the roster.
BULK_ACTIONS = {
    "under_review": (MembershipStatus.UNDER_REVIEW, _("Start review")),
    "admit": (MembershipStatus.ADMITTED, _("Admit")),
    "not_admit": (MembershipStatus.NOT_ADMITTED, _("Do not admit")),
    "train": (MembershipStatus.IN_TRAINING, _("Move to training")),
    "withdraw": (MembershipStatus.WITHDRAWN, _("Withdraw")),
}


# --- Cohort set-up ----------------------------------------------------------------


# The most rows a formset builds (Django's absolute_max for the default max_num).
FORMSET_ABSOLUTE_MAX = 2 * DEFAULT_MAX_NUM


def _child_row_ids_checked(data):
    """``(data, altered)``: the inline rows' ids checked before modelcluster
    reads them. Its child formsets read ``<prefix>-<i>-id`` of every row
    below ``INITIAL_FORMS`` without the guard Django's model formsets have,
    so a forged count or id was a server error. A missing or non-numeric id
    is blanked here (the row builds as a new one) and the form refuses to
    save with ``ROWS_ALTERED``."""
    altered, checked = False, None
    for key in list(data.keys()):
        if not key.endswith("-INITIAL_FORMS"):
            continue
        prefix = key[: -len("-INITIAL_FORMS")]
        try:
            rows = min(int(data.get(key)), int(data.get(f"{prefix}-TOTAL_FORMS")), FORMSET_ABSOLUTE_MAX)
        except (TypeError, ValueError):
            continue  # the formset's own management form check answers this
        for index in range(max(rows, 0)):
            id_key = f"{prefix}-{index}-id"
            value = data.get(id_key)
            if value is None or (value != "" and not (value.isascii() and value.isdigit())):
                checked = checked if checked is not None else data.copy()
                checked[id_key] = ""
                altered = True
    return (checked if checked is not None else data), altered


class CohortAdminForm(WagtailAdminModelForm):
    eligible_stages = forms.MultipleChoiceField(
        label=_("eligible stages"), choices=Stage.choices, required=False, widget=forms.CheckboxSelectMultiple,
        help_text=_("Leave empty for any stage."),
    )
    eligible_subjects = forms.MultipleChoiceField(
        label=_("eligible subjects"), choices=Subject.choices, required=False, widget=forms.CheckboxSelectMultiple,
        help_text=_("Leave empty for any subject."),
    )

    def __init__(self, *args, **kwargs):
        data = args[0] if args else kwargs.get("data")
        self.rows_altered = False
        if data is not None:
            data, self.rows_altered = _child_row_ids_checked(data)
            args, kwargs = ((data, *args[1:]), kwargs) if args else (args, {**kwargs, "data": data})
        super().__init__(*args, **kwargs)
        if "owner" in self.fields:
            # Not a list of every teacher's account: owners are HR or academy admins.
            from django.contrib.auth import get_user_model

            self.fields["owner"].queryset = (
                get_user_model().objects.filter(groups__name__in=[Role.HR.value, Role.ACADEMY_ADMIN.value])
                .distinct().order_by("username")
            )

    def clean(self):
        cleaned = super().clean()
        if self.rows_altered:
            raise forms.ValidationError(ROWS_ALTERED, code="rows_altered")
        kind, subject = cleaned.get("kind"), cleaned.get("olympiad_subject")
        if kind == CohortKind.OLYMPIAD_COACH and not subject:
            self.add_error("olympiad_subject", OLYMPIAD_SUBJECT_REQUIRED)
        elif kind and kind != CohortKind.OLYMPIAD_COACH and subject:
            self.add_error("olympiad_subject", OLYMPIAD_SUBJECT_ONLY_FOR_COACHES)
        return cleaned


class CohortViewSet(ModelViewSet):
    model = Cohort
    icon = "group"
    menu_label = _("Cohorts")
    list_display = ["name", display_column(Cohort, "kind"), display_column(Cohort, "olympiad_subject"), "intake_year",
                    "capacity"]
    list_filter = ["kind", "intake_year"]
    search_fields = ["name"]
    search_backend_name = None
    inspect_view_enabled = True
    copy_view_enabled = False
    edit_handler = ObjectList(
        [
            MultiFieldPanel(
                [
                    FieldPanel("name"),
                    FieldRowPanel([FieldPanel("kind"), FieldPanel("olympiad_subject")]),
                    FieldRowPanel([FieldPanel("intake_year"), FieldPanel("capacity"), FieldPanel("owner")]),
                    FieldRowPanel([FieldPanel("period_start"), FieldPanel("period_end")]),
                ],
                heading=_("Cohort"),
            ),
            MultiFieldPanel(
                [
                    FieldPanel("eligible_stages"),
                    FieldPanel("eligible_subjects"),
                    FieldRowPanel([FieldPanel("min_title"), FieldPanel("min_years_of_service")]),
                ],
                heading=_("Eligibility"),
            ),
            MultiFieldPanel(
                [FieldPanel("required_courses", widget=forms.CheckboxSelectMultiple),
                 FieldPanel("requires_research_along")],
                heading=_("Requirements"),
            ),
            InlinePanel("hours_requirements", heading=_("Ledger hours within the cohort period"),
                        label=_("hours requirement")),
            InlinePanel("assessments", heading=_("Assessments"), label=_("assessment")),
        ],
        base_form_class=CohortAdminForm,
    )


# --- The work screens ------------------------------------------------------------


class CohortScreenMixin(WagtailAdminTemplateMixin):
    permission = VIEW_PERMISSION
    header_icon = "group"

    def dispatch(self, request, *args, **kwargs):
        if not request.user.has_perm(self.permission):
            return forbidden(request)
        return super().dispatch(request, *args, **kwargs)

    def get_breadcrumbs_items(self):
        return [*self.breadcrumbs_items, {"url": reverse("lms_cohorts:overview"), "label": _("Talent cohorts")},
                *self.extra_breadcrumbs()]

    def extra_breadcrumbs(self):
        return [{"url": "", "label": self.get_page_title()}]


class OverviewView(CohortScreenMixin, TemplateView):
    template_name = "lms/cohorts/overview.html"
    page_title = _("Talent cohorts")

    def extra_breadcrumbs(self):
        return []

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        cohorts = list(services.cohort_list_for_user(self.request.user))
        counts = services.cohort_status_counts(cohorts)
        context.update(
            cohorts=[(cohort, [(s.label, counts[cohort.pk].get(s.value, 0)) for s in MembershipStatus]) for cohort in cohorts],
            statuses=MembershipStatus,
            can_manage=self.request.user.has_perm(MANAGE_PERMISSION),
            can_nominate=self.request.user.has_perm(NOMINATE_PERMISSION),
        )
        return context


class RosterView(CohortScreenMixin, TemplateView):
    """The cohort's members with their progress per requirement; HR's bulk
    actions. A district admin sees only their district's members."""

    template_name = "lms/cohorts/roster.html"

    def setup(self, request, *args, **kwargs):
        super().setup(request, *args, **kwargs)
        self.cohort = get_object_or_404(Cohort, pk=kwargs["pk"])

    def get_page_title(self):
        return _("Roster: %(cohort)s") % {"cohort": self.cohort.name}

    def _members(self):
        members = services.roster_list(cohort=self.cohort, user=self.request.user)
        status = self.request.GET.get("status")
        if status in MembershipStatus.values:
            members = members.filter(status=status)
        return members

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        requirements = services.cohort_requirements_get(self.cohort)
        page = Paginator(self._members(), ROSTER_PER_PAGE).get_page(self.request.GET.get("p"))
        progress = services.membership_progress_map(cohort=self.cohort, memberships=page.object_list,
                                                    requirements=requirements)
        context.update(
            cohort=self.cohort,
            requirements=requirements.as_list(),
            rows=[progress[m.pk] for m in page.object_list],
            page=page,
            statuses=MembershipStatus.choices,
            status=self.request.GET.get("status", ""),
            bulk_actions=[(key, label) for key, (_status, label) in BULK_ACTIONS.items()],
            can_manage=self.request.user.has_perm(MANAGE_PERMISSION),
        )
        return context

    def post(self, request, pk):
        if not request.user.has_perm(MANAGE_PERMISSION):
            return forbidden(request)
        action = request.POST.get("action", "")
        if action == "certify_eligible":
            result = services.cohort_certify_eligible(cohort=self.cohort, by=request.user)
        elif action in BULK_ACTIONS:
            ids = [int(v) for v in request.POST.getlist("member") if v.isdigit()]
            members = list(services.roster_list(cohort=self.cohort, user=request.user).filter(pk__in=ids))
            if not members:
                messages.error(request, NOTHING_SELECTED)
                return redirect(request.get_full_path())
            result = services.memberships_transition_bulk(
                memberships=members, to_status=BULK_ACTIONS[action][0], by=request.user,
                reason=request.POST.get("reason", ""),
            )
        else:
            raise Http404
        _report(request, result)
        return redirect(request.get_full_path())


def _report(request, result):
    if result.done:
        messages.success(request, BULK_DONE % {"count": len(result.done)})
    for membership, reason in result.refused[:20]:
        messages.error(request, BULK_REFUSED % {"teacher": membership.teacher.real_name, "reason": reason})
    if len(result.refused) > 20:
        messages.error(request, _("…and %(count)s more refused.") % {"count": len(result.refused) - 20})


class TransitionForm(forms.Form):
    to_status = forms.ChoiceField(label=_("Move to"))
    reason = forms.CharField(label=_("Reason"), widget=forms.Textarea(attrs={"rows": 2}), required=False)

    def __init__(self, *args, membership, **kwargs):
        super().__init__(*args, **kwargs)
        allowed = services.MEMBERSHIP_TRANSITIONS.get(membership.status, set()) - {MembershipStatus.CERTIFIED}
        self.fields["to_status"].choices = [(s.value, s.label) for s in MembershipStatus if s in allowed]


class CertifyForm(forms.Form):
    override_reason = forms.CharField(
        label=_("Override reason"), required=False, widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Only to certify a member who does not meet every requirement; kept with the membership."),
    )


class ResultForm(forms.Form):
    assessment = forms.ModelChoiceField(label=_("Assessment"), queryset=None)
    score = forms.CharField(label=_("Score"), max_length=12)
    assessed_on = forms.DateField(label=_("Assessed on"), widget=forms.DateInput(attrs={"type": "date"}))
    assessor = forms.CharField(label=_("Assessor"), max_length=64)

    def __init__(self, *args, membership, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["assessment"].queryset = membership.cohort.assessments.all()


class MembershipView(CohortScreenMixin, TemplateView):
    """One membership: progress, history, nomination, and HR's actions."""

    template_name = "lms/cohorts/membership.html"

    def setup(self, request, *args, **kwargs):
        super().setup(request, *args, **kwargs)
        self.membership = None

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated:
            self.membership = get_object_or_404(
                services.membership_list_for_user(request.user).select_related(
                    "cohort", "teacher__school__district", "nominated_by", "eligibility_overridden_by"),
                pk=kwargs["pk"],
            )
        return super().dispatch(request, *args, **kwargs)

    def get_page_title(self):
        return f"{self.membership.teacher.real_name} · {self.membership.cohort.name}"

    def extra_breadcrumbs(self):
        return [
            {"url": reverse("lms_cohorts:roster", args=[self.membership.cohort_id]), "label": self.membership.cohort.name},
            {"url": "", "label": self.membership.teacher.real_name},
        ]

    def get_context_data(self, forms_=None, **kwargs):
        context = super().get_context_data(**kwargs)
        membership = self.membership
        forms_ = forms_ or {}
        context.update(
            membership=membership,
            progress=services.membership_progress_get(membership=membership),
            transitions=membership.transitions.select_related("by"),
            attachments=membership.attachments.all(),
            eligibility=[services.eligibility_text(f) for f in membership.eligibility_failures],
            shortfalls=membership.certification_shortfalls,
            can_manage=self.request.user.has_perm(MANAGE_PERMISSION),
            transition_form=forms_.get("transition") or TransitionForm(membership=membership),
            certify_form=forms_.get("certify") or CertifyForm(),
            result_form=forms_.get("result") or ResultForm(membership=membership),
            can_certify=membership.status == MembershipStatus.ASSESSED,
            results=membership.assessment_results.select_related("assessment"),
        )
        return context

    def post(self, request, pk):
        if not request.user.has_perm(MANAGE_PERMISSION):
            return forbidden(request)
        membership, action = self.membership, request.POST.get("action")
        if action == "transition":
            form = TransitionForm(request.POST, membership=membership)
            call = lambda data: services.membership_transition(  # noqa: E731
                membership=membership, to_status=data["to_status"], by=request.user, reason=data["reason"])
        elif action == "certify":
            form = CertifyForm(request.POST)
            call = lambda data: services.membership_certify(  # noqa: E731
                membership=membership, by=request.user, override_reason=data["override_reason"])
        elif action == "result":
            form = ResultForm(request.POST, membership=membership)
            call = lambda data: services.assessment_result_record(  # noqa: E731
                membership=membership, assessment=data["assessment"], score=data["score"],
                assessed_on=data["assessed_on"], assessor=data["assessor"], by=request.user)
        else:
            raise Http404
        if form.is_valid():
            try:
                call(form.cleaned_data)
            except CohortError as error:
                form.add_error(None, error)
            else:
                messages.success(request, _("Saved."))
                return redirect("lms_cohorts:membership", pk=membership.pk)
        return self.render_to_response(self.get_context_data(forms_={action: form}))


ATTACHMENT_EXTENSIONS = (".pdf", ".doc", ".docx", ".jpg", ".jpeg", ".png")
ATTACHMENT_MAX_BYTES = 10 * 1024 * 1024
ATTACHMENT_BAD_TYPE = _("“%(name)s”: attach PDF, Word or image files (%(extensions)s).")
ATTACHMENT_TOO_LARGE = _("“%(name)s” is larger than 10 MB.")
ATTACHMENTS_TOO_MANY = _("Attach at most 5 files.")


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class AttachmentsField(forms.FileField):
    """Several files at once; each checked for type and size."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", MultipleFileInput(attrs={"accept": ",".join(ATTACHMENT_EXTENSIONS)}))
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        files = data if isinstance(data, (list, tuple)) else ([data] if data else [])
        files = [super(AttachmentsField, self).clean(f, initial) for f in files if f]
        if len(files) > 5:
            raise forms.ValidationError(ATTACHMENTS_TOO_MANY)
        for upload in files:
            name = upload.name or ""
            if not name.lower().endswith(ATTACHMENT_EXTENSIONS):
                raise forms.ValidationError(ATTACHMENT_BAD_TYPE % {"name": name,
                                                                   "extensions": " ".join(ATTACHMENT_EXTENSIONS)})
            if upload.size > ATTACHMENT_MAX_BYTES:
                raise forms.ValidationError(ATTACHMENT_TOO_LARGE % {"name": name})
        return files


class NominationForm(forms.Form):
    cohort = forms.ModelChoiceField(label=_("Cohort"), queryset=Cohort.objects.all())
    staff_number = forms.CharField(label=_("Teacher's staff number"), max_length=32)
    statement = forms.CharField(label=_("Nomination statement"), widget=forms.Textarea(attrs={"rows": 5}))
    attachments = AttachmentsField(label=_("Attachments"), required=False,
                                   help_text=_("Optional, up to 5: e.g. awards, lesson records (PDF, Word or images)."))
    override_reason = forms.CharField(
        label=_("Eligibility override reason"), required=False, widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("HR and academy admins only: nominate a teacher who does not meet the eligibility rules."),
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        self.fields["cohort"].queryset = services.cohort_list_for_user(user)
        if not user.has_perm(services.OVERRIDE_PERMISSION):
            del self.fields["override_reason"]

    def clean_staff_number(self):
        staff_number = self.cleaned_data["staff_number"].strip()
        teacher = teacher_list_for_user(self.user).filter(staff_number=staff_number).first()
        if teacher is None:
            # A teacher of another district gets the same answer as a staff
            # number nobody holds: the form must not tell a district admin
            # which staff numbers exist elsewhere in the city.
            raise forms.ValidationError(UNKNOWN_STAFF_NUMBER)
        self.cleaned_data["teacher"] = teacher
        return staff_number


class NominateView(CohortScreenMixin, TemplateView):
    """District admins nominate their own district's teachers; HR and
    academy admins anyone, and may override the eligibility rules. There is
    no school-admin role: schools send nominations through their district."""

    template_name = "lms/cohorts/nominate.html"
    permission = NOMINATE_PERMISSION
    page_title = _("Nominate a teacher")

    def get_context_data(self, form=None, **kwargs):
        context = super().get_context_data(**kwargs)
        form = form or NominationForm(user=self.request.user, initial={"cohort": self.request.GET.get("cohort")})
        context.update(
            form=form,
            rules=[(cohort, services.eligibility_rules_text(cohort)) for cohort in form.fields["cohort"].queryset],
        )
        return context

    def post(self, request):
        form = NominationForm(request.POST, request.FILES, user=request.user)
        if form.is_valid():
            data = form.cleaned_data
            try:
                membership = services.membership_nominate(
                    cohort=data["cohort"], teacher=data["teacher"], by=request.user, statement=data["statement"],
                    attachments=data.get("attachments") or [],
                    override_reason=data.get("override_reason", ""),
                )
            except CohortError as error:
                form.add_error(None, error)
            else:
                messages.success(request, NOMINATED % {"teacher": membership.teacher.real_name,
                                                       "cohort": membership.cohort.name})
                return redirect("lms_cohorts:membership", pk=membership.pk)
        return self.render_to_response(self.get_context_data(form=form))


class AssessmentUploadForm(forms.Form):
    file = forms.FileField(label=_("File"), allow_empty_file=True,
                           widget=forms.FileInput(attrs={"accept": ",".join(ALLOWED_EXTENSIONS)}))


IMPORT_SALT = "lms.cohorts.services.assessment-import"


class AssessmentImportView(CohortScreenMixin, TemplateView):
    """Upload → dry run (every row's errors, nothing written) → commit. The
    checked file waits in storage under a name signed for this user and
    cohort; the commit checks it again and writes all rows or none."""

    template_name = "lms/cohorts/import.html"
    permission = MANAGE_PERMISSION

    def setup(self, request, *args, **kwargs):
        super().setup(request, *args, **kwargs)
        self.cohort = get_object_or_404(Cohort, pk=kwargs["pk"])

    def get_page_title(self):
        return _("Import assessment results: %(cohort)s") % {"cohort": self.cohort.name}

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.setdefault("form", AssessmentUploadForm())
        context.update(cohort=self.cohort, headers=[a[0] for a in services.ASSESSMENT_COLUMNS.values()],
                       assessments=list(self.cohort.assessments.all()))
        return context

    def _render_report(self, form, report, token=""):
        errors = [
            {"row": e.row, "column": e.column, "value": e.value, "reason": services.assessment_row_error_text(e)}
            for e in report.errors
        ]
        return self.render_to_response(self.get_context_data(form=form, report=report, errors=errors, token=token))

    def post(self, request, pk):
        if request.POST.get("token"):
            return self._commit(request)
        form = AssessmentUploadForm(request.POST, request.FILES)
        if not form.is_valid():
            return self.render_to_response(self.get_context_data(form=form))
        upload = form.cleaned_data["file"]
        try:
            check_size(upload.size)
        except ImportFileError as error:
            form.add_error("file", error.message)
            return self.render_to_response(self.get_context_data(form=form))
        data = upload.read()
        report = services.assessment_import_check(cohort=self.cohort, data=data, filename=upload.name)
        token = ""
        if report.ok:
            suffix = ".xlsx" if upload.name.lower().endswith(".xlsx") else ".csv"
            name = private_storage().save(f"imports/assessments/{uuid.uuid4().hex}{suffix}", ContentFile(data))
            token = signing.dumps({"name": name, "user": request.user.pk, "cohort": self.cohort.pk}, salt=IMPORT_SALT)
        return self._render_report(form, report, token)

    def _commit(self, request):
        try:
            payload = signing.loads(request.POST["token"], salt=IMPORT_SALT, max_age=datetime.timedelta(hours=2))
        except signing.BadSignature:
            payload = None
        if not payload or payload.get("user") != request.user.pk or payload.get("cohort") != self.cohort.pk:
            messages.error(request, IMPORT_EXPIRED)
            return redirect("lms_cohorts:import", pk=self.cohort.pk)
        name = payload["name"]
        try:
            with private_storage().open(name, "rb") as stored:
                data = stored.read()
        except FileNotFoundError:
            messages.error(request, IMPORT_EXPIRED)
            return redirect("lms_cohorts:import", pk=self.cohort.pk)
        report = services.assessment_import_commit(cohort=self.cohort, data=data, filename=name, by=request.user)
        if not report.ok:
            # Members or results changed since the dry run.
            return self._render_report(AssessmentUploadForm(), report)
        private_storage().delete(name)
        messages.success(request, IMPORTED % {"count": len(report.rows)})
        return redirect("lms_cohorts:roster", pk=self.cohort.pk)


def assessment_template_view(request, pk):
    if not request.user.has_perm(MANAGE_PERMISSION):
        return forbidden(request)
    response = HttpResponse(services.assessment_import_template(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="assessment-results.csv"'
    return response


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


# --- The talent registry ----------------------------------------------------------


class ViewOnlyPermissionPolicy(ModelPermissionPolicy):
    """Memberships change only through lms.cohorts.services' services; the registry
    lists and exports them, never edits."""

    def user_has_permission(self, user, action):
        return action == "view" and super().user_has_permission(user, action)

    def user_has_any_permission(self, user, actions):
        return "view" in actions and super().user_has_permission(user, "view")


register_permission_policy(CohortMembership, ViewOnlyPermissionPolicy(CohortMembership))


def _user_districts(request):
    return district_list_for_user(request.user) if request is not None else District.objects.none()


class RegistryFilterSet(WagtailFilterSet):
    name = django_filters.CharFilter(label=_("name or staff number"), method="filter_name")
    subject = django_filters.ChoiceFilter(label=_("subject"), choices=Subject.choices, field_name="teacher__subject")
    district = django_filters.ModelChoiceFilter(label=_("district"), queryset=_user_districts,
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
    return services.talent_registry_list(user=user)


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
