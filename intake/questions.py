"""What the tablet asks, in plain language, and the codes each answer is stored under.

Pure data: the forms render it, intake/results.py turns answers into red-flag items,
scores and the pattern suggestion. Codes are stable; wording may change (and be
translated) without touching stored answers. Red-flag item codes are the ruleset's
(intake/rules/red_flags.json, clinical.md 2.1a).
"""

YES, NO, UNSURE = "yes", "no", "unsure"
YES_NO = ((YES, "Yes"), (NO, "No"))
YES_NO_UNSURE = ((YES, "Yes"), (NO, "No"), (UNSURE, "Not sure"))

# Red-flag screen, cauda equina first (clinical.md 2.8: "Red-flag block (CES first)").
RED_FLAG_QUESTIONS: tuple[tuple[str, str], ...] = (
    (
        "CES-3",
        "Since this pain started, have you had new trouble passing urine, not felt urine "
        "pass, leaked, or needed to go much more often?",
    ),
    (
        "CES-4",
        "Have you had new trouble controlling your bowels, or not felt when your bowel is full?",
    ),
    (
        "CES-2",
        "Do you have numbness, pins and needles or a change in feeling around your back "
        "passage, genitals or inner thighs (where you would sit on a saddle)?",
    ),
    (
        "CES-5",
        "Have you noticed new problems with sexual function, or less feeling in your genitals?",
    ),
    (
        "CES-1",
        "Do you have pain, numbness or tingling in both legs, or has pain spread from one "
        "leg to both?",
    ),
    ("CES-6", "Are both of your legs getting weaker, or do you have new trouble walking?"),
    (
        "NEURO-PROGRESSIVE",
        "Is one leg getting weaker, or do you trip or feel your foot slap the ground?",
    ),
    # Warning features a patient can tell, from clinical.md 2.4-2.7 (ruleset 2026.12-1).
    (
        "SX-WIDESPREAD-NEURO",
        "Do you also have numbness, tingling or weakness in your arms or hands, or new "
        "trouble keeping your balance?",
    ),
    ("SX-FEVER", "Do you have a fever or sweats, or feel generally unwell?"),
    # The same item as the night-pain answer on "When and how", asked here too so that a
    # follow-up packet, which has no such screen, can ask it again.
    (
        "SX-NIGHT-PAIN",
        "Is the pain there all the time, even when you lie down to rest or at night?",
    ),
    ("SX-PROGRESSIVE-PAIN", "Is the pain getting steadily worse, whatever you do?"),
    (
        "SX-THORACIC-PAIN",
        "Do you have pain in your upper or middle back, around or between your shoulder blades?",
    ),
    ("SX-ABDO-PAIN", "Do you have pain in your belly as well as your back?"),
    ("SX-ABDO-PULSATING", "Do you feel a throbbing or pulsing in your belly, like a heartbeat?"),
    ("SX-FAINT", "Do you feel faint, dizzy or clammy with the pain?"),
)

# The red-flag questions a follow-up packet asks again (intake.followup): what can be new
# since the first visit, cauda equina first. Worded as on the intake (RED_FLAG_QUESTIONS).
FOLLOW_UP_RED_FLAG_CODES: tuple[str, ...] = (
    "CES-3",
    "CES-4",
    "CES-2",
    "CES-5",
    "CES-1",
    "CES-6",
    "NEURO-PROGRESSIVE",
    "SX-FEVER",
    "SX-ABDO-PAIN",
    "SX-FAINT",
    # Added by the red-flag review (ruleset 2026.12-1): warning signs that can start after
    # the first visit. History items (cancer, TB, no earlier back pain) cannot be new.
    "SX-WIDESPREAD-NEURO",
    "SX-NIGHT-PAIN",
    "SX-PROGRESSIVE-PAIN",
    "SX-THORACIC-PAIN",
    "SX-ABDO-PULSATING",
)

HISTORY_QUESTIONS: tuple[tuple[str, str], ...] = (
    ("HX-CANCER", "Have you ever had cancer?"),
    ("HX-OSTEOPOROSIS", "Have you been told you have osteoporosis (thin bones)?"),
    (
        "HX-STEROIDS",
        "Have you taken steroid tablets or had steroid injections for more than 3 months?",
    ),
    ("HX-DIABETES", "Do you have diabetes?"),
    (
        "HX-IMMUNOSUPPRESSION",
        "Is your immune system weakened, for example by medicines, a transplant or HIV?",
    ),
    ("HX-TB", "Have you ever had tuberculosis (TB)?"),
    ("HX-IVDU", "Have you ever injected drugs? (This helps us check for infection risk.)"),
    (
        "HX-ALCOHOL",
        "Do you drink a lot of alcohol most days, or find it hard to cut down? (This helps "
        "us check for infection risk.)",
    ),
    (
        "HX-RECENT-INFECTION",
        "In the last few weeks, have you had an infection, a urine infection, or an operation "
        "or injection?",
    ),
    ("HX-WEIGHT-LOSS", "Have you lost weight recently without trying?"),
    (
        "HX-VASCULAR-RISK",
        "Do you have heart or blood vessel disease or high blood pressure, or do you smoke?",
    ),
    (
        "HX-NO-IMPROVEMENT",
        "Have you had treatment for this pain for a month or more without it getting better?",
    ),
    ("HX-FIRST-BACK-PAIN", "Is this the first time you have ever had back pain?"),
)

QUALITIES = (
    ("dull_ache", "A dull, deep ache"),
    ("sharp", "Sharp"),
    ("shooting", "Shooting"),
    ("electric", "Like an electric shock"),
    ("burning", "Burning"),
)
FOLLOWS_PATH = (
    ("path", "It follows a clear line down my leg"),
    ("moves", "It moves around or is spread out"),
    ("no_leg", "I have no leg pain"),
)
LEG_VS_BACK = (
    ("leg_worse", "My leg is worse than my back"),
    ("back_worse", "My back is worse than my leg"),
    ("same", "About the same"),
    ("no_leg", "I have no leg pain"),
)
MECHANISMS = (
    ("none", "No particular reason"),
    ("lift", "Lifting, bending or twisting"),
    ("minor_trauma", "A minor fall or knock"),
    ("major_trauma", "A serious accident, or a fall from a height"),
    ("other", "Something else"),
)
PREVIOUS_EPISODES = (
    ("none", "No, this is the first time"),
    ("once_twice", "Once or twice before"),
    ("several", "Several times before"),
)
POSTURES = (
    ("bending", "Bending forward"),
    ("sitting", "Sitting"),
    ("standing", "Standing"),
    ("walking", "Walking"),
    ("lying", "Lying down"),
)
PATTERN_24H = (
    ("morning", "Worse in the morning"),
    ("evening", "Worse as the day goes on"),
    ("same", "About the same all day"),
    ("varies", "It varies"),
)
NIGHT_PAIN = (
    ("none", "It does not bother me at night"),
    ("wakes", "It wakes me when I move"),
    ("constant", "It is there all night and lying down does not ease it"),
)
WALKING = (
    ("unable", "I cannot walk"),
    ("under_5", "Less than 5 minutes"),
    ("5_15", "5 to 15 minutes"),
    ("15_30", "15 to 30 minutes"),
    ("30_60", "30 minutes to an hour"),
    ("over_60", "More than an hour"),
)
RELIEF = (("yes", "Yes"), ("no", "No"), ("na", "I have no leg pain when walking"))

NPRS_ITEMS = (
    ("nprs_back_now", "Back pain right now"),
    ("nprs_back_best_24h", "Back pain at its least in the last 24 hours"),
    ("nprs_back_worst_24h", "Back pain at its worst in the last 24 hours"),
    ("nprs_leg_now", "Leg pain right now"),
    ("nprs_leg_best_24h", "Leg pain at its least in the last 24 hours"),
    ("nprs_leg_worst_24h", "Leg pain at its worst in the last 24 hours"),
)

PSFS_MIN_ACTIVITIES = 3
PSFS_MAX_ACTIVITIES = 5
