#!/usr/bin/env bash
# Serve the app on embedded defaults: SQLite file, Celery tasks in-process, demo data.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/bootstrap.sh
export PATH="$HOME/.local/bin:$PATH"

export DEBUG="${DEBUG:-true}"
HOST="${HOST:-127.0.0.1}"
PORT="${PORT:-8000}"

echo "==> migrating the database"
uv run python manage.py migrate --noinput
echo "==> loading synthetic demo data"
uv run python manage.py seed_demo

cat <<TXT

  Clinic app: http://${HOST}:${PORT}/

  Demo logins (synthetic data only), password for all: demo-clinic-pass
    frontdesk    Front desk (kiosk PIN 2468 takes an enrolled tablet back from the patient)
    therapist    Physical therapist (also therapist2), then a two-factor code
    admin        Clinic administrator, then a two-factor code

  Two-factor codes for the demo accounts: in another terminal, run
    DEBUG=true uv run python manage.py demo_codes
  or add the demo app key it prints to an authenticator app on your phone.

  Stop with Ctrl-C.
TXT
exec uv run python manage.py runserver "${HOST}:${PORT}"
