"""Sign-in lockout (django-axes), keyed on username AND address: the clinic's tablets share
one address. Wrong two-factor codes, wrong passwords when signing an evaluation and at the
kiosk's staff unlock count toward it. Administrators unlock and reset two-factor."""

import re
from datetime import timedelta

import pytest
from axes.models import AccessAttempt
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts.roles import Role
from audit.models import AuditEvent
from tests.factories import (
    TEST_PASSWORD,
    EvaluationFactory,
    UserFactory,
    confirmed_totp_device,
    hand_over_tablet,
    recovery_codes,
)

pytestmark = pytest.mark.django_db

TABLET = "10.20.0.7"  # every tablet in the clinic, behind one router
WRONG = "wrong-password"


def attempt(client: Client, username: str, password: str = WRONG, ip: str = TABLET):
    return client.post(
        reverse("accounts:login"),
        {"username": username, "password": password},
        REMOTE_ADDR=ip,
    )


def lock(username: str, ip: str = TABLET):
    client = Client()
    responses = [attempt(client, username, ip=ip) for _ in range(5)]
    assert [r.status_code for r in responses] == [200, 200, 200, 200, 429]
    return responses[-1]


def test_it_locks_a_username_on_one_address_after_five_failures(client, front_desk):
    page = lock("frontdesk").content.decode()
    assert "Sign-in paused" in page and "ask a clinic administrator" in page.lower()
    # The right password no longer works from there, and nobody is signed in.
    response = attempt(client, "frontdesk", TEST_PASSWORD)
    assert response.status_code == 429
    assert "_auth_user_id" not in client.session
    lockouts = AuditEvent.objects.filter(action=AuditEvent.Action.LOCKOUT)
    assert lockouts.count() == 1
    assert lockouts.get().details["username"] == "frontdesk"
    assert lockouts.get().details["failures"] == 5


def test_a_colleague_on_the_same_tablet_and_the_same_person_elsewhere_still_sign_in(
    front_desk,
):
    UserFactory(username="frontdesk2", roles=[Role.FRONT_DESK])
    lock("frontdesk")
    colleague = Client()
    assert attempt(colleague, "frontdesk2", TEST_PASSWORD).status_code == 302
    assert colleague.get(reverse("core:home")).status_code == 200
    at_home = Client()
    assert attempt(at_home, "frontdesk", TEST_PASSWORD, ip="192.0.2.44").status_code == 302


def test_the_locked_page_is_the_same_for_a_username_that_does_not_exist(front_desk):
    def page(response) -> str:
        # Each page carries its own CSRF token; nothing else may differ.
        return re.sub(r'"X-CSRFToken": "[^"]+"', "", response.content.decode())

    real = lock("frontdesk")
    made_up = lock("nobody-by-this-name")
    assert real.status_code == made_up.status_code == 429
    assert page(real) == page(made_up)
    assert "frontdesk" not in page(real)


def test_the_page_says_when_to_try_again_and_the_lock_ends_after_the_cool_off(
    client, front_desk, settings
):
    settings.TIME_ZONE = "UTC"
    page = lock("frontdesk").content.decode()
    last = AccessAttempt.objects.get(username="frontdesk").attempt_time
    until = timezone.localtime(last + timedelta(minutes=15))
    assert f"<strong>{until:%H:%M}</strong>" in page and "about 15 minutes" in page
    AccessAttempt.objects.update(attempt_time=timezone.now() - timedelta(minutes=16))
    assert attempt(client, "frontdesk", TEST_PASSWORD).status_code == 302


def test_a_complete_sign_in_clears_earlier_failures(client, front_desk, therapist):
    for _ in range(4):
        attempt(Client(), "frontdesk")
    assert attempt(client, "frontdesk", TEST_PASSWORD).status_code == 302
    assert not AccessAttempt.objects.filter(username="frontdesk").exists()
    # For a second-factor role the password alone is not a complete sign-in: someone who
    # knows it must not be able to wipe the count and keep guessing codes.
    confirmed_totp_device(therapist)
    for _ in range(4):
        attempt(Client(), "therapist")
    attempt(Client(), "therapist", TEST_PASSWORD)
    assert AccessAttempt.objects.get(username="therapist").failures_since_start == 4


def test_wrong_two_factor_codes_lock_out_and_end_the_session(client, therapist, settings):
    settings.OTP_TOTP_THROTTLE_FACTOR = 0
    confirmed_totp_device(therapist)
    attempt(client, "therapist", TEST_PASSWORD)
    codes = [
        client.post(reverse("accounts:mfa-verify"), {"code": f"00000{n}"}, REMOTE_ADDR=TABLET)
        for n in range(5)
    ]
    assert [r.status_code for r in codes] == [200, 200, 200, 200, 429]
    assert "Sign-in paused" in codes[-1].content.decode()
    assert "_auth_user_id" not in client.session
    assert attempt(client, "therapist", TEST_PASSWORD).status_code == 429
    stages = set(
        AuditEvent.objects.filter(action=AuditEvent.Action.LOGIN_FAILED).values_list(
            "details__stage", flat=True
        )
    )
    assert stages == {"two-factor code", None}  # the codes, then the refused password


def test_wrong_recovery_codes_count_too(client, therapist, settings):
    settings.OTP_STATIC_THROTTLE_FACTOR = 0
    confirmed_totp_device(therapist)
    recovery_codes(therapist)
    attempt(client, "therapist", TEST_PASSWORD)
    for n in range(4):
        client.post(reverse("accounts:mfa-verify"), {"code": f"zzzz-zzz{n}"}, REMOTE_ADDR=TABLET)
    assert AccessAttempt.objects.get(username="therapist").failures_since_start == 4


def test_an_administrator_sees_and_lifts_a_lockout(admin_client_, front_desk, therapist):
    lock("frontdesk")
    confirmed_totp_device(therapist)
    page = admin_client_.get(reverse("accounts:staff-list")).content.decode()
    assert page.count('data-testid="locked"') == 1
    edit = admin_client_.get(reverse("accounts:staff-edit", args=[front_desk.public_id]))
    assert "Unlock now" in edit.content.decode()
    response = admin_client_.post(reverse("accounts:staff-unlock", args=[front_desk.public_id]))
    assert response.url == reverse("accounts:staff-edit", args=[front_desk.public_id])
    assert not AccessAttempt.objects.filter(username="frontdesk").exists()
    event = AuditEvent.objects.get(action=AuditEvent.Action.UNLOCK)
    assert event.object_id == str(front_desk.public_id) and event.details["cleared_attempts"] == 1
    assert attempt(Client(), "frontdesk", TEST_PASSWORD).status_code == 302
    staff_list = admin_client_.get(reverse("accounts:staff-list")).content.decode()
    assert 'data-testid="locked"' not in staff_list


def test_an_administrator_resets_two_factor_and_the_person_sets_it_up_again(
    stepped_up_admin, therapist_client, therapist
):
    recovery_codes(therapist)
    assert therapist_client.get("/patients/").status_code == 200
    response = stepped_up_admin.post(
        reverse("accounts:staff-mfa-reset", args=[therapist.public_id])
    )
    assert response.status_code == 302
    assert not TOTPDevice.objects.filter(user=therapist).exists()
    assert not StaticDevice.objects.filter(user=therapist).exists()
    event = AuditEvent.objects.get(action=AuditEvent.Action.MFA_RESET)
    assert event.details["devices_removed"] == 2
    # The session verified with the removed app is no longer verified.
    assert therapist_client.get("/patients/").url.startswith(reverse("accounts:mfa-setup"))


@pytest.mark.parametrize("role", ["front_desk", "therapist", "no_role"])
def test_only_administrators_unlock_or_reset(client, role, request, therapist):
    confirmed_totp_device(therapist)
    lock("therapist")
    user = request.getfixturevalue("no_role_user" if role == "no_role" else role)
    client.force_login(user)
    for name in ("accounts:staff-unlock", "accounts:staff-mfa-reset"):
        url = reverse(name, args=[therapist.public_id])
        assert client.post(url).status_code == 403
        assert client.get(url).status_code == 405
    assert AccessAttempt.objects.filter(username="therapist").exists()
    assert TOTPDevice.objects.filter(user=therapist, confirmed=True).exists()
    assert not AuditEvent.objects.filter(
        action__in=[AuditEvent.Action.UNLOCK, AuditEvent.Action.MFA_RESET]
    ).exists()


def test_the_staff_list_shows_lock_and_two_factor_state_in_a_fixed_number_of_queries(
    admin_client_, django_assert_num_queries
):
    url = reverse("accounts:staff-list")
    admin_client_.get(url)
    with django_assert_num_queries(10) as few:
        admin_client_.get(url)
    # Counted now: every request resets the connection's query log.
    count = len(few.captured_queries)
    for n in range(6):
        user = UserFactory(username=f"pt{n}", roles=[Role.THERAPIST])
        if n % 2:
            confirmed_totp_device(user)
        if n < 3:
            lock(f"pt{n}", ip=f"10.0.0.{n + 1}")
    with django_assert_num_queries(count):
        page = admin_client_.get(url).content.decode()
    assert page.count('data-testid="locked"') == 3
    # The administrator's own (test) app, and pt1, pt3, pt5.
    assert page.count("2FA on") == 4 and page.count("2FA off") == 3


def test_wrong_passwords_when_signing_lock_out_and_a_locked_account_cannot_sign(
    therapist_client, therapist
):
    evaluation = EvaluationFactory(therapist=therapist)
    url = reverse("evaluations:sign", args=[evaluation.public_id])
    answers = [therapist_client.post(url, {"password": "not-it"}) for _ in range(5)]
    assert [a.status_code for a in answers] == [200, 200, 200, 200, 429]
    assert "That password is not right" in answers[0].content.decode()
    # Whoever was guessing at that screen is signed out.
    assert therapist_client.get(url).status_code == 302
    evaluation.refresh_from_db()
    assert not evaluation.is_signed
    stages = AuditEvent.objects.filter(
        action=AuditEvent.Action.LOGIN_FAILED, actor=therapist
    ).values_list("details__stage", flat=True)
    assert list(stages) == ["password when signing"] * 5


def test_a_locked_account_cannot_sign_even_with_the_right_password(therapist_client, therapist):
    evaluation = EvaluationFactory(therapist=therapist)
    lock("therapist", ip="127.0.0.1")  # the test client's address
    response = therapist_client.post(
        reverse("evaluations:sign", args=[evaluation.public_id]), {"password": TEST_PASSWORD}
    )
    assert response.status_code == 429
    evaluation.refresh_from_db()
    assert not evaluation.is_signed


def test_a_right_kiosk_pin_is_not_a_failed_sign_in(front_desk_client, front_desk, patient):
    from intake.models import Intake

    front_desk.set_kiosk_pin("2468")
    front_desk.save()
    front_desk_client.post(reverse("intake:start", args=[patient.public_id]))
    intake = Intake.objects.get(patient=patient)
    hand_over_tablet(front_desk_client, intake=intake, by=front_desk)
    response = front_desk_client.post(
        reverse("kiosk:exit"), {"username": "frontdesk", "secret": "2468"}
    )
    assert response.status_code == 302
    assert not AccessAttempt.objects.exists()
    assert not AuditEvent.objects.filter(action=AuditEvent.Action.LOGIN_FAILED).exists()


def test_behind_a_proxy_the_address_is_the_one_the_audit_trail_records(settings, front_desk):
    settings.TRUSTED_PROXY_COUNT = 1
    client = Client()
    for _ in range(5):
        client.post(
            reverse("accounts:login"),
            {"username": "frontdesk", "password": "wrong-password"},
            REMOTE_ADDR="10.0.0.1",  # the proxy
            headers={"X-Forwarded-For": "198.51.100.9"},
        )
    assert AccessAttempt.objects.get().ip_address == "198.51.100.9"
    failed = AuditEvent.objects.filter(action=AuditEvent.Action.LOGIN_FAILED).first()
    assert failed.ip_address == "198.51.100.9"
    # Another client behind the same proxy is not locked out.
    other = Client().post(
        reverse("accounts:login"),
        {"username": "frontdesk", "password": TEST_PASSWORD},
        REMOTE_ADDR="10.0.0.1",
        headers={"X-Forwarded-For": "198.51.100.10"},
    )
    assert other.status_code == 302


def test_a_failed_attempt_keeps_no_code_or_password(client, therapist, front_desk):
    confirmed_totp_device(therapist)
    attempt(client, "therapist", TEST_PASSWORD)
    client.post(reverse("accounts:mfa-verify"), {"code": "314159"}, REMOTE_ADDR=TABLET)
    attempt(Client(), "frontdesk", "my-secret-guess")
    stored = " ".join(AccessAttempt.objects.values_list("post_data", flat=True))
    assert "314159" not in stored and "my-secret-guess" not in stored
    assert "therapist" not in stored  # usernames are masked in the stored form data too
