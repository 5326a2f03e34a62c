"""Each role signs in on a tablet and finds its work; the pages obey the tablet rules."""

import pytest
from playwright.sync_api import Page, expect

from accounts.roles import Role
from tests.browser.conftest import LANDSCAPE, PORTRAIT
from tests.factories import TEST_PASSWORD, IntakeFactory, PatientFactory, UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

ROLE_HOME = {
    "frontdesk": (Role.FRONT_DESK, "frontdesk-home", "Today's intakes"),
    "therapist": (Role.THERAPIST, "therapist-home", "Patients awaiting evaluation"),
    "administrator": (Role.ADMINISTRATOR, "admin-home", "Clinic administration"),
}

# Interactive elements a finger must hit, in the visible page.
TOUCH_TARGETS_JS = """
() => [...document.querySelectorAll(
    'button, .btn, select, textarea, .nav-link, .page-link, .list-group-item-action, ' +
    'input:not([type=hidden]):not([type=checkbox]):not([type=radio])')]
  .filter(el => el.offsetParent !== null)
  .map(el => ({tag: el.tagName, text: (el.innerText || el.name || el.id || '').trim().slice(0, 40),
               h: el.getBoundingClientRect().height}))
  .filter(t => t.h < 44)
"""

UNLABELLED_JS = """
() => [...document.querySelectorAll('input:not([type=hidden]), select, textarea')]
  .filter(el => !(el.labels && el.labels.length) && !el.getAttribute('aria-label'))
  .map(el => el.name || el.id)
"""


def sign_in(page: Page, live_server, username: str) -> None:
    page.goto(f"{live_server.url}/")
    expect(page).to_have_url(f"{live_server.url}/accounts/login/?next=/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(TEST_PASSWORD)
    page.get_by_role("button", name="Sign in").click()


def open_menu_item(page: Page, name: str) -> None:
    """Follow a main-menu link, opening the collapsed menu first on a narrow screen."""
    toggler = page.get_by_role("button", name="Show menu")
    if toggler.is_visible():
        toggler.click()
    page.get_by_role("navigation", name="Main").get_by_role("link", name=name).click()


def check_tablet_rules(page: Page) -> None:
    assert page.evaluate(TOUCH_TARGETS_JS) == []
    assert page.evaluate(UNLABELLED_JS) == []
    # Nothing wider than the screen: no sideways scrolling on a tablet.
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


@pytest.mark.parametrize("username", ROLE_HOME)
@pytest.mark.parametrize("viewport", [PORTRAIT, LANDSCAPE], ids=["portrait", "landscape"])
def test_each_role_signs_in_and_sees_its_home_page(
    page: Page, live_server, console_errors, artifacts, username, viewport
):
    role, testid, heading = ROLE_HOME[username]
    UserFactory(username=username, first_name="Sam", roles=[role])
    IntakeFactory(patient=PatientFactory(family_name="Okafor"))
    page.set_viewport_size(viewport)
    sign_in(page, live_server, username)
    section = page.get_by_test_id(testid)
    expect(section).to_be_visible()
    expect(section.get_by_role("heading", name=heading)).to_be_visible()
    expect(page.get_by_test_id("signed-in-as")).to_contain_text(role.value, use_inner_text=False)
    check_tablet_rules(page)
    orientation = "portrait" if viewport == PORTRAIT else "landscape"
    page.screenshot(path=artifacts / f"home-{username}-{orientation}.png", full_page=True)
    assert console_errors == []


def test_front_desk_registers_and_finds_a_patient(
    page: Page, live_server, console_errors, artifacts
):
    UserFactory(username="frontdesk", roles=[Role.FRONT_DESK])
    sign_in(page, live_server, "frontdesk")
    page.get_by_role("link", name="Register a patient").first.click()
    page.get_by_label("Given name").fill("Zofia")
    page.get_by_label("Family name").fill("Wójcik")
    page.get_by_label("Date of birth").fill("1971-06-30")
    page.get_by_label("Sex").select_option("female")
    page.get_by_label("Phone", exact=True).fill("not a phone")
    page.get_by_role("button", name="Register patient").click()
    # Bad input: a clear message, and what was typed is still there.
    expect(page.get_by_text("Enter a phone number")).to_be_visible()
    expect(page.get_by_label("Family name")).to_have_value("Wójcik")
    check_tablet_rules(page)
    page.screenshot(path=artifacts / "patient-form-error.png", full_page=True)
    page.get_by_label("Phone", exact=True).fill("+44 7700 900111")
    page.get_by_role("button", name="Register patient").click()
    expect(page.get_by_role("heading", name="Wójcik, Zofia")).to_be_visible()
    mrn = page.get_by_test_id("mrn").inner_text()

    # Search as you type (htmx), without the query ever reaching the URL.
    open_menu_item(page, "Patients")
    page.get_by_label("Find a patient").fill("wojc")
    expect(page.locator("#results")).to_contain_text(mrn)
    expect(page.get_by_test_id("result-count")).to_contain_text("1 patient found")
    assert "wojc" not in page.url
    check_tablet_rules(page)
    page.screenshot(path=artifacts / "patient-search.png", full_page=True)
    assert console_errors == []


def test_signing_out_returns_to_the_sign_in_page_and_back_shows_nothing(page: Page, live_server):
    UserFactory(username="frontdesk", roles=[Role.FRONT_DESK])
    patient = PatientFactory(family_name="Okafor")
    sign_in(page, live_server, "frontdesk")
    page.goto(f"{live_server.url}/patients/{patient.public_id}/")
    expect(page.get_by_role("heading", name="Okafor")).to_be_visible()
    page.get_by_role("button", name="Sign out").click()
    expect(page.get_by_role("heading", name="Sign in")).to_be_visible()
    page.go_back()
    expect(page.get_by_text("Okafor")).to_have_count(0)
