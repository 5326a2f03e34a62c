"""Progress over visits is per episode of care: a patient back a year later with a new
sciatica starts afresh, against the new episode's own intake."""

import random
from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from care.demo import demo_past_episode
from evaluations.demo import demo_evaluation
from intake.demo import demo_answers, demo_intake
from tests.factories import PatientFactory

pytestmark = pytest.mark.django_db


def _course(patient, therapist, *, days_ago: int, visits: int, closed: bool, seed: int):
    """An episode that started `days_ago` with its intake and `visits` signed visits."""
    rng = random.Random(seed)
    started = timezone.now() - timedelta(days=days_ago)
    start = timezone.localtime(started).date()
    episode = None
    if closed:
        episode = demo_past_episode(
            patient=patient, start=start, end=start + timedelta(days=visits + 2), reason="plateau"
        )
    intake = demo_intake(
        patient=patient,
        started_by=therapist,
        started=started,
        answers=demo_answers(rng, today=start, radicular=True),
        submitted_after=timedelta(minutes=10),
        episode=episode,
    )
    for n in range(visits):
        demo_evaluation(
            patient=patient,
            intake=intake,
            therapist=therapist,
            kind="initial" if n == 0 else "reevaluation",
            visit_date=start + timedelta(days=1 + n),
            vignette="L5",
            rng=rng,
            improvement=min(0.9, 0.1 * n),
            sign=True,
        )
    return intake.episode


def _progress(client, patient, episode=None):
    url = reverse("evaluations:progress", args=[patient.public_id])
    return client.get(url, {"episode": str(episode.public_id)} if episode else {})


def test_a_returning_patients_progress_starts_afresh_with_the_new_episode(
    therapist_client, therapist
):
    patient = PatientFactory()
    past = _course(patient, therapist, days_ago=400, visits=3, closed=True, seed=1)
    now = _course(patient, therapist, days_ago=6, visits=1, closed=False, seed=2)

    page = _progress(therapist_client, patient)
    assert page.status_code == 200
    assert page.context["episode"] == now
    assert [v.pk for v in page.context["visits"]] == list(
        now.evaluations.values_list("pk", flat=True)
    )
    assert page.context["baseline"].episode_id == now.pk
    html = page.content.decode()
    assert 'data-testid="episodes"' in html and "Current, from" in html

    earlier = _progress(therapist_client, patient, past)
    assert earlier.context["episode"] == past
    assert len(earlier.context["visits"]) == 3
    assert earlier.context["baseline"].episode_id == past.pk
    assert 'aria-current="page"' in earlier.content.decode()


def test_an_episode_of_another_patient_or_not_an_id_is_not_found(therapist_client, therapist):
    patient, other = PatientFactory(), PatientFactory()
    theirs = _course(other, therapist, days_ago=10, visits=1, closed=False, seed=3)
    assert _progress(therapist_client, patient, theirs).status_code == 404
    url = reverse("evaluations:progress", args=[patient.public_id])
    assert therapist_client.get(url, {"episode": "not-a-uuid"}).status_code == 404


def test_the_progress_page_makes_the_same_queries_for_1_or_3_episodes_of_many_visits(
    therapist_client, therapist
):
    small = PatientFactory()
    _course(small, therapist, days_ago=5, visits=1, closed=False, seed=4)
    big = PatientFactory()
    for n, days_ago in enumerate((700, 400)):
        _course(big, therapist, days_ago=days_ago, visits=8, closed=True, seed=5 + n)
    _course(big, therapist, days_ago=30, visits=8, closed=False, seed=9)

    _progress(therapist_client, small)  # warm the session and the clinic
    with CaptureQueriesContext(connection) as one:
        assert _progress(therapist_client, small).status_code == 200
    with CaptureQueriesContext(connection) as many:
        assert _progress(therapist_client, big).status_code == 200
    assert len(many) == len(one)
    # Pinned: the session, user and permissions, the patient, the episodes, the baseline
    # intake and its amendments, the visits, the treatment notes, the follow-up packets,
    # the audit entry and the base template's own.
    assert len(one) == 15, [q["sql"][:80] for q in one.captured_queries]
