"""The patient's follow-up packets on the progress charts (issue 18 point 3): after
discharge, "6 weeks / 3 months / 12 months after discharge" points; before it, a packet
that pre-filled an evaluation is that evaluation's point (not a second one), and one no
evaluation used is a patient-reported point of its own. The progress page reads them in
one query, and the discharge report charts the follow-ups since discharge."""

import datetime
import random

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from care.demo import demo_discharge
from core.models import Clinic
from evaluations import packets, progress
from evaluations.charts import REPORTED_LEGEND, measure_chart_svg
from evaluations.demo import demo_evaluation
from intake.demo import demo_answers, demo_intake
from intake.models import Intake
from reports.docs import evaluation as doc
from reports.docs import progress as progress_doc
from reports.pdf import render_document
from tests.evaluations.packets import make_packet
from tests.factories import PatientFactory
from tests.reports.pdftext import pdf_text

pytestmark = pytest.mark.django_db

DISCHARGE_DAYS_AGO = 400
P = Intake.Purpose


def _ago(days: int) -> datetime.date:
    return timezone.localdate() - datetime.timedelta(days=days)


def _at(days: int) -> datetime.datetime:
    return timezone.now() - datetime.timedelta(days=days)


@pytest.fixture
def course(therapist):
    """An episode of care discharged 400 days ago: intake, initial evaluation, a
    re-evaluation pre-filled from its packet, a discharge evaluation; the discharge packet
    was answered but no evaluation used it."""
    rng = random.Random(4)
    patient = PatientFactory()
    start = _ago(450)
    intake = demo_intake(
        patient=patient,
        started_by=therapist,
        started=_at(450),
        answers=demo_answers(rng, today=start, radicular=True),
        submitted_after=datetime.timedelta(minutes=10),
    )

    def visit(kind, days_ago, improvement):
        return demo_evaluation(
            patient=patient,
            intake=intake,
            therapist=therapist,
            kind=kind,
            visit_date=_ago(days_ago),
            vignette="L5",
            rng=rng,
            improvement=improvement,
            sign=True,
        )

    initial = visit("initial", 448, 0)
    used = make_packet(intake, purpose=P.REEVALUATION, days_ago=432, back=5, leg=6)
    reevaluation = visit("reevaluation", 430, 0.4)
    # The re-evaluation was opened pre-filled from `used` (its record says so).
    reevaluation.content["outcomes"]["patient_reported"] = packets.reported_block(
        packet_id=str(used.public_id),
        on=timezone.localdate(used.submitted_at),
        purpose=used.purpose,
        values={"back_now": 5, "leg_now": 6},
        grc=None,
    )
    reevaluation.save(update_fields=["content"])
    unused = make_packet(intake, purpose=P.DISCHARGE, days_ago=402, back=2, leg=3)
    discharge = visit("discharge", DISCHARGE_DAYS_AGO, 0.8)
    demo_discharge(intake.episode, on=_ago(DISCHARGE_DAYS_AGO), reason="goals_met")
    return {
        "patient": patient,
        "intake": intake,
        "episode": intake.episode,
        "visits": (initial, reevaluation, discharge),
        "used": used,
        "unused": unused,
    }


def _follow_ups(course):
    intake = course["intake"]
    return [
        make_packet(intake, purpose=P.AFTER_6W, days_ago=DISCHARGE_DAYS_AGO - 43, leg=2, back=2),
        make_packet(intake, purpose=P.AFTER_3M, days_ago=DISCHARGE_DAYS_AGO - 92, leg=1, back=2),
        make_packet(intake, purpose=P.AFTER_12M, days_ago=DISCHARGE_DAYS_AGO - 365, leg=0, back=1),
    ]


def _leg(data: progress.PatientProgress) -> progress.MeasureProgress:
    return next(m for m in data.measures if m.code == "leg_pain")


# --- The rule, pure -----------------------------------------------------------------------------


def _answered(purpose, on, pid="p", leg=4):
    at = datetime.datetime.combine(on, datetime.time(10), tzinfo=datetime.UTC)
    scores = {"nprs": {"back": {"now": None}, "leg": {"now": leg}}}
    return packets.Answered(
        public_id=pid, purpose=purpose, submitted_on=on, submitted_at=at, scores=scores
    )


def test_post_discharge_packets_are_points_labelled_by_their_follow_up():
    discharged = datetime.date(2026, 1, 10)
    answered = [
        _answered("after_6w", datetime.date(2026, 2, 21), "a", leg=3),
        _answered("after_3m", datetime.date(2026, 4, 11), "b", leg=2),
        _answered("after_12m", datetime.date(2027, 1, 9), "c", leg=1),
    ]
    data = progress.from_records(None, {}, [], packets=answered, discharged_on=discharged)
    leg = _leg(data)
    assert [(p.label, p.value, p.source) for p in leg.points] == [
        ("6 weeks after discharge", 3.0, "packet"),
        ("3 months after discharge", 2.0, "packet"),
        ("12 months after discharge", 1.0, "packet"),
    ]
    assert "since 6 weeks after discharge on 21 Feb 2026" in leg.statement
    # No back pain answered: no back pain point.
    assert not next(m for m in data.measures if m.code == "back_pain").points


def test_a_follow_up_answered_before_any_discharge_is_a_plain_patient_questionnaire():
    on = datetime.date(2026, 3, 1)
    assert packets.point_label("after_3m", on, None) == "Patient questionnaire"
    assert packets.point_label("after_3m", on, datetime.date(2026, 3, 2)) == "Patient questionnaire"
    assert packets.point_label("after_3m", on, on) == "3 months after discharge"
    assert packets.point_label("reevaluation", on, None) == "Questionnaire before re-evaluation"
    assert packets.point_label("discharge", on, on) == "Questionnaire before discharge"


def test_packet_scores_off_their_scale_are_left_out_rather_than_failing_the_chart():
    scores = {"nprs": {"back": {"now": 11}, "leg": {"now": True}}, "odi": {"percentage": 140}}
    assert packets.progress_values(scores) == {}
    assert packets.progress_values({"psfs": {"mean": 6.5}}) == {"psfs": 6.5}


# --- On the episode's charts ---------------------------------------------------------------------


def _page(client, course):
    url = reverse("evaluations:progress", args=[course["patient"].public_id])
    return client.get(url, {"episode": str(course["episode"].public_id)})


def test_the_progress_page_charts_the_follow_ups_and_the_unused_packet_once(
    therapist_client, course
):
    follow_ups = _follow_ups(course)
    page = _page(therapist_client, course)
    assert page.status_code == 200
    measures = {m["progress"].code: m for m in page.context["page_progress"]["measures"]}
    leg = measures["leg_pain"]["progress"]
    labels = [p.label for p in leg.points]
    assert labels == [
        "Intake",
        "Initial evaluation",
        "Re-evaluation 1",
        "Questionnaire before discharge",
        "Discharge",
        "6 weeks after discharge",
        "3 months after discharge",
        "12 months after discharge",
    ]
    # The packet that pre-filled the re-evaluation is that evaluation's point, not its own.
    assert [p.source for p in leg.points].count("packet") == 4
    assert leg.latest.value == 0.0 and leg.latest.label == "12 months after discharge"
    svg = measures["leg_pain"]["svg"]
    assert "3 months after discharge, " in svg and "(patient-reported)" in svg
    assert svg.count("<rect x=") >= 4 and REPORTED_LEGEND in svg
    html = page.content.decode()
    assert 'data-testid="progress-packets"' in html
    for p in follow_ups:
        assert reverse("intake:detail", args=[p.public_id]) in html
    assert "12 months after discharge ·" in html
    assert "Pre-filled an evaluation" in html  # the re-evaluation's packet, listed as such


def test_the_evaluation_pages_charts_have_the_follow_ups_too(therapist_client, course):
    _follow_ups(course)
    discharge = course["visits"][-1]
    page = therapist_client.get(reverse("evaluations:detail", args=[discharge.public_id]))
    measures = {m["progress"].code: m for m in page.context["progress"]["measures"]}
    assert measures["leg_pain"]["progress"].latest.label == "12 months after discharge"


def test_the_progress_page_reads_packets_in_one_query_however_many(therapist_client, course):
    _page(therapist_client, course)  # warm the session and the clinic
    with CaptureQueriesContext(connection) as none:
        assert _page(therapist_client, course).status_code == 200
    _follow_ups(course)
    for n in range(6):
        make_packet(course["intake"], purpose=P.AFTER_12M, days_ago=20 + n, leg=n)
    with CaptureQueriesContext(connection) as many:
        assert _page(therapist_client, course).status_code == 200
    assert len(many) == len(none)
    # Pinned: the session, user and permissions, the patient, the episodes, the baseline
    # intake and its amendments, the visits, the treatment notes, the packets, the audit
    # entry and the base template's own.
    assert len(many) == 15, [q["sql"][:80] for q in many.captured_queries]


def test_a_chart_without_packets_is_drawn_as_before():
    points = [
        progress.Point(on=datetime.date(2026, 1, 1), value=8, label="Intake", source="intake"),
        progress.Point(
            on=datetime.date(2026, 2, 1), value=4, label="Discharge", source="evaluation"
        ),
    ]
    svg = measure_chart_svg(progress.measure_progress("leg_pain", points))
    assert REPORTED_LEGEND not in svg and "patient-reported" not in svg
    assert svg.count("<circle") == 2


def test_a_narrow_chart_with_drafts_and_packets_keeps_its_legends_apart():
    points = [
        progress.Point(on=datetime.date(2026, 1, 1), value=8, label="Intake", source="intake"),
        progress.Point(
            on=datetime.date(2026, 2, 1),
            value=5,
            label="Discharge",
            source="evaluation",
            draft=True,
        ),
        progress.Point(
            on=datetime.date(2026, 5, 1), value=3, label="3 months after discharge", source="packet"
        ),
    ]
    wide = measure_chart_svg(progress.measure_progress("leg_pain", points), width=560)
    assert REPORTED_LEGEND in wide and "hollow dot: unsigned draft" in wide
    narrow = measure_chart_svg(progress.measure_progress("leg_pain", points), width=240)
    # No room for both: the draft legend stays, the squares keep their tooltips.
    assert REPORTED_LEGEND not in narrow.split("<title>", 1)[0]
    assert "(patient-reported)</title>" in narrow


# --- The progress and discharge PDF ---------------------------------------------------------------


def test_the_discharge_report_charts_the_follow_ups_and_keeps_the_status_at_discharge(course):
    discharge = course["visits"][-1]
    subject = doc.load_evaluation(discharge.public_id)
    before = progress_doc.progress_version(subject)
    _follow_ups(course)
    subject = doc.load_evaluation(discharge.public_id)
    assert progress_doc.progress_version(subject) != before

    context = progress_doc.progress_context(subject, None)
    leg = next(m for m in context["measures"] if m["progress"].code == "leg_pain")
    assert leg["progress"].latest.label == "12 months after discharge"
    status = next(m for m in context["at_visit"] if m["progress"].code == "leg_pain")
    assert status["progress"].latest.label == "Discharge"
    assert [f["label"] for f in context["after_discharge"]] == [
        "6 weeks after discharge",
        "3 months after discharge",
        "12 months after discharge",
    ]
    assert context["after_discharge"][1]["values"] == "back pain 2, leg pain 1"

    rendered = render_document("progress", subject, clinic=Clinic.objects.current())
    text = pdf_text(rendered.pdf)
    assert "After discharge" in text
    assert "12 months after discharge" in text and "back pain 1, leg pain 0" in text


def test_a_reevaluations_report_charts_only_what_was_answered_up_to_it(course):
    _follow_ups(course)
    reevaluation = course["visits"][1]
    context = progress_doc.progress_context(doc.load_evaluation(reevaluation.public_id), None)
    leg = next(m for m in context["measures"] if m["progress"].code == "leg_pain")
    assert [p.label for p in leg["progress"].points] == [
        "Intake",
        "Initial evaluation",
        "Re-evaluation 1",
    ]
    assert context["after_discharge"] == []
