"""Logs are one JSON object per line with the request id, user id and status of each
request, and no patient data: not from query strings, form posts, typed answers, the
messages of exceptions, library log lines, or gunicorn."""

import json
import logging
import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from datetime import date
from pathlib import Path

import pytest
from django.test import Client
from django.urls import reverse

from core.logging import JsonFormatter, PlainFormatter
from intake.models import Intake
from reports.models import ReportJob
from tests.factories import PatientFactory, hand_over_tablet
from tests.intake.answers import HAPPY
from tests.reports.conftest import make_evaluation

ROOT = Path(__file__).resolve().parents[2]
KEYS = {"time", "level", "logger", "message", "request_id", "user_id"}

# Made-up patient details, distinctive enough that any appearance in a log is a leak.
GIVEN, FAMILY = "Zebedee", "Quillfeather"
DOB = date(1957, 8, 19)
MEDICATION = "Zorbatrexol 40 mg nightly"
ACTIVITY = "Tending the quince orchard"
CONTACT = "Marigold Quillfeather"
EMAIL = "zebedee.q@example.org"
PHONE = "+44 7700 900987"


class _Lines(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.lines: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.lines.append(self.format(record))


@pytest.fixture
def log_lines():
    """Every record of every logger at DEBUG, through the configured console handler's
    filters and the JSON formatter: what production would write, and more of it.

    (SQL statements are logged by django.db.backends only with DEBUG on, which production
    never runs with; settings also hold that logger at WARNING.)"""
    root = logging.getLogger()
    console = next(h for h in root.handlers if h.get_name() == "console")
    capture = _Lines()
    for log_filter in console.filters:
        capture.addFilter(log_filter)
    capture.setFormatter(JsonFormatter())
    loggers = [
        lg for lg in logging.Logger.manager.loggerDict.values() if isinstance(lg, logging.Logger)
    ]
    saved = [(lg, lg.level, lg.propagate, lg.disabled) for lg in loggers]
    root_level = root.level
    for lg in loggers:
        lg.setLevel(logging.NOTSET)
        lg.propagate = True
        lg.disabled = False
    root.setLevel(logging.DEBUG)
    root.addHandler(capture)
    try:
        yield capture.lines
    finally:
        root.removeHandler(capture)
        root.setLevel(root_level)
        for lg, level, propagate, disabled in saved:
            lg.setLevel(level)
            lg.propagate = propagate
            lg.disabled = disabled


@pytest.fixture
def zebedee(db):
    return PatientFactory(
        given_name=GIVEN, family_name=FAMILY, date_of_birth=DOB, email=EMAIL, phone=PHONE
    )


def _forbidden(patient) -> list[str]:
    return [
        GIVEN,
        FAMILY,
        patient.mrn,
        DOB.isoformat(),
        DOB.strftime("%d/%m/%Y"),
        DOB.strftime("%d%%2F%m%%2F%Y"),
        DOB.strftime("%m/%d/%Y"),
        MEDICATION,
        "Zorbatrexol",
        ACTIVITY,
        "quince",
        CONTACT,
        "Marigold",
        EMAIL,
        PHONE,
        "7700 900987",
    ]


def _records(lines: list[str]) -> list[dict]:
    records = []
    for line in lines:
        assert "\n" not in line  # one record, one line
        record = json.loads(line)
        assert set(record) >= KEYS, record
        records.append(record)
    return records


def _request_line(records: list[dict], response) -> dict:
    request_id = response["X-Request-ID"]
    (line,) = [
        r for r in records if r["logger"] == "clinic.request" and r["request_id"] == request_id
    ]
    return line


def _kiosk_intake(client: Client, patient) -> Intake:
    """The front desk hands the tablet over and the patient fills every screen in."""
    client.post(reverse("intake:start", args=[patient.public_id]))
    intake = Intake.objects.get(patient=patient)
    hand_over_tablet(client, intake=intake, by=intake.started_by)
    answers = {step: dict(data) for step, data in HAPPY.items()}
    answers["about"].update(
        email=EMAIL,
        phone=PHONE,
        emergency_contact_name=CONTACT,
        emergency_contact_phone="+44 7700 900988",
    )
    answers["consent"]["signed_name"] = f"{GIVEN} {FAMILY}"
    answers["history"]["medications"] = MEDICATION
    answers["psfs"]["activity_1"] = ACTIVITY
    for step, data in answers.items():
        response = client.post(reverse("kiosk:step", args=[step]), {**data, "nav": "next"})
        assert response.status_code == 302, (step, response.content.decode()[:2000])
    response = client.post(
        reverse("kiosk:submit"), {"submission_id": "0b6f7f8e-5f0c-4d0e-9d55-3c1f4b7a2e10"}
    )
    assert response.url == reverse("kiosk:done")
    intake.refresh_from_db()
    assert intake.status == Intake.Status.SUBMITTED
    assert intake.answers["history"]["medications"] == MEDICATION
    return intake


def test_a_day_of_patient_data_leaves_no_patient_data_in_the_logs(
    log_lines,
    zebedee,
    front_desk,
    front_desk_client,
    therapist,
    therapist_client,
    settings,
    monkeypatch,
    django_capture_on_commit_callbacks,
):
    patient = zebedee
    dob_typed = DOB.strftime("%d/%m/%Y")

    # Searches: the name and date of birth in a query string (a hand-typed or bookmarked
    # URL) and in a POST body (what the page sends).
    search_get = front_desk_client.get(
        reverse("patients:list"), {"q": f"{FAMILY}, {GIVEN} {dob_typed}"}
    )
    search_post = front_desk_client.post(reverse("patients:list"), {"q": f"{FAMILY} {dob_typed}"})
    assert patient.mrn in search_post.content.decode()
    page = front_desk_client.get(reverse("patients:detail", args=[patient.public_id]))
    assert FAMILY in page.content.decode()

    # The patient fills in the intake on the tablet, typing free text.
    _kiosk_intake(front_desk_client, patient)

    # A PDF job fails with an error that quotes the record.
    settings.REPORT_JOBS_MODE = "inline"
    evaluation = make_evaluation(patient=patient, therapist=therapist)

    def broken_render(*args, **kwargs):
        raise ValueError(f"cannot lay out {GIVEN} {FAMILY} ({DOB}), MRN {patient.mrn}")

    monkeypatch.setattr("reports.pdf.render_document", broken_render)
    with django_capture_on_commit_callbacks(execute=True):
        ask = therapist_client.post(
            reverse("reports:request", args=["evaluation", evaluation.public_id]),
            headers={"HX-Request": "true"},
        )
    job = ReportJob.objects.get(kind="evaluation")
    assert job.status == ReportJob.Status.FAILED and FAMILY not in job.error

    # A view fails with an exception whose message holds the patient's details.
    def broken_page(*args, **kwargs):
        raise RuntimeError(f"{GIVEN} {FAMILY} born {DOB} MRN {patient.mrn}: {MEDICATION}")

    monkeypatch.setattr("patients.views.render", broken_page)
    crashing = Client(raise_request_exception=False)
    crashing.force_login(front_desk)
    crash = crashing.get(reverse("patients:detail", args=[patient.public_id]))
    assert crash.status_code == 500

    records = _records(log_lines)
    everything = "\n".join(log_lines)
    leaks = [text for text in _forbidden(patient) if text.lower() in everything.lower()]
    assert leaks == [], [line for line in log_lines if any(t in line for t in leaks)]

    # Each request has its line: method, path without the query string, view, status,
    # duration, the user's id and the request id sent back in X-Request-ID.
    line = _request_line(records, search_get)
    assert line["path"] == "/patients/" and line["message"].startswith("GET /patients/ 200 ")
    assert (line["view"], line["status"], line["user_id"]) == ("patients:list", 200, front_desk.pk)
    assert isinstance(line["duration_ms"], float) and line["level"] == "INFO"
    assert _request_line(records, search_post)["method"] == "POST"
    assert _request_line(records, page)["view"] == "patients:detail"
    assert _request_line(records, ask)["user_id"] == therapist.pk

    # The job's failure is logged with its id and the exception's type.
    (failure,) = [r for r in records if r["logger"] == "reports.runner" and r["level"] == "ERROR"]
    assert str(job.public_id) in failure["message"] and "ValueError" in failure["message"]

    # The 500: the request line, and Django's error with its type and traceback, both
    # under the request id the response carries.
    crashed = _request_line(records, crash)
    assert (crashed["status"], crashed["level"]) == (500, "ERROR")
    (error,) = [
        r
        for r in records
        if r["logger"] == "django.request" and r["request_id"] == crash["X-Request-ID"]
    ]
    assert error["exc_type"] == "RuntimeError" and error["status_code"] == 500
    assert "patients/views.py" in error["traceback"] and "message not logged" in error["traceback"]


def _through_console(record: logging.LogRecord, formatter: logging.Formatter) -> str:
    console = next(h for h in logging.getLogger().handlers if h.get_name() == "console")
    for log_filter in console.filters:
        log_filter.filter(record)
    return formatter.format(record)


def test_library_lines_lose_query_strings_and_link_tokens():
    # The development server's request line, as django.server logs it.
    record = logging.LogRecord(
        "django.server",
        logging.INFO,
        __file__,
        1,
        '"%s" %s %s',
        (f"GET /patients/?q={FAMILY}%2C+{GIVEN} HTTP/1.1", "200", "5120"),
        None,
    )
    line = json.loads(_through_console(record, JsonFormatter()))
    assert line["message"] == '"GET /patients/?[redacted] HTTP/1.1" 200 5120'

    link = logging.LogRecord(
        "django.request",
        logging.WARNING,
        __file__,
        1,
        "Not Found: %s",
        ("https://clinic.example.org/kiosk/link/Xk2v9-token_value/?dob=1957-08-19",),
        None,
    )
    line = json.loads(_through_console(link, JsonFormatter()))
    assert (
        line["message"] == "Not Found: https://clinic.example.org/kiosk/link/[redacted]/?[redacted]"
    )


def test_a_failed_celery_task_is_logged_by_exception_type_only():
    try:
        raise ValueError(f"{FAMILY} has no date of birth")
    except ValueError:
        exc_info = sys.exc_info()
    # What celery.app.trace logs for a task that raised.
    context = {
        "id": "4c1e",
        "name": "reports.tasks.render_document",
        "description": "raised unexpected",
        "exc": repr(exc_info[1]),
        "args": "('job-id',)",
        "kwargs": "{}",
    }
    record = logging.LogRecord(
        "celery.app.trace",
        logging.ERROR,
        __file__,
        1,
        "Task %(name)s[%(id)s] %(description)s: %(exc)s",
        (context,),
        exc_info,
    )
    record.data = context  # Celery attaches its context; it is never serialised
    line = _through_console(record, JsonFormatter())
    parsed = json.loads(line)
    assert FAMILY not in line
    assert (
        parsed["message"]
        == "Task reports.tasks.render_document[4c1e] raised unexpected: ValueError"
    )
    assert parsed["exc_type"] == "ValueError" and "data" not in parsed


def test_the_plain_format_for_development_keeps_the_same_rules():
    try:
        try:
            raise KeyError(f"{GIVEN} {FAMILY}")
        except KeyError as exc:
            raise RuntimeError(f"while saving {FAMILY}") from exc
    except RuntimeError:
        exc_info = sys.exc_info()
    record = logging.LogRecord(
        "clinic.test",
        logging.ERROR,
        __file__,
        1,
        "failed at %s",
        ("/patients/?q=" + FAMILY,),
        exc_info,
    )
    record.request_id, record.user_id = "abc123", 7
    line = _through_console(record, PlainFormatter())
    assert FAMILY not in line and GIVEN not in line
    assert "[req=abc123 user=7] failed at /patients/?[redacted]" in line
    assert "KeyError (message not logged)" in line and "RuntimeError (message not logged)" in line
    assert "test_logging.py" in line  # the traceback's frames are kept


def _settings_logging(**env) -> subprocess.CompletedProcess:
    clean = {k: v for k, v in os.environ.items() if k not in {"DEBUG", "LOG_FORMAT"}}
    clean.update(env, DJANGO_SETTINGS_MODULE="clinic.settings", SECRET_KEY="k" * 50)
    code = (
        "import django; django.setup(); from django.conf import settings as s; "
        "print(s.LOGGING['handlers']['console']['formatter'])"
    )
    return subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, env=clean, capture_output=True, text=True
    )


def test_log_format_is_json_in_production_and_plain_in_development():
    assert _settings_logging(DEBUG="false").stdout.strip() == "json"
    assert _settings_logging(DEBUG="true").stdout.strip() == "plain"
    assert _settings_logging(DEBUG="true", LOG_FORMAT="json").stdout.strip() == "json"
    wrong = _settings_logging(DEBUG="false", LOG_FORMAT="xml")
    assert wrong.returncode != 0 and "LOG_FORMAT must be json or plain" in wrong.stderr


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _get(url: str) -> int:
    try:
        with urllib.request.urlopen(url, timeout=5) as response:  # noqa: S310 (our own server)
            return response.status
    except urllib.error.HTTPError as exc:
        return exc.code


def test_gunicorn_with_its_config_logs_requests_without_query_strings(tmp_path):
    port = _free_port()
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in {"REDIS_URL", "CELERY_BROKER_URL", "DJANGO_SETTINGS_MODULE"}
    }
    env.update(
        DJANGO_SETTINGS_MODULE="clinic.settings",
        # DEBUG for the static files (no collectstatic here); the format is set explicitly.
        DEBUG="true",
        LOG_FORMAT="json",
        SECRET_KEY="k" * 50,
        ALLOWED_HOSTS="127.0.0.1",
        DATABASE_URL=f"sqlite:///{tmp_path / 'db.sqlite3'}",
        MEDIA_ROOT=str(tmp_path / "media"),
        GUNICORN_BIND=f"127.0.0.1:{port}",
        GUNICORN_WORKERS="1",
    )
    gunicorn = Path(sys.executable).parent / "gunicorn"
    with (tmp_path / "out.log").open("w+") as out:
        server = subprocess.Popen(
            [str(gunicorn), "-c", "gunicorn.conf.py", "clinic.wsgi:application"],
            cwd=ROOT,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
        try:
            base = f"http://127.0.0.1:{port}"
            deadline = time.monotonic() + 30
            while True:
                try:
                    status = _get(f"{base}/healthz?probe={FAMILY}")
                    break
                except OSError:
                    assert time.monotonic() < deadline, "gunicorn did not start"
                    time.sleep(0.2)
            login = _get(f"{base}/accounts/login/?next=/patients/%3Fq%3D{FAMILY}")
            missing = _get(f"{base}/no-such-page/?q={FAMILY}+{DOB}")
        finally:
            server.terminate()
            server.wait(timeout=30)
        out.seek(0)
        output = out.read()

    assert (status, login, missing) == (200, 200, 404)
    assert FAMILY not in output and DOB.isoformat() not in output
    records = [json.loads(line) for line in output.splitlines() if line.startswith("{")]
    assert any(r["logger"] == "gunicorn.error" for r in records)  # gunicorn's own, as JSON
    requests = [r for r in records if r["logger"] == "clinic.request"]
    assert [(r["path"], r["status"]) for r in requests if r["level"] != "DEBUG"] == [
        ("/accounts/login/", 200),
        ("/no-such-page/", 404),
    ]
    assert not [r for r in records if r["logger"] == "gunicorn.access"]
