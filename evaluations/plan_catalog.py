"""Plan-of-care catalog: the interventions a therapist can plan, their parameters, and a
validator for one planned item as an HTML form posts it.

Pure Python: no Django, no database. The catalog is versioned (`CATALOG_VERSION`); store the
version with every saved plan so an old plan can be read against the catalog that made it.

Content is a product default (`CATALOG_STATUS`), not yet approved by a clinician. The CPG links
(`CpgLink`) copy clinical.md §1.5 (JOSPT 2021 low back pain CPG, George et al.) and only where
that table gives text, with its verification marker (✅/◐/⚠). Grade letters are read off the
verb with the spec's secondary mapping (A = "should", B = "may", C = "can", ◐ [S17]); where the
spec gives no verb, verb and grade are left empty. Per §1.5 "Action", a clinician must
transcribe the CPG2 summary table into a versioned `cpg_recommendation` fixture and approve it;
these links are placeholders until then.
"""

import dataclasses
import datetime
import enum
import math
import re
from collections.abc import Callable, Mapping

from intake.scoring.common import AsDictMixin, Verification

CATALOG_VERSION = "plan-catalog-2026.11-1"
CATALOG_STATUS = "Product default, not yet approved by a clinician"


class Kind(enum.StrEnum):
    CHOICE = "choice"
    MULTI = "multi"
    INT = "int"
    DECIMAL = "decimal"
    TEXT = "text"  # `max` is the maximum length
    BOOL = "bool"  # `required` means it must be ticked
    DATE = "date"


@dataclasses.dataclass(frozen=True)
class Param(AsDictMixin):
    name: str
    label: str
    kind: Kind
    choices: tuple[tuple[str, str], ...] = ()
    required: bool = False
    min: float | None = None
    max: float | None = None
    unit: str = ""
    help: str = ""


@dataclasses.dataclass(frozen=True)
class CpgLink(AsDictMixin):
    category: str
    verb: str
    grade: str
    verification: Verification
    text: str


@dataclasses.dataclass(frozen=True)
class Intervention(AsDictMixin):
    code: str
    family: str
    label: str
    params: tuple[Param, ...]
    help: str = ""
    cpg: CpgLink | None = None


FAMILIES: tuple[tuple[str, str], ...] = (
    ("manual", "Manual therapy"),
    ("exercise", "Exercise"),
    ("education", "Pain education"),
    ("aquatic", "Aquatic therapy"),
)

# --- CPG links: clinical.md §1.5, copied as the spec gives them ------------------------------

_CPG_ACUTE_MANUAL = CpgLink(
    "Acute LBP - manual therapy",
    "should",
    "A",
    Verification.VERIFIED,
    "PTs should use thrust or nonthrust joint mobilization to reduce pain and disability.",
)
_CPG_ACUTE_SOFT_TISSUE = CpgLink(
    "Acute LBP - manual therapy",
    "may",
    "B",
    Verification.PARTLY_VERIFIED,
    "PTs may use massage or soft tissue [mobilization] … (text cut off in the source)",
)
_CPG_CHRONIC_LEG_MANUAL = CpgLink(
    "Chronic LBP with leg pain - manual",
    "",
    "",
    Verification.UNVERIFIED,
    "From memory: a recommendation on nerve (neural) mobilization procedures. "
    "Grade and wording unverified.",
)
_CPG_ACUTE_LEG_EXERCISE = CpgLink(
    "Acute LBP with leg pain - exercise",
    "may",
    "B",
    Verification.VERIFIED,
    "PTs may use exercise training, including trunk muscle strengthening and endurance and "
    "specific trunk muscle activation, to reduce pain and disability.",
)
_CPG_CHRONIC_LEG_EXERCISE = CpgLink(
    "Chronic LBP with leg pain - exercise",
    "may",
    "B",
    Verification.VERIFIED,
    "PTs may use exercise training, including specific trunk muscle activation and "
    "movement control.",
)
_CPG_CHRONIC_EXERCISE = CpgLink(
    "Chronic LBP - exercise",
    "should",
    "A",
    Verification.VERIFIED,
    "PTs should use exercise training: trunk muscle strengthening and endurance, multimodal "
    "exercise, specific trunk muscle activation, aerobic, aquatic, and general exercise.",
)
_CPG_CLASSIFICATION = CpgLink(
    "Classification systems",
    "",
    "",
    Verification.UNVERIFIED,
    "Covers TBC, MDT, MSI, CFT and prognostic (STarT Back) risk stratification. "
    "Exact recommendations unverified.",
)
_CPG_EDUCATION = CpgLink(
    "Patient education",
    "",
    "",
    Verification.UNVERIFIED,
    "Pain neuroscience education alongside other interventions. Exact wording unverified.",
)

# --- Shared parameters ------------------------------------------------------------------------

_SIDE = Param(
    "side",
    "Side",
    Kind.CHOICE,
    (("left", "Left side"), ("right", "Right side"), ("both", "Both sides")),
)
_LEVELS = tuple(
    (f"{a}_{b}".lower(), f"{a}-{b}")
    for a, b in (
        ("T12", "L1"),
        ("L1", "L2"),
        ("L2", "L3"),
        ("L3", "L4"),
        ("L4", "L5"),
        ("L5", "S1"),
    )
)
_LEVEL = Param("level", "Level", Kind.CHOICE, _LEVELS, required=True)
_SETS = Param("sets", "Sets", Kind.INT, min=1, max=10, unit="sets")
_REPS = Param("reps", "Repetitions per set", Kind.INT, min=1, max=50, unit="reps")
_HOLD = Param("hold_seconds", "Hold", Kind.INT, min=1, max=120, unit="s")


def _minutes(low: int, high: int, label: str = "Minutes") -> Param:
    return Param("minutes", label, Kind.INT, min=low, max=high, unit="min")


def _education(code: str, label: str, about: str, cpg: CpgLink | None = None) -> Intervention:
    return Intervention(
        code,
        "education",
        label,
        (
            Param(
                "format",
                "Format",
                Kind.CHOICE,
                (("verbal", "Verbal"), ("written_handout", "Written handout"), ("video", "Video")),
            ),
            Param("delivered", "Delivered", Kind.BOOL),
            Param("delivered_on", "Delivered on", Kind.DATE),
            Param("understood", "Patient understood (teach-back)", Kind.BOOL),
            Param("notes", "Notes", Kind.TEXT, max=500),
        ),
        about,
        cpg,
    )


NO_CONTRAINDICATION = "none"

# --- The catalog --------------------------------------------------------------------------------

CATALOG: tuple[Intervention, ...] = (
    # Manual therapy
    Intervention(
        "neural_mobilisation",
        "manual",
        "Neural mobilisation",
        (
            Param(
                "technique",
                "Technique",
                Kind.CHOICE,
                (("slider", "Slider"), ("tensioner", "Tensioner")),
                required=True,
                help="Sliders move the nerve with little tension; tensioners load it. "
                "Start with sliders while the nerve is irritable.",
            ),
            Param(
                "nerve",
                "Nerve",
                Kind.CHOICE,
                (
                    ("sciatic", "Sciatic nerve"),
                    ("tibial", "Tibial nerve"),
                    ("common_fibular", "Common fibular (peroneal) nerve"),
                    ("sural", "Sural nerve"),
                    ("femoral", "Femoral nerve"),
                    ("obturator", "Obturator nerve"),
                ),
                required=True,
            ),
            Param(
                "position",
                "Position",
                Kind.CHOICE,
                (
                    ("supine_slr", "Supine (SLR position)"),
                    ("slump_sitting", "Slump sitting"),
                    ("long_sitting_slump", "Long-sitting slump"),
                    ("side_lying_femoral_slump", "Side-lying (femoral slump)"),
                    ("prone_knee_bend", "Prone knee bend"),
                ),
            ),
            _SETS,
            _REPS,
            _SIDE,
        ),
        cpg=_CPG_CHRONIC_LEG_MANUAL,
    ),
    Intervention(
        "joint_mobilisation",
        "manual",
        "Joint mobilisation (non-thrust)",
        (
            Param(
                "grade",
                "Grade",
                Kind.CHOICE,
                tuple((f"grade_{g.lower()}", f"Grade {g}") for g in ("I", "II", "III", "IV")),
                required=True,
                help="Maitland grades I-IV. Grade V is a thrust: plan it as manipulation.",
            ),
            _LEVEL,
            Param(
                "technique",
                "Technique",
                Kind.CHOICE,
                (
                    ("central_pa", "Central posteroanterior (PA)"),
                    ("unilateral_pa", "Unilateral posteroanterior (PA)"),
                    ("rotation", "Rotation"),
                    ("side_lying_gapping", "Side-lying gapping"),
                ),
                required=True,
            ),
            _SIDE,
            _SETS,
            Param("seconds", "Time per set", Kind.INT, min=10, max=120, unit="s"),
        ),
        cpg=_CPG_ACUTE_MANUAL,
    ),
    Intervention(
        "manipulation",
        "manual",
        "Manipulation (thrust)",
        (
            _LEVEL,
            Param(
                "technique",
                "Technique",
                Kind.CHOICE,
                (
                    ("side_lying_rotation", "Side-lying rotation"),
                    ("supine_lumbopelvic", "Supine lumbopelvic"),
                ),
                required=True,
            ),
            _SIDE,
            Param(
                "screened",
                "Screened for contraindications to thrust",
                Kind.BOOL,
                required=True,
                help="Red flags, fracture risk (e.g. osteoporosis), progressive neurological "
                "deficit, anticoagulation, inflammatory or bone disease.",
            ),
        ),
        cpg=_CPG_ACUTE_MANUAL,
    ),
    Intervention(
        "soft_tissue_mobilisation",
        "manual",
        "Soft tissue mobilisation",
        (
            Param(
                "region",
                "Region",
                Kind.CHOICE,
                (
                    ("lumbar_paraspinals", "Lumbar paraspinal muscles"),
                    ("quadratus_lumborum", "Quadratus lumborum"),
                    ("gluteals", "Gluteal muscles"),
                    ("deep_hip_rotators", "Deep hip rotators (e.g. piriformis)"),
                    ("hamstrings", "Hamstrings"),
                    ("calf", "Calf"),
                ),
                required=True,
            ),
            _minutes(1, 30),
            _SIDE,
        ),
        cpg=_CPG_ACUTE_SOFT_TISSUE,
    ),
    # Exercise
    Intervention(
        "directional_preference",
        "exercise",
        "Directional-preference exercise",
        (
            Param(
                "direction",
                "Direction",
                Kind.CHOICE,
                (
                    ("extension", "Extension"),
                    ("flexion", "Flexion"),
                    ("lateral_shift_correction_left", "Lateral shift correction towards the left"),
                    (
                        "lateral_shift_correction_right",
                        "Lateral shift correction towards the right",
                    ),
                    ("rotation_left", "Rotation to the left"),
                    ("rotation_right", "Rotation to the right"),
                ),
                required=True,
            ),
            Param(
                "position",
                "Position",
                Kind.CHOICE,
                (
                    ("standing", "Standing"),
                    ("sitting", "Sitting"),
                    ("lying_prone", "Lying prone"),
                    ("lying_supine", "Lying supine"),
                    ("side_lying", "Side-lying"),
                ),
            ),
            Param("reps", "Repetitions per set", Kind.INT, min=1, max=30, unit="reps"),
            Param("times_per_day", "Times per day", Kind.INT, min=1, max=24, unit="per day"),
        ),
        cpg=_CPG_CLASSIFICATION,
    ),
    Intervention(
        "strengthening",
        "exercise",
        "Strengthening",
        (
            Param(
                "target",
                "Target",
                Kind.CHOICE,
                (("trunk", "Trunk muscles"), ("hip", "Hip muscles"), ("lower_limb", "Lower limb")),
                required=True,
            ),
            _SETS,
            _REPS,
            Param("load", "Load", Kind.TEXT, max=100, help="e.g. body weight, 2 kg, red band"),
        ),
        cpg=_CPG_ACUTE_LEG_EXERCISE,
    ),
    Intervention(
        "endurance",
        "exercise",
        "Trunk endurance",
        (
            Param(
                "target",
                "Target",
                Kind.CHOICE,
                (
                    ("trunk_flexors", "Trunk flexors"),
                    ("trunk_extensors", "Trunk extensors"),
                    ("lateral_trunk", "Side of the trunk (side bridge)"),
                ),
                required=True,
            ),
            _HOLD,
            _minutes(1, 60),
            _SETS,
            _REPS,
        ),
        help="Plan either a hold time or minutes.",
        cpg=_CPG_ACUTE_LEG_EXERCISE,
    ),
    Intervention(
        "motor_control",
        "exercise",
        "Motor control and activation",
        (
            Param(
                "target",
                "Target",
                Kind.CHOICE,
                (
                    ("transversus_abdominis", "Transversus abdominis"),
                    ("lumbar_multifidus", "Lumbar multifidus"),
                    ("pelvic_floor", "Pelvic floor"),
                    ("lumbopelvic_control", "Lumbopelvic movement control"),
                ),
                required=True,
            ),
            Param(
                "position",
                "Position",
                Kind.CHOICE,
                (
                    ("crook_lying", "Crook lying"),
                    ("four_point_kneeling", "Four-point kneeling"),
                    ("sitting", "Sitting"),
                    ("standing", "Standing"),
                ),
            ),
            _SETS,
            _REPS,
            Param("hold_seconds", "Hold", Kind.INT, min=1, max=60, unit="s"),
        ),
        cpg=_CPG_CHRONIC_LEG_EXERCISE,
    ),
    Intervention(
        "flexibility",
        "exercise",
        "Flexibility (stretching)",
        (
            Param(
                "muscle_group",
                "Muscle group",
                Kind.CHOICE,
                (
                    ("hamstrings", "Hamstrings"),
                    ("hip_flexors", "Hip flexors"),
                    ("deep_hip_rotators", "Deep hip rotators (e.g. piriformis)"),
                    ("quadriceps", "Quadriceps"),
                    ("calf", "Calf"),
                    ("trunk", "Trunk (mobility)"),
                ),
                required=True,
                help="A hamstring stretch also tensions an irritable sciatic nerve; "
                "consider a neural slider instead.",
            ),
            Param("hold_seconds", "Hold", Kind.INT, min=10, max=120, unit="s"),
            _SETS,
            _SIDE,
        ),
    ),
    Intervention(
        "aerobic",
        "exercise",
        "Aerobic exercise",
        (
            Param(
                "mode",
                "Mode",
                Kind.CHOICE,
                (
                    ("walking", "Walking"),
                    ("nordic_walking", "Nordic walking"),
                    ("cycling", "Cycling"),
                    ("cross_trainer", "Cross-trainer"),
                    ("swimming", "Swimming"),
                ),
                required=True,
            ),
            _minutes(5, 120),
            Param(
                "sessions_per_week",
                "Sessions per week",
                Kind.INT,
                min=1,
                max=14,
                unit="per week",
            ),
            Param("rpe", "Effort (RPE 0-10)", Kind.INT, min=0, max=10),
            Param(
                "talk_test",
                "Talk test",
                Kind.CHOICE,
                (
                    ("can_sing", "Can sing (light)"),
                    ("can_talk", "Can talk but not sing (moderate)"),
                    ("few_words", "Only a few words (vigorous)"),
                ),
            ),
        ),
        cpg=_CPG_CHRONIC_EXERCISE,
    ),
    # Pain education
    _education(
        "pain_neuroscience",
        "Pain neuroscience education",
        "How pain works: pain is a protective output of the nervous system, not a "
        "measure of damage.",
        _CPG_EDUCATION,
    ),
    _education(
        "nerve_sensitivity",
        "Why nerves are sensitive",
        "An irritated nerve root is sensitive to stretch and pressure; this usually settles.",
    ),
    _education(
        "stay_active",
        "Staying active instead of bed rest",
        "Keep moving within comfort; bed rest slows recovery.",
    ),
    _education(
        "weight_posture_activity",
        "Weight, posture and activity",
        "Healthy weight, varied postures and graded activity.",
    ),
    _education(
        "warning_signs",
        "Warning signs to act on",
        "Go to the emergency department at once for: new trouble passing or holding urine or "
        "stool, numbness between the legs or around the back passage, new sexual dysfunction, "
        "or leg weakness that is getting worse (cauda equina and other emergency signs).",
    ),
    # Aquatic therapy
    Intervention(
        "aquatic_exercise",
        "aquatic",
        "Aquatic exercise",
        (
            Param(
                "pool_temperature",
                "Pool temperature",
                Kind.DECIMAL,
                required=True,
                min=25,
                max=40,
                unit="°C",
            ),
            Param(
                "depth",
                "Depth",
                Kind.CHOICE,
                (
                    ("waist", "Waist deep"),
                    ("chest", "Chest deep"),
                    ("shoulder", "Shoulder deep"),
                    ("deep_water", "Deep water"),
                ),
            ),
            Param("exercises", "Exercises", Kind.TEXT, required=True, max=500),
            _minutes(10, 90, "Session length"),
            Param(
                "contraindications",
                "Contraindication screen",
                Kind.MULTI,
                (
                    ("open_wound_or_skin_infection", "Open wound or skin infection"),
                    ("incontinence", "Incontinence (bladder or bowel)"),
                    ("uncontrolled_epilepsy", "Uncontrolled epilepsy"),
                    (
                        "unstable_cardiac_or_blood_pressure",
                        "Unstable heart condition or uncontrolled blood pressure",
                    ),
                    (
                        "respiratory_impairment",
                        "Respiratory impairment (e.g. vital capacity under 1.5 L)",
                    ),
                    ("acute_infection_or_fever", "Acute infection or fever"),
                    ("chlorine_allergy", "Chlorine allergy"),
                    ("fear_of_water", "Fear of water (not yet addressed)"),
                    (NO_CONTRAINDICATION, "None of these: screened and clear"),
                ),
                required=True,
                help="Tick each one present, or “None of these”. New incontinence is a "
                "cauda equina red flag: refer, do not plan.",
            ),
        ),
        cpg=_CPG_CHRONIC_EXERCISE,
    ),
)

BY_CODE: dict[str, Intervention] = {item.code: item for item in CATALOG}


def interventions(family: str) -> tuple[Intervention, ...]:
    """The catalog items of one family, in catalog order (empty for an unknown family)."""
    return tuple(item for item in CATALOG if item.family == family)


# --- Validation ---------------------------------------------------------------------------------

_INT = re.compile(r"[+-]?[0-9]{1,9}", re.ASCII)
_DECIMAL = re.compile(r"[+-]?[0-9]{1,9}(?:[.,][0-9]{1,6})?", re.ASCII)
_ISO_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}", re.ASCII)
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_TRUE = frozenset({"on", "true", "1", "yes"})
_FALSE = frozenset({"", "off", "false", "0", "no"})


class _Invalid(Exception):
    """One parameter's value is unusable; the message is for the therapist."""


def _num(value: float | None) -> str:
    return f"{value:g}" if value is not None else ""


def _choose_message(param: Param) -> str:
    if param.name == "grade":
        return f"Choose a grade from I to {param.choices[-1][1].split()[-1]}."
    if len(param.choices) <= 4:
        return f"Choose one of: {', '.join(label for _, label in param.choices)}."
    return "Choose an option from the list."


def _range_message(param: Param) -> str:
    what = "a whole number" if param.kind is Kind.INT else "a number"
    unit = f" {param.unit}" if param.unit else ""
    return f"Enter {what} from {_num(param.min)} to {_num(param.max)}{unit}."


_NOT_A_SCALAR = object()  # a list where one value was expected: fails every check below


def _scalar(raw: object) -> object:
    if isinstance(raw, list | tuple | set | dict):
        return _NOT_A_SCALAR
    return raw.strip() if isinstance(raw, str) else raw


def _in_range(param: Param, value: float) -> None:
    finite = not isinstance(value, float) or math.isfinite(value)
    too_low = param.min is not None and value < param.min
    too_high = param.max is not None and value > param.max
    if not finite or too_low or too_high:
        raise _Invalid(_range_message(param))


def _clean(param: Param, raw: object) -> object:
    """The clean value, None when missing, or _Invalid."""
    if param.kind is Kind.MULTI:
        values = [raw] if isinstance(raw, str) else [] if raw is None else raw
        if not isinstance(values, list | tuple) or not all(isinstance(v, str) for v in values):
            raise _Invalid("Tick only options from the list.")
        picked = {v.strip() for v in values} - {""}
        codes = [code for code, _ in param.choices]
        if not picked <= set(codes):
            raise _Invalid("Tick only options from the list.")
        return [code for code in codes if code in picked] or None
    value = _scalar(raw)
    if param.kind is Kind.BOOL:
        if value is None or value is True or value is False:
            return bool(value)
        if isinstance(value, str) and value.lower() in _TRUE | _FALSE:
            return value.lower() in _TRUE
        raise _Invalid("Tick the box or leave it empty.")
    if value is None or value == "":
        return None
    if param.kind is Kind.CHOICE:
        if not isinstance(value, str) or value not in dict(param.choices):
            raise _Invalid(_choose_message(param))
        return value
    if param.kind is Kind.INT:
        if isinstance(value, bool) or not (
            isinstance(value, int) or (isinstance(value, str) and _INT.fullmatch(value))
        ):
            raise _Invalid(_range_message(param))
        number = int(value)
        _in_range(param, number)
        return number
    if param.kind is Kind.DECIMAL:
        if isinstance(value, str) and _DECIMAL.fullmatch(value):
            number = float(value.replace(",", "."))
        elif isinstance(value, int | float) and not isinstance(value, bool):
            try:
                number = float(value)
            except OverflowError:  # an int too large for a float
                raise _Invalid(_range_message(param)) from None
        else:
            raise _Invalid(_range_message(param))
        _in_range(param, number)
        return number
    if param.kind is Kind.DATE:
        try:
            if not (isinstance(value, str) and _ISO_DATE.fullmatch(value)):
                raise ValueError
            return datetime.date.fromisoformat(value).isoformat()
        except ValueError:
            raise _Invalid("Enter a date as year-month-day, e.g. 2026-11-30.") from None
    # TEXT
    if not isinstance(value, str):
        raise _Invalid("Enter text.")
    if _CONTROL.search(value):
        raise _Invalid("Remove the hidden control characters from this text.")
    if param.max is not None and len(value) > param.max:
        raise _Invalid(f"Shorten this to {_num(param.max)} characters or fewer.")
    return value


_TICK_ONE = "Tick at least one option."


def _missing_message(param: Param) -> str:
    return {
        Kind.CHOICE: _choose_message(param),
        Kind.MULTI: _TICK_ONE,
        Kind.INT: _range_message(param),
        Kind.DECIMAL: _range_message(param),
        Kind.TEXT: "Fill this in.",
        Kind.BOOL: "Tick this box to confirm.",
        Kind.DATE: "Enter a date as year-month-day, e.g. 2026-11-30.",
    }[param.kind]


# Cross-field rules: each gets the clean values and the errors so far, and adds to the errors.
_Rule = Callable[[dict[str, object], dict[str, str]], None]


def _manipulation_rule(clean: dict[str, object], errors: dict[str, str]) -> None:
    if clean.get("screened") is not True:
        errors["screened"] = (
            "Screen the patient for contraindications to thrust manipulation and tick this "
            "box before planning it."
        )


def _education_rule(clean: dict[str, object], errors: dict[str, str]) -> None:
    if clean.get("delivered") is False:
        if clean.get("understood"):
            errors["understood"] = "Mark it delivered before recording that it was understood."
        if "delivered_on" in clean:
            errors["delivered_on"] = "Mark it delivered before recording the date."


def _endurance_rule(clean: dict[str, object], errors: dict[str, str]) -> None:
    if not {"hold_seconds", "minutes"} & (clean.keys() | errors.keys()):
        errors["hold_seconds"] = "Enter a hold time or minutes."


def _aquatic_rule(clean: dict[str, object], errors: dict[str, str]) -> None:
    if errors.get("contraindications") == _TICK_ONE:
        errors["contraindications"] = (
            "Complete the contraindication screen: tick each one present, or “None of these”."
        )
    picked = clean.get("contraindications")
    if not isinstance(picked, list):
        return
    if NO_CONTRAINDICATION in picked:
        if len(picked) > 1:
            errors["contraindications"] = (
                "“None of these” cannot be ticked together with a contraindication. "
                "Untick one of them."
            )
        return
    (screen,) = (p for p in BY_CODE["aquatic_exercise"].params if p.name == "contraindications")
    labels = dict(screen.choices)
    present = " and ".join(_lower(labels[code]) for code in picked)
    errors["contraindications"] = (
        f"Aquatic therapy cannot be planned while {present} {'is' if len(picked) == 1 else 'are'} "
        "present. Remove aquatic therapy from the plan. If the problem has been resolved, update "
        "the screen and record why in the rationale."
    )


_RULES: dict[str, _Rule] = {
    "manipulation": _manipulation_rule,
    "endurance": _endurance_rule,
    "aquatic_exercise": _aquatic_rule,
    **{item.code: _education_rule for item in CATALOG if item.family == "education"},
}


def validate_item(code: str, raw: Mapping[str, object]) -> tuple[dict[str, object], dict[str, str]]:
    """Clean one planned item's parameters as an HTML form posts them.

    Returns (clean, errors). `clean` is JSON-ready (MULTI: list of codes in catalog order,
    DECIMAL: float, DATE: ISO string); missing optional values are left out, except BOOL, whose
    absence means an unticked box (False). `errors` maps a param name (or "__all__") to a
    message for the therapist; store `clean` only when `errors` is empty. Keys that are not
    params are ignored. Never raises on bad input.
    """
    item = BY_CODE.get(code) if isinstance(code, str) else None
    if item is None:
        return {}, {"__all__": "Choose an intervention from the list."}
    if not isinstance(raw, Mapping):
        return {}, {"__all__": "The form could not be read. Please fill it in again."}
    clean: dict[str, object] = {}
    errors: dict[str, str] = {}
    getlist = getattr(raw, "getlist", None)  # a Django QueryDict: keep every ticked box
    for param in item.params:
        value = getlist(param.name) if param.kind is Kind.MULTI and callable(getlist) else None
        if value is None:
            value = raw.get(param.name)
        try:
            cleaned = _clean(param, value)
        except _Invalid as invalid:
            errors[param.name] = str(invalid)
            continue
        if param.required and (cleaned is None or cleaned is False):
            errors[param.name] = _missing_message(param)
        elif cleaned is not None:
            clean[param.name] = cleaned
    if rule := _RULES.get(code):
        rule(clean, errors)
    return clean, errors


# --- Description --------------------------------------------------------------------------------

_FORMATS = {"rpe": "RPE {}/10", "times_per_day": "{}x a day", "sessions_per_week": "{}x a week"}


def _lower(label: str) -> str:
    """Lower-case the first letter ("Slider" -> "slider") unless it starts an acronym or a
    level ("SLR", "L4-L5")."""
    return label[:1].lower() + label[1:] if label[1:2].islower() else label


def _describe_value(param: Param, value: object) -> str | None:
    labels = dict(param.choices)
    if param.kind is Kind.CHOICE:
        return _lower(labels.get(str(value), str(value)))
    if param.kind is Kind.MULTI:
        values = value if isinstance(value, list | tuple) else [value]
        return f"{_lower(param.label)}: " + ", ".join(
            _lower(labels.get(str(v), str(v))) for v in values
        )
    if param.kind is Kind.BOOL:
        return _lower(param.label) if value is True else None
    if param.kind in (Kind.INT, Kind.DECIMAL):
        number = f"{value:g}" if isinstance(value, float) else str(value)
        if param.name in _FORMATS:
            return _FORMATS[param.name].format(number)
        return f"{number} {param.unit}" if param.unit else f"{_lower(param.label)} {number}"
    text = " ".join(str(value).split())  # one line, whatever the notes hold
    separator = ": " if param.kind is Kind.TEXT else " "
    return f"{_lower(param.label)}{separator}{text}"


def describe_item(code: str, values: Mapping[str, object]) -> str:
    """One line for the plan and the PDF, e.g. "Neural mobilisation: slider, sciatic nerve,
    supine (SLR position), 3 sets x 10". Tolerates stored values from an older catalog."""
    item = BY_CODE.get(code)
    if item is None:
        return f"Unknown intervention ({code})"
    parts: list[str] = []
    sets, reps = values.get("sets"), values.get("reps")
    for param in item.params:
        value = values.get(param.name)
        if value is None or value == "" or value == []:
            continue
        if param.name == "sets" and reps is not None:
            part = f"{sets} {'set' if sets == 1 else 'sets'} x {reps}"
        elif param.name == "reps" and sets is not None:
            continue
        else:
            part = _describe_value(param, value)
        if part:
            parts.append(part)
    return f"{item.label}: {', '.join(parts)}" if parts else item.label
