# The two commands a new developer needs:
#   make run    set up, load demo data and serve the app on embedded defaults (SQLite, tasks in-process)
#   make test   the whole test suite against real PostgreSQL, Redis, a Celery worker and Chromium
.PHONY: run test lint format check-compose check-deploy check-translations bench clean

run:
	./scripts/run.sh

test:
	./scripts/test.sh

# Style (ruff), types (mypy with django-stubs; strict on the pure clinical modules) and the
# import layers (lint-imports); all configured in pyproject.toml. DEBUG=true only lets
# clinic.settings load without a SECRET_KEY: mypy's Django plugin reads the settings.
lint:
	uv run ruff check .
	uv run ruff format --check .
	DEBUG=true uv run mypy
	uv run lint-imports

format:
	uv run ruff format .
	uv run ruff check --fix .

# The compose file is valid, and scripts/check_compose.py finds nothing in what it would
# run that weakens a live installation: web on every interface without HTTPS, DEBUG, the
# app connecting as the database owner or superuser, no migrate service, no restart policy.
check-compose:
	SECRET_KEY=compose-config-check-only docker-compose config -q
	uv run python scripts/check_compose.py

# Django's deploy checks and the project's own (core/checks.py) on production settings,
# and the compose configuration (check-compose). This runs on the embedded SQLite default,
# where the database-role check (clinic.W05x) only notes that the audit trail is not
# tamper-protected (clinic.I050); run `manage.py check --deploy` with the app's own
# DATABASE_URL to check its PostgreSQL role (docs/operations.md, Database roles).
check-deploy: check-compose
	env -u DEBUG -u HTTPS -u CELERY_BROKER_URL \
	  SECRET_KEY=deploy-check-only-$$(python3 -c 'import secrets; print(secrets.token_urlsafe(40))') \
	  ALLOWED_HOSTS=clinic.example.org REDIS_URL=redis://127.0.0.1:6379/0 \
	  uv run python manage.py check --deploy --fail-level WARNING

# Patient-facing text is marked and translated, and the catalogues keep up with the code
# (scripts/check_translations.py; README, Languages).
check-translations:
	scripts/messages.sh check

bench:
	uv run python bench/search.py
	uv run python bench/intake.py
	uv run python bench/evaluation.py
	uv run python bench/pdf.py
	uv run python bench/charts.py

clean:
	rm -rf .venv staticfiles test-artifacts db.sqlite3 db.sqlite3-*
