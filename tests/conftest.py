import pytest
from django.test import Client

from accounts.roles import Role
from tests.factories import PatientFactory, UserFactory
from tests.worker import celery_worker_process  # noqa: F401  (fixture for @pytest.mark.worker tests)


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
def patient(db):
    return PatientFactory(given_name="Ana", family_name="Núñez")
