"""On PostgreSQL, refuse TRUNCATE of the audit table too. Row triggers (0002) do not fire
on TRUNCATE; a statement trigger does, for every client, and for a TRUNCATE of another
table that cascades to this one. Revoking TRUNCATE from the app's role in production
stays good practice (docs/operations.md): the table's owner can still disable triggers."""

from django.db import migrations

from core.migration_operations import PostgreSQLOnlySQL

CREATE = """
DROP TRIGGER IF EXISTS audit_event_no_truncate ON audit_auditevent;
CREATE TRIGGER audit_event_no_truncate
    BEFORE TRUNCATE ON audit_auditevent
    FOR EACH STATEMENT EXECUTE FUNCTION audit_event_append_only();
"""

DROP = "DROP TRIGGER IF EXISTS audit_event_no_truncate ON audit_auditevent;"


class Migration(migrations.Migration):
    dependencies = [("audit", "0005_sign_in_security_actions")]

    operations = [PostgreSQLOnlySQL(CREATE, DROP)]
