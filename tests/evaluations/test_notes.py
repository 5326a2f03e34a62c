"""The treatment note's record, read without the database: what typing becomes, the
messages, what signing needs, the cauda equina re-check and the plan's rows."""

import datetime

import pytest

from evaluations import notes, plan_catalog
from evaluations.progress import from_records
from intake.triage import CES_ITEMS

TODAY = datetime.date(2026, 11, 20)
START = datetime.date(2026, 11, 1)

PLAN = {
    "schema": 3,
    "items": [
        {
            "code": "neural_mobilisation",
            "values": {"technique": "slider", "nerve": "sciatic", "sets": 3, "reps": 10},
        },
        {"code": "directional_preference", "values": {"direction": "extension", "reps": 10}},
        {"code": "a_retired_intervention", "values": {"x": 1}},
    ],
}


def _rows():
    return notes.plan_interventions(PLAN)


def _clean(raw, rows=None):
    return notes.clean(raw, rows=_rows() if rows is None else rows, earliest=START, latest=TODAY)


def _complete(**extra):
    raw = {
        "visit_date": "2026-11-20",
        "response": "CENTRALISING",
        "distal_site": "THIGH",
        "back_nprs": "3",
        "leg_nprs": "5",
        "hep_adherence": "MOST",
        "minutes": "40",
        "notes": "Tolerated well.",
        notes.done_field(0): "on",
        notes.param_field(0, "technique"): "slider",
        notes.param_field(0, "nerve"): "sciatic",
        notes.param_field(0, "sets"): "2",
        notes.param_field(0, "reps"): "10",
        notes.param_field(1, "direction"): "extension",
    }
    raw |= {notes.ces_field(item.code): "no" for item in notes.ces_items()}
    return raw | extra


def test_the_plans_interventions_become_rows_to_tick_with_their_planned_values():
    rows = _rows()
    assert [r["code"] for r in rows] == ["neural_mobilisation", "directional_preference"]
    assert rows[0] == {
        "code": "neural_mobilisation",
        "done": False,
        "values": {"technique": "slider", "nerve": "sciatic", "sets": 3, "reps": 10},
        "planned": {"technique": "slider", "nerve": "sciatic", "sets": 3, "reps": 10},
    }
    assert notes.describe_row(rows[0]).startswith("Neural mobilisation: slider")
    assert notes.plan_interventions(None) == []
    assert notes.plan_interventions({"items": ["junk", {"code": 3}]}) == []


def test_a_new_record_carries_its_schema_and_the_plans_rows():
    record = notes.new_record(PLAN)
    assert record["schema"] == notes.SCHEMA == 1
    assert record["catalog_version"] == plan_catalog.CATALOG_VERSION
    assert len(record["interventions"]) == 2
    assert record["ces_recheck"] == {}
    assert notes.read({})["schema"] == 1


def test_a_complete_note_cleans_into_the_record_with_adjusted_values():
    record, errors, visit = _clean(_complete())
    assert errors == {}
    assert visit == TODAY
    assert record["response"] == "CENTRALISING"
    assert (record["back_nprs"], record["leg_nprs"], record["minutes"]) == (3, 5, 40)
    assert record["hep_adherence"] == "MOST"
    first = record["interventions"][0]
    assert first["done"] is True
    assert first["values"]["sets"] == 2  # adjusted today
    assert first["planned"]["sets"] == 3  # as the plan gave it
    assert record["interventions"][1]["done"] is False
    assert set(record["ces_recheck"]) == CES_ITEMS
    assert notes.sign_problems(record) == []
    assert notes.ces_positive(record) == []


def test_a_draft_may_leave_everything_blank():
    record, errors, visit = _clean({})
    assert errors == {}
    assert visit is None
    problems = notes.sign_problems(record)
    assert "Say how the symptoms responded today." in problems
    assert "Give today's leg pain (0 to 10)." in problems
    assert "Ask the cauda equina re-check: 6 questions are not answered." in problems
    assert "Tick the interventions done today, or say in the notes why none were." in problems


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("back_nprs", "11", "Enter a whole number from 0 to 10."),
        ("leg_nprs", "-1", "Enter a whole number from 0 to 10."),
        ("leg_nprs", "5.5", "Enter a whole number from 0 to 10."),
        ("minutes", "0", "Enter the minutes spent as a whole number from 1 to 240."),
        ("minutes", "241", "Enter the minutes spent as a whole number from 1 to 240."),
        ("response", "BETTER", "Choose how the symptoms responded"),
        ("distal_site", "KNEE", "Choose where the most distal symptom is from the list."),
        ("hep_adherence", "LOTS", "Choose how much of the home programme was done."),
        ("visit_date", "2026-11-21", "The visit date cannot be after 20 Nov 2026."),
        ("visit_date", "2026-10-31", "cannot be before the episode began (1 Nov 2026)"),
        ("visit_date", "20/11/2026", "Enter the visit date as year-month-day"),
        ("notes", "a\x00b", "Remove the hidden control characters"),
        ("notes", "x" * 4001, "Shorten the notes to 4000 characters or fewer."),
        (notes.ces_field("CES-3"), "maybe", "Answer no, yes or not sure."),
        (notes.param_field(0, "sets"), "99", "Enter a whole number from 1 to 10"),
    ],
)
def test_wrong_input_gets_a_message_for_the_therapist(field, value, message):
    record, errors, _visit = _clean(_complete(**{field: value}))
    assert message in errors[field]
    # The rest still counts: the re-check is read whatever else is wrong.
    assert set(record["ces_recheck"]) == CES_ITEMS - (
        {field.removeprefix("ces_")} if field.startswith("ces_") else set()
    )


def test_a_required_parameter_of_a_row_done_today_is_asked_for():
    _record, errors, _ = _clean(_complete(**{notes.param_field(0, "nerve"): ""}))
    assert errors[notes.param_field(0, "nerve")] == "Choose an option from the list."


def test_a_row_not_done_today_keeps_its_valid_values_and_asks_nothing():
    raw = _complete(**{notes.done_field(0): "", notes.param_field(0, "sets"): "99"})
    record, errors, _ = _clean(raw)
    assert errors == {}
    assert record["interventions"][0]["done"] is False
    assert "sets" not in record["interventions"][0]["values"]
    assert record["interventions"][0]["values"]["nerve"] == "sciatic"


def test_rows_come_from_the_stored_note_never_from_the_post():
    raw = _complete(**{notes.done_field(5): "on", "iv_5__direction": "flexion"})
    record, errors, _ = _clean(raw)
    assert errors == {}
    assert len(record["interventions"]) == 2


def test_yes_and_not_sure_on_a_cauda_equina_item_are_positive():
    raw = _complete(**{notes.ces_field("CES-3"): "yes", notes.ces_field("CES-1"): "unsure"})
    record, _errors, _ = _clean(raw)
    assert notes.ces_positive(record) == ["CES-1", "CES-3"]
    # Even while another field is wrong.
    record, errors, _ = _clean({**raw, "back_nprs": "12"})
    assert "back_nprs" in errors
    assert notes.ces_positive(record) == ["CES-1", "CES-3"]


def test_the_recheck_asks_the_tablets_cauda_equina_items_in_staff_words():
    items = notes.ces_items()
    assert {i.code for i in items} == CES_ITEMS
    assert items[0].code == "CES-3"  # bladder first, as on the tablet
    assert "passing urine" in items[0].staff_text
    assert items[0].patient_text.startswith("Since this pain started")


def test_none_done_is_fine_when_the_notes_say_why():
    raw = _complete(**{notes.done_field(0): "", "notes": "Sent to the emergency department."})
    record, errors, _ = _clean(raw)
    assert errors == {}
    assert notes.sign_problems(record) == []
    record, _, _ = _clean({**raw, "notes": "  "})
    assert notes.sign_problems(record) == [
        "Tick the interventions done today, or say in the notes why none were."
    ]


def test_form_values_give_the_record_back_to_the_form():
    record, _, _ = _clean(_complete())
    values = notes.form_values(record, TODAY)
    assert values["visit_date"] == "2026-11-20"
    assert values["back_nprs"] == "3"
    assert values[notes.done_field(0)] is True
    assert values[notes.param_field(0, "sets")] == 2
    assert values[notes.ces_field("CES-2")] == "no"
    again, errors, _ = _clean(values)
    assert errors == {}
    assert again == record


class _Note:
    def __init__(self, on, status, record):
        self.visit_date, self.status, self.content = on, status, record


def test_a_notes_pain_and_distal_site_join_the_episodes_charts():
    record, _, _ = _clean(_complete())
    assert notes.progress_values(record) == ({"back_pain": 3.0, "leg_pain": 5.0}, "THIGH")
    assert notes.progress_values({}) == ({}, None)
    data = from_records(None, {}, [], notes=[_Note(TODAY, "draft", record)])
    leg = next(m for m in data.measures if m.code == "leg_pain")
    assert [(p.label, p.source, p.draft, p.value) for p in leg.points] == [
        ("Treatment note", "note", True, 5.0)
    ]
    assert leg.statement.endswith("The latest value is from an unsigned draft treatment note.")
    assert data.distal.points[0].label == "Treatment note"
    assert "treatment note" in data.distal.statement


def test_a_note_and_an_evaluation_on_the_same_day_are_charted_in_the_order_made():
    import datetime as dt

    record, _, _ = _clean(_complete())
    morning = dt.datetime(2026, 11, 20, 9, tzinfo=dt.UTC)
    note = _Note(TODAY, "signed", record)
    note.created_at = morning
    visit = type(
        "_Visit",
        (),
        {
            "kind": "reevaluation",
            "status": "signed",
            "visit_date": TODAY,
            "created_at": morning + dt.timedelta(hours=3),
            "findings": {"outcomes": {"leg_now": 2}},
        },
    )()
    data = from_records(None, {}, [visit], notes=[note])
    leg = next(m for m in data.measures if m.code == "leg_pain")
    assert [p.label for p in leg.points] == ["Treatment note", "Re-evaluation 1"]
    note.created_at = morning + dt.timedelta(hours=5)
    data = from_records(None, {}, [visit], notes=[note])
    leg = next(m for m in data.measures if m.code == "leg_pain")
    assert [p.label for p in leg.points] == ["Re-evaluation 1", "Treatment note"]
