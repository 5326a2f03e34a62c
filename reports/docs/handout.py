"""The patient handout: the home exercise programme from an evaluation's plan, with plain
explanations and the warning signs that mean going to hospital now.

The explanatory wording is clinical content a clinician must approve, so it is versioned
data (HANDOUT_TEXT_VERSION) and the PDF says which version it prints. Change the version
whenever the wording changes.
"""

from __future__ import annotations

import hashlib
import json
from datetime import date
from uuid import UUID

from evaluations.models import Evaluation
from evaluations.plan_catalog import BY_CODE, describe_item

HANDOUT_TEXT_VERSION = "handout-text-2026.11-1"
HANDOUT_TEXT_STATUS = "product default, not yet approved by a clinician"
LAYOUT_VERSION = "handout-1"
TITLE = "Your home exercise plan"

# Plan items a patient does at home. Neural mobilisation is a manual-therapy item, but its
# sliders are usually taught for home practice; the therapist's own programme text follows.
HOME_ITEMS = (
    "directional_preference",
    "neural_mobilisation",
    "motor_control",
    "strengthening",
    "endurance",
    "flexibility",
    "aerobic",
)
PLAIN_NAMES = {
    "directional_preference": "Repeated movement exercise",
    "neural_mobilisation": "Nerve glide exercise",
    "motor_control": "Control exercise",
    "strengthening": "Strengthening exercise",
    "endurance": "Back and tummy endurance exercise",
    "flexibility": "Stretch",
    "aerobic": "Exercise to get you a little out of breath",
}
# Clinical words in the plan's descriptions, in everyday words (applied in this order).
PLAIN_WORDS = (
    ("lying prone", "lying on your front"),
    ("lying supine", "lying on your back"),
    ("supine (SLR position)", "lying on your back"),
    ("slump sitting", "sitting slumped forward"),
    ("crook lying", "lying on your back with knees bent"),
    ("four-point kneeling", "on hands and knees"),
    ("side-lying", "lying on your side"),
    ("extension", "bending backwards"),
    ("flexion", "bending forwards"),
    ("slider", "gentle glide"),
    ("tensioner", "stretching glide"),
    ("reps", "times"),
    ("x a day", " times a day"),
    ("x a week", " times a week"),
)

CAUSE = {
    "nerve": (
        "Your leg symptoms come from a nerve in your lower back that is irritated. Doctors "
        "often call this sciatica. The nerve runs from your back down your leg, so it can "
        "cause pain, tingling, numbness or weakness in the leg even though the problem is "
        "in your back. An irritated nerve is sensitive to stretch and pressure. For most "
        "people it settles over weeks to a few months."
    ),
    "somatic": (
        "Your leg pain comes from the joints, discs and muscles of your lower back and is "
        "felt in your buttock or thigh. It is not a trapped nerve. This kind of pain is "
        "common, and it usually gets better with movement and time."
    ),
    "stenosis": (
        "The spaces around the nerves in your lower back have become narrower, which is "
        "common as we get older. When you stand or walk, the nerves get less room and your "
        "legs can feel heavy, achy or tingly. Sitting or bending forward gives them room "
        "again, which is why that eases your symptoms. Exercise helps you walk further."
    ),
    "general": (
        "Your physiotherapist has examined your back and legs. Back-related leg pain is "
        "common and in most people it gets better over weeks to months. Your "
        "physiotherapist will explain what they found and what it means for you."
    ),
}
_CAUSE_BY_CATEGORY = {
    "RADICULAR_PAIN": "nerve",
    "RADICULOPATHY_PAINFUL": "nerve",
    "RADICULOPATHY_PAINLESS": "nerve",
    "SOMATIC_REFERRED": "somatic",
    "NEUROGENIC_CLAUDICATION": "stenosis",
}
STAYING_ACTIVE = (
    "Keep moving as normally as you can. Bed rest slows recovery, and gentle activity "
    "helps an irritated back and nerve settle.",
    "Some pain while you exercise is normal and does not mean you are doing harm. If your "
    "symptoms spread further down your leg and stay worse afterwards, do less, and tell "
    "your physiotherapist.",
    "Break up long spells of sitting, and build up walking and everyday activities a "
    "little at a time.",
    "Keep working if you can, with changes to your tasks if needed.",
)
# Cauda equina syndrome and progressive neurological loss (clinical.md §2.2 CES-1 to CES-6
# and §2.1a), in the plain words of the intake's red-flag questions.
EMERGENCY_SIGNS = (
    "Numbness, tingling or less feeling between your legs, around your back passage or "
    "genitals (where you would sit on a saddle), or not feeling the toilet paper when you "
    "wipe.",
    "New trouble passing urine: difficulty starting, a weak flow, not feeling urine pass, "
    "or not being able to go.",
    "New leaking of urine, or needing to go much more often.",
    "New trouble controlling your bowels, or not feeling when your bowel is full.",
    "New problems with sex: being unable to get an erection or ejaculate, or less feeling "
    "in your genitals.",
    "Pain, numbness or tingling that spreads into both legs.",
    "Weakness in one or both legs that is getting worse, your foot slapping or dragging "
    "on the ground, or new trouble walking.",
)
EMERGENCY_ADVICE = (
    "These can be signs that nerves in your back are badly squeezed (cauda equina "
    "syndrome). Go to a hospital emergency department straight away, even at night or at "
    "the weekend. Do not wait for your next appointment. Tell them you have back pain with "
    "leg pain and show them this sheet."
)
SAME_DAY_SIGNS = (
    "You have a fever or sweats, or feel generally unwell, as well as your back pain.",
    "Your pain is constant, keeps getting worse, and is not eased by rest or changing position.",
)


def load_handout(public_id: UUID) -> Evaluation:
    """The evaluation with its patient and signer (one query)."""
    return Evaluation.objects.select_related("patient", "signed_by").get(public_id=public_id)


def _plan(evaluation: Evaluation) -> dict:
    return (evaluation.content or {}).get("plan") or {}


def handout_unavailable(evaluation: Evaluation) -> str:
    if not _plan(evaluation):
        return "The evaluation has no plan of care yet."
    return ""


def handout_version(evaluation: Evaluation) -> str:
    content = evaluation.content or {}
    classification = content.get("classification") or {}
    parts = [
        LAYOUT_VERSION,
        HANDOUT_TEXT_VERSION,
        evaluation.status,
        str(evaluation.signed_at),
        str(evaluation.patient.updated_at),
        json.dumps(_plan(evaluation), sort_keys=True, default=str),
        str(classification.get("category", "")),
        str(classification.get("side", "")),
    ]
    return hashlib.sha256("|".join(parts).encode()).hexdigest()[:16]


def plain(text: str) -> str:
    for clinical, everyday in PLAIN_WORDS:
        text = text.replace(clinical, everyday)
    return text.replace("  ", " ")


def exercises(plan: dict) -> list[dict]:
    """The plan's home exercises as a name and how to do them, in everyday words."""
    out = []
    for item in plan.get("items") or ():
        code = item.get("code")
        if code not in HOME_ITEMS or code not in BY_CODE:
            continue
        line = describe_item(code, item.get("values") or {})
        _label, _, how = line.partition(": ")
        out.append({"name": PLAIN_NAMES[code], "how": plain(how)})
    return out


def _date(value: str) -> date | None:
    try:
        return date.fromisoformat(value) if value else None
    except ValueError:
        return None


def _name(user) -> str:
    return (user.get_full_name() or user.get_username()) if user else ""


def handout_context(evaluation: Evaluation, clinic) -> dict:
    plan = _plan(evaluation)
    classification = (evaluation.content or {}).get("classification") or {}
    cause = _CAUSE_BY_CATEGORY.get(classification.get("category", ""), "general")
    return {
        "title": TITLE,
        "patient": evaluation.patient,
        "draft": not evaluation.is_signed,
        "signature": (
            {"by": _name(evaluation.signed_by), "at": evaluation.signed_at, "label": "Plan signed"}
            if evaluation.is_signed and evaluation.signed_at
            else None
        ),
        "notices": [],
        "evaluation": evaluation,
        "exercises": exercises(plan),
        "hep_text": plan.get("hep", ""),
        "visits_per_week": plan.get("frequency_per_week"),
        "weeks": plan.get("weeks"),
        "next_review": _date(plan.get("reeval_date", "")),
        "goals": [
            {"target": g.get("target", ""), "by": _date(g.get("by", ""))}
            for g in plan.get("goals") or ()
            if g.get("target")
        ],
        "cause_text": CAUSE[cause],
        "cause_kind": cause,
        "staying_active": STAYING_ACTIVE,
        "emergency_signs": EMERGENCY_SIGNS,
        "emergency_advice": EMERGENCY_ADVICE,
        "same_day_signs": SAME_DAY_SIGNS,
        "text_version": HANDOUT_TEXT_VERSION,
        "text_status": HANDOUT_TEXT_STATUS,
    }
