"""intake.0013 over a copy of the demo data: each open episode gets the follow-up
questionnaires its latest signed plan of care asks for; closed episodes, episodes with no
signed plan and packets already answered are left as they are; back again removes only the
packets nobody handed over."""

import datetime
import random

import pytest
from django.utils import timezone

from tests.migrations.support import migrate, migrate_to_latest, seed_demo

pytestmark = pytest.mark.django_db(transaction=True)

BEFORE = [("intake", "0012_alert_disposition")]


def _signed_plan(patient, therapist, *, reeval_in_days: int):
    """A signed initial evaluation today whose plan books a re-evaluation and 6 weeks."""
    from evaluations.demo import demo_evaluation
    from tests.factories import IntakeFactory

    intake = IntakeFactory(patient=patient)
    evaluation = demo_evaluation(
        patient=patient,
        intake=intake,
        therapist=therapist,
        kind="initial",
        visit_date=timezone.localdate(),
        vignette="L5",
        rng=random.Random(5),
        improvement=0.0,
        sign=True,
    )
    content = dict(evaluation.content)
    content["plan"] = {
        **content["plan"],
        "weeks": 6,
        "reeval_date": (timezone.localdate() + datetime.timedelta(days=reeval_in_days)).isoformat(),
    }
    type(evaluation).objects.filter(pk=evaluation.pk).update(content=content)
    return evaluation


def test_open_episodes_get_the_packets_their_latest_signed_plan_asks_for(settings):
    from accounts.roles import Role
    from intake.models import Intake
    from tests.factories import PatientFactory, UserFactory

    settings.DEBUG = True
    seed_demo(patients=12)
    therapist = UserFactory(roles=[Role.THERAPIST])
    patient = PatientFactory()
    evaluation = _signed_plan(patient, therapist, reeval_in_days=14)
    Intake.objects.packets().filter(episode=evaluation.episode).delete()
    answered_before = set(
        Intake.objects.packets().exclude(status=Intake.Status.SCHEDULED).values_list("pk", "status")
    )
    try:
        migrate(BEFORE)
        migrate_to_latest()
    finally:
        migrate_to_latest()

    today = timezone.localdate()
    rows = sorted(
        (p.purpose, p.due_on, p.status)
        for p in Intake.objects.packets().filter(episode=evaluation.episode)
    )
    assert rows == [
        ("discharge", today + datetime.timedelta(weeks=6, days=-3), "scheduled"),
        ("reevaluation", today + datetime.timedelta(days=11), "scheduled"),
    ]
    # Only open episodes, never twice, and nothing answered was touched.
    scheduled = Intake.objects.packets().filter(status=Intake.Status.SCHEDULED)
    assert not scheduled.exclude(episode__status="open").exists()
    keys = list(scheduled.values_list("episode_id", "purpose", "due_on"))
    assert len(keys) == len(set(keys))
    assert answered_before <= set(
        Intake.objects.packets().exclude(status=Intake.Status.SCHEDULED).values_list("pk", "status")
    )
    assert not scheduled.filter(due_on__lt=today).exists()
