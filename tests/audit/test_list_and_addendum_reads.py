"""Every list names the patients it showed, and the addendum page is a read like any
other (security test, issue 15 point 6)."""

import random
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from audit.models import AuditEvent
from evaluations.demo import demo_evaluation
from tests.factories import EvaluationFactory, IntakeFactory, PatientFactory

pytestmark = pytest.mark.django_db


def test_the_evaluation_list_names_the_patients_it_showed(therapist_client, therapist):
    shown = [EvaluationFactory(therapist=therapist) for _ in range(3)]
    therapist_client.get(reverse("evaluations:list"))
    entry = AuditEvent.objects.filter(summary__startswith="Viewed the evaluation list").get()
    assert entry.details["shown"] == sorted(e.patient.mrn for e in shown)


def test_opening_the_addendum_page_of_a_signed_evaluation_is_audited(therapist_client, therapist):
    patient = PatientFactory()
    evaluation = demo_evaluation(
        patient=patient,
        intake=IntakeFactory(patient=patient),
        therapist=therapist,
        kind="initial",
        visit_date=timezone.localdate() - timedelta(days=1),
        vignette="L5",
        rng=random.Random(1),
        improvement=0.0,
        sign=True,
    )
    response = therapist_client.get(reverse("evaluations:addendum", args=[evaluation.public_id]))
    assert response.status_code == 200
    entry = AuditEvent.objects.get(summary__startswith="Opened the addendum page")
    assert entry.patient == patient and entry.actor == therapist
