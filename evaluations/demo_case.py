"""One demo vignette at one visit, as the POST data of each section's form: what a
therapist would have typed for the clinical picture `evaluations.demo` describes.

Synthetic, never real patients.
"""

from __future__ import annotations

import random
from datetime import date, timedelta
from typing import Any

from evaluations import findings
from evaluations.mdt import DistalSite
from evaluations.records import NEURO

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


def _prefixed(prefix: str, fields: dict[str, Any]) -> dict[str, Any]:
    return {f"{prefix}-{k}": v for k, v in fields.items()}


class Case:
    """One vignette at one visit: the POST data of each section."""

    def __init__(
        self,
        vignette: str,
        rng: random.Random,
        improvement: float,
        visit_date: date,
        today: date,
        answers: dict | None,
        ctx: Any,
    ):
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
                data[NEURO.myotome(movement, s)] = 5
        for root in findings.DERMATOME_ROOTS:
            for modality in findings.DERMATOME_MODALITIES:
                for s in ("L", "R"):
                    data[NEURO.dermatome(root, modality, s)] = "NORMAL"
        for reflex in ("PATELLAR", "ACHILLES"):
            for s in ("L", "R"):
                data[NEURO.reflex(reflex, s)] = "2+"
        for s in ("L", "R"):
            data[NEURO.babinski(s)] = "FLEXOR"
            data[NEURO.clonus(s)] = 0
        data[NEURO.saddle] = "NORMAL"

        side, imp = self.side, self.imp
        if self.vignette == "L5":
            data[NEURO.myotome("GREAT_TOE_EXTENSION", side)] = 3 if imp < 0.4 else 4
            data[NEURO.myotome("HIP_ABDUCTION", side)] = 4 if imp < 0.4 else 5
            data[NEURO.dermatome("L5", "LIGHT_TOUCH", side)] = "REDUCED"
            if imp < 0.5:
                data[NEURO.dermatome("L5", "PIN_PRICK", side)] = "REDUCED"
            data[NEURO.notes] = (
                "EHL weak on the left; reduced light touch over the dorsum of the foot."
            )
        elif self.vignette == "S1":
            data[NEURO.myotome("ANKLE_PLANTARFLEXION", side)] = 4
            if imp < 0.4:
                data[NEURO.myotome("TOE_FLEXION", side)] = 4
            data[NEURO.reflex("ACHILLES", side)] = "1+"
            data[NEURO.dermatome("S1", "LIGHT_TOUCH", side)] = "REDUCED"
            data[NEURO.notes] = "Ten single-leg heel raises on the left, four on the right."
        elif self.vignette == "stenosis":
            for s in ("L", "R"):
                data[NEURO.reflex("ACHILLES", s)] = "1+"
                data[NEURO.reflex_reinforced("ACHILLES", s)] = True
            data[NEURO.notes] = (
                "Ankle jerks 1+ on both sides with reinforcement (symmetric). Foot pulses "
                "present and equal."
            )
        else:
            data[NEURO.notes] = "Normal lower-limb neurological examination."
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
                    "goal_2_comparator": "at_most",
                    "goal_2_value": 3,
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
                    "goal_1_comparator": "at_most",
                    "goal_1_value": 2,
                    "goal_1_target": "Pain 2/10 or less on most days",
                    "goal_1_by": self._by(42),
                    "goal_2_measure": "psfs",
                    "goal_2_comparator": "at_least",
                    "goal_2_value": 7,
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
