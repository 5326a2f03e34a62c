# One image for the migrate service, the web server, the Celery worker and Celery beat
# (docker-compose.yml picks the command). Builds with the classic builder as well as
# BuildKit, so docker-compose 1.29 can build it.
FROM python:3.11-slim-bookworm

# Runtime libraries WeasyPrint 70 loads (GLib, HarfBuzz and Fontconfig come in as
# dependencies) and the fonts of the print stylesheet's stack (static/reports/print.css),
# so PDFs render without fetching anything and a name in any script prints: Noto Sans with
# Arabic, Hebrew, Devanagari and the rest (fonts-noto-core), Chinese, Japanese and Korean
# (fonts-noto-cjk), DejaVu for symbols, and Symbola's outline emoji. Not
# fonts-noto-color-emoji: Pango would prefer it, and WeasyPrint draws its bitmaps as an
# image per emoji, about six times slower. The PostgreSQL 15 client (pg_dump, pg_restore,
# psql; the server's version) is for scripts/backup.sh and scripts/restore.sh run inside
# the stack (docs/operations.md). gettext's msgfmt compiles the translation catalogues
# below (the .mo files are not in git).
RUN apt-get update \
    && apt-get install -y --no-install-recommends \
        libpango-1.0-0 \
        libpangoft2-1.0-0 \
        libharfbuzz-subset0 \
        fonts-dejavu-core \
        fonts-noto-core \
        fonts-noto-cjk \
        fonts-symbola \
        postgresql-client-15 \
        gettext \
    && rm -rf /var/lib/apt/lists/*

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PIP_ROOT_USER_ACTION=ignore \
    UV_COMPILE_BYTECODE=1 \
    UV_LINK_MODE=copy \
    UV_NO_CACHE=1 \
    UV_PYTHON_DOWNLOADS=never \
    UV_PROJECT_ENVIRONMENT=/app/.venv

RUN pip install uv==0.13.8

WORKDIR /app

# Dependencies first: this layer is rebuilt only when pyproject.toml or uv.lock change.
COPY pyproject.toml uv.lock ./
RUN uv sync --locked --no-dev --no-install-project

COPY . .
ENV PATH="/app/.venv/bin:$PATH"
# The image has no .git: pass the commit so backups record which code made them
# (docker-compose build --build-arg APP_VERSION=$(git rev-parse HEAD)).
ARG APP_VERSION=unknown
ENV APP_VERSION=${APP_VERSION}

# Static files and the compiled translation catalogues (locale/*/LC_MESSAGES/django.mo)
# are baked into the image (WhiteNoise serves the static files). The key below exists only
# to get past the settings check during this build; it is never used at runtime.
RUN export DEBUG=false \
        SECRET_KEY=build-only-collectstatic-key-xxxxxxxxxxxxxxxxxxxxxxxxxxxxxx \
    && python manage.py collectstatic --noinput \
    && python manage.py compilemessages \
        --ignore=.venv --ignore=staticfiles --ignore=tests --ignore=bench --ignore=node_modules

# Code stays root-owned and read-only for the app; only uploads and generated PDFs
# (/app/media, a volume in docker-compose.yml) are writable.
RUN groupadd --system --gid 10001 app \
    && useradd --system --uid 10001 --gid 10001 --create-home --home-dir /home/app \
        --shell /usr/sbin/nologin app \
    && mkdir -p /app/media \
    && chown app:app /app/media
USER 10001:10001

EXPOSE 8000

# Workers, threads, limits and logging: gunicorn.conf.py.
CMD ["gunicorn", "-c", "gunicorn.conf.py", "clinic.wsgi:application"]
