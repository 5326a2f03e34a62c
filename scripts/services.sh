#!/usr/bin/env bash
# Make sure PostgreSQL, Redis, Chromium, poppler and the PDF fonts are installed, and the
# services running, for the test suite.
# On a fresh Debian machine (as root) it installs them from Debian's packages.
set -euo pipefail

PGHOST=127.0.0.1
need_apt=()

as_root() {
  if [ "$(id -u)" -eq 0 ]; then "$@"; elif command -v sudo >/dev/null; then sudo "$@"; else
    echo "Need root to run: $*" >&2; exit 1; fi
}

command -v pg_ctlcluster >/dev/null 2>&1 || need_apt+=(postgresql)
command -v redis-server >/dev/null 2>&1 || need_apt+=(redis-server)
[ -x /usr/bin/chromium ] || need_apt+=(chromium)
command -v pdftoppm >/dev/null 2>&1 || need_apt+=(poppler-utils)
# WeasyPrint's native libraries and the fonts of the print stylesheet's stack
# (static/reports/print.css; the Dockerfile says why these and not a colour emoji font).
ldconfig -p 2>/dev/null | grep -q libpango-1.0 || need_apt+=(libpango-1.0-0 libpangoft2-1.0-0)
[ -d /usr/share/fonts/truetype/dejavu ] || need_apt+=(fonts-dejavu-core)
[ -f /usr/share/fonts/truetype/noto/NotoSans-Regular.ttf ] || need_apt+=(fonts-noto-core)
[ -f /usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc ] || need_apt+=(fonts-noto-cjk)
[ -f /usr/share/fonts/truetype/ancient-scripts/Symbola_hint.ttf ] || need_apt+=(fonts-symbola)

fresh_postgres=0
if [ ${#need_apt[@]} -gt 0 ]; then
  echo "==> installing ${need_apt[*]}"
  [[ " ${need_apt[*]} " == *" postgresql "* ]] && fresh_postgres=1
  as_root apt-get update -qq
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${need_apt[@]}" >/dev/null
fi

if ! pg_isready -q -h "$PGHOST" -p 5432; then
  echo "==> starting PostgreSQL"
  version=$(ls /etc/postgresql | sort -n | tail -1)
  if [ "$fresh_postgres" -eq 1 ]; then
    # A throwaway test server: let the local postgres user in over loopback without a password.
    hba=/etc/postgresql/$version/main/pg_hba.conf
    as_root sed -i -E 's/^(host\s+all\s+all\s+(127\.0\.0\.1\/32|::1\/128)\s+)\S+/\1trust/' "$hba"
  fi
  as_root pg_ctlcluster --skip-systemctl-redirect "$version" main start
  for _ in $(seq 1 30); do pg_isready -q -h "$PGHOST" -p 5432 && break; sleep 1; done
fi
pg_isready -h "$PGHOST" -p 5432

if ! redis-cli -h 127.0.0.1 ping >/dev/null 2>&1; then
  echo "==> starting Redis"
  mkdir -p /tmp/redis-clinic
  redis-server --daemonize yes --bind 127.0.0.1 --port 6379 --save "" --appendonly no \
    --dir /tmp/redis-clinic --logfile /tmp/redis-clinic/redis.log
  for _ in $(seq 1 20); do redis-cli -h 127.0.0.1 ping >/dev/null 2>&1 && break; sleep 0.5; done
fi
redis-cli -h 127.0.0.1 ping
