"""Grant the app's runtime database role exactly what it needs, after every migrate.

    manage.py db_grant_runtime_role clinic_app          # as the owner, after migrate
    manage.py db_grant_runtime_role --check clinic_app  # change nothing, only check

The runtime role gets SELECT, INSERT, UPDATE and DELETE on every table (new ones
included: hence after every migrate), only SELECT and INSERT on the audit table and
nothing it could use to switch the audit trail off. The command then checks the role
(core/db_roles.py) and fails if it could still change the trail, for example because it
is a superuser or a member of the owner's role. docs/operations.md, "Database roles".
"""

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import DEFAULT_DB_ALIAS, DatabaseError, connections, transaction

from core import db_roles


class Command(BaseCommand):
    help = (
        "Grant the runtime database role (the one the app connects as) its rights on every "
        "table, only SELECT and INSERT on the audit table, and check that it cannot change "
        "or switch off the audit trail. Run as the owner of the tables after every migrate."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("role", help="the runtime role, e.g. clinic_app")
        parser.add_argument(
            "--check",
            action="store_true",
            help="grant nothing: only check the role, and fail if it could change the audit trail",
        )
        parser.add_argument("--database", default=DEFAULT_DB_ALIAS)

    def handle(self, *args, role: str, check: bool, database: str, **options) -> None:
        connection = connections[database]
        if connection.vendor != "postgresql":
            raise CommandError(
                f"This is for PostgreSQL; the database is {connection.display_name}, which has "
                "no roles. There the audit trail is not tamper-protected: the app refuses to "
                "change it, but anyone who can open the database file can edit it."
            )
        try:
            if check:
                with connection.cursor() as cursor:
                    problems = db_roles.role_problems(cursor, role)
            else:
                with transaction.atomic(using=database), connection.cursor() as cursor:
                    summary = db_roles.grant_runtime_role(cursor, role)
                    problems = db_roles.role_problems(cursor, role)
                self.stdout.write(
                    f'Granted "{role}" SELECT, INSERT, UPDATE and DELETE on the '
                    f"{summary.tables} tables of schema {summary.schema} and their "
                    f"{summary.sequences} sequences; on {db_roles.AUDIT_TABLE} only SELECT "
                    "and INSERT."
                )
        except db_roles.RoleSetupError as exc:
            raise CommandError(str(exc)) from exc
        except DatabaseError as exc:
            raise CommandError(f"The database refused: {exc}".strip()) from exc
        if problems:
            lines = [f'"{role}" could still change the audit trail, or cannot write it:']
            lines += [f"  {p.id}: {p.message}\n    {p.hint}" for p in problems]
            raise CommandError("\n".join(lines))
        self.stdout.write(
            f'"{role}" cannot change, delete or switch off the audit trail, and can append to it.'
        )
