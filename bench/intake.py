"""Tablet intake benchmark against PostgreSQL: a screen save and the final submit, and a
follow-up packet's screen saves on the patient's phone.

Each request goes through the whole Django stack in-process (middleware, session,
view, service, audit entry), as the tablet's autosave and Send button make them.

    uv run python bench/intake.py [--database-url URL] [--runs N]

Prints the median and p95 time and the number of SQL queries of each request. The
target is a p95 under 50 ms per save. Exits 1 if a p95 is over the target or a request's
query count varies between runs, 2 on error. See bench/README.md.
"""

import sys
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench._common import measure, start  # noqa: E402

DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/clinic_bench_intake"
TARGET_MS = 50.0
WARMUP = 5


def kiosk_client(intake, by):
    """A browser holding `intake` in kiosk mode on an enrolled tablet, as after the front
    desk's hand-over (so every request pays the grant check a real tablet pays)."""
    from django.conf import settings
    from django.test import Client

    from intake import patient_session, services, tablets

    tablet, raw = tablets.tablet_enrol(name="Bench tablet", by=by)
    access = services.intake_kiosk_handover(intake=intake, by=by, tablet=tablet)
    client = Client()
    client.cookies[settings.TABLET_COOKIE_NAME] = raw
    session = client.session
    session[patient_session.SESSION_KEY] = {
        "intake": intake.pk,
        "access": access.pk,
        "kind": access.kind,
        "seen": int(time.time()),
    }
    session.save()
    return client


def phone_client(packet, by, date_of_birth):
    """The patient's own phone holding `packet`, opened from its one-time link with the
    date of birth, as at home."""
    from django.test import Client
    from django.urls import reverse

    from intake import services

    _access, token = services.intake_link_create(intake=packet, by=by)
    client = Client()
    response = client.post(
        reverse("kiosk:link", args=[token]), {"date_of_birth": date_of_birth.isoformat()}
    )
    if response.status_code != 302:
        raise SystemExit(f"the packet's link answered {response.status_code}")
    return client


def keep_fresh(client) -> None:
    """Mark the patient session as just used, outside the timing: every 10 seconds the
    session check writes its last-use time, which would add a query to that request."""
    from intake import patient_session

    session = client.session
    session[patient_session.SESSION_KEY]["seen"] = int(time.time())
    session.save()


def timed(client, url: str, data: dict) -> tuple[float, int]:
    from django.db import connection, reset_queries
    from django.test.utils import CaptureQueriesContext

    # The query log keeps at most 9,000 entries; once full, CaptureQueriesContext counts 0.
    reset_queries()
    with CaptureQueriesContext(connection) as ctx:
        start = time.perf_counter()
        response = client.post(url, data)
        elapsed = (time.perf_counter() - start) * 1000
    if response.status_code not in (200, 302):
        raise SystemExit(f"{url} answered {response.status_code}")
    return elapsed, len(ctx.captured_queries)


def packet_saves(patient, desk, n: int) -> list[dict]:
    """A follow-up packet's screen saves on the phone: pain now; the first visit's
    activities rated again (which reads that visit); the red-flag questions (the cauda
    equina check on every save); and a save with Next."""
    from django.urls import reverse
    from django.utils import timezone

    from intake.models import Intake
    from tests.factories import IntakeFactory
    from tests.intake.followup.answers import POSTS, baseline_answers

    baseline = IntakeFactory(patient=patient, answers=baseline_answers())
    packet = Intake.objects.create(
        patient=patient,
        episode=baseline.episode,
        kind=Intake.Kind.FOLLOW_UP,
        purpose=Intake.Purpose.REEVALUATION,
        due_on=timezone.localdate(),
        status=Intake.Status.IN_PROGRESS,
    )
    phone = phone_client(packet, desk, patient.date_of_birth)
    rows = []
    for step, label in (
        ("pain", "packet autosave: pain now (2 ratings)"),
        ("psfs", "packet autosave: activities (reads the first visit)"),
        ("redflags", "packet autosave: red flags (with CES check)"),
    ):
        url = reverse("kiosk:autosave", args=[step])
        runs = []
        for i in range(WARMUP + n):
            varied = dict(POSTS[step])
            if step == "pain":
                varied["nprs_leg_now"] = str(i % 11)
            keep_fresh(phone)
            result = timed(phone, url, varied)
            if i >= WARMUP:
                runs.append(result)
        rows.append(measure(label, runs))
    url = reverse("kiosk:step", args=["change"])
    runs = []
    for _ in range(n):
        keep_fresh(phone)
        runs.append(timed(phone, url, {**POSTS["change"], "nav": "next"}))
    rows.append(measure("packet save and Next: rating of change", runs))
    return rows


def main() -> int:
    args = start(__doc__, DEFAULT_URL)

    from django.urls import reverse

    from accounts.roles import Role
    from intake.models import Intake, IntakeConsent
    from tests.factories import IntakeConsentFactory, IntakeFactory, PatientFactory, UserFactory
    from tests.intake.answers import HAPPY

    patient = PatientFactory()
    desk = UserFactory(username="bench-frontdesk", roles=[Role.FRONT_DESK])
    results = []

    # Screen saves: autosave of three screens, one of which (where) runs the CES triage.
    intake = IntakeFactory(patient=patient, status=Intake.Status.IN_PROGRESS, submitted_at=None)
    client = kiosk_client(intake, desk)
    for step in ("about", "consent", "where", "feels", "when"):
        client.post(reverse("kiosk:step", args=[step]), {**HAPPY[step], "nav": "next"})
    for step, data, label in (
        ("pain", HAPPY["pain"], "autosave: pain now (6 ratings)"),
        ("where", HAPPY["where"], "autosave: body chart (with CES check)"),
        ("history", HAPPY["history"], "autosave: health history"),
    ):
        url = reverse("kiosk:autosave", args=[step])
        runs = []
        for i in range(WARMUP + args.runs):
            varied = dict(data)
            if step == "pain":
                varied["nprs_leg_now"] = str(i % 11)
            result = timed(client, url, varied)
            if i >= WARMUP:
                runs.append(result)
        results.append(measure(label, runs))
    url = reverse("kiosk:step", args=["pain"])
    runs = [timed(client, url, {**HAPPY["pain"], "nav": "next"}) for _ in range(args.runs)]
    results.append(measure("save and Next: pain now", runs))

    # Final submit: one fresh, fully answered intake per run.
    answers = Intake.objects.get(pk=intake.pk).answers
    signature = bytes(IntakeConsent.objects.get(intake=intake).signature_png)
    runs = []
    for i in range(WARMUP + args.runs):
        fresh = IntakeFactory(
            patient=patient, answers=answers, status=Intake.Status.IN_PROGRESS, submitted_at=None
        )
        IntakeConsentFactory(intake=fresh, signature_png=signature)
        result = timed(
            kiosk_client(fresh, desk), reverse("kiosk:submit"), {"submission_id": str(uuid.uuid4())}
        )
        if i >= WARMUP:
            runs.append(result)
    results.append(measure("submit (scores, triage, pattern, audit)", runs))
    # A second tap of Send on an already submitted intake.
    client = kiosk_client(fresh, desk)
    runs = [
        timed(client, reverse("kiosk:submit"), {"submission_id": str(uuid.uuid4())})
        for _ in range(args.runs)
    ]
    results.append(measure("submit again (idempotent)", runs))
    results.extend(packet_saves(patient, desk, args.runs))

    bad = [r["label"] for r in results if r["p95"] > TARGET_MS or len(r["queries"]) > 1]
    if bad:
        print(f"over {TARGET_MS} ms p95 or a varying query count: {', '.join(bad)}")
        return 1
    print(f"all p95 under {TARGET_MS:.0f} ms with a fixed query count")
    return 0


if __name__ == "__main__":
    sys.exit(main())
