"""The patient handout: the home exercise programme from an evaluation's plan, with plain
explanations and the warning signs that mean going to hospital now.

The explanatory wording is clinical content a clinician must approve, so it is versioned
data (HANDOUT_TEXT_VERSION) and the PDF says which version it prints. Change the version
whenever the wording changes.

It prints in the patient's language (handout_language): every word is marked for
translation, the dates are that language's, and a product translation says so with its
version (core.languages). What the therapist typed prints as typed.
"""

from __future__ import annotations

import hashlib
import json
from datetime import date
from uuid import UUID

from django.db.models import Prefetch
from django.utils import translation
from django.utils.formats import get_format
from django.utils.translation import gettext, pgettext_lazy
from django.utils.translation import gettext_lazy as _

from core.languages import (
    PRODUCT_TRANSLATION_VERSIONS,
    locale_for,
    needs_review,
    patient_language,
)
from evaluations import records
from evaluations.goals import AT_LEAST, AT_MOST
from evaluations.models import Evaluation
from evaluations.plan_catalog import BY_CODE, FAMILIES, describe_item
from evaluations.presenters.plan import goal_target, referral
from evaluations.progress import format_number
from intake.models import RedFlagAlert
from reports.docs.formatting import dates_in_words, in_english
from reports.docs.handout_exercises import how_to

# 2026.12-2: the same English words, now also printed in the patient's language.
HANDOUT_TEXT_VERSION = "handout-text-2026.12-2"
HANDOUT_TEXT_STATUS = _("product default, not yet approved by a clinician")
LAYOUT_VERSION = "handout-2"
TITLE = _("Your home exercise plan")

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
AT_HOME = pgettext_lazy("handout heading", "At home")
FAMILY_HEADINGS = {
    "manual": AT_HOME,
    "exercise": AT_HOME,
    "aquatic": pgettext_lazy("handout heading", "In the pool"),
}
PLAIN_NAMES = {
    "directional_preference": _("Repeated movement exercise"),
    "neural_mobilisation": _("Nerve glide exercise"),
    "motor_control": _("Control exercise"),
    "strengthening": _("Strengthening exercise"),
    "endurance": _("Back and tummy endurance exercise"),
    "flexibility": pgettext_lazy("handout exercise", "Stretch"),
    "aerobic": _("Exercise to get you a little out of breath"),
    "aquatic_exercise": _("Exercise in a warm pool"),
}
# What each goal measures, in everyday words (evaluations.goals.GOAL_MEASURES).
GOAL = pgettext_lazy("handout goal", "Goal")
GOAL_WORDS = {
    "leg_pain": _("Leg pain (0 is no pain, 10 the worst)"),
    "back_pain": _("Back pain (0 is no pain, 10 the worst)"),
    "odi": _("How much your back affects daily life (Oswestry questionnaire, 0 to 100%)"),
    "psfs": _("The activities you find hard (0 is unable, 10 as before)"),
    "walking": pgettext_lazy("handout goal", "Walking"),
    "sitting": pgettext_lazy("handout goal", "Sitting"),
    "work": pgettext_lazy("handout goal", "Work"),
    "other": GOAL,
}
# A goal set only as a number, in words (evaluations.goals.target_words, in English).
TARGET_WORDS = {
    AT_MOST: pgettext_lazy("handout goal", "at most %(value)s"),
    AT_LEAST: pgettext_lazy("handout goal", "at least %(value)s"),
}
# Clinical words in the plan's descriptions, in everyday words (applied in this order): the
# English handout's. Another language builds the line from the values in its own words
# (reports.docs.handout_exercises).
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
    "nerve": _(
        "Your leg symptoms come from a nerve in your lower back that is irritated. Doctors "
        "often call this sciatica. The nerve runs from your back down your leg, so it can "
        "cause pain, tingling, numbness or weakness in the leg even though the problem is "
        "in your back. An irritated nerve is sensitive to stretch and pressure. For most "
        "people it settles over weeks to a few months."
    ),
    "somatic": _(
        "Your leg pain comes from the joints, discs and muscles of your lower back and is "
        "felt in your buttock or thigh. It is not a trapped nerve. This kind of pain is "
        "common, and it usually gets better with movement and time."
    ),
    "stenosis": _(
        "The spaces around the nerves in your lower back have become narrower, which is "
        "common as we get older. When you stand or walk, the nerves get less room and your "
        "legs can feel heavy, achy or tingly. Sitting or bending forward gives them room "
        "again, which is why that eases your symptoms. Exercise helps you walk further."
    ),
    "general": _(
        "Your physiotherapist has examined your back and legs. Back-related leg pain is "
        "common and in most people it gets better over weeks to months. Your "
        "physiotherapist will explain what they found and what it means for you."
    ),
    # Instead of any of the above once a referral is made: none of them may reassure a
    # patient who needs a doctor (clinical.md 2.1a).
    "referred": _(
        "Your physiotherapist found signs in your back or legs that a doctor needs to look "
        "at, and has referred you (see the box above). Until you have been seen, keep to "
        "what your physiotherapist told you, and go to hospital at once if you notice any "
        "of the warning signs."
    ),
}
# What the patient must do, for each referral urgency (evaluations.vocabulary.REFERRAL_URGENCY;
# "soon" is a legacy value of older records).
REFERRAL_WORDS = {
    # Translators: safety wording; product translation, to be reviewed by a qualified
    # medical translator and a clinician before use.
    "emergency": _("Go to a hospital emergency department now, today. Do not wait."),
    "urgent": _(
        # Translators: safety wording; product translation, to be reviewed by a
        # qualified medical translator and a clinician before use.
        "You need to see a doctor today. If you cannot be seen today, go to a "
        "hospital emergency department."
    ),
    # Translators: safety wording; product translation, to be reviewed by a qualified
    # medical translator and a clinician before use.
    "soon": _("You need to see a doctor soon, within the next few days."),
    # Translators: safety wording; product translation, to be reviewed by a qualified
    # medical translator and a clinician before use.
    "routine": _("The appointment will be arranged for you. You do not need to go today."),
}
REFERRAL_TO_WORDS = {
    "spinal_surgeon": _("a spinal surgeon"),
    "physician": _("a doctor (your GP or a physician)"),
    "pain_medicine": _("a pain medicine doctor"),
    "rheumatology": _("a rheumatologist"),
}
A_DOCTOR = _("a doctor")
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
    _(
        "Keep moving as normally as you can. Bed rest slows recovery, and gentle activity "
        "helps an irritated back and nerve settle."
    ),
    _(
        "Some pain while you exercise is normal and does not mean you are doing harm. If your "
        "symptoms spread further down your leg and stay worse afterwards, do less, and tell "
        "your physiotherapist."
    ),
    _(
        "Break up long spells of sitting, and build up walking and everyday activities a "
        "little at a time."
    ),
    _("Keep working if you can, with changes to your tasks if needed."),
)
# Cauda equina syndrome and progressive neurological loss (clinical.md §2.2 CES-1 to CES-6
# and §2.1a), in the plain words of the intake's red-flag questions.
EMERGENCY_SIGNS = (
    _(
        # Translators: safety wording; product translation, to be reviewed by a
        # qualified medical translator and a clinician before use.
        "Numbness, tingling or less feeling between your legs, around your back passage or "
        "genitals (where you would sit on a saddle), or not feeling the toilet paper when you "
        "wipe."
    ),
    _(
        # Translators: safety wording; product translation, to be reviewed by a
        # qualified medical translator and a clinician before use.
        "New trouble passing urine: difficulty starting, a weak flow, not feeling urine pass, "
        "or not being able to go."
    ),
    # Translators: safety wording; product translation, to be reviewed by a qualified
    # medical translator and a clinician before use.
    _("New leaking of urine, or needing to go much more often."),
    # Translators: safety wording; product translation, to be reviewed by a qualified
    # medical translator and a clinician before use.
    _("New trouble controlling your bowels, or not feeling when your bowel is full."),
    _(
        # Translators: safety wording; product translation, to be reviewed by a
        # qualified medical translator and a clinician before use.
        "New problems with sex: being unable to get an erection or ejaculate, or less feeling "
        "in your genitals."
    ),
    # Translators: safety wording; product translation, to be reviewed by a qualified
    # medical translator and a clinician before use.
    _("Pain, numbness or tingling that spreads into both legs."),
    _(
        # Translators: safety wording; product translation, to be reviewed by a
        # qualified medical translator and a clinician before use.
        "Weakness in one or both legs that is getting worse, your foot slapping or dragging "
        "on the ground, or new trouble walking."
    ),
)
EMERGENCY_ADVICE = _(
    # Translators: safety wording; product translation, to be reviewed by a
    # qualified medical translator and a clinician before use.
    "These can be signs that nerves in your back are badly squeezed (cauda equina "
    "syndrome). Go to a hospital emergency department straight away, even at night or at "
    "the weekend. Do not wait for your next appointment. Tell them you have back pain with "
    "leg pain and show them this sheet."
)
SAME_DAY_SIGNS = (
    # Translators: safety wording; product translation, to be reviewed by a qualified
    # medical translator and a clinician before use.
    _("You have a fever or sweats, or feel generally unwell, as well as your back pain."),
    # Translators: safety wording; product translation, to be reviewed by a qualified
    # medical translator and a clinician before use.
    _("Your pain is constant, keeps getting worse, and is not eased by rest or changing position."),
)
# Printed under the text version in a language other than English.
TRANSLATION_STATUS = _(
    "This translation is a product translation (version %(version)s), to be reviewed by a "
    "qualified medical translator and a clinician before use."
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


def handout_language(evaluation: Evaluation) -> str:
    """The language the handout prints in: the patient's preferred language where the
    project has its catalogue (settings.PATIENT_LANGUAGES; a regional variant such as es-mx
    by its language), else English."""
    return patient_language(evaluation.patient.preferred_language)


def handout_version(evaluation: Evaluation) -> str:
    content = records.read_content(evaluation.content)
    classification = content.get("classification") or {}
    language = handout_language(evaluation)
    parts = [
        LAYOUT_VERSION,
        HANDOUT_TEXT_VERSION,
        language,
        PRODUCT_TRANSLATION_VERSIONS.get(language, ""),
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


def _how(code: str, values: dict) -> str:
    """How to do one exercise: in English the catalog's line in everyday words, in another
    language built from the values in that language (reports.docs.handout_exercises)."""
    if in_english():
        line = dates_in_words(describe_item(code, values))
        _label, _, how = line.partition(": ")
        return plain(how)
    return how_to(code, values)


def exercises(plan: dict) -> list[dict]:
    """The plan's exercises as a name and how to do them, in everyday words."""
    out = []
    for item in plan.get("items") or ():
        code = item.get("code")
        if code not in HOME_ITEMS or code not in BY_CODE:
            continue
        how = _how(code, item.get("values") or {})
        out.append({"name": str(PLAIN_NAMES[code]), "how": how, "family": BY_CODE[code].family})
    return out


def exercise_groups(plan: dict) -> list[dict]:
    """Every planned exercise family with its exercises, in the catalog's order: the
    home exercises, then the pool."""
    groups: dict[str, list[dict]] = {}
    items = exercises(plan)
    for family, _label in FAMILIES:
        chosen = [e for e in items if e["family"] == family]
        if chosen:
            groups.setdefault(str(FAMILY_HEADINGS.get(family, AT_HOME)), []).extend(chosen)
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
    to = REFERRAL_TO_WORDS.get(plan.get("referral_to", ""), A_DOCTOR) if planned else A_DOCTOR
    return {
        "to": str(to),
        "urgency": urgency,
        "what_to_do": str(REFERRAL_WORDS.get(urgency, REFERRAL_WORDS["soon"])),
        # The therapist's words, as typed.
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


def _target(goal: dict) -> str:
    """A goal's target as printed: the therapist's words as typed, or a goal set only as a
    number in words ("at most 3")."""
    if (goal.get("target") or "").strip() or in_english():
        return goal.get("target") or goal_target(goal)
    wording, value = TARGET_WORDS.get(goal.get("comparator", "")), goal.get("value")
    # A number goal_target would not print (none, or not a number) prints nothing here either.
    if wording is None or not goal_target(goal) or not isinstance(value, int | float):
        return ""
    shown = format_number(float(value)).replace(".", str(get_format("DECIMAL_SEPARATOR")))
    return str(wording) % {"value": shown}


def handout_context(evaluation: Evaluation, clinic) -> dict:
    """The handout's context, every word in the patient's language (handout_language),
    whatever language the caller is in."""
    language = handout_language(evaluation)
    with translation.override(locale_for(language)):
        return _context(evaluation, language)


def _context(evaluation: Evaluation, language: str) -> dict:
    plan = _plan(evaluation)
    classification = records.read_content(evaluation.content).get("classification") or {}
    referred = patient_referral(evaluation, plan)
    cause = (
        "referred"
        if referred
        else _CAUSE_BY_CATEGORY.get(classification.get("category", ""), "general")
    )
    return {
        "title": str(TITLE),
        "language": language,
        "patient": evaluation.patient,
        "draft": not evaluation.is_signed,
        "signature": (
            {
                "by": _name(evaluation.signed_by),
                "at": evaluation.signed_at,
                "label": gettext("Plan signed"),
            }
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
                "measure": str(GOAL_WORDS.get(g.get("measure", ""), GOAL)),
                # The therapist's words for the patient; a goal set only as a number
                # ("at most 3") is printed as that.
                "target": _target(g),
                "by": _date(g.get("by", "")),
            }
            for g in plan.get("goals") or ()
            if g.get("target") or goal_target(g)
        ],
        "cause_text": str(CAUSE[cause]),
        "cause_kind": cause,
        # Reassurance about pain while exercising is not for someone sent to a doctor today.
        "staying_active": (
            [str(p) for p in STAYING_ACTIVE] if not (referred and referred["now"]) else ()
        ),
        "emergency_signs": [str(sign) for sign in EMERGENCY_SIGNS],
        "emergency_advice": str(EMERGENCY_ADVICE),
        "same_day_signs": [str(sign) for sign in SAME_DAY_SIGNS],
        "text_version": HANDOUT_TEXT_VERSION,
        "text_status": str(HANDOUT_TEXT_STATUS),
        # A product translation says so, with its version (core.languages).
        "translation_status": (
            str(TRANSLATION_STATUS) % {"version": PRODUCT_TRANSLATION_VERSIONS[language]}
            if needs_review(language)
            else ""
        ),
    }
