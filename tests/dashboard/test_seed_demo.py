"""seed_demo, which the top app runs because it builds on every app: it refuses to put
published logins on a database with DEBUG off, loads once, and gives each demo login its
role."""

import io

import pytest
from django.core.management import CommandError, call_command, get_commands

from accounts.models import User
from accounts.roles import roles_of
from core.demo import DEMO_PASSWORD, DEMO_STAFF
from intake.models import Intake
from patients.models import Patient

pytestmark = pytest.mark.django_db


def test_the_command_belongs_to_the_top_app():
    assert get_commands()["seed_demo"] == "dashboard"


def test_it_refuses_with_debug_off_unless_forced(settings):
    settings.DEBUG = False
    with pytest.raises(CommandError, match="DEBUG off"):
        call_command("seed_demo", "--patients", "2", stdout=io.StringIO())
    assert not User.objects.exists()
    out = io.StringIO()
    call_command("seed_demo", "--force", "--patients", "2", stdout=out)
    assert "Demo data loaded." in out.getvalue()


def test_it_loads_the_demo_logins_once(settings):
    settings.DEBUG = True
    out = io.StringIO()
    call_command("seed_demo", "--patients", "3", stdout=out)
    assert "Demo data loaded." in out.getvalue()
    for username, _first, _last, roles, _licence in DEMO_STAFF:
        user = User.objects.get(username=username)
        assert user.check_password(DEMO_PASSWORD)
        assert roles_of(user) == roles
    assert Patient.objects.count() == 3
    assert Intake.objects.count() == 3

    again = io.StringIO()
    call_command("seed_demo", "--patients", "3", stdout=again)
    assert again.getvalue().strip() == "Demo data already loaded."
    assert Patient.objects.count() == 3
