"""Signing a plan of care books the follow-up questionnaires the patient answers before
the visits it plans (intake.followup.schedule)."""

import datetime

import pytest

from evaluations import services
from intake.models import Intake
from tests.evaluations.test_views import _complete
from tests.factories import TEST_PASSWORD


@pytest.mark.django_db
def test_signing_an_evaluation_schedules_the_packets_its_plan_asks_for(
    therapist_client, therapist, evaluation
):
    _complete(therapist_client, evaluation)  # the plan: 6 weeks, no re-evaluation date
    services.evaluation_sign(evaluation=evaluation, by=therapist, password=TEST_PASSWORD)
    (packet,) = Intake.objects.packets().filter(episode=evaluation.episode)
    assert packet.purpose == Intake.Purpose.DISCHARGE and packet.status == "scheduled"
    assert packet.due_on == evaluation.visit_date + datetime.timedelta(weeks=6, days=-3)
    assert packet.patient_id == evaluation.patient_id
