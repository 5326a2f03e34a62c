"""McKenzie / MDT repeated-movement tests: how each test changed the patient's symptoms, and
whether the tests together suggest a directional preference.

Source: clinical.md §4. Pure functions: no Django, no database. Records and results are
frozen dataclasses, and every result carries `ALGORITHM_VERSION`, so a stored finding always
says how it was derived.

What the spec gives us, and what we had to decide:

- Centralisation ✅ [S72, S73]: referred symptoms retreat distal to proximal and distal pain is
  abolished; in back-only pain, widespread pain becomes central and then goes. Peripheralisation
  is the opposite ⚠ (standard MDT usage).
- Directional preference (DP) ✅ [S75]: a repeated or sustained movement (or posture) in one
  direction that brings about centralisation or abolition of symptoms. It is usually
  accompanied by improved range ⚠. The spec's derived rule (§4.4) also accepts
  "DECREASES + BETTER", but only together with ROM_INCREASED.
- Test codes (§4.2), the distal-site scale and the during / after / mechanical vocabularies
  (§4.3, §4.4) are product-defined ⚠: the McKenzie Institute's licensed form wording is not
  verified (§10 item 9). The codes below are the spec's, spelled exactly.

A suggestion from the recorded tests, never a diagnosis: the therapist decides.

The package, by what each part is about:

- `vocabulary`: the codes (§4.2-§4.4), each test's standard loading and direction, and the
  words for sites and directions;
- `record`: `RepeatedMovementTest`, one test as recorded, refused when it contradicts itself;
- `response`: `classify`, what one test did to the symptoms and what it says about its
  direction;
- `preference`: `summarise`, all tests together and the suggested directional preference.

Import from `evaluations.mdt`: the names below are its public API.
"""

from evaluations.mdt.preference import DirectionFinding, Evidence, MdtSummary, summarise
from evaluations.mdt.record import RepeatedMovementTest
from evaluations.mdt.response import MovementResult, classify
from evaluations.mdt.vocabulary import (
    ALGORITHM_VERSION,
    DIRECTION_WORDS,
    MOVEMENT_LABELS,
    NO_PREFERENCE,
    NOTE,
    NPRS_MAX,
    NPRS_MIN,
    REPETITIONS_MAX,
    REPETITIONS_MIN,
    SITE_WORDS,
    STANDARD_DIRECTION,
    STANDARD_LOADING,
    SUSTAINED_POSTURES,
    UNCLEAR,
    AfterResponse,
    Basis,
    Direction,
    DistalSite,
    DuringResponse,
    ForceProgression,
    Loading,
    MechanicalResponse,
    MovementCode,
    Role,
    SymptomResponse,
)

__all__ = [
    "ALGORITHM_VERSION",
    "DIRECTION_WORDS",
    "MOVEMENT_LABELS",
    "NOTE",
    "NO_PREFERENCE",
    "NPRS_MAX",
    "NPRS_MIN",
    "REPETITIONS_MAX",
    "REPETITIONS_MIN",
    "SITE_WORDS",
    "STANDARD_DIRECTION",
    "STANDARD_LOADING",
    "SUSTAINED_POSTURES",
    "UNCLEAR",
    "AfterResponse",
    "Basis",
    "Direction",
    "DirectionFinding",
    "DistalSite",
    "DuringResponse",
    "Evidence",
    "ForceProgression",
    "Loading",
    "MdtSummary",
    "MechanicalResponse",
    "MovementCode",
    "MovementResult",
    "RepeatedMovementTest",
    "Role",
    "SymptomResponse",
    "classify",
    "summarise",
]
