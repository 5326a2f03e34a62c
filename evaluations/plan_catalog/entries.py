"""The plan-of-care catalog as data: every intervention a therapist can plan, grouped in
`FAMILIES`, with its parameters and CPG link. Versioned (`CATALOG_VERSION`): a saved plan
stores the version, so change the version with the content.

The CPG links (`CpgLink`) copy clinical.md §1.5 (JOSPT 2021 low back pain CPG, George et
al.) and only where that table gives text, with its verification marker (✅/◐/⚠). Grade
letters are read off the verb with the spec's secondary mapping (A = "should", B = "may",
C = "can", ◐ [S17]); where the spec gives no verb, verb and grade are left empty.
"""

from evaluations.plan_catalog.schema import CpgLink, Intervention, Kind, Param
from intake.scoring.common import Verification

CATALOG_VERSION = "plan-catalog-2026.11-1"
CATALOG_STATUS = "Product default, not yet approved by a clinician"

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
