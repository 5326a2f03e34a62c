"""Oswestry Disability Index (ODI) v2.1a: percentage score and disability band.

Source: clinical.md §3.1.

Licensing (clinical.md §3.0): the ODI is © Jeremy Fairbank, distributed by Mapi Research
Trust. The repo must not hold its item or response text. This module ships section ids
("odi_1".."odi_10"), the section names the spec allows, and the scoring only. The clinic
loads the licensed wording as an instrument pack.

This is v2.1a, not the Modified ODI (Fritz & Irrgang 2001), which swaps "sex life" for
employment/homemaking and needs its own instrument code (§3.1).
"""

import dataclasses
import enum
from collections.abc import Mapping
from fractions import Fraction

from .common import (
    AsDictMixin,
    Band,
    ChangeThreshold,
    Verification,
    reject_unknown_ids,
    require_int_in_range,
    round_half_up,
)

ALGORITHM_VERSION = "odi-1.0"
INSTRUMENT_CODE = "odi_v2_1a"

SECTION_IDS = tuple(f"odi_{n}" for n in range(1, 11))
# Section names only, never statement text (§3.0, §3.1 ✅ [S47]).
SECTION_CODES = {
    "odi_1": "pain_intensity",
    "odi_2": "personal_care",
    "odi_3": "lifting",
    "odi_4": "walking",
    "odi_5": "sitting",
    "odi_6": "standing",
    "odi_7": "sleeping",
    "odi_8": "sex_life",
    "odi_9": "social_life",
    "odi_10": "travelling",
}
SECTION_MAX = 5  # six statements scored 0-5 ✅ [S35, S48]

# ⚠ The spec could not verify how many sections may be missing before the score is
# invalid (§3.1, §10 item 5: only Mapi's licensed manual has the table). It says to default
# to "≤1 missing (or ≤2, per the licensed user manual)" and to make it configurable; we
# default to 1 and callers may pass `max_missing_sections`.
DEFAULT_MAX_MISSING_SECTIONS = 1

BAND_SOURCE = "clinical.md §3.1 ✅ [S48, S49]"
# Integer bands from the spec. The spec asks how to band non-integer scores such as 20.5
# (⚠); we band the exact fraction with upper bounds inclusive (so 20.5 would be moderate).
# For the real ODI the question never arises: every score is 20·k/n for n ≤ 10 answered
# sections, which cannot fall strictly between 20 and 21 (or 40 and 41, …).
BANDS = (
    Band("minimal", "Minimal disability", 0, 20),
    Band("moderate", "Moderate disability", 21, 40),
    Band("severe", "Severe disability", 41, 60),
    Band("crippled", "Crippled", 61, 80),
    Band("bed_bound", "Bed-bound or exaggerating symptoms", 81, 100),
)

MCID = ChangeThreshold(
    kind="MCID",
    points=10,
    relative_percent=30,
    source="Ostelo RWJG et al. Spine 2008;33(1):90-94 (international consensus)",
    verification=Verification.VERIFIED,
    provenance="clinical.md 3.1 ✅ [S51]",
    note="10 points on the 0-100 scale, or a 30% improvement from baseline.",
)
MDC = ChangeThreshold(
    kind="MDC90",
    points=10,
    source="ODI scoring guides (modified ODI)",
    verification=Verification.PARTLY_VERIFIED,
    provenance="clinical.md 3.1 ◐ [S48]: secondary, refers to the modified ODI",
)


class OdiStatus(enum.StrEnum):
    COMPLETE = "complete"  # all 10 sections answered
    PRORATED = "prorated"  # some missing, within the allowed number; denominator reduced
    NOT_SCORABLE = "not_scorable"  # too many missing sections


@dataclasses.dataclass(frozen=True)
class OdiResult(AsDictMixin):
    status: OdiStatus
    total: int  # sum of the answered sections
    max_possible: int  # 5 x answered sections (the denominator)
    percentage: float | None  # 0-100, one decimal place; None when not scorable
    band: Band | None
    complete: bool
    missing_sections: tuple[str, ...]
    max_missing_sections: int
    mcid: ChangeThreshold = MCID
    mdc: ChangeThreshold = MDC
    band_source: str = BAND_SOURCE
    instrument: str = INSTRUMENT_CODE
    algorithm_version: str = ALGORITHM_VERSION

    @property
    def scorable(self) -> bool:
        return self.status is not OdiStatus.NOT_SCORABLE


def score_odi(
    sections: Mapping[str, int | None],
    *,
    max_missing_sections: int = DEFAULT_MAX_MISSING_SECTIONS,
) -> OdiResult:
    """Score the ODI from `{section_id: 0-5 or None}`.

    A section that is absent or None is missing; "not applicable" (e.g. sex life) is
    recorded the same way, because the spec treats both alike: each drops the denominator
    by 5 (§3.1 ✅ [S48]). If a patient marked more than one statement in a section, pass
    the highest (§3.1 ⚠).
    """
    require_int_in_range(
        max_missing_sections,
        low=0,
        high=len(SECTION_IDS) - 1,
        what="The number of ODI sections allowed to be missing",
    )
    reject_unknown_ids(sections, known=SECTION_IDS, instrument="ODI")
    answered = {
        section_id: require_int_in_range(
            sections[section_id],
            low=0,
            high=SECTION_MAX,
            what=f"ODI section {section_id} ({SECTION_CODES[section_id]})",
        )
        for section_id in SECTION_IDS
        if sections.get(section_id) is not None
    }
    missing = tuple(section_id for section_id in SECTION_IDS if section_id not in answered)
    total = sum(answered.values())
    max_possible = SECTION_MAX * len(answered)
    if len(missing) > max_missing_sections:
        return OdiResult(
            status=OdiStatus.NOT_SCORABLE,
            total=total,
            max_possible=max_possible,
            percentage=None,
            band=None,
            complete=False,
            missing_sections=missing,
            max_missing_sections=max_missing_sections,
        )
    # Never divide by 50 when sections are missing (the PACIO pitfall, §3.1).
    exact = Fraction(total * 100, max_possible)
    return OdiResult(
        status=OdiStatus.PRORATED if missing else OdiStatus.COMPLETE,
        total=total,
        max_possible=max_possible,
        percentage=round_half_up(exact, 1),
        band=band_for(exact),
        complete=not missing,
        missing_sections=missing,
        max_missing_sections=max_missing_sections,
    )


def band_for(percentage: Fraction | float) -> Band:
    """The spec's disability band for a 0-100 score; upper bounds are inclusive."""
    if not 0 <= percentage <= 100:
        raise ValueError(f"An ODI score must be from 0 to 100; got {float(percentage)}.")
    for band in BANDS[:-1]:
        if percentage <= band.upper:
            return band
    return BANDS[-1]
