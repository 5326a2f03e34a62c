"""The demo's therapists and administrator have fixed authenticator apps, and `demo_codes`
prints the code to sign in with (DEBUG only)."""

import io
import re

import pytest
from django.core.management import CommandError, call_command
from django.test import Client
from django.urls import reverse
from django_otp.plugins.otp_totp.models import TOTPDevice

from core.demo import DEMO_PASSWORD

pytestmark = pytest.mark.django_db


@pytest.fixture
def demo(settings):
    settings.DEBUG = True
    call_command("seed_demo", "--patients", "2", stdout=io.StringIO())


def test_seed_demo_sets_up_apps_for_the_therapists_and_the_administrator(demo):
    with_app = set(
        TOTPDevice.objects.filter(confirmed=True).values_list("user__username", flat=True)
    )
    assert with_app == {"therapist", "therapist2", "admin"}
    # Idempotent, and a demo database from before two-factor sign-in gets them too.
    TOTPDevice.objects.filter(user__username="admin").delete()
    call_command("seed_demo", stdout=io.StringIO())
    assert TOTPDevice.objects.filter(confirmed=True).count() == 3


def test_demo_codes_prints_a_code_that_signs_the_demo_therapist_in(demo):
    out = io.StringIO()
    call_command("demo_codes", stdout=out)
    printed = dict(re.findall(r"^(\w+)\s+(\d{6})\s", out.getvalue(), re.MULTILINE))
    assert set(printed) == {"therapist", "therapist2", "admin"}
    client = Client()
    response = client.post(
        reverse("accounts:login"), {"username": "therapist", "password": DEMO_PASSWORD}
    )
    assert response.url.startswith(reverse("accounts:mfa-verify"))
    response = client.post(reverse("accounts:mfa-verify"), {"code": printed["therapist"]})
    assert response.status_code == 302
    assert client.get(reverse("patients:list")).status_code == 200


def test_demo_codes_refuses_with_debug_off(demo, settings):
    settings.DEBUG = False
    with pytest.raises(CommandError, match="DEBUG off"):
        call_command("demo_codes", stdout=io.StringIO())
