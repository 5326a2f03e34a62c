"""Body chart regions and what a patient can say is felt there. Pure data and helpers.

Codes are stable: they are stored with answers and used by triage and the pattern
suggestion. Labels are plain language for the tablet: English here, marked for
translation (gettext_noop), and shown in the patient's language by the tablet's form
(intake.forms.WhereForm); staff pages, the PDF and the evaluation's "where felt" read
them in English, as they are here.
"""

from collections.abc import Mapping
from dataclasses import dataclass

from django.utils.translation import gettext_noop


@dataclass(frozen=True)
class Region:
    code: str
    label: str
    view: str  # "front" or "back" of the chart
    side: str  # "left", "right" or "centre"
    leg: bool  # thigh downwards: leg symptoms
    below_knee: bool


def _pair(
    code: str,
    labels: tuple[str, str],
    view: str,
    *,
    leg: bool = False,
    below_knee: bool = False,
) -> list[Region]:
    """The left and right regions, labelled (left, right): each label whole, as a
    translation needs it."""
    return [
        Region(f"{code}_{side[0]}", label, view, side, leg, below_knee)
        for side, label in zip(("left", "right"), labels, strict=True)
    ]


REGIONS: tuple[Region, ...] = (
    Region("low_back_c", gettext_noop("Low back, centre"), "back", "centre", False, False),
    *_pair("low_back", (gettext_noop("Low back, left"), gettext_noop("Low back, right")), "back"),
    *_pair("buttock", (gettext_noop("Buttock, left"), gettext_noop("Buttock, right")), "back"),
    *_pair("hip", (gettext_noop("Hip, left"), gettext_noop("Hip, right")), "front"),
    *_pair("groin", (gettext_noop("Groin, left"), gettext_noop("Groin, right")), "front"),
    *_pair(
        "thigh_front",
        (gettext_noop("Front of thigh, left"), gettext_noop("Front of thigh, right")),
        "front",
        leg=True,
    ),
    *_pair(
        "thigh_back",
        (gettext_noop("Back of thigh, left"), gettext_noop("Back of thigh, right")),
        "back",
        leg=True,
    ),
    *_pair("knee", (gettext_noop("Knee, left"), gettext_noop("Knee, right")), "front", leg=True),
    *_pair(
        "calf_shin",
        (gettext_noop("Calf and shin, left"), gettext_noop("Calf and shin, right")),
        "back",
        leg=True,
        below_knee=True,
    ),
    *_pair(
        "foot",
        (gettext_noop("Foot and toes, left"), gettext_noop("Foot and toes, right")),
        "front",
        leg=True,
        below_knee=True,
    ),
    Region(
        "saddle",
        # Translators: safety wording; product translation, to be reviewed by a qualified
        # medical translator and a clinician before use.
        gettext_noop("Saddle area (between the legs, back passage, genitals)"),
        "back",
        "centre",
        False,
        False,
    ),
)
REGION_BY_CODE: dict[str, Region] = {r.code: r for r in REGIONS}

SENSATIONS: dict[str, str] = {
    "pain": gettext_noop("Pain"),
    "pins_needles": gettext_noop("Pins and needles or tingling"),
    "numbness": gettext_noop("Numbness"),
    "burning": gettext_noop("Burning"),
    "weakness": gettext_noop("Weakness"),
}
NEURO_SENSATIONS = frozenset({"pins_needles", "numbness", "weakness"})


def validate_chart(marks: Mapping[str, list[str]]) -> dict[str, list[str]]:
    """Keep known regions and sensations only, de-duplicated and in a stable order."""
    clean = {}
    for code, felt in marks.items():
        if code in REGION_BY_CODE:
            kept = [s for s in SENSATIONS if s in set(felt)]
            if kept:
                clean[code] = kept
    return clean


def leg_sides(marks: Mapping[str, list[str]]) -> set[str]:
    return {REGION_BY_CODE[c].side for c in marks if c in REGION_BY_CODE and REGION_BY_CODE[c].leg}


def derived_red_flag_items(marks: Mapping[str, list[str]]) -> set[str]:
    """Red-flag items the chart itself shows (clinical.md 8: bilateral leg -> CES rule)."""
    items = set()
    if leg_sides(marks) >= {"left", "right"}:
        items.add("CES-1")
    if "saddle" in marks and set(marks["saddle"]) & (NEURO_SENSATIONS | {"burning"}):
        items.add("CES-2")
    if any(
        REGION_BY_CODE[c].leg and set(felt) & NEURO_SENSATIONS
        for c, felt in marks.items()
        if c in REGION_BY_CODE
    ):
        items.add("SX-NEURO")
    return items


# --- Reading regions back (read-only helpers for other forms and pages) ----------------------

# The chart's regions by area of the body, top down, for choosers that list them (the
# evaluation's "where felt"). Every region is in exactly one area.
AREAS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("Low back and buttock", ("low_back_c", "low_back_l", "low_back_r", "buttock_l", "buttock_r")),
    ("Hip and groin", ("hip_l", "hip_r", "groin_l", "groin_r")),
    (
        "Thigh and knee",
        ("thigh_front_l", "thigh_front_r", "thigh_back_l", "thigh_back_r", "knee_l", "knee_r"),
    ),
    ("Below the knee", ("calf_shin_l", "calf_shin_r", "foot_l", "foot_r")),
    ("Saddle area", ("saddle",)),
)


def regions_by_area() -> tuple[tuple[str, tuple[Region, ...]], ...]:
    return tuple((area, tuple(REGION_BY_CODE[c] for c in codes)) for area, codes in AREAS)


def region_label(code: str) -> str:
    """The region's plain-language label; an unknown code comes back as it is, so nothing
    stored is hidden."""
    region = REGION_BY_CODE.get(code)
    return region.label if region else code


def _words(text: str) -> str:
    return " ".join(text.replace(",", " ").split()).casefold()


_BY_WORDS: dict[str, str] = {
    **{_words(r.label): r.code for r in REGIONS},
    **{r.code.casefold(): r.code for r in REGIONS},
}


def parse_regions(text: str) -> tuple[list[str], list[str]]:
    """Region codes from a comma-separated list of codes or labels ("thigh_back_l,
    Calf and shin, left"), as stored with evaluations and typed into older drafts; and
    the pieces that name no region. Labels hold commas themselves, so a piece joined with
    the next one is tried first."""
    pieces = [p.strip() for p in text.split(",") if p.strip()]
    codes: list[str] = []
    unknown: list[str] = []
    i = 0
    while i < len(pieces):
        pair = _words(f"{pieces[i]} {pieces[i + 1]}") if i + 1 < len(pieces) else None
        if pair is not None and pair in _BY_WORDS:
            codes.append(_BY_WORDS[pair])
            i += 2
            continue
        code = _BY_WORDS.get(_words(pieces[i]))
        if code is None:
            unknown.append(pieces[i])
        else:
            codes.append(code)
        i += 1
    return list(dict.fromkeys(codes)), unknown
