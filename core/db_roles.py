"""Who can change the audit trail on PostgreSQL, and the runtime role's grants.

The audit table's triggers (audit/migrations/0002, 0006) refuse UPDATE, DELETE and
TRUNCATE from every client, but not from a role that can switch them off: the table's
owner (ALTER TABLE ... DISABLE TRIGGER), a superuser (also SET session_replication_role =
replica, under which they do not fire), or a role that can become one of those. So in
production the tables belong to an owner role that only migrations run as, and the app
connects as a runtime role that owns nothing (docs/operations.md, "Database roles").

`role_problems` says what a role could do to get round the triggers; the deploy check
(core/checks.py), `manage.py db_grant_runtime_role` and scripts/restore.sh all use it.
`grant_runtime_role` gives the runtime role exactly what the app needs.

Every function takes a DB-API cursor (Django's or psycopg's) on the clinic's database.
"""

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Literal, Protocol

AUDIT_TABLE = "audit_auditevent"
# audit/migrations/0002_append_only_trigger.py and 0006_no_truncate_trigger.py.
APPEND_ONLY_TRIGGERS = ("audit_event_append_only", "audit_event_no_truncate")
# What the runtime role may never hold on the audit table. TRIGGER would let it add a
# trigger of its own that drops or rewrites new entries; REFERENCES would let a foreign key
# of its own block inserts.
FORBIDDEN_ON_AUDIT = ("UPDATE", "DELETE", "TRUNCATE", "TRIGGER", "REFERENCES")
# Column privileges count too: UPDATE of one column is still an UPDATE.
_COLUMN_PRIVILEGES = {"SELECT", "INSERT", "UPDATE", "REFERENCES"}
# Django's record of applied migrations: a runtime role that could write it could mark a
# future migration (say, one hardening the audit table) as applied so it never runs.
MIGRATIONS_TABLE = "django_migrations"

HOW_TO = "docs/operations.md, Database roles"

# Check ids (core/checks.py); `manage.py check --deploy` prints them.
SUPERUSER = "clinic.W050"
OWNER = "clinic.W051"
PRIVILEGE = "clinic.W052"
REPLICATION_ROLE = "clinic.W053"
CREATE_ROLE = "clinic.W054"
CREATE_OBJECTS = "clinic.W055"
TRIGGERS = "clinic.W056"
CANNOT_AUDIT = "clinic.W057"
UNCHECKED = "clinic.W058"


class Cursor(Protocol):
    def execute(self, sql: str, params: Sequence[Any] = ..., /) -> Any: ...
    def fetchone(self) -> Any: ...
    def fetchall(self) -> list[Any]: ...


@dataclass(frozen=True)
class Problem:
    id: str
    message: str
    hint: str = ""


class RoleSetupError(Exception):
    """The grant cannot be made as asked; the message says why and what to do."""


@dataclass(frozen=True)
class AuditTable:
    oid: int
    schema: str
    owner: str


@dataclass(frozen=True)
class GrantSummary:
    schema: str
    tables: int
    sequences: int


def quote_ident(name: str) -> str:
    """A PostgreSQL identifier, quoted (PostgreSQL's own rule: double any double quote)."""
    return '"' + name.replace('"', '""') + '"'


def _all(cursor: Cursor, query: str, params: Sequence[Any] = ()) -> list[tuple]:
    cursor.execute(query, params)
    return [tuple(row) for row in cursor.fetchall()]


def _one(cursor: Cursor, query: str, params: Sequence[Any] = ()) -> tuple[Any, ...] | None:
    cursor.execute(query, params)
    row = cursor.fetchone()
    return tuple(row) if row is not None else None


def _the_row(cursor: Cursor, query: str, params: Sequence[Any] = ()) -> tuple[Any, ...]:
    """The row of a query that always returns one (a function's value, an aggregate, a
    catalog row of something already found)."""
    row = _one(cursor, query, params)
    if row is None:
        raise RuntimeError(f"PostgreSQL returned no row for: {query}")
    return row


def connected_role(cursor: Cursor) -> str:
    """The role the connection logged in as. SET ROLE can move away from it and RESET
    ROLE back, so what it can reach is what counts."""
    return _the_row(cursor, "SELECT session_user")[0]


def role_exists(cursor: Cursor, role: str) -> bool:
    return _one(cursor, "SELECT 1 FROM pg_roles WHERE rolname = %s", [role]) is not None


def audit_table(cursor: Cursor) -> AuditTable | None:
    row = _one(
        cursor,
        """SELECT c.oid::bigint, n.nspname, pg_get_userbyid(c.relowner)
           FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
           WHERE c.oid = to_regclass(%s)""",
        [AUDIT_TABLE],
    )
    return AuditTable(*row) if row else None


_REACHABLE = {
    "rolsuper": """SELECT rolname FROM pg_roles
                   WHERE rolsuper AND pg_has_role(%s::name, oid, 'MEMBER') ORDER BY rolname""",
    "rolcreaterole": """SELECT rolname FROM pg_roles
                        WHERE rolcreaterole AND pg_has_role(%s::name, oid, 'MEMBER')
                        ORDER BY rolname""",
}


def _reachable(
    cursor: Cursor, role: str, attribute: Literal["rolsuper", "rolcreaterole"]
) -> list[str]:
    """Roles with the attribute that `role` is, or is a member of: SET ROLE to a role it
    is a member of gives that role's attributes, so membership is enough."""
    return [name for (name,) in _all(cursor, _REACHABLE[attribute], [role])]


def _as(role: str, via: str) -> str:
    return "" if via == role else f" (as a member of {via})"


def role_problems(cursor: Cursor, role: str) -> list[Problem]:
    """Each way `role` could change, remove or stop the audit trail on this database, and
    whether it can write the trail at all. Empty when it is a proper runtime role."""
    if not role_exists(cursor, role):
        return [
            Problem(
                UNCHECKED,
                f'The database role "{role}" does not exist.',
                f"Create it first ({HOW_TO}).",
            )
        ]
    supers = _reachable(cursor, role, "rolsuper")
    if supers:
        # A superuser can do everything below and more; one message says it.
        return [
            Problem(
                SUPERUSER,
                f'The database role "{role}" is a superuser{_as(role, supers[0])}: it can '
                "switch off the audit trail's append-only triggers and rewrite the trail.",
                f"Connect the app as a runtime role that is not a superuser ({HOW_TO}).",
            )
        ]
    table = audit_table(cursor)
    if table is None:
        return [
            Problem(
                UNCHECKED,
                f"The audit table {AUDIT_TABLE} does not exist here: nothing to check.",
                "Run manage.py migrate (as the owner role) first.",
            )
        ]
    owned = _all(
        cursor,
        """SELECT 'the audit table ' || %s, pg_get_userbyid(c.relowner)
             FROM pg_class c WHERE c.oid = %s::oid AND pg_has_role(%s::name, c.relowner, 'MEMBER')
           UNION ALL
           SELECT DISTINCT 'its trigger function ' || p.proname || '()', pg_get_userbyid(p.proowner)
             FROM pg_trigger t JOIN pg_proc p ON p.oid = t.tgfoid
             WHERE t.tgrelid = %s::oid AND NOT t.tgisinternal
               AND pg_has_role(%s::name, p.proowner, 'MEMBER')
           UNION ALL
           SELECT 'its schema ' || n.nspname, pg_get_userbyid(n.nspowner)
             FROM pg_namespace n JOIN pg_class c ON c.relnamespace = n.oid
             WHERE c.oid = %s::oid AND pg_has_role(%s::name, n.nspowner, 'MEMBER')
           UNION ALL
           SELECT 'the database ' || d.datname, pg_get_userbyid(d.datdba)
             FROM pg_database d
             WHERE d.datname = current_database() AND pg_has_role(%s::name, d.datdba, 'MEMBER')""",
        [AUDIT_TABLE, table.oid, role, table.oid, role, table.oid, role, role],
    )
    if owned:
        # Owning any of these is enough to get round the triggers; the privileges and
        # rights to create that come with owning them need no messages of their own.
        what = ", ".join(f"{thing}{_as(role, owner)}" for thing, owner in owned)
        return [
            Problem(
                OWNER,
                f'The database role "{role}" owns {what}: it can switch off or replace the '
                "append-only triggers (ALTER TABLE ... DISABLE TRIGGER), or drop the table.",
                "Let the tables, schema and database belong to the owner role that runs "
                f"migrations, and connect the app as a runtime role that owns nothing ({HOW_TO}).",
            )
        ]
    problems: list[Problem] = []
    held = [
        privilege
        for privilege in FORBIDDEN_ON_AUDIT
        if _has_table_privilege(cursor, role, table.oid, privilege)
    ]
    if held:
        problems.append(
            Problem(
                PRIVILEGE,
                f'The database role "{role}" has {", ".join(held)} on {AUDIT_TABLE}; the '
                "runtime role may only SELECT and INSERT there.",
                f"As the owner, run: manage.py db_grant_runtime_role {role} (it revokes them; "
                "a privilege that stays came through another role or grantor: revoke it there).",
            )
        )
    if _can_set_session_replication_role(cursor, role):
        problems.append(
            Problem(
                REPLICATION_ROLE,
                f'The database role "{role}" may SET session_replication_role: in replica '
                "mode the audit table's triggers do not fire.",
                f"REVOKE SET ON PARAMETER session_replication_role FROM {quote_ident(role)};",
            )
        )
    creators = _reachable(cursor, role, "rolcreaterole")
    if creators:
        problems.append(
            Problem(
                CREATE_ROLE,
                f'The database role "{role}" has CREATEROLE{_as(role, creators[0])}: it can '
                "grant itself the owner's role.",
                f"ALTER ROLE {quote_ident(creators[0])} NOCREATEROLE;",
            )
        )
    in_schema, in_database, database = _the_row(
        cursor,
        """SELECT has_schema_privilege(%s::name, %s::name, 'CREATE'),
                  has_database_privilege(%s::name, current_database(), 'CREATE'),
                  current_database()""",
        [role, table.schema, role],
    )
    if in_schema:
        problems.append(
            Problem(
                CREATE_OBJECTS,
                f'The database role "{role}" may create objects in schema {table.schema}; the '
                "runtime role needs none of its own.",
                f"As the schema's owner: REVOKE CREATE ON SCHEMA {quote_ident(table.schema)} "
                f"FROM PUBLIC, {quote_ident(role)};",
            )
        )
    if in_database:
        problems.append(
            Problem(
                CREATE_OBJECTS,
                f'The database role "{role}" may create schemas in database {database}; the '
                "runtime role needs none of its own.",
                f"As the database's owner: REVOKE CREATE ON DATABASE {quote_ident(database)} "
                f"FROM PUBLIC, {quote_ident(role)};",
            )
        )
    missing = [
        p for p in ("SELECT", "INSERT") if not _has_table_privilege(cursor, role, table.oid, p)
    ]
    if missing:
        problems.append(
            Problem(
                CANNOT_AUDIT,
                f'The database role "{role}" lacks {" and ".join(missing)} on {AUDIT_TABLE}: '
                "every audited page would fail.",
                f"As the owner, run: manage.py db_grant_runtime_role {role}",
            )
        )
    return problems


def _has_table_privilege(cursor: Cursor, role: str, table_oid: int, privilege: str) -> bool:
    function = (
        "has_any_column_privilege" if privilege in _COLUMN_PRIVILEGES else "has_table_privilege"
    )
    query = f"SELECT {function}(%s::name, %s::oid, %s::text)"
    return bool(_the_row(cursor, query, [role, table_oid, privilege])[0])


def _can_set_session_replication_role(cursor: Cursor, role: str) -> bool:
    version = int(_the_row(cursor, "SHOW server_version_num")[0])
    if version < 150000:
        # Before PostgreSQL 15 only superusers may set it, and those are caught above.
        return False
    return bool(
        _the_row(
            cursor,
            "SELECT has_parameter_privilege(%s::name, 'session_replication_role', 'SET')",
            [role],
        )[0]
    )


def trigger_problems(cursor: Cursor) -> list[Problem]:
    """The append-only triggers are there and on (a disabled one protects nothing, whoever
    the app connects as)."""
    table = audit_table(cursor)
    if table is None:
        return [
            Problem(
                TRIGGERS,
                f"The audit table {AUDIT_TABLE} does not exist.",
                "Run manage.py migrate (as the owner role).",
            )
        ]
    states = dict(
        _all(
            cursor,
            "SELECT tgname::text, tgenabled::text FROM pg_trigger"
            " WHERE tgrelid = %s::oid AND tgname = ANY(%s)",
            [table.oid, list(APPEND_ONLY_TRIGGERS)],
        )
    )
    problems = []
    for name in APPEND_ONLY_TRIGGERS:
        state = states.get(name)
        if state is None:
            problems.append(
                Problem(
                    TRIGGERS,
                    f"The audit table has no {name} trigger: it is not append-only.",
                    "Run manage.py migrate (as the owner role): the audit app's migrations add it.",
                )
            )
        elif state in {"D", "R"}:
            # D: disabled. R: fires only while session_replication_role = replica.
            problems.append(
                Problem(
                    TRIGGERS,
                    f"The audit table's {name} trigger is switched off.",
                    f"As the owner: ALTER TABLE {AUDIT_TABLE} ENABLE TRIGGER {name};",
                )
            )
    return problems


def grant_runtime_role(cursor: Cursor, role: str) -> GrantSummary:
    """Give `role` exactly what the app needs on every table and sequence in the audit
    table's schema: SELECT, INSERT, UPDATE and DELETE on rows (only SELECT and INSERT on
    the audit table, only SELECT on django_migrations), USAGE and SELECT on sequences,
    nothing else. Revokes everything else first, so running it again, after any migrate,
    gives the same result. Run it as the owner of the tables, in a transaction."""
    me = connected_role(cursor)
    if not role_exists(cursor, role):
        raise RoleSetupError(
            f'The database role "{role}" does not exist. Create it first, as a superuser: '
            f"CREATE ROLE {quote_ident(role)} LOGIN PASSWORD '...'; ({HOW_TO})."
        )
    if role == me:
        raise RoleSetupError(
            f'"{role}" is the role running this command. Run it as the owner of the tables '
            "and name the runtime role, a different role the app connects as."
        )
    if _reachable(cursor, role, "rolsuper"):
        raise RoleSetupError(
            f'"{role}" is a superuser (or a member of one): no grant can limit it. Connect '
            f"the app as a role that is not ({HOW_TO})."
        )
    table = audit_table(cursor)
    if table is None:
        raise RoleSetupError(f"The audit table {AUDIT_TABLE} does not exist: run migrate first.")
    is_owner = _the_row(
        cursor,
        """SELECT pg_has_role(session_user, c.relowner, 'USAGE')
                  OR (SELECT rolsuper FROM pg_roles WHERE rolname = session_user)
           FROM pg_class c WHERE c.oid = %s::oid""",
        [table.oid],
    )[0]
    if not is_owner:
        raise RoleSetupError(
            f'Run this as the owner of the tables ("{table.owner}", the role migrations run '
            f'as), not as "{me}".'
        )

    r = quote_ident(role)
    schema = quote_ident(table.schema)
    audit = f"{schema}.{quote_ident(AUDIT_TABLE)}"
    statements = [
        f"GRANT USAGE ON SCHEMA {schema} TO {r}",
        f"REVOKE CREATE ON SCHEMA {schema} FROM {r}",
        f"REVOKE ALL ON ALL TABLES IN SCHEMA {schema} FROM {r}",
        f"GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA {schema} TO {r}",
        # Nobody but the owner may change the trail, whatever was granted before.
        f"REVOKE ALL ON TABLE {audit} FROM PUBLIC",
        f"REVOKE UPDATE, DELETE ON TABLE {audit} FROM {r}",
        f"REVOKE ALL ON ALL SEQUENCES IN SCHEMA {schema} FROM {r}",
        # USAGE for nextval() on insert; SELECT so the runtime role can run backup.sh.
        f"GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA {schema} TO {r}",
    ]
    if _the_row(cursor, "SELECT to_regclass(%s)", [f"{table.schema}.{MIGRATIONS_TABLE}"])[0]:
        statements.append(
            f"REVOKE INSERT, UPDATE, DELETE ON TABLE {schema}.{quote_ident(MIGRATIONS_TABLE)} "
            f"FROM {r}"
        )
    owns_schema, owns_database, database = _the_row(
        cursor,
        """SELECT pg_has_role(session_user, n.nspowner, 'USAGE'),
                  pg_has_role(session_user, d.datdba, 'USAGE'), d.datname
           FROM pg_namespace n, pg_database d
           WHERE n.nspname = %s AND d.datname = current_database()""",
        [table.schema],
    )
    if owns_schema:
        # PostgreSQL 15's default; older servers let everyone create in public.
        statements.append(f"REVOKE CREATE ON SCHEMA {schema} FROM PUBLIC")
    if owns_database:
        statements.append(f"REVOKE CREATE ON DATABASE {quote_ident(database)} FROM {r}")
    for statement in statements:
        cursor.execute(statement)
    tables, sequences = _the_row(
        cursor,
        """SELECT count(*) FILTER (WHERE relkind IN ('r', 'p', 'v', 'm', 'f')),
                  count(*) FILTER (WHERE relkind = 'S')
           FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
           WHERE n.nspname = %s""",
        [table.schema],
    )
    return GrantSummary(schema=table.schema, tables=tables, sequences=sequences)
