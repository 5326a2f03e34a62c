"""One outcome measure over visits as an SVG chart: y over the instrument's full scale, x by
date, the baseline's minimal-important-change band and the important-improvement line, each
value labelled where it does not cover a dot, a line or another label.
"""

import itertools

from evaluations.charts.labels import (
    Box,
    Label,
    _edge_spots,
    _value_spots,
    dot_box,
    place_labels,
    text_width,
)
from evaluations.charts.style import (
    _KEY,
    _MEASURE_LEFT,
    BAND,
    BETTER,
    GRID,
    INK,
    MUTED,
    TEXT,
    TEXT_SIZE,
)
from evaluations.charts.svg import _Canvas, _chart_id, _check_size, _f, _wrap
from evaluations.progress import (
    HIGHER,
    MeasureProgress,
    format_date,
    format_number,
    format_value,
    measure_spec,
)

BAND_LABEL = "within minimal important change (±{mcid})"
IMPROVEMENT_LABEL = "important improvement"

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
    # measure_progress sets the baseline whenever there are points.
    assert progress.baseline is not None
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
    for p, x, y, value_text in zip(points, xs, ys, value_texts, strict=True):
        tip = f"{p.label}, {format_date(p.on)}: {value_text}"
        out.append(c.dot(x, y, tip, draft=p.draft, r=r, reported=p.source == "packet"))
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
    drafts, reported = any(p.draft for p in points), any(p.source == "packet" for p in points)
    if drafts:
        obstacles.append(c.draft_legend_box())
    if reported and (legend := c.reported_legend_box(beside_draft=drafts)) is not None:
        obstacles.append(legend)
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
    if drafts:
        out.append(c.draft_legend())
    if reported:
        out.append(c.reported_legend(beside_draft=drafts))
    return c.close(out)
