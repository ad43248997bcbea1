"""Each dashboard chart's table as a CSV or XLSX download."""

from django.http import Http404
from django.utils.translation import gettext_lazy as _

from lms.dashboards.figures import Dashboard
from lms.exports import csv_response, xlsx_response

UNKNOWN_CHART = _("There is no chart called %(chart)s.")


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
