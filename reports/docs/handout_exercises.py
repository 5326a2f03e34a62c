"""A home exercise of the plan in the patient's words, in the active language, built from
the item's stored values (evaluations.plan_catalog) rather than from the catalog's
clinical English line.

The English handout keeps its own wording (the catalog's line with its clinical words put
plainly, reports.docs.handout.plain), so this is used for the other languages. Its words
are marked for translation with English source text, so a language is added by its
catalogue alone. What the therapist typed (a load, the pool exercises) prints as typed.
"""

from __future__ import annotations

from collections.abc import Mapping

from django.utils.formats import number_format
from django.utils.functional import Promise
from django.utils.translation import npgettext, pgettext, pgettext_lazy

from evaluations.plan_catalog import BY_CODE, Kind, Param, item_parts

# The word for each choice of the home exercises' parameters, by parameter and stored
# value (a value names the same thing under every exercise that has it).
CHOICE_WORDS: dict[tuple[str, str], Promise] = {
    # Directional-preference exercise
    ("direction", "extension"): pgettext_lazy("handout exercise", "bending backwards"),
    ("direction", "flexion"): pgettext_lazy("handout exercise", "bending forwards"),
    ("direction", "lateral_shift_correction_left"): pgettext_lazy(
        "handout exercise", "moving your body sideways to straighten it, towards the left"
    ),
    ("direction", "lateral_shift_correction_right"): pgettext_lazy(
        "handout exercise", "moving your body sideways to straighten it, towards the right"
    ),
    ("direction", "rotation_left"): pgettext_lazy("handout exercise", "turning to the left"),
    ("direction", "rotation_right"): pgettext_lazy("handout exercise", "turning to the right"),
    ("position", "standing"): pgettext_lazy("handout exercise", "standing"),
    ("position", "sitting"): pgettext_lazy("handout exercise", "sitting"),
    ("position", "lying_prone"): pgettext_lazy("handout exercise", "lying on your front"),
    ("position", "lying_supine"): pgettext_lazy("handout exercise", "lying on your back"),
    ("position", "side_lying"): pgettext_lazy("handout exercise", "lying on your side"),
    # Nerve glides
    ("technique", "slider"): pgettext_lazy("handout exercise", "gentle glide"),
    ("technique", "tensioner"): pgettext_lazy("handout exercise", "stretching glide"),
    ("nerve", "sciatic"): pgettext_lazy("handout exercise", "sciatic nerve"),
    ("nerve", "tibial"): pgettext_lazy("handout exercise", "tibial nerve"),
    ("nerve", "common_fibular"): pgettext_lazy("handout exercise", "fibular (peroneal) nerve"),
    ("nerve", "sural"): pgettext_lazy("handout exercise", "sural nerve"),
    ("nerve", "femoral"): pgettext_lazy("handout exercise", "femoral nerve"),
    ("nerve", "obturator"): pgettext_lazy("handout exercise", "obturator nerve"),
    ("position", "supine_slr"): pgettext_lazy("handout exercise", "lying on your back"),
    ("position", "slump_sitting"): pgettext_lazy("handout exercise", "sitting slumped forward"),
    ("position", "long_sitting_slump"): pgettext_lazy(
        "handout exercise", "sitting with your legs straight out, slumped forward"
    ),
    ("position", "side_lying_femoral_slump"): pgettext_lazy(
        "handout exercise", "lying on your side"
    ),
    ("position", "prone_knee_bend"): pgettext_lazy(
        "handout exercise", "lying on your front, bending your knee"
    ),
    ("side", "left"): pgettext_lazy("handout exercise", "left side"),
    ("side", "right"): pgettext_lazy("handout exercise", "right side"),
    ("side", "both"): pgettext_lazy("handout exercise", "both sides"),
    # Strengthening, endurance and control
    ("target", "trunk"): pgettext_lazy("handout exercise", "muscles of your trunk"),
    ("target", "hip"): pgettext_lazy("handout exercise", "hip muscles"),
    ("target", "lower_limb"): pgettext_lazy("handout exercise", "leg muscles"),
    ("target", "trunk_flexors"): pgettext_lazy("handout exercise", "tummy muscles"),
    ("target", "trunk_extensors"): pgettext_lazy("handout exercise", "back muscles"),
    ("target", "lateral_trunk"): pgettext_lazy(
        "handout exercise", "muscles at the side of your trunk"
    ),
    ("target", "transversus_abdominis"): pgettext_lazy("handout exercise", "deep tummy muscle"),
    ("target", "lumbar_multifidus"): pgettext_lazy(
        "handout exercise", "deep muscles of your lower back"
    ),
    ("target", "pelvic_floor"): pgettext_lazy("handout exercise", "pelvic floor muscles"),
    ("target", "lumbopelvic_control"): pgettext_lazy(
        "handout exercise", "control of the movement of your lower back and pelvis"
    ),
    ("position", "crook_lying"): pgettext_lazy(
        "handout exercise", "lying on your back with knees bent"
    ),
    ("position", "four_point_kneeling"): pgettext_lazy("handout exercise", "on hands and knees"),
    # Stretches
    ("muscle_group", "hamstrings"): pgettext_lazy("handout exercise", "back of the thigh"),
    ("muscle_group", "hip_flexors"): pgettext_lazy("handout exercise", "front of the hip"),
    ("muscle_group", "deep_hip_rotators"): pgettext_lazy(
        "handout exercise", "deep muscles of the hip (for example, the piriformis)"
    ),
    ("muscle_group", "quadriceps"): pgettext_lazy("handout exercise", "front of the thigh"),
    ("muscle_group", "calf"): pgettext_lazy("handout exercise", "calf"),
    ("muscle_group", "trunk"): pgettext_lazy("handout exercise", "trunk, to move it more easily"),
    # Exercise to get a little out of breath
    ("mode", "walking"): pgettext_lazy("handout exercise", "walking"),
    ("mode", "nordic_walking"): pgettext_lazy(
        "handout exercise", "walking with poles (Nordic walking)"
    ),
    ("mode", "cycling"): pgettext_lazy("handout exercise", "cycling"),
    ("mode", "cross_trainer"): pgettext_lazy("handout exercise", "cross-trainer machine"),
    ("mode", "swimming"): pgettext_lazy("handout exercise", "swimming"),
    ("talk_test", "can_sing"): pgettext_lazy(
        "handout exercise", "at a pace where you can still sing"
    ),
    ("talk_test", "can_talk"): pgettext_lazy(
        "handout exercise", "at a pace where you can talk but not sing"
    ),
    ("talk_test", "few_words"): pgettext_lazy(
        "handout exercise", "at a pace where you can only say a few words"
    ),
    # In the pool
    ("depth", "waist"): pgettext_lazy("handout exercise", "water up to your waist"),
    ("depth", "chest"): pgettext_lazy("handout exercise", "water up to your chest"),
    ("depth", "shoulder"): pgettext_lazy("handout exercise", "water up to your shoulders"),
    ("depth", "deep_water"): pgettext_lazy("handout exercise", "deep water"),
}
# What the therapist typed, introduced in the patient's words.
TEXT_WORDS: dict[str, Promise] = {
    "load": pgettext_lazy("handout exercise", "weight or band: %(text)s"),
    "exercises": pgettext_lazy("handout exercise", "exercises: %(text)s"),
}
# Not how to do the exercise: the therapist's own screening before planning it.
LEFT_OUT = frozenset({"contraindications"})


def _number(value: object) -> str:
    """A number as the active language writes it ("33,5" in Spanish)."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        return str(value)
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return number_format(value)


def _count(value: object) -> int:
    """A stored count, for choosing the plural (1 time, 2 times)."""
    try:
        return int(value)  # type: ignore[call-overload]
    except (TypeError, ValueError):
        return 2


def _sets(sets: object) -> str:
    return npgettext("handout exercise", "%(count)s set", "%(count)s sets", _count(sets)) % {
        "count": _number(sets)
    }


def _reps(reps: object) -> str:
    return npgettext(
        "handout exercise", "%(count)s repetition", "%(count)s repetitions", _count(reps)
    ) % {"count": _number(reps)}


def _amount(param: Param, value: object) -> str:
    """An INT or DECIMAL value in words; a parameter of a later catalog as number and
    unit."""
    n, shown = _count(value), _number(value)
    if param.name == "reps":
        return npgettext("handout exercise", "%(count)s time", "%(count)s times", n) % {
            "count": shown
        }
    if param.name == "sets":
        return _sets(value)
    if param.name == "times_per_day":
        return npgettext("handout exercise", "%(count)s time a day", "%(count)s times a day", n) % {
            "count": shown
        }
    if param.name == "sessions_per_week":
        return npgettext(
            "handout exercise", "%(count)s time a week", "%(count)s times a week", n
        ) % {"count": shown}
    if param.name == "hold_seconds":
        return npgettext(
            "handout exercise",
            "hold for %(count)s second",
            "hold for %(count)s seconds",
            n,
        ) % {"count": shown}
    if param.name == "minutes":
        return npgettext("handout exercise", "%(count)s minute", "%(count)s minutes", n) % {
            "count": shown
        }
    if param.name == "rpe":
        return pgettext("handout exercise", "effort %(value)s out of 10") % {"value": shown}
    if param.name == "pool_temperature":
        return pgettext("handout exercise", "warm water at %(value)s °C") % {"value": shown}
    return f"{shown} {param.unit}".strip()


def _part(param: Param, value: object) -> str:
    if param.name in LEFT_OUT:
        return ""
    if param.kind is Kind.CHOICE:
        word = CHOICE_WORDS.get((param.name, str(value)))
        # A value of a later catalog: its label, rather than nothing.
        return str(word) if word is not None else dict(param.choices).get(str(value), "")
    if param.kind in (Kind.INT, Kind.DECIMAL):
        return _amount(param, value)
    if param.kind is Kind.TEXT:
        text = " ".join(str(value).split())  # one line, whatever the notes hold
        wording = TEXT_WORDS.get(param.name)
        return str(wording) % {"text": text} if wording is not None else text
    return ""  # a tick box says nothing about how to do the exercise


def how_to(code: str, values: Mapping[str, object]) -> str:
    """How to do one planned exercise, in the active language, in the catalog's order of
    its parameters ("bending backwards, lying on your front, 10 times, 6 times a day");
    "" for an item the catalog no longer has."""
    item = BY_CODE.get(code)
    if item is None:
        return ""
    return ", ".join(item_parts(item, values, sets_of_reps=_sets_of_reps, value_words=_part))


def _sets_of_reps(sets: object, reps: object) -> str:
    return pgettext("handout exercise", "%(sets)s of %(reps)s") % {
        "sets": _sets(sets),
        "reps": _reps(reps),
    }
