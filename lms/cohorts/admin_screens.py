"""The cohort work screens (``lms_cohorts:`` URLs): the overview of every
cohort, a cohort's roster with each member's progress per requirement and
HR's bulk actions, and a membership's page with its history and actions.

Every screen draws its rows from the scoped selectors (``lms.cohorts.selectors``)
and every write goes through one of the services (``lms.cohorts.services``);
a refusal is shown as the service's message, never a 500."""

from django import forms
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect
from django.urls import get_resolver, reverse
from django.utils.translation import gettext_lazy as _
from django.views.generic import TemplateView
from wagtail.admin import messages
from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin

from lms.cohorts import rules, selectors, services
from lms.cohorts.models import Cohort
from lms.cohorts.progress import cohort_requirements_get, membership_progress_get, membership_progress_map
from lms.cohorts.rules import MANAGE_PERMISSION, NOMINATE_PERMISSION, VIEW_PERMISSION, CohortError
from lms.constants import MembershipStatus

ROSTER_PER_PAGE = 100

NOTHING_SELECTED = _("Select at least one member.")
BULK_DONE = _("%(count)s member(s) updated.")
BULK_REFUSED = _("%(teacher)s: %(reason)s")

# What HR may do to selected members from the roster.
BULK_ACTIONS = {
    "under_review": (MembershipStatus.UNDER_REVIEW, _("Start review")),
    "admit": (MembershipStatus.ADMITTED, _("Admit")),
    "not_admit": (MembershipStatus.NOT_ADMITTED, _("Do not admit")),
    "train": (MembershipStatus.IN_TRAINING, _("Move to training")),
    "withdraw": (MembershipStatus.WITHDRAWN, _("Withdraw")),
}


def _forbidden(request):
    # Not raised: Wagtail's admin wrapper would turn PermissionDenied into a
    # redirect to the dashboard, and a refused action is a 403.
    handler = get_resolver().resolve_error_handler(403)
    return handler(request, exception=PermissionDenied())


class CohortScreenMixin(WagtailAdminTemplateMixin):
    permission = VIEW_PERMISSION
    header_icon = "group"

    def dispatch(self, request, *args, **kwargs):
        if not request.user.has_perm(self.permission):
            return _forbidden(request)
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
        cohorts = list(selectors.cohort_list_for_user(self.request.user))
        counts = selectors.cohort_status_counts(cohorts)
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
        members = selectors.roster_list(cohort=self.cohort, user=self.request.user)
        status = self.request.GET.get("status")
        if status in MembershipStatus.values:
            members = members.filter(status=status)
        return members

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        requirements = cohort_requirements_get(self.cohort)
        page = Paginator(self._members(), ROSTER_PER_PAGE).get_page(self.request.GET.get("p"))
        progress = membership_progress_map(cohort=self.cohort, memberships=page.object_list,
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
            return _forbidden(request)
        action = request.POST.get("action", "")
        if action == "certify_eligible":
            result = services.cohort_certify_eligible(cohort=self.cohort, by=request.user)
        elif action in BULK_ACTIONS:
            ids = [int(v) for v in request.POST.getlist("member") if v.isdigit()]
            members = list(selectors.roster_list(cohort=self.cohort, user=request.user).filter(pk__in=ids))
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
        allowed = rules.MEMBERSHIP_TRANSITIONS.get(membership.status, set()) - {MembershipStatus.CERTIFIED}
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
                selectors.membership_list_for_user(request.user).select_related(
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
            progress=membership_progress_get(membership=membership),
            transitions=membership.transitions.select_related("by"),
            attachments=membership.attachments.all(),
            eligibility=[rules.eligibility_text(f) for f in membership.eligibility_failures],
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
            return _forbidden(request)
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
