"""No silent account takeover by an administrator (security test, issue 15 point 2).

Before: an administrator could set any account's password, reset its two-factor sign-in
and sign in as it, superusers included, and give themselves the therapist role, with
nothing but their open session.
"""

import time

import pytest
from django.test import Client
from django.urls import reverse
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts import mfa
from accounts.models import AccountNotice, User
from accounts.roles import Role
from audit.models import AuditEvent
from tests.factories import (
    TEST_PASSWORD,
    UserFactory,
    confirmed_totp_device,
    step_up,
    totp_code,
)

pytestmark = pytest.mark.django_db

NEW_PASSWORD = "an-admin-chosen-passphrase"
OWN_PASSWORD = "my-very-own-passphrase"


def _reset(client, member, password=NEW_PASSWORD):
    return client.post(
        reverse("accounts:staff-password", args=[member.public_id]),
        {"password1": password, "password2": password},
    )


def test_a_password_reset_without_a_fresh_step_up_is_refused(admin_client_, therapist):
    page = admin_client_.get(reverse("accounts:staff-password", args=[therapist.public_id]))
    assert page.status_code == 302 and page.url.startswith(reverse("accounts:step-up"))
    response = _reset(admin_client_, therapist)
    assert response.status_code == 302 and response.url.startswith(reverse("accounts:step-up"))
    therapist.refresh_from_db()
    assert therapist.check_password(TEST_PASSWORD)


def test_a_two_factor_reset_without_a_step_up_is_refused(admin_client_, therapist):
    confirmed_totp_device(therapist)
    response = admin_client_.post(reverse("accounts:staff-mfa-reset", args=[therapist.public_id]))
    assert response.status_code == 302 and response.url.startswith(reverse("accounts:step-up"))
    assert TOTPDevice.objects.filter(user=therapist).exists()


def test_a_role_change_without_a_step_up_keeps_what_was_typed_and_changes_nothing(
    admin_client_, front_desk
):
    url = reverse("accounts:staff-edit", args=[front_desk.public_id])
    response = admin_client_.post(
        url,
        {
            "first_name": "Changed",
            "last_name": "Name",
            "email": "",
            "licence_number": "",
            "roles": [Role.FRONT_DESK.value, Role.THERAPIST.value],
            "is_active": "on",
        },
    )
    page = response.content.decode()
    assert response.status_code == 200
    assert "needs you to confirm it is you first" in page
    assert 'value="Changed"' in page
    front_desk.refresh_from_db()
    assert front_desk.first_name != "Changed"
    assert not front_desk.groups.filter(name=Role.THERAPIST.value).exists()


def test_other_details_save_without_a_step_up(admin_client_, front_desk):
    url = reverse("accounts:staff-edit", args=[front_desk.public_id])
    response = admin_client_.post(
        url,
        {
            "first_name": "Fran",
            "last_name": "Desk",
            "email": "fran@example.org",
            "licence_number": "",
            "roles": [Role.FRONT_DESK.value],
            "is_active": "on",
        },
    )
    assert response.status_code == 302
    front_desk.refresh_from_db()
    assert front_desk.first_name == "Fran"


def test_the_step_up_takes_the_password_and_a_fresh_code(admin_client_, administrator):
    device = confirmed_totp_device(administrator)
    url = reverse("accounts:step-up")
    next_url = reverse("accounts:staff-list")
    wrong = admin_client_.post(
        url, {"password": "not-it", "code": totp_code(device), "next": next_url}
    )
    assert "That password is not right." in wrong.content.decode()
    wrong = admin_client_.post(url, {"password": TEST_PASSWORD, "code": "000000"})
    assert "That code is not right" in wrong.content.decode()
    assert "step_up_at" not in admin_client_.session
    mfa.reset_throttling(administrator)  # django-otp's pause after a wrong code
    response = admin_client_.post(
        url, {"password": TEST_PASSWORD, "code": totp_code(device), "next": next_url}
    )
    assert response.status_code == 302 and response.url == next_url
    assert AuditEvent.objects.filter(action=AuditEvent.Action.STEP_UP, actor=administrator)
    failures = AuditEvent.objects.filter(action=AuditEvent.Action.LOGIN_FAILED).count()
    assert failures == 2  # both wrong tries count toward the sign-in lockout


def test_a_step_up_lasts_a_few_minutes(admin_client_, therapist, settings):
    step_up(admin_client_)
    session = admin_client_.session
    session["step_up_at"] = int(time.time()) - settings.STEP_UP_MINUTES * 60 - 1
    session.save()
    response = _reset(admin_client_, therapist)
    assert response.url.startswith(reverse("accounts:step-up"))


def test_a_reset_password_must_be_changed_at_the_next_sign_in_and_the_owner_is_told(
    stepped_up_admin, administrator, front_desk
):
    assert _reset(stepped_up_admin, front_desk).status_code == 302
    front_desk.refresh_from_db()
    assert front_desk.must_change_password
    event = AuditEvent.objects.get(action=AuditEvent.Action.PASSWORD)
    assert event.actor == administrator and event.object_id == str(front_desk.public_id)

    # The owner signs in with the password they were given...
    owner = Client()
    response = owner.post(
        reverse("accounts:login"), {"username": "frontdesk", "password": NEW_PASSWORD}, follow=True
    )
    page = response.content.decode()
    admin_name = administrator.get_full_name()
    assert f"Your password was reset by {admin_name} on" in page
    assert response.redirect_chain[-1][0].startswith(reverse("accounts:password"))
    # ...and nothing else opens until they choose their own.
    home = owner.get(reverse("patients:list"))
    assert home.status_code == 302 and home.url.startswith(reverse("accounts:password"))
    response = owner.post(
        reverse("accounts:password"), {"password1": OWN_PASSWORD, "password2": OWN_PASSWORD}
    )
    assert response.status_code == 302
    front_desk.refresh_from_db()
    assert not front_desk.must_change_password and front_desk.check_password(OWN_PASSWORD)
    assert owner.get(reverse("patients:list")).status_code == 200
    # The notice is told once.
    assert not AccountNotice.objects.filter(user=front_desk, seen_at__isnull=True).exists()


def test_the_owner_is_told_their_two_factor_was_reset(stepped_up_admin, administrator, therapist):
    confirmed_totp_device(therapist)
    response = stepped_up_admin.post(
        reverse("accounts:staff-mfa-reset", args=[therapist.public_id])
    )
    assert response.status_code == 302
    owner = Client()
    response = owner.post(
        reverse("accounts:login"),
        {"username": "therapist", "password": TEST_PASSWORD},
        follow=True,
    )
    assert "Your two-factor sign-in was reset by" in response.content.decode()


def test_superusers_are_not_changed_through_the_clinic_pages(stepped_up_admin):
    root = UserFactory(username="root", roles=[])
    User.objects.filter(pk=root.pk).update(is_superuser=True)
    confirmed_totp_device(root)
    for name, method in (
        ("accounts:staff-edit", "get"),
        ("accounts:staff-edit", "post"),
        ("accounts:staff-password", "get"),
        ("accounts:staff-password", "post"),
        ("accounts:staff-mfa-reset", "post"),
        ("accounts:staff-unlock", "post"),
    ):
        url = reverse(name, args=[root.public_id])
        data = {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD, "first_name": "X"}
        response = getattr(stepped_up_admin, method)(url, data)
        assert response.status_code == 403, (name, method)
    root.refresh_from_db()
    assert root.check_password(TEST_PASSWORD)
    assert TOTPDevice.objects.filter(user=root).exists()
    listing = stepped_up_admin.get(reverse("accounts:staff-list")).content.decode()
    assert "Managed on the server" in listing


def test_an_administrator_cannot_reset_their_own_two_factor_or_password_via_staff_pages(
    stepped_up_admin, administrator
):
    device = confirmed_totp_device(administrator)
    response = stepped_up_admin.post(
        reverse("accounts:staff-mfa-reset", args=[administrator.public_id])
    )
    assert response.status_code == 302
    assert TOTPDevice.objects.filter(pk=device.pk).exists()
    page = stepped_up_admin.get(reverse("accounts:staff-password", args=[administrator.public_id]))
    assert page.url == reverse("accounts:password")


def test_a_kiosk_pin_set_by_an_administrator_needs_a_step_up_and_is_told(admin_client_, front_desk):
    url = reverse("accounts:staff-edit", args=[front_desk.public_id])
    data = {
        "first_name": "F",
        "last_name": "D",
        "email": "",
        "licence_number": "",
        "roles": [Role.FRONT_DESK.value],
        "is_active": "on",
        "kiosk_pin": "482916",
    }
    assert admin_client_.post(url, data).status_code == 200
    front_desk.refresh_from_db()
    assert not front_desk.kiosk_pin
    step_up(admin_client_)
    assert admin_client_.post(url, data).status_code == 302
    assert AccountNotice.objects.filter(user=front_desk, message__contains="kiosk PIN").exists()


def test_staff_change_their_own_password_with_the_current_one_and_a_code(
    therapist_client, therapist
):
    device = confirmed_totp_device(therapist)
    url = reverse("accounts:password")
    page = therapist_client.get(url).content.decode()
    assert "Your current password" in page and "A new code from your authenticator app" in page
    data = {"password1": OWN_PASSWORD, "password2": OWN_PASSWORD}
    wrong = therapist_client.post(
        url, {**data, "current_password": "not-it", "code": totp_code(device)}
    )
    assert "That password is not right." in wrong.content.decode()
    wrong = therapist_client.post(url, {**data, "current_password": TEST_PASSWORD, "code": "1"})
    assert "That code is not right" in wrong.content.decode()
    therapist.refresh_from_db()
    assert therapist.check_password(TEST_PASSWORD)
    response = therapist_client.post(
        url, {**data, "current_password": TEST_PASSWORD, "code": totp_code(device)}
    )
    assert response.status_code == 302
    therapist.refresh_from_db()
    assert therapist.check_password(OWN_PASSWORD)
    # Still signed in here.
    assert therapist_client.get(reverse("core:home")).status_code == 200


def test_the_front_desk_changes_their_password_with_the_current_one(front_desk_client, front_desk):
    url = reverse("accounts:password")
    page = front_desk_client.get(url).content.decode()
    assert "authenticator app" not in page
    response = front_desk_client.post(
        url,
        {"current_password": TEST_PASSWORD, "password1": OWN_PASSWORD, "password2": OWN_PASSWORD},
    )
    assert response.status_code == 302
    front_desk.refresh_from_db()
    assert front_desk.check_password(OWN_PASSWORD)


def test_a_new_account_chooses_its_own_password_at_first_sign_in(stepped_up_admin):
    response = stepped_up_admin.post(
        reverse("accounts:staff-new"),
        {
            "username": "newdesk",
            "first_name": "New",
            "last_name": "Desk",
            "email": "",
            "licence_number": "",
            "roles": [Role.FRONT_DESK.value],
            "password1": NEW_PASSWORD,
            "password2": NEW_PASSWORD,
        },
    )
    assert response.status_code == 302
    assert User.objects.get(username="newdesk").must_change_password


def test_a_password_set_in_the_django_admin_is_changed_at_next_sign_in_too(client, front_desk):
    from tests.factories import confirmed_totp_device

    root = UserFactory(username="root", roles=[])
    User.objects.filter(pk=root.pk).update(is_superuser=True, is_staff=True)
    confirmed_totp_device(root)
    client.force_login(User.objects.get(pk=root.pk))
    response = client.post(
        reverse("admin:auth_user_password_change", args=[front_desk.pk]),
        {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD, "usable_password": "true"},
    )
    assert response.status_code == 302
    front_desk.refresh_from_db()
    assert front_desk.check_password(NEW_PASSWORD) and front_desk.must_change_password
    assert AccountNotice.objects.filter(user=front_desk, message__startswith="Your password")
