"""Staff sessions end after 15 idle minutes (with a warning a minute before) and at an
absolute lifetime however busy; background polls never count as use."""

import time

import pytest
from django.urls import reverse

from core.middleware import LAST_SEEN, SIGNED_IN_AT

pytestmark = pytest.mark.django_db
POLL = {"X-Background-Poll": "1"}


def _age_session(client, *, idle: int = 0, since_sign_in: int = 0) -> None:
    client.get(reverse("core:home"))
    session = client.session
    now = int(time.time())
    session[LAST_SEEN] = now - idle
    session[SIGNED_IN_AT] = now - since_sign_in
    session.save()


def test_the_shipped_idle_limit_is_fifteen_minutes_with_a_minute_of_warning(settings):
    assert settings.STAFF_IDLE_MINUTES == 15
    assert settings.STAFF_IDLE_WARNING_SECONDS == 60


def test_it_signs_out_after_the_idle_limit(therapist_client):
    _age_session(therapist_client, idle=15 * 60 + 5)
    response = therapist_client.get(reverse("patients:list"))
    assert response.status_code == 302
    assert response.url.startswith(reverse("accounts:login")) and "idle=1" in response.url
    assert "_auth_user_id" not in therapist_client.session


def test_it_signs_out_at_the_absolute_lifetime_however_active(therapist_client, settings):
    _age_session(therapist_client, idle=5, since_sign_in=settings.SESSION_ABSOLUTE_SECONDS + 1)
    response = therapist_client.get(reverse("patients:list"))
    assert response.status_code == 302 and "expired=1" in response.url
    login = therapist_client.get(response.url)
    assert "reached its time limit" in login.content.decode()


def test_the_warning_asks_how_long_is_left_without_counting_as_use(therapist_client):
    _age_session(therapist_client, idle=14 * 60 + 10)
    before = therapist_client.session[LAST_SEEN]
    answer = therapist_client.get(reverse("core:session"), headers=POLL)
    assert answer.status_code == 200
    assert 45 <= answer.json()["remaining"] <= 50
    assert therapist_client.session[LAST_SEEN] == before


def test_the_remaining_time_is_the_sooner_of_idle_and_absolute(therapist_client, settings):
    _age_session(therapist_client, idle=0, since_sign_in=settings.SESSION_ABSOLUTE_SECONDS - 30)
    remaining = therapist_client.get(reverse("core:session"), headers=POLL).json()["remaining"]
    assert 25 <= remaining <= 30


def test_stay_signed_in_counts_as_use(therapist_client):
    _age_session(therapist_client, idle=14 * 60 + 10)
    assert therapist_client.post(reverse("core:session")).status_code == 204
    remaining = therapist_client.get(reverse("core:session"), headers=POLL).json()["remaining"]
    assert remaining >= 15 * 60 - 2


def test_a_poll_after_the_limit_ends_the_session_and_tells_htmx_to_go_to_sign_in(
    therapist_client,
):
    _age_session(therapist_client, idle=16 * 60)
    answer = therapist_client.get(reverse("core:session"), headers=POLL)
    assert answer.status_code == 204
    assert answer["HX-Redirect"] == reverse("accounts:login") + "?idle=1"
    assert therapist_client.get(reverse("core:home")).status_code == 302


def test_staff_pages_carry_the_idle_warning(therapist_client):
    page = therapist_client.get(reverse("core:home")).content.decode()
    assert 'id="idle-warning"' in page
    assert 'data-idle-seconds="900"' in page and 'data-warning-seconds="60"' in page
    assert "js/idle.js" in page


def test_the_sign_in_page_and_the_patients_tablet_carry_no_staff_timer(client):
    assert 'id="idle-warning"' not in client.get(reverse("accounts:login")).content.decode()
