"""Admin screens for people imports: upload, dry-run preview, commit, reports.

The work is done by the services in ``lms.imports.services``, in Celery tasks the
services promise through the outbox (``lms.outbox``) in their transaction and
send once it has committed; these views only show a batch and pass on what HR
asked for. A broker that is down delays the work, never loses it: the batch says it
is waiting for the background worker, the sweep sends its task again, and HR
can retry at once. Every view needs ``lms.add_importbatch`` (HR
and academy admins); Wagtail's admin URL wrapper has already sent anonymous
visitors to the login page.
"""

from django import forms
from django.conf import settings
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect
from django.template.defaultfilters import filesizeformat
from django.urls import include, path, re_path, reverse, reverse_lazy
from django.utils.translation import gettext_lazy as _
from django.views import View
from django.views.generic import DetailView, FormView
from wagtail.admin import messages
from wagtail.admin.menu import MenuItem
from wagtail.admin.paginator import WagtailPaginator
from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin

from lms.admin_base import forbidden
from lms.constants import IMPORT_PERMISSION, POSITION_FIELDS, ImportKind, ImportRowAction, ImportStatus
from lms.exports import csv_response, xlsx_response
from lms.imports.checks import row_error_reason
from lms.imports.models import ImportBatch
from lms.imports.selectors import import_batch_stalled
from lms.imports.services import import_batch_commit_request, import_batch_retry, import_batch_upload
from lms.imports.state import ImportBatchStateError
from lms.imports.tabular import ALLOWED_EXTENSIONS, ImportFileError
from lms.imports.vocabulary import template_headers
from lms.people.models import School, TeacherProfile

BATCHES_PER_PAGE = 20
# A file of 10,000 bad rows made a 14 MB page; the full report is a download.
ERRORS_PER_PAGE = 100

MESSAGE_UPLOADED = _("The file was uploaded; it is being checked. Nothing is imported until you commit it.")
MESSAGE_COMMITTING = _("The import is being committed.")
MESSAGE_RETRIED = _("The batch was handed to the background worker again.")
ERROR_FILE_NOT_STORED = _(
    "The file could not be stored on the server (%(reason)s). Nothing was imported; try again later or tell the "
    "academy's administrators."
)

ERROR_REPORT_HEADER = (_("Row"), _("Column"), _("Reason"), _("Value"))
FILE_HELP = _("A .csv or .xlsx file of at most %(limit)s. Row 1 is the header row.")


class ImportUploadForm(forms.Form):
    kind = forms.ChoiceField(
        label=_("The file lists"), choices=ImportKind.choices, widget=forms.RadioSelect, initial=ImportKind.TEACHERS
    )
    # Empty files pass the field so that the import explains the problem in
    # the same words everywhere (admin, command).
    file = forms.FileField(
        label=_("File"),
        allow_empty_file=True,
        widget=forms.FileInput(attrs={"accept": ",".join(ALLOWED_EXTENSIONS)}),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Read when the form is built, so a changed setting shows at once.
        self.fields["file"].help_text = FILE_HELP % {"limit": filesizeformat(settings.LMS_IMPORT_MAX_BYTES)}


class ImportPermissionMixin:
    def dispatch(self, request, *args, **kwargs):
        if not request.user.has_perm(IMPORT_PERMISSION):
            return forbidden(request)
        return super().dispatch(request, *args, **kwargs)


class ImportBreadcrumbsMixin(WagtailAdminTemplateMixin):
    header_icon = "upload"

    def get_breadcrumbs_items(self):
        return [*self.breadcrumbs_items, {"url": reverse("lms_imports:index"), "label": _("Import people")}]


class ImportIndexView(ImportPermissionMixin, ImportBreadcrumbsMixin, FormView):
    """The upload form, with the past batches below it."""

    template_name = "lms/imports/index.html"
    form_class = ImportUploadForm
    page_title = _("Import people")

    def get_breadcrumbs_items(self):
        return [*self.breadcrumbs_items, {"url": "", "label": self.page_title}]

    def form_valid(self, form):
        try:
            batch = import_batch_upload(
                kind=form.cleaned_data["kind"], uploaded_file=form.cleaned_data["file"], user=self.request.user
            )
        except ImportFileError as error:
            form.add_error("file", error.message)
            return self.form_invalid(form)
        except OSError as error:
            # A full or failing media disk: nothing was recorded.
            form.add_error("file", ERROR_FILE_NOT_STORED % {"reason": error.strerror or type(error).__name__})
            return self.form_invalid(form)
        messages.success(self.request, MESSAGE_UPLOADED)
        return redirect("lms_imports:detail", pk=batch.pk)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        paginator = WagtailPaginator(ImportBatch.objects.select_related("created_by"), BATCHES_PER_PAGE)
        page = paginator.get_page(self.request.GET.get("p"))
        context.update(
            batches=page,
            elided_page_range=paginator.get_elided_page_range(page.number),
            templates=[(kind, kind.label, template_headers(kind)) for kind in ImportKind],
        )
        return context


def _field_labels(kind):
    if kind == ImportKind.SCHOOLS:
        labels = {field.name: field.verbose_name for field in School._meta.fields}
        labels["district_id"] = labels["district"]
        return labels
    labels = {field.name: field.verbose_name for field in TeacherProfile._meta.fields}
    labels["school_id"] = labels["school"]
    labels["email"] = _("email")
    for position, field_name in POSITION_FIELDS.items():
        labels[field_name] = position.label
    return labels


class ImportBatchDetailView(ImportPermissionMixin, ImportBreadcrumbsMixin, DetailView):
    """The dry-run report of a batch, and what its commit did."""

    model = ImportBatch
    template_name = "lms/imports/detail.html"
    context_object_name = "batch"
    # While a worker checks or commits the batch the page reloads itself.
    refresh_seconds = 2

    def get_page_title(self):
        return _("Import: %(filename)s") % {"filename": self.object.original_filename}

    def get_breadcrumbs_items(self):
        return [*super().get_breadcrumbs_items(), {"url": "", "label": self.object.original_filename}]

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        batch = self.object
        labels = _field_labels(batch.kind)
        actions = dict(ImportRowAction.choices)
        error_paginator = WagtailPaginator(batch.errors, ERRORS_PER_PAGE)
        error_page = error_paginator.get_page(self.request.GET.get("p"))
        stalled = import_batch_stalled(batch)
        context.update(
            error_page=error_page,
            elided_page_range=error_paginator.get_elided_page_range(error_page.number),
            stalled=stalled,
            can_retry=stalled or batch.status == ImportStatus.FAILED,
            refresh_seconds=self.refresh_seconds if batch.is_running else None,
            statuses=ImportStatus,
            kinds=ImportKind,
            can_commit=batch.status == ImportStatus.VALIDATED,
            is_committed=batch.status == ImportStatus.COMMITTED,
            errors=[{**error, "reason": row_error_reason(error)} for error in error_page.object_list],
            preview=[
                {
                    **row,
                    "action_label": actions.get(row["action"], row["action"]),
                    "change_labels": [str(labels.get(name, name)) for name in row.get("changes", [])],
                }
                for row in batch.preview
            ],
        )
        return context


def _hand_over(request, pk, step, message):
    """Move a batch on with ``step`` (a service that promises the batch's next
    task, or refuses with ImportBatchStateError)."""
    batch = get_object_or_404(ImportBatch, pk=pk)
    try:
        batch = step(batch=batch)
    except ImportBatchStateError as refusal:
        messages.error(request, refusal.message)
    else:
        messages.success(request, message)
    return redirect("lms_imports:detail", pk=batch.pk)


class ImportBatchCommitView(ImportPermissionMixin, View):
    http_method_names = ["post"]

    def post(self, request, pk):
        return _hand_over(request, pk, import_batch_commit_request, MESSAGE_COMMITTING)


class ImportBatchRetryView(ImportPermissionMixin, View):
    """Hand a stuck or failed batch to the worker again."""

    http_method_names = ["post"]

    def post(self, request, pk):
        return _hand_over(request, pk, import_batch_retry, MESSAGE_RETRIED)


class ImportBatchErrorsView(ImportPermissionMixin, View):
    """The full error report of a batch, as CSV or XLSX."""

    def get(self, request, pk, extension):
        batch = get_object_or_404(ImportBatch, pk=pk)
        rows = [
            (error.get("row") or "", error.get("column", ""), row_error_reason(error), error.get("value", ""))
            for error in batch.errors
        ]
        filename = f"import-{batch.pk}-errors.{extension}"
        if extension == "xlsx":
            return xlsx_response(filename, ERROR_REPORT_HEADER, rows, sheet_title=_("Errors"))
        return csv_response(filename, ERROR_REPORT_HEADER, rows)


class ImportTemplateView(ImportPermissionMixin, View):
    """An empty file with the header row of the official template."""

    def get(self, request, kind, extension):
        if kind not in ImportKind.values:
            raise Http404
        filename = f"{kind}-template.{extension}"
        if extension == "xlsx":
            return xlsx_response(filename, template_headers(kind), [], sheet_title=ImportKind(kind).label)
        return csv_response(filename, template_headers(kind), [])


urlpatterns = [
    path("", ImportIndexView.as_view(), name="index"),
    path("<int:pk>/", ImportBatchDetailView.as_view(), name="detail"),
    path("<int:pk>/commit/", ImportBatchCommitView.as_view(), name="commit"),
    path("<int:pk>/retry/", ImportBatchRetryView.as_view(), name="retry"),
    re_path(r"^(?P<pk>\d+)/errors\.(?P<extension>csv|xlsx)$", ImportBatchErrorsView.as_view(), name="errors"),
    re_path(r"^template/(?P<kind>\w+)\.(?P<extension>csv|xlsx)$", ImportTemplateView.as_view(), name="template"),
]


def admin_urls():
    return [path("people-imports/", include((urlpatterns, "lms_imports"), namespace="lms_imports"))]


class ImportMenuItem(MenuItem):
    def is_shown(self, request):
        return request.user.has_perm(IMPORT_PERMISSION)


def menu_item():
    return ImportMenuItem(
        _("Import people"), reverse_lazy("lms_imports:index"), name="import-people", icon_name="upload", order=300
    )


def import_permissions():
    """The import permissions, offered on the group editing screen."""
    from django.contrib.auth.models import Permission

    return Permission.objects.filter(content_type__app_label="lms", codename__in=["add_importbatch", "view_importbatch"])
