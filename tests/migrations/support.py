"""Migrating a copy of the demo data: back to before a change, then forward through it.

The demo seed builds the data with today's code; migrating back to the state before a
change keeps every row the older schema has (the new tables and columns go), and
migrating forward again runs the change's schema and data migrations over that data, as
an installation upgrading from the previous release would.
"""

from collections.abc import Iterable

from django.core.management import call_command
from django.db import connection
from django.db.migrations.executor import MigrationExecutor


def seed_demo(patients: int = 12) -> None:
    call_command("seed_demo", "--force", "--patients", str(patients), stdout=_Null())


def migrate(targets: Iterable[tuple[str, str]]) -> None:
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(list(targets))


def migrate_to_latest() -> None:
    """Forward to today's schema. On PostgreSQL that switches the audit table's TRUNCATE
    trigger back on, which the test database keeps off for Django's flush
    (tests/conftest.py): off again here."""
    from tests.audit.support import truncate_trigger

    executor = MigrationExecutor(connection)
    migrate(executor.loader.graph.leaf_nodes())
    if connection.vendor == "postgresql":
        truncate_trigger(on=False)


class _Null:
    def write(self, *_args, **_kwargs) -> None:
        pass

    def flush(self) -> None:
        pass
