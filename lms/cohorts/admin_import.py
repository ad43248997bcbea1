"""The assessment-results import: upload, dry run, commit, and the template file."""

import datetime
import uuid

from django import forms
from django.core import signing
from django.core.files.base import ContentFile
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.utils.translation import gettext_lazy as _
from django.views.generic import TemplateView
from wagtail.admin import messages

from lms.cohorts import assessments
from lms.cohorts.admin_screens import CohortScreenMixin, _forbidden
from lms.cohorts.models import Cohort
from lms.cohorts.rules import MANAGE_PERMISSION
from lms.imports.tabular import ALLOWED_EXTENSIONS, ImportFileError, check_size
from lms.private_files import private_storage

IMPORT_EXPIRED = _("This check has expired or was not yours; upload the file again.")
IMPORTED = _("%(count)s assessment result(s) recorded.")

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
        context.update(cohort=self.cohort, headers=[column.header for column in assessments.ASSESSMENT_COLUMNS],
                       assessments=list(self.cohort.assessments.all()))
        return context

    def _render_report(self, form, report, token=""):
        errors = [
            {"row": e.row, "column": e.column, "value": e.value, "reason": assessments.assessment_row_error_text(e)}
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
        report = assessments.assessment_import_check(cohort=self.cohort, data=data, filename=upload.name)
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
        report = assessments.assessment_import_commit(cohort=self.cohort, data=data, filename=name, by=request.user)
        if not report.ok:
            # Members or results changed since the dry run.
            return self._render_report(AssessmentUploadForm(), report)
        private_storage().delete(name)
        messages.success(request, IMPORTED % {"count": len(report.rows)})
        return redirect("lms_cohorts:roster", pk=self.cohort.pk)


def assessment_template_view(request, pk):
    if not request.user.has_perm(MANAGE_PERMISSION):
        return _forbidden(request)
    response = HttpResponse(assessments.assessment_import_template(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="assessment-results.csv"'
    return response
