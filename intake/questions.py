"""What the tablet asks, in plain language, and the codes each answer is stored under.

Pure data: the forms render it, intake/results.py turns answers into red-flag items,
scores and the pattern suggestion. Codes are stable; wording may change (and be
translated) without touching stored answers. Red-flag item codes are the ruleset's
(intake/rules/red_flags.json, clinical.md 2.1a).

The wording here is English, marked for translation (gettext_noop): the forms show it in
the patient's language (intake.forms), and everything else (staff pages, the ruleset's
checks, evaluation notes) reads it as it is here. Only the codes are ever stored.
"""

from django.utils.translation import gettext_noop

YES, NO, UNSURE = "yes", "no", "unsure"
YES_NO = ((YES, gettext_noop("Yes")), (NO, gettext_noop("No")))
YES_NO_UNSURE = (
    (YES, gettext_noop("Yes")),
    (NO, gettext_noop("No")),
    (UNSURE, gettext_noop("Not sure")),
)

# Red-flag screen, cauda equina first (clinical.md 2.8: "Red-flag block (CES first)").
RED_FLAG_QUESTIONS: tuple[tuple[str, str], ...] = (
    (
        "CES-3",
        gettext_noop(
            # Translators: safety wording; product translation, to be reviewed by a qualified
            # medical translator and a clinician before use.
            "Since this pain started, have you had new trouble passing urine, not felt urine "
            "pass, leaked, or needed to go much more often?"
        ),
    ),
    (
        "CES-4",
        gettext_noop(
            # Translators: safety wording; product translation, to be reviewed by a qualified
            # medical translator and a clinician before use.
            "Have you had new trouble controlling your bowels, or not felt when your bowel is full?"
        ),
    ),
    (
        "CES-2",
        gettext_noop(
            # Translators: safety wording; product translation, to be reviewed by a qualified
            # medical translator and a clinician before use.
            "Do you have numbness, pins and needles or a change in feeling around your back "
            "passage, genitals or inner thighs (where you would sit on a saddle)?"
        ),
    ),
    (
        "CES-5",
        gettext_noop(
            # Translators: safety wording; product translation, to be reviewed by a qualified
            # medical translator and a clinician before use.
            "Have you noticed new problems with sexual function, or less feeling in your genitals?"
        ),
    ),
    (
        "CES-1",
        gettext_noop(
            # Translators: safety wording; product translation, to be reviewed by a qualified
            # medical translator and a clinician before use.
            "Do you have pain, numbness or tingling in both legs, or has pain spread from one "
            "leg to both?"
        ),
    ),
    (
        "CES-6",
        # Translators: safety wording; product translation, to be reviewed by a qualified
        # medical translator and a clinician before use.
        gettext_noop("Are both of your legs getting weaker, or do you have new trouble walking?"),
    ),
    (
        "NEURO-PROGRESSIVE",
        gettext_noop(
            # Translators: safety wording; product translation, to be reviewed by a qualified
            # medical translator and a clinician before use.
            "Is one leg getting weaker, or do you trip or feel your foot slap the ground?"
        ),
    ),
    # Warning features a patient can tell, from clinical.md 2.4-2.7 (ruleset 2026.12-1).
    (
        "SX-WIDESPREAD-NEURO",
        gettext_noop(
            # Translators: safety wording; product translation, to be reviewed by a qualified
            # medical translator and a clinician before use.
            "Do you also have numbness, tingling or weakness in your arms or hands, or new "
            "trouble keeping your balance?"
        ),
    ),
    (
        "SX-FEVER",
        # Translators: safety wording; product translation, to be reviewed by a qualified
        # medical translator and a clinician before use.
        gettext_noop("Do you have a fever or sweats, or feel generally unwell?"),
    ),
    # The same item as the night-pain answer on "When and how", asked here too so that a
    # follow-up packet, which has no such screen, can ask it again.
    (
        "SX-NIGHT-PAIN",
        # Translators: safety wording; product translation, to be reviewed by a qualified
        # medical translator and a clinician before use.
        gettext_noop("Is the pain there all the time, even when you lie down to rest or at night?"),
    ),
    (
        "SX-PROGRESSIVE-PAIN",
        # Translators: safety wording; product translation, to be reviewed by a qualified
        # medical translator and a clinician before use.
        gettext_noop("Is the pain getting steadily worse, whatever you do?"),
    ),
    (
        "SX-THORACIC-PAIN",
        gettext_noop(
            # Translators: safety wording; product translation, to be reviewed by a qualified
            # medical translator and a clinician before use.
            "Do you have pain in your upper or middle back, around or between your shoulder blades?"
        ),
    ),
    (
        "SX-ABDO-PAIN",
        # Translators: safety wording; product translation, to be reviewed by a qualified
        # medical translator and a clinician before use.
        gettext_noop("Do you have pain in your belly as well as your back?"),
    ),
    (
        "SX-ABDO-PULSATING",
        # Translators: safety wording; product translation, to be reviewed by a qualified
        # medical translator and a clinician before use.
        gettext_noop("Do you feel a throbbing or pulsing in your belly, like a heartbeat?"),
    ),
    (
        "SX-FAINT",
        # Translators: safety wording; product translation, to be reviewed by a qualified
        # medical translator and a clinician before use.
        gettext_noop("Do you feel faint, dizzy or clammy with the pain?"),
    ),
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
    (
        "HX-CANCER",
        # Translators: safety wording; product translation, to be reviewed by a qualified
        # medical translator and a clinician before use.
        gettext_noop("Have you ever had cancer?"),
    ),
    (
        "HX-OSTEOPOROSIS",
        # Translators: safety wording; product translation, to be reviewed by a qualified
        # medical translator and a clinician before use.
        gettext_noop("Have you been told you have osteoporosis (thin bones)?"),
    ),
    (
        "HX-STEROIDS",
        gettext_noop(
            # Translators: safety wording; product translation, to be reviewed by a qualified
            # medical translator and a clinician before use.
            "Have you taken steroid tablets or had steroid injections for more than 3 months?"
        ),
    ),
    (
        "HX-DIABETES",
        # Translators: safety wording; product translation, to be reviewed by a qualified
        # medical translator and a clinician before use.
        gettext_noop("Do you have diabetes?"),
    ),
    (
        "HX-IMMUNOSUPPRESSION",
        gettext_noop(
            # Translators: safety wording; product translation, to be reviewed by a qualified
            # medical translator and a clinician before use.
            "Is your immune system weakened, for example by medicines, a transplant or HIV?"
        ),
    ),
    (
        "HX-TB",
        # Translators: safety wording; product translation, to be reviewed by a qualified
        # medical translator and a clinician before use.
        gettext_noop("Have you ever had tuberculosis (TB)?"),
    ),
    (
        "HX-IVDU",
        # Translators: safety wording; product translation, to be reviewed by a qualified
        # medical translator and a clinician before use.
        gettext_noop("Have you ever injected drugs? (This helps us check for infection risk.)"),
    ),
    (
        "HX-ALCOHOL",
        gettext_noop(
            # Translators: safety wording; product translation, to be reviewed by a qualified
            # medical translator and a clinician before use.
            "Do you drink a lot of alcohol most days, or find it hard to cut down? (This helps "
            "us check for infection risk.)"
        ),
    ),
    (
        "HX-RECENT-INFECTION",
        gettext_noop(
            # Translators: safety wording; product translation, to be reviewed by a qualified
            # medical translator and a clinician before use.
            "In the last few weeks, have you had an infection, a urine infection, or an operation "
            "or injection?"
        ),
    ),
    (
        "HX-WEIGHT-LOSS",
        # Translators: safety wording; product translation, to be reviewed by a qualified
        # medical translator and a clinician before use.
        gettext_noop("Have you lost weight recently without trying?"),
    ),
    (
        "HX-VASCULAR-RISK",
        gettext_noop(
            # Translators: safety wording; product translation, to be reviewed by a qualified
            # medical translator and a clinician before use.
            "Do you have heart or blood vessel disease or high blood pressure, or do you smoke?"
        ),
    ),
    (
        "HX-NO-IMPROVEMENT",
        gettext_noop(
            # Translators: safety wording; product translation, to be reviewed by a qualified
            # medical translator and a clinician before use.
            "Have you had treatment for this pain for a month or more without it getting better?"
        ),
    ),
    (
        "HX-FIRST-BACK-PAIN",
        # Translators: safety wording; product translation, to be reviewed by a qualified
        # medical translator and a clinician before use.
        gettext_noop("Is this the first time you have ever had back pain?"),
    ),
)

QUALITIES = (
    ("dull_ache", gettext_noop("A dull, deep ache")),
    ("sharp", gettext_noop("Sharp")),
    ("shooting", gettext_noop("Shooting")),
    ("electric", gettext_noop("Like an electric shock")),
    ("burning", gettext_noop("Burning")),
)
FOLLOWS_PATH = (
    ("path", gettext_noop("It follows a clear line down my leg")),
    ("moves", gettext_noop("It moves around or is spread out")),
    ("no_leg", gettext_noop("I have no leg pain")),
)
LEG_VS_BACK = (
    ("leg_worse", gettext_noop("My leg is worse than my back")),
    ("back_worse", gettext_noop("My back is worse than my leg")),
    ("same", gettext_noop("About the same")),
    ("no_leg", gettext_noop("I have no leg pain")),
)
# How it started, and night pain: some answers are red-flag items themselves
# (intake.results.derived_items).
MECHANISMS = (
    ("none", gettext_noop("No particular reason")),
    # Translators: safety wording; product translation, to be reviewed by a qualified
    # medical translator and a clinician before use.
    ("lift", gettext_noop("Lifting, bending or twisting")),
    # Translators: safety wording; product translation, to be reviewed by a qualified
    # medical translator and a clinician before use.
    ("minor_trauma", gettext_noop("A minor fall or knock")),
    # Translators: safety wording; product translation, to be reviewed by a qualified
    # medical translator and a clinician before use.
    ("major_trauma", gettext_noop("A serious accident, or a fall from a height")),
    ("other", gettext_noop("Something else")),
)
PREVIOUS_EPISODES = (
    ("none", gettext_noop("No, this is the first time")),
    ("once_twice", gettext_noop("Once or twice before")),
    ("several", gettext_noop("Several times before")),
)
POSTURES = (
    ("bending", gettext_noop("Bending forward")),
    ("sitting", gettext_noop("Sitting")),
    ("standing", gettext_noop("Standing")),
    ("walking", gettext_noop("Walking")),
    ("lying", gettext_noop("Lying down")),
)
PATTERN_24H = (
    ("morning", gettext_noop("Worse in the morning")),
    ("evening", gettext_noop("Worse as the day goes on")),
    ("same", gettext_noop("About the same all day")),
    ("varies", gettext_noop("It varies")),
)
NIGHT_PAIN = (
    ("none", gettext_noop("It does not bother me at night")),
    ("wakes", gettext_noop("It wakes me when I move")),
    # Translators: safety wording; product translation, to be reviewed by a qualified
    # medical translator and a clinician before use.
    ("constant", gettext_noop("It is there all night and lying down does not ease it")),
)
WALKING = (
    ("unable", gettext_noop("I cannot walk")),
    ("under_5", gettext_noop("Less than 5 minutes")),
    ("5_15", gettext_noop("5 to 15 minutes")),
    ("15_30", gettext_noop("15 to 30 minutes")),
    ("30_60", gettext_noop("30 minutes to an hour")),
    ("over_60", gettext_noop("More than an hour")),
)
RELIEF = (
    ("yes", gettext_noop("Yes")),
    ("no", gettext_noop("No")),
    ("na", gettext_noop("I have no leg pain when walking")),
)

NPRS_ITEMS = (
    ("nprs_back_now", gettext_noop("Back pain right now")),
    ("nprs_back_best_24h", gettext_noop("Back pain at its least in the last 24 hours")),
    ("nprs_back_worst_24h", gettext_noop("Back pain at its worst in the last 24 hours")),
    ("nprs_leg_now", gettext_noop("Leg pain right now")),
    ("nprs_leg_best_24h", gettext_noop("Leg pain at its least in the last 24 hours")),
    ("nprs_leg_worst_24h", gettext_noop("Leg pain at its worst in the last 24 hours")),
)

PSFS_MIN_ACTIVITIES = 3
PSFS_MAX_ACTIVITIES = 5
