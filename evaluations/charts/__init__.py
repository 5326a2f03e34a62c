"""Standalone SVG charts of outcome measures and the most distal symptom over visits.

Pure functions: no Django, no templates. Each chart is a complete `<svg>` string that renders
the same in a browser and in a WeasyPrint PDF, so it uses only basic elements (svg, g, rect,
line, polyline, circle, text, title, desc) with presentation attributes: no CSS, no classes,
no scripts, no external references. Every piece of text is escaped.

Accessibility: `role="img"`, labelled by the chart's `<title>` and described by its `<desc>`
(the progress statement). Colours: lines, dots and text are at least 4.5:1 against the white
background (#1f4e79 8.7:1, #1b5e20 7.9:1, #333 12.6:1, #555 7.5:1); the band is a light tint
that only carries meaning together with its text label.

Ids are `chart-<code>-<suffix>`; the suffix defaults to a hash of the chart's content, so the
same input always gives the same string, and callers putting two identical charts on one page
pass `id_suffix` (a counter) to keep the ids unique.

The package, by what each part is about:

- `style`: the charts' colours, sizes and `ALGORITHM_VERSION`;
- `labels`: label placement, pure geometry (boxes, spots, collision with dots and lines);
- `svg`: the shared SVG writer (`_Canvas`), ids, coordinates and title wrapping;
- `measure`: `measure_chart_svg`, one outcome measure over visits (the patient's own answers,
  from follow-up packets, drawn as squares);
- `distal`: `distal_chart_svg`, the most distal symptom over visits.

Import from `evaluations.charts`: the names below are its public API.
"""

from evaluations.charts.distal import DISTAL_TITLE, SITE_AXIS_LABELS, distal_chart_svg
from evaluations.charts.labels import (
    Box,
    Label,
    Segment,
    crosses,
    dot_box,
    place_labels,
    spread_points,
    text_box,
    text_width,
)
from evaluations.charts.measure import BAND_LABEL, IMPROVEMENT_LABEL, measure_chart_svg
from evaluations.charts.style import (
    ALGORITHM_VERSION,
    BAND,
    BETTER,
    FONT,
    GRID,
    INK,
    MIN_HEIGHT,
    MIN_WIDTH,
    MUTED,
    TEXT,
    TEXT_SIZE,
    TITLE_SIZE,
    WHITE,
)
from evaluations.charts.svg import DRAFT_LEGEND, REPORTED_LEGEND

__all__ = [
    "ALGORITHM_VERSION",
    "BAND",
    "BAND_LABEL",
    "BETTER",
    "DISTAL_TITLE",
    "DRAFT_LEGEND",
    "FONT",
    "GRID",
    "IMPROVEMENT_LABEL",
    "INK",
    "MIN_HEIGHT",
    "MIN_WIDTH",
    "MUTED",
    "REPORTED_LEGEND",
    "SITE_AXIS_LABELS",
    "TEXT",
    "TEXT_SIZE",
    "TITLE_SIZE",
    "WHITE",
    "Box",
    "Label",
    "Segment",
    "crosses",
    "distal_chart_svg",
    "dot_box",
    "measure_chart_svg",
    "place_labels",
    "spread_points",
    "text_box",
    "text_width",
]
