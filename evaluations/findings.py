"""From an evaluation's stored sections to what the pure clinical functions derive.

Pure: no database, no request. The section forms store plain JSON (`Evaluation.content`,
in the format `evaluations.records` reads and writes); these converters turn it into the
typed inputs of `mdt`, `neurodynamic`, `neuro` and
`classification`, and `derive` runs them all, so the page, the PDF and the tests read the
same findings. Every result carries its own algorithm version; `ALGORITHM_VERSION` names
this wiring.
"""

from __future__ import annotations

import enum
from collections.abc import Mapping
from datetime import date
from typing import Any, TypeVar, cast

from evaluations import classification, mdt, neuro, neurodynamic, records
from evaluations.records import NEURO
from intake import triage
from intake.bodychart import NEURO_SENSATIONS, REGION_BY_CODE
from intake.questions import UNSURE, YES
from intake.scoring.odi import SECTION_IDS as ODI_SECTION_IDS
from intake.scoring.odi import score_odi
from intake.scoring.psfs import score_psfs

ALGORITHM_VERSION = "evaluation-findings-1.0"

# --- Section content to typed inputs ---------------------------------------------------------


def _none_if_blank(value: Any) -> Any:
    return None if value in ("", None) else value


Code = TypeVar("Code", bound=enum.StrEnum)


def _stored_code(kind: type[Code], value: Any) -> Code:
    """A required code as stored: its string value, blank when not recorded. The record
    dataclasses coerce and check codes themselves (a blank one raises their readable
    ValueError), so it goes through unchanged; the cast names the type it has once coerced."""
    return cast(Code, value or "")


def movement_test(row: Mapping[str, Any]) -> mdt.RepeatedMovementTest:
    """One stored repeated-movement row. Raises ValueError with a readable reason."""
    return mdt.RepeatedMovementTest(
        movement_code=row["movement_code"],
        custom_label=row.get("custom_label") or "",
        pre_distal_site=_stored_code(mdt.DistalSite, row.get("pre_distal_site")),
        post_distal_site=_stored_code(mdt.DistalSite, row.get("post_distal_site")),
        after_response=_stored_code(mdt.AfterResponse, row.get("after_response")),
        repetitions=_none_if_blank(row.get("repetitions")),
        during_responses=tuple(row.get("during_responses") or ()),
        mechanical_response=_none_if_blank(row.get("mechanical_response")),
        pre_nprs=_none_if_blank(row.get("pre_nprs")),
        loading=_none_if_blank(row.get("loading")),
        force_progression=row.get("force_progression") or mdt.ForceProgression.PATIENT,
        direction=_none_if_blank(row.get("direction")),
        measure_name=row.get("measure_name") or "",
        measure_value=_none_if_blank(row.get("measure_value")),
        measure_unit=row.get("measure_unit") or "",
    )


def movement_tests(section: Mapping[str, Any] | None) -> list[mdt.RepeatedMovementTest]:
    """The recorded tests in the order they were done: by `order` where given, else as
    listed (the directional-preference rule reads the first direction that helped)."""
    rows = list((section or {}).get("rows") or ())
    indexed = sorted(
        enumerate(rows),
        key=lambda pair: (pair[1].get("order") is None, pair[1].get("order") or 0, pair[0]),
    )
    return [movement_test(row) for _, row in indexed]


def neurodynamic_test(row: Mapping[str, Any]) -> neurodynamic.NeurodynamicTest:
    location = row.get("symptom_location") or ""
    return neurodynamic.NeurodynamicTest(
        code=row["code"],
        side=row["side"],
        symptoms_reproduced=_stored_code(neurodynamic.Reproduction, row.get("symptoms_reproduced")),
        onset_angle_deg=_none_if_blank(row.get("onset_angle_deg")),
        measured_by=_none_if_blank(row.get("measured_by")),
        symptom_location=tuple(p.strip() for p in location.split(",") if p.strip()),
        below_knee=row.get("below_knee"),
        sd_manoeuvres=tuple(row.get("sd_manoeuvres") or ()),
        sd_changed_symptoms=row.get("sd_changed_symptoms") or neurodynamic.Change.NOT_DONE,
        resistance_rom_change=row.get("resistance_rom_change") or neurodynamic.Change.NOT_DONE,
        custom_label=row.get("custom_label") or "",
    )


def neurodynamic_tests(section: Mapping[str, Any] | None) -> list[neurodynamic.NeurodynamicTest]:
    return [neurodynamic_test(row) for row in (section or {}).get("rows") or ()]


SIDES = (("L", neuro.Side.LEFT), ("R", neuro.Side.RIGHT))
MYOTOME_MOVEMENTS = tuple(neuro.MOVEMENTS)
DERMATOME_ROOTS = tuple(neuro.Root)
DERMATOME_MODALITIES = (neuro.Modality.LIGHT_TOUCH, neuro.Modality.PIN_PRICK)
REFLEXES = tuple(neuro.Reflex)


def neuro_exam(section: Mapping[str, Any] | None) -> neuro.NeuroExam:
    """The neuro-exam record (flat, one key per cell: `records.NEURO`)."""
    s = section or {}
    myotomes, dermatomes, reflexes, umn = [], [], [], []
    for movement in MYOTOME_MOVEMENTS:
        for code, side in SIDES:
            grade = s.get(NEURO.myotome(movement, code))
            if grade is None or grade == "":
                continue
            myotomes.append(
                neuro.MyotomeTest(
                    movement=movement,
                    side=side,
                    grade=int(grade),
                    pain_inhibited=bool(s.get(NEURO.myotome_pain(movement, code))),
                )
            )
    for root in DERMATOME_ROOTS:
        for modality in DERMATOME_MODALITIES:
            for code, side in SIDES:
                finding = s.get(NEURO.dermatome(root, modality, code))
                if finding:
                    dermatomes.append(
                        neuro.DermatomeTest(
                            root=root, modality=modality, side=side, finding=finding
                        )
                    )
    for reflex in REFLEXES:
        for code, side in SIDES:
            grade = s.get(NEURO.reflex(reflex, code))
            if grade:
                reflexes.append(
                    neuro.ReflexTest(
                        reflex=reflex,
                        side=side,
                        grade=grade,
                        reinforced=bool(s.get(NEURO.reflex_reinforced(reflex, code))),
                    )
                )
    for code, side in SIDES:
        babinski = s.get(NEURO.babinski(code)) or None
        beats = _none_if_blank(s.get(NEURO.clonus(code)))
        sustained = bool(s.get(NEURO.clonus_sustained(code)))
        hoffmann = s.get(NEURO.hoffmann(code))
        if babinski or beats is not None or sustained or hoffmann is not None:
            umn.append(
                neuro.UmnTest(
                    side=side,
                    babinski=babinski,
                    clonus_beats=beats,
                    clonus_sustained=sustained,
                    hoffmann=hoffmann,
                )
            )
    progressive = {side for code, side in SIDES if s.get(NEURO.progressive(code))}
    return neuro.NeuroExam(
        myotomes=tuple(myotomes),
        dermatomes=tuple(dermatomes),
        reflexes=tuple(reflexes),
        umn=tuple(umn),
        progressive_weakness=frozenset(progressive),
        saddle_sensation=s.get(NEURO.saddle) or None,
        spasticity=bool(s.get(NEURO.spasticity)),
        gait_ataxia=bool(s.get(NEURO.gait_ataxia)),
    )


# --- What the intake already says, for the classification suggestion -------------------------

# What an intake answer says, looked up by the stored answer. The keys admit None because an
# answer may be missing, and a missing one is looked up like any other: it reads as unknown.
TRI_STATE: Mapping[str | None, bool] = {"yes": True, "no": False}
LEG_VS_BACK: Mapping[str | None, bool] = {"leg_worse": True, "back_worse": False, "same": False}
FOLLOWS_PATH: Mapping[str | None, bool] = {"path": True, "moves": False}


def _yes(value: Any) -> bool | None:
    if value in (YES, UNSURE):
        return True
    if value == "no":
        return False
    return None


def intake_inputs(
    answers: Mapping[str, Mapping] | None, *, age: int | None, episode: Mapping | None = None
) -> dict[str, Any]:
    """The history part of `classification.ClassificationFindings`, from the submitted
    intake's answers (unknown stays None: "not asked" is not "no")."""
    answers = answers or {}
    chart = (answers.get("where") or {}).get("chart") or {}
    feels = answers.get("feels") or {}
    when = answers.get("when") or {}
    regions = [REGION_BY_CODE[c] for c in chart if c in REGION_BY_CODE]
    leg = [r for r in regions if r.leg]
    leg_vs_back = feels.get("leg_vs_back")
    leg_pain = bool(leg) or leg_vs_back in ("leg_worse", "back_worse", "same")
    sides = {r.side for r in leg}
    side = None
    if leg_pain and sides:
        side = "BILATERAL" if {"left", "right"} <= sides else sides.pop().upper()
    qualities = set(feels.get("qualities") or ())
    worse_with = set(when.get("worse_with") or ())
    better_with = set(when.get("better_with") or ())
    out: dict[str, Any] = {
        "leg_pain": leg_pain,
        "leg_pain_side": side,
        "pain_below_knee": any(r.below_knee for r in leg) if leg_pain and chart else None,
        "leg_worse_than_back": LEG_VS_BACK.get(leg_vs_back) if leg_pain else None,
        "dermatomal_distribution": FOLLOWS_PATH.get(feels.get("follows_path")),
        "radicular_quality": bool(qualities & {"shooting", "electric", "burning"})
        if qualities
        else None,
        "somatic_quality": ("dull_ache" in qualities) if qualities else None,
        "worse_on_cough": _yes(feels.get("worse_on_cough")),
        "paroxysmal": _yes(feels.get("attacks")),
        "sensory_signs": None,
        "age": age,
    }
    if not leg_pain:
        out["pain_below_knee"] = None
    if when:
        out["walking_or_standing_symptoms"] = bool(worse_with & {"walking", "standing"})
        relief = when.get("sitting_relief")
        out["relieved_by_sitting"] = TRI_STATE.get(relief)
        cart = when.get("cart_relief")
        flexion = TRI_STATE.get(cart)
        if flexion is None and better_with:
            flexion = "bending" in better_with
        out["relieved_by_flexion"] = flexion
    if episode and episode.get("weeks") is not None:
        out["pain_at_least_3_months"] = episode["weeks"] >= 13
    # Numbness or tingling drawn in the leg counts toward a plausible distribution.
    if any(set(chart.get(r.code) or ()) & NEURO_SENSATIONS for r in leg):
        out["distribution_plausible"] = True
    return {k: v for k, v in out.items() if v is not None or k == "leg_pain"}


# The therapist's answers to the few questions the intake does not settle (tri-state).
EXTRA_INPUTS = (
    ("leg_pain", "Leg pain present"),
    ("pain_below_knee", "Pain below the knee"),
    ("leg_worse_than_back", "Leg pain worse than back pain"),
    ("dermatomal_distribution", "Pain in a narrow band or dermatomal distribution"),
    ("varies_with_back_pain", "Leg pain rises and falls with the back pain"),
    ("walking_or_standing_symptoms", "Leg symptoms brought on by walking or standing"),
    ("relieved_by_sitting", "Relieved by sitting"),
    ("relieved_by_flexion", "Relieved by bending forward (shopping-trolley sign)"),
    ("relieved_by_standing_still", "Relieved by standing still (suggests vascular)"),
    ("reduced_foot_pulses", "Reduced foot pulses"),
    ("confirmatory_test", "Imaging or nerve studies confirm a lesion at the clinical level"),
    ("pain_at_least_3_months", "Pain for at least 3 months"),
    ("hypersensitivity_signs", "Signs of widespread hypersensitivity"),
)


def _neurodynamic_input(
    section: Mapping[str, Any] | None, summary: neurodynamic.NeurodynamicSummary | None
) -> str | None:
    """The clinician's interpretation wins over the software's; positive anywhere wins."""
    chosen = [r.get("interpretation") for r in (section or {}).get("rows") or ()]
    chosen = [c for c in chosen if c]
    if chosen:
        for value in (
            classification.Neurodynamic.POSITIVE_NEURAL,
            classification.Neurodynamic.INCONCLUSIVE,
            classification.Neurodynamic.NON_NEURAL_REPRODUCTION,
        ):
            if value in chosen:
                return value
        return classification.Neurodynamic.NEGATIVE
    if summary is None:
        return None
    return {
        neurodynamic.Overall.SUGGESTED: classification.Neurodynamic.POSITIVE_NEURAL,
        neurodynamic.Overall.INCONCLUSIVE: classification.Neurodynamic.INCONCLUSIVE,
        neurodynamic.Overall.NOT_SUGGESTED: (
            classification.Neurodynamic.NON_NEURAL_REPRODUCTION
            if summary.non_neural_reproductions
            else classification.Neurodynamic.NEGATIVE
        ),
    }.get(summary.overall)


def classification_findings(
    content: Mapping[str, Any],
    *,
    intake: Mapping[str, Any],
    nd_summary: neurodynamic.NeurodynamicSummary | None,
    neuro_result: neuro.NeuroResult | None,
) -> classification.ClassificationFindings:
    fields = dict(intake)
    fields["neurodynamic"] = _neurodynamic_input(content.get("neurodynamic"), nd_summary)
    if neuro_result is not None:
        fields.update(neuro_result.classification_inputs())
    extras = (content.get("classification") or {}).get("inputs") or {}
    for name, _ in EXTRA_INPUTS:
        if extras.get(name) in TRI_STATE:
            fields[name] = TRI_STATE[extras[name]]
    if not fields.get("leg_pain"):
        fields["leg_pain"] = False
        fields.pop("leg_pain_side", None)
        fields.pop("pain_below_knee", None)
    return classification.ClassificationFindings(**fields)


# --- Outcomes at this visit -------------------------------------------------------------------


def outcome_scores(section: Mapping[str, Any] | None) -> dict[str, Any]:
    s = section or {}
    out: dict[str, Any] = {}
    for key in ("back_now", "leg_now"):
        if s.get(key) is not None:
            out[key] = s[key]
    odi = s.get("odi_sections")
    if odi and any(v is not None for v in odi.values()):
        out["odi"] = score_odi({sid: odi.get(sid) for sid in ODI_SECTION_IDS}).as_dict()
    psfs = s.get("psfs") or []
    if psfs and any(a.get("score") is not None for a in psfs):
        result = score_psfs({a["id"]: a.get("score") for a in psfs}).as_dict()
        result["activities"] = psfs
        out["psfs"] = result
    if s.get("distal_site"):
        out["distal_site"] = s["distal_site"]
    return out


# --- Everything --------------------------------------------------------------------------------


def _safely(fn, *args, **kwargs) -> tuple[Any, str]:
    try:
        return fn(*args, **kwargs), ""
    except ValueError as exc:
        return None, str(exc)


def derive(
    content: Mapping[str, Any],
    *,
    intake_answers: Mapping[str, Mapping] | None,
    age: int | None,
    episode: Mapping | None = None,
) -> dict[str, Any]:
    """All derived findings as JSON, from `content` as stored (records of any version are
    read in the current format). A section whose content no longer converts (which the
    forms prevent) reports its reason under `errors` instead of failing the page."""
    content = records.read_content(content)
    errors: dict[str, str] = {}
    out: dict[str, Any] = {"algorithm_version": ALGORITHM_VERSION}

    out["outcomes"] = outcome_scores(content.get("outcomes"))

    tests, err = _safely(movement_tests, content.get("movements"))
    if err:
        errors["movements"] = err
    mdt_summary = mdt.summarise(tests) if tests else None
    out["movements"] = mdt_summary.as_dict() if mdt_summary else None

    nd_tests, err = _safely(neurodynamic_tests, content.get("neurodynamic"))
    if err:
        errors["neurodynamic"] = err
    nd_summary = neurodynamic.summarise(nd_tests) if nd_tests else None
    out["neurodynamic"] = nd_summary.as_dict() if nd_summary else None

    exam, err = _safely(neuro_exam, content.get("neuro"))
    if err:
        errors["neuro"] = err
    neuro_result = neuro.assess_neuro(exam) if exam is not None and _recorded(exam) else None
    out["neuro"] = neuro_result.as_dict() if neuro_result else None

    history = intake_inputs(intake_answers, age=age, episode=episode)
    findings, err = _safely(
        classification_findings,
        content,
        intake=history,
        nd_summary=nd_summary,
        neuro_result=neuro_result,
    )
    if err:
        errors["classification"] = err
    suggestion = classification.suggest_classification(findings) if findings else None
    out["classification"] = suggestion.as_dict() if suggestion else None
    out["errors"] = errors
    return out


def _recorded(exam: neuro.NeuroExam) -> bool:
    return bool(
        exam.recorded
        or exam.umn
        or exam.progressive_weakness
        or exam.saddle_sensation
        or exam.spasticity
        or exam.gait_ataxia
    )


def age_on(date_of_birth: date | None, on: date) -> int | None:
    """The age the classification reads (it accepts 0 to 120), None when unknown."""
    if date_of_birth is None:
        return None
    return max(0, min(triage.age_on(date_of_birth, on), 120))
