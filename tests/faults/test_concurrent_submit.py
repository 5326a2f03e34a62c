"""Two final submits of the same intake at the same instant (a double tap, or the review
screen open in two tabs), against gunicorn and PostgreSQL: one submission, one set of
results and alerts, and both taps land on the thank-you page."""

import threading
import uuid

import pytest

from tests.faults.flows import Timings, answer_screens, open_link
from tests.intake.answers import HAPPY
from tests.stack import AppClient

pytestmark = pytest.mark.worker

# Belly pain with faintness: an emergency red flag (not cauda equina, which would stop the
# intake on its screen), raised as an alert when the intake is sent.
EMERGENCY = {
    **HAPPY,
    "redflags": {**HAPPY["redflags"], "SX-ABDO-PAIN": "yes", "SX-FAINT": "yes"},
}


def test_two_simultaneous_final_submits_make_one_submission_and_one_alert(stack):
    data = stack.seed(links=1)
    link = data["links"][0]
    tablet = AppClient(stack.url)
    open_link(tablet, link, Timings())
    answer_screens(tablet, EMERGENCY, Timings(), answers=EMERGENCY)

    # Two connections with the same session, as two tabs of one browser.
    taps = []
    for _ in range(2):
        tab = AppClient(stack.url)
        tab.http.cookies.update(tablet.http.cookies)
        taps.append(tab)
    ids = [str(uuid.uuid4()) for _ in taps]
    barrier = threading.Barrier(len(taps))
    answers: list = [None] * len(taps)

    def tap(n: int) -> None:
        barrier.wait()
        answers[n] = taps[n].post("/kiosk/submit/", {"submission_id": ids[n]})

    threads = [threading.Thread(target=tap, args=(n,)) for n in range(len(taps))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)

    for response in answers:
        assert response is not None, "a submit did not answer"
        assert response.status_code == 200, response.status_code
        assert response.url.endswith("/kiosk/done/"), response.url
    intake = stack.sql(
        "SELECT status, submission_id::text AS submission, red_flag_level, "
        "(SELECT count(*) FROM intake_redflagalert r WHERE r.intake_id = i.id) AS alerts, "
        "(SELECT count(*) FROM audit_auditevent a WHERE a.patient_id = i.patient_id "
        " AND a.action = 'submit') AS submits "
        "FROM intake_intake i WHERE i.id = %s",
        (link["intake"],),
    )[0]
    assert intake["status"] == "submitted"
    assert intake["red_flag_level"] == "EMERGENCY"
    assert intake["submission"] in ids
    assert intake["alerts"] == 1, "the red-flag alert was raised more than once"
    assert intake["submits"] == 1, "the intake was submitted more than once"
