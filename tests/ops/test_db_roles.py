"""The role the app connects as cannot change or switch off the audit trail (PostgreSQL).

First the attack, as the stack used to allow it: the app connected as the owner of the
tables (or a superuser), which may switch the append-only triggers off and then rewrite
the trail. Then the fix: a runtime role granted by `manage.py db_grant_runtime_role` is
refused every way round the triggers, while the app works as that role; and the deploy
check (core/checks.py) tells the two apart. Each test connects a second time, as the
role under test, to the committed test database (hence transactional tests)."""

import io
import json

import psycopg
import pytest
from django.core.management import CommandError, call_command
from django.db import connection

from audit.models import AuditEvent
from audit.services import audit_record
from core import db_roles
from tests.audit.support import truncate_trigger
from tests.ops.postgres import check_deploy, connect, db_url, manage, run_python
from tests.worker import skip_or_fail

pytestmark = pytest.mark.django_db(transaction=True)

TAMPER = "UPDATE audit_auditevent SET summary = 'tampered' WHERE id = %s"


@pytest.fixture(autouse=True)
def postgresql():
    if connection.vendor != "postgresql":
        skip_or_fail("database roles are PostgreSQL's (set DATABASE_URL)")
    # As on a clinic's database: the test database keeps the TRUNCATE trigger off for
    # Django's flush (tests/conftest.py), which the deploy check would rightly report.
    truncate_trigger(on=True)
    yield
    truncate_trigger(on=False)


@pytest.fixture
def event(patient):
    return audit_record(
        actor=None, action=AuditEvent.Action.VIEW, patient=patient, summary="Viewed the record"
    )


def _table_owner() -> str:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT pg_get_userbyid(relowner) FROM pg_class"
            " WHERE oid = 'audit_auditevent'::regclass"
        )
        return cursor.fetchone()[0]


def _set_audit_owner(role: str) -> None:
    with connection.cursor() as cursor:
        cursor.execute(f"ALTER TABLE audit_auditevent OWNER TO {db_roles.quote_ident(role)}")


@pytest.fixture
def owning_role(roles):
    """The old setup: the role the app connects as owns the audit table."""
    role = roles()
    owner = _table_owner()
    _set_audit_owner(role)
    yield role
    _set_audit_owner(owner)


@pytest.fixture
def runtime_role(roles):
    """A runtime role as docs/operations.md sets it up: a plain login role, granted by the
    command the owner runs after every migrate."""
    role = roles()
    call_command("db_grant_runtime_role", role, stdout=io.StringIO())
    return role


def _ids(role: str) -> set[str]:
    with connection.cursor() as cursor:
        return {p.id for p in db_roles.role_problems(cursor, role)}


# --- The attack --------------------------------------------------------------------------


def test_an_app_role_that_owns_the_audit_table_switches_its_triggers_off_and_rewrites_it(
    event, owning_role
):
    with connect(user=owning_role) as conn:
        # The triggers hold while they are on, even for the owner.
        with pytest.raises(psycopg.errors.InsufficientPrivilege, match="append-only"):
            conn.execute(TAMPER, [event.pk])
        conn.rollback()
        # DISABLE TRIGGER ALL also names the foreign keys' internal triggers, which only a
        # superuser may touch; the owner switches off the user triggers, which are the
        # append-only ones, and then rewrites and deletes at will.
        with pytest.raises(psycopg.errors.InsufficientPrivilege, match="system trigger"):
            conn.execute("ALTER TABLE audit_auditevent DISABLE TRIGGER ALL")
        conn.rollback()
        conn.execute("ALTER TABLE audit_auditevent DISABLE TRIGGER USER")
        assert conn.execute(TAMPER, [event.pk]).rowcount == 1
        assert conn.execute("DELETE FROM audit_auditevent WHERE id = %s", [event.pk]).rowcount == 1
        conn.rollback()  # the test leaves the entry as it was
    assert AuditEvent.objects.get(pk=event.pk).summary == "Viewed the record"

    # The check catches it, from the owner's own connection as from the deploy check.
    with connect(user=owning_role) as conn, conn.cursor() as cursor:
        found = db_roles.role_problems(cursor, db_roles.connected_role(cursor))
    assert db_roles.OWNER in {p.id for p in found}
    result = check_deploy(db_url(user=owning_role))
    assert result.returncode != 0
    assert "clinic.W051" in result.stderr and "audit_auditevent" in result.stderr


def test_replica_mode_no_longer_skips_the_triggers_but_a_superuser_still_disables_them(event):
    # The stack's old app role, "clinic", was the postgres image's superuser. The test run's
    # role (postgres) is one too. The triggers fire in replica mode as well (audit.0008)...
    with connect() as conn:
        conn.execute("SET session_replication_role = replica")
        with pytest.raises(psycopg.errors.InsufficientPrivilege, match="append-only"):
            conn.execute(TAMPER, [event.pk])
        conn.rollback()
        # ...but a superuser can switch them off outright: the check flags such a role.
        conn.execute("ALTER TABLE audit_auditevent DISABLE TRIGGER audit_event_append_only")
        assert conn.execute(TAMPER, [event.pk]).rowcount == 1
        conn.rollback()
    assert AuditEvent.objects.get(pk=event.pk).summary == "Viewed the record"
    assert _ids(connection.settings_dict["USER"]) == {db_roles.SUPERUSER}


# --- The runtime role ----------------------------------------------------------------------


@pytest.mark.parametrize(
    "statement",
    [
        TAMPER,
        "DELETE FROM audit_auditevent WHERE id = %s",
        "TRUNCATE audit_auditevent",
        "TRUNCATE patients_patient CASCADE",
        "ALTER TABLE audit_auditevent DISABLE TRIGGER ALL",
        "ALTER TABLE audit_auditevent DISABLE TRIGGER USER",
        "ALTER TABLE audit_auditevent DISABLE TRIGGER audit_event_append_only",
        "SET session_replication_role = replica",
        # A trigger of its own could drop or rewrite new entries.
        "CREATE TRIGGER drop_new BEFORE INSERT ON audit_auditevent"
        " FOR EACH ROW EXECUTE FUNCTION audit_event_append_only()",
        # Replacing the trigger's function would neuter it.
        "CREATE OR REPLACE FUNCTION audit_event_append_only() RETURNS trigger"
        " LANGUAGE plpgsql AS $$ BEGIN RETURN NULL; END $$",
        "DROP TABLE audit_auditevent CASCADE",
        "ALTER TABLE audit_auditevent RENAME TO audit_auditevent_old",
        "CREATE TABLE public.scratch (id int)",
        # Marking a future migration as applied would keep it from ever running.
        "INSERT INTO django_migrations (app, name, applied) VALUES ('audit', '9999_x', now())",
    ],
    ids=lambda s: s.split(" WHERE")[0][:60],
)
def test_it_refuses_the_runtime_role_every_way_round_the_append_only_trail(
    event, runtime_role, statement
):
    with connect(user=runtime_role, autocommit=True) as conn:
        params = [event.pk] if "%s" in statement else None
        with pytest.raises(psycopg.errors.InsufficientPrivilege):
            conn.execute(statement, params)
    assert AuditEvent.objects.get(pk=event.pk).summary == "Viewed the record"


# Run as the runtime role in a process of its own: the app's own services must work.
APP_WORK = r"""
import json
import django
django.setup()
from django.contrib.sessions.backends.db import SessionStore
from audit.models import AuditEvent
from patients.models import Patient
from patients.services import patient_create, patient_update

before = AuditEvent.objects.count()
patient = patient_create(
    by=None,
    data={"given_name": "Runtime", "family_name": "Role", "date_of_birth": "1975-04-05",
          "sex": "female", "phone": "+44 7700 900222", "preferred_language": "en"},
)
changed = patient_update(by=None, patient=patient, data={"phone": "+44 7700 900333"})
session = SessionStore()
session["n"] = 1
session.create()
session.delete()
print(json.dumps({
    "changed": changed,
    "audit_entries_added": AuditEvent.objects.count() - before,
    "history_rows": Patient.history.filter(id=patient.pk).count(),
}))
"""


def test_the_app_works_as_the_runtime_role_and_appends_to_the_trail(runtime_role, event):
    before = AuditEvent.objects.count()
    result = run_python("-c", APP_WORK, DATABASE_URL=db_url(user=runtime_role))
    assert result.returncode == 0, result.stderr
    facts = json.loads(result.stdout.strip().splitlines()[-1])
    assert facts == {"changed": ["phone"], "audit_entries_added": 2, "history_rows": 2}
    assert AuditEvent.objects.count() == before + 2


def test_the_deploy_check_passes_for_the_runtime_role_and_fails_for_the_superuser(runtime_role):
    passed = check_deploy(db_url(user=runtime_role))
    assert passed.returncode == 0, passed.stdout + passed.stderr
    assert "clinic.W05" not in passed.stdout + passed.stderr

    failed = check_deploy(db_url())
    assert failed.returncode != 0
    assert "clinic.W050" in failed.stderr and "superuser" in failed.stderr


def test_the_deploy_check_says_when_it_cannot_reach_the_database():
    result = check_deploy("postgres://nobody@127.0.0.1:1/clinic")
    assert result.returncode != 0
    assert "clinic.W058" in result.stderr and "Could not check" in result.stderr
    assert "Traceback" not in result.stderr


def test_the_deploy_check_reports_a_switched_off_trigger():
    truncate_trigger(on=False)
    with connection.cursor() as cursor:
        found = db_roles.trigger_problems(cursor)
    assert [(p.id, "audit_event_no_truncate" in p.message) for p in found] == [
        (db_roles.TRIGGERS, True)
    ]


# --- What the check catches ------------------------------------------------------------


def _grant(statement: str, role: str) -> None:
    with connection.cursor() as cursor:
        cursor.execute(statement.format(role=db_roles.quote_ident(role)))


@pytest.mark.parametrize(
    ("statement", "expected"),
    [
        ("GRANT UPDATE (summary) ON audit_auditevent TO {role}", db_roles.PRIVILEGE),
        ("GRANT DELETE ON audit_auditevent TO {role}", db_roles.PRIVILEGE),
        ("GRANT TRUNCATE ON audit_auditevent TO {role}", db_roles.PRIVILEGE),
        ("GRANT TRIGGER ON audit_auditevent TO {role}", db_roles.PRIVILEGE),
        ("GRANT UPDATE ON audit_auditevent TO PUBLIC", db_roles.PRIVILEGE),
        ("GRANT SET ON PARAMETER session_replication_role TO {role}", db_roles.REPLICATION_ROLE),
        ("ALTER ROLE {role} CREATEROLE", db_roles.CREATE_ROLE),
        ("GRANT CREATE ON SCHEMA public TO {role}", db_roles.CREATE_OBJECTS),
        ("REVOKE INSERT ON audit_auditevent FROM {role}", db_roles.CANNOT_AUDIT),
    ],
    ids=lambda v: v if v.startswith("clinic.") else v.split(" {")[0].split(" ON")[0],
)
def test_the_check_catches_each_way_a_runtime_role_could_reach_the_trail(
    runtime_role, statement, expected
):
    assert _ids(runtime_role) == set()
    _grant(statement, runtime_role)
    try:
        assert _ids(runtime_role) == {expected}
    finally:
        _grant("REVOKE UPDATE ON audit_auditevent FROM PUBLIC", runtime_role)


def test_the_check_catches_a_runtime_role_that_is_a_member_of_the_owner(owning_role, roles):
    member = roles()
    call_command("db_grant_runtime_role", member, stdout=io.StringIO())
    _grant(f"GRANT {db_roles.quote_ident(owning_role)} TO {{role}}", member)
    with connection.cursor() as cursor:
        found = {p.id: p.message for p in db_roles.role_problems(cursor, member)}
    # It can act as the owner: one message says so (its privileges follow from that).
    assert list(found) == [db_roles.OWNER]
    assert (
        f"owns the audit table audit_auditevent (as a member of {owning_role})"
        in (found[db_roles.OWNER])
    )


def test_the_check_names_a_superuser_once(roles):
    assert _ids(roles("LOGIN SUPERUSER")) == {db_roles.SUPERUSER}


# --- The grant command ---------------------------------------------------------------------


def _privileges(role: str, table: str) -> set[str]:
    with connection.cursor() as cursor:
        cursor.execute(
            """SELECT p FROM unnest(ARRAY['SELECT', 'INSERT', 'UPDATE', 'DELETE', 'TRUNCATE',
                                          'TRIGGER', 'REFERENCES']) p
               WHERE has_table_privilege(%s::name, %s::regclass, p)""",
            [role, table],
        )
        return {row[0] for row in cursor.fetchall()}


def test_the_grant_command_takes_back_what_a_single_role_setup_granted(roles):
    role = roles()
    for statement in (
        "GRANT ALL ON ALL TABLES IN SCHEMA public TO {role}",
        "GRANT CREATE ON SCHEMA public TO {role}",
    ):
        _grant(statement, role)
    out = io.StringIO()
    call_command("db_grant_runtime_role", role, stdout=out)
    call_command("db_grant_runtime_role", role, stdout=out)  # again: the same result

    assert "cannot change, delete or switch off the audit trail" in out.getvalue()
    assert _ids(role) == set()
    assert _privileges(role, "audit_auditevent") == {"SELECT", "INSERT"}
    assert _privileges(role, "django_migrations") == {"SELECT"}
    app_tables = [
        "patients_patient",
        "patients_historicalpatient",
        "django_session",
        "axes_accessattempt",
        "otp_totp_totpdevice",
        "reports_reportjob",
    ]
    for table in app_tables:
        assert _privileges(role, table) == {"SELECT", "INSERT", "UPDATE", "DELETE"}, table


@pytest.mark.parametrize(
    ("make", "message"),
    [
        (lambda make_role: make_role("LOGIN SUPERUSER"), "is a superuser"),
        (lambda make_role: connection.settings_dict["USER"], "is the role running this command"),
        (lambda make_role: "clinic_test_no_such_role", "does not exist"),
    ],
    ids=["superuser", "itself", "missing"],
)
def test_the_grant_command_refuses_a_role_it_cannot_make_safe(roles, make, message):
    with pytest.raises(CommandError, match=message):
        call_command("db_grant_runtime_role", make(roles), stdout=io.StringIO())


def test_the_grant_command_fails_while_the_role_could_still_reach_the_trail(owning_role, roles):
    member = roles()
    _grant(f"GRANT {db_roles.quote_ident(owning_role)} TO {{role}}", member)
    with pytest.raises(CommandError, match=r"clinic\.W051"):
        call_command("db_grant_runtime_role", member, stdout=io.StringIO())
    with pytest.raises(CommandError, match=r"clinic\.W051"):
        call_command("db_grant_runtime_role", "--check", member, stdout=io.StringIO())


def test_the_grant_command_refuses_sqlite_and_says_the_trail_is_not_protected_there(tmp_path):
    result = manage(
        "db_grant_runtime_role", "clinic_app", DATABASE_URL=f"sqlite:///{tmp_path / 'db.sqlite3'}"
    )
    assert result.returncode == 1
    assert "not tamper-protected" in result.stderr
    assert not (tmp_path / "db.sqlite3").exists()  # it never opened the database


def test_the_grant_command_quotes_an_awkward_role_name(roles):
    role = roles(prefix='Clinic "app"; DROP TABLE audit_auditevent; -- ')
    call_command("db_grant_runtime_role", role, stdout=io.StringIO())
    assert _privileges(role, "audit_auditevent") == {"SELECT", "INSERT"}
    assert _ids(role) == set()
