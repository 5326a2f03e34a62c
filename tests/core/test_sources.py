"""Citations as clinicians read them (core.sources): older stored texts lose their
developer's notes; plain citations pass through untouched."""

import pytest

from core.sources import REFERENCES, cite, for_clinicians


@pytest.mark.parametrize(
    ("stored", "shown"),
    [
        (
            "Several secondary implementations [S38]; primary source not verified",
            "Several secondary implementations",
        ),
        (
            "Ostelo RWJG et al. Spine 2008;33(1):90-94 [S51]",
            "Ostelo RWJG et al. Spine 2008;33(1):90-94",
        ),
        ("clinical.md 6.4 ✅ [S93]; referral 2.7 ⚠, 2.1a ◐", "referral 2.7, 2.1a"),
        (
            "clinical.md 5.1 (derived from Boyd & Villa 2012 [S81] data, not stated there)",
            "",
        ),
        (
            "Grading follows clinical.md 1.3 ⚠ (NeuPSIG structure as recalled; verify against "
            "Schmid et al. 2023).",
            "Grading follows the NeuPSIG system (possible, probable, definite), as adapted for "
            "the spine by Schmid et al. 2023.",
        ),
        (
            "SLR: 43° between sides, above the spec's 10° threshold.",
            "SLR: 43° between sides, above the 10° threshold.",
        ),
        (
            "Common 1-3 / 4-6 / 7-10 split; not verified (clinical.md §3.2)",
            "Common 1-3 / 4-6 / 7-10 split",
        ),
        (
            "Boonstra AM et al. Front Psychol 2016 (chronic musculoskeletal pain)",
            "Boonstra AM et al. Front Psychol 2016 (chronic musculoskeletal pain)",
        ),
        ("", ""),
    ],
)
def test_stored_texts_are_shown_without_developer_notes(stored, shown):
    assert for_clinicians(stored) == shown


def test_cite_names_references_in_plain_words():
    assert cite("S51", "S54") == "source: Ostelo et al., Spine 2008; Childs et al., Spine 2005"
    assert all("[" not in text for text in REFERENCES.values())
