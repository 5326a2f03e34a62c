"""PostgreSQL stopped and started again while a patient is half-way through the tablet.

While it is down every page answers at once with a 503 that says nothing was lost (a line
of text for the autosave, which the screen shows), and a final submit fails without
writing anything. Once it is back the autosaved answers are all there and the patient
finishes and sends the intake, once.
"""

import json
import re

import pytest
import requests

from tests.faults.flows import Timings, answer_screens, submit
from tests.intake.answers import HAPPY
from tests.stack import AppClient, sign_in

pytestmark = pytest.mark.worker

# A refused connection fails at once; gunicorn answers a 503 in well under a second.
# Hanging until PostgreSQL's 5 s connect_timeout would fail this.
DOWN_LIMIT_SECONDS = 2.0
BEFORE_PAIN = ["about", "consent", "where", "feels", "when"]
AFTER_PAIN = ["pain", "history", "redflags", "startback", "psfs"]


def _hand_over_tablet(stack, data) -> tuple[AppClient, int]:
    """The front desk starts the patient's intake and hands the tablet over."""
    tablet = AppClient(stack.url)
    sign_in(tablet, data["staff"]["frontdesk"]["username"], data["password"])
    patient = data["patients"][0]["public_id"]
    handover = tablet.post(f"/intake/start/{patient}/")
    public_id = re.search(r"/intake/([0-9a-f-]{36})/handover/", handover.url).group(1)
    # Kiosk mode needs one of the clinic's tablets: enrol this one first.
    enrolled = tablet.post("/intake/tablets/this-device/", {"name": "Front desk 1"})
    assert enrolled.status_code == 200, enrolled.status_code
    opened = tablet.post(f"/intake/{public_id}/kiosk/")
    assert opened.url.endswith("/kiosk/about/"), opened.url
    intake = stack.sql("SELECT id FROM intake_intake WHERE public_id = %s", (public_id,))[0]
    return tablet, intake["id"]


def _intake(stack, intake_id: int) -> dict:
    return stack.sql(
        "SELECT status, submitted_at, submission_id, drafts, answers, red_flag_level "
        "FROM intake_intake WHERE id = %s",
        (intake_id,),
    )[0]


def _patient_rows(stack, intake_id: int) -> dict:
    return stack.sql(
        "SELECT "
        "(SELECT count(*) FROM intake_redflagalert r WHERE r.intake_id = i.id) AS alerts, "
        "(SELECT count(*) FROM audit_auditevent a WHERE a.patient_id = i.patient_id "
        " AND a.action = 'submit') AS submits "
        "FROM intake_intake i WHERE i.id = %s",
        (intake_id,),
    )[0]


def test_it_answers_503_while_postgres_is_down_and_keeps_every_autosaved_answer(stack):
    data = stack.seed(patients=1)
    tablet, intake_id = _hand_over_tablet(stack, data)
    timings = Timings()
    answer_screens(tablet, BEFORE_PAIN, timings)
    # Half-way through the pain screen: two answers autosaved, the rest not given yet.
    saved = tablet.post(
        "/kiosk/pain/autosave/", {"nprs_back_now": "7", "nprs_leg_now": "6"}, htmx=True
    )
    assert saved.status_code == 200 and "Saved at" in saved.text

    stack.stop_postgres()
    try:
        page = timings.call("page while down", tablet.get, "/kiosk/pain/")
        autosave = timings.call(
            "autosave while down",
            tablet.post,
            "/kiosk/pain/autosave/",
            {"nprs_back_now": "7", "nprs_leg_now": "6", "nprs_back_best_24h": "2"},
            htmx=True,
        )
        final = timings.call(
            "submit while down", tablet.post, "/kiosk/submit/", {"submission_id": "0" * 32}
        )
        health = timings.call(
            "healthz while down", requests.get, f"{stack.url}/healthz", timeout=10
        )
    finally:
        stack.start_postgres()

    label, slowest = timings.slowest()
    assert slowest < DOWN_LIMIT_SECONDS, f"{label} took {slowest:.2f} s: {timings.seconds}"
    assert page.status_code == 503
    assert "The answers you have already given are kept." in page.text
    assert autosave.status_code == 503
    assert autosave.headers["Content-Type"].startswith("text/plain")
    assert autosave.text.startswith("Not saved yet: the clinic's system is not answering.")
    assert final.status_code == 503
    for response in (page, autosave, final):
        assert "Traceback" not in response.text and "psycopg" not in response.text
        assert "OperationalError" not in response.text
    assert health.status_code == 503
    assert json.loads(health.text)["checks"]["database"] == "unavailable"

    # Back up: nothing half-written, nothing lost.
    intake = _intake(stack, intake_id)
    assert intake["status"] == "in_progress"
    assert intake["submitted_at"] is None and intake["submission_id"] is None
    assert intake["drafts"]["pain"]["nprs_back_now"] == ["7"]
    assert intake["drafts"]["pain"]["nprs_leg_now"] == ["6"]
    assert set(BEFORE_PAIN) <= set(intake["answers"])
    assert _patient_rows(stack, intake_id) == {"alerts": 0, "submits": 0}

    # The same tablet carries on where it was, with the autosaved answers on the screen.
    page = tablet.get("/kiosk/")
    assert page.status_code == 200 and page.url.endswith("/kiosk/pain/")
    assert re.search(r'<input[^>]*id="id_nprs_back_now_7"[^>]*checked', page.text)
    assert re.search(r'<input[^>]*id="id_nprs_leg_now_6"[^>]*checked', page.text)
    answer_screens(tablet, AFTER_PAIN, timings)
    done = submit(tablet, timings)
    assert done.status_code == 200 and done.url.endswith("/kiosk/done/")
    intake = _intake(stack, intake_id)
    assert intake["status"] == "submitted"
    assert set(HAPPY) <= set(intake["answers"])
    assert _patient_rows(stack, intake_id) == {"alerts": 0, "submits": 1}
