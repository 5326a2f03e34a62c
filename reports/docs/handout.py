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

from django.db.models import Prefetch

from evaluations import records
from evaluations.models import Evaluation
from evaluations.plan_catalog import BY_CODE, FAMILIES, describe_item
from evaluations.presenters.plan import goal_target, referral
from intake.models import RedFlagAlert
from reports.docs.formatting import dates_in_words

HANDOUT_TEXT_VERSION = "handout-text-2026.12-1"
HANDOUT_TEXT_STATUS = "product default, not yet approved by a clinician"
LAYOUT_VERSION = "handout-2"
TITLE = "Your home exercise plan"

# Plan items a patient does, at home or in the pool. Neural mobilisation is a manual-therapy
# item, but its sliders are usually taught for home practice, so it is listed with the
# exercises; the therapist's own programme text follows.
HOME_ITEMS = (
    "directional_preference",
    "neural_mobilisation",
    "motor_control",
    "strengthening",
    "endurance",
    "flexibility",
    "aerobic",
    "aquatic_exercise",
)
# The heading each plan family's exercises are listed under, in the catalog's order.
FAMILY_HEADINGS = {"manual": "At home", "exercise": "At home", "aquatic": "In the pool"}
PLAIN_NAMES = {
    "directional_preference": "Repeated movement exercise",
    "neural_mobilisation": "Nerve glide exercise",
    "motor_control": "Control exercise",
    "strengthening": "Strengthening exercise",
    "endurance": "Back and tummy endurance exercise",
    "flexibility": "Stretch",
    "aerobic": "Exercise to get you a little out of breath",
    "aquatic_exercise": "Exercise in a warm pool",
}
# What each goal measures, in everyday words (evaluations.goals.GOAL_MEASURES).
GOAL_WORDS = {
    "leg_pain": "Leg pain (0 is no pain, 10 the worst)",
    "back_pain": "Back pain (0 is no pain, 10 the worst)",
    "odi": "How much your back affects daily life (Oswestry questionnaire, 0 to 100%)",
    "psfs": "The activities you find hard (0 is unable, 10 as before)",
    "walking": "Walking",
    "sitting": "Sitting",
    "work": "Work",
    "other": "Goal",
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
    # Instead of any of the above once a referral is made: none of them may reassure a
    # patient who needs a doctor (clinical.md 2.1a).
    "referred": (
        "Your physiotherapist found signs in your back or legs that a doctor needs to look "
        "at, and has referred you (see the box above). Until you have been seen, keep to "
        "what your physiotherapist told you, and go to hospital at once if you notice any "
        "of the warning signs."
    ),
}
# What the patient must do, for each referral urgency (evaluations.vocabulary.REFERRAL_URGENCY;
# "soon" is a legacy value of older records).
REFERRAL_WORDS = {
    "emergency": "Go to a hospital emergency department now, today. Do not wait.",
    "urgent": "You need to see a doctor today. If you cannot be seen today, go to a "
    "hospital emergency department.",
    "soon": "You need to see a doctor soon, within the next few days.",
    "routine": "The appointment will be arranged for you. You do not need to go today.",
}
REFERRAL_TO_WORDS = {
    "spinal_surgeon": "a spinal surgeon",
    "physician": "a doctor (your GP or a physician)",
    "pain_medicine": "a pain medicine doctor",
    "rheumatology": "a rheumatologist",
}
# An alert handled this way counts as a referral even if the plan does not hold one yet.
# Keyed by the enum, looked up with the alert's stored outcome (a str, equal to it).
_ALERT_URGENCY: dict[str, str] = {
    RedFlagAlert.Outcome.EMERGENCY_REFERRAL: "emergency",
    RedFlagAlert.Outcome.URGENT_REFERRAL: "urgent",
}
_URGENCY_ORDER = ("emergency", "urgent", "soon", "routine", "")
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
    """The evaluation with its patient, signer and the alerts of it and its intake (three
    queries): an alert that ended in a referral changes what the handout says."""
    alerts = RedFlagAlert.objects.filter(outcome__in=list(_ALERT_URGENCY))
    return (
        Evaluation.objects.select_related("patient", "signed_by", "intake")
        .prefetch_related(
            Prefetch("alerts", queryset=alerts, to_attr="referral_alerts"),
            Prefetch("intake__alerts", queryset=alerts, to_attr="referral_alerts"),
        )
        .get(public_id=public_id)
    )


def _plan(evaluation: Evaluation) -> dict:
    return records.read_content(evaluation.content).get("plan") or {}


def handout_unavailable(evaluation: Evaluation) -> str:
    if not _plan(evaluation):
        return "The evaluation has no plan of care yet."
    return ""


def handout_version(evaluation: Evaluation) -> str:
    content = records.read_content(evaluation.content)
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
        *(f"{a.pk}:{a.outcome}" for a in _referral_alerts(evaluation)),
    ]
    return hashlib.sha256("|".join(parts).encode()).hexdigest()[:16]


def plain(text: str) -> str:
    for clinical, everyday in PLAIN_WORDS:
        text = text.replace(clinical, everyday)
    return text.replace("  ", " ")


def exercises(plan: dict) -> list[dict]:
    """The plan's exercises as a name and how to do them, in everyday words."""
    out = []
    for item in plan.get("items") or ():
        code = item.get("code")
        if code not in HOME_ITEMS or code not in BY_CODE:
            continue
        line = dates_in_words(describe_item(code, item.get("values") or {}))
        _label, _, how = line.partition(": ")
        out.append({"name": PLAIN_NAMES[code], "how": plain(how), "family": BY_CODE[code].family})
    return out


def exercise_groups(plan: dict) -> list[dict]:
    """Every planned exercise family with its exercises, in the catalog's order: the
    home exercises, then the pool."""
    groups: dict[str, list[dict]] = {}
    items = exercises(plan)
    for family, _label in FAMILIES:
        chosen = [e for e in items if e["family"] == family]
        if chosen:
            groups.setdefault(FAMILY_HEADINGS.get(family, "At home"), []).extend(chosen)
    return [{"heading": heading, "exercises": group} for heading, group in groups.items()]


def _referral_alerts(evaluation: Evaluation) -> list[RedFlagAlert]:
    """The alerts of this evaluation and of its intake that ended in a referral."""
    found = {a.pk: a for a in getattr(evaluation, "referral_alerts", None) or ()}
    intake = evaluation.intake if evaluation.intake_id else None
    for alert in getattr(intake, "referral_alerts", None) or ():
        found.setdefault(alert.pk, alert)
    return sorted(found.values(), key=lambda a: a.raised_at)


def patient_referral(evaluation: Evaluation, plan: dict) -> dict | None:
    """Who the patient is referred to and what to do, in everyday words: from the plan's
    referral, or an alert handled by referring (the more urgent of the two)."""
    planned = referral(plan)
    urgencies = [_ALERT_URGENCY[a.outcome] for a in _referral_alerts(evaluation)]
    if planned:
        urgencies.append(planned["urgency_code"])
    if not urgencies:
        return None
    urgency = min(urgencies, key=lambda u: _URGENCY_ORDER.index(u) if u in _URGENCY_ORDER else 4)
    to = REFERRAL_TO_WORDS.get(plan.get("referral_to", ""), "a doctor") if planned else "a doctor"
    return {
        "to": to,
        "urgency": urgency,
        "what_to_do": REFERRAL_WORDS.get(urgency, REFERRAL_WORDS["soon"]),
        "reason": (planned or {}).get("reason", ""),
        "now": urgency in ("emergency", "urgent"),
    }


def _date(value: str) -> date | None:
    try:
        return date.fromisoformat(value) if value else None
    except ValueError:
        return None


def _name(user) -> str:
    return (user.get_full_name() or user.get_username()) if user else ""


def handout_context(evaluation: Evaluation, clinic) -> dict:
    plan = _plan(evaluation)
    classification = records.read_content(evaluation.content).get("classification") or {}
    referred = patient_referral(evaluation, plan)
    cause = (
        "referred"
        if referred
        else _CAUSE_BY_CATEGORY.get(classification.get("category", ""), "general")
    )
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
        "exercise_groups": exercise_groups(plan),
        "referral": referred,
        "hep_text": plan.get("hep", ""),
        "visits_per_week": plan.get("frequency_per_week"),
        "weeks": plan.get("weeks"),
        "next_review": _date(plan.get("reeval_date", "")),
        "goals": [
            {
                "measure": GOAL_WORDS.get(g.get("measure", ""), "Goal"),
                # The therapist's words for the patient; a goal set only as a number
                # ("at most 3") is printed as that.
                "target": g.get("target") or goal_target(g),
                "by": _date(g.get("by", "")),
            }
            for g in plan.get("goals") or ()
            if g.get("target") or goal_target(g)
        ],
        "cause_text": CAUSE[cause],
        "cause_kind": cause,
        # Reassurance about pain while exercising is not for someone sent to a doctor today.
        "staying_active": STAYING_ACTIVE if not (referred and referred["now"]) else (),
        "emergency_signs": EMERGENCY_SIGNS,
        "emergency_advice": EMERGENCY_ADVICE,
        "same_day_signs": SAME_DAY_SIGNS,
        "text_version": HANDOUT_TEXT_VERSION,
        "text_status": HANDOUT_TEXT_STATUS,
    }
