"""A database that cannot be reached answers 503 with a page that says nothing was lost
(a line of text for htmx), never the generic 500 or a traceback. The real outage is in
tests/faults/test_postgres_restart.py; these cover the pieces without one."""

import sqlite3

import psycopg
import pytest
from django.contrib.sessions.backends.db import SessionStore
from django.db import InterfaceError, OperationalError
from django.test import Client

from core.unavailable import database_unreachable

pytestmark = pytest.mark.django_db


def _django_error(cause: BaseException) -> OperationalError:
    try:
        raise cause
    except type(cause) as exc:
        try:
            raise OperationalError(str(exc)) from exc
        except OperationalError as wrapped:
            return wrapped


@pytest.fixture
def database_down(monkeypatch):
    """Every session read fails as it does when PostgreSQL refuses connections."""

    def refuse(self):
        raise _django_error(psycopg.OperationalError("connection refused"))

    monkeypatch.setattr(SessionStore, "load", refuse)
    client = Client(raise_request_exception=False)
    client.cookies["sessionid"] = "a" * 32
    return client


def test_it_tells_a_lost_connection_from_a_faulty_query():
    assert database_unreachable(_django_error(psycopg.OperationalError("server closed")))
    assert database_unreachable(InterfaceError("connection already closed"))
    locked = sqlite3.OperationalError("database is locked")
    locked.sqlite_errorname = "SQLITE_BUSY"
    assert database_unreachable(_django_error(locked))
    # A statement timeout is PostgreSQL answering: a fault to look into, not an outage.
    assert not database_unreachable(_django_error(psycopg.errors.QueryCanceled("timeout")))
    missing = sqlite3.OperationalError("no such table: intake_intake")
    missing.sqlite_errorname = "SQLITE_ERROR"
    assert not database_unreachable(_django_error(missing))
    assert not database_unreachable(ValueError("not a database error"))


def test_the_tablet_gets_a_patient_page_with_503_and_no_details(database_down):
    response = database_down.get("/kiosk/pain/")
    assert response.status_code == 503
    assert response["Retry-After"] == "15"
    page = response.content.decode()
    assert "The answers you have already given are kept." in page
    assert "connection refused" not in page and "Traceback" not in page


def test_staff_get_the_records_system_page(database_down):
    response = database_down.get("/patients/")
    assert response.status_code == 503
    assert "Nothing on this page was lost" in response.content.decode()


def test_an_autosave_gets_a_line_the_screen_shows(database_down):
    response = database_down.post("/kiosk/pain/autosave/", {}, HTTP_HX_REQUEST="true")
    assert response.status_code == 503
    assert response["Content-Type"].startswith("text/plain")
    assert response.content.decode().startswith("Not saved yet:")


def test_a_faulty_query_is_still_a_500(monkeypatch):
    def fail(self):
        raise _django_error(psycopg.errors.QueryCanceled("canceling statement"))

    monkeypatch.setattr(SessionStore, "load", fail)
    client = Client(raise_request_exception=False)
    client.cookies["sessionid"] = "a" * 32
    assert client.get("/kiosk/pain/").status_code == 500
