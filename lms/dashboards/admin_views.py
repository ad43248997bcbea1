"""The city and district dashboards, and the ledger listing they drill into.

The figures come from ``lms.dashboards.figures.dashboard_get``; this module parses
the request, turns figures into inline SVG geometry (see
docs/decisions/0006-dashboard-charts.md) and serves the CSV/XLSX export of
each chart. The ledger listing is a read-only Wagtail ``ModelViewSet`` whose
rows come from ``lms.dashboards.scope.credit_list_for_user``, so a district admin
can neither list, open nor export another district's entries.
"""

from urllib.parse import urlencode

import django_filters
from django.http import Http404
from django.urls import path, reverse, reverse_lazy
from django.utils import timezone
from django.utils.dates import MONTHS
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from django.views.generic import TemplateView
from wagtail import hooks
from wagtail.admin.filters import DateRangePickerWidget, WagtailFilterSet
from wagtail.admin.menu import MenuItem
from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin
from wagtail.admin.widgets.button import HeaderButton

from lms.admin_base import ReadOnlyScopedModelViewSet, YearFilter, forbidden
from lms.constants import DISTRICT_MANAGE_PERMISSION, LEDGER_EARLIEST_YEAR, CreditCategory, Locality, Stage, Subject
from lms.dashboards.charts import bar_chart, line_chart, progress_bar
from lms.dashboards.exports import chart_export
from lms.dashboards.figures import DashboardScopeError, DistrictNotInScope, dashboard_get
from lms.dashboards.scope import credit_list_for_user
from lms.ledger.models import TrainingCredit
from lms.people.selectors import district_list_for_request, school_list_for_request

VIEW_LEDGER_PERMISSION = "lms.view_trainingcredit"
LEDGER_INDEX_URL_NAME = "ledger_entries:index"
EXPORT_FORMATS = ("csv", "xlsx")



# Other apps add a section to the dashboard with this Wagtail hook.
DASHBOARD_SECTION_HOOK = "register_dashboard_section"


def dashboard_visible_to(user):
    return user.has_perm(VIEW_LEDGER_PERMISSION) or user.has_perm(DISTRICT_MANAGE_PERMISSION)


# --------------------------------------------------------------------------
# Chart geometry
# --------------------------------------------------------------------------


def ledger_url(filters, *, base=None):
    return (base or reverse(LEDGER_INDEX_URL_NAME)) + "?" + urlencode(filters)


def _requested_year(value, today):
    try:
        year = int(value)
    except (TypeError, ValueError):
        return today.year
    return year if LEDGER_EARLIEST_YEAR <= year <= today.year + 1 else today.year


class DashboardView(WagtailAdminTemplateMixin, TemplateView):
    template_name = "lms/dashboard/index.html"
    page_title = pgettext_lazy("training figures", "Dashboard")
    header_icon = "view"

    def dispatch(self, request, *args, **kwargs):
        if not dashboard_visible_to(request.user):
            return forbidden(request)
        return super().dispatch(request, *args, **kwargs)

    def get(self, request, *args, **kwargs):
        try:
            self.dashboard = dashboard_get(
                user=request.user,
                year=_requested_year(request.GET.get("year"), timezone.localdate()),
                district=request.GET.get("district") or None,
            )
        except DistrictNotInScope:
            raise Http404
        except DashboardScopeError:
            return forbidden(request)
        export_format = request.GET.get("export")
        if export_format in EXPORT_FORMATS:
            return chart_export(self.dashboard, request.GET.get("chart", ""), export_format)
        return super().get(request, *args, **kwargs)

    def get_breadcrumbs_items(self):
        return [*self.breadcrumbs_items, {"url": "", "label": self.page_title}]

    def get_page_subtitle(self):
        return f"{self.dashboard.scope_label} · {self.dashboard.year}"

    def get_header_buttons(self):
        return [
            HeaderButton(
                _("Ledger entries"), url=ledger_url(self.dashboard.base_filters), icon_name="list-ul"
            )
        ]

    def _export_url(self, chart, export_format):
        params = {"year": self.dashboard.year}
        if self.dashboard.district is not None:
            params["district"] = self.dashboard.district.code
        params.update(export=export_format, chart=chart)
        return "?" + urlencode(params)

    def _chart(self, name, **extra):
        return {
            "name": name,
            "csv_url": self._export_url(name, "csv"),
            "xlsx_url": self._export_url(name, "xlsx"),
            **extra,
        }

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        dashboard = self.dashboard
        # Every figure links to the listing: reverse its address once.
        ledger_index = reverse(LEDGER_INDEX_URL_NAME)

        def url_for(filters):
            return ledger_url(filters, base=ledger_index)

        bars = []
        for name, breakdown in dashboard.breakdowns.items():
            if name == "month":
                continue
            bars.append(self._chart(name, breakdown=breakdown, svg=bar_chart(breakdown.figures, url_for=url_for)))
        month = dashboard.breakdowns["month"]
        last_index = dashboard.today.month - 1 if dashboard.year == dashboard.today.year else None
        targets = [
            {"progress": p, "svg": progress_bar(p), "url": url_for(p.filters) if p.filters else ""}
            for p in dashboard.targets
        ]
        context.update(
            dashboard=dashboard,
            total_url=url_for(dashboard.total.filters),
            targets=targets,
            targets_chart=self._chart("targets"),
            bar_charts=bars,
            month_chart=self._chart(
                "month", breakdown=month, svg=line_chart(month.figures, url_for=url_for, last_index=last_index)
            ),
            untrained_chart=self._chart("untrained"),
            district_choices=dashboard.districts if dashboard.city_wide or len(dashboard.districts) > 1 else [],
            extra_sections=self._extra_sections(),
        )
        return context

    def _extra_sections(self):
        """Sections other apps add below the figures (research-along, …):
        each ``DASHBOARD_SECTION_HOOK`` function takes the request and the
        dashboard and returns HTML, or nothing to show."""
        sections = (hook(self.request, self.dashboard) for hook in hooks.get_hooks(DASHBOARD_SECTION_HOOK))
        return [section for section in sections if section]


class DashboardMenuItem(MenuItem):
    def is_shown(self, request):
        return dashboard_visible_to(request.user)


def admin_urls():
    return [path("dashboard/", DashboardView.as_view(), name="lms_dashboard")]


def menu_item():
    return DashboardMenuItem(
        pgettext_lazy("training figures", "Dashboard"),
        reverse_lazy("lms_dashboard"),
        name="training-dashboard",
        icon_name="view",
        order=150,
    )


# --------------------------------------------------------------------------
# The ledger listing the figures drill into
# --------------------------------------------------------------------------


class LedgerEntryFilterSet(WagtailFilterSet):
    year = YearFilter(label=_("year"))
    district = django_filters.ModelChoiceFilter(label=_("district"), queryset=district_list_for_request)
    school = django_filters.ModelChoiceFilter(label=_("school"), queryset=school_list_for_request)
    subject = django_filters.ChoiceFilter(label=_("subject"), choices=Subject.choices)
    stage = django_filters.ChoiceFilter(label=_("stage"), choices=Stage.choices)
    category = django_filters.ChoiceFilter(label=_("category"), choices=CreditCategory.choices)
    month = django_filters.TypedChoiceFilter(
        label=_("month"),
        field_name="occurred_on",
        lookup_expr="month",
        choices=[(number, name) for number, name in MONTHS.items()],
        coerce=int,
    )
    locality = django_filters.ChoiceFilter(label=_("urban or rural"), choices=Locality.choices)
    occurred_on = django_filters.DateFromToRangeFilter(label=_("date of the training"), widget=DateRangePickerWidget)

    class Meta:
        model = TrainingCredit
        fields = ["year", "district", "school", "subject", "stage", "category", "month", "locality", "occurred_on"]


class LedgerEntryViewSet(ReadOnlyScopedModelViewSet):
    """Read-only: the ledger is written by ``lms.ledger.services`` services only, so
    this viewset serves just the listing (with exports) and each entry's
    inspect page; there is no add, edit, delete, copy or history URL."""

    model = TrainingCredit
    scope = staticmethod(credit_list_for_user)
    icon = "list-ul"
    menu_label = _("Ledger entries")
    index_page_title = _("Ledger entries")
    list_display = [
        "teacher",
        "hours",
        "person_times",
        "category",
        "occurred_on",
        "evidence_label",
        "district",
        "school",
    ]
    list_export = [
        "teacher.staff_number",
        "teacher.real_name",
        "year",
        "occurred_on",
        "get_category_display",
        "hours",
        "requested_hours",
        "capped_hours",
        "person_times",
        "evidence_label",
        "district",
        "school.code",
        "school",
        "get_subject_display",
        "get_stage_display",
        "get_locality_display",
        "credited_via",
        "source_key",
    ]
    export_headings = {
        "teacher.staff_number": _("staff number"),
        "teacher.real_name": _("real name"),
        "get_category_display": _("category"),
        "school.code": _("school code"),
        "get_subject_display": _("subject"),
        "get_stage_display": _("stage"),
        "get_locality_display": _("urban or rural"),
    }
    export_filename = "ledger-entries"
    list_per_page = 50
    filterset_class = LedgerEntryFilterSet
    inspect_view_fields = [
        "teacher",
        "category",
        "year",
        "occurred_on",
        "hours",
        "requested_hours",
        "capped_hours",
        "person_times",
        "evidence_label",
        "district",
        "school",
        "subject",
        "stage",
        "locality",
        "reason",
        "reverses",
        "credited_by",
        "credited_via",
        "created_at",
        "source_key",
    ]
    # (Not indexed for references, as every read-only viewset: Wagtail would
    # otherwise re-index every entry's references on save, a task per credit
    # that costs crediting most of its throughput.)


ledger_entry_viewset = LedgerEntryViewSet("ledger_entries", url_prefix="ledger-entries")


def admin_viewsets():
    """The read-only ledger listing the dashboards' figures drill into."""
    return ledger_entry_viewset


def log_entry_scopes():
    """Site history (lms/audit.py): a ledger entry's log entries for those
    whose scope covers its district."""
    return {TrainingCredit: credit_list_for_user}
