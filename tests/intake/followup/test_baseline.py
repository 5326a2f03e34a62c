"""What a packet reads of its episode's first visit."""

import datetime

import pytest
from django.utils import timezone

from intake import services
from intake.followup import baseline as baseline_mod
from intake.models import Intake, IntakeAmendment
from tests.factories import IntakeFactory, UserFactory
from tests.intake.followup.answers import baseline_answers
from tests.intake.followup.conftest import make_packet

pytestmark = pytest.mark.django_db


def test_amendments_apply_as_the_intake_applies_them(baseline):
    by = UserFactory()
    for name in ("Gardening", "Cycling"):
        IntakeAmendment.objects.create(
            intake=baseline,
            step="psfs",
            after={"activities": [{"id": "a1", "name": name, "score": 2}]},
            reason="typo",
            by=by,
        )
    amendments = list(baseline.amendments.all())
    assert baseline_mod.apply_amendments(
        baseline.answers, amendments
    ) == services.effective_answers(baseline, amendments)
    found = baseline_mod.for_packet(make_packet(baseline))
    assert found.psfs_activities == ({"id": "a1", "name": "Cycling"},)


def test_it_reads_the_episodes_first_submitted_intake_by_the_packet_or_its_id(baseline):
    packet = make_packet(baseline)
    later = IntakeFactory(
        patient=baseline.patient,
        episode=baseline.episode,
        answers=baseline_answers(activities=[{"id": "a1", "name": "Later", "score": 1}]),
    )
    assert later.submitted_at > baseline.submitted_at
    assert baseline_mod.for_packet(packet).intake == baseline
    assert baseline_mod.for_packet(packet.pk).intake == baseline


def test_another_episodes_intake_is_never_the_baseline(baseline):
    from care.demo import demo_past_episode

    other = demo_past_episode(
        patient=baseline.patient,
        start=datetime.date(2024, 1, 8),
        end=datetime.date(2024, 3, 1),
        reason="goals_met",
    )
    packet = make_packet(baseline, episode=other)
    found = baseline_mod.for_packet(packet)
    assert found.intake is None and found.answers == {} and found.psfs_activities == ()


def test_an_intake_not_submitted_is_not_the_baseline(baseline):
    Intake.objects.filter(pk=baseline.pk).update(
        status=Intake.Status.IN_PROGRESS,
        submitted_at=timezone.now() - datetime.timedelta(days=1),
    )
    assert baseline_mod.for_packet(make_packet(baseline)).intake is None
