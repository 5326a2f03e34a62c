"""Numeric Pain Rating Scale (NPRS, 0-10) for back pain and leg pain.

Source: clinical.md §3.2. The NPRS is a generic scale that may ship with its text (§3.0).

Each region (back, leg) is rated now, at best and at worst over the last 24 hours; the
recall period is part of the item id, as the spec asks (§3.2 ⚠). The spec describes no
composite (such as the mean of now/best/worst), so none is computed: each rating is
reported and banded on its own.
"""

import dataclasses
from collections.abc import Mapping

from .common import (
    AsDictMixin,
    Band,
    ChangeThreshold,
    Verification,
    reject_unknown_ids,
    require_int_in_range,
)

ALGORITHM_VERSION = "nprs-1.0"
INSTRUMENT_CODE = "nprs_0_10"
LOINC_NPRS = "72514-3"  # ✅ clinical.md §0.1 item 5 and §7.2 [S96]

# Scale anchors ✅ [S55].
ANCHORS = {0: "No pain", 10: "Worst imaginable pain"}
RATING_MIN, RATING_MAX = 0, 10

REGIONS = ("back", "leg")
TIMEPOINTS = ("now", "best_24h", "worst_24h")
ITEM_IDS = tuple(f"nprs_{region}_{when}" for region in REGIONS for when in TIMEPOINTS)


@dataclasses.dataclass(frozen=True)
class BandScheme(AsDictMixin):
    """A named set of severity bands covering every rating from 0 to 10."""

    code: str
    source: str  # as clinicians read it
    verification: Verification
    bands: tuple[Band, ...]
    provenance: str = ""  # the spec's reference ids and checks: never shown

    def __post_init__(self) -> None:
        expected: float = RATING_MIN
        for band in self.bands:
            if band.lower != expected or band.upper < band.lower:
                raise ValueError(f"NPRS band scheme {self.code!r} must cover 0-10 without gaps.")
            expected = band.upper + 1
        if expected != RATING_MAX + 1:
            raise ValueError(f"NPRS band scheme {self.code!r} must cover 0-10 without gaps.")

    def band_for(self, rating: int) -> Band:
        rating = require_int_in_range(
            rating, low=RATING_MIN, high=RATING_MAX, what="An NPRS rating"
        )
        return next(band for band in self.bands if band.lower <= rating <= band.upper)


# Severity bands are not standardised (§3.2), so the scheme is a parameter and its code is
# stored with every result.
BOONSTRA_2016 = BandScheme(
    code="boonstra_2016_chronic_msk",
    source="Boonstra AM et al. Front Psychol 2016 (chronic musculoskeletal pain)",
    verification=Verification.VERIFIED,
    provenance="clinical.md 3.2 ✅ [S56]",
    # As the spec states it, "≤5 mild", which labels 0 as mild too.
    bands=(
        Band("mild", "Mild", 0, 5),
        Band("moderate", "Moderate", 6, 7),
        Band("severe", "Severe", 8, 10),
    ),
)
COMMON_1_3_4_6_7_10 = BandScheme(
    code="common_1_3_4_6_7_10",
    source="Common 1-3 / 4-6 / 7-10 split",
    verification=Verification.UNVERIFIED,
    provenance="clinical.md 3.2 ⚠: no published source",
    # The split starts at 1; 0 gets a "none" band so every rating has one.
    bands=(
        Band("none", "No pain", 0, 0),
        Band("mild", "Mild", 1, 3),
        Band("moderate", "Moderate", 4, 6),
        Band("severe", "Severe", 7, 10),
    ),
)
DEFAULT_BAND_SCHEME = BOONSTRA_2016

MCID = ChangeThreshold(
    kind="MCID",
    points=2,
    relative_percent=30,
    source="Ostelo RWJG et al. Spine 2008;33(1):90-94",
    verification=Verification.VERIFIED,
    note=(
        "2 points or a 30% improvement. Childs 2005 (LBP, PT setting) found 2.2 at 1 week and "
        "1.5 at 4 weeks; the MCID rises with baseline severity: 1 mild, 2 moderate, 3-4 "
        "severe."
    ),
    provenance="clinical.md 3.2 ✅ [S51]; Childs [S54]; baseline severity [S55]",
)
MDC = ChangeThreshold(
    kind="MDC",
    points=2,
    source="Childs JD et al. Spine 2005;30(11):1331-1334",
    verification=Verification.VERIFIED,
    provenance="clinical.md 3.2 ✅ [S54]",
)


@dataclasses.dataclass(frozen=True)
class NprsRegionResult(AsDictMixin):
    region: str  # "back" or "leg"
    now: int | None
    best_24h: int | None
    worst_24h: int | None
    now_band: Band | None
    best_24h_band: Band | None
    worst_24h_band: Band | None
    complete: bool
    missing_items: tuple[str, ...]


@dataclasses.dataclass(frozen=True)
class NprsResult(AsDictMixin):
    back: NprsRegionResult
    leg: NprsRegionResult
    complete: bool
    missing_items: tuple[str, ...]
    band_scheme: str
    band_scheme_source: str
    mcid: ChangeThreshold = MCID
    mdc: ChangeThreshold = MDC
    loinc: str = LOINC_NPRS
    instrument: str = INSTRUMENT_CODE
    algorithm_version: str = ALGORITHM_VERSION


def score_nprs(
    answers: Mapping[str, int | None],
    *,
    band_scheme: BandScheme = DEFAULT_BAND_SCHEME,
) -> NprsResult:
    """Check and band the six ratings in `{item_id: 0-10 or None}`.

    Item ids are `nprs_<back|leg>_<now|best_24h|worst_24h>`; an absent or None item is
    missing. Missing items leave the other ratings usable, since each stands alone.
    """
    reject_unknown_ids(answers, known=ITEM_IDS, instrument="NPRS")
    ratings = {
        item_id: require_int_in_range(
            answers[item_id],
            low=RATING_MIN,
            high=RATING_MAX,
            what=f"The pain rating {item_id}",
        )
        for item_id in ITEM_IDS
        if answers.get(item_id) is not None
    }
    back, leg = (_region(region, ratings, band_scheme) for region in REGIONS)
    missing = back.missing_items + leg.missing_items
    return NprsResult(
        back=back,
        leg=leg,
        complete=not missing,
        missing_items=missing,
        band_scheme=band_scheme.code,
        band_scheme_source=band_scheme.source,
    )


def _region(region: str, ratings: Mapping[str, int], scheme: BandScheme) -> NprsRegionResult:
    values = {when: ratings.get(f"nprs_{region}_{when}") for when in TIMEPOINTS}
    bands = {when: None if v is None else scheme.band_for(v) for when, v in values.items()}
    missing = tuple(f"nprs_{region}_{when}" for when in TIMEPOINTS if values[when] is None)
    return NprsRegionResult(
        region=region,
        now=values["now"],
        best_24h=values["best_24h"],
        worst_24h=values["worst_24h"],
        now_band=bands["now"],
        best_24h_band=bands["best_24h"],
        worst_24h_band=bands["worst_24h"],
        complete=not missing,
        missing_items=missing,
    )
