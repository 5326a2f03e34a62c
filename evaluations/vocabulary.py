"""The evaluation's words for its codes: what a therapist reads wherever a stored code is
shown (the page, the PDFs, a rule's message).

Pure: no Django. The codes themselves belong to the clinical modules (`mdt`,
`neurodynamic`, `neuro`, `classification`) and the plan's referral; this module holds the
screen's word for each, so the page and every document say the same thing.
"""

from __future__ import annotations

from evaluations import mdt

LABELS: dict[str, str] = {
    # Distal sites (§4.4).
    "NONE": "None",
    "CENTRAL_LB": "Central low back",
    "UNILAT_LB": "One side of the low back",
    "BUTTOCK": "Buttock",
    "THIGH": "Thigh",
    "BELOW_KNEE": "Below the knee",
    "FOOT": "Foot",
    # Loading and force.
    "LOADED": "Loaded (standing, sitting)",
    "UNLOADED": "Unloaded (lying)",
    "PATIENT": "Patient",
    "PATIENT_OVERPRESSURE": "Patient overpressure",
    "CLINICIAN_OVERPRESSURE": "Clinician overpressure",
    "MOBILISATION": "Mobilisation",
    "MANIPULATION": "Manipulation",
    # Responses.
    "PRODUCES": "Produces",
    "ABOLISHES": "Abolishes",
    "INCREASES": "Increases",
    "DECREASES": "Decreases",
    "NO_EFFECT": "No effect",
    "CENTRALISING": "Centralising",
    "PERIPHERALISING": "Peripheralising",
    "BETTER": "Better",
    "WORSE": "Worse",
    "NO_BETTER": "No better",
    "NO_WORSE": "No worse",
    "CENTRALISED": "Centralised",
    "PERIPHERALISED": "Peripheralised",
    "ABOLISHED": "Abolished",
    "ROM_INCREASED": "Range increased",
    "ROM_DECREASED": "Range decreased",
    # Directions.
    "EXTENSION": "Extension",
    "FLEXION": "Flexion",
    "LATERAL_RIGHT": "Lateral, right",
    "LATERAL_LEFT": "Lateral, left",
    "LATERAL_R": "Lateral, right",
    "LATERAL_L": "Lateral, left",
    "UNCLEAR": "Unclear",
    # Neurodynamic.
    "GONIOMETER": "Goniometer",
    "INCLINOMETER": "Inclinometer",
    "VISUAL": "Visual estimate",
    "NON_FAMILIAR": "Not the familiar symptoms",
    "FAMILIAR_PARTIAL": "Familiar, in part",
    "FAMILIAR_FULL": "Familiar, fully",
    "ANKLE_DF": "Ankle dorsiflexion",
    "ANKLE_PF": "Ankle plantarflexion",
    "HIP_IR": "Hip internal rotation",
    "HIP_ADD": "Hip adduction",
    "NECK_FLEX": "Neck flexion",
    "NECK_EXT": "Neck extension",
    "INCREASED": "Increased",
    "DECREASED": "Decreased",
    "NO_CHANGE": "No change",
    "NOT_DONE": "Not done",
    "POSITIVE_NEURAL": "Positive (neural)",
    "NEGATIVE": "Negative",
    "NON_NEURAL_REPRODUCTION": "Reproduces, not neural",
    "INCONCLUSIVE": "Inconclusive",
    # Neuro exam.
    "NORMAL": "Normal",
    "REDUCED": "Reduced",
    "ABSENT": "Absent",
    "FLEXOR": "Flexor (down-going)",
    "EXTENSOR": "Extensor (up-going)",
    "EQUIVOCAL": "Equivocal",
    "LIGHT_TOUCH": "Light touch",
    "PIN_PRICK": "Pin-prick",
    # Classification.
    "LEFT": "Left",
    "RIGHT": "Right",
    "BILATERAL": "Both sides",
    "POSSIBLE": "Possible",
    "PROBABLE": "Probable",
    "DEFINITE": "Definite",
    "NOT_ASSESSED": "Not assessed",
}

REFLEX_GRADE_LABELS = {
    "0": "0 absent",
    "1+": "1+ diminished",
    "2+": "2+ normal",
    "3+": "3+ brisk",
    "4+": "4+ with clonus",
}


def label(value: str) -> str:
    """A code as the screen shows it: its label, or the code in sentence case."""
    return LABELS.get(value, value.replace("_", " ").capitalize())


# What the repeated movements' directional preference reads when it names no direction.
PREFERENCE_LABELS = {mdt.NO_PREFERENCE: "No preference", mdt.UNCLEAR: "Unclear"}

# --- The plan's referral -----------------------------------------------------------------------

REFERRAL_TO = [
    ("", "—"),
    ("spinal_surgeon", "Spinal surgeon"),
    ("physician", "Physician or GP"),
    ("pain_medicine", "Pain medicine"),
    ("rheumatology", "Rheumatology"),
    ("other", "Other"),
]
# Matching the red-flag levels (clinical.md 2.1a): an emergency is same-hours hospital, an
# urgent referral is seen the same day; routine is anything else (a surgical opinion for a
# stable deficit, persistent radicular pain). "soon" is kept for drafts and signed records
# made before these (shown as written, never offered again).
REFERRAL_URGENCY = [
    ("", "—"),
    ("emergency", "Emergency: hospital within hours"),
    ("urgent", "Urgent: seen the same day"),
    ("routine", "Routine"),
]
REFERRAL_URGENCY_LABELS = {**dict(REFERRAL_URGENCY[1:]), "soon": "Soon"}
