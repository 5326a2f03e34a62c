"""A provisional pattern for staff: do the patient's own answers look more like
nerve-related (radicular) pain or somatic referred pain?

A suggestion from patient-reported features only, never a diagnosis: radicular pain
is often non-dermatomal and pain drawings alone cannot place a level (clinical.md 1.2).
Features follow the Keele diagnostic model (Stynes 2018) and the nerve-root
compression cluster (clinical.md 1.2).
"""

from collections.abc import Mapping
from dataclasses import asdict, dataclass
from typing import Any

from intake.bodychart import NEURO_SENSATIONS, REGION_BY_CODE

ALGORITHM_VERSION = "pattern-1.0"
# Three or more radicular features, including a Keele model item, suggest radicular pain.
RADICULAR_THRESHOLD = 3

RADICULAR = "radicular"
SOMATIC = "somatic_referred"
UNCLEAR = "unclear"
NO_LEG = "no_leg_symptoms"

SUMMARIES = {
    RADICULAR: "Features suggest nerve-related (radicular) pain",
    SOMATIC: "Features suggest somatic referred pain",
    UNCLEAR: "Mixed or unclear picture",
    NO_LEG: "No leg symptoms reported",
}


@dataclass(frozen=True)
class PatternSuggestion:
    pattern: str
    summary: str
    radicular_features: tuple[str, ...]
    somatic_features: tuple[str, ...]
    algorithm_version: str = ALGORITHM_VERSION
    note: str = "A suggestion from the patient's answers, not a diagnosis."

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def suggest_pattern(
    *,
    chart: Mapping[str, list[str]],
    leg_worse_than_back: bool | None = None,
    follows_path: bool | None = None,
    worse_on_cough: bool | None = None,
    attacks: bool | None = None,
    qualities: frozenset[str] = frozenset(),
) -> PatternSuggestion:
    regions = [REGION_BY_CODE[c] for c in chart if c in REGION_BY_CODE]
    leg = [r for r in regions if r.leg]
    radicular: list[str] = []
    somatic: list[str] = []
    keele = False
    if any(r.below_knee for r in leg):
        radicular.append("Pain or symptoms below the knee")
        keele = True
    if leg_worse_than_back:
        radicular.append("Leg worse than back")
        keele = True
    if follows_path:
        radicular.append("Follows a clear path down the leg")
    if any(set(chart[r.code]) & NEURO_SENSATIONS for r in leg):
        radicular.append("Numbness, tingling or weakness in the leg")
    if worse_on_cough:
        radicular.append("Worse on coughing, sneezing or straining")
    if qualities & {"shooting", "electric", "burning"}:
        radicular.append("Shooting, electric or burning quality")
    if attacks:
        radicular.append("Attacks of pain")

    if leg and not any(r.below_knee for r in leg):
        somatic.append("Symptoms stay above the knee")
    if "dull_ache" in qualities:
        somatic.append("Dull, deep ache")
    if follows_path is False:
        somatic.append("Pain moves around rather than following a path")
    if leg_worse_than_back is False:
        somatic.append("Back worse than leg")

    if not leg:
        pattern = NO_LEG
    elif len(radicular) >= RADICULAR_THRESHOLD and keele:
        pattern = RADICULAR
    elif len(radicular) <= 1 and len(somatic) >= 2:
        pattern = SOMATIC
    else:
        pattern = UNCLEAR
    return PatternSuggestion(
        pattern=pattern,
        summary=SUMMARIES[pattern],
        radicular_features=tuple(radicular),
        somatic_features=tuple(somatic),
    )
