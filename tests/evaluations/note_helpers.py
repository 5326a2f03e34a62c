"""Treatment notes for the service and view tests: an episode with its signed initial
evaluation (the plan of care), and the note's form as the page posts it."""

from __future__ import annotations

import random
from datetime import timedelta

from django.urls import reverse
from django.utils import timezone

from evaluations import notes
from evaluations.demo import demo_evaluation
from evaluations.models import Evaluation, TreatmentNote
from intake.demo import demo_answers, demo_results
from tests.factories import IntakeFactory


def signed_initial(patient, therapist, *, days_ago: int = 7) -> Evaluation:
    """The patient's intake and signed initial evaluation, `days_ago`, in a new episode
    that started that day: an L5 radiculopathy with a plan of care."""
    on = timezone.localdate() - timedelta(days=days_ago)
    at = timezone.now() - timedelta(days=days_ago)
    answers = demo_answers(random.Random(11), today=on, radicular=True)
    intake = IntakeFactory(
        patient=patient,
        answers=answers,
        started_at=at,
        submitted_at=at + timedelta(minutes=10),
        **demo_results(answers, date_of_birth=patient.date_of_birth, on=on),
    )
    return demo_evaluation(
        patient=patient,
        intake=intake,
        therapist=therapist,
        kind="initial",
        visit_date=on,
        vignette="L5",
        rng=random.Random(3),
        improvement=0.0,
        sign=True,
    )


def form_data(note: TreatmentNote, **extra) -> dict:
    """Everything a complete note posts: every planned intervention done as planned, the
    re-check all no."""
    note.refresh_from_db()
    data: dict = {
        "visit_date": note.visit_date.isoformat(),
        "response": "CENTRALISING",
        "distal_site": "THIGH",
        "back_nprs": "2",
        "leg_nprs": "4",
        "hep_adherence": "MOST",
        "minutes": "45",
        "notes": "Tolerated well; extension in lying centralised the leg pain.",
    }
    data |= {notes.ces_field(item.code): "no" for item in notes.ces_items()}
    for name, value in notes.form_values(note.content, note.visit_date).items():
        if name.startswith("iv_"):
            if value is True:
                data[name] = "on"
            elif value not in (False, None):
                data[name] = [str(v) for v in value] if isinstance(value, list) else str(value)
    for i, _row in enumerate(notes.read(note.content)["interventions"]):
        data[notes.done_field(i)] = "on"
    return data | extra


def save_url(note: TreatmentNote) -> str:
    return reverse("evaluations:note-save", args=[note.public_id])


def post_note(client, note: TreatmentNote, data: dict, *, htmx: bool = True, **extra):
    note.refresh_from_db()
    payload = {"version": note.version, **data}
    headers = {"HTTP_HX_REQUEST": "true"} if htmx else {}
    return client.post(save_url(note), payload, **headers, **extra)
