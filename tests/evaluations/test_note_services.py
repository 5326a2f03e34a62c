"""Treatment notes through their services: started from an open episode on the plan of
care, saved as a draft as the therapist goes, signed and locked like an evaluation, added
to by addenda, and the cauda equina re-check alerting staff at once."""

from datetime import timedelta

import pytest
from django.utils import timezone

from audit.models import AuditEvent
from care.demo import demo_discharge
from evaluations import note_services as services
from evaluations import notes
from evaluations.models import Evaluation, NoteAddendum, TreatmentNote
from intake.models import RedFlagAlert
from tests.evaluations.note_helpers import form_data, signed_initial
from tests.factories import TEST_PASSWORD, EvaluationFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def initial(patient, therapist):
    return signed_initial(patient, therapist)


@pytest.fixture
def note(initial, therapist):
    return services.note_start(episode=initial.episode, by=therapist)


def _save(note, therapist, data):
    note.refresh_from_db()
    return services.note_save(note=note, data=data, by=therapist, version=note.version)


def _audits(note, action):
    return AuditEvent.objects.filter(object_id=str(note.public_id), action=action)


# --- Start -------------------------------------------------------------------------------


def test_a_note_starts_from_the_latest_signed_plan_of_care(initial, note, therapist):
    assert note.status == TreatmentNote.Status.DRAFT
    assert note.episode == initial.episode and note.patient == initial.patient
    assert note.plan_from == initial
    assert note.visit_number == 1
    record = notes.read(note.content)
    planned = [item["code"] for item in initial.content["plan"]["items"]]
    assert [row["code"] for row in record["interventions"]] == planned
    assert all(row["done"] is False for row in record["interventions"])
    assert _audits(note, AuditEvent.Action.CREATE).count() == 1


def test_visits_are_counted_from_the_initial_evaluation(initial, note, therapist, patient):
    second = services.note_start(episode=initial.episode, by=therapist)
    assert second.visit_number == 2
    EvaluationFactory(
        patient=patient, intake=initial.intake, therapist=therapist, kind="reevaluation"
    )
    assert services.note_start(episode=initial.episode, by=therapist).visit_number == 4


def test_a_note_on_a_closed_episode_is_refused_with_a_clear_message(initial, therapist):
    episode = demo_discharge(initial.episode, on=timezone.localdate(), reason="goals_met")
    with pytest.raises(services.NoteRefused) as refused:
        services.note_start(episode=episode, by=therapist)
    (message,) = refused.value.problems
    assert message.startswith("This episode of care was discharged on ")
    assert "open a new episode of care first" in message
    assert not TreatmentNote.objects.exists()
    denied = AuditEvent.objects.get(action=AuditEvent.Action.DENIED)
    assert denied.summary == "Refused to start a treatment note"
    assert denied.patient_id == episode.patient_id


def test_a_note_needs_a_signed_evaluation_first(patient, therapist):
    draft = EvaluationFactory(patient=patient, therapist=therapist)
    with pytest.raises(services.NoteRefused) as refused:
        services.note_start(episode=draft.episode, by=therapist)
    assert "Sign the initial evaluation first" in refused.value.problems[0]


# --- Save --------------------------------------------------------------------------------


def test_a_save_stores_the_record_and_counts_the_version(note, therapist):
    result = _save(note, therapist, form_data(note))
    assert result.status == "saved"
    note.refresh_from_db()
    assert note.version == 1
    assert note.drafts == {}
    record = notes.read(note.content)
    assert record["leg_nprs"] == 4 and record["response"] == "CENTRALISING"
    assert all(row["done"] for row in record["interventions"])
    assert record["schema"] == notes.SCHEMA
    update = _audits(note, AuditEvent.Action.UPDATE).get()
    assert update.summary == "Saved the treatment note"
    assert update.details == {"version": 1, "valid": True}


def test_a_partial_draft_saves_as_the_therapist_goes(note, therapist):
    result = _save(note, therapist, {"back_nprs": "6"})
    assert result.status == "saved"
    note.refresh_from_db()
    assert notes.read(note.content)["back_nprs"] == 6
    assert services.sign_problems(note)  # far from signable


def test_invalid_input_keeps_what_was_typed_with_its_messages(note, therapist):
    _save(note, therapist, form_data(note))
    note.refresh_from_db()
    before = note.content
    typed = form_data(note, leg_nprs="12", minutes="0", notes="Still typing")
    result = _save(note, therapist, typed)
    assert result.status == "invalid"
    assert result.form.errors["leg_nprs"] == ["Enter a whole number from 0 to 10."]
    assert "from 1 to 240" in result.form.errors["minutes"][0]
    note.refresh_from_db()
    assert note.content == before  # the last valid save stays the record
    assert note.drafts["leg_nprs"] == ["12"] and note.drafts["notes"] == ["Still typing"]
    assert note.version == 2
    shown = services.note_form(note)  # the page shows the draft, with its messages
    assert shown.is_bound and not shown.is_valid()
    assert "leg_nprs" in shown.errors
    assert "Some answers are not valid yet" in services.sign_problems(note)[0]
    # Putting it right clears the draft.
    assert _save(note, therapist, form_data(note)).status == "saved"
    note.refresh_from_db()
    assert note.drafts == {}


def test_a_save_from_a_stale_tab_is_refused_and_writes_nothing(note, therapist):
    _save(note, therapist, form_data(note))
    note.refresh_from_db()
    stale = services.note_save(
        note=note, data=form_data(note, leg_nprs="9"), by=therapist, version=0
    )
    assert stale.status == "conflict"
    note.refresh_from_db()
    assert note.version == 1 and notes.read(note.content)["leg_nprs"] == 4
    mine = services.note_save(
        note=note, data=form_data(note, leg_nprs="9"), by=therapist, version=0, overwrite=1
    )
    assert mine.status == "saved"
    note.refresh_from_db()
    assert notes.read(note.content)["leg_nprs"] == 9


def test_a_visit_after_a_discharge_cannot_be_dated_later_than_it(note, therapist, initial):
    demo_discharge(initial.episode, on=timezone.localdate() - timedelta(days=1), reason="plateau")
    result = _save(note, therapist, form_data(note, visit_date=timezone.localdate().isoformat()))
    assert result.status == "invalid"
    assert "cannot be after" in result.form.errors["visit_date"][0]
    yesterday = (timezone.localdate() - timedelta(days=1)).isoformat()
    assert _save(note, therapist, form_data(note, visit_date=yesterday)).status == "saved"


# --- Sign, lock, addenda -----------------------------------------------------------------


def test_signing_needs_the_password_and_a_complete_note(note, therapist):
    with pytest.raises(services.NoteRefused) as incomplete:
        services.note_sign(note=note, by=therapist, password=TEST_PASSWORD)
    assert "Say how the symptoms responded today." in incomplete.value.problems
    _save(note, therapist, form_data(note))
    note.refresh_from_db()
    with pytest.raises(services.NoteRefused) as wrong:
        services.note_sign(note=note, by=therapist, password="not-it")
    assert wrong.value.problems == ["That password is not right. Enter your own sign-in password."]
    assert _audits(note, AuditEvent.Action.DENIED).get().summary.startswith("Signature refused")
    signed = services.note_sign(note=note, by=therapist, password=TEST_PASSWORD)
    assert signed.is_signed and signed.signed_by == therapist
    assert len(signed.content_hash) == 64
    assert services.note_verify(signed)
    assert _audits(note, AuditEvent.Action.SIGN).count() == 1
    assert signed.history.filter(status="signed").exists()


def test_only_the_author_signs(note, therapist):
    _save(note, therapist, form_data(note))
    other = UserFactory(roles=["Physical therapist"])
    note.refresh_from_db()
    with pytest.raises(services.NoteRefused, match="Only the therapist who wrote"):
        services.note_sign(note=note, by=other, password=TEST_PASSWORD)


@pytest.fixture
def signed(note, therapist):
    _save(note, therapist, form_data(note))
    note.refresh_from_db()
    return services.note_sign(note=note, by=therapist, password=TEST_PASSWORD)


def test_a_signed_note_is_locked(signed, therapist):
    before = (signed.content, signed.version, signed.content_hash)
    result = _save(signed, therapist, form_data(signed, leg_nprs="0"))
    assert result.status == "locked"
    signed.refresh_from_db()
    assert (signed.content, signed.version, signed.content_hash) == before
    assert services.note_verify(signed)
    refused = _audits(signed, AuditEvent.Action.DENIED).get()
    assert refused.summary == "Refused a change to the signed treatment note"
    with pytest.raises(services.NoteLocked):
        services.note_sign(note=signed, by=therapist, password=TEST_PASSWORD)


def test_changes_after_signing_are_addenda(note, signed, therapist):
    with pytest.raises(ValueError, match="Give both"):
        services.note_addendum_add(note=signed, by=therapist, reason=" ", text="x")
    addendum = services.note_addendum_add(
        note=signed, by=therapist, reason="Late entry", text="Patient phoned: leg pain 3/10."
    )
    assert NoteAddendum.objects.get() == addendum
    assert len(addendum.content_hash) == 64
    assert services.note_verify(TreatmentNote.objects.get(pk=signed.pk))
    audit = AuditEvent.objects.filter(summary__startswith="Added an addendum").get()
    assert audit.object_id == str(signed.public_id)


def test_a_draft_takes_no_addendum(note, therapist):
    with pytest.raises(ValueError, match="edit the draft"):
        services.note_addendum_add(note=note, by=therapist, reason="x", text="y")


# --- The cauda equina re-check ----------------------------------------------------------


def test_a_yes_on_the_recheck_raises_one_emergency_alert_at_once(note, therapist, initial):
    result = _save(note, therapist, form_data(note, **{notes.ces_field("CES-3"): "yes"}))
    alert = result.alert
    assert alert is not None
    assert RedFlagAlert.objects.get() == alert
    assert alert.treatment_note == note and alert.intake is None and alert.evaluation is None
    assert (alert.level, alert.ces, alert.items) == ("EMERGENCY", True, ["CES-3"])
    assert alert.patient == note.patient
    assert alert.summary.startswith("Possible cauda equina syndrome (CES-3)")
    assert RedFlagAlert.objects.open().filter(pk=alert.pk).exists()  # on the banner now
    raised = AuditEvent.objects.get(action=AuditEvent.Action.ALERT)
    assert raised.details["items"] == ["CES-3"]
    assert raised.patient_id == note.patient_id

    # Saving the same answers again raises nothing more; a new item raises it again.
    again = _save(note, therapist, form_data(note, **{notes.ces_field("CES-3"): "yes"}))
    assert again.alert is None and RedFlagAlert.objects.count() == 1
    more = {notes.ces_field("CES-3"): "yes", notes.ces_field("CES-2"): "unsure"}
    newer = _save(note, therapist, form_data(note, **more))
    assert newer.alert is not None and newer.alert.items == ["CES-2", "CES-3"]
    assert RedFlagAlert.objects.count() == 2
    assert AuditEvent.objects.filter(action=AuditEvent.Action.ALERT).count() == 2


def test_the_recheck_alerts_even_while_the_rest_is_not_valid(note, therapist):
    result = _save(note, therapist, {"leg_nprs": "15", notes.ces_field("CES-4"): "yes"})
    assert result.status == "invalid"
    assert result.alert is not None and result.alert.items == ["CES-4"]


def test_a_note_with_an_open_alert_cannot_be_signed_until_it_is_dispositioned(note, therapist):
    result = _save(note, therapist, form_data(note, **{notes.ces_field("CES-1"): "yes"}))
    note.refresh_from_db()
    problems = services.sign_problems(note)
    assert any("Record what was done on the alert page before signing" in p for p in problems)
    with pytest.raises(services.NoteRefused):
        services.note_sign(note=note, by=therapist, password=TEST_PASSWORD)
    alert = result.alert
    alert.acknowledged_at, alert.acknowledged_by = timezone.now(), therapist
    alert.outcome = RedFlagAlert.Outcome.EMERGENCY_REFERRAL
    alert.save()
    assert services.note_sign(note=note, by=therapist, password=TEST_PASSWORD).is_signed


def test_evaluations_are_untouched_by_a_notes_alert(note, therapist, initial):
    _save(note, therapist, form_data(note, **{notes.ces_field("CES-3"): "yes"}))
    draft = EvaluationFactory(
        patient=initial.patient, intake=initial.intake, therapist=therapist, kind="reevaluation"
    )
    from evaluations import services as evaluation_services

    assert not any(
        "alert" in p for p in evaluation_services.sign_problems(Evaluation.objects.get(pk=draft.pk))
    )


def test_a_weaker_myotome_in_the_quick_re_check_raises_the_alert_at_once(therapist, patient):
    """The note's quick re-check is compared with the last signed neuro exam: a grade that
    falls raises the staff alert without any other tick; the same grades saved again raise
    nothing new."""
    from evaluations import note_services
    from evaluations.records import NEURO
    from intake.models import RedFlagAlert
    from tests.evaluations.note_helpers import form_data, signed_initial

    initial = signed_initial(patient, therapist, days_ago=7)
    exam = initial.content["neuro"]
    # A movement the signed exam graded 5 on the right.
    movement = next(
        m
        for m in ("ANKLE_PLANTARFLEXION", "KNEE_EXTENSION", "HIP_FLEXION")
        if str(exam.get(NEURO.myotome(m, "R"))) == "5"
    )
    note = note_services.note_start(episode=initial.episode, by=therapist)
    same = form_data(note, **{NEURO.myotome(movement, "R"): "5"})
    note_services.note_save(note=note, data=same, by=therapist, version=note.version)
    assert not RedFlagAlert.objects.filter(treatment_note=note).exists()
    note.refresh_from_db()
    weaker = form_data(note, **{NEURO.myotome(movement, "R"): "3"})
    result = note_services.note_save(note=note, data=weaker, by=therapist, version=note.version)
    assert result.alert is not None and result.alert.level == "URGENT"
    assert "right 5/5 → 3/5 since" in result.alert.summary
    note.refresh_from_db()
    assert note.content["myotomes"] == {NEURO.myotome(movement, "R"): 3}
    again = note_services.note_save(
        note=note, data=form_data(note), by=therapist, version=note.version
    )
    assert again.alert is None
    assert RedFlagAlert.objects.filter(treatment_note=note).count() == 1
    # Signing waits for someone to record what was done about it.
    assert any("red-flag alert" in p for p in note_services.sign_problems(note))
