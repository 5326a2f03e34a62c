"""Scoring engines for the intake PROMs, checked against hand-computed examples.

Pure functions: none of these tests touch the database.
"""

import json
import re

import pytest

from intake.scoring import nprs, odi, psfs, startback
from intake.scoring.startback import StartBackRisk

# --- Keele STarT Back (clinical.md §3.4) -------------------------------------------------


def _sbst(agree: set[int], item_9: str = "not_at_all") -> dict[str, object]:
    """Answers with the given items 1-8 agreed, the rest disagreed."""
    answers: dict[str, object] = {
        f"sbst_{n}": "agree" if n in agree else "disagree" for n in range(1, 9)
    }
    answers["sbst_9"] = item_9
    return answers


def test_startback_distress_4_with_total_4_is_high_risk():
    # Items 5, 6, 7, 8 agreed, item 9 "not at all": total 4, distress 4 -> HIGH, not MEDIUM.
    result = startback.score_startback(_sbst({5, 6, 7, 8}))
    assert (result.total, result.distress) == (4, 4)
    assert result.risk_group is StartBackRisk.HIGH


def test_startback_distress_3_with_total_4_is_medium_risk():
    # Items 1, 5, 6, 7 agreed: total 4, distress 3 -> MEDIUM.
    result = startback.score_startback(_sbst({1, 5, 6, 7}))
    assert (result.total, result.distress) == (4, 3)
    assert result.risk_group is StartBackRisk.MEDIUM


def test_startback_total_3_is_low_risk():
    # Items 1, 2, 3 agreed: total 3, distress 0 -> LOW.
    result = startback.score_startback(_sbst({1, 2, 3}))
    assert (result.total, result.distress) == (3, 0)
    assert result.risk_group is StartBackRisk.LOW


def test_startback_total_4_with_low_distress_is_medium_risk():
    # Items 1-4 agreed: total 4, distress 0 -> MEDIUM.
    result = startback.score_startback(_sbst({1, 2, 3, 4}))
    assert (result.total, result.distress) == (4, 0)
    assert result.risk_group is StartBackRisk.MEDIUM


def test_startback_distress_3_with_total_7_stays_medium_risk():
    # Items 1-4 and 5-7 agreed: total 7, distress 3 -> MEDIUM (high needs distress >= 4).
    result = startback.score_startback(_sbst({1, 2, 3, 4, 5, 6, 7}))
    assert (result.total, result.distress) == (7, 3)
    assert result.risk_group is StartBackRisk.MEDIUM


def test_startback_item_9_very_much_completes_a_distress_of_4():
    # Items 5, 6, 7 agreed + item 9 "very much" (scores 1): total 4, distress 4 -> HIGH.
    result = startback.score_startback(_sbst({5, 6, 7}, item_9="very_much"))
    assert (result.total, result.distress) == (4, 4)
    assert result.risk_group is StartBackRisk.HIGH


def test_startback_all_agreed_and_extremely_bothersome_scores_9_and_5():
    result = startback.score_startback(_sbst(set(range(1, 9)), item_9="extremely"))
    assert (result.total, result.distress) == (9, 5)
    assert result.risk_group is StartBackRisk.HIGH


@pytest.mark.parametrize(
    ("response", "score"),
    [
        ("not_at_all", 0),
        ("slightly", 0),
        ("moderately", 0),
        ("very_much", 1),
        ("extremely", 1),
    ],
)
def test_startback_item_9_scores_1_only_for_very_much_or_extremely(response, score):
    assert startback.score_item("sbst_9", response) == score


@pytest.mark.parametrize(
    ("total", "distress", "risk"),
    [
        (0, 0, StartBackRisk.LOW),
        (3, 3, StartBackRisk.LOW),
        (4, 3, StartBackRisk.MEDIUM),
        (7, 3, StartBackRisk.MEDIUM),
        (4, 4, StartBackRisk.HIGH),
        (8, 4, StartBackRisk.HIGH),
        (9, 5, StartBackRisk.HIGH),
    ],
)
def test_startback_risk_group_boundaries(total, distress, risk):
    assert startback.risk_group(total=total, distress=distress) is risk


@pytest.mark.parametrize(("total", "distress"), [(3, 4), (9, 4), (10, 5), (2, 6), (-1, 0)])
def test_startback_risk_group_refuses_impossible_scores(total, distress):
    with pytest.raises(ValueError, match="STarT Back"):
        startback.risk_group(total=total, distress=distress)


def test_startback_accepts_bools_for_agree_items():
    answers = {f"sbst_{n}": n in {5, 6, 7, 8} for n in range(1, 9)}
    answers["sbst_9"] = startback.BothersomeResponse.SLIGHTLY
    result = startback.score_startback(answers)
    assert result.risk_group is StartBackRisk.HIGH


def test_startback_missing_item_gives_incomplete_result_without_risk_group():
    answers = _sbst({5, 6, 7, 8})
    del answers["sbst_2"]
    answers["sbst_9"] = None
    result = startback.score_startback(answers)
    assert not result.complete
    assert result.missing_items == ("sbst_2", "sbst_9")
    assert (result.total, result.distress, result.risk_group) == (None, None, None)


@pytest.mark.parametrize(
    ("item_id", "answer"),
    [("sbst_1", "yes"), ("sbst_1", 1), ("sbst_9", "a_lot"), ("sbst_9", True)],
)
def test_startback_rejects_unknown_responses(item_id, answer):
    answers = _sbst(set())
    answers[item_id] = answer
    with pytest.raises(ValueError, match="must be"):
        startback.score_startback(answers)


def test_startback_rejects_unknown_item_ids():
    with pytest.raises(ValueError, match="Unknown STarT Back item"):
        startback.score_startback({**_sbst(set()), "sbst_10": "agree"})


def test_startback_result_stores_as_json_with_version_and_copyright():
    stored = json.loads(json.dumps(startback.score_startback(_sbst({5, 6, 7, 8})).as_dict()))
    assert stored["risk_group"] == "high"
    assert stored["algorithm_version"] == startback.ALGORITHM_VERSION == "startback-1.0"
    assert stored["copyright_statement"].startswith("Copyright (©2021) University of Keele.")
    assert stored["mcid"] is None


def test_startback_ships_domain_codes_not_question_text():
    assert all(re.fullmatch(r"[a-z_]+", code) for code in startback.ITEM_DOMAINS.values())


# --- ODI v2.1a (clinical.md §3.1) ---------------------------------------------------------


def _odi(*scores: int | None) -> dict[str, int | None]:
    return {f"odi_{n}": score for n, score in enumerate(scores, start=1)}


def test_odi_all_sections_answered_divides_by_50():
    # 2+2+2+1+1+1+1+0+0+0 = 10; 10 / 50 x 100 = 20.0% -> minimal (upper edge).
    result = odi.score_odi(_odi(2, 2, 2, 1, 1, 1, 1, 0, 0, 0))
    assert (result.total, result.max_possible, result.percentage) == (10, 50, 20.0)
    assert result.band.code == "minimal"
    assert result.complete
    assert result.status is odi.OdiStatus.COMPLETE


def test_odi_just_above_20_percent_is_moderate():
    # 11 / 50 x 100 = 22.0%: the next reachable score above 20 -> moderate.
    result = odi.score_odi(_odi(2, 2, 2, 2, 1, 1, 1, 0, 0, 0))
    assert result.percentage == 22.0
    assert result.band.code == "moderate"


@pytest.mark.parametrize(
    ("percentage", "band"),
    [
        (0, "minimal"),
        (20, "minimal"),
        (20.5, "moderate"),  # documented choice: exact value, inclusive upper bounds
        (21, "moderate"),
        (40, "moderate"),
        (41, "severe"),
        (60, "severe"),
        (61, "crippled"),
        (80, "crippled"),
        (81, "bed_bound"),
        (100, "bed_bound"),
    ],
)
def test_odi_band_edges_match_the_spec(percentage, band):
    assert odi.band_for(percentage).code == band


def test_odi_one_missing_section_divides_by_45():
    # Spec example: 16 over 9 answered sections -> 16 / 45 x 100 = 35.555...%.
    # Rounded half-up to one place: 35.6 (the spec's prose truncates it to 35.5).
    result = odi.score_odi(_odi(3, 2, 2, 2, 2, 2, 1, None, 1, 1))
    assert (result.total, result.max_possible) == (16, 45)
    assert result.percentage == 35.6
    assert result.band.code == "moderate"
    assert result.status is odi.OdiStatus.PRORATED
    assert not result.complete
    assert result.missing_sections == ("odi_8",)


def test_odi_absent_section_counts_as_missing():
    sections = _odi(3, 2, 2, 2, 2, 2, 1, 0, 1, 1)
    del sections["odi_8"]
    result = odi.score_odi(sections)
    assert result.max_possible == 45
    assert result.missing_sections == ("odi_8",)


def test_odi_two_missing_sections_is_not_scorable_by_default():
    result = odi.score_odi(_odi(3, 2, 2, 2, 2, 2, 1, None, None, 1))
    assert result.status is odi.OdiStatus.NOT_SCORABLE
    assert not result.scorable
    assert (result.percentage, result.band) == (None, None)
    assert result.missing_sections == ("odi_8", "odi_9")


def test_odi_two_missing_sections_divides_by_40_when_allowed():
    # 15 / 40 x 100 = 37.5% -> moderate.
    result = odi.score_odi(_odi(3, 2, 2, 2, 2, 2, 1, None, None, 1), max_missing_sections=2)
    assert (result.total, result.max_possible, result.percentage) == (15, 40, 37.5)
    assert result.band.code == "moderate"


def test_odi_with_no_sections_answered_is_not_scorable():
    result = odi.score_odi({})
    assert result.status is odi.OdiStatus.NOT_SCORABLE
    assert len(result.missing_sections) == 10


def test_odi_maximum_is_100_percent_bed_bound():
    result = odi.score_odi(_odi(*[5] * 10))
    assert result.percentage == 100.0
    assert result.band.code == "bed_bound"


@pytest.mark.parametrize("bad", [6, -1, 2.5, "3", True])
def test_odi_rejects_section_scores_outside_0_to_5(bad):
    with pytest.raises(ValueError, match=r"ODI section odi_1 \(pain_intensity\) must be"):
        odi.score_odi(_odi(bad, 0, 0, 0, 0, 0, 0, 0, 0, 0))


def test_odi_rejects_unknown_section_ids():
    with pytest.raises(ValueError, match="Unknown ODI item"):
        odi.score_odi({**_odi(*[0] * 10), "odi_11": 0})


@pytest.mark.parametrize("bad", [-1, 10])
def test_odi_rejects_a_missing_section_threshold_outside_0_to_9(bad):
    with pytest.raises(ValueError, match="allowed to be missing"):
        odi.score_odi(_odi(*[0] * 10), max_missing_sections=bad)


def test_odi_result_carries_mcid_with_citation_and_stores_as_json():
    stored = json.loads(json.dumps(odi.score_odi(_odi(*[1] * 10)).as_dict()))
    assert stored["percentage"] == 20.0
    assert stored["mcid"]["points"] == 10
    assert stored["mcid"]["relative_percent"] == 30
    assert "Ostelo" in stored["mcid"]["source"]
    assert stored["algorithm_version"] == "odi-1.0"
    assert stored["band"]["code"] == "minimal"


def test_odi_ships_section_codes_not_question_text():
    assert all(re.fullmatch(r"[a-z_]+", code) for code in odi.SECTION_CODES.values())


# --- PSFS (clinical.md §3.3) ---------------------------------------------------------------


def test_psfs_three_activities_mean():
    # (3 + 4 + 5) / 3 = 4.0
    result = psfs.score_psfs({"a1": 3, "a2": 4, "a3": 5})
    assert (result.total, result.mean, result.activity_count) == (12, 4.0, 3)
    assert result.complete


def test_psfs_five_activities_mean():
    # (2 + 4 + 6 + 8 + 10) / 5 = 6.0
    result = psfs.score_psfs({"a1": 2, "a2": 4, "a3": 6, "a4": 8, "a5": 10})
    assert (result.total, result.mean) == (30, 6.0)


def test_psfs_mean_rounds_half_up_to_one_place():
    # (7 + 8 + 8) / 3 = 7.666... -> 7.7
    assert psfs.score_psfs({"a1": 7, "a2": 8, "a3": 8}).mean == 7.7


def test_psfs_single_activity_is_allowed():
    assert psfs.score_psfs({"a1": 0}).mean == 0.0


@pytest.mark.parametrize("count", [0, 6])
def test_psfs_rejects_fewer_than_1_or_more_than_5_activities(count):
    with pytest.raises(ValueError, match=f"from 1 to 5 activities; got {count}"):
        psfs.score_psfs({f"a{n}": 5 for n in range(count)})


@pytest.mark.parametrize("bad", [11, -1, 7.5, True])
def test_psfs_rejects_ratings_outside_0_to_10(bad):
    with pytest.raises(ValueError, match="PSFS rating for 'a2'"):
        psfs.score_psfs({"a1": 5, "a2": bad, "a3": 5})


def test_psfs_rejects_blank_activity_ids():
    with pytest.raises(ValueError, match="non-empty id"):
        psfs.score_psfs({"a1": 5, " ": 5})


def test_psfs_unrated_activity_gives_incomplete_result_without_mean():
    result = psfs.score_psfs({"a1": 5, "a2": None, "a3": 7})
    assert not result.complete
    assert result.missing_activities == ("a2",)
    assert (result.mean, result.total) == (None, None)
    assert result.ratings == {"a1": 5, "a3": 7}


def test_psfs_result_carries_mcid_and_mdc():
    stored = json.loads(json.dumps(psfs.score_psfs({"a1": 5}).as_dict()))
    assert stored["mcid"]["points"] == 2
    assert stored["mcid"]["verification"] == "partly_verified"
    assert stored["mdc"]["points"] == 2
    assert stored["mdc_single_activity"]["points"] == 3
    assert stored["algorithm_version"] == "psfs-1.0"


# --- NPRS (clinical.md §3.2) ---------------------------------------------------------------


def _nprs(**ratings: int | None) -> dict[str, int | None]:
    return {f"nprs_{key}": value for key, value in ratings.items()}


FULL_NPRS = _nprs(
    back_now=4, back_best_24h=2, back_worst_24h=7, leg_now=8, leg_best_24h=5, leg_worst_24h=10
)


def test_nprs_bands_each_rating_with_boonstra_by_default():
    # Boonstra 2016: <=5 mild, 6-7 moderate, >=8 severe.
    result = nprs.score_nprs(FULL_NPRS)
    assert (result.back.now, result.back.best_24h, result.back.worst_24h) == (4, 2, 7)
    assert result.back.now_band.code == "mild"
    assert result.back.worst_24h_band.code == "moderate"
    assert result.leg.now_band.code == "severe"
    assert result.leg.best_24h_band.code == "mild"
    assert result.complete
    assert result.band_scheme == "boonstra_2016_chronic_msk"


@pytest.mark.parametrize(
    ("rating", "band"), [(0, "mild"), (5, "mild"), (6, "moderate"), (7, "moderate"), (8, "severe")]
)
def test_nprs_boonstra_band_edges(rating, band):
    assert nprs.BOONSTRA_2016.band_for(rating).code == band


@pytest.mark.parametrize(
    ("rating", "band"),
    [(0, "none"), (1, "mild"), (3, "mild"), (4, "moderate"), (6, "moderate"), (7, "severe")],
)
def test_nprs_common_split_band_edges(rating, band):
    assert nprs.COMMON_1_3_4_6_7_10.band_for(rating).code == band


def test_nprs_band_scheme_is_named_in_the_result():
    result = nprs.score_nprs(FULL_NPRS, band_scheme=nprs.COMMON_1_3_4_6_7_10)
    assert result.band_scheme == "common_1_3_4_6_7_10"
    assert result.back.worst_24h_band.code == "severe"


@pytest.mark.parametrize("bad", [11, -1, 4.5, "4", True])
def test_nprs_rejects_ratings_outside_0_to_10(bad):
    with pytest.raises(ValueError, match="pain rating nprs_leg_now must be"):
        nprs.score_nprs({**FULL_NPRS, "nprs_leg_now": bad})


def test_nprs_rejects_unknown_item_ids():
    with pytest.raises(ValueError, match="Unknown NPRS item"):
        nprs.score_nprs({**FULL_NPRS, "nprs_back_average_1w": 3})


def test_nprs_missing_rating_leaves_the_others_banded():
    result = nprs.score_nprs({**FULL_NPRS, "nprs_leg_best_24h": None})
    assert not result.complete
    assert not result.leg.complete
    assert result.back.complete
    assert result.missing_items == ("nprs_leg_best_24h",)
    assert (result.leg.best_24h, result.leg.best_24h_band) == (None, None)
    assert result.leg.now_band.code == "severe"


def test_nprs_band_scheme_with_a_gap_is_refused():
    with pytest.raises(ValueError, match="without gaps"):
        nprs.BandScheme(
            code="gappy",
            source="test",
            verification=nprs.Verification.UNVERIFIED,
            bands=(nprs.Band("low", "Low", 0, 4), nprs.Band("high", "High", 6, 10)),
        )


def test_nprs_result_stores_as_json_with_loinc_and_mcid():
    stored = json.loads(json.dumps(nprs.score_nprs(FULL_NPRS).as_dict()))
    assert stored["loinc"] == nprs.LOINC_NPRS == "72514-3"
    assert stored["mcid"]["points"] == 2
    assert stored["mcid"]["relative_percent"] == 30
    assert stored["mdc"]["points"] == 2
    assert stored["back"]["now_band"]["code"] == "mild"
    assert stored["algorithm_version"] == "nprs-1.0"
