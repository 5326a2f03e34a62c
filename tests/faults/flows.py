"""What patients and staff do, over HTTP against the stack, each step timed."""

from __future__ import annotations

import time
from dataclasses import dataclass, field

from tests.intake.answers import HAPPY
from tests.stack import AppClient

# A made-up submission id: the review screen puts a fresh one in its form.
SUBMISSION_ID = "6f0a8c9e-2d1b-4a57-9d7e-0c3b1f2a4e55"


@dataclass
class Timings:
    """Seconds each request took, by what it was."""

    seconds: dict[str, float] = field(default_factory=dict)

    def call(self, label: str, fn, *args, **kwargs):
        started = time.monotonic()
        try:
            return fn(*args, **kwargs)
        finally:
            self.seconds[label] = time.monotonic() - started

    def slowest(self) -> tuple[str, float]:
        return max(self.seconds.items(), key=lambda item: item[1])


def open_link(client: AppClient, link: dict, timings: Timings) -> None:
    """The patient opens their one-time link and confirms their date of birth."""
    path = f"/kiosk/link/{link['token']}/"
    timings.call(f"{path} GET", client.get, path)
    response = timings.call(f"{path} POST", client.post, path, {"date_of_birth": link["dob"]})
    assert response.status_code == 200 and response.url.endswith("/kiosk/about/"), response.url


def answer_screens(client: AppClient, steps, timings: Timings, answers: dict | None = None) -> None:
    """Answer each screen and tap Next; each lands on the following screen."""
    answers = answers or HAPPY
    for step in steps:
        response = timings.call(
            f"/kiosk/{step}/ POST",
            client.post,
            f"/kiosk/{step}/",
            {**answers[step], "nav": "next"},
        )
        assert response.status_code == 200, (step, response.status_code)
        assert f"/kiosk/{step}/" not in response.url, f"{step} was not accepted"


def submit(client: AppClient, timings: Timings, submission_id: str = SUBMISSION_ID):
    response = timings.call(
        "/kiosk/submit/ POST", client.post, "/kiosk/submit/", {"submission_id": submission_id}
    )
    return response
