"""The numbers the neurological rules use (clinical.md §6.5 "algorithm sketch" ⚠, §2.2, §2.7):
level-scoring weights, the suggestion threshold and the weakness thresholds behind the
alerts, each with its source or its ⚠ product-defined reason. Changing one changes what
`ALGORITHM_VERSION` means: bump it.
"""

from evaluations.neuro.vocabulary import Reflex, ReflexGrade, Root, SensoryFinding

# --- Level-scoring weights (§6.5 "algorithm sketch" ⚠) -------------------------------------
# The spec's sketch: reflex asymmetry 3, myotome weakness (MRC <= 4) 3, dermatomal sensory
# loss 2, pain distribution 1. Each kind of finding counts once per root (its strongest
# instance), so one weak root cannot outscore a root with motor, sensory and reflex signs
# just because more of its muscles were tested. ⚠ product-defined: the once-per-kind cap.
REFLEX_WEIGHT = 3
MYOTOME_WEIGHT = 3
DERMATOME_WEIGHT = 2
PAIN_WEIGHT = 1
# ⚠ product-defined: a movement the spec files under two roots cannot separate them, so it
# gives each root 2 instead of 3.
SHARED_MYOTOME_WEIGHT = 2
# ⚠ product-defined: the patellar reflex is "L3-L4 (mainly L4)" ✅ [S86-S88], so L4 takes
# the full weight and L3 the shared weight. The medial hamstring (L5) has low reliability
# and is no standard reflex ⚠ [S87, S92]: weight 1.
REFLEX_ROOT_WEIGHTS: dict[Reflex, dict[Root, int]] = {
    Reflex.PATELLAR: {Root.L4: REFLEX_WEIGHT, Root.L3: 2},
    Reflex.ACHILLES: {Root.S1: REFLEX_WEIGHT},
    Reflex.MEDIAL_HAMSTRING: {Root.L5: 1},
}

# ⚠ product-defined: the spec says "suggest the top root(s) only if the score passes a
# threshold" without a number. 3 = one reflex or single-root myotome finding, or two
# weaker findings (e.g. dermatomal loss plus pain in that dermatome).
SUGGEST_THRESHOLD = 3
# ⚠ product-defined: a finding must carry at least this weight to count as objective
# conduction loss (radiculopathy). Keeps a reduced medial hamstring jerk alone, a
# low-reliability reflex, from labelling anyone as having radiculopathy.
DEFICIT_MIN_WEIGHT = 2
# Acute or progressive foot drop: dorsiflexion <= 3/5 (Oxford/MRC) ✅ [S28].
FOOT_DROP_MAX_GRADE = 3
# ⚠ product-defined reading of CES-6 "severe ... bilateral neurological deficit" ✅ [S12,
# S13, S27]: the same movement <= 3/5 on both sides (the foot-drop threshold).
SEVERE_WEAKNESS_MAX_GRADE = 3

_SENSORY_LOSS = {
    SensoryFinding.NORMAL: 0,
    SensoryFinding.INCREASED: 0,  # a positive sign, not conduction loss
    SensoryFinding.REDUCED: 1,
    SensoryFinding.ABSENT: 2,
}
_REFLEX_RANK = {grade: rank for rank, grade in enumerate(ReflexGrade)}
_REDUCED_REFLEXES = frozenset({ReflexGrade.ABSENT, ReflexGrade.DIMINISHED})
_HYPERREFLEXIA = frozenset({ReflexGrade.BRISK, ReflexGrade.WITH_CLONUS})
