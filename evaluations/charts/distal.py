"""The most distal symptom over visits as an SVG step line (clinical.md §4.4's distal-site
scale): the spine ("none") at the bottom, the foot at the top, so a line going down is
centralising.
"""

from evaluations.charts.labels import text_width
from evaluations.charts.style import GRID, INK, MUTED, TEXT_SIZE
from evaluations.charts.svg import _Canvas, _chart_id, _check_size, _f, _wrap
from evaluations.mdt import DistalSite
from evaluations.progress import DistalProgress, format_date

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

DISTAL_TITLE = "Most distal symptom: lower is nearer the spine (centralising)"


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
