"""Check the compose stack for settings that would weaken a live installation.

`make check-compose` and `make check-deploy` run it (`uv run python scripts/check_compose.py`).
It reads the configuration as docker-compose renders it (`docker-compose config`: .env and
the shell's variables filled in, anchors merged), so it checks what would really run.
It fails (exit 1), saying why, when:

- the web port is published on every interface (or web uses the host's network) while
  HTTPS is off: plain HTTP with staff session cookies, reachable from the network;
- DEBUG is on in any service;
- web, worker or beat connect to PostgreSQL as the owner role (the one migrate uses), as
  the superuser, or as no named role: the owner and the superuser can switch the audit
  trail's append-only triggers off (docs/operations.md, Database roles);
- there is no migrate service, it does not run the migrations and grant the runtime role,
  or web, worker and beat do not wait for it to finish;
- a long-running service has no restart policy, or migrate restarts after it is done.

    check_compose.py [-f docker-compose.yml] [--env-file FILE] [--project-directory DIR]
    check_compose.py --rendered FILE        # a saved `docker-compose config` output, or -
"""

import argparse
import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

import yaml

ROOT = Path(__file__).resolve().parents[1]
RUNTIME_SERVICES = ("web", "worker", "beat")
MIGRATE = "migrate"
ALL_INTERFACES = {"", "0.0.0.0", "::", "[::]"}  # noqa: S104 (what we look for, not a bind)
TRUE = {"1", "true", "yes", "on"}
RESTARTING = {"always", "unless-stopped", "on-failure"}
# The image's default superuser when POSTGRES_USER is not set.
POSTGRES_DEFAULT_SUPERUSER = "postgres"

Config = dict[str, Any]


def render(
    file: Path, env_file: Path | None = None, project_directory: Path | None = None
) -> Config:
    """`docker-compose config` of the file, parsed. SECRET_KEY is required by the file but
    irrelevant here: a placeholder stands in when it is not set."""
    if shutil.which("docker-compose"):
        command = ["docker-compose"]
    elif shutil.which("docker"):
        command = ["docker", "compose"]
    else:
        raise SystemExit(
            "check_compose: docker-compose not found: install it (Debian: docker-compose) to "
            "check the compose file, or pass --rendered with its `config` output"
        )
    command += ["-f", str(file)]
    if env_file is not None:
        command += ["--env-file", str(env_file)]
    if project_directory is not None:
        command += ["--project-directory", str(project_directory)]
    command.append("config")
    env = {**os.environ}
    env.setdefault("SECRET_KEY", "compose-config-check-only")
    result = subprocess.run(command, capture_output=True, text=True, env=env, check=False)  # noqa: S603
    if result.returncode != 0:
        raise SystemExit(f"check_compose: {' '.join(command)} failed:\n{result.stderr.strip()}")
    return yaml.safe_load(result.stdout)


def _environment(service: Config) -> dict[str, str | None]:
    env = service.get("environment") or {}
    if isinstance(env, list):
        pairs = (item.split("=", 1) if "=" in item else (item, None) for item in env)
        env = dict(pairs)
    return {key: None if value is None else str(value) for key, value in env.items()}


def _truthy(value: str | None) -> bool:
    return value is not None and value.strip().lower() in TRUE


def _db_user(url: str | None) -> str | None:
    """The role a PostgreSQL URL logs in as, "" when it names none, None for other URLs."""
    if not url:
        return None
    parts = urlsplit(url)
    if not parts.scheme.startswith(("postgres", "pgsql", "psql")):
        return None
    return unquote(parts.username or "")


def _host_ip(port: Any) -> str | None:
    """The host address a port entry is published on ("" for every interface), or None
    when it publishes nothing on the host. Short syntax: [IP:][HOST:]CONTAINER[/PROTO];
    long syntax: a mapping with host_ip."""
    if isinstance(port, dict):
        return str(port.get("host_ip") or "")
    text = str(port).split("/", 1)[0]
    if text.startswith("["):  # [::1]:8000:8000
        address, _, rest = text[1:].partition("]")
        return address if rest.count(":") == 2 else ""
    parts = text.split(":")
    return parts[0] if len(parts) == 3 else ""


def _text(command: Any) -> str:
    return " ".join(command) if isinstance(command, list) else str(command or "")


def _restart(service: Config) -> str | None:
    if service.get("restart"):
        return str(service["restart"])
    policy = (service.get("deploy") or {}).get("restart_policy") or {}
    condition = policy.get("condition")
    return {"any": "always", "on-failure": "on-failure", "none": "no"}.get(condition)


def problems(config: Config) -> list[str]:
    services: dict[str, Config] = config.get("services") or {}
    found: list[str] = []

    for name, service in services.items():
        if _truthy(_environment(service).get("DEBUG")):
            found.append(f"{name}: DEBUG is on: debug pages would show settings and data.")

    web = services.get("web")
    if web is not None:
        env = _environment(web)
        debug = _truthy(env.get("DEBUG"))
        # Unset, settings.py turns HTTPS on whenever DEBUG is off.
        https = _truthy(env["HTTPS"]) if env.get("HTTPS") is not None else not debug
        exposed = [p for p in web.get("ports") or [] if _host_ip(p) in ALL_INTERFACES]
        if web.get("network_mode") == "host":
            exposed.append("network_mode: host")
        if exposed and not https:
            found.append(
                "web: port published on every interface with HTTPS off "
                f"({', '.join(map(str, exposed))}): plain HTTP, with staff session cookies, "
                "from anywhere on the network. Publish it on 127.0.0.1 (WEB_BIND) behind a "
                "TLS proxy, or set HTTPS=true behind one."
            )

    server = next(
        (s for s in services.values() if str(s.get("image", "")).startswith("postgres")), None
    )
    superuser = POSTGRES_DEFAULT_SUPERUSER
    if server is not None:
        superuser = _environment(server).get("POSTGRES_USER") or POSTGRES_DEFAULT_SUPERUSER
    migrate = services.get(MIGRATE)
    owner = _db_user(_environment(migrate).get("DATABASE_URL")) if migrate else None

    if migrate is None:
        found.append(
            f"No {MIGRATE} service: migrations must run as the owner role in a one-shot "
            "service, so the app itself never needs to own the tables."
        )
    else:
        command = _text(migrate.get("command"))
        if "manage.py migrate" not in command or "db_grant_runtime_role" not in command:
            found.append(
                f"{MIGRATE}: its command must run `manage.py migrate` and then "
                "`manage.py db_grant_runtime_role` (got: " + (command or "none") + ")."
            )
        if _restart(migrate) in {"always", "unless-stopped"}:
            found.append(
                f"{MIGRATE}: restart is {_restart(migrate)}: a one-shot service would run "
                'again and again; use restart: "no".'
            )
        if not owner:
            found.append(f"{MIGRATE}: DATABASE_URL names no PostgreSQL role to migrate as.")

    for name in RUNTIME_SERVICES:
        service = services.get(name)
        if service is None:
            continue
        user = _db_user(_environment(service).get("DATABASE_URL"))
        if user is None:
            found.append(f"{name}: no PostgreSQL DATABASE_URL: the audit trail is not protected.")
        elif user == "":
            found.append(f"{name}: DATABASE_URL names no role, so which role it is is unchecked.")
        elif user in {owner, superuser, POSTGRES_DEFAULT_SUPERUSER}:
            what = "the owner role (the one migrate uses)" if user == owner else "the superuser"
            found.append(
                f"{name}: connects to PostgreSQL as {user}, {what}: it could switch the audit "
                "trail's append-only triggers off. Connect as the runtime role."
            )
        if migrate is not None:
            depends = service.get("depends_on") or {}
            condition = (
                depends.get(MIGRATE, {}).get("condition") if isinstance(depends, dict) else None
            )
            if condition != "service_completed_successfully":
                found.append(
                    f"{name}: must depend on {MIGRATE} with condition "
                    "service_completed_successfully, so it never starts on an unmigrated "
                    "schema or before the runtime role has its grants."
                )

    for name, service in services.items():
        if name != MIGRATE and _restart(service) not in RESTARTING:
            found.append(
                f"{name}: no restart policy (restart: unless-stopped): it would stay down "
                "after a crash or a reboot."
            )
    return found


def summary(config: Config) -> str:
    services = config.get("services") or {}
    web_ports = ", ".join(map(str, (services.get("web") or {}).get("ports") or [])) or "none"
    users = {
        name: _db_user(_environment(services[name]).get("DATABASE_URL"))
        for name in (MIGRATE, *RUNTIME_SERVICES)
        if name in services
    }
    roles = ", ".join(f"{name} as {user}" for name, user in users.items())
    return f"web ports {web_ports}; {roles}"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("-f", "--file", type=Path, default=ROOT / "docker-compose.yml")
    parser.add_argument("--env-file", type=Path)
    parser.add_argument("--project-directory", type=Path)
    parser.add_argument("--rendered", help="read `docker-compose config` output from FILE or -")
    args = parser.parse_args(argv)
    if args.rendered:
        text = sys.stdin.read() if args.rendered == "-" else Path(args.rendered).read_text()
        config, label = yaml.safe_load(text), args.rendered
    else:
        config = render(args.file, args.env_file, args.project_directory)
        label = str(args.file)
    found = problems(config)
    for problem in found:
        print(f"check_compose: {problem}", file=sys.stderr)
    if found:
        print(f"check_compose: {label}: {len(found)} problem(s)", file=sys.stderr)
        return 1
    print(f"check_compose: {label}: ok ({summary(config)})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
