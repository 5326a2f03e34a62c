"""The idle warning in a real browser: a minute before an idle sign-out the page asks
"Are you still there?"; "Stay signed in" keeps the session; doing nothing signs out.

The browser's clock is Playwright's fake one, fast-forwarded; the server's clock is real,
so the session is aged on the server to match.
"""

import time

import pytest
from django.contrib.sessions.backends.db import SessionStore
from playwright.sync_api import Page, expect

from core.middleware import LAST_SEEN
from tests.browser.helpers import axe_violations, sign_in
from tests.factories import UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
SESSION_URL = "**/session/"


def _quiet_user():
    """A signed-in person without the red-flag banner: on the fake clock, fourteen minutes
    of its four-second poll would be two hundred requests at once. (That background polls
    do not count as use is tested in tests/core/test_sessions.py.)"""
    return UserFactory(username="norole", roles=[])


def _server_session(page: Page) -> SessionStore:
    key = next(c["value"] for c in page.context.cookies() if c["name"] == "sessionid")
    return SessionStore(session_key=key)


def _idle_for(page: Page, seconds: int) -> None:
    session = _server_session(page)
    session[LAST_SEEN] = int(time.time()) - seconds
    session.save()


def test_it_warns_a_minute_before_the_idle_sign_out_and_stay_keeps_the_session(
    page: Page, live_server, console_errors
):
    _quiet_user()
    page.clock.install()
    sign_in(page, live_server, "norole")
    expect(page.get_by_test_id("idle-warning")).to_be_attached()
    page.wait_for_load_state("load")  # idle.js (deferred) has run and set its timer
    warning = page.get_by_role("dialog", name="Are you still there?")

    # Fourteen minutes on the page's clock, but the server saw use a moment ago (another
    # tab, say): the page asks, hears there is plenty left, and shows nothing.
    with page.expect_response(SESSION_URL):
        page.clock.run_for("14:01")
    page.clock.run_for(1000)
    expect(warning).to_be_hidden()

    # Now the server has seen nothing for 14 min 10 s: the next check shows the warning.
    _idle_for(page, 14 * 60 + 10)
    with page.expect_response(SESSION_URL):
        page.clock.run_for("15:00")
    page.clock.run_for(1000)  # Bootstrap's fade-in runs on the page's (fake) timers
    expect(warning).to_be_visible()
    expect(warning).to_contain_text("signed out in")
    left = int(warning.locator("[data-idle-countdown]").inner_text())
    assert 0 < left <= 60
    assert axe_violations(page) == []

    with page.expect_response(SESSION_URL):
        warning.get_by_role("button", name="Stay signed in").click()
    page.clock.run_for(1000)
    expect(warning).to_be_hidden()
    assert int(time.time()) - _server_session(page)[LAST_SEEN] < 5
    assert console_errors == []


def test_doing_nothing_signs_out_to_the_sign_in_page(page: Page, live_server, console_errors):
    _quiet_user()
    page.clock.install()
    sign_in(page, live_server, "norole")
    page.goto(f"{live_server.url}/?from=test")
    expect(page.get_by_test_id("idle-warning")).to_be_attached()
    page.wait_for_load_state("load")  # idle.js (deferred) has run and set its timer
    _idle_for(page, 16 * 60)
    page.clock.run_for("15:01")
    expect(page).to_have_url(f"{live_server.url}/accounts/login/?idle=1&next=%2F%3Ffrom%3Dtest")
    expect(page.get_by_role("status")).to_contain_text("signed out after a while")
    assert console_errors == []
