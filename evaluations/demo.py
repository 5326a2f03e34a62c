"""Synthetic evaluations for demo data and tests. Never real patients.

Every section goes through its real form (`evaluations.forms.build(...).content()`), exactly as
a therapist's save would store it, so the demo record is one the app itself could have written:
the findings are derived by `services.derive` and a signed record carries a real content hash.

Four vignettes, each a coherent clinical picture:

- "L5": left L5 radiculopathy with radicular pain. Great-toe extension 3/5 and L5 light touch
  reduced on the left, SLR positive on the left (40° against 80°, ankle dorsiflexion
  increases it), extension in lying centralises and flexion in standing peripheralises.
- "S1": right S1 radiculopathy. Plantarflexion weak and the Achilles reflex 1+ on the right
  (2+ on the left), S1 sensation reduced, SLR positive on the right, extension centralises.
- "somatic_extension": somatic referred pain to the buttock and thigh with an extension
  preference. Extension in lying abolishes it, flexion in standing makes it worse, the neuro
  exam is normal and the SLR negative on both sides.
- "stenosis": neurogenic claudication. Walking and standing bring on the leg symptoms,
  sitting and bending forward relieve them; flexion in lying eases them and extension in
  standing produces them. Achilles reflexes 1+ on both sides (symmetric, age-related), no
  deficit, SLR negative.

`improvement` (0 to 1) is how far the patient has come since the first visit: pain falls,
the most distal symptom moves towards the spine, PSFS ratings rise and the signs ease (the
objective deficits ease but persist, so the classification stays the same).
"""

from __future__ import annotations

import random
from datetime import date, datetime, time, timedelta
from typing import Any

from django.http import QueryDict
from django.utils import timezone

from evaluations import findings, services
from evaluations import forms as eval_forms
from evaluations.mdt import DistalSite
from evaluations.models import Evaluation

VIGNETTES = ("L5", "S1", "somatic_extension", "stenosis")
SECTION_ORDER = ("outcomes", "movements", "neurodynamic", "neuro", "classification", "plan")
SITES = tuple(DistalSite)  # proximal to distal: index is the rank

# Where each vignette's symptoms reach at the first visit, and how far they may retreat.
_START_SITE = {
    "L5": DistalSite.BELOW_KNEE,
    "S1": DistalSite.BELOW_KNEE,
    "somatic_extension": DistalSite.THIGH,
    "stenosis": DistalSite.THIGH,
}
_RADICULAR = {"L5": "L", "S1": "R"}  # the side of the radiculopathy

_NOTES = {
    "L5": "Left leg pain down the outer shin to the top of the foot since lifting. Worse "
    "sitting and bending, eased by walking and lying prone. Pins and needles in the big toe.",
    "S1": "Right buttock pain shooting down the back of the leg to the heel and the outer "
    "border of the foot. Worse sitting and coughing. Calf feels weak on stairs.",
    "somatic_extension": "Deep ache across the low back spreading into the buttock and back of "
    "the thigh, never below the knee. Worse after sitting at the desk, better walking about.",
    "stenosis": "Leg goes heavy and achy after about 10 minutes' walking, worse standing at the "
    "sink. Eased within minutes by sitting or leaning on the trolley. No night pain.",
}
_PROGRESS_NOTES = {
    "L5": "Leg pain easing, now mostly above the knee. Doing press-ups every two hours.",
    "S1": "Fewer shooting pains; calf still tires on stairs. Sitting tolerance improving.",
    "somatic_extension": "Ache now mostly in the back; sitting at work for an hour is fine.",
    "stenosis": "Walking further before the legs tire, now about 25 minutes with a short rest.",
}
_RATIONALE = {
    "L5": "Great-toe extension weak and L5 light touch reduced on the left, with a positive "
    "left SLR that changes with ankle dorsiflexion: a left L5 radiculopathy with radicular "
    "pain. Extension centralises, so a directional-preference approach first.",
    "S1": "Plantarflexion weak, Achilles reflex diminished and S1 sensation reduced on the right, "
    "with a positive right SLR: a right S1 radiculopathy with radicular pain.",
    "somatic_extension": "Pain stays above the knee and follows the back pain, neuro exam normal "
    "and SLR negative on both sides: somatic referred pain. Extension abolishes it.",
    "stenosis": "Leg symptoms on walking and standing, relieved by sitting and bending forward, "
    "flexion eases and extension in standing produces them; no deficit, foot pulses "
    "normal: a neurogenic claudication picture.",
}


def demo_evaluation(
    *,
    patient,
    intake,
    therapist,
    kind: str,
    visit_date: date,
    vignette: str,
    rng: random.Random,
    improvement: float,
    sign: bool,
) -> Evaluation:
    """Create and return one complete evaluation (all six sections valid), signed by the
    therapist if `sign`. Raises ValueError if a section does not validate (a bug here)."""
    if vignette not in VIGNETTES:
        raise ValueError(f"Unknown vignette {vignette!r}; choose from {', '.join(VIGNETTES)}.")
    if kind not in Evaluation.Kind.values:
        raise ValueError(f"Unknown evaluation kind {kind!r}.")
    today = timezone.localdate()
    if visit_date > today:
        raise ValueError("A demo visit date cannot be in the future.")
    improvement = max(0.0, min(1.0, float(improvement)))
    now = timezone.now()
    created = min(
        timezone.make_aware(datetime.combine(visit_date, time(9))) + _minutes(rng, 0, 420), now
    )
    evaluation = Evaluation(
        patient=patient,
        intake=intake,
        therapist=therapist,
        kind=kind,
        visit_date=visit_date,
        created_at=created,
        updated_at=created,
    )
    basis = services.intake_basis(evaluation)
    ctx = services.section_context(evaluation, basis, odi_licensed=False)
    case = _Case(vignette, rng, improvement, visit_date, today, basis.answers, ctx)

    for key in SECTION_ORDER:
        evaluation.content[key] = _section(key, ctx, case.data(key))
    # Like a therapist pressing "start from the suggestion": the category, side, levels and
    # grades come from what the findings suggest; the rationale is the therapist's own.
    suggestion = services.derive(evaluation, basis).get("classification") or {}
    evaluation.content["classification"] = _section(
        "classification", ctx, case.classification(suggestion)
    )
    evaluation.findings = services.derive(evaluation, basis)
    evaluation.section_versions = dict.fromkeys(SECTION_ORDER, 1)
    evaluation.updated_at = min(created + _minutes(rng, 30, 90), now)

    if sign:
        problems = services.sign_problems(evaluation)
        if problems:
            raise ValueError(f"Demo {vignette} evaluation cannot be signed: {problems}")
        evaluation.status = Evaluation.Status.SIGNED
        evaluation.signed_by = therapist
        signed = min(created + _minutes(rng, 60, 180), now)
        evaluation.signed_at = max(evaluation.updated_at, signed)
        evaluation.content_hash = services.content_hash(evaluation)
    evaluation.save()
    return evaluation


def _minutes(rng: random.Random, low: int, high: int) -> timedelta:
    return timedelta(minutes=rng.randint(low, high))


def _section(key: str, ctx, data: dict[str, Any]) -> dict[str, Any]:
    form = eval_forms.build(key, ctx, data=_querydict(data))
    if not form.is_valid():
        raise ValueError(f"Demo {key} section does not validate: {form.errors}")
    return form.content()


def _querydict(data: dict[str, Any]) -> QueryDict:
    q = QueryDict(mutable=True)
    for name, value in data.items():
        if isinstance(value, list | tuple):
            q.setlist(name, [str(v) for v in value])
        elif value is True:
            q[name] = "on"
        elif value is not None and value is not False:
            q[name] = str(value)
    return q


def _prefixed(prefix: str, fields: dict[str, Any]) -> dict[str, Any]:
    return {f"{prefix}-{k}": v for k, v in fields.items()}


class _Case:
    """One vignette at one visit: the POST data of each section."""

    def __init__(self, vignette, rng, improvement, visit_date, today, answers, ctx):
        self.vignette = vignette
        self.rng = rng
        self.imp = improvement
        self.visit_date = visit_date
        self.today = today
        self.answers = answers or {}
        self.ctx = ctx
        self.radicular = vignette in _RADICULAR
        self.side = _RADICULAR.get(vignette) or self._intake_side()
        self.site = self._distal_site()

    # --- Helpers -----------------------------------------------------------------------------

    def _intake_side(self) -> str:
        side = self.ctx.intake_inputs.get("leg_pain_side")
        return {"LEFT": "L", "RIGHT": "R"}.get(side, "L")

    def _distal_site(self) -> DistalSite:
        start = _START_SITE[self.vignette]
        chart = (self.answers.get("where") or {}).get("chart") or {}
        if self.radicular and any(code.startswith("foot_") for code in chart):
            start = DistalSite.FOOT
        # Improvement moves the most distal symptom towards the spine, at most to one side
        # of the low back.
        floor = DistalSite.UNILAT_LB.rank
        return SITES[max(floor, start.rank - round(self.imp * (start.rank - floor)))]

    def _pain(self, key: str, default: int) -> int:
        value = (self.answers.get("pain") or {}).get(key)
        return value if isinstance(value, int) and 0 <= value <= 10 else default

    def _by(self, days: int) -> str:
        """A date `days` after the visit, but never before today (the plan form refuses past
        dates, so an old demo visit's goals fall due from today)."""
        return max(self.visit_date + timedelta(days=days), self.today).isoformat()

    @property
    def other(self) -> str:
        return "R" if self.side == "L" else "L"

    @property
    def side_word(self) -> str:
        return "left" if self.side == "L" else "right"

    def data(self, key: str) -> dict[str, Any]:
        return getattr(self, key)()

    # --- Visit and outcome measures ----------------------------------------------------------

    def outcomes(self) -> dict[str, Any]:
        back0 = self._pain("nprs_back_now", 4)
        leg0 = self._pain("nprs_leg_now", 6 if self.vignette != "somatic_extension" else 3)
        if self.radicular:
            leg0 = max(leg0, min(10, back0 + 2), 5)
        elif self.vignette == "somatic_extension":
            leg0 = max(leg0, 2)
            back0 = max(back0, min(10, leg0 + 2), 4)
        else:
            leg0 = max(leg0, 5)
        back = round(back0 * (1 - 0.6 * self.imp))
        leg = round(leg0 * (1 - 0.75 * self.imp))
        data = {
            "visit_date": self.visit_date.isoformat(),
            "back_now": back,
            "leg_now": leg,
            "distal_site": self.site.value,
            "notes": _PROGRESS_NOTES[self.vignette] if self.imp else _NOTES[self.vignette],
        }
        baseline = {
            a.get("id"): a.get("score")
            for a in (self.answers.get("psfs") or {}).get("activities") or ()
        }
        for activity in self.ctx.psfs_activities:
            base = baseline.get(activity["id"])
            base = base if isinstance(base, int) and 0 <= base <= 10 else 4
            gain = round(self.imp * (9 - base)) + (self.rng.randint(-1, 1) if self.imp else 0)
            data[f"psfs_{activity['id']}"] = max(base, min(10, base + gain))
        return data

    # --- Repeated movements ------------------------------------------------------------------

    def movements(self) -> dict[str, Any]:
        site = self.site
        nearer = SITES[max(DistalSite.CENTRAL_LB.rank, site.rank - 2)]
        if self.vignette == "stenosis":
            # Flexion eases the leg symptoms; extension in standing brings them on.
            eased = SITES[max(DistalSite.CENTRAL_LB.rank, site.rank - 1)]
            produced = SITES[max(site.rank, DistalSite.THIGH.rank)]
            rows = {
                "FIL": {
                    "order": 1,
                    "repetitions": 10,
                    "pre_distal_site": site.value,
                    "pre_nprs": 5,
                    "during_responses": ["DECREASES"],
                    "after_response": "BETTER",
                    "post_distal_site": eased.value,
                    "mechanical_response": "ROM_INCREASED",
                },
                "EIS": {
                    "order": 2,
                    "repetitions": 10,
                    "pre_distal_site": eased.value,
                    "during_responses": ["PRODUCES", "PERIPHERALISING"],
                    "after_response": "PERIPHERALISED" if produced.rank > eased.rank else "WORSE",
                    "post_distal_site": produced.value,
                    "mechanical_response": "ROM_DECREASED",
                },
            }
        elif self.vignette == "somatic_extension":
            rows = {
                "FIS": {
                    "order": 1,
                    "repetitions": 10,
                    "pre_distal_site": site.value,
                    "pre_nprs": 4,
                    "during_responses": ["INCREASES"],
                    "after_response": "WORSE",
                    "post_distal_site": site.value,
                    "mechanical_response": "ROM_DECREASED",
                    "measure_name": "Fingertip to floor",
                    "measure_value": 18 - round(10 * self.imp),
                    "measure_unit": "cm",
                },
                "EIL": {
                    "order": 2,
                    "repetitions": 10,
                    "pre_distal_site": site.value,
                    "during_responses": ["DECREASES", "ABOLISHES"],
                    "after_response": "ABOLISHED",
                    "post_distal_site": "NONE",
                    "mechanical_response": "ROM_INCREASED",
                },
            }
        else:
            rows = {
                "FIS": {
                    "order": 1,
                    "repetitions": 10,
                    "pre_distal_site": site.value,
                    "pre_nprs": 6,
                    "during_responses": ["INCREASES", "PERIPHERALISING"],
                    "after_response": "WORSE",
                    "post_distal_site": site.value,
                    "mechanical_response": "ROM_DECREASED",
                },
                "EIL": {
                    "order": 2,
                    "repetitions": 10,
                    "pre_distal_site": site.value,
                    "during_responses": ["DECREASES", "CENTRALISING"],
                    "after_response": "CENTRALISED",
                    "post_distal_site": nearer.value,
                    "mechanical_response": "ROM_INCREASED",
                },
                "EIS": {
                    "order": 3,
                    "repetitions": 10,
                    "pre_distal_site": nearer.value,
                    "during_responses": ["NO_EFFECT"],
                    "after_response": "NO_WORSE",
                    "post_distal_site": nearer.value,
                },
            }
        data: dict[str, Any] = {"custom_count": 1}
        for code, fields in rows.items():
            data.update(_prefixed(f"movements-std-{code}", fields))
        return data

    # --- Neurodynamic tests ------------------------------------------------------------------

    def neurodynamic(self) -> dict[str, Any]:
        data: dict[str, Any] = {"custom_count": 1}

        def nd(code: str, side: str, **fields):
            data.update(_prefixed(f"neurodynamic-std-{code}-{side}", fields))

        if self.radicular:
            # Where the reproduced symptoms were felt, on the body chart's regions.
            s = self.side.lower()
            below = self.site.rank > DistalSite.THIGH.rank
            felt = [f"buttock_{s}", f"thigh_back_{s}", *([f"calf_shin_{s}"] if below else [])]
            nd(
                "SLR",
                self.side,
                onset_angle_deg=40 + round(30 * self.imp) + self.rng.randint(-3, 3),
                measured_by="INCLINOMETER",
                symptoms_reproduced="FAMILIAR_FULL" if self.imp < 0.5 else "FAMILIAR_PARTIAL",
                symptom_location=felt,
                below_knee="yes" if below else "no",
                sd_manoeuvres=["ANKLE_DF"],
                sd_changed_symptoms="INCREASED",
                interpretation="POSITIVE_NEURAL",
            )
            nd(
                "SLR",
                self.other,
                onset_angle_deg=80,
                measured_by="INCLINOMETER",
                symptoms_reproduced="NONE",
                interpretation="NEGATIVE",
            )
            nd(
                "SLUMP",
                self.side,
                symptoms_reproduced="FAMILIAR_FULL" if self.imp < 0.5 else "FAMILIAR_PARTIAL",
                symptom_location=felt,
                sd_manoeuvres=["NECK_EXT"],
                sd_changed_symptoms="DECREASED",
                interpretation="POSITIVE_NEURAL",
            )
        else:
            low = 70 if self.vignette == "stenosis" else 80
            for side in ("L", "R"):
                nd(
                    "SLR",
                    side,
                    onset_angle_deg=low + self.rng.randint(0, 8),
                    measured_by="INCLINOMETER",
                    symptoms_reproduced="NONE",
                    interpretation="NEGATIVE",
                )
            if self.vignette == "somatic_extension":
                nd("SLUMP", self.side, symptoms_reproduced="NONE", interpretation="NEGATIVE")
        return data

    # --- Neurological examination -----------------------------------------------------------

    def neuro(self) -> dict[str, Any]:
        data: dict[str, Any] = {}
        for movement in findings.MYOTOME_MOVEMENTS:
            for s in ("L", "R"):
                data[f"myo_{movement}_{s}"] = 5
        for root in findings.DERMATOME_ROOTS:
            for modality in findings.DERMATOME_MODALITIES:
                for s in ("L", "R"):
                    data[f"derm_{root}_{modality}_{s}"] = "NORMAL"
        for reflex in ("PATELLAR", "ACHILLES"):
            for s in ("L", "R"):
                data[f"reflex_{reflex}_{s}"] = "2+"
        for s in ("L", "R"):
            data[f"babinski_{s}"] = "FLEXOR"
            data[f"clonus_{s}"] = 0
        data["saddle"] = "NORMAL"

        side, imp = self.side, self.imp
        if self.vignette == "L5":
            data[f"myo_GREAT_TOE_EXTENSION_{side}"] = 3 if imp < 0.4 else 4
            data[f"myo_HIP_ABDUCTION_{side}"] = 4 if imp < 0.4 else 5
            data[f"derm_L5_LIGHT_TOUCH_{side}"] = "REDUCED"
            if imp < 0.5:
                data[f"derm_L5_PIN_PRICK_{side}"] = "REDUCED"
            data["notes"] = "EHL weak on the left; reduced light touch over the dorsum of the foot."
        elif self.vignette == "S1":
            data[f"myo_ANKLE_PLANTARFLEXION_{side}"] = 4
            if imp < 0.4:
                data[f"myo_TOE_FLEXION_{side}"] = 4
            data[f"reflex_ACHILLES_{side}"] = "1+"
            data[f"derm_S1_LIGHT_TOUCH_{side}"] = "REDUCED"
            data["notes"] = "Ten single-leg heel raises on the left, four on the right."
        elif self.vignette == "stenosis":
            for s in ("L", "R"):
                data[f"reflex_ACHILLES_{s}"] = "1+"
                data[f"reflex_ACHILLES_{s}_reinforced"] = True
            data["notes"] = (
                "Ankle jerks 1+ on both sides with reinforcement (symmetric). Foot pulses "
                "present and equal."
            )
        else:
            data["notes"] = "Normal lower-limb neurological examination."
        return data

    # --- Classification ------------------------------------------------------------------------

    def _inputs(self) -> dict[str, str]:
        if self.radicular:
            return {
                "in_leg_pain": "yes",
                "in_pain_below_knee": "yes",
                "in_leg_worse_than_back": "yes",
                "in_dermatomal_distribution": "yes",
                "in_varies_with_back_pain": "no",
                "in_relieved_by_flexion": "no",
            }
        if self.vignette == "somatic_extension":
            return {
                "in_leg_pain": "yes",
                "in_pain_below_knee": "no",
                "in_leg_worse_than_back": "no",
                "in_dermatomal_distribution": "no",
                "in_varies_with_back_pain": "yes",
                "in_relieved_by_flexion": "no",
            }
        return {
            "in_leg_pain": "yes",
            "in_pain_below_knee": "no",
            "in_walking_or_standing_symptoms": "yes",
            "in_relieved_by_sitting": "yes",
            "in_relieved_by_flexion": "yes",
            "in_relieved_by_standing_still": "no",
            "in_reduced_foot_pulses": "no",
        }

    def classification(self, suggestion: dict | None = None) -> dict[str, Any]:
        data: dict[str, Any] = dict(self._inputs())
        data["rationale"] = _RATIONALE[self.vignette]
        if suggestion:
            data["category"] = suggestion.get("category") or ""
            data["side"] = suggestion.get("side") or ""
            data["suspected_levels"] = list(suggestion.get("suspected_levels") or ())
            data["neuropathic_grade"] = suggestion.get("neuropathic_grade") or ""
            data["nociplastic_grade"] = suggestion.get("nociplastic_grade") or ""
        return data

    # --- Plan of care ---------------------------------------------------------------------------

    def plan(self) -> dict[str, Any]:
        first = self.imp == 0
        side = {"L": "left", "R": "right"}[self.side]
        data: dict[str, Any] = {
            "frequency_per_week": 2 if first else 1,
            "weeks": 6 if first else 4,
            "reeval_date": self._by(21 if first else 28),
            "i_stay_active": True,
            "i_stay_active__format": "verbal",
            "i_stay_active__delivered": True,
            "i_stay_active__delivered_on": self.visit_date.isoformat(),
            "i_warning_signs": True,
            "i_warning_signs__format": "written_handout",
            "i_warning_signs__delivered": True,
            "i_warning_signs__delivered_on": self.visit_date.isoformat(),
            "i_warning_signs__understood": True,
        }
        reps = 10 if first else 15
        if self.vignette == "stenosis":
            data.update(
                {
                    "i_directional_preference": True,
                    "i_directional_preference__direction": "flexion",
                    "i_directional_preference__position": "lying_supine",
                    "i_directional_preference__reps": reps,
                    "i_directional_preference__times_per_day": 4,
                    "i_aerobic": True,
                    "i_aerobic__mode": "cycling",
                    "i_aerobic__minutes": 15 if first else 25,
                    "i_aerobic__sessions_per_week": 3,
                    "i_aerobic__talk_test": "can_talk",
                    "i_strengthening": True,
                    "i_strengthening__target": "hip",
                    "i_strengthening__sets": 3,
                    "i_strengthening__reps": 10,
                    "i_strengthening__load": "body weight",
                    "hep": "Knees-to-chest 10 x four times a day; exercise bike 15 minutes "
                    "three times a week; walk with rests, sitting before the legs get heavy.",
                    "goal_1_measure": "walking",
                    "goal_1_target": "Walk 30 minutes without having to sit down",
                    "goal_1_by": self._by(42),
                    "goal_2_measure": "leg_pain",
                    "goal_2_target": "Leg pain 3/10 or less after walking",
                    "goal_2_by": self._by(42),
                }
            )
        else:
            data.update(
                {
                    "i_directional_preference": True,
                    "i_directional_preference__direction": "extension",
                    "i_directional_preference__position": "lying_prone",
                    "i_directional_preference__reps": reps,
                    "i_directional_preference__times_per_day": 6 if first else 4,
                    "i_pain_neuroscience": True,
                    "i_pain_neuroscience__format": "verbal",
                    "i_pain_neuroscience__delivered": True,
                    "i_pain_neuroscience__delivered_on": self.visit_date.isoformat(),
                    "i_pain_neuroscience__understood": True,
                    "hep": "Prone press-ups 10 x every two to three hours; break up sitting "
                    "every 30 minutes; keep walking daily.",
                    "goal_1_measure": "leg_pain" if self.radicular else "back_pain",
                    "goal_1_target": "Pain 2/10 or less on most days",
                    "goal_1_by": self._by(42),
                    "goal_2_measure": "psfs",
                    "goal_2_target": "PSFS average 7/10 or more",
                    "goal_2_by": self._by(42),
                }
            )
            if self.radicular:
                nerve = "common_fibular" if self.vignette == "L5" else "tibial"
                data.update(
                    {
                        "i_nerve_sensitivity": True,
                        "i_nerve_sensitivity__format": "verbal",
                        "i_nerve_sensitivity__delivered": True,
                        "i_nerve_sensitivity__delivered_on": self.visit_date.isoformat(),
                        "i_neural_mobilisation": True,
                        "i_neural_mobilisation__technique": "slider" if first else "tensioner",
                        "i_neural_mobilisation__nerve": "sciatic" if first else nerve,
                        "i_neural_mobilisation__position": "supine_slr",
                        "i_neural_mobilisation__sets": 2 if first else 3,
                        "i_neural_mobilisation__reps": 10,
                        "i_neural_mobilisation__side": side,
                        "goal_3_measure": "sitting",
                        "goal_3_target": "Sit for an hour at work without leg pain",
                        "goal_3_by": self._by(56),
                    }
                )
            else:
                data.update(
                    {
                        "i_motor_control": True,
                        "i_motor_control__target": "lumbopelvic_control",
                        "i_motor_control__position": "four_point_kneeling",
                        "i_motor_control__sets": 3,
                        "i_motor_control__reps": 10,
                        "goal_3_measure": "work",
                        "goal_3_target": "Full days at the desk with movement breaks",
                        "goal_3_by": self._by(35),
                    }
                )
        return data
