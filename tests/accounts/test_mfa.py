"""Two-factor sign-in: who needs it, the code check, enrolment, recovery codes, and what a
session that has passed only the password can reach. Every test signs in through the
real sign-in page (not force_login, which passes the second factor for other tests)."""

import importlib
import re
from base64 import b32decode
from urllib.parse import urlencode

import pytest
from django.test import Client
from django.urls import reverse
from django_otp.oath import totp
from django_otp.plugins.otp_static.models import StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts import mfa
from accounts.roles import Role
from audit.models import AuditEvent
from tests.factories import (
    TEST_PASSWORD,
    UserFactory,
    confirmed_totp_device,
    hand_over_tablet,
    recovery_codes,
    totp_code,
)

pytestmark = pytest.mark.django_db

PATIENTS = "/patients/"


def sign_in(client: Client, username: str, next_url: str = PATIENTS):
    return client.post(
        reverse("accounts:login"),
        {"username": username, "password": TEST_PASSWORD, "next": next_url},
    )


def _step(name: str, next_url: str = PATIENTS) -> str:
    return f"{reverse(name)}?{urlencode({'next': next_url})}"


@pytest.fixture
def no_throttle(settings):
    """django-otp makes a device wait 1, 2, 4... seconds after each wrong code; tests that
    type a wrong code and then a right one at machine speed turn the wait off."""
    settings.OTP_TOTP_THROTTLE_FACTOR = 0
    settings.OTP_STATIC_THROTTLE_FACTOR = 0


@pytest.mark.parametrize("role", [Role.THERAPIST, Role.ADMINISTRATOR])
def test_it_holds_therapists_and_administrators_at_the_second_factor(client, role):
    user = UserFactory(username="pt", roles=[role])
    response = sign_in(client, "pt")
    # No app yet: set one up first.
    assert response.url == _step("accounts:mfa-setup")
    assert client.session["_auth_user_id"] == str(user.pk)
    assert client.get(PATIENTS).url == _step("accounts:mfa-setup")
    client.post(reverse("accounts:logout"))
    confirmed_totp_device(user)
    response = sign_in(client, "pt")
    assert response.url == _step("accounts:mfa-verify")
    assert client.get(PATIENTS).url == _step("accounts:mfa-verify")
    assert client.get(reverse("core:home")).status_code == 302


@pytest.mark.parametrize("front_desk_needs_it", [False, True])
def test_front_desk_needs_it_only_when_the_clinic_turns_it_on(
    client, settings, front_desk, front_desk_needs_it
):
    settings.MFA_FRONT_DESK = front_desk_needs_it
    response = sign_in(client, "frontdesk")
    if front_desk_needs_it:
        assert response.url == _step("accounts:mfa-setup")
        assert client.get(PATIENTS).status_code == 302
    else:
        assert response.url == PATIENTS
        assert client.get(PATIENTS).status_code == 200


def test_a_front_desk_member_who_set_up_an_app_is_asked_for_it(client, front_desk):
    confirmed_totp_device(front_desk)
    assert sign_in(client, "frontdesk").url == _step("accounts:mfa-verify")


def test_a_right_app_code_completes_the_sign_in_and_opens_the_page_asked_for(client, therapist):
    device = confirmed_totp_device(therapist)
    sign_in(client, "therapist")
    key_before = client.session.session_key
    response = client.post(
        reverse("accounts:mfa-verify"), {"code": totp_code(device), "next": PATIENTS}
    )
    assert response.url == PATIENTS
    assert client.get(PATIENTS).status_code == 200
    # The session that gained access to records has a new key.
    assert client.session.session_key != key_before
    event = AuditEvent.objects.get(action=AuditEvent.Action.MFA_VERIFY)
    assert event.actor == therapist and event.details["method"] == "authenticator app"


def test_a_wrong_code_is_refused_with_a_clear_message_and_audited(client, therapist):
    confirmed_totp_device(therapist)
    sign_in(client, "therapist")
    response = client.post(reverse("accounts:mfa-verify"), {"code": "000000", "next": PATIENTS})
    assert response.status_code == 200
    assert "That code is not right" in response.content.decode()
    assert client.get(PATIENTS).url == _step("accounts:mfa-verify")
    failed = AuditEvent.objects.get(action=AuditEvent.Action.LOGIN_FAILED)
    assert failed.actor == therapist
    assert failed.details == {"username": "therapist", "stage": "two-factor code"}
    assert "000000" not in str(failed.details) + failed.summary


def test_an_app_code_works_only_once(therapist, no_throttle):
    device = confirmed_totp_device(therapist)
    first, second = Client(), Client()
    sign_in(first, "therapist")
    sign_in(second, "therapist")
    code = totp_code(device)
    assert first.post(reverse("accounts:mfa-verify"), {"code": code}).status_code == 302
    replay = second.post(reverse("accounts:mfa-verify"), {"code": code})
    assert replay.status_code == 200 and "That code is not right" in replay.content.decode()
    assert second.get(PATIENTS).status_code == 302


def test_a_recovery_code_signs_in_once_and_says_how_many_are_left(client, therapist):
    confirmed_totp_device(therapist)
    recovery_codes(therapist, codes=("abcd2345", "efgh6777"))
    sign_in(client, "therapist")
    # Typed as printed (with the dash) and in capitals: still the code.
    response = client.post(reverse("accounts:mfa-verify"), {"code": " ABCD-2345 "}, follow=True)
    assert response.redirect_chain[0][0] == reverse("core:home")
    assert "You used a recovery code; 1 left" in response.content.decode()
    assert list(StaticToken.objects.values_list("token", flat=True)) == [
        mfa.recovery_digest("efgh6777")
    ]
    client.post(reverse("accounts:logout"))
    sign_in(client, "therapist")
    response = client.post(reverse("accounts:mfa-verify"), {"code": "abcd-2345"})
    assert "That code is not right" in response.content.decode()
    assert client.get(PATIENTS).status_code == 302


def test_recovery_codes_are_stored_only_as_a_digest_keyed_by_the_secret_key(therapist):
    shown = mfa.regenerate_recovery_codes(user=therapist)
    stored = set(StaticToken.objects.values_list("token", flat=True))
    assert len(stored) == 10 and all(len(token) == 16 for token in stored)
    # A copy of the table (a dump, a backup) holds no code...
    assert not stored & {*shown, *(mfa.format_recovery_code(c) for c in shown)}
    # ...and without the key it cannot be checked against guesses.
    other_key = "another-clinic-key-" + "x" * 40
    assert not stored & {mfa.recovery_digest(c, key=other_key) for c in shown}
    assert stored == {mfa.recovery_digest(c) for c in shown}


def test_recovery_codes_made_before_a_key_change_need_the_old_key_as_a_fallback(
    client, therapist, settings, no_throttle
):
    confirmed_totp_device(therapist)
    recovery_codes(therapist, codes=("abcd2345", "efgh6777"))
    old_key = settings.SECRET_KEY
    settings.SECRET_KEY = "the-clinic-changed-its-key-" + "y" * 40
    sign_in(client, "therapist")
    refused = client.post(reverse("accounts:mfa-verify"), {"code": "abcd-2345"})
    assert "That code is not right" in refused.content.decode()

    settings.SECRET_KEY_FALLBACKS = [old_key]
    response = client.post(reverse("accounts:mfa-verify"), {"code": "abcd-2345"})
    assert response.status_code == 302 and client.get(PATIENTS).status_code == 200
    # Used once: the old-key digest is gone, the other code is still there.
    assert list(StaticToken.objects.values_list("token", flat=True)) == [
        mfa.recovery_digest("efgh6777", key=old_key)
    ]


def test_the_migration_replaces_plain_recovery_codes_with_their_digest(therapist):
    from django.apps import apps

    migration = importlib.import_module("accounts.migrations.0004_hash_recovery_codes")
    device = recovery_codes(therapist, codes=("efgh6777",))
    StaticToken.objects.create(device=device, token="abcd2345")  # as stored before
    migration.hash_plain_codes(apps, None)
    assert sorted(StaticToken.objects.values_list("token", flat=True)) == sorted(
        [mfa.recovery_digest("abcd2345"), mfa.recovery_digest("efgh6777")]
    )


def test_a_device_waiting_after_wrong_codes_asks_for_patience_without_counting(client, therapist):
    from axes.models import AccessAttempt

    confirmed_totp_device(therapist)
    sign_in(client, "therapist")
    client.post(reverse("accounts:mfa-verify"), {"code": "000000"})
    response = client.post(reverse("accounts:mfa-verify"), {"code": "111111"})
    assert re.search(r"Too soon after a wrong code: wait \d+ seconds?", response.content.decode())
    # Only the code that was actually checked counts toward the lockout.
    assert AccessAttempt.objects.get(username="therapist").failures_since_start == 1


def _secret_on(page: str) -> bytes:
    match = re.search(r'data-testid="totp-secret">([A-Z2-7 ]+)<', page)
    assert match, "the setup page shows the key for typing in"
    secret = match.group(1).replace(" ", "")
    return b32decode(secret + "=" * (-len(secret) % 8))


def test_setting_up_an_app_shows_a_qr_code_and_the_key_then_the_recovery_codes_once(
    client, therapist, no_throttle
):
    sign_in(client, "therapist")
    page = client.get(_step("accounts:mfa-setup")).content.decode()
    qr = r'<img class="mfa-qr[^"]*" src="data:image/svg\+xml;base64,[A-Za-z0-9+/=]+"'
    assert re.search(qr, page)
    key = _secret_on(page)
    # A reload keeps the secret the phone may already have scanned.
    assert _secret_on(client.get(reverse("accounts:mfa-setup")).content.decode()) == key
    wrong = client.post(reverse("accounts:mfa-setup"), {"code": "12345"})
    assert "That code did not match" in wrong.content.decode()
    assert not mfa.has_two_factor(therapist)

    code = f"{totp(key):06d}"
    response = client.post(reverse("accounts:mfa-setup"), {"code": code, "next": PATIENTS})
    assert response.url == _step("accounts:mfa-recovery-codes")
    assert TOTPDevice.objects.get(user=therapist).confirmed
    page = client.get(response.url).content.decode()
    shown = re.findall(r"<li><code>([a-z2-7]{4}-[a-z2-7]{4})</code></li>", page)
    assert len(shown) == 10 and len(set(shown)) == 10
    assert 'href="/patients/"' in page
    # Shown once: the page now offers new codes instead.
    again = client.get(reverse("accounts:mfa-recovery-codes")).content.decode()
    assert "<li><code>" not in again and "You have 10 recovery codes left" in again
    # The session passed the second factor by setting it up.
    assert client.get(PATIENTS).status_code == 200
    assert AuditEvent.objects.filter(action=AuditEvent.Action.MFA_ENROL, actor=therapist).exists()

    # And a shown recovery code is a way in.
    client.post(reverse("accounts:logout"))
    sign_in(client, "therapist")
    assert client.post(reverse("accounts:mfa-verify"), {"code": shown[3]}).status_code == 302
    assert client.get(PATIENTS).status_code == 200


def test_the_issuer_in_the_qr_code_is_the_clinic_name(therapist):
    from core.models import Clinic

    clinic = Clinic.objects.current()
    clinic.name = "Riverside Nerve Clinic"
    clinic.save()
    device = mfa.pending_app_device(therapist)
    assert device.config_url.startswith("otpauth://totp/Riverside%20Nerve%20Clinic%3Atherapist?")
    assert "issuer=Riverside%20Nerve%20Clinic" in device.config_url


def test_a_password_only_session_cannot_replace_the_app(client, therapist):
    confirmed_totp_device(therapist)
    sign_in(client, "therapist")
    response = client.get(reverse("accounts:mfa-setup"))
    assert response.url == f"{reverse('accounts:mfa-verify')}?next=%2F"
    assert client.get(reverse("accounts:mfa-recovery-codes")).url.startswith(
        reverse("accounts:mfa-verify")
    )
    assert TOTPDevice.objects.filter(user=therapist).count() == 1


def test_a_password_only_session_reaches_only_the_two_factor_pages(client, therapist):
    confirmed_totp_device(therapist)
    sign_in(client, "therapist")
    for url in (reverse("core:home"), PATIENTS, reverse("intake:queue"), "/django-admin/"):
        assert client.get(url).url == _step("accounts:mfa-verify", url), url
    # Forms posted elsewhere go nowhere either.
    assert client.post(reverse("intake:queue")).url == reverse("accounts:mfa-verify")
    # htmx is told where to go; a background poll gets nothing and no redirect to chase.
    swap = client.get(PATIENTS, headers={"HX-Request": "true"})
    assert swap.status_code == 204 and swap["HX-Redirect"] == reverse("accounts:mfa-verify")
    poll = client.get(reverse("intake:alerts-banner"), headers={"X-Background-Poll": "1"})
    assert poll.status_code == 204 and "HX-Redirect" not in poll
    assert client.get(reverse("healthz")).status_code in (200, 503)
    assert client.get(reverse("accounts:mfa-verify")).status_code == 200
    assert client.post(reverse("accounts:logout")).status_code == 302
    assert "_auth_user_id" not in client.session


def test_a_therapist_taking_the_tablet_back_still_gives_the_second_factor(
    front_desk_client, therapist, patient
):
    """The kiosk's staff unlock checks a password or PIN: for a role that needs the second
    factor, that is not yet a way to the records."""
    from intake.models import Intake

    confirmed_totp_device(therapist)
    front_desk_client.post(reverse("intake:start", args=[patient.public_id]))
    intake = Intake.objects.get(patient=patient)
    tablet = hand_over_tablet(front_desk_client, intake=intake, by=intake.started_by)
    response = tablet.post(
        reverse("kiosk:exit"), {"username": "therapist", "secret": TEST_PASSWORD}
    )
    assert response.status_code == 302
    assert tablet.get(response.url).url.startswith(reverse("accounts:mfa-verify"))
    # Nor is the therapist's PIN: a PIN is the password's stand-in, never the second factor.
    therapist.set_kiosk_pin("97531")
    therapist.save()
    tablet.post(reverse("accounts:logout"))
    tablet.force_login(intake.started_by)
    tablet.post(reverse("intake:kiosk-open", args=[intake.public_id]))
    response = tablet.post(reverse("kiosk:exit"), {"username": "therapist", "secret": "97531"})
    assert tablet.get(response.url).url.startswith(reverse("accounts:mfa-verify"))


def test_new_recovery_codes_need_the_password_and_replace_the_old_ones(therapist_client, therapist):
    recovery_codes(therapist, codes=("abcd2345",))
    url = reverse("accounts:mfa-recovery-codes")
    page = therapist_client.get(url).content.decode()
    assert "You have 1 recovery code left" in page
    wrong = therapist_client.post(url, {"password": "not-my-password"})
    assert "That password is not right" in wrong.content.decode()
    assert list(StaticToken.objects.values_list("token", flat=True)) == [
        mfa.recovery_digest("abcd2345")
    ]
    response = therapist_client.post(url, {"password": TEST_PASSWORD})
    assert response.url == f"{url}?next=%2F"
    page = therapist_client.get(response.url).content.decode()
    shown = re.findall(r"<li><code>([a-z2-7]{4})-([a-z2-7]{4})</code></li>", page)
    assert sorted(mfa.recovery_digest(a + b) for a, b in shown) == sorted(
        StaticToken.objects.values_list("token", flat=True)
    )
    assert len(shown) == 10
    assert mfa.recovery_digest("abcd2345") not in StaticToken.objects.values_list(
        "token", flat=True
    )
    assert AuditEvent.objects.filter(action=AuditEvent.Action.MFA_CODES, actor=therapist).exists()
    assert "data-print" in page and "js/mfa.js" in page


def test_signing_out_tells_the_browser_to_forget_the_site(therapist_client):
    response = therapist_client.post(reverse("accounts:logout"))
    assert response.url == f"{reverse('accounts:login')}?signed_out=1"
    assert response["Clear-Site-Data"] == '"cache", "cookies", "storage"'
    assert "_auth_user_id" not in therapist_client.session
    page = therapist_client.get(response.url).content.decode()
    assert "You are signed out." in page
    # Storage is cleared from a static script too (no inline script under the CSP).
    assert '<script src="/static/js/signed-out.js" defer></script>' in page


@pytest.mark.parametrize("next_url", ["0", "patients", "https://evil.example/", "//evil.example"])
def test_after_the_password_a_next_that_is_not_our_path_leads_home(client, front_desk, next_url):
    assert sign_in(client, "frontdesk", next_url=next_url).url == reverse("core:home")
