#!/usr/bin/env bash
# Restore a backup made by scripts/backup.sh into a new, empty database and media folder,
# then say whether the restored database's migrations match this code.
# docs/operations.md walks through a whole restore.
set -euo pipefail
# Restored media files are patient data: readable by their owner only.
umask 077

usage() {
    cat <<'EOF'
Usage: scripts/restore.sh BACKUP_DIR [--database-url URL] [--media-root DIR]
                          [--runtime-role ROLE] [--force] [--no-acl]

  1. checks every file of BACKUP_DIR against its SHA256SUMS (a damaged or altered backup
     is refused and nothing is touched);
  2. refuses a database that has any tables and a media folder that has any files,
     unless --force;
  3. restores the database with pg_restore, in one transaction (all or nothing), checks
     the audit table's append-only triggers, then grants the runtime role its rights
     (manage.py db_grant_runtime_role) and fails if it could change the audit trail;
  4. unpacks the media files;
  5. checks each generated PDF and export against the sha256 its job recorded;
  6. compares the database's migrations with this code's (manage.py showmigrations).

  --database-url URL  the database to restore into; create it first (createdb). Default:
                      DATABASE_URL from the environment or .env.
  --media-root DIR    the folder to unpack the media files into. Default: MEDIA_ROOT from
                      the environment or .env, else ./media.
  --runtime-role ROLE the role the app connects as (web, worker, beat); it must exist.
                      Default: DB_RUNTIME_ROLE from the environment or .env, else the user
                      of DATABASE_URL when that is not the role restoring. The restore
                      fails if this role is a superuser, owns the audit table or could
                      otherwise switch its append-only triggers off.
  --force             restore over a database and media folder that are not empty: the
                      backup's tables replace the ones of the same name, its files
                      overwrite files of the same name. Anything else there stays.
  --no-acl            skip the backup's GRANTs and REVOKEs (when the roles they name do
                      not exist on this server).

Objects are owned by the role that restores them: run it as the role that owns the
application's tables (the one migrations run as), never as the runtime role.

Exit status: 0 restored and the migrations match this code; 3 restored but the migrations
differ (the message says what to do); 2 refused (nothing was changed); 1 failed.
EOF
}

# shellcheck source=scripts/_backup_lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/_backup_lib.sh"

backup=""
db_url=""
media_root=""
runtime_role=""
force=0
no_acl=0
while (($#)); do
    case "$1" in
    --database-url | --media-root | --runtime-role)
        (($# >= 2)) || refuse "$1 needs a value (see --help)"
        case "$1" in
        --database-url) db_url="$2" ;;
        --media-root) media_root="$2" ;;
        --runtime-role) runtime_role="$2" ;;
        esac
        shift 2
        ;;
    --force)
        force=1
        shift
        ;;
    --no-acl)
        no_acl=1
        shift
        ;;
    -h | --help)
        usage
        exit 0
        ;;
    -*)
        usage >&2
        exit 2
        ;;
    *)
        [[ -z "$backup" ]] || refuse "one backup folder at a time (see --help)"
        backup="$1"
        shift
        ;;
    esac
done
[[ -n "$backup" ]] || {
    usage >&2
    exit 2
}
[[ -d "$backup" ]] || refuse "$backup is not a folder"
backup="$(cd "$backup" && pwd)"

PY="$(find_python)"
require_tools pg_restore psql tar sha256sum

# --- 1. The backup is what was written ---------------------------------------------------
note "Checking $backup"
[[ -f "$backup/SHA256SUMS" ]] || refuse "$backup has no SHA256SUMS: not a complete backup"
for name in database.dump media.tar.gz manifest.json; do
    # Every file must be listed: a checksum file with a line removed proves nothing.
    grep -Eq "^[0-9a-f]{64}  ${name}\$" "$backup/SHA256SUMS" ||
        refuse "SHA256SUMS does not list $name: the backup is incomplete or was altered; nothing was restored"
done
(cd "$backup" && sha256sum --check --strict --quiet SHA256SUMS) ||
    refuse "checksums do not match: the backup is damaged or was altered; nothing was restored"
BACKUP="$backup" "$PY" - >&2 <<'PY'
import json
import os
from pathlib import Path

manifest = json.loads((Path(os.environ["BACKUP"]) / "manifest.json").read_text())
print(
    f"==> Backup of {manifest['database']['name']} made {manifest['created_at']} by code "
    f"{manifest['app_version']}: {manifest['migrations']['count']} migrations, "
    f"{manifest['media']['files']} media files"
)
PY

# --- 2. The targets are empty ------------------------------------------------------------
db_url="${db_url:-$(setting DATABASE_URL)}"
[[ -n "$db_url" ]] || refuse "no target database: pass --database-url or set DATABASE_URL"
media_root="${media_root:-$(setting MEDIA_ROOT)}"
media_root="${media_root:-$ROOT/media}"
use_database_url "$db_url"
note "Into database $(db_label) and media folder $media_root"

# Tables, views, sequences and functions outside PostgreSQL's own schemas.
objects_sql="
SELECT (SELECT count(*) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
        WHERE n.nspname NOT IN ('information_schema') AND n.nspname NOT LIKE 'pg\\_%')
     + (SELECT count(*) FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace
        WHERE n.nspname NOT IN ('information_schema') AND n.nspname NOT LIKE 'pg\\_%')"
if ! objects="$(sql "$objects_sql" 2>&1)"; then
    if [[ "$objects" == *"does not exist"* ]]; then
        refuse "database $PGDATABASE does not exist: create it first, e.g. createdb $PGDATABASE"
    fi
    die "cannot connect to $(db_label): $objects"
fi
if ((objects > 0 && !force)); then
    refuse "database $(db_label) is not empty ($objects tables, indexes, sequences or functions). Restore into a new database (createdb), or pass --force to restore over it. Nothing was changed."
fi
if [[ -d "$media_root" && -n "$(ls -A "$media_root")" && $force -eq 0 ]]; then
    refuse "media folder $media_root is not empty. Restore into an empty folder, or pass --force to unpack over it. Nothing was changed."
fi

# The role the app will connect as. It must not be the one restoring: that one owns every
# restored table, so it could switch the audit table's triggers off.
restoring_role="$(sql "SELECT session_user")"
runtime_role="${runtime_role:-$(setting DB_RUNTIME_ROLE)}"
if [[ -z "$runtime_role" ]]; then
    app_url="$(setting DATABASE_URL)"
    if [[ "$app_url" == postgres* ]]; then
        app_role="$(url_user "$app_url")"
        [[ "$app_role" == "$restoring_role" ]] || runtime_role="$app_role"
    fi
fi
[[ "$runtime_role" != "$restoring_role" ]] ||
    refuse "the runtime role must not be $restoring_role, the role restoring: it will own every restored table. Restore as the owner and name the role the app connects as. Nothing was changed."
if [[ -n "$runtime_role" ]]; then
    exists="$(psql -X -w -v ON_ERROR_STOP=1 -qtA -v role="$runtime_role" \
        <<<"SELECT count(*) FROM pg_roles WHERE rolname = :'role'")"
    [[ "$exists" == 1 ]] ||
        refuse "the runtime role $runtime_role does not exist on this server: create it first (docs/operations.md, Database roles), or name the right one with --runtime-role. Nothing was changed."
    note "The app's runtime role: $runtime_role"
else
    note "No runtime role given (--runtime-role, DB_RUNTIME_ROLE): not checked. If the app connects as $restoring_role, it owns the audit table and can switch its append-only triggers off (docs/operations.md, Database roles)."
fi

# --- 3. Database ------------------------------------------------------------------------
note "Restoring the database"
# One transaction: an error anywhere leaves the database as it was. Data is loaded before
# triggers and constraints are created (pg_dump's post-data section), so the audit
# table's append-only trigger is restored with it and does not get in the way.
args=(--no-owner --no-password --exit-on-error --single-transaction --dbname="$PGDATABASE")
((force)) && args+=(--clean --if-exists)
((no_acl)) && args+=(--no-acl)
pg_restore "${args[@]}" "$backup/database.dump" ||
    die "pg_restore failed; it ran in one transaction, so nothing was restored"
trigger="$(sql "SELECT count(*) FROM pg_trigger WHERE tgname = 'audit_event_append_only' AND tgenabled <> 'D'")"
[[ "$trigger" == 1 ]] || die "the audit table's append-only trigger is missing after the restore"
case "$(sql "SELECT coalesce(max(tgenabled::text), 'none') FROM pg_trigger WHERE tgname = 'audit_event_no_truncate'")" in
    none) note "The audit table does not refuse TRUNCATE yet (migration audit.0006 adds it): run migrate" ;;
    D) die "the audit table's TRUNCATE trigger is disabled in this backup" ;;
esac
# The backup's GRANTs came back with it (unless --no-acl); grant again as this code does
# after every migrate, then check what the runtime role could do to the audit trail.
role_status=0
if [[ -n "$runtime_role" ]]; then
    note "Granting the runtime role $runtime_role its rights and checking it cannot change the audit trail"
    DATABASE_URL="$db_url" MEDIA_ROOT="$media_root" \
        "$PY" "$ROOT/manage.py" db_grant_runtime_role "$runtime_role" >&2 || role_status=1
fi

# --- 4. Media ---------------------------------------------------------------------------
note "Unpacking the media files"
mkdir -p "$media_root"
# --no-overwrite-dir keeps the target folder's own owner and mode (a mounted volume's).
tar --extract --gzip --file="$backup/media.tar.gz" --directory="$media_root" --no-overwrite-dir

# --- 5. Generated files match their jobs ---------------------------------------------------
status=0
if [[ "$(sql "SELECT to_regclass('reports_reportjob') IS NOT NULL")" == t ]]; then
    ok=0 missing=0 differ=0
    while IFS='|' read -r file sha; do
        [[ -n "$file" ]] || continue
        if [[ "$file" == /* || "$file" == *..* || ! -f "$media_root/$file" ]]; then
            missing=$((missing + 1))
        elif [[ "$(sha256sum <"$media_root/$file" | cut -d' ' -f1)" == "$sha" ]]; then
            ok=$((ok + 1))
        else
            differ=$((differ + 1))
        fi
    done < <(psql -X -w -v ON_ERROR_STOP=1 -qtA -F '|' -c "SELECT file, sha256 FROM reports_reportjob
        WHERE status = 'succeeded' AND file <> '' AND sha256 <> '' AND purged_at IS NULL")
    note "Generated PDFs and exports: $ok match their recorded sha256, $missing missing, $differ differ"
    if ((missing)); then
        note "Missing files were removed (expired) while the backup ran; staff can ask for them again"
    fi
    if ((differ)); then
        echo "$(basename "$0"): $differ generated files differ from the sha256 their job recorded" >&2
        status=1
    fi
fi

# --- 6. Migrations against this code -------------------------------------------------------
note "Comparing migrations with this code"
listing_err="$(mktemp)"
trap 'rm -f "$listing_err"' EXIT
listing="$(DATABASE_URL="$db_url" MEDIA_ROOT="$media_root" \
    "$PY" "$ROOT/manage.py" showmigrations --list 2>"$listing_err")" || {
    cat "$listing_err" >&2
    die "manage.py showmigrations failed (the database is restored; check the settings and run it yourself)"
}
known="$(awk '/^[^ ]/ { app = $1; next }
    /^ \[[ X]\] / { line = $0; sub(/^ \[[ X]\] /, "", line); split(line, a, " "); print app "." a[1] }' \
    <<<"$listing" | sort)"
pending="$(awk '/^[^ ]/ { app = $1; next }
    /^ \[ \] / { line = $0; sub(/^ \[ \] /, "", line); split(line, a, " "); print app "." a[1] }' \
    <<<"$listing" | sort)"
applied="$(sql "SELECT app || '.' || name FROM django_migrations" | sort)"
unknown="$(comm -13 <(echo "$known") <(echo "$applied") | sed '/^$/d')"
if [[ -n "$unknown" ]]; then
    echo "The database has migrations this code does not know (the backup was made by newer code):" >&2
    sed 's/^/    /' <<<"$unknown" >&2
    echo "Deploy the code the manifest names before starting the app." >&2
    ((status)) || status=3
elif [[ -n "$pending" ]]; then
    echo "This code has migrations the database lacks (the backup was made by older code):" >&2
    sed 's/^/    /' <<<"$pending" >&2
    echo "Run: python manage.py migrate" >&2
    ((status)) || status=3
else
    note "Migrations match this code"
fi

if ((role_status)); then
    echo "$(basename "$0"): the runtime role $runtime_role could change or switch off the audit trail (see above). The data is restored; fix the role before starting the app (docs/operations.md, Database roles), then check it with: python manage.py db_grant_runtime_role $runtime_role" >&2
    status=1
fi

((status)) || note "Restore complete"
exit "$status"
