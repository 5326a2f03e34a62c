"""A therapist records a whole evaluation at tablet size by touch (and a little keyboard),
meets a second tab's conflicting save, signs, and adds an addendum; the signed record is
read-only; front desk is refused. Screenshots go to test-artifacts/evaluation-*.png."""

import random
from datetime import date, timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from accounts.roles import Role
from evaluations.demo import demo_evaluation
from evaluations.models import Addendum, Evaluation
from intake.models import Intake
from tests.browser.conftest import LANDSCAPE, PORTRAIT
from tests.browser.helpers import axe_violations, check_tablet_rules, remove_tool_styles, sign_in
from tests.evaluations.helpers import INTAKE_ANSWERS
from tests.factories import TEST_PASSWORD, IntakeFactory, PatientFactory, UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def setting():
    therapist = UserFactory(username="pt", first_name="Pat", roles=[Role.THERAPIST])
    UserFactory(username="frontdesk", roles=[Role.FRONT_DESK])
    patient = PatientFactory(given_name="Ana", family_name="Núñez", date_of_birth=date(1980, 3, 2))
    IntakeFactory(
        patient=patient,
        status=Intake.Status.SUBMITTED,
        answers=INTAKE_ANSWERS,
        scores={"psfs": {"mean": 3.0}},
        submitted_at=timezone.now() - timedelta(days=2),
    )
    return therapist, patient


def checks(page: Page, artifacts, name: str, console_errors) -> None:
    check_tablet_rules(page)
    assert axe_violations(page) == [], name
    page.screenshot(path=artifacts / f"evaluation-{name}.png", full_page=True)
    remove_tool_styles(page)
    assert console_errors == [], name


def saved(page: Page, key: str) -> None:
    expect(page.get_by_test_id(f"status-{key}")).to_contain_text("Saved at", timeout=5000)


def pick(page: Page, label: str, value: str) -> None:
    page.get_by_label(label, exact=True).select_option(value)


def settle(page: Page) -> None:
    """Wait for a scroll to end: Bootstrap scrolls smoothly to a followed link."""
    page.evaluate(
        """() => new Promise(resolve => {
            let last = -1, same = 0;
            const tick = () => {
                if (window.scrollY === last) { if (++same > 5) return resolve(); }
                else { same = 0; last = window.scrollY; }
                requestAnimationFrame(tick);
            };
            tick();
        })"""
    )


def evaluation_row(evaluation: Evaluation, key: str, row_key: str) -> dict:
    evaluation.refresh_from_db()
    return next(r for r in evaluation.content[key]["rows"] if r["key"] == row_key)


def test_a_therapist_records_signs_and_amends_an_evaluation(
    page: Page, live_server, setting, artifacts, console_errors, browser
):
    therapist, patient = setting
    sign_in(page, live_server, "pt")
    page.goto(f"{live_server.url}/patients/{patient.public_id}/")
    page.get_by_role("button", name="Start initial evaluation").tap()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Initial evaluation")
    expect(page.locator("#s-intake")).to_contain_text("Walking the dog")
    evaluation = Evaluation.objects.get(patient=patient)
    checks(page, artifacts, "start", console_errors)

    # Visit and outcomes: leg pain by keyboard, the rest by touch.
    page.get_by_label("Back pain now, 0 to 10").select_option("3")
    leg = page.get_by_label("Leg pain now, 0 to 10")
    leg.focus()
    page.keyboard.press("7")
    pick(page, "Most distal symptom today", "BELOW_KNEE")
    pick(page, "PSFS: Walking the dog, 0 to 10", "4")
    saved(page, "outcomes")

    # Repeated movements: extension in lying centralises, flexion in standing peripheralises.
    eil = "Extension in lying"
    page.get_by_label(f"{eil}: order done", exact=True).fill("1")
    page.get_by_label(f"{eil}: repetitions", exact=True).fill("10")
    pick(page, f"{eil}: most distal symptom before", "BELOW_KNEE")
    page.get_by_test_id("mv-std:EIL").get_by_text("Centralising", exact=True).tap()
    pick(page, f"{eil}: after", "CENTRALISED")
    pick(page, f"{eil}: most distal symptom after", "THIGH")
    pick(page, f"{eil}: mechanical response", "ROM_INCREASED")
    fis = "Flexion in standing"
    page.get_by_label(f"{fis}: order done", exact=True).fill("2")
    page.get_by_label(f"{fis}: repetitions", exact=True).fill("10")
    pick(page, f"{fis}: most distal symptom before", "THIGH")
    pick(page, f"{fis}: after", "PERIPHERALISED")
    pick(page, f"{fis}: most distal symptom after", "BELOW_KNEE")
    pick(page, f"{fis}: mechanical response", "ROM_DECREASED")
    saved(page, "movements")
    expect(page.get_by_test_id("directional-preference")).to_have_text("Extension")

    # Neurodynamic: SLR 40° left with differentiation, 80° right.
    slr_l, slr_r = "Straight-leg raise, left", "Straight-leg raise, right"
    page.get_by_label(f"{slr_l}: onset angle, degrees", exact=True).fill("40")
    pick(page, f"{slr_l}: measured by", "INCLINOMETER")
    pick(page, f"{slr_l}: symptoms reproduced", "FAMILIAR_FULL")
    pick(page, f"{slr_l}: symptoms below the knee", "yes")
    page.get_by_test_id("nd-std:SLR:L").get_by_text("Ankle dorsiflexion", exact=True).tap()
    # Where felt: the body chart's regions in its own words, by touch.
    where = page.get_by_test_id("nd-std:SLR:L").locator("[data-region-picker]")
    expect(where.locator("summary")).to_have_text("Where felt: none chosen")
    where.locator("summary").tap()
    where.get_by_text("Back of thigh, left", exact=True).tap()
    where.get_by_text("Calf and shin, left", exact=True).tap()
    expect(where.locator("summary")).to_have_text(
        "Where felt: Back of thigh, left; Calf and shin, left"
    )
    expect(where.get_by_role("checkbox", name="Calf and shin, left")).to_be_checked()
    page.get_by_test_id("nd-std:SLR:L").screenshot(path=artifacts / "evaluation-where-felt.png")
    remove_tool_styles(page)
    pick(page, f"{slr_l}: differentiation changed the symptoms", "INCREASED")
    pick(page, f"{slr_l}: interpretation", "POSITIVE_NEURAL")
    page.get_by_label(f"{slr_r}: onset angle, degrees", exact=True).fill("80")
    pick(page, f"{slr_r}: measured by", "INCLINOMETER")
    pick(page, f"{slr_r}: symptoms reproduced", "NONE")
    saved(page, "neurodynamic")
    expect(page.get_by_test_id("angle-SLR")).to_contain_text("40°")
    expect(page.get_by_test_id("angle-SLR")).to_contain_text("Straight-leg raise")
    slr = evaluation_row(evaluation, "neurodynamic", "std:SLR:L")
    assert slr["symptom_location"] == "thigh_back_l, calf_shin_l"

    # Neuro exam: weak EHL and reduced L5 sensation on the left.
    pick(page, "Great-toe extension (L5), left, MRC grade", "3")
    pick(page, "Great-toe extension (L5), right, MRC grade", "5")
    pick(page, "L5 light touch, left", "REDUCED")
    pick(page, "L5 light touch, right", "NORMAL")
    pick(page, "Achilles (ankle jerk) reflex, left", "2+")
    pick(page, "Achilles (ankle jerk) reflex, right", "2+")
    saved(page, "neuro")
    expect(page.get_by_test_id("suggested-level")).to_contain_text("L5")
    page.locator("#s-neuro").get_by_role("button", name="Save neurological examination").tap()
    expect(page.get_by_test_id("myo-GREAT_TOE_EXTENSION")).to_contain_text("differs")

    # Classification: start from the suggestion, write the rationale.
    expect(page.get_by_test_id("suggested-category")).to_contain_text("radiculopathy")
    page.get_by_role("button", name="Fill in the system's suggestion").tap()
    expect(page.get_by_label("Category")).to_have_value("RADICULOPATHY_PAINFUL")
    page.get_by_label("Your rationale", exact=True).fill(
        "Weak EHL, reduced L5 sensation and a positive SLR with differentiation."
    )
    saved(page, "classification")

    # Plan of care.
    page.get_by_test_id("plan-directional_preference").locator("input[type=checkbox]").first.check()
    pick(page, "Directional-preference exercise: Direction", "extension")
    page.get_by_test_id("plan-pain_neuroscience").locator("input[type=checkbox]").first.check()
    page.get_by_label("Visits per week").fill("2")
    page.get_by_label("Weeks").fill("6")
    later = (timezone.localdate() + timedelta(days=42)).isoformat()
    page.get_by_label("Re-evaluation date").fill(later)
    pick(page, "Goal 1: measure", "leg_pain")
    page.get_by_label("Goal 1: target").fill("Leg pain 3/10 or less")
    page.get_by_label("Goal 1: by").fill(later)
    saved(page, "plan")
    expect(page.get_by_test_id("findings-plan")).to_contain_text("Directional-preference")
    checks(page, artifacts, "recorded", console_errors)

    # A second tab on the same draft saves an older version of a section: it is told and
    # keeps its input.
    other = page.context.new_page()
    other.goto(f"{live_server.url}/evaluations/{evaluation.public_id}/")
    page.get_by_label("Subjective notes").fill("Better since Tuesday.")
    saved(page, "outcomes")
    other.get_by_label("Subjective notes").fill("Typed in the other tab.")
    expect(other.get_by_test_id("conflict")).to_be_visible(timeout=5000)
    expect(other.get_by_label("Subjective notes")).to_have_value("Typed in the other tab.")
    other.screenshot(path=artifacts / "evaluation-conflict.png")
    other.close()
    evaluation.refresh_from_db()
    assert evaluation.content["outcomes"]["notes"] == "Better since Tuesday."

    # Sign with the password.
    expect(page.locator("#sign-panel")).not_to_contain_text("Before you can sign")
    page.get_by_role("link", name="Sign the evaluation").tap()
    page.get_by_label("Your password").fill("wrong-password")
    page.get_by_role("button", name="Sign and lock").tap()
    expect(page.get_by_role("alert")).to_contain_text("That password is not right")
    page.get_by_label("Your password").fill(TEST_PASSWORD)
    page.get_by_role("button", name="Sign and lock").tap()
    expect(page.get_by_test_id("signed-banner")).to_contain_text("verified, unchanged")
    expect(page.get_by_test_id("evaluation-status")).to_have_text("Signed and locked")
    expect(page.get_by_label("Back pain now, 0 to 10")).to_be_disabled()
    # The signed record reads in words: where felt as the chart labels it, no codes.
    expect(where.locator("summary")).to_have_text(
        "Where felt: Back of thigh, left; Calf and shin, left"
    )
    text = page.locator("main").inner_text()
    assert "thigh_back_l" not in text and "calf_shin_l" not in text
    page.get_by_test_id("nd-std:SLR:L").screenshot(
        path=artifacts / "evaluation-where-felt-signed.png"
    )
    checks(page, artifacts, "signed", console_errors)

    # An addendum, shown beside the section it is about.
    page.get_by_role("link", name="Add an addendum").first.tap()
    page.get_by_label("About").select_option("neuro")
    page.get_by_label("Why").fill("Reflexes re-tested after the session")
    page.get_by_label("Addendum").fill("Achilles reflex 1+ on the left on re-test.")
    page.get_by_role("button", name="Add the addendum").tap()
    expect(page.locator("#s-neuro").get_by_test_id("addendum")).to_contain_text("re-tested")
    assert Addendum.objects.filter(evaluation=evaluation, by=therapist).count() == 1
    checks(page, artifacts, "addendum", console_errors)

    # Front desk is refused the evaluation.
    desk = browser.new_context(viewport={"width": 768, "height": 1024}, has_touch=True)
    desk_page = desk.new_page()
    sign_in(desk_page, live_server, "frontdesk")
    response = desk_page.goto(f"{live_server.url}/evaluations/{evaluation.public_id}/")
    assert response.status == 403
    desk.close()


@pytest.mark.parametrize("viewport", [PORTRAIT, LANDSCAPE], ids=["768x1024", "1024x768"])
def test_the_section_links_stay_in_reach_at_the_bottom_of_the_page(
    page: Page, live_server, setting, artifacts, console_errors, viewport
):
    therapist, patient = setting
    intake = patient.intakes.get()
    evaluation = demo_evaluation(
        patient=patient,
        intake=intake,
        therapist=therapist,
        kind="initial",
        visit_date=timezone.localdate(),
        vignette="L5",
        rng=random.Random(3),
        improvement=0.0,
        sign=False,
    )
    page.set_viewport_size(viewport)
    sign_in(page, live_server, "pt")
    page.goto(f"{live_server.url}/evaluations/{evaluation.public_id}/")
    nav = page.get_by_test_id("section-nav")
    links = nav.get_by_role("link")
    expect(links).to_have_count(9)
    page.evaluate("() => window.scrollTo(0, document.documentElement.scrollHeight)")
    page.wait_for_function(
        "() => window.scrollY + window.innerHeight >= document.documentElement.scrollHeight - 1"
    )
    name = f"sticky-nav-{viewport['width']}x{viewport['height']}"
    page.screenshot(path=artifacts / f"evaluation-{name}-bottom.png")
    for n in range(links.count()):
        box = links.nth(n).bounding_box()
        assert box is not None, n
        assert box["height"] >= 44 and box["width"] >= 44, (n, box)
        assert box["y"] >= 0 and box["y"] + box["height"] <= viewport["height"], (n, box)
        assert box["x"] >= 0 and box["x"] + box["width"] <= viewport["width"], (n, box)
    # Tapping one from down there opens its section with the heading clear of the bar.
    nav.get_by_role("link", name="Neurodynamic").tap()
    settle(page)
    heading = page.locator("#h-neurodynamic")
    expect(heading).to_be_in_viewport()
    bar = nav.bounding_box()
    below = heading.bounding_box()["y"] - (bar["y"] + bar["height"])
    assert 0 <= below < 60, (heading.bounding_box(), bar)
    # Moving to a field with the keyboard keeps it clear of the bar too.
    page.get_by_label("Back pain now, 0 to 10").focus()
    settle(page)
    field = page.get_by_label("Back pain now, 0 to 10").bounding_box()
    assert field["y"] >= bar["y"] + bar["height"], (field, bar)
    page.screenshot(path=artifacts / f"evaluation-{name}-followed.png")
    checks(page, artifacts, name, console_errors)
