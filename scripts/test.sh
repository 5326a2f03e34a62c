#!/usr/bin/env bash
# The whole test suite against real services: PostgreSQL, Redis, a Celery worker
# (started by the tests that need one) and Debian's Chromium for the browser tests.
# Extra arguments go to pytest, e.g. ./scripts/test.sh -k patients
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/bootstrap.sh
export PATH="$HOME/.local/bin:$PATH"
./scripts/services.sh

export DATABASE_URL="${TEST_DATABASE_URL:-postgres://postgres@127.0.0.1:5432/clinic}"
# Database 15 keeps test jobs away from a development worker on the same Redis.
export REDIS_URL="${TEST_REDIS_URL:-redis://127.0.0.1:6379/15}"
# Tests that need a worker, PostgreSQL or Chromium fail instead of skipping.
export REQUIRE_SERVICES=1
redis-cli -n 15 flushdb >/dev/null

echo "==> pytest"
exec uv run pytest "$@"
