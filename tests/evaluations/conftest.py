from datetime import timedelta

import pytest
from django.utils import timezone

from evaluations import services
from intake.models import Intake
from tests.evaluations.helpers import INTAKE_ANSWERS
from tests.factories import IntakeFactory


@pytest.fixture
def intake(patient):
    """A submitted intake from three days ago: left leg pain below the knee."""
    return IntakeFactory(
        patient=patient,
        status=Intake.Status.SUBMITTED,
        answers=INTAKE_ANSWERS,
        scores={"psfs": {"mean": 3.0}},
        submitted_at=timezone.now() - timedelta(days=3),
    )


@pytest.fixture
def evaluation(therapist, patient, intake):
    """A fresh initial evaluation, opened on that intake."""
    return services.evaluation_start(patient=patient, kind="initial", by=therapist)
