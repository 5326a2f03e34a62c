"""The append-only triggers fire in every session, replica mode included: with
`session_replication_role = replica` an ordinary (ENABLE) trigger is skipped. The app's
runtime role cannot set that anyway (docs/operations.md, "Database roles"); this is the
second line, for any other client."""

from django.db import migrations

from core.migration_operations import PostgreSQLOnlySQL

ALWAYS = """
ALTER TABLE audit_auditevent ENABLE ALWAYS TRIGGER audit_event_append_only;
ALTER TABLE audit_auditevent ENABLE ALWAYS TRIGGER audit_event_no_truncate;
"""

ORIGIN = """
ALTER TABLE audit_auditevent ENABLE TRIGGER audit_event_append_only;
ALTER TABLE audit_auditevent ENABLE TRIGGER audit_event_no_truncate;
"""


class Migration(migrations.Migration):
    dependencies = [("audit", "0007_step_up_password_delete_actions")]

    operations = [PostgreSQLOnlySQL(ALWAYS, ORIGIN)]
