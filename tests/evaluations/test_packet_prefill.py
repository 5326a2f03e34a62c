"""A completed follow-up packet pre-fills the re-evaluation or discharge it came before
(issue 18 point 3): back and leg pain, the PSFS activities and the ODI sections, each
marked "patient-reported on <date>" with a link to the packet, the rating of change shown
read-only. The therapist confirms or corrects; the record keeps the patient's answer
beside the therapist's, and the page, the findings box and the PDF show both where they
differ."""

import datetime
import json

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from audit.models import AuditEvent
from care.demo import demo_past_episode
from core.models import Clinic
from evaluations import packets, records, sections, services
from evaluations.forms import OutcomesForm
from evaluations.models import Evaluation
from evaluations.presenters import outcomes as outcomes_words
from evaluations.wording import unbroken_date
from intake.models import Intake
from intake.services import instrument_pack_load
from reports.docs import evaluation as doc
from reports.pdf import render_document
from tests.evaluations.helpers import INTAKE_ANSWERS, post_section
from tests.evaluations.packets import make_packet
from tests.factories import IntakeFactory, PatientFactory
from tests.intake.answers import odi_pack_document
from tests.reports.pdftext import pdf_text

pytestmark = pytest.mark.django_db

ACTIVITIES = [
    {"id": "a1", "name": "Walking the dog", "score": 3},
    {"id": "a2", "name": "Sitting at work", "score": 4},
]
ODI = {f"odi_{n}": 2 for n in range(1, 11)}


def _days_ago(n: float) -> datetime.date:
    return timezone.localdate() - datetime.timedelta(days=n)


@pytest.fixture
def baseline(patient):
    """The episode's first-visit intake, three weeks ago, with two PSFS activities."""
    return IntakeFactory(
        patient=patient,
        answers={**INTAKE_ANSWERS, "psfs": {"activities": [dict(a) for a in ACTIVITIES]}},
        scores={"psfs": {"mean": 3.5}},
        started_at=timezone.now() - datetime.timedelta(days=21),
        submitted_at=timezone.now() - datetime.timedelta(days=21),
    )


@pytest.fixture
def initial(therapist, patient, baseline):
    """The initial evaluation, 20 days ago: the previous visit of every re-evaluation here."""
    evaluation = services.evaluation_start(patient=patient, kind="initial", by=therapist)
    Evaluation.objects.filter(pk=evaluation.pk).update(visit_date=_days_ago(20))
    return evaluation


@pytest.fixture
def odi_licensed(db):
    instrument_pack_load(raw=json.dumps(odi_pack_document()).encode())


def _open(therapist, patient, kind="reevaluation") -> Evaluation:
    return services.evaluation_start(patient=patient, kind=kind, by=therapist)


def _outcomes(evaluation: Evaluation) -> dict:
    evaluation.refresh_from_db()
    return records.read("outcomes", evaluation.content.get("outcomes"))


def _said(packet: Intake) -> str:
    return unbroken_date(timezone.localdate(packet.submitted_at))


# --- What it fills in --------------------------------------------------------------------------


def test_a_reevaluation_opens_with_the_packets_pain_activities_and_odi_filled_in(
    therapist, patient, baseline, initial, odi_licensed
):
    packet = make_packet(
        baseline, days_ago=2, back=3, leg=6, psfs={"a1": 5, "a2": 7}, odi=ODI, grc=2
    )
    evaluation = _open(therapist, patient)
    record = _outcomes(evaluation)

    assert record["schema"] == records.CURRENT["outcomes"] == 2
    assert (record["back_now"], record["leg_now"]) == (3, 6)
    assert [(a["id"], a["score"]) for a in record["psfs"]] == [("a1", 5), ("a2", 7)]
    assert record["odi_sections"] == ODI
    assert record["visit_date"] == timezone.localdate().isoformat()
    reported = record["patient_reported"]
    assert reported["packet"] == str(packet.public_id)
    assert reported["on"] == timezone.localdate(packet.submitted_at).isoformat()
    assert reported["values"] == {
        "back_now": 3,
        "leg_now": 6,
        "psfs": {"a1": 5, "a2": 7},
        "odi_sections": ODI,
    }
    assert reported["grc"] == {"value": 2, "label": "Better"}
    # The findings read the pre-filled values as this visit's, like anything typed.
    found = evaluation.findings["outcomes"]
    assert found["leg_now"] == 6 and found["psfs"]["mean"] == 6.0
    assert found["odi"]["percentage"] == 40.0


def test_without_the_odi_licence_the_odi_is_not_filled_in(therapist, patient, baseline, initial):
    make_packet(baseline, days_ago=2, back=3, leg=6, odi=ODI)
    record = _outcomes(_open(therapist, patient))
    assert record["leg_now"] == 6
    assert not record["odi_sections"] and "odi_sections" not in record["patient_reported"]["values"]


def test_only_what_the_patient_answered_is_filled_in(therapist, patient, baseline, initial):
    make_packet(baseline, days_ago=1, leg=4, psfs={"a1": 6, "a2": None})
    record = _outcomes(_open(therapist, patient))
    assert record["back_now"] is None and record["leg_now"] == 4
    assert [a["score"] for a in record["psfs"]] == [6, None]
    assert record["patient_reported"]["values"] == {"leg_now": 4, "psfs": {"a1": 6}}


def test_a_discharge_reads_its_own_packet_and_not_the_reevaluations(
    therapist, patient, baseline, initial
):
    make_packet(baseline, purpose=Intake.Purpose.REEVALUATION, days_ago=1, leg=6)
    assert "patient_reported" not in _outcomes(_open(therapist, patient, "discharge"))

    discharge_packet = make_packet(baseline, purpose=Intake.Purpose.DISCHARGE, days_ago=1, leg=1)
    Evaluation.objects.filter(kind="discharge").update(visit_date=_days_ago(5))
    record = _outcomes(_open(therapist, patient, "discharge"))
    assert record["patient_reported"]["packet"] == str(discharge_packet.public_id)
    assert record["leg_now"] == 1


def test_an_initial_evaluation_and_after_discharge_packets_never_pre_fill(
    therapist, patient, baseline, initial
):
    make_packet(baseline, purpose=Intake.Purpose.AFTER_6W, days_ago=1, leg=2)
    assert "patient_reported" not in _outcomes(_open(therapist, patient))
    Evaluation.objects.filter(pk=initial.pk).delete()
    make_packet(baseline, purpose=Intake.Purpose.REEVALUATION, days_ago=1, leg=2)
    assert "patient_reported" not in _outcomes(_open(therapist, patient, "initial"))


def test_only_this_episodes_packets_are_read(therapist, patient, baseline, initial):
    other = IntakeFactory(patient=PatientFactory(), answers=INTAKE_ANSWERS)
    make_packet(other, days_ago=1, leg=2)  # another patient's episode
    # The same patient's earlier course of care (a packet answered late for it).
    past = demo_past_episode(
        patient=patient, start=_days_ago(400), end=_days_ago(300), reason="plateau"
    )
    make_packet(baseline, episode=past, days_ago=1, leg=3)
    assert "patient_reported" not in _outcomes(_open(therapist, patient))


def test_a_packet_older_than_14_days_or_before_the_previous_visit_is_not_used(
    therapist, patient, baseline, initial
):
    Evaluation.objects.filter(pk=initial.pk).update(visit_date=_days_ago(30))
    make_packet(baseline, days_ago=15, leg=9)  # stale
    assert "patient_reported" not in _outcomes(_open(therapist, patient))

    Evaluation.objects.filter(kind="reevaluation").delete()
    fresh = make_packet(baseline, days_ago=14, leg=5, due_on=_days_ago(14))  # the last day
    assert _outcomes(_open(therapist, patient))["patient_reported"]["packet"] == str(
        fresh.public_id
    )
    # The next re-evaluation's previous visit is that one (today): the packet is older.
    Evaluation.objects.filter(kind="reevaluation").update(visit_date=_days_ago(3))
    make_packet(baseline, days_ago=4, leg=3, due_on=_days_ago(4))  # before the previous visit
    assert "patient_reported" not in _outcomes(_open(therapist, patient))


def test_the_latest_fitting_packet_is_used_and_never_twice(therapist, patient, baseline, initial):
    make_packet(baseline, days_ago=5, leg=7, due_on=_days_ago(5))
    latest = make_packet(baseline, days_ago=1, leg=5, due_on=_days_ago(1))
    first = _open(therapist, patient)
    assert _outcomes(first)["patient_reported"]["packet"] == str(latest.public_id)
    # Same day, a second re-evaluation: the packet already pre-filled one.
    second = _open(therapist, patient)
    assert "patient_reported" not in _outcomes(second)


def test_a_packet_stopped_for_a_red_flag_or_not_submitted_is_not_used(
    therapist, patient, baseline, initial
):
    make_packet(baseline, days_ago=1, status=Intake.Status.STOPPED, leg=7)
    make_packet(baseline, days_ago=1, status=Intake.Status.IN_PROGRESS, due_on=_days_ago(0))
    assert "patient_reported" not in _outcomes(_open(therapist, patient))


def test_the_window_edges_as_a_pure_rule():
    visit = datetime.date(2026, 12, 3)

    def candidate(on, purpose="reevaluation", pid="p"):
        at = datetime.datetime.combine(on, datetime.time(9), tzinfo=datetime.UTC)
        return packets.Answered(public_id=pid, purpose=purpose, submitted_on=on, submitted_at=at)

    def chosen(on, previous=None, kind="reevaluation", **kw):
        return packets.choose_prefill(
            kind=kind, visit_date=visit, previous_visit=previous, candidates=[candidate(on, **kw)]
        )

    assert chosen(datetime.date(2026, 11, 19)) is not None  # 14 days before
    assert chosen(datetime.date(2026, 11, 18)) is None  # 15
    assert chosen(visit) is not None and chosen(datetime.date(2026, 12, 4)) is None
    assert chosen(datetime.date(2026, 11, 28), previous=datetime.date(2026, 11, 28)) is None
    assert chosen(datetime.date(2026, 11, 29), previous=datetime.date(2026, 11, 28)) is not None
    assert chosen(visit, kind="initial") is None
    assert chosen(visit, kind="discharge") is None
    assert chosen(visit, kind="discharge", purpose="discharge") is not None
    assert (
        packets.choose_prefill(
            kind="reevaluation",
            visit_date=visit,
            previous_visit=None,
            candidates=[candidate(visit)],
            used=["p"],
        )
        is None
    )


# --- The mark, the link and the rating of change ----------------------------------------------


def test_each_pre_filled_field_is_marked_patient_reported_with_a_link_to_the_packet(
    therapist_client, therapist, patient, baseline, initial, odi_licensed
):
    packet = make_packet(baseline, days_ago=2, back=3, leg=6, psfs={"a1": 5}, odi=ODI, grc=-1)
    evaluation = _open(therapist, patient)
    page = therapist_client.get(reverse("evaluations:detail", args=[evaluation.public_id]))
    html = page.content.decode()
    on = _said(packet)

    assert f"Pre-filled from the patient's questionnaire of {on}" in html
    assert reverse("intake:detail", args=[packet.public_id]) in html
    for name, value in [("back_now", 3), ("leg_now", 6), ("psfs_a1", 5), ("odi_4", 2)]:
        assert f'data-testid="reported-{name}">Patient-reported on {on}: {value}</div>' in html
        # Read out with its input.
        assert f'aria-describedby="id_outcomes-{name}_reported"' in html
    assert 'data-testid="reported-psfs_a2"' not in html  # the patient left it blank
    assert 'data-testid="reported-distal_site"' not in html
    assert "Global rating of change</strong> (patient-reported on " in html
    assert "A little worse (\u22121)" in html


def test_a_section_not_pre_filled_has_no_marks(therapist_client, evaluation):
    html = therapist_client.get(reverse("evaluations:detail", args=[evaluation.public_id]))
    text = html.content.decode()
    assert "Pre-filled from the patient" not in text and "Patient-reported on" not in text


# --- Confirm or correct -------------------------------------------------------------------------


def _post_outcomes(client, evaluation, **fields):
    data = {
        "visit_date": timezone.localdate().isoformat(),
        "back_now": "3",
        "leg_now": "6",
        "distal_site": "BELOW_KNEE",
        "psfs_a1": "5",
        "psfs_a2": "",
        **fields,
    }
    return post_section(client, evaluation, "outcomes", data)


def test_a_correction_is_kept_beside_the_patients_answer(
    therapist_client, therapist, patient, baseline, initial
):
    packet = make_packet(baseline, days_ago=2, back=3, leg=6, psfs={"a1": 5})
    evaluation = _open(therapist, patient)
    assert _post_outcomes(therapist_client, evaluation, leg_now="4").status_code == 200

    record = _outcomes(evaluation)
    assert record["leg_now"] == 4 and record["back_now"] == 3  # the therapist's values
    assert record["patient_reported"]["values"]["leg_now"] == 6  # the patient's, beside
    assert record["patient_reported"]["packet"] == str(packet.public_id)
    assert packets.differences(record) == {"leg_now": (6, 4)}
    saved = AuditEvent.objects.filter(summary__startswith="Saved visit").latest("at")
    assert saved.details["differs_from_patient"] == ["leg_now"]

    # An invalid save is a draft: the stored record and its patient's answers stay.
    _post_outcomes(therapist_client, evaluation, leg_now="11")
    assert _outcomes(evaluation)["patient_reported"]["values"]["leg_now"] == 6


def test_the_findings_box_shows_both_values_where_they_differ_and_one_where_equal(
    therapist_client, therapist, patient, baseline, initial
):
    packet = make_packet(baseline, days_ago=2, back=3, leg=6, psfs={"a1": 5}, grc=2)
    evaluation = _open(therapist, patient)
    response = _post_outcomes(therapist_client, evaluation, leg_now="4")
    on = _said(packet)
    html = response.content.decode()
    assert f'Leg pain 4/10 <span class="reported">(patient reported 6 on {on})</span>' in html
    assert f'Back pain 3/10 <span class="reported">(patient-reported on {on})</span>' in html

    evaluation.refresh_from_db()
    shown = outcomes_words.page(evaluation.findings, records.read_content(evaluation.content))
    rows = {r["code"]: r for r in shown["rows"]}
    assert rows["leg_pain"]["reported"] == f"patient reported 6 on {on}"
    assert rows["back_pain"]["reported"] == f"patient-reported on {on}"
    assert "3" not in rows["back_pain"]["reported"].replace(on, "")  # the value once
    assert shown["reported"]["grc"] == "Better (+2)"


def test_the_evaluation_pdf_prints_the_patients_value_only_where_it_differs(
    therapist_client, therapist, patient, baseline, initial
):
    packet = make_packet(baseline, days_ago=2, back=3, leg=6, psfs={"a1": 5, "a2": 6}, grc=2)
    evaluation = _open(therapist, patient)
    _post_outcomes(therapist_client, evaluation, leg_now="4", psfs_a2="8")
    on = unbroken_date(timezone.localdate(packet.submitted_at)).replace("\u00a0", " ")

    context = doc.evaluation_context(doc.load_evaluation(evaluation.public_id), None)
    rows = {r["code"]: r for r in context["outcomes"]["rows"]}
    assert rows["leg_pain"]["reported"].replace("\u00a0", " ") == f"patient reported 6 on {on}"
    assert rows["back_pain"]["reported"].replace("\u00a0", " ") == f"patient-reported on {on}"

    subject = doc.load_evaluation(evaluation.public_id)
    rendered = render_document("evaluation", subject, clinic=Clinic.objects.current())
    text = pdf_text(rendered.pdf).replace("\u00a0", " ")
    assert f"(patient reported 6 on {on})" in text
    assert f"(patient-reported on {on})" in text
    assert f"Sitting at work: 8 (intake 4) (patient reported 6 on {on})" in text
    assert f"Walking the dog: 5 (intake 3) (patient-reported on {on})" in text
    assert "Global rating of change Better (+2)" in text


# --- Old records ------------------------------------------------------------------------------


def test_an_old_outcomes_record_without_patient_reported_loads_and_presents_the_same(
    therapist_client, therapist, patient, baseline
):
    evaluation = services.evaluation_start(patient=patient, kind="initial", by=therapist)
    old = {  # as stored before versions: no schema, no patient_reported
        "visit_date": timezone.localdate().isoformat(),
        "back_now": 4,
        "leg_now": 7,
        "distal_site": "THIGH",
        "psfs": [{"id": "a1", "activity": "Walking the dog", "score": 5}],
        "odi_sections": {},
        "notes": "",
    }
    evaluation.content["outcomes"] = old
    evaluation.findings = services.derive(evaluation, services.intake_basis(evaluation))
    evaluation.save()

    read = records.read("outcomes", old)
    assert read == {**old, "schema": 2} and packets.reported_of(read) is None
    ctx = services.section_context(
        evaluation, services.intake_basis(evaluation), odi_licensed=False
    )
    assert ctx.patient_reported is None
    form = sections.SECTIONS["outcomes"].build(ctx, stored=old)
    assert form.initial["leg_now"] == "7" and form.reported == {}
    shown = outcomes_words.page(evaluation.findings, records.read_content(evaluation.content))
    assert [r["text"] for r in shown["rows"]] == [
        "Back pain 4/10",
        "Leg pain 7/10",
        "PSFS mean 5.0/10",
    ]
    assert all(r["reported"] == "" for r in shown["rows"]) and shown["reported"] is None
    assert outcomes_words.document(old, evaluation.findings["outcomes"]) is None

    html = therapist_client.get(reverse("evaluations:detail", args=[evaluation.public_id]))
    assert html.status_code == 200
    text = html.content.decode()
    assert '<li data-testid="outcome-leg_pain">Leg pain 7/10</li>' in text
    assert 'data-testid="outcomes-prefilled"' not in text and "(patient-reported on" not in text
    # Saved again, it is stamped with the current version and still has no packet behind it.
    post_section(therapist_client, evaluation, "outcomes", {**_form_of(old), "leg_now": "6"})
    assert _outcomes(evaluation)["schema"] == 2 and "patient_reported" not in _outcomes(evaluation)


def _form_of(record: dict) -> dict:
    return {
        k: "" if v is None else str(v) for k, v in OutcomesForm.initial_from(record, None).items()
    }


# --- Audit and queries --------------------------------------------------------------------------


def test_the_pre_fill_is_in_the_evaluations_audit_trail(therapist, patient, baseline, initial):
    packet = make_packet(baseline, days_ago=2, back=3, leg=6, psfs={"a1": 5}, grc=1)
    evaluation = _open(therapist, patient)
    entry = AuditEvent.objects.get(details__packet=str(packet.public_id))
    assert entry.patient_id == patient.pk and entry.actor_id == therapist.pk
    assert entry.object_id in (str(evaluation.pk), str(evaluation.public_id))
    assert entry.action == AuditEvent.Action.UPDATE
    assert entry.summary.startswith("Pre-filled the outcomes from the patient's questionnaire of")
    assert entry.details["prefilled"] == ["back_now", "leg_now", "psfs_a1"]
    assert entry.details["section"] == "outcomes"
    assert entry.details["version"] == packets.PREFILL_VERSION


def _page_queries(client, evaluation) -> int:
    url = reverse("evaluations:detail", args=[evaluation.public_id])
    client.get(url)
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


def test_the_evaluation_page_makes_one_query_more_for_packets_however_many(
    therapist_client, therapist, patient, baseline, initial, monkeypatch
):
    plain = _open(therapist, patient)
    without = _page_queries(therapist_client, plain)
    Evaluation.objects.filter(pk=plain.pk).update(visit_date=_days_ago(10))

    make_packet(baseline, days_ago=2, back=3, leg=6, psfs={"a1": 5}, grc=2)
    for n in range(5):  # other packets of the episode: chart points, read in one query
        make_packet(baseline, purpose=Intake.Purpose.AFTER_3M, days_ago=12 + n, leg=n)
    prefilled = _open(therapist, patient)
    assert "patient_reported" in _outcomes(prefilled)
    with_packets = _page_queries(therapist_client, prefilled)
    assert with_packets == without
    # The pre-filled section itself costs nothing (the patient's answers are in the record);
    # the charts' packets are one query.
    from evaluations import views

    monkeypatch.setattr(views.followups, "for_progress", lambda episode_id: [])
    assert _page_queries(therapist_client, prefilled) == with_packets - 1
    # Pinned: a draft re-evaluation's page (with the patient's MONITOR results to review).
    assert with_packets == 23


# --- A draft opened before the patient answered ------------------------------------------------


def _sent(packet: Intake) -> None:
    """As the packet's submission does once it has committed."""
    from intake.signals import packet_submitted

    packet_submitted.send(sender=Intake, packet=packet)


def test_a_draft_opened_before_the_packet_came_in_is_filled_in_when_it_arrives(
    therapist, therapist_client, patient, baseline, initial
):
    evaluation = _open(therapist, patient)
    assert "outcomes" not in evaluation.content
    packet = make_packet(baseline, days_ago=0, back=2, leg=5)
    _sent(packet)
    record = _outcomes(evaluation)
    assert record["leg_now"] == 5 and record["patient_reported"]["packet"] == str(packet.public_id)
    event = AuditEvent.objects.get(
        object_id=str(evaluation.public_id), summary__startswith="Pre-filled the outcomes"
    )
    assert event.actor is None and event.actor_name == services.PREFILL_ACTOR
    page = therapist_client.get(reverse("evaluations:detail", args=[evaluation.public_id]))
    assert "Patient-reported on" in page.content.decode()
    _sent(packet)  # sent again: nothing is filled twice
    assert AuditEvent.objects.filter(summary__startswith="Pre-filled the outcomes").count() == 1


def test_a_draft_whose_outcomes_were_typed_is_never_overwritten_by_a_later_packet(
    therapist, therapist_client, patient, baseline, initial
):
    evaluation = _open(therapist, patient)
    data = OutcomesForm.prefill_data(
        {"back_now": 1, "leg_now": 1}, visit_date=_days_ago(0).isoformat()
    )
    assert post_section(therapist_client, evaluation, "outcomes", data).status_code == 200
    _sent(make_packet(baseline, days_ago=0, back=8, leg=8))
    record = _outcomes(evaluation)
    assert record["leg_now"] == 1 and "patient_reported" not in record


def test_a_packet_fills_only_the_evaluation_of_its_purpose_in_its_episode(
    therapist, patient, baseline, initial
):
    discharge = _open(therapist, patient, "discharge")
    _sent(make_packet(baseline, purpose=Intake.Purpose.REEVALUATION, days_ago=0, leg=5))
    assert "outcomes" not in Evaluation.objects.get(pk=discharge.pk).content
