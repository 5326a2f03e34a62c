import pytest
from django.db import connection, transaction
from django.db.utils import DatabaseError

from audit.models import AppendOnlyError, AuditEvent
from audit.services import audit_record
from tests.audit.support import truncate_trigger

pytestmark = pytest.mark.django_db


@pytest.fixture
def event(patient):
    return audit_record(actor=None, action=AuditEvent.Action.VIEW, patient=patient)


def test_the_app_cannot_change_an_audit_entry(event):
    event.summary = "tampered"
    with pytest.raises(AppendOnlyError):
        event.save()
    with pytest.raises(AppendOnlyError):
        AuditEvent.objects.filter(pk=event.pk).update(summary="tampered")


def test_the_app_cannot_delete_an_audit_entry(event):
    with pytest.raises(AppendOnlyError):
        event.delete()
    with pytest.raises(AppendOnlyError):
        AuditEvent.objects.all().delete()
    assert AuditEvent.objects.filter(pk=event.pk).exists()


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the trigger is PostgreSQL's")
def test_postgresql_refuses_update_and_delete_from_any_sql_client(event):
    for sql in (
        "UPDATE audit_auditevent SET summary = 'tampered' WHERE id = %s",
        "DELETE FROM audit_auditevent WHERE id = %s",
    ):
        with (
            pytest.raises(DatabaseError, match="append-only"),
            transaction.atomic(),
            connection.cursor() as cursor,
        ):
            cursor.execute(sql, [event.pk])
    assert AuditEvent.objects.get(pk=event.pk).summary == event.summary


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the trigger is PostgreSQL's")
@pytest.mark.parametrize(
    "sql", ["TRUNCATE audit_auditevent", "TRUNCATE patients_patient CASCADE"], ids=str
)
def test_postgresql_refuses_truncate_of_the_audit_table_even_by_cascade(event, sql):
    with (
        pytest.raises(DatabaseError, match="append-only: TRUNCATE refused"),
        transaction.atomic(),
        connection.cursor() as cursor,
    ):
        # The test database lets Django's flush through (tests/conftest.py); a migrated
        # database has the trigger on, as here until the transaction rolls back. (ALTER
        # TABLE waits for no deferred check: run the entry's foreign-key checks now.)
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        truncate_trigger(on=True)
        cursor.execute(sql)
    assert AuditEvent.objects.filter(pk=event.pk).exists()
