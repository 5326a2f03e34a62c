"""Red-flag ruleset 2026.12-1 at every rule's edges, and the review behind it (issue 18
point 6): every warning feature of clinical.md 2.2-2.7 a patient can tell is asked in
plain words and used by a rule; what only a clinician can find is listed as such.

For each rule: the smallest set of items that fires it, each alternative of its "any of"
groups, and each set one item short (with the level that results instead). Age items are
as the date of birth gives them: over 65 is over 60 and over 50 too."""

import copy
import html
import json
import re
from datetime import date, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from intake import results, services
from intake.models import Intake, RedFlagAlert
from intake.questions import (
    FOLLOW_UP_RED_FLAG_CODES,
    HISTORY_QUESTIONS,
    RED_FLAG_QUESTIONS,
)
from intake.triage import (
    CES_ITEMS,
    RULES_PATH,
    Level,
    RulesetError,
    default_ruleset,
    parse_ruleset,
    triage,
)
from tests.factories import IntakeFactory
from tests.intake.answers import HAPPY

VERSION = "2026.12-1"
E, U, M, N = Level.EMERGENCY, Level.URGENT, Level.MONITOR, Level.NONE
AGES = ("AGE-OVER-50", "AGE-OVER-60", "AGE-OVER-65")
ASKED = {code for code, _ in RED_FLAG_QUESTIONS + HISTORY_QUESTIONS}
RULES = {rule.id: rule for rule in default_ruleset().rules}


def _realistic(items) -> set[str]:
    """An age item brings the lower ones: nobody is over 65 and not over 50."""
    items = set(items)
    for n, age in enumerate(AGES):
        if age in items:
            items.update(AGES[:n])
    return items


def _without(items, item) -> set[str]:
    """One item short. An age item short means just under that age: the higher ages go too."""
    gone = set(AGES[AGES.index(item) :]) if item in AGES else {item}
    return _realistic(items) - gone


def _triage(items):
    return triage({code: "yes" for code in _realistic(items)})


def _fired(items) -> set[str]:
    return {hit.rule for hit in _triage(items).hits}


# rule -> (the smallest set that fires it, {item taken away: the level that results instead}).
EDGES = {
    "ces": ({"CES-3"}, {"CES-3": N}),
    "aaa-symptomatic": ({"SX-ABDO-PAIN", "SX-FAINT"}, {"SX-ABDO-PAIN": M, "SX-FAINT": M}),
    "aaa-pulsating-faint": (
        {"SX-ABDO-PULSATING", "SX-FAINT"},
        {"SX-ABDO-PULSATING": M, "SX-FAINT": M},
    ),
    "mscc": ({"HX-CANCER", "SX-NEURO"}, {"HX-CANCER": N, "SX-NEURO": U}),
    "infection-systemic": ({"SX-FEVER", "HX-IVDU"}, {"SX-FEVER": M, "HX-IVDU": U}),
    "infection-neuro": (
        {"SX-NIGHT-PAIN", "HX-IVDU", "NEURO-PROGRESSIVE"},
        {"SX-NIGHT-PAIN": U, "HX-IVDU": U, "NEURO-PROGRESSIVE": U},
    ),
    "major-trauma": ({"HX-MAJOR-TRAUMA"}, {"HX-MAJOR-TRAUMA": N}),
    "fracture-neuro": (
        {"HX-MINOR-TRAUMA", "HX-OSTEOPOROSIS", "NEURO-PROGRESSIVE"},
        {"HX-MINOR-TRAUMA": U, "HX-OSTEOPOROSIS": U, "NEURO-PROGRESSIVE": U},
    ),
    "fracture-neuro-lifting": (
        {"HX-LIFT-ONSET", "HX-STEROIDS", "SX-WIDESPREAD-NEURO"},
        {"HX-LIFT-ONSET": U, "HX-STEROIDS": U, "SX-WIDESPREAD-NEURO": U},
    ),
    "progressive-neurology": ({"NEURO-PROGRESSIVE"}, {"NEURO-PROGRESSIVE": N}),
    "widespread-neurology": ({"SX-WIDESPREAD-NEURO"}, {"SX-WIDESPREAD-NEURO": N}),
    "infection": (
        {"SX-NIGHT-PAIN", "HX-IMMUNOSUPPRESSION"},
        {"SX-NIGHT-PAIN": M, "HX-IMMUNOSUPPRESSION": M},
    ),
    "fever": ({"SX-FEVER"}, {"SX-FEVER": N}),
    "cancer-history": ({"HX-CANCER"}, {"HX-CANCER": N}),
    "malignancy-flags": (
        {"AGE-OVER-50", "HX-WEIGHT-LOSS"},
        {"AGE-OVER-50": M, "HX-WEIGHT-LOSS": M},
    ),
    "malignancy-combination": (
        {"AGE-OVER-50", "HX-FIRST-BACK-PAIN", "SX-THORACIC-PAIN"},
        {"AGE-OVER-50": M, "HX-FIRST-BACK-PAIN": M, "SX-THORACIC-PAIN": M},
    ),
    "fragility-fracture": (
        {"HX-MINOR-TRAUMA", "AGE-OVER-65"},
        {"HX-MINOR-TRAUMA": M, "AGE-OVER-65": M},
    ),
    # Lifting alone is no red flag at all: most back pain starts so.
    "fragility-fracture-lifting": (
        {"HX-LIFT-ONSET", "HX-OSTEOPOROSIS"},
        {"HX-LIFT-ONSET": M, "HX-OSTEOPOROSIS": N},
    ),
    "fracture-flags": (
        {"HX-STEROIDS", "HX-OSTEOPOROSIS"},
        {"HX-STEROIDS": M, "HX-OSTEOPOROSIS": M},
    ),
    "aaa-risk": ({"SX-ABDO-PAIN", "HX-VASCULAR-RISK"}, {"SX-ABDO-PAIN": M, "HX-VASCULAR-RISK": M}),
    "aaa-pulsating-pain": (
        {"SX-ABDO-PULSATING", "SX-ABDO-PAIN"},
        {"SX-ABDO-PULSATING": M, "SX-ABDO-PAIN": M},
    ),
    "aaa-pulsating-risk": (
        {"SX-ABDO-PULSATING", "AGE-OVER-60", "SEX-MALE"},
        {"SX-ABDO-PULSATING": M, "AGE-OVER-60": M, "SEX-MALE": M},
    ),
    "aaa-profile": (
        {"SEX-MALE", "AGE-OVER-60", "HX-VASCULAR-RISK", "SX-PROGRESSIVE-PAIN"},
        {"SEX-MALE": M, "AGE-OVER-60": M, "HX-VASCULAR-RISK": M, "SX-PROGRESSIVE-PAIN": M},
    ),
    "single-flag": ({"AGE-OVER-50"}, {"AGE-OVER-50": N}),
}


def test_the_ruleset_is_the_new_version_and_still_awaits_a_clinician():
    ruleset = default_ruleset()
    assert ruleset.version == VERSION
    assert "not yet approved by a clinician" in ruleset.status
    assert json.loads(RULES_PATH.read_text())["supersedes"] == "2026.11-1"


def test_every_rule_has_its_edges_tested_and_names_its_spec_section():
    assert set(EDGES) == set(RULES)
    for rule in RULES.values():
        assert re.search(r"clinical\.md 2\.\d", rule.basis), rule.id


@pytest.mark.parametrize("rule_id", list(EDGES))
def test_the_smallest_set_fires_the_rule_at_its_level(rule_id):
    smallest, _short = EDGES[rule_id]
    result = _triage(smallest)
    assert rule_id in {h.rule for h in result.hits}
    assert result.level is RULES[rule_id].level


@pytest.mark.parametrize(
    "rule_id, item",
    [(rule_id, item) for rule_id, (_, short) in EDGES.items() for item in short],
)
def test_one_item_short_does_not_fire_the_rule_and_says_what_results(rule_id, item):
    smallest, short = EDGES[rule_id]
    assert set(short) == smallest  # every item of the smallest set is taken away in turn
    left = _without(smallest, item)
    result = triage({code: "yes" for code in left})
    assert rule_id not in {h.rule for h in result.hits}
    assert result.level is short[item], (rule_id, item, sorted(left))


def _alternatives():
    """(rule, item set) with each alternative of its "any of" and "n of" items swapped in."""
    for rule_id, (smallest, _) in EDGES.items():
        rule = RULES[rule_id]
        if rule.any_of:
            (chosen,) = rule.any_of & smallest
            for other in sorted(rule.any_of - {chosen}):
                yield rule_id, (smallest - {chosen}) | {other}
        for chosen in rule.of & smallest:
            for other in sorted(rule.of - smallest):
                yield rule_id, (smallest - {chosen}) | {other}


@pytest.mark.parametrize("rule_id, items", list(_alternatives()))
def test_every_alternative_of_a_group_fires_the_rule(rule_id, items):
    assert rule_id in _fired(items)


@pytest.mark.parametrize("item", sorted(CES_ITEMS))
def test_each_cauda_equina_item_alone_is_an_emergency_and_not_sure_counts(item):
    for answer in ("yes", "unsure"):
        result = triage({item: answer})
        assert result.level is E and result.ces and result.hits[0].rule == "ces"


# The only items that on their own reach a referral, each with the row of clinical.md
# 2.1a that says so. Every other single item is at most MONITOR: no rule of the form
# "any red flag -> referral" except cauda equina and the named findings (2.1).
SINGLE_ITEM_REFERRALS = {
    **dict.fromkeys(CES_ITEMS, E),  # 2.1a row 1, 2.2
    "HX-MAJOR-TRAUMA": E,  # 2.1a row 5: major trauma with back pain
    "NEURO-PROGRESSIVE": U,  # 2.1a row 6: progressive neurology, acute foot drop
    "SX-WIDESPREAD-NEURO": U,  # 2.1a row 6: widespread neurology
    "HX-CANCER": U,  # 2.1a row 8: history of cancer (alone) with new back pain
    "SX-FEVER": U,  # 2.5: systemically unwell
}


@pytest.mark.parametrize("item", sorted(default_ruleset().items))
def test_no_single_low_specificity_item_reaches_a_referral(item):
    level = _triage({item}).level
    if item in SINGLE_ITEM_REFERRALS:
        assert level is SINGLE_ITEM_REFERRALS[item]
    else:
        assert level <= M, item


TODAY = date(2026, 12, 3)


def _level(answers=None, *, dob=date(1990, 1, 1), sex=None, on=TODAY) -> str:
    computed = results.compute(answers or {}, date_of_birth=dob, on=on, sex=sex, odi_licensed=False)
    return computed.red_flag_level


def test_the_spec_examples_of_a_single_low_specificity_flag_are_monitor():
    # clinical.md 2.1a row 10: "e.g., age >50 alone, night pain alone"; 2.4: "age >50 only".
    assert _level(dob=date(1960, 1, 1)) == "MONITOR"
    assert _level({"when": {"night_pain": "constant"}}) == "MONITOR"
    assert _level({"redflags": {"SX-NIGHT-PAIN": "yes"}}) == "MONITOR"
    assert _level({"redflags": {"SX-NIGHT-PAIN": "unsure"}}) == "MONITOR"


# --- Age and sex from the record, at their edges ---------------------------------------


def _born(years: int) -> date:
    """Born `years` ago today: today is the birthday."""
    return date(TODAY.year - years, TODAY.month, TODAY.day)


@pytest.mark.parametrize(
    "limit, code", [(50, "AGE-OVER-50"), (60, "AGE-OVER-60"), (65, "AGE-OVER-65")]
)
def test_an_age_item_turns_on_at_the_first_birthday_past_the_limit(limit, code):
    def derived(dob):
        return results.derived_items({}, date_of_birth=dob, on=TODAY)

    assert code not in derived(_born(limit))  # the birthday itself: exactly `limit`
    assert code not in derived(_born(limit + 1) + timedelta(days=1))  # one day short
    assert code in derived(_born(limit + 1))


def test_a_leap_day_birthday_counts_from_the_first_of_march():
    dob = date(1960, 2, 29)
    assert "AGE-OVER-65" not in results.derived_items({}, date_of_birth=dob, on=date(2026, 2, 28))
    assert "AGE-OVER-65" in results.derived_items({}, date_of_birth=dob, on=date(2026, 3, 1))


@pytest.mark.parametrize(
    "answers, limit, sex",
    [
        ({"history": {"HX-WEIGHT-LOSS": "yes"}}, 50, None),  # malignancy-flags
        ({"when": {"mechanism": "minor_trauma"}}, 65, None),  # fragility-fracture
        ({"redflags": {"SX-ABDO-PULSATING": "yes"}}, 60, "male"),  # aaa-pulsating-risk
        (
            {"history": {"HX-VASCULAR-RISK": "yes"}, "redflags": {"SX-PROGRESSIVE-PAIN": "yes"}},
            60,
            "male",
        ),  # aaa-profile
    ],
)
def test_a_rule_that_needs_an_age_fires_from_that_birthday_not_the_day_before(answers, limit, sex):
    day_before = _born(limit + 1) + timedelta(days=1)
    assert _level(answers, dob=day_before, sex=sex) == "MONITOR"
    assert _level(answers, dob=_born(limit + 1), sex=sex) == "URGENT"


def test_lifting_at_an_older_age_alone_stays_a_single_flag_but_with_thin_bones_is_urgent():
    lifting = {"when": {"mechanism": "lift"}}
    assert _level(lifting, dob=date(1950, 1, 1)) == "MONITOR"  # the ruleset's notes say why
    assert _level(lifting) == "NONE"
    assert _level({**lifting, "history": {"HX-OSTEOPOROSIS": "yes"}}) == "URGENT"


@pytest.mark.parametrize(
    "sex, level",
    [
        ("male", "URGENT"),
        ("female", "MONITOR"),
        ("other", "MONITOR"),
        ("unknown", "MONITOR"),
        (None, "MONITOR"),
    ],
)
def test_only_male_on_the_record_counts_towards_the_aneurysm_profile(sex, level):
    pulsating = {"redflags": {"SX-ABDO-PULSATING": "yes"}}
    assert _level(pulsating, dob=date(1950, 1, 1), sex=sex) == level
    profile = {"history": {"HX-VASCULAR-RISK": "yes"}, "when": {"night_pain": "constant"}}
    assert _level(profile, dob=date(1950, 1, 1), sex=sex) == level


def test_a_pulsing_belly_with_faintness_is_an_emergency_whoever_the_patient_is():
    answers = {"redflags": {"SX-ABDO-PULSATING": "yes", "SX-FAINT": "unsure"}}
    assert _level(answers, dob=date(2000, 1, 1), sex="female") == "EMERGENCY"


# --- Every row of clinical.md 2.2-2.7: asked, derived, or clinician-only --------------

CLINICIAN = "clinician-only"
# (spec row, the warning feature, the item code that asks or derives it or CLINICIAN)
SPEC_ROWS = [
    ("2.2 CES-1", "Bilateral leg pain, or one leg become both", "CES-1"),
    ("2.2 CES-2", "Saddle numbness or altered sensation", "CES-2"),
    ("2.2 CES-3", "New bladder disturbance", "CES-3"),
    ("2.2 CES-4", "New bowel disturbance", "CES-4"),
    ("2.2 CES-5", "Sexual dysfunction", "CES-5"),
    ("2.2 CES-6", "Progressive bilateral deficit; gait disturbance", "CES-6"),
    ("2.2 CES-7", "Laxity of the anal sphincter or perianal sensory loss", CLINICIAN),
    ("2.2", "Post-void residual volume", CLINICIAN),
    ("2.3", "Older age (over 65)", "AGE-OVER-65"),
    ("2.3", "Prolonged corticosteroid use", "HX-STEROIDS"),
    ("2.3", "Severe trauma: major trauma", "HX-MAJOR-TRAUMA"),
    ("2.3", "Severe trauma: minor trauma in older or osteoporotic people", "HX-MINOR-TRAUMA"),
    ("2.3", "Severe trauma: strenuous lifting in older or osteoporotic people", "HX-LIFT-ONSET"),
    ("2.3", "Contusion or abrasion", CLINICIAN),
    ("2.3", "History of osteoporosis", "HX-OSTEOPOROSIS"),
    ("2.4", "History of cancer", "HX-CANCER"),
    ("2.4", "Unexplained weight loss", "HX-WEIGHT-LOSS"),
    ("2.4", "Age over 50", "AGE-OVER-50"),
    ("2.4", "Failure to improve after 1 month of conservative care", "HX-NO-IMPROVEMENT"),
    ("2.4", "No prior history of back pain", "HX-FIRST-BACK-PAIN"),
    ("2.4", "Thoracic pain", "SX-THORACIC-PAIN"),
    ("2.4", "Constant or progressive non-mechanical pain", "SX-PROGRESSIVE-PAIN"),
    ("2.4", "Night pain", "SX-NIGHT-PAIN"),
    ("2.4", "Structural deformity of the spine", CLINICIAN),
    ("2.4", "Systemically unwell", "SX-FEVER"),
    ("2.5", "Fever, malaise, systemically unwell", "SX-FEVER"),
    ("2.5", "Measured fever or signs of sepsis", CLINICIAN),
    (
        "2.5",
        "Recent bacterial infection, UTI or bacteraemia; recent invasive procedure",
        "HX-RECENT-INFECTION",
    ),
    ("2.5", "Intravenous drug use", "HX-IVDU"),
    ("2.5", "Immunosuppression (steroids, transplant, HIV)", "HX-IMMUNOSUPPRESSION"),
    ("2.5", "Diabetes", "HX-DIABETES"),
    ("2.5", "Alcohol dependence", "HX-ALCOHOL"),
    ("2.5", "TB", "HX-TB"),
    ("2.5", "Constant severe pain that continues when lying down or at night", "SX-NIGHT-PAIN"),
    ("2.6", "Age over 60", "AGE-OVER-60"),
    ("2.6", "Male", "SEX-MALE"),
    ("2.6", "Smoking, hypertension, atherosclerosis", "HX-VASCULAR-RISK"),
    ("2.6", "Pulsatile abdominal mass on palpation", CLINICIAN),
    ("2.6", "A throbbing or pulsating feeling in the belly", "SX-ABDO-PULSATING"),
    ("2.6", "Abdominal and back pain", "SX-ABDO-PAIN"),
    ("2.6", "Non-mechanical pain", "SX-PROGRESSIVE-PAIN"),
    ("2.6", "Symptomatic or ruptured: haemodynamic symptoms", "SX-FAINT"),
    ("2.6", "Vascular versus neurogenic claudication (pulses)", CLINICIAN),
    ("2.7", "Acute or progressive foot drop (tripping, a slapping foot)", "NEURO-PROGRESSIVE"),
    ("2.7", "Foot drop graded (dorsiflexion 3/5 or less)", CLINICIAN),
    ("2.7", "Upper motor neuron signs: Babinski, sustained clonus, hyperreflexia", CLINICIAN),
    ("2.7", "Widespread neurology", "SX-WIDESPREAD-NEURO"),
]
# Items no question asks: what produces each, from the other answers or the record.
DERIVED = {
    "AGE-OVER-50": {"dob": date(1970, 1, 1)},
    "AGE-OVER-60": {"dob": date(1960, 1, 1)},
    "AGE-OVER-65": {"dob": date(1950, 1, 1)},
    "SEX-MALE": {"sex": "male"},
    "HX-MAJOR-TRAUMA": {"answers": {"when": {"mechanism": "major_trauma"}}},
    "HX-MINOR-TRAUMA": {"answers": {"when": {"mechanism": "minor_trauma"}}},
    "HX-LIFT-ONSET": {"answers": {"when": {"mechanism": "lift"}}},
    "SX-NEURO": {"answers": {"feels": {"weakness": "yes"}}},
}
_HISTORY = {code for code, _ in HISTORY_QUESTIONS}


def _present(*, answers=None, dob=None, sex=None) -> set[str]:
    computed = results.compute(
        answers or {}, date_of_birth=dob, on=TODAY, sex=sex, odi_licensed=False
    )
    return set(computed.triage["present"])


@pytest.mark.parametrize(
    "row, feature, code", [r for r in SPEC_ROWS if r[2] != CLINICIAN], ids=lambda v: str(v)[:40]
)
def test_every_feature_a_patient_can_tell_is_asked_or_derived_and_used_by_a_rule(
    row, feature, code
):
    if code in ASKED:
        screen = "history" if code in _HISTORY else "redflags"
        assert code in _present(answers={screen: {code: "yes"}})
        assert code not in _present(answers={screen: {code: "no"}})
    else:
        assert code in _present(**DERIVED[code])
    assert any(code in rule.items for rule in RULES.values()), code


def test_what_only_a_clinician_can_find_is_listed_as_such_in_the_ruleset_and_never_asked():
    notes = json.loads(RULES_PATH.read_text())["source_notes"]["clinician_only"]
    listed = {(n["spec"], n["finding"]) for n in notes}
    assert listed == {(row, feature) for row, feature, code in SPEC_ROWS if code == CLINICIAN}
    exam_words = re.compile(r"sphincter|babinski|clonus|reflex|palpat|abrasion|contusion", re.I)
    assert not [q for _, q in RED_FLAG_QUESTIONS + HISTORY_QUESTIONS if exam_words.search(q)]


def test_every_item_the_rules_name_is_asked_or_derived_and_every_question_has_staff_words():
    items = set(default_ruleset().items)
    assert items <= ASKED | set(DERIVED) | {"CES-1", "CES-2", "SX-NIGHT-PAIN"}
    assert items >= ASKED  # the staff pages print each answer in the ruleset's words


NEW_QUESTIONS = {
    "SX-WIDESPREAD-NEURO",
    "SX-NIGHT-PAIN",
    "SX-PROGRESSIVE-PAIN",
    "SX-THORACIC-PAIN",
    "SX-ABDO-PULSATING",
    "HX-TB",
    "HX-ALCOHOL",
    "HX-FIRST-BACK-PAIN",
}
JARGON = re.compile(
    r"thoracic|abdomen|abdominal|aort|aneurysm|neurolog|mechanical|pulsatile|dependen|"
    r"progressive|malignan|metasta|systemic|sepsis|bilateral",
    re.I,
)


@pytest.mark.parametrize("code", sorted(NEW_QUESTIONS))
def test_a_new_question_is_short_and_in_plain_words(code):
    question = dict(RED_FLAG_QUESTIONS + HISTORY_QUESTIONS)[code]
    assert len(question.split()) <= 25, question
    assert not JARGON.search(question), question


def test_the_follow_up_packet_asks_the_new_items_that_can_start_later_cauda_equina_first():
    codes = FOLLOW_UP_RED_FLAG_CODES
    screen = [code for code, _ in RED_FLAG_QUESTIONS]
    assert codes[:6] == tuple(c for c in screen if c in CES_ITEMS)
    assert len(set(codes)) == len(codes) and set(codes) <= set(screen)
    assert {
        "SX-WIDESPREAD-NEURO",
        "SX-NIGHT-PAIN",
        "SX-PROGRESSIVE-PAIN",
        "SX-THORACIC-PAIN",
        "SX-ABDO-PULSATING",
    } <= set(codes)


# --- The locked cauda equina rule ----------------------------------------------------


def _document():
    return copy.deepcopy(json.loads(RULES_PATH.read_text()))


def _ces(data):
    return next(r for r in data["rules"] if r["id"] == "ces")


def test_the_cauda_equina_rule_is_unchanged_by_the_new_version():
    assert _ces(_document()) == {
        "id": "ces",
        "level": "EMERGENCY",
        "locked": True,
        "any_of": ["CES-1", "CES-2", "CES-3", "CES-4", "CES-5", "CES-6"],
        "action": "Suspected cauda equina syndrome: emergency referral to hospital, to be seen "
        "within hours. Do not start treatment.",
        "basis": "clinical.md 2.2 (BMJ Best Practice; GIRFT): always an emergency",
    }


@pytest.mark.parametrize(
    "change",
    [
        lambda d: d["rules"].remove(_ces(d)),
        lambda d: _ces(d).update(level="URGENT"),
        lambda d: _ces(d).update(locked=False),
        lambda d: _ces(d)["any_of"].remove("CES-2"),
        lambda d: _ces(d).update(all_of=["HX-CANCER"]),
        lambda d: _ces(d).update(at_least=2, of=["CES-1", "CES-3"]),
        lambda d: _ces(d).update(id="ces-old"),
    ],
    ids=[
        "removed",
        "urgent",
        "unlocked",
        "item dropped",
        "all_of",
        "at_least",
        "renamed",
    ],
)
def test_a_ruleset_that_weakens_the_cauda_equina_rule_does_not_load(change):
    data = _document()
    change(data)
    with pytest.raises(RulesetError, match="cauda equina"):
        parse_ruleset(data)


@pytest.mark.parametrize(
    "change, message",
    [
        (lambda r: r.update(of=["NOT-AN-ITEM"]), "unknown items"),
        (lambda r: r.update(at_least=0), "at_least"),
        (lambda r: r.pop("at_least"), "at_least"),
        (lambda r: r.update(at_least=9), "at_least"),
    ],
)
def test_a_rule_that_would_fire_on_nothing_or_names_no_item_does_not_load(change, message):
    data = _document()
    change(next(r for r in data["rules"] if r["id"] == "malignancy-combination"))
    with pytest.raises(RulesetError, match=message):
        parse_ruleset(data)


# --- On the tablet, and on the staff pages ------------------------------------------

pytest_db = pytest.mark.django_db


@pytest.fixture
def kiosk(front_desk_client, front_desk, patient):
    """The front desk hands a tablet over for a 41-year-old woman's intake."""
    from patients.models import Patient
    from tests.factories import hand_over_tablet

    Patient.objects.filter(pk=patient.pk).update(date_of_birth=date(1985, 4, 12))
    front_desk_client.post(reverse("intake:start", args=[patient.public_id]))
    intake = Intake.objects.get(patient=patient)
    hand_over_tablet(front_desk_client, intake=intake, by=front_desk)
    front_desk_client.intake = intake
    return front_desk_client


def _fill(client, steps):
    for step in steps:
        response = client.post(reverse("kiosk:step", args=[step]), {**HAPPY[step], "nav": "next"})
        assert response.status_code == 302, (step, response.content.decode()[:2000])


@pytest_db
@pytest.mark.parametrize(
    "step, questions", [("history", HISTORY_QUESTIONS), ("redflags", RED_FLAG_QUESTIONS)]
)
def test_the_tablet_asks_every_question_with_yes_no_and_not_sure(kiosk, step, questions):
    _fill(kiosk, list(HAPPY)[: list(HAPPY).index(step)])
    page = html.unescape(kiosk.get(reverse("kiosk:step", args=[step])).content.decode())
    for code, question in questions:
        assert question in page, code
        for value in ("yes", "no", "unsure"):
            assert re.search(rf'<input[^>]*name="{code}"[^>]*value="{value}"', page), (code, value)
    assert page.count(">Not sure</label>") >= len(questions)


@pytest_db
def test_a_pulsing_belly_with_faintness_on_the_tablet_is_an_emergency_alert_not_a_stop(kiosk):
    _fill(kiosk, list(HAPPY)[: list(HAPPY).index("redflags")])
    answers = {**HAPPY["redflags"], "SX-ABDO-PULSATING": "yes", "SX-FAINT": "yes"}
    response = kiosk.post(reverse("kiosk:step", args=["redflags"]), {**answers, "nav": "next"})
    assert response.status_code == 302 and response.url != reverse("kiosk:stop")
    _fill(kiosk, list(HAPPY)[list(HAPPY).index("redflags") + 1 :])
    kiosk.post(reverse("kiosk:submit"), {"submission_id": "0b7c1d52-7a44-4f39-8c1e-2f5d6a9b3c10"})
    intake = Intake.objects.get(pk=kiosk.intake.pk)
    assert intake.status == Intake.Status.SUBMITTED
    assert intake.red_flag_level == "EMERGENCY"
    assert intake.triage["ruleset_version"] == VERSION
    assert intake.triage["hits"][0]["rule"] == "aaa-pulsating-faint"
    assert RedFlagAlert.objects.get(intake=intake).items == ["SX-ABDO-PULSATING", "SX-FAINT"]


# What an intake sent under ruleset 2026.11-1 stored: its screens had none of the new items.
OLD_CODES = {
    "history": (
        "HX-CANCER",
        "HX-OSTEOPOROSIS",
        "HX-STEROIDS",
        "HX-DIABETES",
        "HX-IMMUNOSUPPRESSION",
        "HX-IVDU",
        "HX-RECENT-INFECTION",
        "HX-WEIGHT-LOSS",
        "HX-VASCULAR-RISK",
        "HX-NO-IMPROVEMENT",
    ),
    "redflags": tuple(
        c
        for c in HAPPY["redflags"]
        if c in CES_ITEMS | {"NEURO-PROGRESSIVE", "SX-FEVER", "SX-ABDO-PAIN", "SX-FAINT"}
    ),
}
OLD_TRIAGE = {
    "level": "NONE",
    "items": [],
    "hits": [],
    "ces": False,
    "present": [],
    "ruleset_version": "2026.11-1",
    "ruleset_status": "product default, not yet approved by a clinician; localise it to the "
    "clinic's referral pathways",
}


def _old_intake(patient):
    patient.date_of_birth = date(1985, 4, 12)  # 41: age raises no flag
    patient.save(update_fields=["date_of_birth"])
    answers = {
        "history": {
            **dict.fromkeys(OLD_CODES["history"], "no"),
            "medications": "",
            "imaging": "no",
            "injections": "no",
            "surgery": "no",
        },
        "redflags": dict.fromkeys(OLD_CODES["redflags"], "no"),
        "pain": {"nprs_back_now": 3, "nprs_leg_now": 6},
    }
    return IntakeFactory(patient=patient, answers=answers, triage=OLD_TRIAGE, red_flag_level="NONE")


def _rows(page: str) -> dict[str, str]:
    text = html.unescape(page)
    return dict(re.findall(r"<dt[^>]*>(.*?)</dt><dd[^>]*>(.*?)</dd>", text))


@pytest_db
def test_an_intake_sent_under_the_old_ruleset_shows_the_new_items_as_not_asked(
    therapist_client, patient
):
    intake = _old_intake(patient)
    page = therapist_client.get(reverse("intake:detail", args=[intake.public_id])).content.decode()
    rows = _rows(page)
    questions = dict(RED_FLAG_QUESTIONS + HISTORY_QUESTIONS)
    for code in NEW_QUESTIONS:
        assert rows[questions[code]] == "Not asked", code
    assert rows[questions["SX-ABDO-PAIN"]] == "No"
    assert rows[questions["HX-CANCER"]] == "No"
    # Its result is the one it was scored with, and says the rules await a clinician.
    assert "Ruleset 2026.11-1: product default, not yet approved by a clinician" in page


@pytest_db
def test_an_amendment_to_an_old_intake_is_scored_under_the_current_ruleset(patient, therapist):
    intake = _old_intake(patient)
    services.intake_amend(
        intake=intake,
        step="pain",
        answers={"nprs_back_now": 4, "nprs_leg_now": 6},
        reason="Patient misread the scale.",
        by=therapist,
    )
    amendment = intake.amendments.get()
    assert amendment.results["triage"]["ruleset_version"] == VERSION
    assert amendment.results["red_flag_level"] == "NONE"  # not asked is not "yes"
    redflags = {**dict.fromkeys(OLD_CODES["redflags"], "no"), "SX-ABDO-PULSATING": "yes"}
    redflags.update({code: "no" for code, _ in RED_FLAG_QUESTIONS if code not in redflags})
    redflags["SX-ABDO-PAIN"] = "yes"
    services.intake_amend(
        intake=intake, step="redflags", answers=redflags, reason="Asked again.", by=therapist
    )
    latest = intake.amendments.order_by("at", "pk").last().results
    assert latest["red_flag_level"] == "URGENT"
    assert "aaa-pulsating-pain" in {h["rule"] for h in latest["triage"]["hits"]}


def _new_item_intake(patient):
    answers = {"redflags": {"SX-ABDO-PULSATING": "yes", "SX-ABDO-PAIN": "yes"}}
    computed = results.compute(
        answers, date_of_birth=patient.date_of_birth, on=timezone.localdate(), odi_licensed=False
    )
    return IntakeFactory(
        patient=patient,
        answers=answers,
        triage={**computed.triage, "episode": computed.episode},
        red_flag_level=computed.red_flag_level,
        scores=computed.scores,
        pattern=computed.pattern,
        submitted_at=timezone.now() - timedelta(days=1),
    )


PULSING = "A throbbing or pulsing feeling in the belly"


@pytest_db
def test_the_intake_and_evaluation_pages_name_a_new_item_in_the_rulesets_words(
    therapist_client, therapist, patient
):
    from evaluations import services as evaluation_services

    intake = _new_item_intake(patient)
    page = therapist_client.get(reverse("intake:detail", args=[intake.public_id])).content.decode()
    assert PULSING in html.unescape(page)
    assert f"Ruleset {VERSION}: product default, not yet approved by a clinician" in page
    evaluation = evaluation_services.evaluation_start(patient=patient, kind="initial", by=therapist)
    page = therapist_client.get(reverse("evaluations:detail", args=[evaluation.public_id]))
    assert PULSING in html.unescape(page.content.decode())


@pytest_db
def test_the_intake_summary_pdf_prints_a_new_item_in_the_rulesets_words(patient):
    from core.models import Clinic
    from reports.documents import DOCUMENTS
    from reports.pdf import render_document
    from tests.reports.pdftext import pdf_text

    intake = _new_item_intake(patient)
    subject = DOCUMENTS["intake_summary"].load(intake.public_id)
    text = " ".join(
        pdf_text(
            render_document("intake_summary", subject, clinic=Clinic.objects.current()).pdf
        ).split()
    )
    assert PULSING in text
    assert f"Ruleset {VERSION}: product default, not yet approved by a clinician" in text


def test_the_demo_answers_every_new_question_no():
    import random

    from intake.demo import demo_answers

    answers = demo_answers(random.Random(2026), today=TODAY)
    for code in NEW_QUESTIONS:
        assert answers["history" if code in _HISTORY else "redflags"][code] == "no", code


@pytest_db
def test_an_amendment_that_finds_an_urgent_flag_raises_its_alert_once(patient, therapist):
    from intake.models import RedFlagAlert

    intake = _old_intake(patient)
    redflags = {code: "no" for code, _ in RED_FLAG_QUESTIONS}
    redflags.update({"SX-ABDO-PULSATING": "yes", "SX-ABDO-PAIN": "yes"})
    for _ in range(2):  # the same correction saved twice
        services.intake_amend(
            intake=intake, step="redflags", answers=redflags, reason="Asked again.", by=therapist
        )
    (alert,) = RedFlagAlert.objects.filter(intake=intake)
    assert alert.level == "URGENT" and alert.acknowledged_at is None
    assert {"SX-ABDO-PULSATING", "SX-ABDO-PAIN"} <= set(alert.items)
