"""Staff read a submitted packet on the intake page: its own title, due date, screens and
scores; the front desk sees only that it is done."""

import pytest
from django.urls import reverse

from audit.models import AuditEvent
from tests.intake.followup.conftest import fill, send

pytestmark = pytest.mark.django_db


@pytest.fixture
def sent(phone, packet):
    fill(phone, ["pain", "psfs", "change", "redflags"])
    send(phone)
    return packet


def test_a_therapist_reads_the_packets_screens_and_scores(therapist_client, sent):
    page = therapist_client.get(reverse("intake:detail", args=[sent.public_id])).content.decode()
    assert "Follow-up questionnaire: Before the re-evaluation" in page
    assert f"due {sent.due_on:%-d %b %Y}" in page
    assert "patient-reported on" in page
    assert "Back pain now (NPRS 0-10)" in page and "Leg pain now (NPRS 0-10)" in page
    assert "Global rating of change (-3 to +3)" in page and "+2 (Better)" in page
    assert "Patient-Specific Functional Scale" in page and "Walking the dog 7/10" in page
    assert "Not asked: not licensed on this installation" in page  # no ODI pack
    assert "Since you started treatment here" in page
    assert "Important questions" in page
    # Not the intake's: no body chart, consent, pattern or corrections here.
    for absent in ("Body chart", "Provisional pattern", "Consent", "/amend/"):
        assert absent not in page, absent
    assert AuditEvent.objects.filter(
        summary="Viewed follow-up questionnaire", patient=sent.patient
    ).exists()


def test_the_page_lists_what_the_first_visit_alone_fires_apart(
    therapist_client, front_desk, clinic
):
    from tests.factories import PatientFactory
    from tests.intake.followup.conftest import make_baseline, make_packet, open_link

    packet = make_packet(make_baseline(PatientFactory(), history={"HX-CANCER": "yes"}))
    phone = open_link(packet, by=front_desk)
    fill(phone, ["pain", "psfs", "change", "redflags"])
    send(phone)
    page = therapist_client.get(reverse("intake:detail", args=[packet.public_id])).content.decode()
    assert 'data-testid="baseline-hits"' in page
    assert "History of cancer with new back pain" in page
    assert "not yet approved by a clinician" in page


def test_the_front_desk_sees_no_answers(front_desk_client, sent):
    page = front_desk_client.get(reverse("intake:detail", args=[sent.public_id])).content.decode()
    assert "Walking the dog" not in page and "Better" not in page


def test_the_packet_page_makes_a_fixed_number_of_queries(
    therapist_client, sent, django_assert_num_queries
):
    url = reverse("intake:detail", args=[sent.public_id])
    therapist_client.get(url)
    with django_assert_num_queries(13):  # as the intake's summary (test_staff_side)
        therapist_client.get(url)
