"""Migration operations shared by the apps' migrations."""

from django.db import migrations


class PostgreSQLOnlySQL(migrations.RunSQL):
    """RunSQL that runs on PostgreSQL and does nothing elsewhere: the SQLite database of
    `make run` and the quick tests has no triggers or PL/pgSQL. Each script is sent
    whole, as one execute (not split into statements), so `$$` function bodies pass
    through untouched."""

    def __init__(self, sql: str, reverse_sql: str, **kwargs):
        super().__init__([(sql, None)], [(reverse_sql, None)], **kwargs)

    def database_forwards(self, app_label, schema_editor, from_state, to_state):
        if schema_editor.connection.vendor == "postgresql":
            super().database_forwards(app_label, schema_editor, from_state, to_state)

    def database_backwards(self, app_label, schema_editor, from_state, to_state):
        if schema_editor.connection.vendor == "postgresql":
            super().database_backwards(app_label, schema_editor, from_state, to_state)
