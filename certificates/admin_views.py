"""HR's certificate screens in the Wagtail admin: the templates (a snippet
with a PDF preview), the certificates with revoke and reissue, issuing one,
and bulk issues with a live progress bar and a ZIP of their PDFs.

The views only parse input, check permission and call one service; the
work is in ``certificates.services`` and, for bulk issues, in Celery tasks.
"""

import tempfile
import zipfile

from django import forms
from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404, JsonResponse
from django.shortcuts import get_object_or_404, redirect
from django.urls import include, path, reverse, reverse_lazy
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _
from django.views import View
from django.views.generic import FormView, TemplateView
from wagtail.admin import messages
from wagtail.admin.menu import Menu, MenuItem, SubmenuMenuItem
from wagtail.admin.paginator import WagtailPaginator
from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin
from wagtail.admin.widgets.button import HeaderButton
from wagtail.snippets.views.snippets import SnippetViewSet

from lms.api import ReadOnlyScopedModelViewSet, district_list_for_user, forbidden, teacher_list_for_user, yes_no_column

from .constants import BatchItemStatus, BatchStatus, CertificateKind, CertificateStatus
from .fonts import font_warning
from .models import Certificate, CertificateTemplate, IssueBatch
from .selectors import (
    batch_items_for_cohort,
    batch_items_for_training,
    batch_items_for_transcripts,
    certificate_list_for_admin,
    issue_batch_progress,
)
from .services import (
    CertificateError,
    certificate_issue,
    certificate_pdf_open,
    certificate_reissue,
    certificate_revoke,
    certificate_transcript_issue,
    issue_batch_create,
    issue_batch_restart,
)
from .views import certificate_pdf_response

ISSUE_PERMISSION = "certificates.add_certificate"
CHANGE_PERMISSION = "certificates.change_certificate"
BATCH_PERMISSION = "certificates.add_issuebatch"

TEACHER_NOT_FOUND = _("No teacher you may issue to has this staff number.")
TRAINING_REQUIRED = _("Name the training or course the certificate is for.")
COHORT_REQUIRED = _("Choose the cohort whose certified members get a qualification certificate.")
COHORT_ONLY_FOR_QUALIFICATIONS = _("A cohort goes with a cohort qualification template.")
YEAR_REQUIRED = _("A transcript is for a year: give the year.")
MESSAGE_ISSUED = _("Certificate %(serial)s issued.")
MESSAGE_ALREADY = _("%(name)s already has a valid certificate for this: %(serial)s. Nothing was issued.")
MESSAGE_REVOKED = _("Certificate %(serial)s revoked.")
MESSAGE_REISSUED = _("Certificate %(old)s was replaced by %(new)s.")
MESSAGE_BATCH_STARTED = _("The bulk issue has started; this page shows its progress.")
MESSAGE_BATCH_RESTARTED = _("The bulk issue was restarted for the certificates not issued yet.")


class PermissionMixin:
    permission_required = ISSUE_PERMISSION

    def dispatch(self, request, *args, **kwargs):
        if not request.user.has_perm(self.permission_required):
            return forbidden(request)
        return super().dispatch(request, *args, **kwargs)


class CertificatesAdminMixin(WagtailAdminTemplateMixin):
    header_icon = "doc-full"

    def get_breadcrumbs_items(self):
        return [
            *self.breadcrumbs_items,
            {"url": reverse("issued_certificates:index"), "label": _("Certificates")},
            {"url": "", "label": self.get_page_title()},
        ]

    def get_context_data(self, **kwargs):
        return {**super().get_context_data(**kwargs), "font_warning": font_warning()}


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


def _certificate_for(request, pk):
    certificate = certificate_list_for_admin(request.user).filter(pk=pk).first()
    if certificate is None:
        raise Http404
    return certificate


def _inspect_url(certificate):
    return reverse(certificate_viewset.get_url_name("inspect"), args=[certificate.pk])


class CertificatePdfView(PermissionMixin, View):
    permission_required = "certificates.view_certificate"

    def get(self, request, pk):
        return certificate_pdf_response(request, _certificate_for(request, pk))


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
            self.certificate = _certificate_for(request, kwargs["pk"])
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


# --- Bulk issues ------------------------------------------------------------------


class BatchForm(forms.Form):
    template = forms.ModelChoiceField(label=_("Template"), queryset=CertificateTemplate.objects.all())
    year = forms.IntegerField(label=_("Year"), min_value=2000, max_value=2100, required=False)
    cohort = forms.ModelChoiceField(
        label=_("Cohort"), queryset=None, required=False, empty_label=_("No cohort"),
        help_text=_("For a cohort qualification template: every certified member of the cohort."),
    )
    district = forms.ModelChoiceField(label=_("District"), queryset=None, required=False,
                                      empty_label=_("All districts"))
    training = forms.CharField(
        label=_("Training"), max_length=255, required=False,
        help_text=_("The course or workshop as the hours ledger names it. Every teacher credited for it in the "
                    "year gets a certificate with their hours. Leave empty for transcripts and cohorts."),
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["district"].queryset = district_list_for_user(user)
        from lms.api import Cohort

        self.fields["cohort"].queryset = Cohort.objects.order_by("-intake_year", "name")

    def clean(self):
        data = super().clean()
        template = data.get("template")
        if template is None:
            return data
        if template.kind == CertificateKind.COHORT_QUALIFICATION:
            if not data.get("cohort"):
                self.add_error("cohort", COHORT_REQUIRED)
            return data
        if data.get("cohort"):
            self.add_error("cohort", COHORT_ONLY_FOR_QUALIFICATIONS)
        if not data.get("year"):
            self.add_error("year", YEAR_REQUIRED)
        if template.kind != CertificateKind.HOURS_TRANSCRIPT and not data.get("training"):
            self.add_error("training", TRAINING_REQUIRED)
        return data


class BatchIndexView(PermissionMixin, CertificatesAdminMixin, FormView):
    """The bulk-issue form, with the past batches below it."""

    permission_required = BATCH_PERMISSION
    template_name = "certificates/admin/batch_index.html"
    form_class = BatchForm
    page_title = _("Bulk issue certificates")

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "user": self.request.user}

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        paginator = WagtailPaginator(IssueBatch.objects.select_related("template", "created_by"), 20)
        context["batches"] = paginator.get_page(self.request.GET.get("p"))
        return context

    def form_valid(self, form):
        data = form.cleaned_data
        template, district = data["template"], data["district"]
        if template.kind == CertificateKind.COHORT_QUALIFICATION:
            items = batch_items_for_cohort(cohort=data["cohort"], district=district)
            description = str(data["cohort"])
        elif template.kind == CertificateKind.HOURS_TRANSCRIPT:
            items = batch_items_for_transcripts(year=data["year"], district=district)
            description = f"{data['year']} {template.get_kind_display()}"
        else:
            items = batch_items_for_training(year=data["year"], training=data["training"], district=district)
            description = f"{data['year']} {data['training']}"
        if district is not None:
            description += f" · {district}"
        try:
            batch = issue_batch_create(
                template=template, items=items, description=description, user=self.request.user,
                filters={"year": data["year"], "district": str(district or ""), "training": data["training"],
                         "cohort": str(data["cohort"] or "")},
            )
        except CertificateError as error:
            form.add_error(None, error)
            return self.form_invalid(form)
        messages.success(self.request, MESSAGE_BATCH_STARTED)
        return redirect("certificates_admin:batch", pk=batch.pk)


class BatchDetailView(PermissionMixin, CertificatesAdminMixin, TemplateView):
    permission_required = BATCH_PERMISSION
    template_name = "certificates/admin/batch_detail.html"

    def get(self, request, pk):
        self.batch = get_object_or_404(IssueBatch.objects.select_related("template", "created_by"), pk=pk)
        return super().get(request)

    def get_page_title(self):
        return _("Bulk issue: %(description)s") % {"description": self.batch}

    def get_context_data(self, **kwargs):
        failed = self.batch.items.filter(status=BatchItemStatus.FAILED).select_related("holder")[:200]
        return {
            **super().get_context_data(**kwargs),
            "batch": self.batch,
            "progress": issue_batch_progress(self.batch),
            "failed_items": failed,
            "statuses": BatchStatus,
        }


class BatchProgressView(PermissionMixin, View):
    """What the progress bar polls: done, failed, total, status."""

    permission_required = BATCH_PERMISSION

    def get(self, request, pk):
        batch = get_object_or_404(IssueBatch, pk=pk)
        return JsonResponse(issue_batch_progress(batch))


class BatchRestartView(PermissionMixin, View):
    permission_required = BATCH_PERMISSION
    http_method_names = ["post"]

    def post(self, request, pk):
        batch = get_object_or_404(IssueBatch, pk=pk)
        issue_batch_restart(batch=batch)
        messages.success(request, MESSAGE_BATCH_RESTARTED)
        return redirect("certificates_admin:batch", pk=batch.pk)


class BatchZipView(PermissionMixin, View):
    """The batch's PDFs as one ZIP, written to a temporary file so a batch
    of thousands never sits in memory."""

    permission_required = BATCH_PERMISSION

    def get(self, request, pk):
        batch = get_object_or_404(IssueBatch, pk=pk)
        certificates = (
            Certificate.objects.filter(pk__in=batch.items.filter(status=BatchItemStatus.DONE).values("certificate"))
            .only("serial", "holder_name", "pdf")
            .order_by("sequence")
        )
        archive = tempfile.TemporaryFile()
        with zipfile.ZipFile(archive, "w", compression=zipfile.ZIP_STORED) as zipped:
            for certificate in certificates.iterator(chunk_size=500):
                with certificate_pdf_open(certificate=certificate) as pdf:
                    zipped.writestr(f"{certificate.serial}-{certificate.holder_name}.pdf", pdf.read())
        archive.seek(0)
        return FileResponse(archive, as_attachment=True, filename=f"certificates-batch-{batch.pk}.zip",
                            content_type="application/zip")


urlpatterns = [
    path("issue/", CertificateIssueView.as_view(), name="issue"),
    path("<int:pk>/pdf/", CertificatePdfView.as_view(), name="pdf"),
    path("<int:pk>/revoke/", CertificateRevokeView.as_view(), name="revoke"),
    path("<int:pk>/reissue/", CertificateReissueView.as_view(), name="reissue"),
    path("batches/", BatchIndexView.as_view(), name="batches"),
    path("batches/<int:pk>/", BatchDetailView.as_view(), name="batch"),
    path("batches/<int:pk>/progress.json", BatchProgressView.as_view(), name="batch_progress"),
    path("batches/<int:pk>/restart/", BatchRestartView.as_view(), name="batch_restart"),
    path("batches/<int:pk>/certificates.zip", BatchZipView.as_view(), name="batch_zip"),
]


def admin_urls():
    return [path("certificate-actions/", include((urlpatterns, "certificates_admin"), namespace="certificates_admin"))]


certificate_viewset = CertificateViewSet("issued_certificates", url_prefix="certificates/issued")
template_viewset = CertificateTemplateViewSet()


class PermissionMenuItem(MenuItem):
    def __init__(self, *args, permission, **kwargs):
        super().__init__(*args, **kwargs)
        self.permission = permission

    def is_shown(self, request):
        return request.user.has_perm(self.permission)


def menu_item():
    menu = Menu(
        items=[
            PermissionMenuItem(_("Certificates"), reverse_lazy("issued_certificates:index"), name="certificates-list",
                               icon_name="doc-full", order=100, permission="certificates.view_certificate"),
            PermissionMenuItem(_("Issue one"), reverse_lazy("certificates_admin:issue"), name="certificates-issue",
                               icon_name="plus", order=200, permission=ISSUE_PERMISSION),
            PermissionMenuItem(_("Bulk issue"), reverse_lazy("certificates_admin:batches"),
                               name="certificates-batches", icon_name="list-ul", order=300,
                               permission=BATCH_PERMISSION),
            PermissionMenuItem(_("Templates"), reverse_lazy("wagtailsnippets_certificates_certificatetemplate:list"),
                               name="certificates-templates", icon_name="doc-empty", order=400,
                               permission="certificates.change_certificatetemplate"),
        ]
    )
    return SubmenuMenuItem(_("Certificates"), menu, name="certificates", icon_name="doc-full", order=350)


def admin_viewsets():
    return certificate_viewset
