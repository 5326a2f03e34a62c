"""The 7-point global rating of change: its stored values and words, at the scale's ends."""

import pytest

from intake.scoring import grc


def test_the_seven_answers_run_from_much_better_to_much_worse():
    assert [v for v, _ in grc.CHOICES] == [3, 2, 1, 0, -1, -2, -3]
    assert grc.LABELS[0] == "About the same"


@pytest.mark.parametrize(
    "value, label",
    [(3, "Much better"), (1, "A little better"), (0, "About the same"), (-3, "Much worse")],
)
def test_it_stores_the_value_with_the_words_chosen(value, label):
    assert grc.score_grc(value).as_dict() == {
        "value": value,
        "label": label,
        "algorithm_version": "grc-1.0",
    }


@pytest.mark.parametrize("bad", [4, -4, True, "2", None, 1.5])
def test_it_refuses_anything_but_a_whole_number_from_minus_3_to_3(bad):
    with pytest.raises(ValueError):
        grc.score_grc(bad)


def test_staff_read_it_signed():
    assert [grc.signed(v) for v in (2, 0, -1)] == ["+2", "0", "-1"]
