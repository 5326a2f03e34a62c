#!/usr/bin/env bash
# Back up the clinic: the PostgreSQL database and the files under MEDIA_ROOT, into one
# timestamped folder with a manifest and sha256 checksums. docs/operations.md explains
# the schedule, where to keep the copies and how to restore them.
set -euo pipefail
# A backup holds every patient's record: folders and files readable by their owner only.
umask 077

usage() {
    cat <<'EOF'
Usage: scripts/backup.sh [--output-dir DIR] [--database-url URL] [--media-root DIR]

Writes DIR/clinic-backup-YYYYMMDDTHHMMSSZ/ holding:
  database.dump   pg_dump --format=custom of the database
  media.tar.gz    the files under MEDIA_ROOT (generated PDFs and exports, the clinic logo)
  manifest.json   when, from which code (git commit or APP_VERSION), the migrations applied
  SHA256SUMS      checksums of the three files, checked by scripts/restore.sh

  --output-dir DIR    where backup folders go (default: $BACKUP_DIR, else ./backups)
  --database-url URL  the database (default: DATABASE_URL from the environment or .env)
  --media-root DIR    the media folder (default: MEDIA_ROOT from the environment or .env,
                      else ./media)

Prints the new folder's path on the last line of standard output.

The backup is patient data. Its files are readable by their owner only; encrypt it
and keep copies off this machine (docs/operations.md).
EOF
}

# shellcheck source=scripts/_backup_lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/_backup_lib.sh"

output_dir="${BACKUP_DIR:-}"
db_url=""
media_root=""
while (($#)); do
    case "$1" in
    --output-dir | --database-url | --media-root)
        (($# >= 2)) || refuse "$1 needs a value (see --help)"
        case "$1" in
        --output-dir) output_dir="$2" ;;
        --database-url) db_url="$2" ;;
        --media-root) media_root="$2" ;;
        esac
        shift 2
        ;;
    -h | --help)
        usage
        exit 0
        ;;
    *)
        usage >&2
        exit 2
        ;;
    esac
done

PY="$(find_python)"
db_url="${db_url:-$(setting DATABASE_URL)}"
[[ -n "$db_url" ]] || refuse "no database: set DATABASE_URL or pass --database-url (the SQLite default is not backed up by this script)"
media_root="${media_root:-$(setting MEDIA_ROOT)}"
media_root="${media_root:-$ROOT/media}"
output_dir="${output_dir:-$ROOT/backups}"
require_tools pg_dump pg_restore psql tar sha256sum
use_database_url "$db_url"

created_at="$(date -u +%Y-%m-%dT%H:%M:%SZ)"
stamp="$(date -u -d "$created_at" +%Y%m%dT%H%M%SZ)"
mkdir -p "$output_dir"
final="$output_dir/clinic-backup-$stamp"
[[ ! -e "$final" ]] || die "$final already exists"
# Written under a hidden name and renamed at the end: a folder with the final name is
# always a complete backup.
work="$(mktemp -d "$output_dir/.clinic-backup-$stamp.XXXXXX")"
trap 'rm -rf "$work"' EXIT

note "Database: $(db_label)"
migrations="$(sql "SELECT app || '.' || name FROM django_migrations ORDER BY app, name")" ||
    die "could not read django_migrations: is $(db_label) the clinic's database?"
server_version="$(sql "SHOW server_version")"
# The snapshot is consistent on its own: pg_dump reads in one transaction while the app
# keeps running. The lock timeout stops it queueing for ever behind a migration. Sessions
# are left out (the table, not its rows): a restored installation signs everyone out
# rather than bringing back sessions that may have been stolen since.
pg_dump --format=custom --no-password --lock-wait-timeout=60s \
    --exclude-table-data=django_session --file="$work/database.dump"
# Prove the archive can be read back before calling it a backup.
pg_restore --list "$work/database.dump" >/dev/null

note "Media: $media_root"
media_files=0
if [[ -d "$media_root" ]]; then
    media_files="$(find "$media_root" -type f ! -name '.tmp-*' | wc -l)"
    # .tmp-* are files being written (reports/runner.py renames them when complete).
    # Exit status 1 means a file changed or went away while being read (an expired PDF
    # being removed): the rest of the archive is sound.
    status=0
    tar --create --gzip --file="$work/media.tar.gz" --directory="$media_root" \
        --exclude='.tmp-*' --warning=no-file-changed --warning=no-file-removed . || status=$?
    ((status <= 1)) || die "tar could not archive $media_root"
    ((status == 0)) || note "Some media files changed while being archived; they are as they were when read"
else
    note "No folder at $media_root: the media archive is empty"
    tar --create --gzip --file="$work/media.tar.gz" --files-from=/dev/null
fi

if version="$(git -C "$ROOT" rev-parse --verify HEAD 2>/dev/null)"; then
    if [[ -n "$(git -C "$ROOT" status --porcelain --untracked-files=no 2>/dev/null)" ]]; then
        version="$version-modified"
    fi
else
    version="${APP_VERSION:-unknown}"
fi

CREATED_AT="$created_at" APP_VERSION="$version" MIGRATIONS="$migrations" \
    SERVER_VERSION="$server_version" PG_DUMP_VERSION="$(pg_dump --version)" \
    MEDIA_FILES="$media_files" WORK="$work" "$PY" - <<'PY'
import json
import os
from pathlib import Path

env = os.environ
work = Path(env["WORK"])
migrations = [m for m in env["MIGRATIONS"].splitlines() if m]
manifest = {
    "format": "clinic-backup/1",
    "created_at": env["CREATED_AT"],
    "app_version": env["APP_VERSION"],
    "database": {
        "name": env["PGDATABASE"],
        "server_version": env["SERVER_VERSION"],
        "pg_dump": env["PG_DUMP_VERSION"],
    },
    "migrations": {"count": len(migrations), "applied": migrations},
    "media": {"files": int(env["MEDIA_FILES"])},
    "files": {
        name: (work / name).stat().st_size for name in ("database.dump", "media.tar.gz")
    },
}
(work / "manifest.json").write_text(json.dumps(manifest, indent=2) + "\n")
PY

(cd "$work" && sha256sum database.dump media.tar.gz manifest.json >SHA256SUMS)
mv "$work" "$final"
trap - EXIT
note "Backup complete: $(du -sh "$final" | cut -f1), $media_files media files, $(wc -l <<<"$migrations") migrations"
echo "$final"
