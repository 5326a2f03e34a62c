"""The outcomes CSV carries the patient's follow-up packets (issue 18 point 3): one row per
submitted packet, after the evaluations' rows, with its purpose, day, back and leg pain,
PSFS mean, ODI and global rating of change beside the episode's baseline; an evaluation's
row names the packet that pre-filled it. Streamed in a fixed number of queries."""

import csv
import io
import re
from datetime import timedelta
from pathlib import Path

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from accounts.roles import Role
from care.demo import demo_discharge
from care.models import Episode
from evaluations import packets
from intake.models import Intake
from intake.questionnaires import baseline_values
from reports.exports import CSV_COLUMNS, write_outcomes_csv
from reports.models import ReportJob
from tests.evaluations.packets import make_packet
from tests.factories import PatientFactory, UserFactory
from tests.reports.conftest import make_evaluation, make_intake

pytestmark = pytest.mark.django_db

P = Intake.Purpose
DOCS = Path(__file__).resolve().parents[2] / "docs" / "outcomes-csv.md"


def _job(*, days: int = 500, therapists=(), created_at=None) -> ReportJob:
    today = timezone.localdate()
    job = ReportJob(
        kind="export",
        params={
            "date_from": (today - timedelta(days=days)).isoformat(),
            "date_to": today.isoformat(),
            "therapists": list(therapists),
            "drafts": False,
        },
    )
    job.created_at = created_at or timezone.now()
    return job


def _rows(job) -> tuple[int, list[dict]]:
    out = io.StringIO()
    n = write_outcomes_csv(job, out)
    return n, list(csv.DictReader(io.StringIO(out.getvalue())))


@pytest.fixture
def discharged(physio):
    """A course of care discharged 200 days ago, with its intake and two evaluations."""
    patient = PatientFactory()
    intake = make_intake(patient, seed=21, days_ago=260)
    # The factory's episode starts the day the intake row was made: move it to the intake's.
    Episode.objects.filter(pk=intake.episode_id).update(
        start_of_care=timezone.localdate() - timedelta(days=260)
    )
    intake.refresh_from_db()
    make_evaluation(therapist=physio, patient=patient, days_ago=258, seed=8)
    last = make_evaluation(
        therapist=physio, patient=patient, kind="discharge", days_ago=200, seed=9
    )
    demo_discharge(intake.episode, on=last.visit_date, reason="goals_met")
    return intake


def test_each_submitted_packet_is_a_row_with_its_purpose_values_and_rating_of_change(
    physio, discharged
):
    packet = make_packet(
        discharged,
        purpose=P.AFTER_3M,
        days_ago=109,
        back=2,
        leg=1,
        psfs={a["id"]: 8 for a in discharged.answers["psfs"]["activities"]},
        grc=-2,
    )
    n, rows = _rows(_job())
    assert n == len(rows) == 3  # two evaluations, one packet
    row = rows[-1]
    assert row["kind"] == "follow_up" and row["evaluation_id"] == ""
    assert row["packet_id"] == str(packet.public_id)
    assert row["packet_purpose"] == "3 months after discharge"
    assert row["visit_date"] == timezone.localdate(packet.submitted_at).isoformat()
    assert row["packet_due_on"] == packet.due_on.isoformat()
    assert row["days_after_discharge"] == "91"
    assert (row["back_pain_nprs"], row["leg_pain_nprs"], row["psfs_mean"]) == ("2.0", "1.0", "8.0")
    assert row["odi_percent"] == ""  # not asked: the clinic holds no ODI licence here
    # A number, not a formula: a negative rating stays a plain number.
    assert (row["global_rating_of_change"], row["global_rating_of_change_label"]) == (
        "-2",
        "Worse",
    )
    assert row["patient_mrn"] == discharged.patient.mrn
    assert row["episode_id"] == str(discharged.episode.public_id)
    expected = baseline_values(discharged.answers, discharged.scores)
    assert row["baseline_leg_pain_nprs"] == str(expected["leg_pain"])
    assert row["therapist"] == row["signed_at"] == row["classification"] == ""
    # The evaluations' rows leave the packet columns empty.
    assert all(r["packet_id"] == "" and r["global_rating_of_change"] == "" for r in rows[:2])


def test_an_evaluation_row_names_the_packet_its_outcomes_were_pre_filled_from(physio, discharged):
    used = make_packet(discharged, purpose=P.DISCHARGE, days_ago=201, leg=2)
    last = discharged.episode.evaluations.get(kind="discharge")
    last.content["outcomes"]["patient_reported"] = packets.reported_block(
        packet_id=str(used.public_id),
        on=timezone.localdate(used.submitted_at),
        purpose=used.purpose,
        values={"leg_now": 2},
        grc=None,
    )
    last.save(update_fields=["content"])
    _n, rows = _rows(_job())
    by_id = {r["evaluation_id"]: r for r in rows}
    assert by_id[str(last.public_id)]["prefilled_from_packet"] == str(used.public_id)
    packet_row = next(r for r in rows if r["packet_id"] == str(used.public_id))
    assert packet_row["packet_purpose"] == "Before discharge"
    assert packet_row["days_after_discharge"] == ""  # answered before it


def test_only_submitted_packets_answered_in_the_range_before_the_job_are_rows(physio, discharged):
    made = timezone.now() - timedelta(days=1)
    make_packet(discharged, purpose=P.AFTER_6W, days_ago=150, leg=3)  # in
    make_packet(discharged, purpose=P.AFTER_12M, days_ago=0.1, leg=1)  # after the job
    make_packet(discharged, purpose=P.AFTER_3M, status=Intake.Status.STOPPED, days_ago=100)
    make_packet(discharged, purpose=P.AFTER_3M, status=Intake.Status.IN_PROGRESS, days_ago=99)
    _n, rows = _rows(_job(created_at=made))
    assert [r["packet_purpose"] for r in rows if r["kind"] == "follow_up"] == [
        "6 weeks after discharge"
    ]
    _n, rows = _rows(_job(days=120, created_at=made))  # 150 days ago is out of the range
    assert not [r for r in rows if r["kind"] == "follow_up"]


def test_with_therapists_chosen_only_the_packets_of_episodes_they_evaluated(physio, discharged):
    make_packet(discharged, purpose=P.AFTER_6W, days_ago=150, leg=3)
    other = UserFactory(username="other-physio", roles=[Role.THERAPIST])
    theirs = make_intake(PatientFactory(), seed=5, days_ago=40)
    make_evaluation(therapist=other, patient=theirs.patient, days_ago=38, seed=3)
    make_packet(theirs, purpose=P.REEVALUATION, days_ago=10, leg=5)

    _n, rows = _rows(_job(therapists=[physio.pk]))
    mrns = {r["patient_mrn"] for r in rows if r["kind"] == "follow_up"}
    assert mrns == {discharged.patient.mrn}
    _n, rows = _rows(_job())
    assert {r["patient_mrn"] for r in rows if r["kind"] == "follow_up"} == {
        discharged.patient.mrn,
        theirs.patient.mrn,
    }


def _queries(job) -> int:
    with CaptureQueriesContext(connection) as queries:
        _rows(job)
    return len(queries)


def test_the_csv_makes_the_same_queries_for_one_packet_or_many(physio, discharged):
    make_packet(discharged, purpose=P.AFTER_6W, days_ago=150, leg=3)
    one = _queries(_job())
    for n in range(8):
        patient = PatientFactory()
        intake = make_intake(patient, seed=30 + n, days_ago=60)
        make_evaluation(therapist=physio, patient=patient, days_ago=58, seed=n)
        make_packet(intake, purpose=P.REEVALUATION, days_ago=20, leg=n)
        make_packet(intake, purpose=P.DISCHARGE, days_ago=5, leg=n)
    many = _queries(_job())
    assert many == one
    # Pinned: the evaluations' episodes, the packets' episodes, the baselines and their
    # amendments (one batch), the evaluations' stream and the packets'.
    assert one == 6


def test_every_column_is_documented():
    documented = set(re.findall(r"^\| `([a-z_]+)` \|", DOCS.read_text(), flags=re.MULTILINE))
    assert documented == set(CSV_COLUMNS)


def test_a_patient_whose_only_row_is_a_packet_is_named_in_the_exports_audit(
    admin_client_, physio, discharged, inline_jobs, django_capture_on_commit_callbacks
):
    import zipfile

    from django.conf import settings
    from django.urls import reverse

    from audit.models import AuditEvent

    packet = make_packet(discharged, purpose=P.AFTER_12M, days_ago=10, leg=1, grc=3)
    today = timezone.localdate()
    with django_capture_on_commit_callbacks(execute=True):
        admin_client_.post(
            reverse("reports:export"),
            {
                "date_from": (today - timedelta(days=30)).isoformat(),
                "date_to": today.isoformat(),
                "kinds": ["evaluation"],
                "include_csv": "on",
            },
        )
    job = ReportJob.objects.get(kind="export")
    job.refresh_from_db()
    assert job.status == "succeeded", job.error
    with zipfile.ZipFile(Path(settings.MEDIA_ROOT) / job.file) as zf:
        rows = list(csv.DictReader(io.StringIO(zf.read("outcomes.csv").decode())))
    assert [r["packet_id"] for r in rows] == [str(packet.public_id)]
    assert rows[0]["global_rating_of_change"] == "3"
    assert AuditEvent.objects.filter(
        action="export", summary="Included in a batch export", patient=discharged.patient
    ).exists()
