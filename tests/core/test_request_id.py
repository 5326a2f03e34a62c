"""An incoming X-Request-ID is taken only from a trusted proxy, and only when well-formed
(security test, issue 15 point 6): before, any client chose the id its audit entries and
log lines carried."""

import pytest
from django.urls import reverse

from audit.models import AuditEvent

pytestmark = pytest.mark.django_db

PROXY_ID = "3f2a9c1e-5b7d-4e21-9a0b-6c8d2f1e4a77"


def _search(client, **headers):
    return client.post(reverse("patients:list"), {"q": "Smith"}, headers=headers)


def test_without_a_proxy_a_clients_request_id_is_ignored(front_desk_client):
    response = _search(front_desk_client, **{"X-Request-ID": PROXY_ID})
    assert response["X-Request-ID"] != PROXY_ID
    assert not AuditEvent.objects.filter(request_id=PROXY_ID).exists()


def test_behind_a_trusted_proxy_its_request_id_is_kept(front_desk_client, settings):
    settings.TRUSTED_PROXY_COUNT = 1
    response = _search(front_desk_client, **{"X-Request-ID": PROXY_ID})
    assert response["X-Request-ID"] == PROXY_ID
    assert AuditEvent.objects.filter(request_id=PROXY_ID).exists()


@pytest.mark.parametrize(
    "value",
    ["short", "x" * 65, "abc def ghi jkl", "<script>alert(1)</script>", "id\r\nSet-Cookie: a=b"],
)
def test_a_malformed_request_id_is_replaced_even_behind_a_proxy(front_desk_client, settings, value):
    settings.TRUSTED_PROXY_COUNT = 1
    response = _search(front_desk_client, **{"X-Request-ID": value})
    assert response["X-Request-ID"] != value
    assert len(response["X-Request-ID"]) == 32
