"""The SVG writer both charts share: `_Canvas` (plot area, title, axes, dots, date labels,
the key row and the draft legend, every text escaped), with ids, coordinate formatting,
size checks and title wrapping.
"""

import datetime
import hashlib
import re
from collections.abc import Sequence
from html import escape

from evaluations.charts.labels import Box, spread_points, text_box, text_width
from evaluations.charts.style import (
    _BOTTOM,
    _DOT_R,
    _INNER_PAD,
    _POINT_GAP,
    _RIGHT,
    _TITLE_LINE,
    _TOP,
    BAND,
    BETTER,
    FONT,
    INK,
    MIN_HEIGHT,
    MIN_WIDTH,
    MUTED,
    TEXT,
    TEXT_SIZE,
    TITLE_SIZE,
    WHITE,
)
from evaluations.progress import format_date

_SUFFIX = re.compile(r"[A-Za-z0-9_-]{1,40}")
DRAFT_LEGEND = "hollow dot: unsigned draft"
REPORTED_LEGEND = "square: patient-reported"

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
    def dot(
        x: float, y: float, tip: str, *, draft: bool, r: float = _DOT_R, reported: bool = False
    ) -> str:
        if draft:
            tip += " (unsigned draft)"
        fill = WHITE if draft else INK
        width = "2" if r >= 3.5 else "1.5"
        if reported:
            # The patient's own answer (a follow-up packet): a square, told apart from the
            # clinicians' dots by its shape as well as by its tooltip.
            half = r * 0.9
            return (
                f'<rect x="{_f(x - half)}" y="{_f(y - half)}" width="{_f(2 * half)}" '
                f'height="{_f(2 * half)}" fill="{fill}" stroke="{INK}" stroke-width="{width}">'
                f"<title>{escape(tip + ' (patient-reported)')}</title></rect>"
            )
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

    def _reported_x(self, beside_draft: bool) -> float | None:
        """Where the patient-reported legend ends: at the right, or left of the draft
        legend; None when the chart is too narrow for both (the tooltips still say it)."""
        if not beside_draft:
            return self.right
        x = self.right - text_width(DRAFT_LEGEND) - 12
        return x if x - text_width(REPORTED_LEGEND) >= 4 else None

    def reported_legend(self, *, beside_draft: bool) -> str:
        x = self._reported_x(beside_draft)
        if x is None:
            return ""
        return self.text(x, self.top - 10, REPORTED_LEGEND, anchor="end", fill=MUTED)

    def reported_legend_box(self, *, beside_draft: bool) -> Box | None:
        x = self._reported_x(beside_draft)
        return None if x is None else text_box(x, self.top - 10, REPORTED_LEGEND, TEXT_SIZE, "end")
