#!/usr/bin/env bash
# Create .venv from uv.lock, installing uv itself if this machine lacks it, and compile the
# translation catalogues (locale/*/LC_MESSAGES/django.mo is not in git), installing
# gettext's tools first if this machine lacks them.
set -euo pipefail
cd "$(dirname "$0")/.."

if ! command -v uv >/dev/null 2>&1; then
  echo "==> installing uv"
  python3 -m pip install --quiet --user "uv==0.13.8" 2>/dev/null || python3 -m pip install --quiet "uv==0.13.8"
  export PATH="$HOME/.local/bin:$PATH"
fi
echo "==> installing Python packages from uv.lock"
uv sync --locked --quiet

# msgfmt (compilemessages), xgettext and msgmerge (makemessages) come with gettext.
if ! command -v msgfmt >/dev/null 2>&1; then
  echo "==> installing gettext"
  if [ "$(id -u)" -eq 0 ]; then as_root=(); elif command -v sudo >/dev/null 2>&1; then as_root=(sudo); else
    echo "Need root to install gettext (apt-get install gettext)" >&2; exit 1; fi
  "${as_root[@]}" apt-get update -qq
  "${as_root[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends gettext >/dev/null
fi
echo "==> compiling the translation catalogues"
scripts/messages.sh compile >/dev/null
