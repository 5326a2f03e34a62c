"""The tablet intake in Chromium at tablet size with touch: the patient's whole path,
the cauda equina stop seen from a second, staff browser, resume, double submit and
kiosk lock-down. Every screen is screenshotted to test-artifacts/ and checked with
axe-core and the tablet rules."""

from datetime import date

import pytest
from playwright.sync_api import Browser, Page, expect

from accounts.roles import Role
from audit.models import AuditEvent
from intake import services
from intake.models import Intake, RedFlagAlert
from tests.browser.conftest import LANDSCAPE, PORTRAIT
from tests.browser.helpers import axe_violations, check_tablet_rules, sign_in
from tests.factories import IntakeFactory, PatientFactory, UserFactory
from tests.intake.answers import HAPPY

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PIN = "482916"


@pytest.fixture
def front_desk_user():
    user = UserFactory(username="frontdesk", first_name="Fran", roles=[Role.FRONT_DESK])
    user.set_kiosk_pin(PIN)
    user.save()
    return user


@pytest.fixture
def intake_patient():
    return PatientFactory(given_name="Ana", family_name="Núñez", date_of_birth=date(1985, 4, 12))


def hand_over(page: Page, live_server, patient, artifacts=None) -> None:
    """The front desk starts the intake on this browser and, the first time, enrols it as
    one of the clinic's tablets (only an enrolled tablet goes into kiosk mode)."""
    sign_in(page, live_server, "frontdesk")
    page.goto(f"{live_server.url}/patients/{patient.public_id}/")
    page.get_by_test_id("start-intake").click()
    enrol = page.get_by_test_id("tablet-enrol")
    if enrol.is_visible():
        if artifacts is not None:
            check_tablet_rules(page)
            assert axe_violations(page) == []
            page.screenshot(path=artifacts / "intake-00-enrol-tablet.png", full_page=True)
        page.get_by_label("Name for this tablet").fill("Front desk 1")
        enrol.click()
        expect(page.get_by_text("is now the clinic tablet")).to_be_visible()
    page.get_by_test_id("kiosk-open").click()


def choose(page: Page, field: str, label: str) -> None:
    page.locator(f'fieldset[data-field="{field}"]').get_by_text(label, exact=True).tap()


def next_screen(page: Page, title: str) -> None:
    page.get_by_test_id("next").tap()
    expect(page.get_by_test_id("step-title")).to_have_text(title)


def screen_checks(page: Page, artifacts, name: str, console_errors) -> None:
    check_tablet_rules(page)
    assert axe_violations(page) == [], name
    page.screenshot(path=artifacts / f"intake-{name}.png", full_page=True)
    assert console_errors == [], name


def sign(page: Page) -> None:
    canvas = page.locator(".signature-canvas")
    canvas.scroll_into_view_if_needed()
    box = canvas.bounding_box()
    x, y = box["x"], box["y"] + box["height"] / 2
    page.mouse.move(x + 30, y)
    page.mouse.down()
    for step in range(1, 12):
        page.mouse.move(x + 30 + step * 25, y + (20 if step % 2 else -20))
    page.mouse.up()


def fill_screens_up_to_red_flags(page: Page, shots=None) -> None:
    """Answer every screen before the red flags, by touch. `shots(name)` after each."""
    shot = shots or (lambda name: None)
    expect(page.get_by_test_id("step-title")).to_have_text("About you")
    shot("01-about")
    page.get_by_text("My name and date of birth above are correct").tap()
    page.get_by_label("Phone", exact=True).fill("+44 7700 900456")
    page.get_by_label("Emergency contact: name").fill("Sam Núñez")
    next_screen(page, "Consent")
    shot("02-consent")
    page.get_by_text("I agree to assessment and treatment").tap()
    page.get_by_text("I have read the privacy notice").tap()
    page.get_by_label("Your full name").fill("Ana Núñez")
    sign(page)
    expect(page.locator("[data-signature-pad]")).to_contain_class("is-signed")
    next_screen(page, "Where you feel it")
    # The picture: tap the left calf on the back view, then say what is felt there.
    page.locator('.bc-view-back [data-region="calf_shin_l"]').tap()
    dialog = page.locator("dialog.bc-dialog")
    expect(dialog).to_be_visible()
    shot("03-where-chooser")
    dialog.get_by_role("button", name="Pins and needles or tingling").tap()
    dialog.get_by_role("button", name="Pain").tap()
    dialog.get_by_role("button", name="Done").tap()
    page.locator('.bc-view-back [data-region="buttock_l"]').tap()
    dialog.get_by_role("button", name="Pain").tap()
    dialog.get_by_role("button", name="Done").tap()
    calf = page.locator('.bc-view-back [data-region="calf_shin_l"]')
    for marked in ("bc-marked", "bc-has-pain", "bc-has-pins_needles"):
        expect(calf).to_contain_class(marked)
    shot("03-where")
    next_screen(page, "What it feels like")
    shot("04-feels")
    page.locator('fieldset[data-field="qualities"]').get_by_text("Shooting").tap()
    choose(page, "follows_path", "It follows a clear line down my leg")
    choose(page, "leg_vs_back", "My leg is worse than my back")
    choose(page, "attacks", "Yes")
    choose(page, "worse_on_cough", "Yes")
    choose(page, "weakness", "No")
    next_screen(page, "When and how")
    shot("05-when")
    page.get_by_label("When did this pain start?").fill("2026-10-01")
    for field, label in (
        ("mechanism", "Lifting, bending or twisting"),
        ("previous_episodes", "Once or twice before"),
        ("pattern_24h", "Worse in the morning"),
        ("night_pain", "It wakes me when I move"),
        ("walking", "15 to 30 minutes"),
        ("sitting_relief", "No"),
        ("cart_relief", "No"),
    ):
        choose(page, field, label)
    page.locator('fieldset[data-field="worse_with"]').get_by_text("Sitting").tap()
    next_screen(page, "Your pain now")
    shot("06-pain")
    for field, value in HAPPY["pain"].items():
        choose(page, field, value)
    next_screen(page, "Your health")
    shot("07-history")
    for field, value in HAPPY["history"].items():
        if value == "no":
            choose(page, field, "No")
    next_screen(page, "Important questions")


def test_a_patient_completes_the_whole_intake_on_the_tablet(
    page: Page, live_server, console_errors, artifacts, front_desk_user, intake_patient
):
    hand_over(page, live_server, intake_patient)
    shots = lambda name: screen_checks(page, artifacts, f"{name}-portrait", console_errors)  # noqa: E731
    fill_screens_up_to_red_flags(page, shots)
    shots("08-redflags")
    for field in HAPPY["redflags"]:
        choose(page, field, "No")
    next_screen(page, "How your back affects you")
    expect(page.get_by_test_id("keele-copyright")).to_contain_text("University of Keele")
    shots("09-startback")
    for field, value in HAPPY["startback"].items():
        label = {"agree": "Agree", "disagree": "Disagree", "very_much": "Very much"}[value]
        choose(page, field, label)
    next_screen(page, "Activities you find hard")
    shots("10-psfs")
    # Leave activity 3 unrated: a clear message next to it, nothing typed is lost.
    page.get_by_role("textbox", name="Activity 1").fill("Sitting at work")
    choose(page, "score_1", "3")
    page.get_by_role("textbox", name="Activity 2").fill("Walking the dog")
    choose(page, "score_2", "5")
    page.get_by_role("textbox", name="Activity 3").fill("Putting on socks")
    page.get_by_test_id("next").tap()
    expect(page.get_by_text("Please choose a number from 0 to 10.")).to_be_visible()
    expect(page.get_by_role("textbox", name="Activity 2")).to_have_value("Walking the dog")
    shots("10-psfs-error")
    choose(page, "score_3", "4")
    next_screen(page, "Check and send")
    expect(page.get_by_text("Walking the dog")).to_be_visible()
    expect(page.get_by_text("not licensed on this installation")).to_be_visible()
    shots("11-review")
    page.get_by_test_id("submit-intake").tap()
    expect(page.get_by_test_id("intake-done")).to_be_visible()
    shots("12-done")

    intake = Intake.objects.get(patient=intake_patient)
    assert intake.status == Intake.Status.SUBMITTED
    assert intake.answers["where"]["chart"] == {
        "buttock_l": ["pain"],
        "calf_shin_l": ["pain", "pins_needles"],
    }
    assert intake.scores["startback"]["risk_group"] == "high"
    assert intake.pattern["pattern"] == "radicular"

    # Staff take the tablet back with the kiosk PIN: the front desk reads the intake's
    # status, not its clinical content (that is for the clinicians).
    page.get_by_test_id("kiosk-exit").tap()
    expect(page.get_by_role("heading", name="Staff unlock")).to_be_visible()
    screen_checks(page, artifacts, "13-staff-unlock-portrait", console_errors)
    page.get_by_label("Staff username").fill("frontdesk")
    page.get_by_label("Password or kiosk PIN").fill(PIN)
    page.get_by_test_id("unlock").tap()
    expect(page.get_by_test_id("intake-status")).to_have_text("Submitted")
    expect(page.get_by_text("10 of 11")).to_be_visible()
    expect(page.get_by_test_id("pattern")).to_have_count(0)
    check_tablet_rules(page)
    assert axe_violations(page) == []
    page.screenshot(path=artifacts / "intake-14-staff-summary.png", full_page=True)
    page.goto(f"{live_server.url}/intake/")
    expect(page.get_by_test_id("intake-queue")).to_contain_text("Núñez")
    check_tablet_rules(page)
    page.screenshot(path=artifacts / "intake-15-queue.png", full_page=True)
    assert console_errors == []


def test_the_screens_fit_a_landscape_tablet(
    page: Page, live_server, console_errors, artifacts, front_desk_user, intake_patient
):
    page.set_viewport_size(LANDSCAPE)
    hand_over(page, live_server, intake_patient)
    shots = lambda name: screen_checks(page, artifacts, f"{name}-landscape", console_errors)  # noqa: E731
    fill_screens_up_to_red_flags(page, shots)
    shots("08-redflags")


def _prefilled_intake(patient) -> Intake:
    """An intake answered up to the red-flag screen, as the tablet would have saved it."""
    intake = IntakeFactory(patient=patient, status=Intake.Status.IN_PROGRESS, submitted_at=None)
    answers = {k: v for k, v in HAPPY.items() if k in ("about", "feels", "when", "history")}
    answers["where"] = {"chart": {"calf_shin_l": ["pain"]}}
    answers["pain"] = {k: int(v) for k, v in HAPPY["pain"].items()}
    answers["consent"] = {"treatment_consent": True, "privacy_ack": True, "signed_name": "A"}
    Intake.objects.filter(pk=intake.pk).update(answers=answers, current_step="redflags")
    return intake


def _answered_before(patient, step: str) -> Intake:
    """An intake answered on every screen before `step` (review or odi)."""
    intake = _prefilled_intake(patient)
    answers = Intake.objects.get(pk=intake.pk).answers
    answers["redflags"] = {k: "no" for k in HAPPY["redflags"]}
    answers["startback"] = HAPPY["startback"]
    answers["psfs"] = {"activities": [{"id": "a1", "name": "Sitting", "score": 3}]}
    Intake.objects.filter(pk=intake.pk).update(answers=answers, current_step=step)
    return intake


def test_a_cauda_equina_answer_stops_the_intake_and_alerts_a_second_staff_browser(
    browser: Browser, live_server, artifacts, front_desk_user, intake_patient
):
    UserFactory(username="therapist", first_name="Theo", roles=[Role.THERAPIST])
    _prefilled_intake(intake_patient)
    options = {"viewport": PORTRAIT, "has_touch": True}
    tablet = browser.new_context(**options).new_page()
    staff = browser.new_context(**{**options, "viewport": LANDSCAPE}).new_page()
    sign_in(staff, live_server, "therapist")
    expect(staff.get_by_test_id("therapist-home")).to_be_visible()
    expect(staff.get_by_test_id("red-flag-alert")).to_have_count(0)

    hand_over(tablet, live_server, intake_patient)
    expect(tablet.get_by_test_id("step-title")).to_have_text("Important questions")
    choose(tablet, "CES-3", "Yes")  # bladder: autosaved on the tap, no Next needed
    expect(tablet.get_by_test_id("intake-stopped")).to_be_visible()
    expect(tablet.get_by_text("Please take this tablet to the front desk now.")).to_be_visible()
    assert axe_violations(tablet) == []
    tablet.screenshot(path=artifacts / "intake-cauda-equina-stop.png", full_page=True)

    # The therapist's screen shows the alert without a reload, within 5 seconds.
    alert = staff.get_by_test_id("red-flag-alert")
    expect(alert).to_be_visible(timeout=5000)
    expect(alert).to_contain_text("Possible cauda equina syndrome")
    expect(alert).to_contain_text(intake_patient.mrn)
    staff.screenshot(path=artifacts / "intake-alert-banner.png", full_page=True)
    alert.get_by_role("link", name="Open alert").tap()
    staff.get_by_label("Emergency referral made").check()
    staff.get_by_label("Action taken, or your reasoning for a false positive").fill(
        "Phoned the emergency department; patient sent by ambulance at 10:40."
    )
    staff.screenshot(path=artifacts / "intake-alert-acknowledge.png", full_page=True)
    assert axe_violations(staff) == []
    staff.get_by_test_id("acknowledge").tap()
    expect(staff.get_by_test_id("alert-acknowledged")).to_contain_text("Emergency referral made")
    expect(staff.get_by_test_id("red-flag-alert")).to_have_count(0, timeout=5000)
    alert_row = RedFlagAlert.objects.get()
    assert alert_row.acknowledged_by.username == "therapist"
    assert AuditEvent.objects.filter(action=AuditEvent.Action.ACKNOWLEDGE).count() == 1
    # The tablet stays on the calm message, whatever the patient taps.
    tablet.goto(f"{live_server.url}/kiosk/about/")
    expect(tablet.get_by_test_id("intake-stopped")).to_be_visible()


def test_the_intake_resumes_after_a_reload_and_a_lost_connection(
    page: Page, live_server, front_desk_user, intake_patient, artifacts
):
    intake = _prefilled_intake(intake_patient)
    Intake.objects.filter(pk=intake.pk).update(current_step="when")
    hand_over(page, live_server, intake_patient)
    expect(page.get_by_test_id("step-title")).to_have_text("When and how")
    page.get_by_label("When did this pain start?").fill("2026-09-15")
    choose(page, "mechanism", "A minor fall or knock")
    expect(page.locator("#save-status")).to_contain_text("Saved at")
    # The tablet sleeps and wakes: a reload lands on the same screen with the answers.
    page.reload()
    expect(page.get_by_test_id("step-title")).to_have_text("When and how")
    expect(page.get_by_label("When did this pain start?")).to_have_value("2026-09-15")
    expect(page.locator("#id_mechanism_2")).to_be_checked()
    # The connection drops: the patient is told, and nothing on screen is lost.
    page.context.set_offline(True)
    choose(page, "previous_episodes", "Several times before")
    expect(page.locator("#save-status")).to_contain_text("no connection")
    page.screenshot(path=artifacts / "intake-offline.png", full_page=True)
    page.context.set_offline(False)
    choose(page, "previous_episodes", "No, this is the first time")
    expect(page.locator("#save-status")).to_contain_text("Saved at")
    page.goto(f"{live_server.url}/kiosk/")
    expect(page.locator("#id_previous_episodes_0")).to_be_checked()
    drafts = Intake.objects.get(pk=intake.pk).drafts["when"]
    assert drafts["onset_date"] == ["2026-09-15"] and drafts["mechanism"] == ["minor_trauma"]


def test_a_double_tap_on_send_makes_one_submission(
    page: Page, live_server, front_desk_user, intake_patient
):
    intake = _answered_before(intake_patient, "review")
    services._save_signature(intake, "Ana", b"\x89PNG\r\n", at=intake.started_at)
    hand_over(page, live_server, intake_patient)
    expect(page.get_by_test_id("step-title")).to_have_text("Check and send")
    # Two taps as fast as a finger can, plus a retried request after a dropped reply.
    page.get_by_test_id("submit-intake").dblclick()
    expect(page.get_by_test_id("intake-done")).to_be_visible()
    status = page.evaluate(
        """async () => {
            // The CSRF cookie is HttpOnly: the page's token is where htmx reads it.
            const token = JSON.parse(document.body.getAttribute('hx-headers'))['X-CSRFToken'];
            const body = new URLSearchParams({submission_id: crypto.randomUUID()});
            const r = await fetch('/kiosk/submit/', {method: 'POST', body,
                headers: {'X-CSRFToken': token}, redirect: 'manual'});
            return r.type === 'opaqueredirect' ? 302 : r.status;
        }"""
    )
    assert status == 302
    assert Intake.objects.get(pk=intake.pk).status == Intake.Status.SUBMITTED
    assert AuditEvent.objects.filter(action=AuditEvent.Action.SUBMIT).count() == 1


def test_kiosk_mode_cannot_reach_staff_pages(
    page: Page, live_server, front_desk_user, intake_patient, artifacts
):
    other = PatientFactory(family_name="Okafor")
    hand_over(page, live_server, intake_patient, artifacts)
    expect(page.get_by_test_id("step-title")).to_have_text("About you")
    expect(page.get_by_role("navigation", name="Main")).to_have_count(0)
    for path in (
        "/",
        "/patients/",
        f"/patients/{other.public_id}/",
        "/intake/",
        "/accounts/login/",
    ):
        page.goto(f"{live_server.url}{path}")
        expect(page.get_by_test_id("step-title")).to_have_text("About you")
        assert "Okafor" not in page.content()
    page.go_back()
    page.go_back()
    expect(page.get_by_test_id("step-title")).to_have_text("About you")
    # A wrong PIN keeps the tablet locked.
    page.get_by_test_id("kiosk-exit").tap()
    expect(page.get_by_role("heading", name="Staff unlock")).to_be_visible()
    page.get_by_label("Staff username").fill("frontdesk")
    page.get_by_label("Password or kiosk PIN").fill("000000")
    page.get_by_test_id("unlock").tap()
    expect(page.get_by_text("did not match")).to_be_visible()
    page.goto(f"{live_server.url}/patients/")
    expect(page.get_by_test_id("step-title")).to_have_text("About you")


def test_a_patients_phone_has_no_staff_unlock(
    page: Page, live_server, console_errors, artifacts, front_desk_user, intake_patient
):
    """Opened from a one-time link, Exit only says the page can be closed: no username,
    no PIN, no way into the staff side."""
    intake = services.intake_start(patient=intake_patient, by=front_desk_user)
    _access, token = services.intake_link_create(intake=intake, by=front_desk_user)
    page.set_viewport_size({"width": 360, "height": 740})
    page.goto(f"{live_server.url}/kiosk/link/{token}/")
    page.get_by_label("Your date of birth").fill("1985-04-12")
    page.get_by_role("button", name="Start").tap()
    expect(page.get_by_test_id("step-title")).to_have_text("About you")
    page.get_by_test_id("kiosk-exit").tap()
    expect(page.get_by_test_id("link-exit")).to_contain_text("You can close this page now")
    expect(page.get_by_label("Password or kiosk PIN")).to_have_count(0)
    screen_checks(page, artifacts, "link-exit-phone", console_errors)
    page.goto(f"{live_server.url}/kiosk/exit/")
    # No form but the language switch: nothing to sign in with.
    expect(page.locator("form:not([action='/kiosk/language/'])")).to_have_count(0)
    page.goto(f"{live_server.url}/patients/")
    expect(page.get_by_test_id("step-title")).to_have_text("About you")


def test_the_link_page_and_the_licensed_odi_screen(
    page: Page, live_server, console_errors, artifacts, front_desk_user, intake_patient
):
    import json

    from tests.intake.answers import odi_pack_document

    services.instrument_pack_load(raw=json.dumps(odi_pack_document()).encode())
    intake = _answered_before(intake_patient, "odi")
    _access, token = services.intake_link_create(intake=intake, by=front_desk_user)
    page.goto(f"{live_server.url}/kiosk/link/{token}/")
    expect(page.get_by_role("heading", name="Your form before your visit")).to_be_visible()
    screen_checks(page, artifacts, "link-date-of-birth", console_errors)
    page.get_by_label("Your date of birth").fill("1985-04-12")
    page.get_by_role("button", name="Start").tap()
    expect(page.get_by_test_id("step-title")).to_have_text("Daily life")
    expect(page.get_by_text("Placeholder statement 0").first).to_be_visible()
    screen_checks(page, artifacts, "odi-licensed-pack", console_errors)
