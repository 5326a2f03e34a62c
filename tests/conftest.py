import pytest
from django.test import Client

from accounts.roles import Role
from tests.factories import PatientFactory, UserFactory, pass_second_factor
from tests.worker import celery_worker_process  # noqa: F401  (fixture for @pytest.mark.worker tests)

_django_force_login = Client.force_login


def _force_login_verified(self, user, backend=None):
    """Most tests are about what a signed-in member of staff can do, not about signing in:
    for a person who needs the second factor (accounts.mfa.required_for), force_login also
    passes it, with an app set up for them if they have none, as the real sign-in would
    with a right code. Others (the front desk by default) sign in with the password alone,
    as in the clinic. Tests of two-factor sign-in itself go through the sign-in page."""
    from accounts import mfa
    from accounts.models import User

    _django_force_login(self, user, backend)
    if mfa.required_for(User.objects.get(pk=user.pk)):
        pass_second_factor(self, user)


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    """Transactional tests end with Django's flush, a TRUNCATE of every table, and on
    PostgreSQL the audit table refuses TRUNCATE (audit/migrations/0006). Let the test
    database's flush through; tests of that trigger turn it back on inside their own
    transaction (tests/audit/test_append_only.py)."""
    from django.db import connection

    from tests.audit.support import truncate_trigger

    with django_db_blocker.unblock():
        if connection.vendor == "postgresql":
            truncate_trigger(on=False)


@pytest.fixture(autouse=True)
def _staff_sessions_pass_two_factor(monkeypatch):
    monkeypatch.setattr(Client, "force_login", _force_login_verified)


@pytest.fixture
def front_desk(db):
    return UserFactory(username="frontdesk", roles=[Role.FRONT_DESK])


@pytest.fixture
def therapist(db):
    return UserFactory(username="therapist", roles=[Role.THERAPIST])


@pytest.fixture
def administrator(db):
    return UserFactory(username="administrator", roles=[Role.ADMINISTRATOR])


@pytest.fixture
def no_role_user(db):
    return UserFactory(username="norole", roles=[])


def _client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def front_desk_client(front_desk):
    return _client_for(front_desk)


@pytest.fixture
def therapist_client(therapist):
    return _client_for(therapist)


@pytest.fixture
def admin_client_(administrator):
    """Signed in as a clinic administrator (not a superuser, unlike pytest-django's)."""
    return _client_for(administrator)


@pytest.fixture
def stepped_up_admin(admin_client_):
    """An administrator who has just confirmed it is them (password and a fresh code), as
    resetting someone's sign-in and changing roles require (accounts.stepup)."""
    from tests.factories import step_up

    step_up(admin_client_)
    return admin_client_


@pytest.fixture
def patient(db):
    return PatientFactory(given_name="Ana", family_name="Núñez")
