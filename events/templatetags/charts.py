"""Charts drawn on the server as inline SVG: no script, no style attributes (the CSP forbids both),
only classes (static/css/charts.css) and presentation attributes. The numbers a chart draws are
always in a table beside it, its text alternative."""

import math

from django import template
from django.utils.dates import MONTHS_3
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from events.dates import month_in_words

register = template.Library()

# Geometry in SVG user units (pixels at 100%).
LEFT = 36  # room for the scale's numbers
RIGHT = 8
TOP = 6
AXIS = 22  # room for the years under the bars
PLOT_WIDTH = 900  # a short timeline's bars widen to about this
STEP_MIN, STEP_MAX = 10, 48
SINGLE_HEIGHT = 150
PANEL_HEIGHT = 44  # each chart of small multiples
PANEL_LABEL = 18
PANEL_GAP = 8


class Bar:
    def __init__(self, x, y, width, height, title):
        self.x, self.y, self.width, self.height, self.title = x, y, width, height, title


class Panel:
    def __init__(self, label, label_y, bars, baseline, gridlines):
        self.label = label
        self.label_y = label_y
        self.bars = bars
        self.baseline = baseline
        self.gridlines = gridlines


def scale_ticks(peak):
    """Up to three round numbers from 0 to at least peak: the scale's marks."""
    if peak <= 2:
        return list(range(peak + 1)) or [0, 1]
    step = 10 ** math.floor(math.log10(peak / 2))
    for multiple in (1, 2, 5, 10):
        if peak / (step * multiple) <= 2:
            step *= multiple
            break
    top = step * math.ceil(peak / step)
    return list(range(0, top + 1, step))


@register.inclusion_tag("includes/chart_timeline.html")
def timeline_chart(timeline, chart_id="timeline"):
    """A bar per month (numbers.Timeline); several series are drawn as small multiples on one scale."""
    months = timeline.months
    series = timeline.series
    peak = max((max(each.counts, default=0) for each in series), default=0)
    ticks = scale_ticks(peak)
    top_tick = ticks[-1] or 1
    step = max(STEP_MIN, min(STEP_MAX, PLOT_WIDTH // max(len(months), 1)))
    bar_width = max(step - 2, 1) if step < 20 else step - 6
    several = bool(timeline.by)  # small multiples, each labelled, even when there is one
    plot_height = PANEL_HEIGHT if several else SINGLE_HEIGHT
    panels = []
    y = TOP
    for each in series:
        label_y = y + PANEL_LABEL - 5
        if several:
            y += PANEL_LABEL
        baseline = y + plot_height
        bars = []
        for index, (month, count) in enumerate(zip(months, each.counts, strict=True)):
            if not count:
                continue
            height = max(round(count / top_tick * plot_height, 1), 1)
            title = ngettext("%(month)s: %(count)s meeting", "%(month)s: %(count)s meetings", count) % {
                "month": month_in_words(month),
                "count": count,
            }
            if several:
                title = f"{each.label} – {title}"
            bars.append(Bar(LEFT + index * step + (step - bar_width) / 2, baseline - height, bar_width, height, title))
        # Small multiples mark only their top; a single chart every round number.
        marks = [ticks[-1]] if several else ticks[1:]
        gridlines = [(round(baseline - mark / top_tick * plot_height, 1), mark) for mark in marks]
        panels.append(Panel(each.label, label_y, bars, baseline, gridlines))
        y = baseline + (PANEL_GAP if several else 0)
    short = len(months) <= 18
    width = LEFT + len(months) * step + RIGHT
    height = y + AXIS + (14 if short else 0)
    # The year under its January (and under the first month); a short timeline names its months too.
    months_labels, year_labels = [], []
    for index, month in enumerate(months):
        x = LEFT + index * step
        if short:
            months_labels.append((x + step / 2, str(MONTHS_3[month.month]).capitalize()))
        if index == 0 or month.month == 1:
            year_labels.append((x, str(month.year)))
    description = ""
    if months:
        description = _(
            "The number of meetings in each month from %(first)s to %(last)s, on one scale; the most in one "
            "month: %(peak)s. The numbers are in the table below the chart."
        ) % {"first": month_in_words(months[0]), "last": month_in_words(months[-1]), "peak": peak}
    return {
        "chart_id": chart_id,
        "title": timeline.title,
        "description": description,
        "width": width,
        "height": height,
        "plot_right": width - RIGHT,
        "left": LEFT,
        "panels": panels,
        "labelled": several,
        "month_labels": months_labels,
        "year_labels": year_labels,
        "month_label_y": y + 14,
        "year_label_y": height - 6,
    }
