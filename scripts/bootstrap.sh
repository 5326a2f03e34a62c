#!/usr/bin/env bash
# Create .venv from uv.lock, installing uv itself if this machine lacks it.
set -euo pipefail
cd "$(dirname "$0")/.."

if ! command -v uv >/dev/null 2>&1; then
  echo "==> installing uv"
  python3 -m pip install --quiet --user "uv==0.13.8" 2>/dev/null || python3 -m pip install --quiet "uv==0.13.8"
  export PATH="$HOME/.local/bin:$PATH"
fi
echo "==> installing Python packages from uv.lock"
uv sync --locked --quiet
