import json

import pytest

from core import health

pytestmark = pytest.mark.django_db


def test_it_reports_healthy_without_signing_in(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    body = json.loads(response.content)
    assert body["status"] == "ok"
    assert body["checks"]["database"] == "ok"
    assert response["Cache-Control"].startswith("max-age=0")


def test_it_answers_503_when_the_database_is_down(client, monkeypatch):
    monkeypatch.setattr(health, "database_ok", lambda: False)
    response = client.get("/healthz")
    assert response.status_code == 503
    assert json.loads(response.content)["checks"]["database"] == "unavailable"


def test_it_answers_503_when_the_broker_is_down_and_leaks_no_details(client, settings):
    settings.CELERY_TASK_ALWAYS_EAGER = False
    from clinic.celery import app

    original = app.conf.broker_url
    app.conf.broker_url = "redis://127.0.0.1:1/0"  # nothing listens on port 1
    try:
        response = client.get("/healthz")
    finally:
        app.conf.broker_url = original
    assert response.status_code == 503
    body = response.content.decode()
    assert json.loads(body)["checks"]["broker"] == "unavailable"
    assert "127.0.0.1" not in body and "Error" not in body and "refused" not in body
