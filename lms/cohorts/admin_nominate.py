"""The nomination form: district admins nominate their own district's
teachers, HR and academy admins anyone (and may override the eligibility rules)."""

from django import forms
from django.shortcuts import redirect
from django.utils.translation import gettext_lazy as _
from django.views.generic import TemplateView
from wagtail.admin import messages

from lms.cohorts import rules, selectors, services
from lms.cohorts.admin_screens import CohortScreenMixin
from lms.cohorts.models import Cohort
from lms.cohorts.rules import NOMINATE_PERMISSION, CohortError

UNKNOWN_STAFF_NUMBER = _("No teacher with this staff number in your scope.")
NOMINATED = _("%(teacher)s was nominated to %(cohort)s.")

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
        self.fields["cohort"].queryset = selectors.cohort_list_for_user(user)
        if not user.has_perm(rules.OVERRIDE_PERMISSION):
            del self.fields["override_reason"]

    def clean_staff_number(self):
        staff_number = self.cleaned_data["staff_number"].strip()
        teacher = selectors.nominee_get_for_user(self.user, staff_number=staff_number)
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
            rules=[(cohort, rules.eligibility_rules_text(cohort)) for cohort in form.fields["cohort"].queryset],
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
