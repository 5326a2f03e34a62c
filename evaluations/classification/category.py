"""The suggested category (clinical.md §1.1-1.4): the features for radicular pain, somatic
referred pain, neurogenic claudication and a vascular cause read off the findings, and the
⚠ product-defined rules that weigh them into one category with its evidence for and against.
"""

from evaluations.classification.records import ClassificationFindings
from evaluations.classification.vocabulary import Category, Neurodynamic, Side

# ⚠ product-defined thresholds (the spec lists features per category, not how many).
# Mirrors the intake's pattern suggestion: three radicular features including at least
# one item of the Keele diagnostic model (Stynes 2018 ✅ [S19]).
RADICULAR_MIN_FEATURES = 3
SOMATIC_MIN_FEATURES = 2
# Somatic referred pain tolerates one radicular-looking feature: it "can go below the knee
# when severe" ✅ [S3, S5].
SOMATIC_MAX_RADICULAR_FEATURES = 1
# ⚠ product-defined: the spec gives no age for lumbar spinal stenosis; older age is
# supporting evidence only, never required.
NC_SUPPORTING_AGE_OVER = 60

# --- Features --------------------------------------------------------------------------------

KEELE_BELOW_KNEE = "Pain below the knee"
KEELE_LEG_WORSE = "Leg pain worse than back pain"
KEELE_NEURAL = "Positive neural tension test"
KEELE_DEFICIT = "Neurological deficit"


def _radicular_features(f: ClassificationFindings) -> list[str]:
    out = []
    if f.pain_below_knee:
        out.append("Pain below the knee (Keele model item)")
    if f.leg_worse_than_back:
        out.append("Leg pain worse than back pain (Keele model item)")
    if f.neurodynamic is Neurodynamic.POSITIVE_NEURAL:
        out.append(
            "Neurodynamic test positive: reproduces the leg pain and changes with structural "
            "differentiation (Keele model item)"
        )
    if f.dermatomal_distribution:
        out.append("Pain in a narrow band or a typical dermatomal distribution")
    if f.radicular_quality:
        out.append("Shooting, lancinating or electric-shock pain")
    if f.worse_on_cough:
        out.append("Worse on coughing, sneezing or straining")
    if f.paroxysmal:
        out.append("Paroxysmal (attack-like) pain")
    if f.varies_with_back_pain is False:
        out.append("Leg pain does not simply rise and fall with the back pain")
    return out


def _has_keele_item(f: ClassificationFindings) -> bool:
    return bool(
        f.pain_below_knee or f.leg_worse_than_back or f.neurodynamic is Neurodynamic.POSITIVE_NEURAL
    )


def _somatic_features(f: ClassificationFindings) -> list[str]:
    out = []
    if f.leg_pain and f.pain_below_knee is False:
        out.append("Pain stays above the knee")
    if f.leg_worse_than_back is False:
        out.append("Back pain as bad as or worse than the leg pain")
    if f.somatic_quality:
        out.append("Dull, deep, pressure-like ache")
    if f.varies_with_back_pain:
        out.append("Leg pain rises and falls with the back pain")
    if f.neurodynamic is Neurodynamic.NEGATIVE:
        out.append("Neurodynamic tests negative")
    elif f.neurodynamic is Neurodynamic.NON_NEURAL_REPRODUCTION:
        out.append(
            "Neurodynamic test reproduces symptoms that do not change with structural "
            "differentiation (non-neural)"
        )
    # A non-dermatomal drawing is deliberately not listed: 64% of radicular pain is
    # non-dermatomal ✅ [S22].
    return out


def _keele_items(f: ClassificationFindings) -> list[str]:
    present = [
        (f.pain_below_knee, KEELE_BELOW_KNEE),
        (f.leg_worse_than_back, KEELE_LEG_WORSE),
        (f.neurodynamic is Neurodynamic.POSITIVE_NEURAL, KEELE_NEURAL),
        (f.neuro_deficit, KEELE_DEFICIT),
    ]
    return [label for flag, label in present if flag]


def _deficit_text(f: ClassificationFindings) -> str:
    where = []
    if f.deficit_side:
        where.append(f.deficit_side.value.lower())
    if f.deficit_levels:
        where.append("suggested level " + " or ".join(f.deficit_levels))
    return "Objective neurological deficit (conduction loss)" + (
        f": {', '.join(where)}" if where else ""
    )


def _nc_core(f: ClassificationFindings) -> bool:
    return bool(f.walking_or_standing_symptoms and (f.relieved_by_sitting or f.relieved_by_flexion))


def _nc_features(f: ClassificationFindings) -> list[str]:
    out = []
    if f.walking_or_standing_symptoms:
        out.append("Leg symptoms brought on by walking or standing")
    if f.relieved_by_sitting:
        out.append("Relieved by sitting")
    if f.relieved_by_flexion:
        out.append("Relieved by bending forward (shopping-cart sign)")
    if f.leg_pain_side is Side.BILATERAL:
        out.append("Symptoms in both legs")
    if f.leg_pain and f.pain_below_knee is False:
        out.append("Symptoms mainly above the knees")
    if f.age is not None and f.age > NC_SUPPORTING_AGE_OVER:
        out.append(f"Age over {NC_SUPPORTING_AGE_OVER}")
    return out


def _vascular_features(f: ClassificationFindings) -> list[str]:
    out = []
    if f.relieved_by_standing_still:
        out.append("Relieved by standing still (suggests vascular claudication)")
    if f.reduced_foot_pulses:
        out.append("Reduced foot pulses (suggests vascular claudication)")
    return out


def _sides_conflict(f: ClassificationFindings) -> bool:
    sides = {f.leg_pain_side, f.deficit_side}
    return sides == {Side.LEFT, Side.RIGHT}


# --- Category --------------------------------------------------------------------------------


def _category(f: ClassificationFindings) -> tuple[Category, list[str], list[str]]:
    """The suggested category with its evidence for and against."""
    radicular = _radicular_features(f)
    somatic = _somatic_features(f)
    rad_ok = len(radicular) >= RADICULAR_MIN_FEATURES and _has_keele_item(f)
    som_ok = len(somatic) >= SOMATIC_MIN_FEATURES
    deficit = [_deficit_text(f)] if f.neuro_deficit else []
    conflict = (
        ["The deficit is on the other side from the leg pain: it does not match the pain"]
        if _sides_conflict(f)
        else []
    )

    if f.umn_signs:
        # §6.4: radiculopathy is not an adequate explanation.
        return (
            Category.UNCLEAR,
            deficit + radicular,
            ["Upper motor neuron signs: radiculopathy does not explain them"],
        )
    if not f.leg_pain:
        if f.neuro_deficit:
            return Category.RADICULOPATHY_PAINLESS, [*deficit, "No leg pain"], []
        against = [] if f.neuro_deficit is False else ["Neurological exam not recorded"]
        return Category.LBP_ONLY_NO_LEG_PAIN, ["No leg pain"], against
    if _nc_core(f):
        nc = _nc_features(f)
        vascular = _vascular_features(f)
        below_knee = (
            ["Symptoms go below the knee (neurogenic claudication is mainly above the knees)"]
            if f.pain_below_knee
            else []
        )
        if vascular:
            return Category.UNCLEAR, nc, [*vascular, *below_knee]
        if f.neuro_deficit:
            # ⚠ product-defined: stenosis with a root deficit is both pictures at once.
            return Category.MIXED, nc + deficit + radicular, below_knee
        return Category.NEUROGENIC_CLAUDICATION, nc, below_knee
    if f.neuro_deficit:
        if conflict:
            return Category.UNCLEAR, deficit + radicular, conflict
        if som_ok and not radicular:
            # An objective deficit with pain that looks entirely somatic: both are present.
            return Category.MIXED, deficit + somatic, []
        return Category.RADICULOPATHY_PAINFUL, deficit + radicular, somatic
    not_examined = (
        ["Neurological exam not recorded: radiculopathy not excluded"]
        if f.neuro_deficit is None
        else []
    )
    if rad_ok and som_ok:
        return Category.MIXED, radicular + somatic, not_examined
    if rad_ok:
        return Category.RADICULAR_PAIN, radicular, somatic + not_examined
    if som_ok and len(radicular) <= SOMATIC_MAX_RADICULAR_FEATURES:
        if f.neuro_deficit is None:
            # Somatic referred pain means no neurological signs: that needs the exam.
            return (
                Category.UNCLEAR,
                somatic,
                [
                    *radicular,
                    "Neurological exam not recorded: needed before suggesting "
                    "somatic referred pain (no neurological signs by definition)",
                ],
            )
        return Category.SOMATIC_REFERRED, [*somatic, "No neurological deficit"], radicular
    against = []
    if len(radicular) < RADICULAR_MIN_FEATURES or not _has_keele_item(f):
        against.append("Too few features to suggest radicular pain")
    if not som_ok:
        against.append("Too few features to suggest somatic referred pain")
    return Category.UNCLEAR, radicular + somatic, against + not_examined
