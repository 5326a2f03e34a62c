"""Two-factor sign-in, sign-out and lockout on a tablet (768x1024), in Chromium."""

from base64 import b32decode

import pytest
from django_otp.oath import totp
from playwright.sync_api import Page, expect

from accounts.roles import Role
from tests.browser.conftest import PORTRAIT
from tests.browser.helpers import axe_violations, check_tablet_rules, sign_in
from tests.factories import TEST_PASSWORD, UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _password(page: Page, live_server, username: str, password: str = TEST_PASSWORD) -> None:
    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()


def test_a_therapist_sets_up_an_app_then_signs_in_with_a_recovery_code(
    page: Page, live_server, console_errors, artifacts
):
    UserFactory(username="pt", first_name="Theo", roles=[Role.THERAPIST])
    page.set_viewport_size(PORTRAIT)
    _password(page, live_server, "pt")

    # Set-up: the QR code for the phone, and the key to type in for those who cannot scan.
    expect(page.get_by_role("heading", name="Two-factor sign-in")).to_be_visible()
    expect(page.get_by_role("img", name="QR code that adds")).to_be_visible()
    expect(page.get_by_role("navigation", name="Main")).to_have_count(0)
    check_tablet_rules(page)
    assert axe_violations(page) == []
    page.screenshot(path=artifacts / "mfa-setup.png", full_page=True)
    secret = page.get_by_test_id("totp-secret").inner_text().replace(" ", "")
    key = b32decode(secret + "=" * (-len(secret) % 8))
    page.get_by_label("The 6-digit code the app shows").fill(f"{totp(key):06d}")
    page.get_by_role("button", name="Turn on two-factor sign-in").click()

    # The recovery codes, once.
    expect(page.get_by_role("heading", name="Recovery codes")).to_be_visible()
    codes = page.get_by_test_id("recovery-codes").locator("code").all_inner_texts()
    assert len(codes) == 10
    expect(page.get_by_role("button", name="Print")).to_be_visible()
    check_tablet_rules(page)
    assert axe_violations(page) == []
    page.screenshot(path=artifacts / "mfa-recovery-codes.png", full_page=True)
    page.get_by_role("link", name="I have kept them: continue").click()
    expect(page.get_by_test_id("therapist-home")).to_be_visible()

    page.get_by_role("button", name="Sign out").click()
    expect(page.get_by_test_id("signed-out")).to_be_visible()

    # No phone today: a recovery code instead of the app's code.
    _password(page, live_server, "pt")
    expect(page.get_by_role("heading", name="Two-factor check")).to_be_visible()
    check_tablet_rules(page)
    assert axe_violations(page) == []
    page.screenshot(path=artifacts / "mfa-verify.png", full_page=True)
    page.get_by_label("Code from your authenticator app").fill("0000-0000")
    page.get_by_role("button", name="Continue").click()
    expect(page.get_by_text("That code is not right")).to_be_visible()
    page.wait_for_timeout(1100)  # django-otp's one-second wait after a wrong code
    page.get_by_label("Code from your authenticator app").fill(codes[0])
    page.get_by_role("button", name="Continue").click()
    expect(page.get_by_test_id("therapist-home")).to_be_visible()
    expect(page.get_by_text("You used a recovery code; 9 left")).to_be_visible()
    assert console_errors == []


def test_signing_out_leaves_nothing_in_the_browser(page: Page, live_server, console_errors):
    UserFactory(username="admin", roles=[Role.ADMINISTRATOR])
    sign_in(page, live_server, "admin")
    page.evaluate("() => { localStorage.setItem('draft', 'x'); sessionStorage.setItem('t', 'y'); }")
    page.get_by_role("button", name="Sign out").click()
    expect(page.get_by_test_id("signed-out")).to_be_visible()
    assert page.evaluate("() => localStorage.length + sessionStorage.length") == 0
    assert "sessionid" not in {c["name"] for c in page.context.cookies()}
    assert console_errors == []


def test_repeated_wrong_passwords_pause_sign_in_with_a_clear_page(
    page: Page, live_server, console_errors, artifacts
):
    UserFactory(username="frontdesk", roles=[Role.FRONT_DESK])
    for _ in range(5):
        _password(page, live_server, "frontdesk", "not-the-password")
    expect(page.get_by_role("heading", name="Sign-in paused")).to_be_visible()
    expect(page.get_by_text("ask a clinic administrator to unlock")).to_be_visible()
    check_tablet_rules(page)
    assert axe_violations(page) == []
    page.screenshot(path=artifacts / "locked-out.png", full_page=True)
    _password(page, live_server, "frontdesk")
    expect(page.get_by_role("heading", name="Sign-in paused")).to_be_visible()
    # The 429 responses are the browser's only console errors ("Failed to load resource").
    assert all("429" in e for e in console_errors), console_errors


def test_an_administrator_confirms_it_is_them_before_resetting_a_password(
    page: Page, live_server, console_errors, artifacts
):
    """Resetting someone's password asks the administrator's own password and a new code;
    the person is then told at their next sign-in and chooses their own password."""
    from accounts.models import User
    from tests.factories import confirmed_totp_device, totp_code

    UserFactory(username="admin", first_name="Ada", last_name="Min", roles=[Role.ADMINISTRATOR])
    desk = UserFactory(username="desk", first_name="Fran", roles=[Role.FRONT_DESK])
    page.set_viewport_size(PORTRAIT)
    sign_in(page, live_server, "admin")
    page.goto(f"{live_server.url}/accounts/staff/{desk.public_id}/password/")
    expect(page.get_by_role("heading", name="Confirm it is you")).to_be_visible()
    check_tablet_rules(page)
    assert axe_violations(page) == []
    page.screenshot(path=artifacts / "staff-step-up.png", full_page=True)
    page.get_by_label("Your password").fill(TEST_PASSWORD)
    device = confirmed_totp_device(User.objects.get(username="admin"))
    page.get_by_label("A new code from your authenticator app").fill(totp_code(device))
    page.get_by_test_id("step-up").click()
    expect(page.get_by_role("heading", name="New password for")).to_be_visible()
    page.locator("#id_password1").fill("a-reset-passphrase-42")
    page.get_by_label("New password again").fill("a-reset-passphrase-42")
    page.get_by_role("button", name="Set password").click()
    expect(page.get_by_text("They choose their own when they next sign in")).to_be_visible()
    page.get_by_role("button", name="Sign out").click()

    _password(page, live_server, "desk", "a-reset-passphrase-42")
    expect(page.get_by_role("heading", name="Choose your own password")).to_be_visible()
    expect(page.get_by_text("Your password was reset by Ada Min on")).to_be_visible()
    check_tablet_rules(page)
    assert axe_violations(page) == []
    page.screenshot(path=artifacts / "staff-password-forced.png", full_page=True)
    page.locator("#id_password1").fill("my-own-passphrase-77")
    page.get_by_label("New password again").fill("my-own-passphrase-77")
    page.get_by_test_id("password-save").click()
    expect(page.get_by_text("Your password is changed.")).to_be_visible()
    assert console_errors == []
