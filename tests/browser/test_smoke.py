"""Each role signs in on a tablet and finds its work; the pages obey the tablet rules."""

import pytest
from playwright.sync_api import Page, expect

from accounts.roles import Role
from tests.browser.conftest import LANDSCAPE, PORTRAIT
from tests.browser.helpers import check_tablet_rules, open_menu_item, sign_in
from tests.factories import IntakeFactory, PatientFactory, UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

ROLE_HOME = {
    "frontdesk": (Role.FRONT_DESK, "frontdesk-home", "Today's intakes"),
    "therapist": (Role.THERAPIST, "therapist-home", "Patients awaiting evaluation"),
    "administrator": (Role.ADMINISTRATOR, "admin-home", "Clinic administration"),
}


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
