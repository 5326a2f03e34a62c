# The two commands a new developer needs:
#   make run    set up, load demo data and serve the app on embedded defaults (SQLite, tasks in-process)
#   make test   the whole test suite against real PostgreSQL, Redis, a Celery worker and Chromium
.PHONY: run test lint format check-compose check-deploy bench clean

run:
	./scripts/run.sh

test:
	./scripts/test.sh

lint:
	uv run ruff check .
	uv run ruff format --check .

format:
	uv run ruff format .
	uv run ruff check --fix .

check-compose:
	SECRET_KEY=compose-config-check-only docker-compose config -q

# Django's deploy checks and the project's own (core/checks.py) on production settings.
check-deploy:
	env -u DEBUG -u HTTPS -u CELERY_BROKER_URL \
	  SECRET_KEY=deploy-check-only-$$(python3 -c 'import secrets; print(secrets.token_urlsafe(40))') \
	  ALLOWED_HOSTS=clinic.example.org REDIS_URL=redis://127.0.0.1:6379/0 \
	  uv run python manage.py check --deploy --fail-level WARNING

bench:
	uv run python bench/search.py
	uv run python bench/intake.py
	uv run python bench/evaluation.py
	uv run python bench/pdf.py

clean:
	rm -rf .venv staticfiles test-artifacts db.sqlite3 db.sqlite3-*
