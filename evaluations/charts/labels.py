"""Label placement for the charts, pure geometry in chart pixels: estimated text boxes,
dot boxes, whether a segment crosses a box, `place_labels` (each label on its first clear
spot, or left out), `spread_points` (dots on the same day moved apart) and the candidate
spots beside a dot or along a line.
"""

from collections.abc import Sequence
from typing import NamedTuple

from evaluations.charts.style import _CHAR_WIDTH, _LABEL_PAD, _STRIP, TEXT_SIZE

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
    out: list[float] = []
    for total, count in groups:
        first = start(total, count)
        out.extend(round(first + k * gap, 3) for k in range(count))
    return out


def _value_spots(
    x: float, y: float, r: float, width: float, height: float
) -> tuple[tuple[float, float], ...]:
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
