"""Every URL, requested as every kind of user, answers as the table below says.

The table is the access policy. The URL list is generated from the URLconf, so a new
page without a row here fails the suite and cannot slip through unchecked.
"""

import uuid

import pytest
from django.urls import URLPattern, URLResolver, get_resolver

from accounts.roles import Role
from tests.factories import PatientFactory, UserFactory

pytestmark = pytest.mark.django_db

LOGIN = "login"  # anonymous users are sent to the sign-in page
OK = 200
DENY = 403

ROLES = ("anonymous", "front_desk", "therapist", "administrator", "no_role")

# url name -> expected GET answer per role (order of ROLES).
MATRIX: dict[str, tuple] = {
    "core:home": (LOGIN, OK, OK, OK, OK),
    "core:clinic-settings": (LOGIN, DENY, DENY, OK, DENY),
    "healthz": (OK, OK, OK, OK, OK),
    "accounts:login": (OK, 302, 302, 302, 302),  # signed-in users go home
    "accounts:logout": (LOGIN, 405, 405, 405, 405),  # POST only
    "accounts:staff-list": (LOGIN, DENY, DENY, OK, DENY),
    "accounts:staff-new": (LOGIN, DENY, DENY, OK, DENY),
    "accounts:staff-edit": (LOGIN, DENY, DENY, OK, DENY),
    "accounts:staff-password": (LOGIN, DENY, DENY, OK, DENY),
    "patients:list": (LOGIN, OK, OK, OK, DENY),
    "patients:new": (LOGIN, OK, DENY, OK, DENY),
    "patients:detail": (LOGIN, OK, OK, OK, DENY),
    "patients:edit": (LOGIN, OK, DENY, OK, DENY),
    "audit:list": (LOGIN, DENY, DENY, OK, DENY),
}

# The Django admin has its own staff/superuser gate and is excluded here.
EXCLUDED_NAMESPACES = {"admin"}


def _named_urls(resolver=None, namespace=""):
    resolver = resolver or get_resolver()
    for entry in resolver.url_patterns:
        if isinstance(entry, URLResolver):
            ns = entry.namespace or ""
            if ns in EXCLUDED_NAMESPACES:
                continue
            yield from _named_urls(entry, f"{namespace}{ns}:" if ns else namespace)
        elif isinstance(entry, URLPattern):
            yield f"{namespace}{entry.name}" if entry.name else None, entry


def test_every_url_has_a_row_in_the_access_table():
    names = set()
    for name, pattern in _named_urls():
        assert name, f"URL pattern {pattern.pattern} has no name, so it cannot be in the table"
        names.add(name)
    assert names - MATRIX.keys() == set(), "add these URLs to MATRIX"
    assert MATRIX.keys() - names == set(), "these MATRIX rows name no URL"


@pytest.fixture
def users():
    return {
        "anonymous": None,
        "front_desk": UserFactory(username="m-frontdesk", roles=[Role.FRONT_DESK]),
        "therapist": UserFactory(username="m-therapist", roles=[Role.THERAPIST]),
        "administrator": UserFactory(username="m-admin", roles=[Role.ADMINISTRATOR]),
        "no_role": UserFactory(username="m-none", roles=[]),
    }


def _url_for(name: str, staff_member, patient) -> str:
    from django.urls import reverse

    kwargs = {}
    if name.startswith("patients:") and name not in {"patients:list", "patients:new"}:
        kwargs = {"public_id": patient.public_id}
    elif name in {"accounts:staff-edit", "accounts:staff-password"}:
        kwargs = {"public_id": staff_member.public_id}
    return reverse(name, kwargs=kwargs)


@pytest.mark.parametrize("role", ROLES)
def test_each_role_gets_the_declared_answer_from_every_url(client, users, role):
    patient = PatientFactory()
    staff_member = UserFactory(username="someone-else", roles=[Role.THERAPIST])
    user = users[role]
    if user is not None:
        client.force_login(user)
    wrong = []
    for name, expected_row in MATRIX.items():
        expected = expected_row[ROLES.index(role)]
        response = client.get(_url_for(name, staff_member, patient))
        if expected == LOGIN:
            ok = response.status_code == 302 and "/accounts/login/" in response.url
        else:
            ok = response.status_code == expected
        if not ok:
            wrong.append(f"{name}: expected {expected}, got {response.status_code}")
    assert wrong == []


@pytest.mark.parametrize("role", ["front_desk", "therapist", "no_role"])
def test_posts_to_pages_a_role_cannot_open_are_refused_and_change_nothing(client, users, role):
    from django.urls import reverse

    from accounts.models import User
    from patients.models import Patient

    client.force_login(users[role])
    staff_member = UserFactory(username="target", roles=[Role.THERAPIST])
    before = (User.objects.count(), Patient.objects.count())
    response = client.post(
        reverse("accounts:staff-new"),
        {
            "username": "intruder",
            "first_name": "I",
            "last_name": "N",
            "roles": ["Clinic administrator"],
            "password1": "a-long-enough-pass",
            "password2": "a-long-enough-pass",
        },
    )
    assert response.status_code == 403
    response = client.post(
        reverse("accounts:staff-edit", args=[staff_member.public_id]),
        {"first_name": "X", "last_name": "Y", "roles": ["Clinic administrator"], "is_active": "on"},
    )
    assert response.status_code == 403
    assert (User.objects.count(), Patient.objects.count()) == before
    assert not staff_member.groups.filter(name=Role.ADMINISTRATOR.value).exists()


def test_unknown_uuids_are_not_found_not_errors(admin_client_):
    for url in (f"/patients/{uuid.uuid4()}/", f"/accounts/staff/{uuid.uuid4()}/"):
        assert admin_client_.get(url).status_code == 404
