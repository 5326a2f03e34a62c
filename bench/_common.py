"""What the PostgreSQL benchmarks share: a database of their own, Django set up on it, and
one line of figures per request."""

import argparse
import os
import statistics
import sys
from collections.abc import Callable


def ensure_database(url: str) -> None:
    from urllib.parse import urlsplit

    import psycopg
    from psycopg import sql

    parts = urlsplit(url)
    name = parts.path.lstrip("/")
    admin = parts._replace(path="/postgres").geturl()
    with psycopg.connect(admin, autocommit=True, connect_timeout=5) as conn:
        if not conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone():
            conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))


def recreate_database(url: str) -> None:
    """Drop the database (ending its sessions) and create it again, empty."""
    from urllib.parse import urlsplit

    import psycopg
    from psycopg import sql

    parts = urlsplit(url)
    name = parts.path.lstrip("/")
    admin = parts._replace(path="/postgres").geturl()
    with psycopg.connect(admin, autocommit=True, connect_timeout=5) as conn:
        conn.execute(
            sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
        )
        conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))


def setup_django(url: str, settings_module: str = "tests.settings") -> None:
    """Set Django up on `url` and migrate. `settings_module` is the test settings unless a
    benchmark needs the production ones (bench/load.py, whose server hashes passwords as
    production does)."""
    os.environ["DATABASE_URL"] = url
    os.environ["DJANGO_SETTINGS_MODULE"] = settings_module
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0, interactive=False)
    from accounts.roles import sync_role_groups

    sync_role_groups()


def measure(label: str, runs: list[tuple[float, int]], *, width: int = 52) -> dict:
    """Print and return the median, p95 and query counts of (milliseconds, queries) runs."""
    times = sorted(t for t, _ in runs)
    queries = sorted({q for _, q in runs})
    p95 = times[max(int(len(times) * 0.95) - 1, 0)]
    row = {
        "label": label,
        "median": statistics.median(times),
        "p95": p95,
        "queries": queries,
        "n": len(times),
    }
    print(
        f"{label:<{width}} p50 {row['median']:6.1f} ms   p95 {p95:6.1f} ms   "
        f"queries {'/'.join(map(str, queries)):>5}   (n={len(times)})"
    )
    return row


def start(
    doc: str,
    default_url: str,
    *,
    runs: int = 100,
    add_arguments: Callable[[argparse.ArgumentParser], None] | None = None,
    before_setup: Callable[[argparse.Namespace], None] | None = None,
) -> argparse.Namespace:
    """Parse `--database-url` and `--runs` (and a benchmark's own options), then create,
    migrate and set up the database. `before_setup` sees the options before Django is set
    up (to set environment the settings read). Exits with status 2 and a plain message if
    setup fails."""
    parser = argparse.ArgumentParser(description=doc.splitlines()[0])
    parser.add_argument("--database-url", default=os.environ.get("BENCH_DATABASE_URL", default_url))
    parser.add_argument("--runs", type=int, default=runs)
    if add_arguments is not None:
        add_arguments(parser)
    args = parser.parse_args()
    if before_setup is not None:
        before_setup(args)
    try:
        ensure_database(args.database_url)
        setup_django(args.database_url)
    except Exception as exc:  # report any setup failure plainly
        print(f"setup failed: {exc}", file=sys.stderr)
        raise SystemExit(2) from exc
    return args
