import re
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from audit.models import AuditEvent
from core.models import WorkerHeartbeat
from evaluations.models import Evaluation
from tests.factories import EvaluationFactory, IntakeFactory

pytestmark = pytest.mark.django_db


def test_front_desk_sees_todays_intakes(front_desk_client, patient):
    IntakeFactory(patient=patient, status="in_progress", submitted_at=None)
    response = front_desk_client.get(reverse("core:home"))
    content = response.content.decode()
    assert 'data-testid="frontdesk-home"' in content
    assert patient.mrn in content
    assert 'data-testid="therapist-home"' not in content
    assert 'data-testid="admin-home"' not in content


def test_front_desk_does_not_see_yesterdays_intakes(front_desk_client, patient):
    IntakeFactory(patient=patient, started_at=timezone.now() - timezone.timedelta(days=1))
    assert patient.mrn not in front_desk_client.get(reverse("core:home")).content.decode()


def test_therapist_sees_patients_awaiting_evaluation_and_own_drafts(therapist_client, therapist):
    waiting = IntakeFactory()
    evaluated = IntakeFactory()
    EvaluationFactory(patient=evaluated.patient, intake=evaluated, therapist=therapist)
    content = therapist_client.get(reverse("core:home")).content.decode()
    assert 'data-testid="therapist-home"' in content
    awaiting_section = content.split("My draft evaluations")[0]
    assert waiting.patient.mrn in awaiting_section
    assert evaluated.patient.mrn not in awaiting_section
    assert evaluated.patient.family_name in content.split("My draft evaluations")[1]


def test_administrator_sees_staff_reports_and_recent_activity(admin_client_):
    content = admin_client_.get(reverse("core:home")).content.decode()
    assert 'data-testid="admin-home"' in content
    assert "Manage staff" in content
    assert 'data-testid="worker-status"' in content


def test_a_user_without_a_role_is_told_to_ask_for_one(client, no_role_user):
    client.force_login(no_role_user)
    assert 'data-testid="no-role"' in client.get(reverse("core:home")).content.decode()


def test_the_worklist_view_is_audited_with_the_patients_shown(front_desk_client, patient):
    IntakeFactory(patient=patient)
    front_desk_client.get(reverse("core:home"))
    event = AuditEvent.objects.get(summary="Viewed home worklist")
    assert event.details["shown"] == [patient.mrn]


@pytest.mark.parametrize(
    "client_fixture", ["front_desk_client", "therapist_client", "admin_client_"]
)
def test_home_keeps_a_fixed_number_of_queries(request, client_fixture, django_assert_num_queries):
    client = request.getfixturevalue(client_fixture)
    user = client.session["_auth_user_id"]
    from accounts.models import User

    therapist = User.objects.get(pk=user)
    IntakeFactory()
    client.get(reverse("core:home"))
    with django_assert_num_queries(20, exact=False) as few:
        client.get(reverse("core:home"))
    for _ in range(5):
        IntakeFactory()
        intake = IntakeFactory()
        EvaluationFactory(
            patient=intake.patient,
            intake=intake,
            therapist=therapist,
            status=Evaluation.Status.DRAFT,
        )
    with django_assert_num_queries(len(few.captured_queries)):
        client.get(reverse("core:home"))


def _worker_warning(content: str) -> str | None:
    match = re.search(r'<div[^>]*data-testid="worker-warning"[^>]*>(.*?)</div>', content, re.S)
    # Its text, tags dropped and spaces (timesince's non-breaking ones too) made plain.
    return " ".join(re.sub(r"<[^>]+>", "", match.group(1)).split()) if match else None


def test_administrator_is_warned_when_no_worker_has_ever_been_seen(admin_client_, settings):
    settings.CELERY_TASK_ALWAYS_EAGER = False
    assert not WorkerHeartbeat.objects.exists()
    warning = _worker_warning(admin_client_.get(reverse("core:home")).content.decode())
    assert warning is not None, "no warning with no worker heartbeat ever recorded"
    assert "No background worker has been seen" in warning
    assert "PDFs and batch exports wait" in warning


def test_administrator_is_warned_when_the_worker_heartbeat_is_stale(admin_client_, settings):
    settings.CELERY_TASK_ALWAYS_EAGER = False
    WorkerHeartbeat.objects.create(
        hostname="worker-1", last_seen=timezone.now() - timedelta(minutes=10)
    )
    warning = _worker_warning(admin_client_.get(reverse("core:home")).content.decode())
    assert warning is not None, "no warning with a heartbeat ten minutes old"
    assert "The background worker was last seen 10 minutes ago" in warning


def test_administrator_sees_no_worker_warning_with_a_fresh_heartbeat(admin_client_, settings):
    settings.CELERY_TASK_ALWAYS_EAGER = False
    WorkerHeartbeat.objects.create(
        hostname="old-container", last_seen=timezone.now() - timedelta(hours=5)
    )
    WorkerHeartbeat.objects.create(hostname="worker-1", last_seen=timezone.now())
    content = admin_client_.get(reverse("core:home")).content.decode()
    assert _worker_warning(content) is None
    assert "worker running" in content


def test_administrator_sees_no_worker_warning_without_a_broker(admin_client_, settings):
    # No broker configured (make run): jobs run in the web process, no worker is expected.
    settings.CELERY_TASK_ALWAYS_EAGER = True
    content = admin_client_.get(reverse("core:home")).content.decode()
    assert _worker_warning(content) is None
    assert "run in-process" in content


def test_only_administrators_see_the_worker_warning(therapist_client, settings):
    settings.CELERY_TASK_ALWAYS_EAGER = False
    content = therapist_client.get(reverse("core:home")).content.decode()
    assert _worker_warning(content) is None
