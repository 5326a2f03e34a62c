"""The front desk's follow-up questionnaires: the home page's lists, handing one over by a
link with its QR code or on a clinic tablet, and withdrawing one."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from audit.models import AuditEvent
from intake.models import Intake, IntakeAccess
from tests.factories import EpisodeFactory, PatientFactory, enrol_tablet

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate


def _packet(*, due_in_days=0, status=Intake.Status.SCHEDULED, purpose="reevaluation", **kw):
    patient = kw.pop("patient", None) or PatientFactory()
    episode = EpisodeFactory(patient=patient)
    now = timezone.now()
    return Intake.objects.create(
        patient=patient,
        episode=episode,
        kind=Intake.Kind.FOLLOW_UP,
        purpose=purpose,
        due_on=TODAY() + datetime.timedelta(days=due_in_days),
        status=status,
        submitted_at=now if status == Intake.Status.SUBMITTED else None,
        **kw,
    )


def _section(html: str, key: str) -> str:
    start = html.index(f'id="followups-{key}"')
    return html[start : html.index("</h3>", start) + 2000]


def test_the_front_desks_home_lists_packets_due_today_overdue_and_completed(front_desk_client):
    due = _packet(due_in_days=0)
    late = _packet(due_in_days=-4)
    done = _packet(due_in_days=-1, status=Intake.Status.SUBMITTED)
    later = _packet(due_in_days=5)
    html = front_desk_client.get(reverse("core:home")).content.decode()
    assert 'data-testid="followups-home"' in html
    assert due.patient.family_name in _section(html, "due")
    assert late.patient.family_name in _section(html, "overdue")
    assert "4\xa0days overdue" in html
    assert done.patient.family_name in _section(html, "completed")
    assert later.patient.family_name not in html  # not due yet: on the full list only
    event = AuditEvent.objects.filter(summary="Viewed home worklist").latest("at")
    assert {due.patient.mrn, late.patient.mrn, done.patient.mrn} <= set(event.details["shown"])


def test_the_home_page_reads_the_packets_in_the_same_queries_however_many(
    front_desk_client, django_assert_max_num_queries
):
    _packet()
    front_desk_client.get(reverse("core:home"))  # warm the session and clinic rows
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as one:
        front_desk_client.get(reverse("core:home"))
    for n in range(5):
        _packet(due_in_days=-n)
        _packet(due_in_days=-n, status=Intake.Status.SUBMITTED)
    with CaptureQueriesContext(connection) as many:
        front_desk_client.get(reverse("core:home"))
    assert len(many) == len(one)


def test_create_link_opens_a_due_packet_and_shows_the_link_with_a_qr_code_once(
    front_desk_client, front_desk
):
    packet = _packet()
    response = front_desk_client.post(reverse("intake:link-create", args=[packet.public_id]))
    assert response.status_code == 200
    html = response.content.decode()
    assert (
        'data-testid="link-qr"' in html
        and "<svg" in html
        and "QR code of the one-time link" in html
    )
    packet.refresh_from_db()
    assert packet.status == "in_progress" and packet.started_by == front_desk
    access = IntakeAccess.objects.get(intake=packet)
    assert access.kind == "link" and access.used_at is None
    summaries = set(
        AuditEvent.objects.filter(patient=packet.patient).values_list("summary", flat=True)
    )
    assert "Created a one-time questionnaire link" in summaries
    lifetime = access.expires_at - access.created_at
    assert abs(lifetime - datetime.timedelta(days=7)) < datetime.timedelta(seconds=5)
    assert any(s.startswith("Opened the follow-up questionnaire") for s in summaries)


def test_start_on_tablet_opens_the_packet_on_an_enrolled_tablet(front_desk_client, front_desk):
    packet = _packet()
    enrol_tablet(front_desk_client, by=front_desk)
    response = front_desk_client.post(reverse("intake:kiosk-open", args=[packet.public_id]))
    assert response.status_code == 302 and response.url == reverse("kiosk:resume")
    packet.refresh_from_db()
    assert packet.status == "in_progress"


def test_start_on_a_device_that_is_not_a_tablet_goes_to_the_hand_over_page(front_desk_client):
    packet = _packet()
    response = front_desk_client.post(reverse("intake:kiosk-open", args=[packet.public_id]))
    assert response.url == reverse("intake:handover", args=[packet.public_id])
    page = front_desk_client.get(response.url).content.decode()
    assert "Follow-up questionnaire for" in page and "Create link" in page
    packet.refresh_from_db()
    assert packet.status == "scheduled"  # nothing handed over


def test_an_answered_packet_cannot_be_handed_over_again(front_desk_client):
    packet = _packet(status=Intake.Status.SUBMITTED)
    response = front_desk_client.post(reverse("intake:link-create", args=[packet.public_id]))
    assert response.status_code == 302
    assert not IntakeAccess.objects.filter(intake=packet).exists()


def test_withdrawing_needs_a_reason_and_ends_any_open_link(front_desk_client):
    packet = _packet()
    front_desk_client.post(reverse("intake:link-create", args=[packet.public_id]))
    url = reverse("intake:packet-cancel", args=[packet.public_id])
    response = front_desk_client.post(url, {"reason": ""}, follow=True)
    assert "Say why the questionnaire is withdrawn." in response.content.decode()
    packet.refresh_from_db()
    assert packet.status == "in_progress"
    front_desk_client.post(url, {"reason": "Patient declined", "show": "due"})
    packet.refresh_from_db()
    assert packet.status == "cancelled"
    assert IntakeAccess.objects.get(intake=packet).revoked_at is not None
    listed = front_desk_client.get(reverse("intake:packets")).content.decode()
    assert str(packet.public_id) not in listed


def test_the_full_list_shows_each_list_and_is_audited(front_desk_client):
    later = _packet(due_in_days=6)
    html = front_desk_client.get(reverse("intake:packets") + "?show=upcoming").content.decode()
    assert later.patient.family_name in html
    assert AuditEvent.objects.filter(
        summary="Viewed follow-up questionnaires: due in the next 2 weeks"
    ).exists()
    assert front_desk_client.get(reverse("intake:packets") + "?show=nonsense").status_code == 200


def test_it_refuses_the_packet_pages_to_staff_without_the_front_desks_permission(
    no_role_user, client
):
    packet = _packet()
    client.force_login(no_role_user)
    assert client.get(reverse("intake:packets")).status_code == 403
    cancel = reverse("intake:packet-cancel", args=[packet.public_id])
    assert client.post(cancel, {"reason": "x"}).status_code == 403
    packet.refresh_from_db()
    assert packet.status == "scheduled"


def test_the_front_desk_sees_a_packets_progress_not_its_answers(front_desk_client):
    packet = _packet(status=Intake.Status.IN_PROGRESS)
    packet.answers = {"pain": {"nprs_back_now": 7, "nprs_leg_now": 8}}
    packet.save()
    page = front_desk_client.get(reverse("intake:detail", args=[packet.public_id])).content.decode()
    assert "Follow-up questionnaire:" in page and "before the re-evaluation, due" in page
    # Pain, change and red flags: no activities screen, as the episode has no first visit.
    assert "1 of 3" in page
    assert "Consent" not in page
    assert ">7<" not in page
