from intake.bodychart import REGIONS, derived_red_flag_items, validate_chart
from intake.pattern import NO_LEG, RADICULAR, SOMATIC, UNCLEAR, suggest_pattern


def test_the_chart_has_both_sides_of_every_leg_region_and_the_saddle():
    codes = {r.code for r in REGIONS}
    for base in (
        "low_back",
        "buttock",
        "hip",
        "groin",
        "thigh_front",
        "thigh_back",
        "knee",
        "calf_shin",
        "foot",
    ):
        assert {f"{base}_l", f"{base}_r"} <= codes
    assert {"low_back_c", "saddle"} <= codes


def test_unknown_regions_and_sensations_are_dropped():
    assert validate_chart({"calf_shin_l": ["pain", "itch", "pain"], "moon": ["pain"]}) == {
        "calf_shin_l": ["pain"]
    }


def test_symptoms_in_both_legs_raise_the_bilateral_cauda_equina_item():
    assert "CES-1" in derived_red_flag_items({"thigh_back_l": ["pain"], "calf_shin_r": ["pain"]})
    assert "CES-1" not in derived_red_flag_items({"buttock_l": ["pain"], "buttock_r": ["pain"]})


def test_saddle_numbness_on_the_chart_raises_the_saddle_item():
    assert "CES-2" in derived_red_flag_items({"saddle": ["numbness"]})


def test_leg_numbness_counts_as_a_neurological_symptom():
    assert derived_red_flag_items({"foot_l": ["numbness"]}) == {"SX-NEURO"}


def test_classic_sciatica_answers_suggest_radicular_pain_and_list_the_features():
    result = suggest_pattern(
        chart={"low_back_l": ["pain"], "calf_shin_l": ["pain"], "foot_l": ["pins_needles"]},
        leg_worse_than_back=True,
        follows_path=True,
        worse_on_cough=True,
        qualities=frozenset({"shooting"}),
    )
    assert result.pattern == RADICULAR
    assert "Pain or symptoms below the knee" in result.radicular_features
    assert "Leg worse than back" in result.radicular_features
    assert "Worse on coughing, sneezing or straining" in result.radicular_features
    assert result.note.endswith("not a diagnosis.")


def test_a_dull_ache_above_the_knee_suggests_somatic_referred_pain():
    result = suggest_pattern(
        chart={"low_back_c": ["pain"], "thigh_back_r": ["pain"]},
        leg_worse_than_back=False,
        follows_path=False,
        qualities=frozenset({"dull_ache"}),
    )
    assert result.pattern == SOMATIC
    assert "Symptoms stay above the knee" in result.somatic_features


def test_radicular_features_without_a_keele_item_stay_unclear():
    result = suggest_pattern(
        chart={"thigh_front_l": ["numbness"]},
        follows_path=True,
        worse_on_cough=True,
        leg_worse_than_back=None,
    )
    assert result.pattern == UNCLEAR


def test_back_pain_only_has_no_leg_pattern():
    assert suggest_pattern(chart={"low_back_c": ["pain"]}).pattern == NO_LEG
