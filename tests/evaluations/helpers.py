"""Section posts as the evaluation page sends them, for the view and service tests."""

from django.urls import reverse

from evaluations.models import Evaluation

# A submitted intake's answers: left leg pain below the knee, leg worse than back, one PSFS
# activity.
INTAKE_ANSWERS = {
    "pain": {
        "nprs_back_now": 4,
        "nprs_back_best_24h": 2,
        "nprs_back_worst_24h": 6,
        "nprs_leg_now": 8,
        "nprs_leg_best_24h": 5,
        "nprs_leg_worst_24h": 9,
    },
    "where": {"chart": {"calf_shin_l": ["pain", "pins_needles"], "buttock_l": ["pain"]}},
    "feels": {"qualities": ["shooting"], "follows_path": "path", "leg_vs_back": "leg_worse"},
    "psfs": {"activities": [{"id": "a1", "name": "Walking the dog", "score": 3}]},
}


def section_url(evaluation: Evaluation, key: str) -> str:
    return reverse("evaluations:section", args=[evaluation.public_id, key])


def post_section(client, evaluation: Evaluation, key: str, data: dict, *, htmx=True, **extra):
    evaluation.refresh_from_db()
    payload = {"version": evaluation.section_versions.get(key, 0), **data}
    headers = {"HTTP_HX_REQUEST": "true"} if htmx else {}
    return client.post(section_url(evaluation, key), payload, **headers, **extra)


def movement(code: str, **fields) -> dict:
    """One standard repeated-movement row (prefix `movements-std-<code>`)."""
    prefix = f"movements-std-{code}-"
    return {prefix + k: v for k, v in fields.items()}


def nd(code: str, side: str, **fields) -> dict:
    prefix = f"neurodynamic-std-{code}-{side}-"
    return {prefix + k: v for k, v in fields.items()}


OUTCOMES = {"visit_date": "", "back_now": "3", "leg_now": "7", "distal_site": "BELOW_KNEE"}

# A left L5 radiculopathy with radicular pain: EHL weak, L5 sensation reduced, positive SLR
# with differentiation, extension centralising.
L5_MOVEMENTS = {
    **movement(
        "EIL",
        order="1",
        repetitions="10",
        pre_distal_site="BELOW_KNEE",
        after_response="CENTRALISED",
        post_distal_site="THIGH",
        mechanical_response="ROM_INCREASED",
        during_responses=["DECREASES", "CENTRALISING"],
    ),
    **movement(
        "FIS",
        order="2",
        repetitions="10",
        pre_distal_site="THIGH",
        after_response="PERIPHERALISED",
        post_distal_site="BELOW_KNEE",
        mechanical_response="ROM_DECREASED",
    ),
}
L5_NEURODYNAMIC = {
    **nd(
        "SLR",
        "L",
        onset_angle_deg="40",
        measured_by="INCLINOMETER",
        symptoms_reproduced="FAMILIAR_FULL",
        below_knee="yes",
        sd_manoeuvres=["ANKLE_DF"],
        sd_changed_symptoms="INCREASED",
        interpretation="POSITIVE_NEURAL",
    ),
    **nd("SLR", "R", onset_angle_deg="80", measured_by="INCLINOMETER", symptoms_reproduced="NONE"),
}
L5_NEURO = {
    "myo_GREAT_TOE_EXTENSION_L": "3",
    "myo_GREAT_TOE_EXTENSION_R": "5",
    "myo_ANKLE_PLANTARFLEXION_L": "5",
    "myo_ANKLE_PLANTARFLEXION_R": "5",
    "derm_L5_LIGHT_TOUCH_L": "REDUCED",
    "derm_L5_LIGHT_TOUCH_R": "NORMAL",
    "reflex_ACHILLES_L": "2+",
    "reflex_ACHILLES_R": "2+",
    "reflex_PATELLAR_L": "2+",
    "reflex_PATELLAR_R": "2+",
    "babinski_L": "FLEXOR",
    "babinski_R": "FLEXOR",
}
CLASSIFICATION = {
    "category": "RADICULOPATHY_PAINFUL",
    "side": "LEFT",
    "suspected_levels": ["L5"],
    "neuropathic_grade": "PROBABLE",
    "nociplastic_grade": "NONE",
    "rationale": "EHL weakness, L5 sensory loss, positive SLR with differentiation.",
}
PLAN = {
    "i_directional_preference": "on",
    "i_directional_preference__direction": "extension",
    "i_pain_neuroscience": "on",
    "i_pain_neuroscience__delivered": "on",
    "frequency_per_week": "2",
    "weeks": "6",
    "goal_1_measure": "leg_pain",
    "goal_1_target": "Leg pain 3/10 or less",
    "goal_1_by": "",
    "reeval_date": "",
    "hep": "Prone press-ups 10 x every 2 hours.",
}
