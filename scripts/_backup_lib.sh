# Shared by scripts/backup.sh and scripts/restore.sh (sourced, not run).
# shellcheck shell=bash

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"

note() { echo "==> $*" >&2; }
die() {
    echo "$(basename "$0"): $*" >&2
    exit 1
}
# Refusals (bad arguments, a damaged backup, a target that is not empty) exit 2.
refuse() {
    echo "$(basename "$0"): $*" >&2
    exit 2
}

# The project's Python (it has Django), for manage.py and for parsing URLs and JSON.
find_python() {
    if [[ -n "${PYTHON:-}" ]]; then
        echo "$PYTHON"
    elif [[ -x "$ROOT/.venv/bin/python" ]]; then
        echo "$ROOT/.venv/bin/python"
    elif command -v python3 >/dev/null; then
        echo python3
    else
        echo python
    fi
}

# setting NAME: the variable from the environment, else the last NAME=value line of .env
# beside manage.py, which is where settings.py reads it from too.
setting() {
    local name="$1" value="${!1:-}"
    if [[ -z "$value" && -f "$ROOT/.env" ]]; then
        value="$(sed -n "s/^[[:space:]]*${name}[[:space:]]*=[[:space:]]*//p" "$ROOT/.env" | tail -n 1)"
        value="${value%\"}" && value="${value#\"}"
        value="${value%\'}" && value="${value#\'}"
    fi
    printf '%s' "$value"
}

# use_database_url URL: point psql, pg_dump and pg_restore at URL through PG* variables,
# so the password never appears on a command line (other users can read those in ps).
use_database_url() {
    local assignments
    assignments="$(CLINIC_DB_URL="$1" "$PY" - <<'PY'
import os
import shlex
import sys
from urllib.parse import parse_qsl, unquote, urlsplit

url = urlsplit(os.environ["CLINIC_DB_URL"])
if url.scheme not in {"postgres", "postgresql", "pgsql", "psql"}:
    sys.exit(f"not a PostgreSQL URL ({url.scheme or 'no'} scheme): only PostgreSQL is backed up")
values = {
    "PGHOST": unquote(url.hostname or ""),
    "PGPORT": str(url.port or ""),
    "PGUSER": unquote(url.username or ""),
    "PGPASSWORD": unquote(url.password or ""),
    "PGDATABASE": unquote(url.path.lstrip("/")),
}
options = {
    "sslmode": "PGSSLMODE",
    "sslrootcert": "PGSSLROOTCERT",
    "sslcert": "PGSSLCERT",
    "sslkey": "PGSSLKEY",
    "connect_timeout": "PGCONNECT_TIMEOUT",
}
for key, value in parse_qsl(url.query):
    if key in options:
        values[options[key]] = value
if not values["PGDATABASE"]:
    sys.exit("the database URL names no database")
for name, value in values.items():
    print(f"export {name}={shlex.quote(value)}" if value else f"unset {name}")
PY
)" || exit 1
    eval "$assignments"
    export PGCONNECT_TIMEOUT="${PGCONNECT_TIMEOUT:-10}"
}

# url_user URL: the user name in a database URL, or nothing when it names none.
url_user() {
    CLINIC_DB_URL="$1" "$PY" -c 'import os
from urllib.parse import unquote, urlsplit
print(unquote(urlsplit(os.environ["CLINIC_DB_URL"]).username or ""))'
}

# The database as people name it, without the password.
db_label() {
    echo "${PGDATABASE} on ${PGHOST:-the local socket}${PGPORT:+:$PGPORT}${PGUSER:+ as $PGUSER}"
}

# sql QUERY: one query, unaligned, no headers, never prompting for a password.
sql() {
    psql -X -w -v ON_ERROR_STOP=1 -qtA -c "$1"
}

require_tools() {
    local tool
    for tool in "$@"; do
        command -v "$tool" >/dev/null || die "$tool not found: install the PostgreSQL client (postgresql-client-15 on Debian)"
    done
}
