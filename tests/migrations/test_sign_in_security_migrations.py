"""Issue 15's migrations (tablets, password changes and account notices, new audit
actions) over a copy of the demo data: nothing is lost, nobody is forced to change a
password they chose, and the roles gain the tablet permissions."""

import pytest
from django.contrib.auth.models import Group

from accounts.models import User
from accounts.roles import Role
from audit.models import AuditEvent
from evaluations.models import Evaluation
from intake.models import Intake, IntakeAccess
from patients.models import Patient
from tests.migrations.support import migrate, migrate_to_latest, seed_demo

pytestmark = pytest.mark.django_db(transaction=True)

BEFORE = [
    ("accounts", "0004_hash_recovery_codes"),
    ("intake", "0004_evaluation_record"),
    ("audit", "0006_no_truncate_trigger"),
]


def _counts() -> dict[str, int]:
    return {
        model.__name__: model.objects.count()
        for model in (User, Patient, IntakeAccess, Evaluation, AuditEvent)
    }


def test_the_demo_data_survives_the_migrations_and_gains_the_tablet_permissions(settings):
    settings.DEBUG = True
    seed_demo()
    before = _counts()
    intakes = set(Intake.objects.values_list("pk", flat=True))
    try:
        migrate(BEFORE)
        migrate_to_latest()
    finally:
        migrate_to_latest()
    assert _counts() == before
    # Every intake is still there; the only new rows are the follow-up questionnaires
    # intake.0013 books for open episodes.
    assert intakes <= set(Intake.objects.values_list("pk", flat=True))
    assert not (
        Intake.objects.exclude(pk__in=intakes).exclude(kind="follow_up", status="scheduled").exists()
    )
    assert not User.objects.filter(must_change_password=True).exists()
    desk = set(
        Group.objects.get(name=Role.FRONT_DESK.value).permissions.values_list(
            "codename", flat=True
        )
    )
    admin = set(
        Group.objects.get(name=Role.ADMINISTRATOR.value).permissions.values_list(
            "codename", flat=True
        )
    )
    assert "add_clinictablet" in desk and "change_clinictablet" not in desk
    assert {"add_clinictablet", "view_clinictablet", "change_clinictablet"} <= admin
    # Kiosk hand-overs made before tablets existed name none: they can never be unlocked,
    # so their sessions end (intake.patient_session) rather than keep an unlock anywhere.
    assert not IntakeAccess.objects.filter(tablet__isnull=False).exists()

