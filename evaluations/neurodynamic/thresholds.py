"""The numbers the neurodynamic rules use, each with its source as clinicians read it and
the spec's provenance for reviewers: the classic SLR range (30-70°, ✅ [S24]), the normal SLR
asymmetry, and the side-to-side onset-angle thresholds (the SLR's, derived ⚠, and the
product-defined one every other test reuses).
"""

import dataclasses

from evaluations.neurodynamic.vocabulary import NeurodynamicCode
from intake.scoring.common import AsDictMixin, Verification


@dataclasses.dataclass(frozen=True)
class CitedRange(AsDictMixin):
    low: int
    high: int
    source: str  # as clinicians read it (core.sources)
    verification: Verification
    provenance: str = ""  # the spec's reference ids and checks: never shown


@dataclasses.dataclass(frozen=True)
class AngleThreshold(AsDictMixin):
    """A side-to-side onset-angle difference above `degrees` is flagged."""

    degrees: int
    source: str  # as clinicians read it (core.sources)
    verification: Verification
    product_defined: bool
    provenance: str = ""  # the spec's reference ids and checks: never shown


# "reproduces the patient's radiating pain along the sciatic course and below the knee at
# 30-70° of hip flexion" ✅ [S24]. Inclusive at both ends.
SLR_POSITIVE_RANGE = CitedRange(
    low=30,
    high=70,
    source="Pesonen J et al. BMC Musculoskelet Disord 2021",
    verification=Verification.VERIFIED,
    provenance="clinical.md 5.1 ✅ [S24]",
)
# Normal SLR asymmetry ✅ [S81]: mean inter-limb difference about 5° (SD 3.5) with the ankle
# plantarflexed and about 4° (SD 3.2) dorsiflexed. Kept for reports; the flag uses the next.
SLR_NORMAL_ASYMMETRY_DEG = {"ankle_plantarflexed": (5.0, 3.5), "ankle_dorsiflexed": (4.0, 3.2)}
# "An inter-limb difference above roughly 10° may be abnormal" ⚠: the spec's own value,
# derived from [S81]'s data, not stated in the source.
SLR_ASYMMETRY_THRESHOLD = AngleThreshold(
    degrees=10,
    source="Derived from the side-to-side differences in Boyd & Villa 2012",
    verification=Verification.UNVERIFIED,
    product_defined=False,
    provenance="clinical.md 5.1 ⚠: derived from [S81]'s data, not stated there",
)
# ⚠ Product-defined: the spec gives no between-side threshold for any other test, so the
# SLR's 10° is reused (the crossed SLR included: [S81]'s data are for the plain SLR). Named
# separately so it can be changed without touching the SLR's cited value.
PRODUCT_DEFINED_ASYMMETRY_THRESHOLD = AngleThreshold(
    degrees=10,
    source="Set by this product: no published side-to-side threshold for this test",
    verification=Verification.UNVERIFIED,
    product_defined=True,
    provenance="clinical.md 5: no between-side threshold for this test ⚠",
)


def asymmetry_threshold(code: NeurodynamicCode) -> AngleThreshold:
    if code is NeurodynamicCode.SLR:
        return SLR_ASYMMETRY_THRESHOLD
    return PRODUCT_DEFINED_ASYMMETRY_THRESHOLD
