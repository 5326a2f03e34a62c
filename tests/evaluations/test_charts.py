"""SVG progress charts: well-formed, accessible, CSS-free, escaped, and printable through
WeasyPrint. Pure functions: none of these tests touch the database.
"""

import dataclasses
import datetime
import itertools
import xml.etree.ElementTree as ET

import pytest

from evaluations import charts
from evaluations.charts import distal_chart_svg, measure_chart_svg
from evaluations.mdt import DistalSite
from evaluations.progress import DistalPoint, Point, distal_progress, measure_progress

NS = "{http://www.w3.org/2000/svg}"
S = DistalSite
DAY = datetime.date(2026, 11, 3)
ALLOWED_ELEMENTS = {
    "svg",
    "g",
    "rect",
    "line",
    "polyline",
    "circle",
    "text",
    "title",
    "desc",
    "path",
}


def _point(days, value, label="Re-evaluation", draft=False, source="evaluation") -> Point:
    return Point(DAY + datetime.timedelta(days=days), value, label, source, draft)


def _leg(*, draft_last=False, label="Discharge"):
    return measure_progress(
        "leg_pain",
        [
            _point(0, 7, "Intake", source="intake"),
            _point(7, 6, "Initial evaluation"),
            _point(35, 3, label, draft=draft_last),
        ],
    )


def _distal(draft_last=False):
    return distal_progress(
        [
            DistalPoint(DAY, S.BELOW_KNEE, "Intake"),
            DistalPoint(DAY + datetime.timedelta(days=14), S.THIGH, "Initial evaluation"),
            DistalPoint(DAY + datetime.timedelta(days=28), S.BUTTOCK, "Discharge", draft_last),
        ]
    )


def _parse(svg: str) -> ET.Element:
    root = ET.fromstring(svg)  # noqa: S314 - our own output, not untrusted input
    assert root.tag == f"{NS}svg"
    return root


def _tag(el: ET.Element) -> str:
    return el.tag.removeprefix(NS)


def _point_circles(root: ET.Element) -> list[ET.Element]:
    return list(root.iter(f"{NS}circle"))


def _texts(root: ET.Element) -> list[str]:
    return [t.text or "" for t in root.iter(f"{NS}text")]


# --- Structure and accessibility --------------------------------------------------------------


@pytest.mark.parametrize(
    "svg",
    [
        pytest.param(measure_chart_svg(_leg()), id="measure"),
        pytest.param(distal_chart_svg(_distal()), id="distal"),
        pytest.param(measure_chart_svg(measure_progress("odi", [])), id="empty"),
    ],
)
def test_a_chart_is_well_formed_accessible_and_scalable(svg):
    root = _parse(svg)
    assert root.get("role") == "img"
    title_id, desc_id = root.get("aria-labelledby").split()
    title = root.find(f"{NS}title")
    desc = root.find(f"{NS}desc")
    assert title.get("id") == title_id and title.text
    assert desc.get("id") == desc_id and desc.text
    assert root.get("viewBox") == "0 0 560 240"
    assert (root.get("width"), root.get("height")) == ("560", "240")
    assert root.get("preserveAspectRatio") == "xMidYMid meet"


@pytest.mark.parametrize(
    "svg",
    [
        pytest.param(measure_chart_svg(_leg(draft_last=True)), id="measure"),
        pytest.param(distal_chart_svg(_distal(draft_last=True)), id="distal"),
    ],
)
def test_a_chart_uses_only_basic_elements_and_presentation_attributes(svg):
    root = _parse(svg)
    for el in root.iter():
        assert _tag(el) in ALLOWED_ELEMENTS
        assert "style" not in el.attrib
        assert "class" not in el.attrib
        assert not any(name.startswith("on") for name in el.attrib)
        assert not any("href" in name for name in el.attrib)
    assert "var(" not in svg
    assert "url(" not in svg


def test_the_description_is_the_progress_statement():
    progress = _leg()
    root = _parse(measure_chart_svg(progress))
    assert root.find(f"{NS}desc").text == progress.statement


def test_the_axis_title_says_which_direction_is_better():
    assert "lower is better" in " ".join(_texts(_parse(measure_chart_svg(_leg()))))
    psfs = measure_progress("psfs", [_point(0, 3.0, source="intake"), _point(20, 6.5)])
    assert "higher is better" in " ".join(_texts(_parse(measure_chart_svg(psfs))))


# --- Points -----------------------------------------------------------------------------------


def test_it_draws_one_filled_circle_per_signed_point_and_a_hollow_one_for_a_draft():
    root = _parse(measure_chart_svg(_leg(draft_last=True)))
    circles = _point_circles(root)
    assert len(circles) == 3
    fills = [c.get("fill") for c in circles]
    assert fills[:2] == [charts.INK, charts.INK]
    assert fills[2] in ("#ffffff", "white", "none")
    assert circles[2].get("stroke") == charts.INK
    assert "unsigned draft" in circles[2].find(f"{NS}title").text
    assert "hollow dot: unsigned draft" in _texts(root)


def test_it_labels_each_point_with_its_value_and_short_date():
    texts = _texts(_parse(measure_chart_svg(_leg())))
    for label in ("7", "6", "3", "3 Nov", "10 Nov", "8 Dec"):
        assert label in texts


def test_it_spaces_points_by_date():
    circles = _point_circles(_parse(measure_chart_svg(_leg())))
    xs = [float(c.get("cx")) for c in circles]
    # 0, 7 and 35 days: the second gap is four times the first.
    assert (xs[2] - xs[1]) == pytest.approx(4 * (xs[1] - xs[0]), abs=0.2)


def test_it_spreads_points_evenly_when_all_are_on_one_day():
    progress = measure_progress("leg_pain", [_point(0, v) for v in (7, 6, 5)])
    xs = [float(c.get("cx")) for c in _point_circles(_parse(measure_chart_svg(progress)))]
    assert xs[1] - xs[0] == pytest.approx(xs[2] - xs[1], abs=0.2)
    assert xs[0] < xs[1] < xs[2]


def test_it_draws_a_line_through_the_points():
    root = _parse(measure_chart_svg(_leg()))
    (line,) = root.iter(f"{NS}polyline")
    assert len(line.get("points").split()) == 3
    assert line.get("stroke") == charts.INK


# --- The minimal-important-change band --------------------------------------------------------


def test_it_draws_the_band_around_the_baseline_for_one_point():
    progress = measure_progress("leg_pain", [_point(0, 7, source="intake")])
    root = _parse(measure_chart_svg(progress))
    band = [r for r in root.iter(f"{NS}rect") if (r.get("id") or "").endswith("-band")]
    assert len(band) == 1
    assert band[0].get("fill") == charts.BAND
    texts = _texts(root)
    assert "within minimal important change (±2)" in texts
    assert "important improvement" in texts
    assert len(_point_circles(root)) == 1


def test_the_band_spans_plus_and_minus_the_mcid_on_the_chart_scale():
    root = _parse(measure_chart_svg(_leg()))
    band = next(r for r in root.iter(f"{NS}rect") if (r.get("id") or "").endswith("-band"))
    baseline_y = float(_point_circles(root)[0].get("cy"))
    top, height = float(band.get("y")), float(band.get("height"))
    assert top + height / 2 == pytest.approx(baseline_y, abs=0.2)  # 5 to 9 around 7


def test_the_improvement_line_is_below_the_baseline_when_lower_is_better():
    root = _parse(measure_chart_svg(_leg()))
    (dashed,) = [ln for ln in root.iter(f"{NS}line") if ln.get("stroke-dasharray")]
    baseline_y = float(_point_circles(root)[0].get("cy"))
    assert float(dashed.get("y1")) > baseline_y  # SVG y grows downwards
    assert dashed.get("stroke") == charts.BETTER


def test_the_improvement_line_is_above_the_baseline_when_higher_is_better():
    psfs = measure_progress("psfs", [_point(0, 3.0, source="intake"), _point(20, 6.5)])
    root = _parse(measure_chart_svg(psfs))
    (dashed,) = [ln for ln in root.iter(f"{NS}line") if ln.get("stroke-dasharray")]
    assert float(dashed.get("y1")) < float(_point_circles(root)[0].get("cy"))


def test_it_leaves_out_the_improvement_line_when_it_falls_off_the_scale():
    progress = measure_progress("back_pain", [_point(0, 1, source="intake")])
    root = _parse(measure_chart_svg(progress))
    assert not [ln for ln in root.iter(f"{NS}line") if ln.get("stroke-dasharray")]
    assert "important improvement" not in _texts(root)


def test_it_labels_the_odi_band_in_its_own_units():
    progress = measure_progress("odi", [_point(0, 42, source="intake"), _point(30, 30)])
    texts = _texts(_parse(measure_chart_svg(progress)))
    assert "within minimal important change (±10)" in texts
    assert {"0", "20", "100", "42%", "30%"} <= set(texts)


# --- Empty charts -----------------------------------------------------------------------------


def test_it_draws_an_empty_frame_with_no_measurements():
    root = _parse(measure_chart_svg(measure_progress("odi", [])))
    assert "No measurements yet" in _texts(root)
    assert _point_circles(root) == []
    assert not [r for r in root.iter(f"{NS}rect") if (r.get("id") or "").endswith("-band")]


def test_it_draws_an_empty_distal_frame_with_no_records():
    root = _parse(distal_chart_svg(distal_progress([])))
    assert "No records yet" in _texts(root)
    assert _point_circles(root) == []


# --- Escaping and ids -------------------------------------------------------------------------


def test_it_escapes_user_text_in_labels():
    progress = _leg(label='<script>alert("x")</script>')
    svg = measure_chart_svg(progress)
    assert "<script" not in svg
    assert "&lt;script&gt;" in svg
    root = _parse(svg)
    assert not [el for el in root.iter() if _tag(el) == "script"]
    tips = [c.find(f"{NS}title").text for c in _point_circles(root)]
    assert '<script>alert("x")</script>, 8 Dec 2026: 3' in tips


def test_it_escapes_user_text_in_distal_labels():
    progress = distal_progress([DistalPoint(DAY, S.FOOT, "<b>Intake & more</b>")])
    svg = distal_chart_svg(progress)
    assert "<b>" not in svg
    assert "&lt;b&gt;Intake &amp; more&lt;/b&gt;" in svg
    _parse(svg)


def test_ids_are_unique_per_chart_and_stable_per_input():
    leg, odi = _leg(), measure_progress("odi", [_point(0, 42, source="intake")])
    first, again = measure_chart_svg(leg), measure_chart_svg(leg)
    assert first == again
    ids = {
        _parse(svg).get("id")
        for svg in (first, measure_chart_svg(odi), distal_chart_svg(_distal()))
    }
    assert len(ids) == 3
    assert _parse(first).get("id").startswith("chart-leg_pain-")
    assert _parse(measure_chart_svg(leg, id_suffix=2)).get("id") == "chart-leg_pain-2"


def test_it_refuses_an_id_suffix_that_could_break_the_markup():
    with pytest.raises(ValueError, match="id_suffix"):
        measure_chart_svg(_leg(), id_suffix='x" onload="alert(1)')


def test_it_refuses_a_tiny_size():
    with pytest.raises(ValueError, match="width"):
        measure_chart_svg(_leg(), width=10)


def test_it_honours_the_requested_size():
    root = _parse(distal_chart_svg(_distal(), width=800, height=300))
    assert root.get("viewBox") == "0 0 800 300"


# --- Distal chart -----------------------------------------------------------------------------


def test_the_distal_chart_puts_the_spine_at_the_bottom_and_the_foot_at_the_top():
    root = _parse(distal_chart_svg(_distal()))
    labels = {t.text: float(t.get("y")) for t in root.iter(f"{NS}text")}
    assert labels["none"] > labels["buttock"] > labels["below knee"] > labels["foot"]
    ys = [float(c.get("cy")) for c in _point_circles(root)]
    assert ys[0] < ys[1] < ys[2]  # below knee -> thigh -> buttock: moving down the chart


def test_the_distal_chart_draws_a_step_line_and_hollow_drafts():
    root = _parse(distal_chart_svg(_distal(draft_last=True)))
    (line,) = root.iter(f"{NS}polyline")
    assert len(line.get("points").split()) == 5  # start, then across and down per visit
    circles = _point_circles(root)
    assert len(circles) == 3
    assert circles[-1].get("fill") == "#ffffff"
    assert [c.get("fill") for c in circles[:2]] == [charts.INK, charts.INK]


# --- Speed and print --------------------------------------------------------------------------


def test_a_chart_of_sixty_points_draws_every_point():
    # How fast it builds is measured by bench/charts.py, not asserted here.
    points = [
        _point(3 * i, (i * 7) % 11, f"Visit {i}", draft=i % 5 == 0, source="evaluation")
        for i in range(60)
    ]
    svg = measure_chart_svg(measure_progress("back_pain", points))
    assert len(_point_circles(_parse(svg))) == 60


def test_two_charts_on_one_page_print_through_weasyprint():
    import weasyprint

    html = (
        "<!doctype html><html><head><meta charset='utf-8'></head><body>"
        f"<h1>Progress</h1><div>{measure_chart_svg(_leg(draft_last=True))}</div>"
        f"<div>{distal_chart_svg(_distal())}</div></body></html>"
    )
    pdf = weasyprint.HTML(string=html).write_pdf()
    assert isinstance(pdf, bytes)
    assert pdf.startswith(b"%PDF")


# --- Label placement: nothing overlaps --------------------------------------------------------


def test_a_label_takes_its_first_spot_that_is_clear_and_inside():
    area = charts.Box(0, 0, 100, 100)
    dot = charts.Box(10, 10, 20, 20)
    label = charts.Label(10, 10, ((12, 12), (-5, 40), (40, 40)))
    # The first spot covers the dot, the second is outside the plot: the third it is.
    assert charts.place_labels([label], obstacles=[dot], area=area) == [charts.Box(40, 40, 50, 50)]


def test_a_label_placed_earlier_keeps_its_spot_and_a_later_one_moves_or_is_left_out():
    area = charts.Box(0, 0, 100, 100)
    first = charts.Label(30, 10, ((10, 10),))
    moves = charts.Label(30, 10, ((15, 12), (10, 40)))
    no_room = charts.Label(30, 10, ((20, 15),))
    placed = charts.place_labels([first, moves, no_room], obstacles=[], area=area)
    assert placed == [charts.Box(10, 10, 40, 20), charts.Box(10, 40, 40, 50), None]


def test_points_on_the_same_day_are_moved_apart_within_the_plot():
    xs = charts.spread_points([10, 50, 50, 50, 90, 90], gap=12, low=10, high=90)
    assert xs == sorted(xs)
    assert all(b - a >= 12 - 1e-6 for a, b in itertools.pairwise(xs))
    assert xs[0] >= 10 and xs[-1] <= 90
    assert xs[2] == pytest.approx(50)  # the middle one of three stays on its day


def test_points_too_many_for_the_gap_are_spread_evenly():
    xs = charts.spread_points([0] * 5, gap=100, low=0, high=40)
    assert xs == [0, 10, 20, 30, 40]


def _boxes(root: ET.Element) -> tuple[list[tuple[str, charts.Box]], list[charts.Box]]:
    """Every text's estimated box and every dot's box, as drawn."""
    texts = []
    for t in root.iter(f"{NS}text"):
        size = float(t.get("font-size"))
        box = charts.text_box(
            float(t.get("x")), float(t.get("y")), t.text or "", size, t.get("text-anchor")
        )
        texts.append((t.text or "", box))
    dots = [
        charts.dot_box(float(c.get("cx")), float(c.get("cy")), float(c.get("r")))
        for c in root.iter(f"{NS}circle")
    ]
    return texts, dots


def _assert_nothing_overlaps(svg: str) -> list[str]:
    root = _parse(svg)
    width, height = float(root.get("width")), float(root.get("height"))
    texts, dots = _boxes(root)
    for i, (text, box) in enumerate(texts):
        assert box.inside(charts.Box(0, 0, width, height)), text
        for other, other_box in texts[i + 1 :]:
            assert not box.overlaps(other_box), (text, other)
        for dot in dots:
            assert not box.overlaps(dot), (text, dot)
    for i, dot in enumerate(dots):
        for other in dots[i + 1 :]:
            assert not dot.overlaps(other), (dot, other)
    for t in root.iter(f"{NS}text"):
        assert float(t.get("font-size")) >= 11, t.text
    return [text for text, _box in texts]


WORST_CASES = {
    # Four visits on the intake's day, all with the same score.
    "same day, equal values": [_point(0, 5, "Intake", source="intake")]
    + [_point(0, 5) for _ in range(3)],
    # At both ends of the scale, where labels above and below would leave the plot.
    "values at the edges": [_point(0, 10, "Intake", source="intake"), _point(1, 0), _point(2, 10)],
    # Same-day pairs among spaced visits, with the band right where the labels go.
    "same-day pairs": [
        _point(0, 7, "Intake", source="intake"),
        _point(0, 7),
        _point(21, 6),
        _point(21, 6),
        _point(42, 5),
        _point(43, 5),
    ],
    "sixty visits": [
        _point(3 * i, (i * 7) % 11, f"Visit {i}", draft=i % 5 == 0) for i in range(60)
    ],
}


@pytest.mark.parametrize("case", list(WORST_CASES))
@pytest.mark.parametrize("size", [(560, 240), (640, 180), (240, 140)])
@pytest.mark.parametrize("code", ["leg_pain", "psfs", "odi"])
def test_labels_points_and_bands_never_overlap_in_the_worst_cases(case, size, code):
    points = WORST_CASES[case]
    if code == "odi":  # the same shapes on the 0-100% scale
        points = [dataclasses.replace(p, value=p.value * 10) for p in points]
    width, height = size
    svg = measure_chart_svg(measure_progress(code, points), width=width, height=height)
    texts = _assert_nothing_overlaps(svg)
    if width >= 560:
        assert any(t.startswith("within minimal important change") for t in texts)


def test_every_value_is_labelled_when_there_is_room_for_it():
    points = WORST_CASES["same day, equal values"]
    texts = _texts(_parse(measure_chart_svg(measure_progress("leg_pain", points))))
    assert texts.count("5") == 4


def test_a_day_with_several_visits_gets_one_date_label():
    points = WORST_CASES["same-day pairs"]
    texts = _texts(_parse(measure_chart_svg(measure_progress("leg_pain", points), width=640)))
    assert texts.count("3 Nov") == 1 and texts.count("24 Nov") == 1


@pytest.mark.parametrize("size", [(560, 240), (640, 180), (240, 140)])
def test_the_distal_chart_never_overlaps_either(size):
    same_day = [
        DistalPoint(DAY, S.FOOT, "Intake"),
        DistalPoint(DAY, S.FOOT, "Initial evaluation"),
        DistalPoint(DAY + datetime.timedelta(days=1), S.NONE, "Re-evaluation", True),
    ]
    width, height = size
    _assert_nothing_overlaps(
        distal_chart_svg(distal_progress(same_day), width=width, height=height)
    )
