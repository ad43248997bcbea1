"""HR's bulk issues: the form choosing who gets a certificate, the batch's
page with a live progress bar, restarting what failed and a ZIP of the
batch's PDFs. The issuing itself runs in Celery tasks
(``certificates.batches``)."""

import tempfile
import zipfile

from django import forms
from django.http import FileResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect
from django.utils.translation import gettext_lazy as _
from django.views import View
from django.views.generic import FormView, TemplateView
from wagtail.admin import messages
from wagtail.admin.paginator import WagtailPaginator

from lms.api import district_list_for_user

from .admin_common import (
    BATCH_PERMISSION,
    TRAINING_REQUIRED,
    YEAR_REQUIRED,
    CertificatesAdminMixin,
    PermissionMixin,
)
from .constants import BatchItemStatus, BatchStatus, CertificateKind
from .models import Certificate, CertificateTemplate, IssueBatch
from .selectors import (
    batch_items_for_cohort,
    batch_items_for_training,
    batch_items_for_transcripts,
    issue_batch_progress,
)
from .services import CertificateError, certificate_pdf_open, issue_batch_create, issue_batch_restart

COHORT_REQUIRED = _("Choose the cohort whose certified members get a qualification certificate.")
COHORT_ONLY_FOR_QUALIFICATIONS = _("A cohort goes with a cohort qualification template.")
MESSAGE_BATCH_STARTED = _("The bulk issue has started; this page shows its progress.")
MESSAGE_BATCH_RESTARTED = _("The bulk issue was restarted for the certificates not issued yet.")


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
