"""A private copy of the production stack, for fault tests that stop and start its parts.

PostgreSQL (its own cluster in a temporary folder), Redis (no persistence), the app under
gunicorn with the project's gunicorn.conf.py (as the Dockerfile runs it), and a Celery
worker with beat, each on a free loopback port. Nothing here touches the machine's shared
PostgreSQL cluster or the Redis on 6379: the rest of the suite runs against those.

The app runs with DEBUG off, a real SECRET_KEY, HTTPS off and ALLOWED_HOSTS set. Its
settings module is tests.settings: the production settings with the static files storage
that needs no collectstatic and a fast password hasher; nothing else differs.

    with Stack() as stack:          # started, migrated
        data = stack.seed(links=3)  # staff and patients, through the app's own code
        stack.stop_redis(); ...; stack.start_redis()

Everything is stopped and the folder removed on leaving the block, whatever happened.
`stack.logs()` gives the tail of every process's log for a failure report.
"""

from __future__ import annotations

import json
import os
import re
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
PG_BIN = Path("/usr/lib/postgresql/15/bin")
BINARIES = {
    "initdb": PG_BIN / "initdb",
    "pg_ctl": PG_BIN / "pg_ctl",
    "redis-server": Path(shutil.which("redis-server") or "/usr/bin/redis-server"),
    "runuser": Path(shutil.which("runuser") or "/usr/sbin/runuser"),
}
# Variables of the test run that must not leak into the stack's processes: they would
# point it at the shared services.
_SCRUBBED = ("DATABASE_URL", "REDIS_URL", "CELERY_BROKER_URL", "MEDIA_ROOT", "DEBUG")


def missing_binaries() -> list[str]:
    """What this machine lacks to run a stack (empty when it can)."""
    missing = [name for name, path in BINARIES.items() if not path.exists()]
    if os.geteuid() != 0:
        missing.append("root (to run PostgreSQL as the postgres user)")
    return missing


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_until(predicate: Callable[[], Any], timeout: float, interval: float = 0.1) -> Any:
    deadline = time.monotonic() + timeout
    while True:
        result = predicate()
        if result or time.monotonic() > deadline:
            return result
        time.sleep(interval)


class StackError(RuntimeError):
    pass


class Stack:
    def __init__(
        self,
        *,
        web_workers: int = 2,
        web_threads: int = 4,
        worker_concurrency: int = 2,
        env: dict[str, str] | None = None,
    ):
        self.web_workers = web_workers
        self.web_threads = web_threads
        self.worker_concurrency = worker_concurrency
        self.extra_env = env or {}
        self.root = Path(tempfile.mkdtemp(prefix="clinic-stack-"))
        # The postgres user must reach its data folder inside this one.
        self.root.chmod(0o755)
        self.pgdata = self.root / "pg"
        self.media = self.root / "media"
        self.pg_port = free_port()
        self.redis_port = free_port()
        self.web_port = free_port()
        self.url = f"http://127.0.0.1:{self.web_port}"
        self.database_url = f"postgres://postgres@127.0.0.1:{self.pg_port}/clinic"
        self.secret_key = secrets.token_urlsafe(50)
        self._procs: dict[str, subprocess.Popen] = {}
        self._log_files: dict[str, Path] = {}
        self._redis_paused = False
        # The worker is restarted when it exits on its own, as docker-compose.yml's
        # `restart: unless-stopped` does in production; `worker_exits` counts those.
        self._lock = threading.RLock()
        self._keep_worker = False
        self._closing = threading.Event()
        self._supervisor: threading.Thread | None = None
        self.worker_exits = 0

    # --- Whole stack ---------------------------------------------------------------------

    def __enter__(self) -> Stack:
        try:
            self.start()
        except BaseException:
            sys.stderr.write(self.logs())
            self.close()
            raise
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def start(self) -> None:
        self.media.mkdir()
        self._init_postgres()
        self.start_postgres()
        self._create_database()
        self.start_redis()
        self.manage("migrate", "--noinput")
        # The worker's start (WeasyPrint warm-up) overlaps gunicorn's.
        worker_ready = self.start_worker(wait=False)
        self.start_web()
        worker_ready()
        self._supervisor = threading.Thread(target=self._supervise, daemon=True)
        self._supervisor.start()

    def close(self) -> None:
        """Stop every process (each in its own process group) and remove the folder."""
        self._closing.set()
        if self._supervisor is not None:
            self._supervisor.join(timeout=5)
        with self._lock:
            self._keep_worker = False
        if self._redis_paused:
            self.resume_redis()
        # A throwaway stack: no graceful shutdown needed, and it would cost seconds.
        for name in ("worker", "web", "redis"):
            self._stop(name, sig=signal.SIGKILL, timeout=10)
        if (self.pgdata / "postmaster.pid").exists():
            self._pg_ctl("stop", "-m", "immediate", check=False)
        shutil.rmtree(self.root, ignore_errors=True)

    def ensure_running(self) -> None:
        """Start again whatever a test stopped, so the next test finds the whole stack."""
        if self._redis_paused:
            self.resume_redis()
        if self._dead("redis"):
            self.start_redis()
        if not self.postgres_running():
            self.start_postgres()
        if self._dead("web"):
            self.start_web()
        if self._dead("worker"):
            self.start_worker()

    def env(self) -> dict[str, str]:
        base = {k: v for k, v in os.environ.items() if k not in _SCRUBBED}
        return {
            **base,
            "DJANGO_SETTINGS_MODULE": "tests.settings",
            "DEBUG": "false",
            "SECRET_KEY": self.secret_key,
            "HTTPS": "false",
            "ALLOWED_HOSTS": "127.0.0.1,localhost",
            "DATABASE_URL": self.database_url,
            "REDIS_URL": f"redis://127.0.0.1:{self.redis_port}/0",
            "MEDIA_ROOT": str(self.media),
            "REPORT_JOBS_MODE": "celery",
            # Minutes in production; seconds here so a test sees the sweep work.
            "REPORT_SWEEP_SECONDS": "2",
            "REPORT_REDISPATCH_SECONDS": "10",
            "LOG_LEVEL": "INFO",
            "PYTHONUNBUFFERED": "1",
            **self.extra_env,
        }

    # --- Processes -----------------------------------------------------------------------

    def _spawn(self, name: str, argv: list[str], **kwargs) -> subprocess.Popen:
        log = self.root / f"{name}.log"
        self._log_files[name] = log
        handle = log.open("ab")
        try:
            proc = subprocess.Popen(
                argv,
                cwd=ROOT,
                stdout=handle,
                stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL,
                start_new_session=True,
                **kwargs,
            )
        finally:
            handle.close()
        self._procs[name] = proc
        return proc

    def _stop(self, name: str, *, sig: int, timeout: float) -> None:
        proc = self._procs.pop(name, None)
        if proc is None or proc.poll() is not None:
            return
        try:
            os.killpg(proc.pid, sig)
            proc.wait(timeout=timeout)
        except ProcessLookupError:
            return
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()

    def _check_alive(self, name: str) -> None:
        proc = self._procs.get(name)
        if proc is None or proc.poll() is not None:
            raise StackError(f"{name} exited while starting\n{self.logs(name)}")

    def manage(self, *args: str, input: str | None = None, timeout: float = 120) -> str:
        """Run a manage.py command against the stack; its standard output."""
        result = subprocess.run(
            [sys.executable, "manage.py", *args],
            cwd=ROOT,
            env=self.env(),
            input=input,
            capture_output=True,
            text=True,
            timeout=timeout,
        )
        if result.returncode != 0:
            raise StackError(f"manage.py {' '.join(args)} failed:\n{result.stderr[-4000:]}")
        return result.stdout

    # --- PostgreSQL ----------------------------------------------------------------------

    def _as_postgres(self, *argv: str, check: bool = True) -> subprocess.CompletedProcess:
        result = subprocess.run(
            [str(BINARIES["runuser"]), "-u", "postgres", "--", *argv],
            capture_output=True,
            text=True,
            timeout=60,
        )
        if check and result.returncode != 0:
            raise StackError(f"{argv[0]} failed:\n{result.stdout}\n{result.stderr}")
        return result

    def _init_postgres(self) -> None:
        self.pgdata.mkdir()
        shutil.chown(self.pgdata, "postgres", "postgres")
        self._as_postgres(
            str(BINARIES["initdb"]),
            "-D",
            str(self.pgdata),
            "-U",
            "postgres",
            "-A",
            "trust",
            "-E",
            "UTF8",
            "--locale=C.UTF-8",
            "--no-sync",
        )
        self._log_files["postgres"] = self.pgdata / "server.log"

    def _pg_ctl(self, *args: str, check: bool = True) -> subprocess.CompletedProcess:
        return self._as_postgres(
            str(BINARIES["pg_ctl"]), "-D", str(self.pgdata), *args, check=check
        )

    def start_postgres(self) -> None:
        options = (
            f"-p {self.pg_port} -c listen_addresses=127.0.0.1 "
            f"-c unix_socket_directories={self.pgdata} -c max_connections=100"
        )
        self._pg_ctl(
            "-l", str(self.pgdata / "server.log"), "-o", options, "-w", "-t", "30", "start"
        )

    def postgres_running(self) -> bool:
        return self._pg_ctl("status", check=False).returncode == 0

    def stop_postgres(self) -> None:
        """A clean, fast shutdown, as on a restart for an upgrade: open transactions are
        rolled back and clients are disconnected."""
        self._pg_ctl("-m", "fast", "-w", "-t", "30", "stop")

    def _create_database(self) -> None:
        import psycopg

        dsn = f"host=127.0.0.1 port={self.pg_port} user=postgres dbname=postgres"
        with psycopg.connect(dsn, autocommit=True) as conn:
            conn.execute("CREATE DATABASE clinic")

    def sql(self, query: str, params: tuple | dict | None = None) -> list[dict]:
        """Rows of a query on the stack's database, for assertions (a new connection each
        time, so a PostgreSQL restart in between does not matter)."""
        import psycopg
        from psycopg.rows import dict_row

        dsn = f"host=127.0.0.1 port={self.pg_port} user=postgres dbname=clinic connect_timeout=5"
        with psycopg.connect(dsn, autocommit=True, row_factory=dict_row) as conn:
            return conn.execute(query, params).fetchall()

    # --- Redis -------------------------------------------------------------------------------

    def start_redis(self) -> None:
        """Redis with no persistence: whatever was queued in it is gone after a stop, so
        only the app's own records can bring a job back."""
        (self.root / "redis").mkdir(exist_ok=True)
        self._spawn(
            "redis",
            [
                str(BINARIES["redis-server"]),
                "--port",
                str(self.redis_port),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                "--appendonly",
                "no",
                "--dir",
                str(self.root / "redis"),
            ],
        )
        if not wait_until(self.redis_answers, timeout=10):
            self._check_alive("redis")
            raise StackError(f"redis did not answer\n{self.logs('redis')}")

    def redis_answers(self) -> bool:
        try:
            with socket.create_connection(("127.0.0.1", self.redis_port), timeout=0.5) as sock:
                sock.sendall(b"PING\r\n")
                return sock.recv(16).startswith(b"+PONG")
        except OSError:
            return False

    def stop_redis(self) -> None:
        self._stop("redis", sig=signal.SIGTERM, timeout=10)

    def pause_redis(self) -> None:
        """Redis that accepts connections and never answers (SIGSTOP): a hung broker."""
        os.kill(self._procs["redis"].pid, signal.SIGSTOP)
        self._redis_paused = True

    def resume_redis(self) -> None:
        os.kill(self._procs["redis"].pid, signal.SIGCONT)
        self._redis_paused = False

    # --- Web (gunicorn) and worker ---------------------------------------------------------

    def start_web(self) -> None:
        # docker-compose.yml's command line, with fewer processes.
        argv = [sys.executable, "-m", "gunicorn", "clinic.wsgi:application"]
        env = self.env()
        if (ROOT / "gunicorn.conf.py").exists():
            # The project's own settings, as the Dockerfile runs them, on our port.
            env.update(
                GUNICORN_BIND=f"127.0.0.1:{self.web_port}",
                GUNICORN_WORKERS=str(self.web_workers),
                GUNICORN_THREADS=str(self.web_threads),
            )
            self._spawn("web", [*argv, "--config", str(ROOT / "gunicorn.conf.py")], env=env)
            self._wait_for_web()
            return
        argv += [
            "--bind",
            f"127.0.0.1:{self.web_port}",
            "--worker-class",
            "gthread",
            "--workers",
            str(self.web_workers),
            "--threads",
            str(self.web_threads),
            "--timeout",
            "60",
            "--graceful-timeout",
            "5",
            "--access-logfile",
            "-",
            "--error-logfile",
            "-",
        ]
        self._spawn("web", argv, env=env)
        self._wait_for_web()

    def _wait_for_web(self) -> None:
        if not wait_until(lambda: self._web_answers() or self._dead("web"), timeout=30):
            raise StackError(f"gunicorn did not answer\n{self.logs('web')}")
        self._check_alive("web")

    def _web_answers(self) -> bool:
        import requests

        try:
            return requests.get(f"{self.url}/healthz", timeout=2).status_code == 200
        except requests.RequestException:
            return False

    def _dead(self, name: str) -> bool:
        proc = self._procs.get(name)
        return proc is None or proc.poll() is not None

    def start_worker(self, *, wait: bool = True) -> Callable[[], None]:
        """A Celery worker with beat embedded (-B), as small as the compose file's pair.
        With wait=False, returns the function that waits for it to be ready."""
        log_start = self._log_size("worker")
        self._spawn(
            "worker",
            [
                sys.executable,
                "-m",
                "celery",
                "-A",
                "clinic",
                "worker",
                "-B",
                "--schedule",
                str(self.root / "beat-schedule"),
                "--pool=prefork",
                f"--concurrency={self.worker_concurrency}",
                "--loglevel=INFO",
                "--without-gossip",
                "--without-mingle",
            ],
            env=self.env(),
        )
        with self._lock:
            self._keep_worker = True

        def wait_ready() -> None:
            ready = wait_until(
                lambda: (
                    self._dead("worker") or b" ready." in self._log_tail_bytes("worker", log_start)
                ),
                timeout=60,
                interval=0.2,
            )
            if not ready or self._dead("worker"):
                raise StackError(f"the worker did not start\n{self.logs('worker')}")

        if wait:
            wait_ready()
        return wait_ready

    def kill_worker(self) -> None:
        """SIGKILL to the worker's whole process group, mid-task: a crash or an OOM kill."""
        with self._lock:
            self._keep_worker = False
            self._stop("worker", sig=signal.SIGKILL, timeout=10)

    def stop_worker(self) -> None:
        with self._lock:
            self._keep_worker = False
            self._stop("worker", sig=signal.SIGTERM, timeout=30)

    def worker_running(self) -> bool:
        return not self._dead("worker")

    def worker_pid(self) -> int | None:
        """The running worker's process id: a test can tell the same worker carried on
        from one the supervisor started again."""
        proc = self._procs.get("worker")
        return None if proc is None or proc.poll() is not None else proc.pid

    def _supervise(self) -> None:
        while not self._closing.wait(0.5):
            with self._lock:
                if self._keep_worker and self._dead("worker") and not self._closing.is_set():
                    self.worker_exits += 1
                    with (self.root / "worker.log").open("a") as log:
                        log.write(f"===== worker exited on its own: restart {self.worker_exits}\n")
                    self.start_worker(wait=False)

    # --- Data ------------------------------------------------------------------------------

    def seed(self, **spec: Any) -> dict:
        """Staff and patients made by the app's own services (tests/faults/seed.py runs
        inside the stack's Django): see that module for `spec` and the answer."""
        out = self.manage(
            "shell",
            "-c",
            "from tests.faults.seed import main; main()",
            input=json.dumps(spec),
        )
        match = re.search(r"^STACK-SEED (.*)$", out, re.MULTILINE)
        if not match:
            raise StackError(f"seed printed no answer:\n{out[-2000:]}")
        return json.loads(match.group(1))

    # --- Logs -------------------------------------------------------------------------------

    def _log_size(self, name: str) -> int:
        path = self._log_files.get(name)
        return path.stat().st_size if path and path.exists() else 0

    def _log_tail_bytes(self, name: str, start: int) -> bytes:
        path = self._log_files.get(name)
        if not path or not path.exists():
            return b""
        with path.open("rb") as fh:
            fh.seek(start)
            return fh.read()

    def log_text(self, name: str) -> str:
        path = self._log_files.get(name)
        return path.read_text(errors="replace") if path and path.exists() else ""

    def logs(self, *names: str, lines: int = 60) -> str:
        """The last lines of each process's log (all of them unless named)."""
        parts = []
        for name in names or tuple(self._log_files):
            text = self.log_text(name).splitlines()[-lines:]
            parts.append(f"----- {name} (last {len(text)} lines) -----\n" + "\n".join(text))
        return "\n".join(parts) + "\n"


# --- Talking to the app over HTTP --------------------------------------------------------


class AppClient:
    """One browser (one cookie jar) talking to the stack's gunicorn over HTTP. POSTs carry
    the CSRF cookie's value as X-CSRFToken, as the pages' htmx requests do."""

    def __init__(self, base_url: str, *, timeout: float = 30):
        import requests

        self.base_url = base_url
        self.timeout = timeout
        self.http = requests.Session()

    def get(self, path: str, **kwargs):
        kwargs.setdefault("timeout", self.timeout)
        return self.http.get(self.base_url + path, **kwargs)

    def post(self, path: str, data: dict | None = None, *, htmx: bool = False, **kwargs):
        headers = dict(kwargs.pop("headers", {}))
        token = self.http.cookies.get("csrftoken")
        if token:
            headers["X-CSRFToken"] = token
        if htmx:
            headers["HX-Request"] = "true"
        kwargs.setdefault("timeout", self.timeout)
        return self.http.post(self.base_url + path, data=data or {}, headers=headers, **kwargs)


def totp_code(key_hex: str) -> str:
    from django_otp.oath import totp

    return f"{totp(bytes.fromhex(key_hex)):06d}"


def sign_in(client: AppClient, username: str, password: str, *, totp_key: str | None = None):
    """Sign in through the login page, and through the second step (a TOTP code) when the
    app asks for one. The last response: the page the person lands on."""
    accounts = f"{client.base_url}/accounts/"
    client.get("/accounts/login/")
    response = client.post("/accounts/login/", {"username": username, "password": password})
    if response.url.startswith(accounts) and not response.url.startswith(accounts + "login/"):
        # Past the password, on the second step (accounts:mfa-verify).
        if not totp_key:
            raise StackError(f"{username} was asked for a second factor and has no device")
        step = response.url.removeprefix(client.base_url)
        response = client.post(step, {"code": totp_code(totp_key)})
    if response.url.startswith(accounts):
        raise StackError(f"{username} could not sign in: landed on {response.url}")
    return response
