"""The city and district dashboards, and the ledger listing they drill into.

The figures come from ``lms.dashboards.selectors.dashboard_get``; this module parses
the request, turns figures into inline SVG geometry (see
docs/decisions/0006-dashboard-charts.md) and serves the CSV/XLSX export of
each chart. The ledger listing is a read-only Wagtail ``ModelViewSet`` whose
rows come from ``lms.dashboards.selectors.credit_list_for_user``, so a district admin
can neither list, open nor export another district's entries.
"""

import math
from dataclasses import dataclass, replace
from urllib.parse import urlencode

import django_filters
from django.http import Http404
from django.urls import path, reverse, reverse_lazy
from django.utils import timezone
from django.utils.dates import MONTHS
from django.utils.formats import number_format
from django.utils.translation import gettext as gettext_now
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
from lms.dashboards.selectors import (
    Dashboard,
    DashboardScopeError,
    DistrictNotInScope,
    credit_list_for_user,
    dashboard_get,
)
from lms.exports import csv_response, xlsx_response
from lms.ledger.models import TrainingCredit
from lms.people.selectors import district_list_for_request, school_list_for_request

VIEW_LEDGER_PERMISSION = "lms.view_trainingcredit"
LEDGER_INDEX_URL_NAME = "ledger_entries:index"
EXPORT_FORMATS = ("csv", "xlsx")

UNKNOWN_CHART = _("There is no chart called %(chart)s.")

# Chart geometry, in SVG user units (pixels, unless a narrow screen shrinks the chart).
CHART_WIDTH = 720
FONT_SIZE = 13
BAR_ROW = 26
BAR_THICKNESS = 16
LABEL_MAX_WIDTH = 240
LINE_HEIGHT = 240
LINE_MARGIN = {"top": 16, "right": 20, "bottom": 30, "left": 56}
PROGRESS_HEIGHT = 36


# Other apps add a section to the dashboard with this Wagtail hook.
DASHBOARD_SECTION_HOOK = "register_dashboard_section"


def dashboard_visible_to(user):
    return user.has_perm(VIEW_LEDGER_PERMISSION) or user.has_perm(DISTRICT_MANAGE_PERMISSION)


# --------------------------------------------------------------------------
# Chart geometry
# --------------------------------------------------------------------------


def text_width(text, font_size=FONT_SIZE):
    """A rough rendered width: CJK glyphs are about one em wide, Latin ones
    about half. Good enough to size a label column without a font file."""
    return sum(font_size if ord(char) >= 0x2E80 else font_size * 0.58 for char in str(text))


def truncate_to_width(text, width, font_size=FONT_SIZE):
    text = str(text)
    if text_width(text, font_size) <= width:
        return text
    while text and text_width(text + "…", font_size) > width:
        text = text[:-1]
    return text + "…"


def nice_ceiling(value):
    """The smallest round number (1, 1.5, 2, 2.5, 3, 4, 5, 6 or 8 × 10ⁿ, at
    least 5) not below ``value`` that divides into five whole-number steps."""
    value = max(float(value), 5.0)
    exponent = 10 ** math.floor(math.log10(value))
    for multiple in (1, 1.5, 2, 2.5, 3, 4, 5, 6, 8, 10):
        top = multiple * exponent
        if top >= value and top % 5 == 0:
            return int(top)
    return int(10 * exponent)  # pragma: no cover - 10 × 10ⁿ always qualifies


def format_int(value):
    return number_format(int(value), force_grouping=True)


def format_hours(value):
    """Hours to a tenth, without a trailing ".0" on whole hours."""
    value = round(value, 1)
    decimals = 0 if value == int(value) else 1
    return number_format(value, decimal_pos=decimals, force_grouping=True)


@dataclass(frozen=True)
class Row:
    """A figure with what the page needs to draw, label and link it. Numbers
    are formatted once here: a chart, its description and its table all
    show them, and template filters would format each again."""

    figure: object
    url: str
    label: str = ""
    y: float = 0
    width: float = 0
    x: float = 0
    value_x: float = 0
    person_times_text: str = ""
    hours_text: str = ""
    entries_text: str = ""
    value_text: str = ""


def figure_row(figure, *, url_for, **geometry):
    person_times, hours = format_int(figure.person_times), format_hours(figure.hours)
    return Row(
        figure=figure,
        url=url_for(figure.filters),
        person_times_text=person_times,
        hours_text=hours,
        entries_text=format_int(figure.entries),
        value_text=gettext_now("%(person_times)s person-times · %(hours)s h")
        % {"person_times": person_times, "hours": hours},
        **geometry,
    )


def chart_description(rows):
    """Every figure of a chart in words, for its SVG ``<desc>``."""
    return "; ".join(f"{row.figure.label}: {row.value_text}" for row in rows)


def bar_chart(figures, *, url_for):
    """Horizontal bars of person-times, one row per figure, labelled with
    both person-times and hours."""
    label_width = min(max((text_width(f.label) for f in figures), default=0) + 12, LABEL_MAX_WIDTH)
    rows = [figure_row(figure, url_for=url_for) for figure in figures]
    value_width = max((text_width(row.value_text) for row in rows), default=0) + 12
    plot_width = CHART_WIDTH - label_width - value_width
    top = max((f.person_times for f in figures), default=0)
    for index, row in enumerate(rows):
        share = max(row.figure.person_times, 0) / top if top > 0 else 0
        # A non-zero figure always shows a sliver, so it is not read as zero.
        width = round(max(share * plot_width, 2 if row.figure.person_times > 0 else 0), 1)
        rows[index] = replace(
            row,
            label=truncate_to_width(row.figure.label, label_width - 12),
            y=index * BAR_ROW,
            x=label_width,
            width=width,
            value_x=round(label_width + width + 6, 1),
        )
    return {
        "rows": rows,
        "description": chart_description(rows),
        "width": CHART_WIDTH,
        "height": max(len(rows), 1) * BAR_ROW,
        "label_width": label_width,
        "label_x": label_width - 8,
        "bar_offset": (BAR_ROW - BAR_THICKNESS) / 2,
        "bar_thickness": BAR_THICKNESS,
        "row_height": BAR_ROW,
        "text_offset": BAR_ROW / 2 + FONT_SIZE * 0.35,
    }


def line_chart(figures, *, url_for, last_index=None):
    """Person-times by month as a line; ``last_index`` stops the line at the
    current month of the current year rather than dropping to zero."""
    margin = LINE_MARGIN
    plot_width = CHART_WIDTH - margin["left"] - margin["right"]
    plot_height = LINE_HEIGHT - margin["top"] - margin["bottom"]
    drawn = figures if last_index is None else figures[: last_index + 1]
    # Headroom above the highest point for its label.
    top = nice_ceiling(max((f.person_times for f in drawn), default=0) * 1.1)
    # Each month is a band with its point in the middle, so no point sits on
    # the axis and its label clears the axis labels.
    step = plot_width / max(len(figures), 1)

    def y_of(value):
        return round(margin["top"] + plot_height * (1 - max(value, 0) / top), 1)

    points = [
        figure_row(
            figure,
            url_for=url_for,
            label=figure.label,
            x=round(margin["left"] + (index + 0.5) * step, 1),
            y=y_of(figure.person_times),
        )
        for index, figure in enumerate(drawn)
    ]
    ticks = [
        {"y": y_of(top * i / 5), "label": format_int(top * i / 5)}
        for i in range(6)
    ]
    axis_labels = [
        {"x": round(margin["left"] + (index + 0.5) * step, 1), "label": figure.label}
        for index, figure in enumerate(figures)
    ]
    return {
        "points": points,
        "description": chart_description(points),
        "polyline": " ".join(f"{p.x},{p.y}" for p in points),
        "ticks": ticks,
        "axis_labels": axis_labels,
        "width": CHART_WIDTH,
        "height": LINE_HEIGHT,
        "left": margin["left"],
        "right": CHART_WIDTH - margin["right"],
        "bottom": LINE_HEIGHT - margin["bottom"],
        "axis_label_y": LINE_HEIGHT - margin["bottom"] + FONT_SIZE + 6,
        "tick_label_x": margin["left"] - 8,
    }


def progress_bar(progress):
    """A progress bar with a marker where a straight-line trajectory says
    the target should stand today."""
    return {
        "width": CHART_WIDTH,
        "height": PROGRESS_HEIGHT,
        "fill": round(progress.fraction * CHART_WIDTH, 1),
        "marker": round(progress.expected_fraction * CHART_WIDTH, 1),
        "show_marker": progress.status not in ("share", "not_recorded"),
    }


# --------------------------------------------------------------------------
# The dashboard
# --------------------------------------------------------------------------


def ledger_url(filters, *, base=None):
    return (base or reverse(LEDGER_INDEX_URL_NAME)) + "?" + urlencode(filters)


def _plain(value):
    """A whole number as an int, anything else to the hundredth."""
    return int(value) if value == value.to_integral_value() else round(value, 2)


def _export_rows(dashboard: Dashboard, chart):
    """(filename part, header, rows) of one chart's table."""
    if chart == "targets":
        header = [_("Target"), _("Target value"), _("Current"), _("Expected today"), _("Status"), _("Note")]
        rows = [
            [p.target.name, _plain(p.value), _plain(p.current), _plain(p.expected), str(p.status_label), p.note]
            for p in dashboard.targets
        ]
        return header, rows
    if chart == "untrained":
        header = [_("District"), _("School code"), _("School"), _("Urban or rural")]
        rows = [[s.district, s.code, s.name, s.locality] for s in dashboard.schools_without_training]
        return header, rows
    breakdown = dashboard.breakdowns.get(chart)
    if breakdown is None:
        raise Http404(UNKNOWN_CHART % {"chart": chart})
    header = [breakdown.title, _("Person-times"), _("Hours"), _("Ledger entries")]
    rows = [[f.label, f.person_times, f.hours, f.entries] for f in breakdown.figures]
    rows.append([str(_("Total")), breakdown.person_times, breakdown.hours, sum(f.entries for f in breakdown.figures)])
    return header, rows


def chart_export(dashboard: Dashboard, chart: str, export_format: str):
    header, rows = _export_rows(dashboard, chart)
    scope = dashboard.district.code if dashboard.district is not None else "city"
    filename = f"dashboard-{dashboard.year}-{scope}-{chart}.{export_format}"
    if export_format == "xlsx":
        return xlsx_response(filename, header, rows, sheet_title=chart)
    return csv_response(filename, header, rows)


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
