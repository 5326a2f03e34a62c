"""intake.0012 over a copy of the demo data: every disposition recorded before the action
rules keeps its outcome (the old codes are the new action codes) and is stamped as made
under the old form; open alerts are left for the new rules; the banner's index still
serves the banner."""

import pytest
from django.db import connection
from django.utils import timezone

from tests.migrations.support import migrate, migrate_to_latest, seed_demo

pytestmark = pytest.mark.django_db(transaction=True)

BEFORE = [("intake", "0011_follow_up_packets")]


def test_old_outcomes_are_kept_and_marked_as_recorded_before_the_rules(settings):
    from accounts.roles import Role
    from intake.models import Intake, RedFlagAlert
    from tests.factories import UserFactory

    settings.DEBUG = True
    seed_demo(patients=12)
    therapist = UserFactory(roles=[Role.THERAPIST])
    intake = Intake.objects.first_visit().first()
    made = {}
    for level, outcome in (
        ("EMERGENCY", "emergency_referral"),
        ("URGENT", "urgent_referral"),
        ("EMERGENCY", "urgent_referral"),  # the old form offered every outcome at any level
        ("URGENT", ""),  # still open
    ):
        made[(level, outcome)] = RedFlagAlert.objects.create(
            intake=intake,
            patient=intake.patient,
            level=level,
            items=["CES-3"],
            summary="before the rules",
            acknowledged_at=timezone.now() if outcome else None,
            acknowledged_by=therapist if outcome else None,
            outcome=outcome,
            action_note="Done." if outcome else "",
        )
    before = {a.pk: (a.outcome, a.acknowledged_at) for a in RedFlagAlert.objects.all()}
    assert RedFlagAlert.objects.filter(outcome="false_positive").exists()  # the demo's
    try:
        migrate(BEFORE)
        migrate_to_latest()
    finally:
        migrate_to_latest()

    after = {a.pk: (a.outcome, a.acknowledged_at) for a in RedFlagAlert.objects.all()}
    assert after == before
    for alert in RedFlagAlert.objects.all():
        expected = RedFlagAlert.LEGACY_ACTIONS_VERSION if alert.acknowledged_at else ""
        assert alert.actions_version == expected, alert.outcome
    still_open = RedFlagAlert.objects.get(pk=made[("URGENT", "")].pk)
    assert still_open.actions_version == "" and still_open in RedFlagAlert.objects.on_banner()
    # The labels the letters and PDFs print are the same words as before.
    old = RedFlagAlert.objects.get(pk=made[("URGENT", "urgent_referral")].pk)
    assert old.get_outcome_display() == "Urgent (same-day) medical referral arranged"
    with connection.cursor() as cursor:
        indexes = connection.introspection.get_constraints(cursor, "intake_redflagalert")
    assert {"alert_open_idx", "alert_review_idx", "alert_level_raised_idx"} <= indexes.keys()
