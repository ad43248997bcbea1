"""HR's certificate screens: the templates (a snippet with a PDF preview),
the certificates with their PDF, revoke and reissue, and issuing one.

The views only parse input, check permission and call one service
(``certificates.services``).
"""

from django import forms
from django.core.exceptions import ValidationError
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _
from django.views import View
from django.views.generic import FormView
from wagtail.admin import messages
from wagtail.admin.widgets.button import HeaderButton
from wagtail.snippets.views.snippets import SnippetViewSet

from lms.api import ReadOnlyScopedModelViewSet, teacher_list_for_user, yes_no_column

from .admin_common import (
    CHANGE_PERMISSION,
    TRAINING_REQUIRED,
    YEAR_REQUIRED,
    CertificatesAdminMixin,
    PermissionMixin,
    certificate_for,
)
from .constants import CertificateKind, CertificateStatus
from .models import Certificate, CertificateTemplate
from .selectors import certificate_list_for_admin
from .services import (
    CertificateError,
    certificate_issue,
    certificate_reissue,
    certificate_revoke,
    certificate_transcript_issue,
)
from .views import certificate_pdf_response

TEACHER_NOT_FOUND = _("No teacher you may issue to has this staff number.")
MESSAGE_ISSUED = _("Certificate %(serial)s issued.")
MESSAGE_ALREADY = _("%(name)s already has a valid certificate for this: %(serial)s. Nothing was issued.")
MESSAGE_REVOKED = _("Certificate %(serial)s revoked.")
MESSAGE_REISSUED = _("Certificate %(old)s was replaced by %(new)s.")


# --- Templates: a snippet -----------------------------------------------------


class CertificateTemplateViewSet(SnippetViewSet):
    model = CertificateTemplate
    icon = "doc-full"
    menu_label = _("Certificate templates")
    add_to_admin_menu = False
    list_display = ["name", "kind", yes_no_column(CertificateTemplate, "is_default"), "title", "orientation", "updated_at"]
    list_filter = ["kind"]


# --- Certificates: list, inspect, revoke, reissue -------------------------------


class CertificateViewSet(ReadOnlyScopedModelViewSet):
    """Read-only listing and inspect pages; certificates change only through
    the revoke and reissue screens, which call the services."""

    model = Certificate
    scope = staticmethod(certificate_list_for_admin)
    icon = "doc-full"
    menu_label = _("Certificates")
    list_display = ["serial", "holder_name", "kind", "subject_label", "hours", "status", "issued_at"]
    list_filter = ["kind", "status", "year"]
    search_fields = ["serial", "holder_name", "subject_label"]
    list_export = ["serial", "holder_name", "holder.staff_number", "get_kind_display", "subject_label", "hours",
                   "get_status_display", "issued_at", "revocation_reason"]
    export_filename = "certificates"
    inspect_view_fields = [
        "serial", "check_code", "status", "holder", "holder_name", "kind", "subject_label", "subject_key", "hours",
        "started_on", "completed_on", "issued_at", "issued_by", "template", "batch", "revoked_at",
        "revocation_reason", "superseded_by",
    ]


class CertificateInspectActions:
    """Download, verification page, revoke and reissue, as header buttons."""

    @cached_property
    def header_buttons(self):
        certificate = self.object
        buttons = [
            HeaderButton(_("Download PDF"), url=reverse("certificates_admin:pdf", args=[certificate.pk]),
                         icon_name="download"),
            HeaderButton(_("Verification page"), url=reverse("certificates:verify_token", args=[certificate.token]),
                         icon_name="link-external"),
        ]
        if self.request.user.has_perm(CHANGE_PERMISSION):
            if certificate.status == CertificateStatus.VALID:
                buttons.append(HeaderButton(_("Revoke"), url=reverse("certificates_admin:revoke",
                                                                     args=[certificate.pk]), icon_name="warning"))
            if certificate.status != CertificateStatus.SUPERSEDED:
                buttons.append(HeaderButton(_("Reissue"), url=reverse("certificates_admin:reissue",
                                                                      args=[certificate.pk]), icon_name="repeat"))
        return buttons


CertificateViewSet.inspect_view_class = type(
    "CertificateInspectView", (CertificateInspectActions, CertificateViewSet.inspect_view_class), {}
)
certificate_viewset = CertificateViewSet("issued_certificates", url_prefix="certificates/issued")
template_viewset = CertificateTemplateViewSet()


def _inspect_url(certificate):
    return reverse(certificate_viewset.get_url_name("inspect"), args=[certificate.pk])


class CertificatePdfView(PermissionMixin, View):
    permission_required = "certificates.view_certificate"

    def get(self, request, pk):
        return certificate_pdf_response(request, certificate_for(request, pk))


class RevokeForm(forms.Form):
    reason = forms.CharField(label=_("Reason"), widget=forms.Textarea(attrs={"rows": 3}), max_length=1000,
                             help_text=_("The holder and anyone verifying the certificate will see it."))


class CertificateRevokeView(PermissionMixin, CertificatesAdminMixin, FormView):
    permission_required = CHANGE_PERMISSION
    template_name = "certificates/admin/form.html"
    form_class = RevokeForm
    page_title = _("Revoke a certificate")

    def setup(self, request, *args, **kwargs):
        super().setup(request, *args, **kwargs)
        self.certificate = None

    def get_page_subtitle(self):
        return str(self.certificate or "")

    def dispatch(self, request, *args, **kwargs):
        if request.user.has_perm(self.permission_required):
            self.certificate = certificate_for(request, kwargs["pk"])
        return super().dispatch(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        return {**super().get_context_data(**kwargs), "certificate": self.certificate,
                "submit_label": _("Revoke"), "danger": True}

    def form_valid(self, form):
        try:
            certificate = certificate_revoke(certificate=self.certificate, reason=form.cleaned_data["reason"],
                                             user=self.request.user)
        except CertificateError as error:
            form.add_error(None, error)
            return self.form_invalid(form)
        messages.success(self.request, MESSAGE_REVOKED % {"serial": certificate.serial})
        return redirect(_inspect_url(certificate))


class CertificateReissueView(CertificateRevokeView):
    form_class = forms.Form
    page_title = _("Reissue a certificate")

    def get_context_data(self, **kwargs):
        return {
            **super().get_context_data(**kwargs),
            "submit_label": _("Reissue"),
            "danger": False,
            "explanation": _(
                "A new certificate with a new serial number is issued from the template as it is now; "
                "this one will be shown as superseded. The holder is told by email."
            ),
        }

    def form_valid(self, form):
        try:
            new = certificate_reissue(certificate=self.certificate, user=self.request.user)
        except CertificateError as error:
            form.add_error(None, error)
            return self.form_invalid(form)
        messages.success(self.request, MESSAGE_REISSUED % {"old": self.certificate.serial, "new": new.serial})
        return redirect(_inspect_url(new))


# --- Issue one ------------------------------------------------------------------


class IssueForm(forms.Form):
    staff_number = forms.CharField(label=_("Teacher's staff number"), max_length=32)
    template = forms.ModelChoiceField(label=_("Template"), queryset=CertificateTemplate.objects.all())
    training = forms.CharField(label=_("What it certifies"), max_length=255, required=False,
                               help_text=_("The course, cohort or project, as it should be printed."))
    hours = forms.DecimalField(label=_("Hours"), max_digits=8, decimal_places=2, min_value=0, required=False)
    started_on = forms.DateField(label=_("First day"), required=False)
    completed_on = forms.DateField(label=_("Last day"), required=False)
    year = forms.IntegerField(label=_("Year (transcripts)"), min_value=2000, max_value=2100, required=False)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user

    def clean_staff_number(self):
        teacher = teacher_list_for_user(self.user).filter(staff_number=self.cleaned_data["staff_number"].strip()).first()
        if teacher is None:
            raise ValidationError(TEACHER_NOT_FOUND)
        self.teacher = teacher
        return teacher.staff_number

    def clean(self):
        data = super().clean()
        template = data.get("template")
        if template is not None:
            if template.kind == CertificateKind.HOURS_TRANSCRIPT and not data.get("year"):
                self.add_error("year", YEAR_REQUIRED)
            if template.kind != CertificateKind.HOURS_TRANSCRIPT and not data.get("training"):
                self.add_error("training", TRAINING_REQUIRED)
        return data


class CertificateIssueView(PermissionMixin, CertificatesAdminMixin, FormView):
    template_name = "certificates/admin/form.html"
    form_class = IssueForm
    page_title = _("Issue a certificate")

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "user": self.request.user}

    def get_context_data(self, **kwargs):
        return {**super().get_context_data(**kwargs), "submit_label": _("Issue")}

    def form_valid(self, form):
        data = form.cleaned_data
        template = data["template"]
        try:
            if template.kind == CertificateKind.HOURS_TRANSCRIPT:
                result = certificate_transcript_issue(teacher=form.teacher, year=data["year"], template=template,
                                                      issued_by=self.request.user)
            else:
                import hashlib

                result = certificate_issue(
                    kind=template.kind, holder=form.teacher, template=template,
                    subject_key="training:" + hashlib.sha1(data["training"].encode()).hexdigest()[:20],
                    subject_label=data["training"], hours=data["hours"], started_on=data["started_on"],
                    completed_on=data["completed_on"], issued_by=self.request.user,
                )
        except CertificateError as error:
            form.add_error(None, error)
            return self.form_invalid(form)
        certificate = result.certificate
        if result.created:
            messages.success(self.request, MESSAGE_ISSUED % {"serial": certificate.serial})
        else:
            messages.warning(self.request, MESSAGE_ALREADY % {"name": certificate.holder_name,
                                                               "serial": certificate.serial})
        return redirect(_inspect_url(certificate))
