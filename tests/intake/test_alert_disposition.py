"""Issue 18 point 5: a closed loop for every red-flag level.

Each alert is dispositioned by a physical therapist with one of the actions its level
allows (versioned rules, intake/rules/alert_actions.json) and a note; URGENT results raise
an alert from every source, once; MONITOR results wait for the next visit, off the banner;
an urgent alert still open when the clinic day ends reaches the administrator's home."""

import copy
import datetime
import json

import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse
from django.utils import timezone

from audit.models import AuditEvent
from core.models import Clinic
from intake import alert_actions, alerts
from intake.models import Intake, RedFlagAlert
from tests.factories import IntakeFactory, PatientFactory

pytestmark = pytest.mark.django_db

RULES = alert_actions.default_rules()


def _alert(level: str, *, patient=None, intake=None, raised_at=None, **extra) -> RedFlagAlert:
    intake = intake or IntakeFactory(patient=patient or PatientFactory())
    return RedFlagAlert.objects.create(
        intake=intake,
        patient=intake.patient,
        level=level,
        ces=extra.pop("ces", False),
        items=extra.pop("items", ["HX-CANCER"]),
        summary=extra.pop("summary", f"{level.title()} red flag (test)"),
        raised_at=raised_at or timezone.now(),
        **extra,
    )


def _post(client, alert, **data):
    return client.post(reverse("intake:alert", args=[alert.public_id]), data)


# --- The rules: data, versioned, validated -----------------------------------------------


def test_each_level_allows_the_actions_the_spec_gives_it():
    codes = {level: [a.code for a in RULES.allowed(level)] for level in alert_actions.LEVELS}
    assert codes["EMERGENCY"] == ["emergency_referral", "false_positive"]
    # Same-day medical review, imaging, the referrer, a false positive; and escalating to
    # an emergency referral is never refused.
    assert codes["URGENT"] == [
        "urgent_referral",
        "imaging_requested",
        "discussed_with_referrer",
        "emergency_referral",
        "false_positive",
    ]
    assert codes["MONITOR"] == ["safety_net_advice"]


def test_the_rules_are_marked_as_not_yet_approved_and_match_the_stored_codes():
    assert RULES.version == "alert-actions-2026.12-2"
    assert "not yet approved by a clinician" in RULES.status
    # The record's labels (PDFs, pages) and the form's are the same words.
    labels = dict(RedFlagAlert.Outcome.choices)
    assert {code: a.label for code, a in RULES.actions.items()} == labels
    # The actions that are referrals are the ones a signed evaluation's plan must match.
    referrals = {code: a.referral for code, a in RULES.actions.items() if a.referral}
    assert referrals == {code: needed[-1] for code, needed in RedFlagAlert.REFERRAL_NEEDED.items()}


def test_the_safety_net_handout_is_the_version_reports_prints():
    from reports.docs.handout import HANDOUT_TEXT_VERSION

    handout = RULES.material("handout-warning-signs")
    assert handout is not None and handout.version == HANDOUT_TEXT_VERSION


def _document() -> dict:
    return json.loads(alert_actions.RULES_PATH.read_text(encoding="utf-8"))


@pytest.mark.parametrize(
    "mutate, message",
    [
        (lambda d: d["levels"]["EMERGENCY"]["actions"].append("imaging_requested"), "EMERGENCY"),
        (lambda d: d["levels"]["EMERGENCY"].update(actions=["false_positive"]), "EMERGENCY"),
        (lambda d: d["levels"]["URGENT"].update(actions=["imaging_requested"]), "URGENT"),
        (lambda d: d["levels"]["MONITOR"].update(actions=["false_positive"]), "MONITOR"),
        (lambda d: d["levels"]["URGENT"]["actions"].append("phoned_a_friend"), "unknown"),
        (lambda d: d["levels"].pop("MONITOR"), "exactly the levels"),
        (lambda d: d.update(materials=[]), "material"),
        (lambda d: d.update(version=""), "version"),
        (lambda d: d["actions"]["urgent_referral"].update(referral="soon"), "urgency"),
    ],
)
def test_rules_that_break_a_locked_part_do_not_load(mutate, message):
    document = copy.deepcopy(_document())
    mutate(document)
    with pytest.raises(alert_actions.RulesError, match=message):
        alert_actions.parse_rules(document)


def test_the_check_names_what_to_change():
    with pytest.raises(alert_actions.ActionRefused) as refused:
        RULES.check(level="EMERGENCY", action="imaging_requested", note="x")
    assert refused.value.field == "outcome"
    assert refused.value.message == (
        "“Imaging requested” cannot close an emergency alert. Choose one of: Emergency "
        "referral made; False positive: reasoning recorded."
    )
    with pytest.raises(alert_actions.ActionRefused) as refused:
        RULES.check(level="URGENT", action="false_positive", note="  ")
    assert (refused.value.field, refused.value.message) == (
        "action_note",
        "Write your reasoning: why this is not a red flag.",
    )
    with pytest.raises(alert_actions.ActionRefused) as refused:
        RULES.check(level="MONITOR", action="safety_net_advice", note="Told.", material="")
    assert refused.value.field == "safety_net_material"
    done = RULES.check(level="URGENT", action="imaging_requested", note=" MRI today. ")
    assert (done.action.code, done.note, done.version) == (
        "imaging_requested",
        "MRI today.",
        RULES.version,
    )


# --- Dispositioning on the alert page ------------------------------------------------------


def test_the_form_offers_the_levels_actions_and_says_they_are_not_yet_approved(
    therapist_client,
):
    page = therapist_client.get(reverse("intake:alert", args=[_alert("URGENT").public_id]))
    html = page.content.decode()
    for action in RULES.allowed("URGENT"):
        assert f'value="{action.code}"' in html
    assert 'value="safety_net_advice"' not in html
    assert "not yet approved by a clinician" in html and RULES.version in html
    emergency = therapist_client.get(
        reverse("intake:alert", args=[_alert("EMERGENCY").public_id])
    ).content.decode()
    assert 'value="imaging_requested"' not in emergency


@pytest.mark.parametrize(
    "level, action, note",
    [
        ("EMERGENCY", "emergency_referral", "Sent to the ED by ambulance at 10:40."),
        ("EMERGENCY", "false_positive", "Bilateral pain is old and unchanged for years."),
        ("URGENT", "urgent_referral", "GP will see her at 15:00 today."),
        ("URGENT", "imaging_requested", "MRI lumbar spine requested, urgent."),
        ("URGENT", "discussed_with_referrer", "Dr Shah agrees: bloods and review tomorrow."),
        ("URGENT", "emergency_referral", "New weakness too: sent to the ED."),
        ("URGENT", "false_positive", "The cancer was a basal cell skin cancer, excised."),
    ],
)
def test_each_allowed_action_is_recorded_with_who_when_note_and_rules_version(
    therapist_client, therapist, level, action, note
):
    alert = _alert(level)
    response = _post(therapist_client, alert, outcome=action, action_note=note)
    assert response.status_code == 302
    alert.refresh_from_db()
    assert (alert.outcome, alert.action_note, alert.acknowledged_by) == (action, note, therapist)
    assert alert.acknowledged_at is not None and alert.actions_version == RULES.version
    event = AuditEvent.objects.get(action=AuditEvent.Action.ACKNOWLEDGE)
    assert event.details["outcome"] == action and event.details["actions_version"]
    assert event.patient_id == alert.patient_id
    page = therapist_client.get(reverse("intake:alert", args=[alert.public_id])).content.decode()
    assert RedFlagAlert.Outcome(action).label in page and note in page


def test_a_wrong_action_is_refused_with_the_reason_and_the_note_kept(therapist_client):
    alert = _alert("EMERGENCY")
    note = "Booked an MRI for next week and started exercises."
    response = _post(therapist_client, alert, outcome="imaging_requested", action_note=note)
    assert response.status_code == 200
    html = response.content.decode()
    assert "“Imaging requested” cannot close an emergency alert." in html
    assert "Choose one of: Emergency referral made; False positive: reasoning recorded." in html
    assert note in html  # nothing typed is lost
    alert.refresh_from_db()
    assert alert.acknowledged_at is None and alert.outcome == ""
    assert not AuditEvent.objects.filter(action=AuditEvent.Action.ACKNOWLEDGE).exists()
    # A code that is no action at all, and none chosen, are refused as plainly.
    unknown = _post(therapist_client, alert, outcome="hoped_for_the_best", action_note=note)
    assert "That action cannot close an emergency alert." in unknown.content.decode()
    nothing = _post(therapist_client, alert, action_note=note)
    assert "Choose what was done." in nothing.content.decode()


def test_the_note_is_required(therapist_client):
    alert = _alert("URGENT")
    response = _post(therapist_client, alert, outcome="urgent_referral", action_note="   ")
    assert response.status_code == 200
    assert "Write what was done" in response.content.decode()
    alert.refresh_from_db()
    assert alert.acknowledged_at is None


def test_a_double_submission_records_the_first_and_says_so(therapist_client, therapist):
    alert = _alert("URGENT")
    data = {"outcome": "urgent_referral", "action_note": "GP at 15:00."}
    first = therapist_client.post(reverse("intake:alert", args=[alert.public_id]), data)
    second = therapist_client.post(
        reverse("intake:alert", args=[alert.public_id]),
        {"outcome": "false_positive", "action_note": "Second tap, other choice."},
        follow=True,
    )
    assert first.status_code == 302
    assert "Alert acknowledged and recorded." in second.content.decode()
    alert.refresh_from_db()
    assert (alert.outcome, alert.action_note) == ("urgent_referral", "GP at 15:00.")
    assert AuditEvent.objects.filter(action=AuditEvent.Action.ACKNOWLEDGE).count() == 1
    with pytest.raises(alerts.AlreadyAcknowledged):
        alerts.alert_disposition(alert=alert, by=therapist, action="false_positive", note="x")


def test_only_a_clinician_dispositions_even_through_the_service(administrator, front_desk):
    alert = _alert("URGENT")
    for person in (administrator, front_desk):
        with pytest.raises(PermissionDenied):
            alerts.alert_disposition(alert=alert, by=person, action="urgent_referral", note="x")
    alert.refresh_from_db()
    assert alert.acknowledged_at is None


def test_the_old_name_and_its_outcomes_still_work(therapist):
    """alert_acknowledge(outcome=) is the disposition under its first name."""
    from intake.alerts import alert_acknowledge

    alert = alert_acknowledge(
        alert=_alert("URGENT"), by=therapist, outcome="urgent_referral", note="GP called."
    )
    assert alert.outcome == "urgent_referral" and alert.actions_version == RULES.version
    with pytest.raises(ValueError, match="cannot close an emergency alert"):
        alert_acknowledge(
            alert=_alert("EMERGENCY"), by=therapist, outcome="imaging_requested", note="x"
        )


# --- MONITOR: for review at the next visit, off the banner ----------------------------------


@pytest.fixture
def monitored(patient):
    """A first-visit intake whose only red flag is the patient's age (a single,
    low-specificity flag): MONITOR."""
    intake = IntakeFactory(patient=patient, red_flag_level="MONITOR")
    alert = alerts.raise_for_triage(
        intake, level="MONITOR", ces=False, items=["AGE-OVER-50"], at=timezone.now()
    )
    assert alert is not None
    return alert


def test_a_monitor_result_is_listed_for_review_and_not_put_on_the_banner(
    monitored, therapist_client, front_desk_client, patient
):
    assert monitored.level == "MONITOR" and monitored.summary.startswith("For review")
    for client in (therapist_client, front_desk_client):
        banner = client.get(reverse("intake:alerts-banner")).content.decode()
        assert "red-flag-alert" not in banner
    home = therapist_client.get(reverse("core:home")).content.decode()
    review = home.split('data-testid="for-review-list"')[1].split("</div>")[0]
    assert patient.mrn in review and "AGE-OVER-50" in review
    # The front desk is not told to fetch a therapist for it.
    status = front_desk_client.get(reverse("intake:detail", args=[monitored.intake.public_id]))
    assert "still open" not in status.content.decode()
    queue = front_desk_client.get(reverse("intake:queue")).content.decode()
    assert "alert not yet acknowledged" not in queue


def test_the_patients_evaluation_and_note_pages_show_it_for_review_at_this_visit(
    monitored, therapist_client, therapist, patient
):
    from evaluations.models import TreatmentNote
    from tests.factories import EvaluationFactory

    evaluation = EvaluationFactory(patient=patient, intake=monitored.intake, therapist=therapist)
    note = TreatmentNote.objects.create(
        patient=patient, episode=evaluation.episode, therapist=therapist
    )
    for url in (
        reverse("evaluations:detail", args=[evaluation.public_id]),
        reverse("evaluations:note-detail", args=[note.public_id]),
    ):
        html = therapist_client.get(url).content.decode()
        box = html.split('data-testid="for-review"')[1].split("</div>")[0]
        assert "For review at this visit" in box and "AGE-OVER-50" in box
        assert reverse("intake:alert", args=[monitored.public_id]) in box


def test_a_monitor_result_closes_with_the_safety_net_advice_and_its_material(
    monitored, therapist_client, therapist
):
    url = reverse("intake:alert", args=[monitored.public_id])
    page = therapist_client.get(url).content.decode()
    assert "Record the safety-net advice given" in page and "handout-text-2026.12-2" in page
    note = "Explained the warning signs; to come back if the leg pain spreads."
    missing = therapist_client.post(url, {"outcome": "safety_net_advice", "action_note": note})
    assert "Choose the safety-net information you gave." in missing.content.decode()
    assert note in missing.content.decode()
    done = therapist_client.post(
        url,
        {
            "outcome": "safety_net_advice",
            "action_note": note,
            "safety_net_material": "handout-warning-signs",
        },
    )
    assert done.status_code == 302
    monitored.refresh_from_db()
    assert monitored.outcome == "safety_net_advice" and monitored.acknowledged_by == therapist
    assert (monitored.safety_net_material, monitored.safety_net_version) == (
        "handout-warning-signs",
        "handout-text-2026.12-2",
    )
    assert not RedFlagAlert.objects.for_review().exists()
    shown = therapist_client.get(url).content.decode()
    assert "Safety-net information given: The home plan handout" in shown


# --- URGENT from every source, once ---------------------------------------------------------


def test_an_urgent_intake_raises_one_alert_on_the_banner(
    front_desk_client, front_desk, patient, therapist_client
):
    """The patient says on the tablet they have a fever, with no risk factor for a spinal
    infection: URGENT (clinical.md 2.1a, 2.5)."""
    from patients.models import Patient
    from tests.factories import hand_over_tablet
    from tests.intake.answers import HAPPY

    Patient.objects.filter(pk=patient.pk).update(date_of_birth=datetime.date(1985, 4, 12))
    front_desk_client.post(reverse("intake:start", args=[patient.public_id]))
    intake = Intake.objects.get(patient=patient)
    tablet = hand_over_tablet(front_desk_client, intake=intake, by=front_desk)
    answers = copy.deepcopy(HAPPY)
    answers["redflags"]["SX-FEVER"] = "yes"
    for step, data in answers.items():
        response = tablet.post(reverse("kiosk:step", args=[step]), {**data, "nav": "next"})
        assert response.status_code == 302, (step, response.content.decode()[:2000])
    submit = {"submission_id": "6f0a8c9e-2d1b-4a57-9d7e-0c3b1f2a4e55"}
    tablet.post(reverse("kiosk:submit"), submit)
    tablet.post(reverse("kiosk:submit"), submit)  # a second tap
    intake.refresh_from_db()
    assert (intake.status, intake.red_flag_level) == ("submitted", "URGENT")
    alert = RedFlagAlert.objects.get(intake=intake)
    assert (alert.level, alert.source, alert.ces) == ("URGENT", "intake", False)
    assert "SX-FEVER" in alert.items
    banner = therapist_client.get(reverse("intake:alerts-banner")).content.decode()
    assert "Urgent red flag" in banner and patient.mrn in banner
    assert "decide what to do today" in banner


def test_an_urgent_follow_up_packet_raises_one_alert_marked_as_the_packet(patient):
    episode = IntakeFactory(patient=patient).episode
    packet = IntakeFactory(
        patient=patient,
        episode=episode,
        kind=Intake.Kind.FOLLOW_UP,
        purpose=Intake.Purpose.REEVALUATION,
        due_on=timezone.localdate(),
    )
    for _ in range(2):
        alerts.raise_for_triage(
            packet, level="URGENT", ces=False, items=["SX-FEVER"], at=timezone.now()
        )
    alert = RedFlagAlert.objects.get(intake=packet)
    assert (alert.level, alert.source) == ("URGENT", "packet")
    assert "follow-up questionnaire" in alert.summary
    assert RedFlagAlert.objects.with_source().get(pk=alert.pk).source_code == "packet"
    assert RedFlagAlert.objects.on_banner().filter(pk=alert.pk).exists()
    # No alert for a result without a red flag.
    assert alerts.raise_for_triage(packet, level="NONE", ces=False, items=[], at=None) is None


def test_an_urgent_neuro_exam_raises_one_alert(therapist_client, therapist, patient):
    from evaluations import services
    from tests.evaluations.helpers import INTAKE_ANSWERS, L5_NEURO, post_section

    IntakeFactory(patient=patient, answers=INTAKE_ANSWERS, scores={"psfs": {"mean": 3.0}})
    evaluation = services.evaluation_start(patient=patient, kind="initial", by=therapist)
    babinski = {**L5_NEURO, "babinski_L": "EXTENSOR"}
    for _ in range(2):
        post_section(therapist_client, evaluation, "neuro", babinski)
    alert = RedFlagAlert.objects.get(evaluation=evaluation)
    assert (alert.level, alert.source) == ("URGENT", "neuro_exam")
    assert RedFlagAlert.objects.with_source().get(pk=alert.pk).source_code == "neuro_exam"


def test_an_urgent_treatment_note_raises_one_alert(therapist, patient):
    from evaluations import note_services
    from evaluations.records import NEURO
    from tests.evaluations.note_helpers import form_data, signed_initial

    initial = signed_initial(patient, therapist, days_ago=7)
    exam = initial.content["neuro"]
    movement = next(
        m
        for m in ("ANKLE_PLANTARFLEXION", "KNEE_EXTENSION", "HIP_FLEXION")
        if str(exam.get(NEURO.myotome(m, "R"))) == "5"
    )
    note = note_services.note_start(episode=initial.episode, by=therapist)
    for _ in range(2):
        note.refresh_from_db()
        weaker = form_data(note, **{NEURO.myotome(movement, "R"): "3"})
        note_services.note_save(note=note, data=weaker, by=therapist, version=note.version)
    alert = RedFlagAlert.objects.get(treatment_note=note)
    assert (alert.level, alert.source) == ("URGENT", "note")
    assert RedFlagAlert.objects.with_source().get(pk=alert.pk).source_code == "note"


# --- The banner stays cheap -----------------------------------------------------------------


def test_the_banner_makes_the_same_number_of_queries_for_one_alert_or_many(
    therapist_client, django_assert_num_queries
):
    banner = reverse("intake:alerts-banner")
    _alert("EMERGENCY", ces=True, items=["CES-3"])
    therapist_client.get(banner)  # the first showing is audited; later polls are not
    # The session, the person, their second factor, their permissions (two), the alerts
    # with their patients and intakes (one query), the clinic (the page's context) and
    # the person's roles.
    with django_assert_num_queries(8) as one:
        therapist_client.get(banner)
    # Read now: the next request clears the connection's query log.
    count = len(one.captured_queries)
    for level in ("EMERGENCY", "URGENT", "URGENT", "MONITOR", "MONITOR"):
        _alert(level)
    therapist_client.get(banner)
    with django_assert_num_queries(count):
        body = therapist_client.get(banner).content.decode()
    assert body.count('data-testid="red-flag-alert"') == 4  # the MONITOR ones wait


# --- Escalation at the end of the clinic day -------------------------------------------------


def _at(day: datetime.date, hour: int, minute: int = 0, second: int = 0) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour, minute, second)))


DAY = datetime.date(2026, 11, 30)
ENDS = datetime.time(18, 0)


@pytest.mark.parametrize(
    "now, cutoff",
    [
        (_at(DAY, 17, 59, 59), _at(DAY - datetime.timedelta(days=1), 18)),
        (_at(DAY, 18), _at(DAY, 18)),  # the minute the day ends, it has ended
        (_at(DAY, 23, 30), _at(DAY, 18)),
        (_at(DAY + datetime.timedelta(days=1), 9), _at(DAY, 18)),
    ],
)
def test_the_cutoff_is_the_end_of_the_latest_clinic_day_that_has_passed(now, cutoff):
    assert alerts.escalation_cutoff(now, ENDS) == cutoff


def test_an_urgent_alert_escalates_when_its_clinic_day_ends(
    admin_client_, administrator, therapist
):
    from dashboard.safety import escalated_alerts

    morning = _alert("URGENT", raised_at=_at(DAY, 9, 15))
    late = _alert("URGENT", raised_at=_at(DAY, 18, 30))  # after hours: tomorrow's clinic day
    _alert("MONITOR", raised_at=_at(DAY, 9))  # waits for the next visit, never escalates
    assert escalated_alerts(_at(DAY, 17, 59, 59)) == []
    at_six = escalated_alerts(_at(DAY, 18))
    assert [e.alert for e in at_six] == [morning]
    assert at_six[0].open_for == datetime.timedelta(hours=8, minutes=45)
    assert at_six[0].open_for_words == "8 h 45 min"
    next_evening = escalated_alerts(_at(DAY + datetime.timedelta(days=1), 18))
    assert [e.alert for e in next_evening] == [morning, late]
    # The clinic's own day end moves the edge.
    Clinic.objects.filter(pk=Clinic.objects.current().pk).update(day_ends_at=datetime.time(17))
    assert [e.alert for e in escalated_alerts(_at(DAY, 17))] == [morning]
    alerts.alert_disposition(alert=morning, by=therapist, action="urgent_referral", note="GP.")
    assert escalated_alerts(_at(DAY, 17)) == []


def test_the_administrators_home_lists_escalated_alerts_and_audits_the_view(
    admin_client_, therapist_client, patient
):
    old = _alert("URGENT", patient=patient, raised_at=timezone.now() - datetime.timedelta(days=2))
    html = admin_client_.get(reverse("core:home")).content.decode()
    box = html.split('data-testid="escalated-alerts"')[1].split("</ul>")[0]
    assert patient.mrn in box and "open for 2 days" in box
    event = AuditEvent.objects.get(summary__startswith="Viewed 1 escalated red-flag alert")
    assert event.details["shown"] == [patient.mrn]
    assert event.details["alerts"] == [str(old.public_id)]
    assert event.patient_id == patient.pk
    # The therapist's home has no such list; the alert page says it escalated.
    assert (
        'data-testid="escalated-alerts"'
        not in therapist_client.get(reverse("core:home")).content.decode()
    )
    page = therapist_client.get(reverse("intake:alert", args=[old.public_id])).content.decode()
    assert "Not dispositioned by the end of the clinic day" in page


def test_the_clinic_sets_when_its_day_ends():
    from django.forms.models import model_to_dict

    from core.forms import ClinicForm

    clinic = Clinic.objects.current()
    assert clinic.day_ends_at == datetime.time(18)
    data = model_to_dict(clinic, fields=[f for f in ClinicForm._meta.fields if f != "logo"])
    bound = ClinicForm({**data, "day_ends_at": "16:30"}, instance=clinic)
    assert bound.is_valid(), bound.errors
    assert bound.save().day_ends_at == datetime.time(16, 30)
    refused = ClinicForm({**data, "day_ends_at": "25:00"}, instance=clinic)
    assert not refused.is_valid() and "day_ends_at" in refused.errors
