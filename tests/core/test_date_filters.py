"""A date out of range in any list filter gets a message, never a server error (security
test, issue 15 point 6): before, `?day=9999-12-31` on the intake queue and
`?date_to=9999-12-31` on the audit trail overflowed adding a day."""

import pytest
from django.urls import reverse

from tests.factories import step_up
from tests.test_access_matrix import records  # noqa: F401  (fixture)

pytestmark = pytest.mark.django_db

EXTREMES = ["9999-12-31", "0001-01-01", "1899-12-31", "2101-01-01"]


@pytest.mark.parametrize("value", EXTREMES)
def test_the_intake_queue_says_so_and_shows_today(front_desk_client, value):
    response = front_desk_client.get(reverse("intake:queue"), {"day": value})
    assert response.status_code == 200
    page = response.content.decode()
    assert "Enter a date between 1900 and 2100. Showing today instead." in page
    assert "Intakes today" in page


def test_a_day_that_is_not_a_date_says_so(front_desk_client):
    response = front_desk_client.get(reverse("intake:queue"), {"day": "2024-02-30"})
    assert "That is not a date" in response.content.decode()


@pytest.mark.parametrize("name", ["date_from", "date_to"])
@pytest.mark.parametrize("value", EXTREMES)
def test_the_audit_trail_filter_says_so(admin_client_, name, value):
    response = admin_client_.get(reverse("audit:list"), {name: value})
    assert response.status_code == 200
    assert "Enter a date between 1900 and 2100." in response.content.decode()


@pytest.mark.parametrize("value", EXTREMES)
def test_the_batch_export_form_says_so_and_keeps_the_rest(admin_client_, value):
    step_up(admin_client_)
    response = admin_client_.post(
        reverse("reports:export"),
        {"date_from": "2026-01-01", "date_to": value, "kinds": ["evaluation"]},
    )
    assert response.status_code == 200
    page = response.content.decode()
    assert "Enter a date between 1900 and 2100." in page
    assert 'value="2026-01-01"' in page


def test_no_page_answers_an_edge_date_in_any_filter_with_a_server_error(
    client,
    records,  # noqa: F811
):
    """Every page each role may open, with every date filter name set to every edge date
    the fuzzer also sends (tests/fuzz/strategies.py EDGE_DATES)."""
    from accounts.roles import Role
    from tests.factories import UserFactory
    from tests.fuzz.strategies import DATE_QUERY_NAMES, EDGE_DATES
    from tests.test_access_matrix import MATRIX, OK, ROLES, _url_for

    staff_member = UserFactory(username="dates-target", roles=[Role.THERAPIST])
    failures = []
    for role, roles in (
        ("front_desk", [Role.FRONT_DESK]),
        ("therapist", [Role.THERAPIST]),
        ("administrator", [Role.ADMINISTRATOR]),
    ):
        client.force_login(UserFactory(username=f"dates-{role}", roles=roles))
        for name, row in MATRIX.items():
            if row[ROLES.index(role)] != OK:
                continue
            url = _url_for(name, staff_member, records)
            for day in EDGE_DATES:
                response = client.get(url, dict.fromkeys(DATE_QUERY_NAMES, day))
                if response.status_code >= 500:
                    failures.append((role, name, day, response.status_code))
    assert failures == []
