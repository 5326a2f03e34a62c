"""scripts/backup.sh and scripts/restore.sh on a real PostgreSQL: a backup restored into a
fresh database and media folder holds the same records and files, the audit table is still
append-only (no UPDATE, DELETE or TRUNCATE), and a damaged backup or a database in use is
refused."""

import hashlib
import io
import json
import os
import shutil
import subprocess
import sys
from datetime import date
from pathlib import Path

import pytest
from django.core.management import call_command
from django.db import connection
from django.test import Client
from psycopg import sql

from accounts.roles import Role, sync_role_groups
from audit.models import AuditEvent
from audit.services import audit_record
from evaluations.services import evaluation_addendum_add
from reports.services import report_request
from tests.audit.support import truncate_trigger
from tests.factories import PatientFactory, UserFactory
from tests.ops.postgres import admin as _admin
from tests.ops.postgres import connect as _connect
from tests.ops.postgres import db_url as _db_url
from tests.reports.conftest import make_evaluation
from tests.worker import skip_or_fail

pytestmark = pytest.mark.django_db(transaction=True)

ROOT = Path(__file__).resolve().parents[2]
BACKUP = ROOT / "scripts" / "backup.sh"
RESTORE = ROOT / "scripts" / "restore.sh"

# Everything a restored installation must give back, read by a fresh Django process (so
# nothing is served from this process's caches), as JSON.
FACTS = r"""
import hashlib, json, os
import django
django.setup()
from pathlib import Path
from django.conf import settings
from django.db import DatabaseError, connection, transaction
from accounts.models import User
from audit.models import AuditEvent
from evaluations.models import Addendum, Evaluation
from evaluations.services import evaluation_verify
from intake.models import Intake
from patients.models import Patient
from reports.models import ReportJob


def digest(value):
    return hashlib.sha256(json.dumps(value, sort_keys=True, default=str).encode()).hexdigest()


def refused(statement):
    try:
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(statement)
    except DatabaseError as exc:
        return "append-only" in str(exc)
    return False


def file_sha(name):
    path = Path(settings.MEDIA_ROOT) / name
    return hashlib.sha256(path.read_bytes()).hexdigest() if name and path.is_file() else None


audit_rows = AuditEvent.objects.order_by("pk").values_list(
    "pk", "at", "actor_id", "action", "object_type", "object_id", "patient_id", "summary",
    "details", "ip_address", "request_id",
)
facts = {
    "counts": {
        "users": User.objects.count(),
        "patients": Patient.objects.count(),
        "patient_versions": Patient.history.count(),
        "submitted_intakes": Intake.objects.filter(status="submitted").count(),
        "signed_evaluations": Evaluation.objects.filter(signed_at__isnull=False).count(),
        "addenda": Addendum.objects.count(),
        "finished_report_jobs": ReportJob.objects.filter(status="succeeded").count(),
        "audit_events": AuditEvent.objects.count(),
    },
    "patients": [
        [str(p.public_id), p.mrn, p.given_name, p.family_name, p.date_of_birth.isoformat()]
        for p in Patient.objects.order_by("mrn")
    ],
    "intakes": [
        [str(i.public_id), i.status, i.submitted_at, digest(i.answers), digest(i.scores)]
        for i in Intake.objects.order_by("pk")
    ],
    "evaluations": [
        [str(e.public_id), e.content_hash, e.signed_at, evaluation_verify(e)]
        for e in Evaluation.objects.order_by("pk")
    ],
    "addenda": [
        [str(a.public_id), a.content_hash, a.reason, a.text]
        for a in Addendum.objects.order_by("pk")
    ],
    "report_jobs": [
        [str(j.public_id), j.status, j.file, j.sha256, file_sha(j.file)]
        for j in ReportJob.objects.order_by("pk")
    ],
    "audit": {
        "last_id": audit_rows.last()[0],
        "digest": digest(list(audit_rows)),
        "actions": sorted({row[3] for row in audit_rows}),
    },
    "audit_update_refused": refused("UPDATE audit_auditevent SET summary = 'changed'"),
    "audit_delete_refused": refused("DELETE FROM audit_auditevent"),
    "audit_truncate_refused": refused("TRUNCATE audit_auditevent"),
}
print(json.dumps(facts, default=str))
"""

# The restored database takes new records: its sequences came back with the data.
WRITE = r"""
import json
import django
django.setup()
from audit.models import AuditEvent
from patients.models import Patient
from patients.services import patient_create

before = Patient.objects.order_by("-pk").first().pk, AuditEvent.objects.order_by("-pk").first().pk
patient = patient_create(
    by=None,
    data={"given_name": "After", "family_name": "Restore", "date_of_birth": "1980-01-02",
          "sex": "female", "phone": "+44 7700 900111", "preferred_language": "en"},
)
audit = AuditEvent.objects.filter(patient=patient).get()
print(json.dumps({"patient": patient.pk > before[0], "audit": audit.pk > before[1]}))
"""


@pytest.fixture(autouse=True)
def postgresql_and_client_tools():
    if connection.vendor != "postgresql":
        skip_or_fail("backup and restore need PostgreSQL (set DATABASE_URL)")
    tools = ("bash", "pg_dump", "pg_restore", "psql", "tar", "sha256sum")
    missing = [t for t in tools if not shutil.which(t)]
    if missing:
        skip_or_fail(f"the PostgreSQL client tools are not installed ({', '.join(missing)})")
    # Transactional tests flush the tables, role groups included; put them back.
    sync_role_groups()
    # A clinic's database refuses TRUNCATE of the audit table; the test database lets
    # Django's flush through (tests/conftest.py). Back up what a clinic would have.
    truncate_trigger(on=True)
    yield
    truncate_trigger(on=False)


@pytest.fixture
def fresh_database():
    """An empty database beside the test database, dropped afterwards."""
    name = f"{connection.settings_dict['NAME']}_restored"[:63]
    drop = sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
    _admin(drop)
    _admin(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    yield name
    _admin(drop)


def _env(**extra: str) -> dict[str, str]:
    return {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "tests.settings",
        "PYTHON": sys.executable,
        **extra,
    }


def _run(script: Path, *args: str, **env: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [shutil.which("bash"), str(script), *args],
        cwd=ROOT,
        env=_env(**env),
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


def _backup(tmp_path: Path, media: Path, *, user: str | None = None) -> Path:
    result = _run(
        BACKUP,
        "--output-dir",
        str(tmp_path / "backups"),
        "--database-url",
        _db_url(connection.settings_dict["NAME"], user=user),
        "--media-root",
        str(media),
    )
    assert result.returncode == 0, result.stderr
    return Path(result.stdout.strip().splitlines()[-1])


def _restore(
    backup: Path, database: str, media: Path, *extra: str, user: str | None = None, **env: str
):
    return _run(
        RESTORE,
        str(backup),
        "--database-url",
        _db_url(database, user=user),
        "--media-root",
        str(media),
        *extra,
        **env,
    )


def _python(code: str, database: str, media: Path) -> dict:
    result = subprocess.run(
        [sys.executable, "-c", code],
        cwd=ROOT,
        env=_env(DATABASE_URL=_db_url(database), MEDIA_ROOT=str(media)),
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


def _sessions(database: str) -> int:
    with _connect(database) as conn:
        return conn.execute("SELECT count(*) FROM django_session").fetchone()[0]


def _tables(database: str) -> set[str]:
    with _connect(database) as conn:
        rows = conn.execute("SELECT tablename FROM pg_tables WHERE schemaname = 'public'")
        return {row[0] for row in rows}


@pytest.fixture
def clinic_records(settings, tmp_path):
    """A patient with a submitted intake, a signed evaluation with an addendum, its PDF
    (a finished job with the file in MEDIA_ROOT) and the audit entries all of that wrote."""
    settings.MEDIA_ROOT = str(tmp_path / "media")
    settings.REPORT_JOBS_MODE = "inline"
    physio = UserFactory(username="backup-physio", roles=[Role.THERAPIST])
    patient = PatientFactory(
        given_name="Wrenna", family_name="Backhouse-Test", date_of_birth=date(1961, 2, 3)
    )
    evaluation = make_evaluation(patient=patient, therapist=physio)
    addendum = evaluation_addendum_add(
        evaluation=evaluation,
        by=physio,
        section="plan",
        reason="Spoke to the GP",
        text="GP agrees with the plan; review in six weeks.",
    )
    # Outside a transaction the job is dispatched, and here run, as soon as it is asked for.
    job = report_request(kind="evaluation", subject=evaluation, by=physio)
    job.refresh_from_db()
    assert job.status == "succeeded", job.error
    audit_record(
        actor=physio,
        action=AuditEvent.Action.VIEW,
        patient=patient,
        obj=patient,
        summary=f"Viewed patient {patient.mrn}",
    )
    # A signed-in member of staff: a session row, which the backup must leave out.
    Client().force_login(physio)
    return {
        "patient": patient,
        "intake": patient.intakes.get(),
        "evaluation": evaluation,
        "addendum": addendum,
        "job": job,
        "media": Path(settings.MEDIA_ROOT),
    }


def test_it_restores_a_backup_into_a_fresh_database_with_every_record_and_file(
    clinic_records, fresh_database, tmp_path
):
    records = clinic_records
    test_db = connection.settings_dict["NAME"]
    original = _python(FACTS, test_db, records["media"])

    backup = _backup(tmp_path, records["media"])

    # One folder, owner-only, with the dump, the media archive, a manifest and checksums.
    assert backup.name.startswith("clinic-backup-")
    assert sorted(p.name for p in backup.iterdir()) == [
        "SHA256SUMS",
        "database.dump",
        "manifest.json",
        "media.tar.gz",
    ]
    assert backup.stat().st_mode & 0o777 == 0o700
    assert {p.stat().st_mode & 0o777 for p in backup.iterdir()} == {0o600}
    manifest = json.loads((backup / "manifest.json").read_text())
    assert manifest["format"] == "clinic-backup/1" and manifest["app_version"]
    assert manifest["database"]["name"] == test_db
    assert "audit.0002_append_only_trigger" in manifest["migrations"]["applied"]
    assert manifest["media"]["files"] == 1

    restored_media = tmp_path / "restored-media"
    result = _restore(backup, fresh_database, restored_media)
    assert result.returncode == 0, result.stderr
    assert "Migrations match this code" in result.stderr
    assert "1 match their recorded sha256, 0 missing, 0 differ" in result.stderr

    restored = _python(FACTS, fresh_database, restored_media)
    assert restored == original
    # And not because both are empty: the records made above are there, field for field.
    patient, job = records["patient"], records["job"]
    assert [
        str(patient.public_id),
        patient.mrn,
        "Wrenna",
        "Backhouse-Test",
        "1961-02-03",
    ] in restored["patients"]
    assert restored["counts"]["submitted_intakes"] == 1
    assert restored["intakes"][0][0] == str(records["intake"].public_id)
    assert restored["counts"]["signed_evaluations"] == 1
    (evaluation,) = restored["evaluations"]
    signed = records["evaluation"]
    assert evaluation[:2] == [str(signed.public_id), signed.content_hash]
    assert evaluation[3] is True  # the signature's hash still verifies
    assert restored["addenda"] == [
        [
            str(records["addendum"].public_id),
            records["addendum"].content_hash,
            "Spoke to the GP",
            "GP agrees with the plan; review in six weeks.",
        ]
    ]
    (restored_job,) = restored["report_jobs"]
    assert restored_job == [str(job.public_id), "succeeded", job.file, job.sha256, job.sha256]
    pdf = restored_media / job.file
    assert hashlib.sha256(pdf.read_bytes()).hexdigest() == job.sha256
    assert restored["counts"]["audit_events"] == AuditEvent.objects.count()
    assert {"create", "export", "view"} <= set(restored["audit"]["actions"])
    # The append-only trigger came back with the table.
    assert restored["audit_update_refused"] is True
    assert restored["audit_delete_refused"] is True
    assert restored["audit_truncate_refused"] is True
    # Sessions are not restored: everyone signs in again.
    assert _sessions(test_db) >= 1 and _sessions(fresh_database) == 0
    # New records get new ids: the sequences were restored too.
    assert _python(WRITE, fresh_database, restored_media) == {"patient": True, "audit": True}


@pytest.mark.parametrize("damaged", ["database.dump", "media.tar.gz", "SHA256SUMS"])
def test_it_refuses_a_damaged_or_altered_backup_and_changes_nothing(
    damaged, fresh_database, tmp_path
):
    media = tmp_path / "media"
    (media / "reports").mkdir(parents=True)
    (media / "reports" / "one.pdf").write_bytes(b"%PDF-1.7 test")
    UserFactory(username="someone", roles=[Role.FRONT_DESK])
    backup = _backup(tmp_path, media)
    target = backup / damaged
    if damaged == "SHA256SUMS":
        # Dropping a file's line must not let that file through unchecked.
        lines = target.read_text().splitlines()
        target.write_text("\n".join(line for line in lines if "database.dump" not in line) + "\n")
    else:
        data = bytearray(target.read_bytes())
        data[len(data) // 2] ^= 0xFF
        target.write_bytes(bytes(data))

    restored_media = tmp_path / "restored-media"
    result = _restore(backup, fresh_database, restored_media)

    assert result.returncode == 2
    assert "nothing was restored" in result.stderr
    assert _tables(fresh_database) == set()
    assert not restored_media.exists()


def test_it_refuses_a_database_or_media_folder_in_use_unless_forced(fresh_database, tmp_path):
    media = tmp_path / "media"
    media.mkdir()
    UserFactory(username="someone", roles=[Role.FRONT_DESK])
    backup = _backup(tmp_path, media)

    # A media folder with files in it is someone's: the restore stops before touching
    # anything, the empty database included.
    busy_media = tmp_path / "busy-media"
    busy_media.mkdir()
    (busy_media / "logo.png").write_bytes(b"\x89PNG")
    result = _restore(backup, fresh_database, busy_media)
    assert result.returncode == 2
    assert "is not empty" in result.stderr and "Nothing was changed" in result.stderr
    assert _tables(fresh_database) == set()

    # So is a database with anything in it.
    with _connect(fresh_database, autocommit=True) as conn:
        conn.execute("CREATE TABLE notes_in_use (id int)")
    empty_media = tmp_path / "restored-media"
    result = _restore(backup, fresh_database, empty_media)
    assert result.returncode == 2
    assert "is not empty" in result.stderr and "Nothing was changed" in result.stderr
    assert _tables(fresh_database) == {"notes_in_use"}
    assert not empty_media.exists()

    # --force restores over both; what the backup does not hold stays.
    forced = _restore(backup, fresh_database, busy_media, "--force")
    assert forced.returncode == 0, forced.stderr
    assert {"notes_in_use", "audit_auditevent", "patients_patient"} <= _tables(fresh_database)
    assert (busy_media / "logo.png").exists()


# --- The runtime role (docs/operations.md, Database roles) --------------------------------


def _audit_privileges(database: str, role: str) -> set[str]:
    with _connect(database) as conn:
        rows = conn.execute(
            """SELECT p FROM unnest(ARRAY['SELECT', 'INSERT', 'UPDATE', 'DELETE', 'TRUNCATE',
                                          'TRIGGER']) p
               WHERE has_table_privilege(%s::name, 'audit_auditevent', p)""",
            [role],
        )
        return {row[0] for row in rows}


@pytest.mark.parametrize("acl", ["with the backup's grants", "--no-acl"])
def test_it_grants_the_runtime_role_its_rights_after_a_restore(
    roles, fresh_database, tmp_path, acl
):
    runtime = roles()
    # As the stack leaves it: the runtime role granted after migrate, so the dump holds
    # its grants (unless --no-acl leaves them out; restore.sh grants again either way).
    call_command("db_grant_runtime_role", runtime, stdout=io.StringIO())
    UserFactory(username="someone", roles=[Role.FRONT_DESK])
    # Made as the runtime role, as docs/operations.md has it in the stack: it reads all.
    backup = _backup(tmp_path, tmp_path / "media", user=runtime)
    extra = ["--no-acl"] if acl == "--no-acl" else []

    result = _restore(
        backup, fresh_database, tmp_path / "restored", "--runtime-role", runtime, *extra
    )

    assert result.returncode == 0, result.stderr
    assert f"The app's runtime role: {runtime}" in result.stderr
    assert "cannot change, delete or switch off the audit trail" in result.stderr
    assert _audit_privileges(fresh_database, runtime) == {"SELECT", "INSERT"}


@pytest.fixture
def restoring_owner(roles, fresh_database):
    """A restore as docs/operations.md has it: by the owner role, not a superuser, into a
    new database it owns."""
    owner = roles()
    _admin(
        sql.SQL("ALTER DATABASE {} OWNER TO {}").format(
            sql.Identifier(fresh_database), sql.Identifier(owner)
        )
    )
    return owner


def test_it_fails_a_restore_whose_runtime_role_is_a_member_of_the_owner(
    roles, restoring_owner, fresh_database, tmp_path
):
    member = roles()
    _admin(
        sql.SQL("GRANT {} TO {}").format(sql.Identifier(restoring_owner), sql.Identifier(member))
    )
    UserFactory(username="someone", roles=[Role.FRONT_DESK])
    backup = _backup(tmp_path, tmp_path / "media")

    # No --runtime-role: the app's DATABASE_URL names it, a role other than the one restoring.
    result = _restore(
        backup,
        fresh_database,
        tmp_path / "restored",
        user=restoring_owner,
        DATABASE_URL=_db_url(user=member),
        DB_RUNTIME_ROLE="",
    )

    assert result.returncode == 1, result.stderr
    assert f"The app's runtime role: {member}" in result.stderr
    assert "clinic.W051" in result.stderr and f"as a member of {restoring_owner}" in result.stderr
    assert f"the runtime role {member} could change or switch off the audit trail" in result.stderr
    # The restore itself went through: only the role is left to fix.
    assert "Migrations match this code" in result.stderr
    assert {"audit_auditevent", "patients_patient"} <= _tables(fresh_database)


def test_it_fails_a_restore_whose_runtime_role_is_a_superuser(roles, fresh_database, tmp_path):
    superuser = roles("LOGIN SUPERUSER")
    UserFactory(username="someone", roles=[Role.FRONT_DESK])
    backup = _backup(tmp_path, tmp_path / "media")

    result = _restore(backup, fresh_database, tmp_path / "restored", "--runtime-role", superuser)

    assert result.returncode == 1, result.stderr
    assert f'"{superuser}" is a superuser' in result.stderr
    assert "could change or switch off the audit trail" in result.stderr


@pytest.mark.parametrize(
    ("runtime", "message"),
    [
        ("clinic_test_nobody", "the runtime role clinic_test_nobody does not exist"),
        (None, "the runtime role must not be {restoring}, the role restoring"),
    ],
    ids=["missing", "the restoring role"],
)
def test_it_refuses_a_runtime_role_that_cannot_be_right_and_changes_nothing(
    fresh_database, tmp_path, runtime, message
):
    restoring = connection.settings_dict["USER"]
    UserFactory(username="someone", roles=[Role.FRONT_DESK])
    backup = _backup(tmp_path, tmp_path / "media")

    result = _restore(
        backup, fresh_database, tmp_path / "restored", "--runtime-role", runtime or restoring
    )

    assert result.returncode == 2, result.stderr
    assert message.format(restoring=restoring) in result.stderr
    assert _tables(fresh_database) == set()
