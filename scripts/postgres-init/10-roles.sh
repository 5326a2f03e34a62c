#!/usr/bin/env bash
# The two database roles of the compose stack (docs/operations.md, "Database roles"):
#
#   DB_OWNER_ROLE (clinic)        owns the database, its schema and every table. Only the
#                                 one-shot migrate service connects as it.
#   DB_RUNTIME_ROLE (clinic_app)  what web, worker and beat connect as. Owns nothing and
#                                 may not create anything; its rights on the tables are
#                                 granted after each migrate by
#                                 `manage.py db_grant_runtime_role`.
#
# The postgres image runs this once, as the superuser POSTGRES_USER, when its data volume
# is first created (docker-entrypoint-initdb.d). It is safe to run again by hand: it
# creates what is missing, makes the runtime role harmless and changes no password.
# On an installation from before the two roles, whose superuser is "clinic":
#   docker-compose exec -e PGUSER=clinic postgres bash /docker-entrypoint-initdb.d/10-roles.sh
set -euo pipefail

database="${POSTGRES_DB:-clinic}"
superuser="${PGUSER:-${POSTGRES_USER:-postgres}}"
owner="${DB_OWNER_ROLE:-clinic}"
runtime="${DB_RUNTIME_ROLE:-clinic_app}"

# A runtime role that is also the owner or the superuser would protect nothing.
if [[ "$runtime" == "$owner" || "$runtime" == "$superuser" ]]; then
    echo "10-roles.sh: DB_RUNTIME_ROLE ($runtime) must be a role of its own, not the owner or the superuser" >&2
    exit 1
fi

# Passwords go in as psql variables and are quoted by format(%L), never pasted into SQL.
psql -X -v ON_ERROR_STOP=1 --no-password --username "$superuser" --dbname "$database" \
    -v database="$database" -v owner="$owner" -v runtime="$runtime" \
    -v owner_password="${DB_OWNER_PASSWORD:?set DB_OWNER_PASSWORD}" \
    -v runtime_password="${DB_RUNTIME_PASSWORD:?set DB_RUNTIME_PASSWORD}" <<'SQL'
-- The owner: no superuser, so it can do no more than its own objects allow. An existing
-- role is left as it is (on an older installation it is the superuser itself).
SELECT format('CREATE ROLE %I LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE PASSWORD %L',
              :'owner', :'owner_password')
WHERE NOT EXISTS (SELECT FROM pg_roles WHERE rolname = :'owner') \gexec
-- Owning the database makes it the owner of the public schema too (pg_database_owner),
-- so migrate can create tables there.
ALTER DATABASE :"database" OWNER TO :"owner";

SELECT format('CREATE ROLE %I LOGIN PASSWORD %L', :'runtime', :'runtime_password')
WHERE NOT EXISTS (SELECT FROM pg_roles WHERE rolname = :'runtime') \gexec
-- Whatever it was before: no superuser, no creating roles (which would let it grant
-- itself the owner's role) or databases, no replication.
ALTER ROLE :"runtime" NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION NOBYPASSRLS;
GRANT CONNECT, TEMPORARY ON DATABASE :"database" TO :"runtime";
-- PostgreSQL 15's default, stated: only the schema's owner creates objects in it.
REVOKE CREATE ON SCHEMA public FROM PUBLIC;
SQL
echo "10-roles.sh: roles $owner (owner of $database) and $runtime (runtime) are ready" >&2
