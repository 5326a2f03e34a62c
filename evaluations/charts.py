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
"""

import datetime
import hashlib
import itertools
import re
from collections.abc import Sequence
from html import escape
from typing import NamedTuple

from evaluations.mdt import DistalSite
from evaluations.progress import (
    HIGHER,
    DistalProgress,
    MeasureProgress,
    format_date,
    format_number,
    format_value,
    measure_spec,
)

ALGORITHM_VERSION = "charts-1.0"

INK = "#1f4e79"  # line, dots, value labels: 8.7:1 on white
TEXT = "#333333"  # 12.6:1
MUTED = "#555555"  # axes, ticks: 7.5:1
BETTER = "#1b5e20"  # the important-improvement line and label: 7.9:1 (6.3:1 on the band)
BAND = "#dbe7f3"  # light tint behind the minimal-important-change band
GRID = "#e3e3e3"  # decorative only
WHITE = "#ffffff"
FONT = "sans-serif"

MIN_WIDTH, MIN_HEIGHT = 240, 140
_TOP, _BOTTOM, _RIGHT = 40, 30, 16  # the top holds the title and the draft legend
_MEASURE_LEFT = 44
_INNER_PAD = 18  # keeps end dots off the axes
_DOT_R = 4.5
# Text is at least 11 px at the chart's own size: readable on screen and in print.
TEXT_SIZE, TITLE_SIZE = 11, 12
# Average advance of a character as a share of the font size, generous for the wide
# sans-serif fonts (DejaVu Sans): label boxes are estimated, never measured, so they err
# on the large side and a label that fits never touches its neighbour.
_CHAR_WIDTH = 0.62
_LABEL_PAD = 2  # px kept clear around every label box
_POINT_GAP = 3  # px between two dots on the same day
_TITLE_LINE = 15  # px from one line of a wrapped title to the next
_STRIP = 16  # px: the width of place_labels' index strips
_KEY = 16  # px before a label moved into the key row: its swatch or line sample

# Bottom (nearest the spine) to top (furthest), in DistalSite's order.
SITE_AXIS_LABELS: dict[DistalSite, str] = {
    DistalSite.NONE: "none",
    DistalSite.CENTRAL_LB: "central back",
    DistalSite.UNILAT_LB: "one side of back",
    DistalSite.BUTTOCK: "buttock",
    DistalSite.THIGH: "thigh",
    DistalSite.BELOW_KNEE: "below knee",
    DistalSite.FOOT: "foot",
}

_SUFFIX = re.compile(r"[A-Za-z0-9_-]{1,40}")
DRAFT_LEGEND = "hollow dot: unsigned draft"
BAND_LABEL = "within minimal important change (±{mcid})"
IMPROVEMENT_LABEL = "important improvement"
DISTAL_TITLE = "Most distal symptom: lower is nearer the spine (centralising)"


# --- Public API -------------------------------------------------------------------------------


def measure_chart_svg(
    progress: MeasureProgress,
    *,
    width: int = 560,
    height: int = 240,
    id_suffix: str | int | None = None,
) -> str:
    """One measure over visits: y over the full scale, x by date, with the baseline's
    minimal-important-change band and the important-improvement line."""
    _check_size(width, height)
    points = progress.points
    spec = measure_spec(progress.code)
    key = (
        progress.code,
        tuple((p.on.toordinal(), p.value, p.label, p.draft) for p in points),
        width,
        height,
    )
    cid = _chart_id(progress.code, id_suffix, key)
    scale = f"{format_number(progress.scale_min)} to {format_number(progress.scale_max)}"
    unit = "%" if progress.unit == "%" else ""
    heading = _wrap(f"{progress.title}, {scale}{unit}: {progress.better} is better", width)
    c = _Canvas(width, height, left=_MEASURE_LEFT, title_lines=len(heading))
    smin, smax = float(progress.scale_min), float(progress.scale_max)

    def y_of(value: float) -> float:
        return c.bottom - (value - smin) / (smax - smin) * (c.bottom - c.top)

    n = len(points)
    title = f"{progress.title} over visits: {n} measurement{'' if n == 1 else 's'}"
    out = c.open(cid, title, progress.statement)
    out.extend(c.heading(heading))

    # Y grid and ticks over the full scale.
    step = spec.tick_step
    ticks = round((smax - smin) / step)
    # Every tick gets its grid line; a short plot labels every second (or fifth) one.
    every = next(
        k for k in (1, 2, 5, 10, ticks or 1) if y_of(smin) - y_of(smin + k * step) >= TEXT_SIZE + 2
    )
    for i in range(ticks + 1):
        value = smin + i * step
        y = y_of(value)
        out.append(c.line(c.left, y, c.right, y, stroke=GRID))
        if i % every == 0:
            out.append(c.text(c.left - 6, y + 4, format_number(value), anchor="end", fill=MUTED))

    if not points:
        out.append(c.frame())
        out.append(c.empty("No measurements yet"))
        return c.close(out)

    # The baseline's band of +/- MCID points and the important-improvement line.
    mcid = float(progress.mcid.points)
    base = progress.baseline.value
    lo, hi = max(smin, base - mcid), min(smax, base + mcid)
    band_top, band_bottom = y_of(hi), y_of(lo)
    out.append(
        f'<rect id="{cid}-band" x="{_f(c.left)}" y="{_f(band_top)}" '
        f'width="{_f(c.right - c.left)}" height="{_f(band_bottom - band_top)}" fill="{BAND}"/>'
    )
    better_higher = progress.better == HIGHER
    target = base + mcid if better_higher else base - mcid
    target_y = y_of(target) if smin <= target <= smax else None
    if target_y is not None:
        out.append(
            c.line(c.left, target_y, c.right, target_y, stroke=BETTER, width=1.5, dash="6 4")
        )
    out.append(c.frame())

    r = c.dot_radius(n)
    xs = c.x_positions([p.on for p in points], r)
    ys = [y_of(p.value) for p in points]
    if n > 1:
        coords = " ".join(f"{_f(x)},{_f(y)}" for x, y in zip(xs, ys, strict=True))
        out.append(
            f'<polyline points="{coords}" fill="none" stroke="{INK}" stroke-width="2" '
            f'stroke-linejoin="round"/>'
        )
    out.append(f'<g id="{cid}-points">')
    value_texts = [format_value(p.value, progress.unit) for p in points]
    for p, x, y, value in zip(points, xs, ys, value_texts, strict=True):
        tip = f"{p.label}, {format_date(p.on)}: {value}"
        out.append(c.dot(x, y, tip, draft=p.draft, r=r))
    out.append("</g>")

    # Labels: the band's and the improvement line's first (they explain the chart), then
    # each point's value; none may cover a dot, the legend or another label.
    band_text = BAND_LABEL.format(mcid=format_number(mcid))
    h = TEXT_SIZE + 1
    band_w = text_width(band_text)
    left, right = c.left + 4, c.right - 4
    # Inside the band along its worse edge first, so it keeps away from the improvement
    # label; then along the better edge; then just outside either.
    worse, other = (band_bottom, band_top) if better_higher else (band_top, band_bottom)
    inside_worse = worse == band_top  # a label inside the band hangs below its top edge
    band_spots = (
        *_edge_spots(left, right, worse, band_w, h, above=not inside_worse),
        *_edge_spots(left, right, other, band_w, h, above=inside_worse),
        *_edge_spots(left, right, worse, band_w, h, above=inside_worse),
        *_edge_spots(left, right, other, band_w, h, above=not inside_worse),
    )
    labels = [Label(band_w, h, band_spots)]
    if target_y is not None:
        # Beyond the line, on its better side, from the left end; else on its other side.
        w = text_width(IMPROVEMENT_LABEL)
        spots = (
            *_edge_spots(left, right, target_y, w, h, above=better_higher, from_left=True),
            *_edge_spots(left, right, target_y, w, h, above=not better_higher, from_left=True),
        )
        labels.append(Label(w, h, spots))
    for x, y, text in zip(xs, ys, value_texts, strict=True):
        w = text_width(text)
        labels.append(Label(w, h, _value_spots(x, y, r, w, h)))
    obstacles = [dot_box(x, y, r) for x, y in zip(xs, ys, strict=True)]
    if any(p.draft for p in points):
        obstacles.append(c.draft_legend_box())
    texts = [band_text, *([IMPROVEMENT_LABEL] if target_y is not None else []), *value_texts]
    fills = [TEXT, *([BETTER] if target_y is not None else []), *([INK] * n)]
    # The band and line labels go where the plot has room for them; where it has none
    # (many visits all over it), into the key row above the plot, each with a sample of
    # what it names. Value labels take what room is left.
    explained = len(texts) - n
    # First keeping clear of where each value would go with nothing else placed, so the
    # values keep their spots; a label with no room then keeps clear of the dots alone.
    dashed = [Box(c.left, target_y - 1, c.right, target_y + 1)] if target_y is not None else []
    line = list(itertools.pairwise(zip(xs, ys, strict=True)))
    values = labels[explained:]
    alone = place_labels(values, obstacles=obstacles + dashed, area=c.plot, lines=line)
    first_spots = [b for b in alone if b is not None]
    placed = place_labels(labels[:explained], obstacles=obstacles + first_spots, area=c.plot)
    for i, box in enumerate(placed):
        if box is None:
            others = [b for b in placed if b is not None]
            placed[i] = place_labels([labels[i]], obstacles=obstacles + others, area=c.plot)[0]
    keyed = [i for i, box in enumerate(placed) if box is None]
    if keyed:
        row = c.key_row()
        taken = [*obstacles, *(b for b in placed if b is not None)]
        spots = tuple((x, row.y0) for x in range(8, c.width, 8))
        keys = [Label(_KEY + labels[i].width, h, spots) for i in keyed]
        for i, box in zip(keyed, place_labels(keys, obstacles=taken, area=row), strict=True):
            if box is not None:
                out.append(c.key_sample(box, band=i == 0))
                placed[i] = box._replace(x0=box.x0 + _KEY)
    # A value is not read through the dashed line or the line through the points either.
    taken = [*obstacles, *dashed, *(b for b in placed if b is not None)]
    placed += place_labels(values, obstacles=taken, area=c.plot, lines=line)
    for box, text, fill in zip(placed, texts, fills, strict=True):
        if box is not None:
            out.append(c.label_text(box, text, fill=fill))
    out.extend(c.date_labels([p.on for p in points], xs))
    if any(p.draft for p in points):
        out.append(c.draft_legend())
    return c.close(out)


def distal_chart_svg(
    progress: DistalProgress,
    *,
    width: int = 560,
    height: int = 240,
    id_suffix: str | int | None = None,
) -> str:
    """The most distal symptom over visits as a step line: the spine ("none") at the bottom,
    the foot at the top, so a line going down is centralising."""
    _check_size(width, height)
    points = progress.points
    key = ("distal", tuple((p.on.toordinal(), p.site.value, p.label, p.draft) for p in points))
    cid = _chart_id("distal", id_suffix, (*key, width, height))
    # Wide enough for the longest site name at full text size.
    left = round(8 + max(text_width(t) for t in SITE_AXIS_LABELS.values()) + 6)
    heading = _wrap(DISTAL_TITLE, width)
    c = _Canvas(width, height, left=left, title_lines=len(heading))
    sites = tuple(DistalSite)
    top_rank = len(sites) - 1

    def y_of(site: DistalSite) -> float:
        return c.bottom - site.rank / top_rank * (c.bottom - c.top)

    n = len(points)
    title = f"Most distal symptom over visits: {n} record{'' if n == 1 else 's'}"
    out = c.open(cid, title, progress.statement)
    out.extend(c.heading(heading))
    # A chart too short for every site name names every second one (each dot's title
    # still says where it is).
    every = 1 if (c.bottom - c.top) / top_rank >= TEXT_SIZE + 2 else 2
    for site in sites:
        y = y_of(site)
        out.append(c.line(c.left, y, c.right, y, stroke=GRID))
        if site.rank % every == 0:
            out.append(c.text(c.left - 6, y + 4, SITE_AXIS_LABELS[site], anchor="end", fill=MUTED))
    out.append(c.frame())
    if not points:
        out.append(c.empty("No records yet"))
        return c.close(out)

    r = c.dot_radius(n)
    xs = c.x_positions([p.on for p in points], r)
    ys = [y_of(p.site) for p in points]
    if n > 1:
        steps = [f"{_f(xs[0])},{_f(ys[0])}"]
        for i in range(1, n):
            steps.append(f"{_f(xs[i])},{_f(ys[i - 1])}")
            steps.append(f"{_f(xs[i])},{_f(ys[i])}")
        out.append(
            f'<polyline points="{" ".join(steps)}" fill="none" stroke="{INK}" '
            f'stroke-width="2" stroke-linejoin="round"/>'
        )
    out.append(f'<g id="{cid}-points">')
    for p, x, y in zip(points, xs, ys, strict=True):
        tip = f"{p.label}, {format_date(p.on)}: {SITE_AXIS_LABELS[p.site]}"
        out.append(c.dot(x, y, tip, draft=p.draft, r=r))
    out.append("</g>")
    out.extend(c.date_labels([p.on for p in points], xs))
    if any(p.draft for p in points):
        out.append(c.draft_legend())
    return c.close(out)


# --- Drawing helpers --------------------------------------------------------------------------


def _f(value: float) -> str:
    """Coordinates to 0.1 px, without a trailing '.0', never '-0'."""
    text = f"{value:.1f}"
    if text.endswith(".0"):
        text = text[:-2]
    return "0" if text == "-0" else text


def _check_size(width: object, height: object) -> None:
    for name, value, low in (("width", width, MIN_WIDTH), ("height", height, MIN_HEIGHT)):
        if isinstance(value, bool) or not isinstance(value, int) or value < low:
            raise ValueError(
                f"Chart {name} must be a whole number of at least {low}; got {value!r}."
            )


def _chart_id(prefix: str, suffix: str | int | None, key: object) -> str:
    if suffix is None:
        suffix = hashlib.sha1(repr(key).encode(), usedforsecurity=False).hexdigest()[:8]
    suffix = str(suffix)
    if not _SUFFIX.fullmatch(suffix):
        raise ValueError(f"id_suffix must be 1-40 letters, digits, '-' or '_'; got {suffix!r}.")
    return f"chart-{re.sub(r'[^A-Za-z0-9_-]', '-', prefix)}-{suffix}"


def _wrap(text: str, width: int) -> list[str]:
    """The chart's title in lines that fit its width (a narrow chart gets two or three)."""
    room = width - 16
    lines = [""]
    for word in text.split():
        candidate = f"{lines[-1]} {word}".strip()
        if lines[-1] and text_width(candidate, TITLE_SIZE) > room:
            lines.append(word)
        else:
            lines[-1] = candidate
    return lines


def _spaced(xs: Sequence[float], gap: float) -> list[int]:
    """Indexes of labels to draw so that none is closer than `gap` to the next; the first
    and the last are always drawn."""
    if not xs:
        return []
    chosen = [0]
    for i in range(1, len(xs)):
        if xs[i] - xs[chosen[-1]] >= gap:
            chosen.append(i)
    last = len(xs) - 1
    if chosen[-1] != last:
        if len(chosen) > 1 and xs[last] - xs[chosen[-1]] < gap:
            chosen.pop()
        chosen.append(last)
    return chosen


# --- Label placement ------------------------------------------------------------------------


class Box(NamedTuple):
    """An axis-aligned box in chart pixels: x0 < x1, y0 < y1 (y grows downwards)."""

    x0: float
    y0: float
    x1: float
    y1: float

    def overlaps(self, other: "Box", pad: float = 0) -> bool:
        return (
            self.x0 - pad < other.x1
            and other.x0 < self.x1 + pad
            and self.y0 - pad < other.y1
            and other.y0 < self.y1 + pad
        )

    def inside(self, area: "Box") -> bool:
        return (
            area.x0 <= self.x0 and self.x1 <= area.x1 and area.y0 <= self.y0 and self.y1 <= area.y1
        )


class Label(NamedTuple):
    """A label to place: its text box size and the spots it may go, best first, each the
    box's top-left corner."""

    width: float
    height: float
    spots: tuple[tuple[float, float], ...]


def text_width(text: str, size: float = TEXT_SIZE) -> float:
    """An upper estimate of the width of `text` at `size` px."""
    return len(text) * size * _CHAR_WIDTH


def text_box(x: float, baseline: float, text: str, size: float, anchor: str) -> Box:
    """The box `text` covers when drawn at (x, baseline) with this text-anchor."""
    width = text_width(text, size)
    x0 = {"start": x, "middle": x - width / 2, "end": x - width}[anchor]
    return Box(x0, baseline - size * 0.8, x0 + width, baseline + size * 0.25)


def dot_box(x: float, y: float, r: float) -> Box:
    return Box(x - r - 1, y - r - 1, x + r + 1, y + r + 1)


Segment = tuple[tuple[float, float], tuple[float, float]]


def crosses(box: Box, segment: Segment) -> bool:
    """Whether the straight segment passes through the box."""
    (x0, y0), (x1, y1) = sorted(segment)
    left, right = max(x0, box.x0), min(x1, box.x1)
    if left > right:
        return False
    if x1 == x0:
        low, high = min(y0, y1), max(y0, y1)
    else:
        ya = y0 + (y1 - y0) * (left - x0) / (x1 - x0)
        yb = y0 + (y1 - y0) * (right - x0) / (x1 - x0)
        low, high = min(ya, yb), max(ya, yb)
    return low <= box.y1 and box.y0 <= high


def place_labels(
    labels: Sequence[Label],
    *,
    obstacles: Sequence[Box],
    area: Box,
    lines: Sequence[Segment] = (),
    pad: float = _LABEL_PAD,
) -> list[Box | None]:
    """Put each label, in the order given, on its first spot that lies inside `area` and
    clear (by `pad`) of every obstacle, every line segment and every label placed before
    it; None for a label with no such spot (it is left out rather than drawn over
    something). Pure and greedy: callers list the labels that matter most first."""
    # Boxes filed by the vertical strips of the chart they touch, so a spot is checked
    # against its neighbours only: sixty visits stay well under a millisecond.
    strips: dict[int, list[Box]] = {}

    def strip_range(box: Box) -> range:
        return range(int((box.x0 - pad) // _STRIP), int((box.x1 + pad) // _STRIP) + 1)

    def take(box: Box) -> None:
        for k in strip_range(box):
            strips.setdefault(k, []).append(box)

    segments: dict[int, list[Segment]] = {}
    for segment in lines:
        (xa, _ya), (xb, _yb) = segment
        for k in range(int(min(xa, xb) // _STRIP), int(max(xa, xb) // _STRIP) + 1):
            segments.setdefault(k, []).append(segment)

    def clear(box: Box) -> bool:
        near = strip_range(box)
        if any(box.overlaps(t, pad) for k in near for t in strips.get(k, ())):
            return False
        padded = Box(box.x0 - pad, box.y0 - pad, box.x1 + pad, box.y1 + pad)
        return not any(crosses(padded, seg) for k in near for seg in segments.get(k, ()))

    for box in obstacles:
        take(box)
    placed: list[Box | None] = []
    for label in labels:
        chosen = None
        for x, y in label.spots:
            box = Box(x, y, x + label.width, y + label.height)
            if box.inside(area) and clear(box):
                chosen = box
                break
        placed.append(chosen)
        if chosen is not None:
            take(chosen)
    return placed


def spread_points(xs: Sequence[float], *, gap: float, low: float, high: float) -> list[float]:
    """The x positions (in order) moved apart just enough that neighbours are at least
    `gap` apart: points closer than that (visits on one day) form a group centred on where
    its points belong, groups that then touch merge, and each stays within [low, high].
    Closer than `gap`, evenly, only when the plot is too narrow for it."""
    n = len(xs)
    if n < 2:
        return list(xs)
    gap = min(gap, (high - low) / (n - 1))

    def start(total: float, count: int) -> float:
        span = (count - 1) * gap
        return max(low, min(high - span, total / count - span / 2))

    # One pass, left to right: each point starts a group of its own, and while a group
    # touches the one before it the two merge (a stack of (sum of positions, count)).
    groups: list[tuple[float, int]] = []
    for x in xs:
        groups.append((x, 1))
        while len(groups) > 1:
            (ta, na), (tb, nb) = groups[-2], groups[-1]
            if start(ta, na) + na * gap <= start(tb, nb) + 1e-9:
                break
            groups[-2:] = [(ta + tb, na + nb)]
    out = []
    for total, count in groups:
        first = start(total, count)
        out.extend(round(first + k * gap, 3) for k in range(count))
    return out


def _value_spots(x: float, y: float, r: float, width: float, height: float) -> tuple:
    """Above the dot, below it, to its right and left, then the corners and further off."""
    gap = r + 3
    return (
        (x - width / 2, y - gap - height),
        (x - width / 2, y + gap),
        (x + gap, y - height / 2),
        (x - gap - width, y - height / 2),
        (x + gap * 0.7, y - gap - height),
        (x - gap * 0.7 - width, y - gap - height),
        (x + gap * 0.7, y + gap),
        (x - gap * 0.7 - width, y + gap),
        # Further off, clear of a line or label right beside the dot.
        (x - width / 2, y - 2 * gap - height),
        (x - width / 2, y + 2 * gap),
    )


def _edge_spots(
    left: float,
    right: float,
    y: float,
    width: float,
    height: float,
    *,
    above: bool,
    from_left: bool = False,
) -> tuple[tuple[float, float], ...]:
    """Spots along a horizontal line at y, just above (or below) it: the right end, the left
    end (or the left first), then places in between."""
    top = y - height - 2 if above else y + 2
    ends = [left, right - width] if from_left else [right - width, left]
    middle = [left + f * (right - left - width) for f in (0.5, 0.25, 0.75)]
    return tuple((x, top) for x in (*ends, *middle))


class _Canvas:
    """The plot area and the element writers shared by both charts."""

    def __init__(self, width: int, height: int, *, left: int, title_lines: int = 1) -> None:
        self.width, self.height = width, height
        self.left, self.right = left, width - _RIGHT
        self.top, self.bottom = _TOP + (title_lines - 1) * _TITLE_LINE, height - _BOTTOM

    def heading(self, lines: Sequence[str]) -> list[str]:
        return [
            self.text(8, 17 + i * _TITLE_LINE, line, size=TITLE_SIZE, fill=TEXT, weight="bold")
            for i, line in enumerate(lines)
        ]

    def open(self, cid: str, title: str, desc: str) -> list[str]:
        w, h = self.width, self.height
        return [
            f'<svg xmlns="http://www.w3.org/2000/svg" id="{cid}" width="{w}" height="{h}" '
            f'viewBox="0 0 {w} {h}" preserveAspectRatio="xMidYMid meet" role="img" '
            f'aria-labelledby="{cid}-title {cid}-desc">',
            f'<title id="{cid}-title">{escape(title)}</title>',
            f'<desc id="{cid}-desc">{escape(desc)}</desc>',
            f'<rect x="0" y="0" width="{w}" height="{h}" fill="{WHITE}"/>',
        ]

    @staticmethod
    def close(parts: list[str]) -> str:
        parts.append("</svg>")
        return "".join(parts)

    @staticmethod
    def text(
        x: float,
        y: float,
        content: str,
        *,
        anchor: str = "start",
        size: int = TEXT_SIZE,
        fill: str = TEXT,
        weight: str = "",
    ) -> str:
        bold = f' font-weight="{weight}"' if weight else ""
        return (
            f'<text x="{_f(x)}" y="{_f(y)}" font-family="{FONT}" font-size="{size}"{bold} '
            f'fill="{fill}" text-anchor="{anchor}">{escape(content)}</text>'
        )

    @staticmethod
    def line(
        x1: float,
        y1: float,
        x2: float,
        y2: float,
        *,
        stroke: str,
        width: float = 1,
        dash: str = "",
    ) -> str:
        dashed = f' stroke-dasharray="{dash}"' if dash else ""
        return (
            f'<line x1="{_f(x1)}" y1="{_f(y1)}" x2="{_f(x2)}" y2="{_f(y2)}" '
            f'stroke="{stroke}" stroke-width="{_f(width)}"{dashed}/>'
        )

    def frame(self) -> str:
        return (
            f'<rect x="{_f(self.left)}" y="{_f(self.top)}" width="{_f(self.right - self.left)}" '
            f'height="{_f(self.bottom - self.top)}" fill="none" stroke="{MUTED}" '
            f'stroke-width="1"/>'
        )

    def empty(self, message: str) -> str:
        x = (self.left + self.right) / 2
        y = (self.top + self.bottom) / 2 + 4
        return self.text(x, y, message, anchor="middle", size=TITLE_SIZE, fill=MUTED)

    @property
    def plot(self) -> Box:
        return Box(self.left, self.top, self.right, self.bottom)

    def label_text(self, box: Box, content: str, *, fill: str, size: int = TEXT_SIZE) -> str:
        """`content` drawn inside a box from `place_labels` (start-anchored)."""
        return self.text(box.x0, box.y0 + size * 0.8, content, fill=fill, size=size)

    def dot_radius(self, n: int) -> float:
        """Full size, shrinking (to 2.5) only when many visits crowd the plot."""
        if n < 2:
            return _DOT_R
        spacing = (self.right - self.left - 2 * _INNER_PAD) / (n - 1)
        return round(max(2.5, min(_DOT_R, spacing / 2.5)), 1)

    @staticmethod
    def dot(x: float, y: float, tip: str, *, draft: bool, r: float = _DOT_R) -> str:
        if draft:
            tip += " (unsigned draft)"
        fill = WHITE if draft else INK
        width = "2" if r >= 3.5 else "1.5"
        return (
            f'<circle cx="{_f(x)}" cy="{_f(y)}" r="{_f(r)}" fill="{fill}" stroke="{INK}" '
            f'stroke-width="{width}"><title>{escape(tip)}</title></circle>'
        )

    def x_positions(self, dates: Sequence[datetime.date], r: float = _DOT_R) -> list[float]:
        """Proportional to the date; spread evenly when every point is on one day, and
        points on the same (or nearly the same) day moved apart so no two dots touch."""
        a, b = self.left + _INNER_PAD, self.right - _INNER_PAD
        n = len(dates)
        if n == 1:
            return [(a + b) / 2]
        first, last = dates[0].toordinal(), dates[-1].toordinal()
        span = last - first
        if span == 0:
            return [a + i * (b - a) / (n - 1) for i in range(n)]
        xs = [a + (d.toordinal() - first) / span * (b - a) for d in dates]
        return spread_points(xs, gap=2 * r + _POINT_GAP, low=a, high=b)

    def date_labels(self, dates: Sequence[datetime.date], xs: Sequence[float]) -> list[str]:
        """One label per day, under the middle of that day's dots, the first and last
        always, others only where they fit without touching a neighbour."""
        with_year = dates[0].year != dates[-1].year
        days: dict[datetime.date, list[float]] = {}
        for on, x in zip(dates, xs, strict=True):
            days.setdefault(on, []).append(x)
        centres = [(sum(v) / len(v), on) for on, v in days.items()]
        texts = [format_date(on, year=with_year) for _x, on in centres]
        width = max(text_width(t) for t in texts)
        out = []
        for i in _spaced([x for x, _on in centres], width + 6):
            x = max(width / 2 + 1, min(self.width - width / 2 - 1, centres[i][0]))
            out.append(self.text(x, self.bottom + 16, texts[i], anchor="middle", fill=MUTED))
        return out

    def key_row(self) -> Box:
        """The strip between the title and the plot that also holds the draft legend."""
        return Box(0, self.top - 10 - TEXT_SIZE * 0.8 - 1, self.width, self.top - 2)

    def key_sample(self, box: Box, *, band: bool) -> str:
        """A swatch of the band, or a piece of the dashed improvement line, at the start of
        a label moved into the key row."""
        mid = (box.y0 + box.y1) / 2
        if band:
            return (
                f'<rect x="{_f(box.x0)}" y="{_f(mid - 5)}" width="12" height="10" '
                f'fill="{BAND}" stroke="{MUTED}" stroke-width="0.5"/>'
            )
        return self.line(box.x0, mid, box.x0 + 12, mid, stroke=BETTER, width=1.5, dash="4 2")

    def draft_legend(self) -> str:
        return self.text(self.right, self.top - 10, DRAFT_LEGEND, anchor="end", fill=MUTED)

    def draft_legend_box(self) -> Box:
        return text_box(self.right, self.top - 10, DRAFT_LEGEND, TEXT_SIZE, "end")
