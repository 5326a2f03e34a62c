"""Outcome-measure progress over visits and the most distal symptom's trend, against worked
examples. Pure functions: none of these tests touch the database.
"""

import datetime
import json
from decimal import Decimal

import pytest

from evaluations.mdt import DistalSite
from evaluations.progress import (
    ABOLISHED,
    ALGORITHM_VERSION,
    CENTRALISING,
    MEASURES,
    NOT_ENOUGH_DATA,
    PERIPHERALISING,
    UNCHANGED,
    DistalPoint,
    Point,
    distal_progress,
    format_number,
    measure_progress,
    short_citation,
)
from intake.scoring import nprs, odi, psfs

S = DistalSite
INTAKE_DAY = datetime.date(2026, 11, 3)


def _day(offset: int) -> datetime.date:
    return INTAKE_DAY + datetime.timedelta(days=offset)


def _intake(value, on=INTAKE_DAY) -> Point:
    return Point(on=on, value=value, label="Intake", source="intake")


def _eval(value, days=28, label="Re-evaluation 1", draft=False) -> Point:
    return Point(on=_day(days), value=value, label=label, source="evaluation", draft=draft)


def _change(code, before, after, **kw):
    return measure_progress(code, [_intake(before), _eval(after, **kw)])


# --- Worked examples --------------------------------------------------------------------------


def test_it_marks_a_leg_pain_drop_of_four_as_important():
    result = _change("leg_pain", 7, 3)
    assert result.change == -4
    assert result.improvement == 4
    assert result.percent_improvement == 57.1
    assert result.important is True
    assert result.worsened_importantly is False
    assert result.statement == (
        "Leg pain fell from 7 to 3 since the intake on 3 Nov 2026: 4 points better, more than "
        "the minimal important change of 2 points (Ostelo 2008). An important improvement."
    )


def test_it_does_not_mark_a_back_pain_drop_of_one_from_four_as_important():
    # 1 point < 2, and 1/4 = 25 % < 30 %: neither criterion is met.
    result = _change("back_pain", 4, 3)
    assert result.improvement == 1
    assert result.percent_improvement == 25.0
    assert result.important is False
    assert "1 point better (25%)" in result.statement
    assert "less than the minimal important change of 2 points or 30%" in result.statement
    assert result.statement.endswith("Not an important improvement.")


def test_it_accepts_the_thirty_percent_rule_when_the_points_rule_is_not_met():
    result = _change("back_pain", 3, 2)  # 1 point, 33.3 %
    assert result.percent_improvement == 33.3
    assert result.important is True
    assert "reaching its alternative of a 30% improvement" in result.statement


def test_it_marks_an_odi_drop_from_42_to_30_as_important():
    result = _change("odi", 42, 30)
    assert result.improvement == 12
    assert result.important is True
    assert result.statement.startswith("Disability (ODI) fell from 42% to 30% since the intake")
    assert "12 points better, more than the minimal important change of 10 points" in (
        result.statement
    )


def test_it_does_not_mark_an_odi_drop_from_20_to_16_as_important():
    result = _change("odi", 20, 16)  # 4 points, 20 %
    assert result.improvement == 4
    assert result.percent_improvement == 20.0
    assert result.important is False


def test_it_counts_a_change_exactly_at_the_mcid_as_important():
    result = _change("odi", 42, 32)
    assert result.important is True
    assert "reaching the minimal important change of 10 points" in result.statement


def test_it_uses_exact_decimals_at_the_threshold():
    # 4.1 - 2.1 is 1.9999999999999996 in floats; the typed values differ by exactly 2.
    result = _change("back_pain", 4.1, 2.1)
    assert result.improvement == 2
    assert result.important is True


def test_it_treats_a_higher_psfs_mean_as_better():
    result = _change("psfs", 3.0, 6.5)
    assert result.better == "higher"
    assert result.change == 3.5
    assert result.improvement == 3.5
    assert result.important is True
    assert result.mcid is psfs.MCID
    assert result.statement.startswith("PSFS mean rose from 3 to 6.5 since the intake")
    assert "3.5 points better" in result.statement
    assert "(Ostelo" not in result.statement  # PSFS cites its own source


def test_it_treats_a_lower_psfs_mean_as_worse():
    result = _change("psfs", 6.5, 4.0)
    assert result.improvement == -2.5
    assert result.important is False
    assert result.worsened_importantly is True


def test_it_marks_a_leg_pain_rise_from_three_to_six_as_an_important_worsening():
    result = _change("leg_pain", 3, 6)
    assert result.change == 3
    assert result.improvement == -3
    assert result.important is False
    assert result.worsened_importantly is True
    assert result.statement == (
        "Leg pain rose from 3 to 6 since the intake on 3 Nov 2026: 3 points worse, more than "
        "the minimal important change of 2 points (Ostelo 2008). An important worsening."
    )


def test_it_does_not_apply_the_percent_rule_to_worsening():
    result = _change("back_pain", 1, 2)  # 100 % worse, but only 1 point
    assert result.worsened_importantly is False
    assert result.statement.endswith("Not an important worsening.")


def test_it_reports_no_change():
    result = _change("leg_pain", 5, 5, label="Discharge")
    assert result.change == 0
    assert result.important is False
    assert result.worsened_importantly is False
    assert result.statement == (
        "Leg pain was 5 at the intake on 3 Nov 2026 and 5 at the discharge on 1 Dec 2026: "
        "no change."
    )


def test_it_gives_no_percent_when_the_baseline_is_zero():
    result = _change("psfs", 0, 1)
    assert result.percent_improvement is None
    assert result.important is False
    assert "1 point better, less than the minimal important change of 2 points" in (
        result.statement
    )


# --- Few points -------------------------------------------------------------------------------


def test_it_describes_a_single_point_without_judging_change():
    result = measure_progress("odi", [_intake(42.5)])
    assert result.baseline == result.latest == _intake(42.5)
    assert result.change is None
    assert result.improvement is None
    assert result.percent_improvement is None
    assert result.important is None
    assert result.worsened_importantly is None
    assert result.statement == (
        "Only one measurement so far: disability (ODI) 42.5% at the intake on 3 Nov 2026."
    )


def test_it_handles_no_points():
    result = measure_progress("odi", [])
    assert result.points == ()
    assert result.baseline is None
    assert result.latest is None
    assert result.important is None
    assert result.statement == "No measurements recorded."
    assert result.mcid is odi.MCID


# --- Ordering, drafts, validation -------------------------------------------------------------


def test_it_sorts_unsorted_points_by_date():
    late, middle, early = _eval(3, days=40), _eval(5, days=10), _intake(7)
    result = measure_progress("leg_pain", [late, middle, early])
    assert result.points == (early, middle, late)
    assert result.baseline == early
    assert result.latest == late


def test_it_keeps_the_given_order_for_points_on_the_same_day():
    a = _eval(6, days=0, label="Initial evaluation")
    result = measure_progress("leg_pain", [_intake(7), a])
    assert result.points == (_intake(7), a)
    assert result.latest == a
    assert result.improvement == 1


def test_it_flags_a_draft_latest_value():
    result = _change("leg_pain", 7, 3, draft=True)
    assert result.latest.draft is True
    assert result.important is True
    assert result.statement.endswith(" The latest value is from an unsigned draft evaluation.")


def test_it_does_not_mention_drafts_when_all_values_are_signed():
    assert "draft" not in _change("leg_pain", 7, 3).statement


@pytest.mark.parametrize(
    ("code", "value"), [("back_pain", 11), ("leg_pain", -1), ("odi", 100.5), ("psfs", 10.1)]
)
def test_it_refuses_a_value_off_the_scale(code, value):
    with pytest.raises(ValueError, match=r"must be from 0 to 10(0)?; got"):
        measure_progress(code, [_intake(value)])


def test_it_names_the_measure_and_visit_when_refusing_a_value():
    with pytest.raises(ValueError) as caught:
        measure_progress("odi", [_intake(40), _eval(120, label="Discharge")])
    assert str(caught.value) == (
        "Oswestry Disability Index (ODI) must be from 0 to 100; got 120 at 'Discharge' "
        "on 1 Dec 2026."
    )


def test_it_refuses_an_unknown_measure():
    with pytest.raises(ValueError, match="Unknown outcome measure 'sf36'"):
        measure_progress("sf36", [])


@pytest.mark.parametrize(
    "kw",
    [
        {"value": True},
        {"value": "7"},
        {"value": float("nan")},
        {"on": datetime.datetime(2026, 11, 3, 9, 0)},
        {"on": "2026-11-03"},
        {"label": " "},
        {"source": "kiosk"},
        {"draft": "yes"},
    ],
)
def test_a_point_refuses_malformed_fields(kw):
    fields = {"on": INTAKE_DAY, "value": 7, "label": "Intake", "source": "intake", **kw}
    with pytest.raises(ValueError):
        Point(**fields)


def test_a_point_accepts_a_decimal_from_the_database():
    assert Point(INTAKE_DAY, Decimal("35.6"), "Intake", "intake").value == 35.6


def test_it_refuses_items_that_are_not_points():
    with pytest.raises(ValueError, match="expected Point objects"):
        measure_progress("leg_pain", [(INTAKE_DAY, 7)])


# --- Wording helpers and metadata -------------------------------------------------------------


def test_it_shows_whole_numbers_without_a_decimal_point():
    assert [format_number(v) for v in (7.0, 6.5, 35.55, 0.0, -0.04)] == [
        "7",
        "6.5",
        "35.6",
        "0",
        "0",
    ]


def test_it_shortens_the_ostelo_citation():
    assert short_citation(nprs.MCID.source) == "Ostelo 2008"
    assert short_citation(odi.MCID.source) == "Ostelo 2008"
    assert short_citation(psfs.MCID.source) == (
        "source: the value published PSFS studies commonly use"
    )
    # A result stored with the older wording is shown without its developer's notes.
    legacy = "Several secondary implementations [S38]; primary source not verified"
    assert short_citation(legacy) == "source: several secondary implementations"


def test_it_names_later_visits_with_or_without_an_article():
    result = measure_progress("leg_pain", [_eval(7, days=1, label="Re-evaluation 2"), _eval(7)])
    assert "re-evaluation 2 on 4 Nov 2026" in result.statement
    custom = measure_progress("leg_pain", [_eval(7, label="Phone review <b>")])
    assert "Phone review <b> on 1 Dec 2026" in custom.statement  # escaped by the chart


def test_every_measure_uses_its_instrument_mcid():
    assert MEASURES["back_pain"].mcid is nprs.MCID
    assert MEASURES["leg_pain"].mcid is nprs.MCID
    assert MEASURES["odi"].mcid is odi.MCID
    assert MEASURES["psfs"].mcid is psfs.MCID


def test_results_are_versioned_and_json_ready():
    result = _change("leg_pain", 7, 3, draft=True)
    data = result.as_dict()
    assert data["algorithm_version"] == ALGORITHM_VERSION == "progress-1.0"
    assert data["points"][0]["on"] == "2026-11-03"
    assert data["mcid"]["points"] == 2
    json.dumps(data)
    json.dumps(distal_progress([DistalPoint(INTAKE_DAY, S.FOOT, "Intake")]).as_dict())


def test_the_same_input_gives_the_same_result():
    points = [_eval(4), _intake(7), _eval(3, days=50, draft=True)]
    assert measure_progress("leg_pain", points) == measure_progress("leg_pain", points[::-1])


# --- Most distal symptom ----------------------------------------------------------------------


def _distal(*sites, draft_last=False):
    labels = ["Intake", "Initial evaluation", "Re-evaluation 1", "Discharge"]
    return [
        DistalPoint(_day(14 * i), site, labels[i], draft=draft_last and i == len(sites) - 1)
        for i, site in enumerate(sites)
    ]


def test_it_calls_below_the_knee_to_the_buttock_centralising():
    result = distal_progress(_distal(S.BELOW_KNEE, S.BUTTOCK))
    assert result.trend == CENTRALISING
    assert result.statement == (
        "Most distal symptom moved from below the knee to the buttock "
        "(3 Nov 2026 to 17 Nov 2026): centralising."
    )


def test_it_calls_the_buttock_to_the_foot_peripheralising():
    result = distal_progress(_distal(S.BUTTOCK, S.FOOT))
    assert result.trend == PERIPHERALISING
    assert "from the buttock to the foot" in result.statement


def test_it_calls_symptoms_gone_abolished():
    result = distal_progress(_distal(S.THIGH, S.BUTTOCK, S.NONE))
    assert result.trend == ABOLISHED
    assert result.statement == (
        "Most distal symptom went from the thigh to none recorded "
        "(3 Nov 2026 to 1 Dec 2026): abolished."
    )


def test_it_calls_widespread_back_pain_becoming_central_centralising():
    assert distal_progress(_distal(S.UNILAT_LB, S.CENTRAL_LB)).trend == CENTRALISING


def test_it_compares_only_the_first_and_latest_sites():
    result = distal_progress(_distal(S.THIGH, S.FOOT, S.THIGH))
    assert result.trend == UNCHANGED
    assert result.statement.startswith("Most distal symptom stayed at the thigh")


def test_it_describes_symptoms_appearing_where_none_were_recorded():
    result = distal_progress(_distal(S.NONE, S.THIGH))
    assert result.trend == PERIPHERALISING
    assert result.statement.startswith("Symptoms recorded at the thigh where none were recorded")


def test_it_calls_no_symptoms_throughout_unchanged():
    result = distal_progress(_distal(S.NONE, S.NONE))
    assert result.trend == UNCHANGED
    assert result.statement.startswith("No symptoms recorded at the first or the latest record")


def test_it_needs_two_distal_records_for_a_trend():
    single = distal_progress(_distal(S.FOOT))
    assert single.trend == NOT_ENOUGH_DATA
    assert single.statement == (
        "Only one record so far: most distal symptom at the foot (Intake, 3 Nov 2026)."
    )
    empty = distal_progress([])
    assert empty.trend == NOT_ENOUGH_DATA
    assert empty.baseline is None
    assert empty.statement == "No most distal symptom recorded."


def test_it_sorts_distal_records_and_flags_a_draft():
    points = _distal(S.BELOW_KNEE, S.THIGH, draft_last=True)
    result = distal_progress(points[::-1])
    assert result.points == tuple(points)
    assert result.trend == CENTRALISING
    assert result.statement.endswith(" The latest record is from an unsigned draft evaluation.")


def test_a_distal_point_accepts_a_stored_code_and_refuses_an_unknown_one():
    assert DistalPoint(INTAKE_DAY, "BUTTOCK", "Intake").site is S.BUTTOCK
    with pytest.raises(ValueError, match="must be one of NONE, CENTRAL_LB"):
        DistalPoint(INTAKE_DAY, "KNEE", "Intake")


def test_statements_never_diagnose():
    statements = [
        _change("leg_pain", 7, 3).statement,
        _change("leg_pain", 3, 6).statement,
        distal_progress(_distal(S.BELOW_KNEE, S.BUTTOCK)).statement,
    ]
    for text in statements:
        for word in ("diagnos", "radiculopathy", "disc", "sciatica"):
            assert word not in text.lower()
