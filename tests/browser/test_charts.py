"""Chart text on screen is at least 11 px at tablet size (issue 21 point 6): the charts
are never scaled down below the size they are drawn at."""

import random
from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import Page

from accounts.roles import Role
from evaluations.demo import demo_evaluation
from tests.browser.conftest import LANDSCAPE, PORTRAIT
from tests.browser.helpers import sign_in
from tests.factories import IntakeFactory, PatientFactory, UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SMALLEST_TEXT_JS = """
() => [...document.querySelectorAll('.chart svg')].flatMap(svg => {
  const scale = svg.getBoundingClientRect().width / svg.width.baseVal.value;
  return [...svg.querySelectorAll('text')].map(t =>
    parseFloat(t.getAttribute('font-size') || getComputedStyle(t).fontSize) * scale);
}).reduce((a, b) => Math.min(a, b), 99)
"""


@pytest.mark.parametrize("viewport", [PORTRAIT, LANDSCAPE], ids=["portrait", "landscape"])
def test_chart_text_is_at_least_11_px(page: Page, live_server, viewport, artifacts):
    therapist = UserFactory(username="pt", roles=[Role.THERAPIST])
    patient = PatientFactory()
    intake = IntakeFactory(patient=patient)
    rng = random.Random(4)
    for days, kind in ((30, "initial"), (10, "reevaluation")):
        demo_evaluation(
            patient=patient,
            intake=intake,
            therapist=therapist,
            kind=kind,
            visit_date=timezone.localdate() - timedelta(days=days),
            vignette="L5",
            rng=rng,
            improvement=0.5 if kind == "reevaluation" else 0.0,
            sign=True,
        )
    page.set_viewport_size(viewport)
    sign_in(page, live_server, "pt")
    page.goto(f"{live_server.url}/evaluations/progress/{patient.public_id}/")
    page.wait_for_selector(".chart svg")
    assert page.evaluate(SMALLEST_TEXT_JS) >= 11
    page.screenshot(path=artifacts / f"progress-charts-{viewport['width']}.png", full_page=True)
