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
import re
from collections.abc import Sequence
from html import escape

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
_TOP, _BOTTOM, _RIGHT = 34, 30, 16
_MEASURE_LEFT, _DISTAL_LEFT = 44, 104
_INNER_PAD = 18  # keeps end dots off the axes
_DOT_R = 4.5
_VALUE_LABEL_GAP = 22  # px between value labels before some are left out
_DATE_LABEL_GAP = 42  # px between date labels ("30 Nov")
_DATE_LABEL_GAP_WITH_YEAR = 66  # ("30 Nov 2026")

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
    c = _Canvas(width, height, left=_MEASURE_LEFT)
    smin, smax = float(progress.scale_min), float(progress.scale_max)

    def y_of(value: float) -> float:
        return c.bottom - (value - smin) / (smax - smin) * (c.bottom - c.top)

    n = len(points)
    title = f"{progress.title} over visits: {n} measurement{'' if n == 1 else 's'}"
    scale = f"{format_number(smin)} to {format_number(smax)}"
    unit = "%" if progress.unit == "%" else ""
    axis_title = f"{progress.title}, {scale}{unit}: {progress.better} is better"
    out = c.open(cid, title, progress.statement)
    out.append(c.text(8, 16, axis_title, size=11, fill=TEXT, weight="bold"))

    # Y grid and ticks over the full scale.
    step = spec.tick_step
    ticks = round((smax - smin) / step)
    for i in range(ticks + 1):
        value = smin + i * step
        y = y_of(value)
        out.append(c.line(c.left, y, c.right, y, stroke=GRID))
        out.append(c.text(c.left - 6, y + 3.5, format_number(value), anchor="end", fill=MUTED))

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
    mcid_text = format_number(mcid)
    better_higher = progress.better == HIGHER
    # Band label on the worse side of the band, so it never meets the improvement label.
    worse_edge = band_bottom if better_higher else band_top
    label_y = worse_edge - 4 if better_higher else worse_edge + 12
    if better_higher and band_bottom - band_top < 16:
        label_y = band_bottom + 12
    out.append(
        c.text(
            c.right - 4,
            _clamp(label_y, c.top + 10, c.bottom - 3),
            f"within minimal important change (±{mcid_text})",
            anchor="end",
            fill=TEXT,
        )
    )
    target = base + mcid if better_higher else base - mcid
    if smin <= target <= smax:
        ty = y_of(target)
        out.append(c.line(c.left, ty, c.right, ty, stroke=BETTER, width=1.5, dash="6 4"))
        ly = ty - 4 if better_higher else ty + 12
        out.append(
            c.text(
                c.left + 6,
                _clamp(ly, c.top + 10, c.bottom - 3),
                "important improvement",
                fill=BETTER,
            )
        )

    out.append(c.frame())
    xs = c.x_positions([p.on for p in points])
    ys = [y_of(p.value) for p in points]
    if n > 1:
        coords = " ".join(f"{_f(x)},{_f(y)}" for x, y in zip(xs, ys, strict=True))
        out.append(
            f'<polyline points="{coords}" fill="none" stroke="{INK}" stroke-width="2" '
            f'stroke-linejoin="round"/>'
        )
    r = c.dot_radius(n)
    out.append(f'<g id="{cid}-points">')
    for p, x, y in zip(points, xs, ys, strict=True):
        tip = f"{p.label}, {format_date(p.on)}: {format_value(p.value, progress.unit)}"
        out.append(c.dot(x, y, tip, draft=p.draft, r=r))
    out.append("</g>")
    for i in _spaced(xs, _VALUE_LABEL_GAP):
        y = ys[i] - 9 if ys[i] - 9 > c.top + 8 else ys[i] + 17
        out.append(c.text(xs[i], y, format_value(points[i].value, progress.unit), fill=INK))
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
    c = _Canvas(width, height, left=_DISTAL_LEFT)
    sites = tuple(DistalSite)
    top_rank = len(sites) - 1

    def y_of(site: DistalSite) -> float:
        return c.bottom - site.rank / top_rank * (c.bottom - c.top)

    n = len(points)
    title = f"Most distal symptom over visits: {n} record{'' if n == 1 else 's'}"
    out = c.open(cid, title, progress.statement)
    out.append(
        c.text(
            8,
            16,
            "Most distal symptom: lower on the chart is nearer the spine (centralising)",
            size=11,
            fill=TEXT,
            weight="bold",
        )
    )
    for site in sites:
        y = y_of(site)
        out.append(c.line(c.left, y, c.right, y, stroke=GRID))
        out.append(c.text(c.left - 6, y + 3.5, SITE_AXIS_LABELS[site], anchor="end", fill=MUTED))
    out.append(c.frame())
    if not points:
        out.append(c.empty("No records yet"))
        return c.close(out)

    xs = c.x_positions([p.on for p in points])
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
    r = c.dot_radius(n)
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


def _clamp(value: float, low: float, high: float) -> float:
    return max(low, min(high, value))


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


class _Canvas:
    """The plot area and the element writers shared by both charts."""

    def __init__(self, width: int, height: int, *, left: int) -> None:
        self.width, self.height = width, height
        self.left, self.right = left, width - _RIGHT
        self.top, self.bottom = _TOP, height - _BOTTOM

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
        size: int = 10,
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
        return self.text(x, y, message, anchor="middle", size=12, fill=MUTED)

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

    def x_positions(self, dates: Sequence[datetime.date]) -> list[float]:
        """Proportional to the date; spread evenly when every point is on one day."""
        a, b = self.left + _INNER_PAD, self.right - _INNER_PAD
        n = len(dates)
        if n == 1:
            return [(a + b) / 2]
        first, last = dates[0].toordinal(), dates[-1].toordinal()
        span = last - first
        if span == 0:
            return [a + i * (b - a) / (n - 1) for i in range(n)]
        return [a + (d.toordinal() - first) / span * (b - a) for d in dates]

    def date_labels(self, dates: Sequence[datetime.date], xs: Sequence[float]) -> list[str]:
        with_year = dates[0].year != dates[-1].year
        gap = _DATE_LABEL_GAP_WITH_YEAR if with_year else _DATE_LABEL_GAP
        out = []
        for i in _spaced(xs, gap):
            label = format_date(dates[i], year=with_year)
            out.append(self.text(xs[i], self.bottom + 16, label, anchor="middle", fill=MUTED))
        return out

    def draft_legend(self) -> str:
        return self.text(
            self.right, 29, "hollow dot: unsigned draft", anchor="end", size=10, fill=MUTED
        )
