"""The audit table's TRUNCATE trigger (audit/migrations/0006) in the test database."""

from django.db import connection


def truncate_trigger(*, on: bool) -> None:
    """Turn the trigger on or off. The test database keeps it off (tests/conftest.py) so
    that Django's flush, a TRUNCATE of every table, can end each transactional test."""
    # On as the migrations leave it: firing in every session (audit/migrations/0008).
    state = "ENABLE ALWAYS" if on else "DISABLE"
    with connection.cursor() as cursor:
        cursor.execute(f"ALTER TABLE audit_auditevent {state} TRIGGER audit_event_no_truncate")
