"""Lumbar neurological examination: side-to-side differences, a suggested root level and the
upper motor neuron (UMN) screen (clinical.md §6).

Pure functions over frozen dataclasses: no Django, no database. Every result carries
`ALGORITHM_VERSION`, so a stored suggestion always says which rules produced it.

What the exam can and cannot say, and why the code is shaped this way:

- The level is a **suggested level, never a diagnosis** (§6.5). Muscles have multi-root
  innervation, so weakness often shows only in severe cases ✅ [S94]; pain drawings cannot
  place a level ✅ [S22, S23], so pain distribution weighs least.
- Findings count toward a side only when that side is worse than the other (or the other
  was not tested): the spec scores "the symptomatic side vs the other side" (§6.5 ⚠).
  Symmetric abnormal findings (e.g. both ankle jerks absent at 75) are listed, not scored,
  because they do not point to a side or a root.
- We store the *movement* tested, not only the root, and derive the roots from it: the
  spec asks for this because sources disagree about some muscles (§6.1, eversion L5 vs
  S1; tibialis anterior L4 vs L5).
- Any UMN sign means radiculopathy is not an adequate explanation (§6.4): urgent medical
  referral (§2.7). Those findings, progressive weakness and the exam's cauda equina
  findings set `raises_alert`, which feeds the same staff alert as the intake's red flags.
  Where an alert has an intake red-flag code (intake/rules/red_flags.json) we reuse it
  ("NEURO-PROGRESSIVE", "CES-6") so the two sources merge into one alert.

The package, by what each part is about:

- `vocabulary`: the codes (§6.6), the movement-to-root and dermatome maps (§6.1-6.3) and
  their labels;
- `rules`: the level-scoring weights and the alert thresholds, each with its source;
- `exam`: what the therapist records, validated on construction;
- `results`: what the assessment returns;
- `level`: side-to-side differences and the suggested level (§6.5);
- `alerts`: the UMN screen, progressive and severe weakness, foot drop and the saddle (§6.4,
  §2.2, §2.7);
- `assessment`: `assess_neuro`, which runs them and words the summary.

Import from `evaluations.neuro`: the names below are its public API.
"""

from evaluations.neuro.alerts import CES_SOURCE, FOOT_DROP_SOURCE, PROGRESSIVE_SOURCE, UMN_SOURCE
from evaluations.neuro.assessment import assess_neuro
from evaluations.neuro.exam import (
    DermatomeTest,
    MyotomeTest,
    NeuroExam,
    PainArea,
    ReflexTest,
    UmnTest,
)
from evaluations.neuro.results import (
    Asymmetry,
    Deficit,
    LevelSuggestion,
    NeuroAlert,
    NeuroResult,
    RootScore,
)
from evaluations.neuro.rules import (
    DEFICIT_MIN_WEIGHT,
    DERMATOME_WEIGHT,
    FOOT_DROP_MAX_GRADE,
    MYOTOME_WEIGHT,
    PAIN_WEIGHT,
    REFLEX_ROOT_WEIGHTS,
    REFLEX_WEIGHT,
    SEVERE_WEAKNESS_MAX_GRADE,
    SHARED_MYOTOME_WEIGHT,
    SUGGEST_THRESHOLD,
)
from evaluations.neuro.vocabulary import (
    ALGORITHM_VERSION,
    DERMATOME_AREAS,
    MOVEMENTS,
    NOTE,
    REFLEX_LABELS,
    ROOT_ORDER,
    AlertLevel,
    LevelConfidence,
    Modality,
    Movement,
    MovementInfo,
    Plantar,
    Reflex,
    ReflexGrade,
    Root,
    SensoryFinding,
    Side,
)

__all__ = [
    "ALGORITHM_VERSION",
    "CES_SOURCE",
    "DEFICIT_MIN_WEIGHT",
    "DERMATOME_AREAS",
    "DERMATOME_WEIGHT",
    "FOOT_DROP_MAX_GRADE",
    "FOOT_DROP_SOURCE",
    "MOVEMENTS",
    "MYOTOME_WEIGHT",
    "NOTE",
    "PAIN_WEIGHT",
    "PROGRESSIVE_SOURCE",
    "REFLEX_LABELS",
    "REFLEX_ROOT_WEIGHTS",
    "REFLEX_WEIGHT",
    "ROOT_ORDER",
    "SEVERE_WEAKNESS_MAX_GRADE",
    "SHARED_MYOTOME_WEIGHT",
    "SUGGEST_THRESHOLD",
    "UMN_SOURCE",
    "AlertLevel",
    "Asymmetry",
    "Deficit",
    "DermatomeTest",
    "LevelConfidence",
    "LevelSuggestion",
    "Modality",
    "Movement",
    "MovementInfo",
    "MyotomeTest",
    "NeuroAlert",
    "NeuroExam",
    "NeuroResult",
    "PainArea",
    "Plantar",
    "Reflex",
    "ReflexGrade",
    "ReflexTest",
    "Root",
    "RootScore",
    "SensoryFinding",
    "Side",
    "UmnTest",
    "assess_neuro",
]
