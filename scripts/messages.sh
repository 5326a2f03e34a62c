#!/usr/bin/env bash
# The translation catalogues (locale/<language>/LC_MESSAGES/django.po).
#   scripts/messages.sh update [LANG]   re-read every marked string into the catalogue(s)
#   scripts/messages.sh compile         compile the catalogues (.mo, not in git)
#   scripts/messages.sh check           fail on a patient-facing literal left unmarked, a
#                                       catalogue behind the code, or an entry a patient
#                                       sees that is untranslated or fuzzy
# gettext's tools (msgfmt, xgettext, msgmerge) are needed: scripts/bootstrap.sh installs them.
set -euo pipefail
cd "$(dirname "$0")/.."
export DEBUG="${DEBUG:-true}"
export PATH="$HOME/.local/bin:$PATH"
# What is not the project's own: the virtualenv, collected static files, and tests (test
# strings are not shown to anybody).
IGNORE=(--ignore=.venv --ignore=staticfiles --ignore=tests --ignore=bench --ignore=node_modules)

languages() {
  if [ $# -gt 0 ]; then echo "$@"; return; fi
  uv run python -c 'import clinic.settings as s; print(" ".join(c for c in s.PATIENT_LANGUAGES if c != "en"))'
}

case "${1:-}" in
  update)
    shift
    for lang in $(languages "$@"); do
      uv run python manage.py makemessages -l "$lang" "${IGNORE[@]}" --add-location=file --no-obsolete
    done
    ;;
  compile)
    uv run python manage.py compilemessages "${IGNORE[@]}"
    ;;
  check)
    uv run python scripts/check_translations.py
    ;;
  *)
    sed -n 2,8p "$0" >&2
    exit 2
    ;;
esac
