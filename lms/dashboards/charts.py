"""The dashboard's charts as inline SVG geometry (decision 0006): bars for
the breakdowns, a line for the months, a bar for each target's progress.
The template draws them; every figure links to the ledger entries it counts."""

import math
from dataclasses import dataclass, replace

from django.utils.formats import number_format
from django.utils.translation import gettext as gettext_now

# Chart geometry, in SVG user units (pixels, unless a narrow screen shrinks the chart).
CHART_WIDTH = 720
FONT_SIZE = 13
BAR_ROW = 26
BAR_THICKNESS = 16
LABEL_MAX_WIDTH = 240
LINE_HEIGHT = 240
LINE_MARGIN = {"top": 16, "right": 20, "bottom": 30, "left": 56}
PROGRESS_HEIGHT = 36


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
