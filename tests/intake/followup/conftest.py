"""A follow-up packet and its baseline, for the packet's tests: the episode's submitted
first-visit intake (with the patient's PSFS activities and health history) and a packet in
progress in the same episode, on the clinic's tablet or by a one-time link."""

import datetime

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from core.models import Clinic
from intake import services
from intake.models import Intake, IntakeAccess
from patients.models import Patient
from tests.factories import IntakeFactory, hand_over_tablet
from tests.intake.followup.answers import CLINIC_PHONE, DOB, EMERGENCY, POSTS, baseline_answers


@pytest.fixture
def clinic(db):
    clinic = Clinic.objects.current()
    clinic.phone = CLINIC_PHONE
    clinic.emergency_number = EMERGENCY
    clinic.save()
    return clinic


def make_baseline(patient, **answers) -> Intake:
    Patient.objects.filter(pk=patient.pk).update(date_of_birth=DOB)
    patient.refresh_from_db()
    return IntakeFactory(
        patient=patient,
        answers=baseline_answers(**answers),
        submitted_at=timezone.now() - datetime.timedelta(days=30),
    )


def make_packet(baseline: Intake, **fields) -> Intake:
    """A packet of the baseline's episode, handed over (in progress) unless told."""
    values = {
        "patient": baseline.patient,
        "episode": baseline.episode,
        "kind": Intake.Kind.FOLLOW_UP,
        "purpose": Intake.Purpose.REEVALUATION,
        "due_on": timezone.localdate(),
        "status": Intake.Status.IN_PROGRESS,
        **fields,
    }
    return Intake.objects.create(**values)


@pytest.fixture
def baseline(patient, clinic):
    return make_baseline(patient)


@pytest.fixture
def packet(baseline):
    return make_packet(baseline)


@pytest.fixture
def tablet(front_desk_client, front_desk, packet):
    """The clinic's tablet, handed to the patient for the packet by the front desk."""
    hand_over_tablet(front_desk_client, intake=packet, by=front_desk)
    front_desk_client.packet = packet
    return front_desk_client


def open_link(packet: Intake, *, by) -> Client:
    """The patient's own phone, after opening the packet's link and giving their DOB."""
    _access, token = services.intake_link_create(intake=packet, by=by)
    phone = Client()
    response = phone.post(reverse("kiosk:link", args=[token]), {"date_of_birth": DOB.isoformat()})
    assert response.status_code == 302 and response.url == reverse("kiosk:resume"), response
    assert IntakeAccess.objects.get(intake=packet, kind="link").used_at is not None
    phone.packet = packet
    return phone


@pytest.fixture
def phone(packet, front_desk):
    return open_link(packet, by=front_desk)


def fill(client, steps, posts=None) -> None:
    """Answer `steps` with Next, as the patient does."""
    posts = {**POSTS, **(posts or {})}
    for step in steps:
        response = client.post(reverse("kiosk:step", args=[step]), {**posts[step], "nav": "next"})
        assert response.status_code == 302, (step, response.content.decode()[:3000])


def send(client):
    return client.post(
        reverse("kiosk:submit"), {"submission_id": "0b8c2f5e-6a44-4f7e-9d1a-3c5e7f9a1b2d"}
    )
