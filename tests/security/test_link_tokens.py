"""One-time links, for a first-visit intake and a follow-up questionnaire alike: what a
token is made of, and every way one is refused (expired, reused, wrong date of birth,
guessed), each refusal in the audit trail.

The tokens are secrets.token_urlsafe(32): 256 random bits, so nobody finds a real one by
guessing. What the tests guard is that only its SHA-256 is kept, that a refusal says
nothing a guesser could use, and that a client trying link after link is paused
(intake.link_limits) before it fills the audit trail.
"""

import hashlib
import json
import re
import secrets
from datetime import timedelta

import pytest
from django.contrib.sessions.models import Session
from django.forms.models import model_to_dict
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from audit.models import AuditEvent
from core.models import Clinic
from intake import link_limits, services
from intake.models import Intake, IntakeAccess
from tests.factories import PatientFactory
from tests.intake.answers import HAPPY
from tests.intake.followup.answers import CLINIC_PHONE, DOB, POSTS
from tests.intake.followup.conftest import make_baseline, make_packet

pytestmark = pytest.mark.django_db

CALL = f'href="tel:+442079460000" data-testid="call-clinic">Call {CLINIC_PHONE}</a>'
ENDED = "This link has expired or has already been used"
URL_SAFE = re.compile(r"[A-Za-z0-9_-]+")
# The address the test client's requests come from unless a test says otherwise.
HERE = "127.0.0.1"


@pytest.fixture
def clinic(db):
    clinic = Clinic.objects.current()
    clinic.phone = CLINIC_PHONE
    clinic.save()
    return clinic


@pytest.fixture(params=["intake", "packet"])
def form(request, clinic, front_desk) -> Intake:
    """An open form a link is made for: a first-visit intake, or a follow-up
    questionnaire of an episode whose intake is in. Its patient was born on DOB."""
    if request.param == "packet":
        return make_packet(make_baseline(PatientFactory()))
    return services.intake_start(patient=PatientFactory(date_of_birth=DOB), by=front_desk)


def _link(form: Intake, by) -> tuple[str, str]:
    _access, token = services.intake_link_create(intake=form, by=by)
    return token, reverse("kiosk:link", args=[token])


def _open(url: str, **client_kwargs) -> Client:
    """A new browser that opens the link with the right date of birth."""
    phone = Client(**client_kwargs)
    response = phone.post(url, {"date_of_birth": DOB.isoformat()})
    assert response.status_code == 302 and response.url == reverse("kiosk:resume"), response
    return phone


def _refusals(form: Intake, reason: str) -> list[AuditEvent]:
    return list(
        AuditEvent.objects.filter(
            action=AuditEvent.Action.DENIED,
            patient=form.patient,
            object_id=str(form.public_id),
            details__reason=reason,
        )
    )


def _holds_no_form(browser: Client) -> None:
    assert browser.get(reverse("kiosk:resume")).status_code == 403  # "no intake here"
    assert "kiosk" not in browser.session


def _page(response) -> str:
    """The page without its CSRF tokens, which are masked afresh on every response, and
    without the language switch's way back (the address the page was asked for)."""
    page = re.sub(r'"X-CSRFToken": "[^"]*"', "", response.content.decode())
    page = re.sub(r'name="csrfmiddlewaretoken" value="[^"]*"', "", page)
    return re.sub(r'name="next" value="/kiosk/link/[^"]*"', "", page)


def _guess() -> str:
    return secrets.token_urlsafe(32)


# ---------------------------------------------------------------- entropy


def test_a_token_is_256_bits_from_secrets_and_only_its_sha256_is_stored(
    form, front_desk, monkeypatch
):
    asked = []
    real = secrets.token_urlsafe
    monkeypatch.setattr(services.secrets, "token_urlsafe", lambda n: asked.append(n) or real(n))
    access, token = services.intake_link_create(intake=form, by=front_desk)
    assert asked == [32]  # 32 bytes from the operating system's CSPRNG
    assert len(token) >= 43 and URL_SAFE.fullmatch(token)
    access.refresh_from_db()
    assert access.token_hash == hashlib.sha256(token.encode()).hexdigest()


def test_a_thousand_tokens_are_all_different(form, front_desk):
    tokens = {services.intake_link_create(intake=form, by=front_desk)[1] for _ in range(1000)}
    assert len(tokens) == 1000
    hashes = set(IntakeAccess.objects.filter(intake=form).values_list("token_hash", flat=True))
    assert hashes == {hashlib.sha256(t.encode()).hexdigest() for t in tokens}
    # Each new link ends the one before: only the last one opens.
    assert IntakeAccess.objects.filter(intake=form).redeemable().count() == 1


def test_no_raw_token_is_kept_anywhere_a_link_goes(form, front_desk, client):
    """Made, viewed, a wrong date, opened, reused in another browser, guessed at: the raw
    token is in no access row, no audit entry and no session; the audit trail does not
    even keep its hash."""
    token, url = _link(form, front_desk)
    client.get(url)
    client.post(url, {"date_of_birth": "1900-01-01"})
    client.post(url, {"date_of_birth": DOB.isoformat()})
    Client().post(url, {"date_of_birth": DOB.isoformat()})
    Client().get(reverse("kiosk:link", args=[token[:-1]]))
    stored_hash = hashlib.sha256(token.encode()).hexdigest()
    audit = [json.dumps(model_to_dict(e), default=str) for e in AuditEvent.objects.all()]
    accesses = [json.dumps(model_to_dict(a), default=str) for a in IntakeAccess.objects.all()]
    sessions = [json.dumps(s.get_decoded()) for s in Session.objects.all()]
    assert len(audit) >= 6 and accesses and sessions
    assert not [row for row in audit if token in row or stored_hash in row]
    assert not [row for row in accesses + sessions if token in row]


# ---------------------------------------------------------------- expiry


def test_an_expired_link_is_refused_on_view_and_on_the_right_date_and_audited(
    form, front_desk, client
):
    _token, url = _link(form, front_desk)
    IntakeAccess.objects.filter(intake=form).update(expires_at=timezone.now())
    for response in (client.get(url), client.post(url, {"date_of_birth": DOB.isoformat()})):
        page = response.content.decode()
        assert response.status_code == 200
        assert ENDED in page and "Please call the clinic for a new link." in page and CALL in page
        assert 'name="date_of_birth"' not in page
    _holds_no_form(client)
    assert IntakeAccess.objects.get(intake=form).used_at is None
    refused = _refusals(form, "expired")
    assert len(refused) == 2
    assert all(e.actor_name == "Unverified link holder" and e.ip_address == HERE for e in refused)
    noun = "follow-up questionnaire" if form.is_packet else "intake"
    assert refused[0].summary == f"Refused a one-time {noun} link (expired)"


# ---------------------------------------------------------------- reuse


def _submit(phone: Client, form: Intake) -> None:
    if form.is_packet:
        steps, posts = ["pain", "psfs", "change", "redflags"], POSTS
    else:
        steps, posts = list(HAPPY), HAPPY
    for step in steps:
        response = phone.post(reverse("kiosk:step", args=[step]), {**posts[step], "nav": "next"})
        assert response.status_code == 302, (step, response.content.decode()[:2000])
    response = phone.post(reverse("kiosk:submit"), {"submission_id": str(secrets.token_hex(16))})
    assert response.url == reverse("kiosk:done")


def _stop_for_cauda_equina(phone: Client, form: Intake) -> None:
    response = phone.post(reverse("kiosk:autosave", args=["redflags"]), {"CES-3": "yes"})
    assert response["HX-Redirect"] == reverse("kiosk:stop")


@pytest.mark.parametrize("close", [_submit, _stop_for_cauda_equina], ids=["sent", "ces-stop"])
def test_a_link_is_refused_in_a_fresh_browser_once_its_form_is_closed(
    form, front_desk, close, client
):
    _token, url = _link(form, front_desk)
    close(_open(url), form)
    assert Intake.objects.get(pk=form.pk).status in (
        Intake.Status.SUBMITTED,
        Intake.Status.STOPPED,
    )
    for response in (client.get(url), client.post(url, {"date_of_birth": DOB.isoformat()})):
        assert response.status_code == 200
        assert ENDED in response.content.decode() and CALL in response.content.decode()
    _holds_no_form(client)
    assert len(_refusals(form, "used")) == 2


def test_a_link_opens_in_one_browser_only(form, front_desk):
    _token, url = _link(form, front_desk)
    first = _open(url)
    second = Client()
    response = second.post(url, {"date_of_birth": DOB.isoformat()})
    assert ENDED in response.content.decode()
    _holds_no_form(second)
    assert first.get(url).url == reverse("kiosk:resume")  # the first carries on
    assert [e.ip_address for e in _refusals(form, "used")] == [HERE]


# ---------------------------------------------------------------- date of birth


def test_wrong_dates_of_birth_are_counted_lock_the_link_and_are_audited(form, front_desk, client):
    _token, url = _link(form, front_desk)
    for attempt in range(1, IntakeAccess.MAX_FAILED_ATTEMPTS):
        page = client.post(url, {"date_of_birth": "1900-01-01"}).content.decode()
        assert "That date of birth does not match our records. Please try again." in page
        assert 'value="1900-01-01"' in page  # what was typed stays
        assert IntakeAccess.objects.get(intake=form).failed_attempts == attempt
    page = client.post(url, {"date_of_birth": "1900-01-02"}).content.decode()
    assert "This link has been locked" in page and CALL in page
    access = IntakeAccess.objects.get(intake=form)
    assert access.failed_attempts == IntakeAccess.MAX_FAILED_ATTEMPTS and access.revoked_at
    wrong = AuditEvent.objects.filter(
        patient=form.patient, action=AuditEvent.Action.DENIED, summary__startswith="Wrong date"
    )
    assert wrong.count() == IntakeAccess.MAX_FAILED_ATTEMPTS
    assert wrong.filter(summary__endswith=": link revoked").count() == 1

    # The right date after the lock opens nothing, in this browser or another.
    for browser in (client, Client()):
        response = browser.post(url, {"date_of_birth": DOB.isoformat()})
        assert ENDED in response.content.decode()
        _holds_no_form(browser)
    assert IntakeAccess.objects.get(intake=form).used_at is None
    assert len(_refusals(form, "locked")) == 2


def test_a_date_that_is_not_a_date_is_asked_again_and_not_counted(form, front_desk, client):
    _token, url = _link(form, front_desk)
    page = client.post(url, {"date_of_birth": "12th April"}).content.decode()
    assert "Enter a date, for example 1970-03-05." in page
    assert IntakeAccess.objects.get(intake=form).failed_attempts == 0


# ---------------------------------------------------------------- guessing


def test_guessed_tokens_all_get_the_unknown_links_page_and_each_is_audited(
    form, front_desk, settings
):
    settings.LINK_GUESS_LIMIT = 100  # the pause is the next test's
    _token, real = _link(form, front_desk)
    unknown = Client().get(reverse("kiosk:link", args=["not-a-real-token"]))
    assert unknown.status_code == 200 and "This link is not valid" in unknown.content.decode()
    for _ in range(50):
        response = Client().get(reverse("kiosk:link", args=[_guess()]))
        assert (response.status_code, _page(response)) == (200, _page(unknown))
    response = Client().post(reverse("kiosk:link", args=[_guess()]), {"date_of_birth": DOB})
    assert (response.status_code, _page(response)) == (200, _page(unknown))

    refused = AuditEvent.objects.filter(summary=link_limits.UNKNOWN_SUMMARY)
    assert refused.count() == 52
    assert {(e.action, e.patient_id, e.ip_address, json.dumps(e.details)) for e in refused} == {
        (AuditEvent.Action.DENIED, None, HERE, "{}")
    }
    # Guessing touches no real link.
    access = IntakeAccess.objects.get(intake=form)
    assert (access.failed_attempts, access.used_at, access.revoked_at) == (0, None, None)
    assert 'name="date_of_birth"' in Client().get(real).content.decode()


def test_a_revoked_link_says_it_ended_which_only_its_holder_can_learn(form, front_desk):
    """By design a real link that ended says so (the patient should call for a new one)
    where a guess says "not valid": telling the two apart needs the real token."""
    _token, url = _link(form, front_desk)
    services.intake_link_create(intake=form, by=front_desk)  # a newer link revokes it
    response = Client().get(url)
    assert response.status_code == 200 and ENDED in response.content.decode()
    assert len(_refusals(form, "revoked")) == 1


def test_a_client_trying_links_that_do_not_exist_is_paused_and_audited_once(
    form, front_desk, settings
):
    settings.LINK_GUESS_LIMIT, settings.LINK_GUESS_MINUTES = 20, 10
    _token, real = _link(form, front_desk)
    guesser = Client(REMOTE_ADDR="203.0.113.9")
    for _ in range(20):
        assert (
            "This link is not valid"
            in guesser.get(reverse("kiosk:link", args=[_guess()])).content.decode()
        )
    paused = guesser.get(reverse("kiosk:link", args=[_guess()]))
    assert paused.status_code == 429 and paused["Retry-After"] == "600"
    assert paused["Content-Type"] == "text/plain; charset=utf-8"
    message = paused.content.decode()
    assert "Please wait 10 minutes" in message and f"call the clinic on {CLINIC_PHONE}" in message
    # While paused a real link answers exactly as a guess does, and does not open.
    for response in (
        guesser.get(real),
        guesser.post(real, {"date_of_birth": DOB.isoformat()}),
        *(guesser.get(reverse("kiosk:link", args=[_guess()])) for _ in range(30)),
    ):
        assert (response.status_code, response.content) == (429, paused.content)
    assert IntakeAccess.objects.get(intake=form).used_at is None

    def entries(action):
        return AuditEvent.objects.filter(action=action, ip_address="203.0.113.9")

    assert entries(AuditEvent.Action.DENIED).count() == 20  # the tries before the pause
    assert list(entries(AuditEvent.Action.LOCKOUT).values_list("summary", "details")) == [
        (link_limits.PAUSED_SUMMARY, {"limit": 20, "minutes": 10})
    ]
    # Another address is not paused, and the patient there opens their link.
    _open(real, REMOTE_ADDR="198.51.100.4")


def test_the_pause_ends_when_the_window_has_passed(form, front_desk, settings, monkeypatch):
    settings.LINK_GUESS_LIMIT = 3
    _token, real = _link(form, front_desk)
    guesser = Client(REMOTE_ADDR="203.0.113.9")
    for _ in range(4):
        response = guesser.get(reverse("kiosk:link", args=[_guess()]))
    assert response.status_code == 429
    later = timezone.now() + timedelta(minutes=settings.LINK_GUESS_MINUTES, seconds=1)
    monkeypatch.setattr(timezone, "now", lambda: later)
    assert guesser.get(real).status_code == 200


def test_only_links_that_do_not_exist_count_towards_the_pause(form, front_desk, settings):
    """A patient reopening their expired link, or mistyping their date of birth, is
    refused for that reason, never paused."""
    settings.LINK_GUESS_LIMIT = 3
    _token, url = _link(form, front_desk)
    for _ in range(IntakeAccess.MAX_FAILED_ATTEMPTS - 1):
        assert Client().post(url, {"date_of_birth": "1900-01-01"}).status_code == 200
    IntakeAccess.objects.filter(intake=form).update(expires_at=timezone.now())
    for _ in range(10):
        response = Client().get(url)
        assert response.status_code == 200 and ENDED in response.content.decode()
    assert not AuditEvent.objects.filter(action=AuditEvent.Action.LOCKOUT).exists()


def test_a_limit_of_nought_turns_the_pause_off(clinic, settings):
    settings.LINK_GUESS_LIMIT = 0
    for _ in range(5):
        assert Client().get(reverse("kiosk:link", args=[_guess()])).status_code == 200
    assert AuditEvent.objects.filter(summary=link_limits.UNKNOWN_SUMMARY).count() == 5


def test_a_device_holding_the_form_carries_on_even_from_a_paused_address(
    form, front_desk, settings
):
    settings.LINK_GUESS_LIMIT = 2
    _token, url = _link(form, front_desk)
    phone = _open(url)
    for _ in range(3):
        Client().get(reverse("kiosk:link", args=[_guess()]))
    assert Client().get(url).status_code == 429
    assert phone.get(url).url == reverse("kiosk:resume")


def test_an_unknown_link_costs_a_fixed_number_of_queries(client, clinic, django_assert_num_queries):
    url = reverse("kiosk:link", args=[_guess()])
    with django_assert_num_queries(6):
        assert client.get(url).status_code == 200
