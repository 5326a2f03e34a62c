"""scripts/check_compose.py (make check-compose, make check-deploy): the shipped compose
file passes, and a copy weakened in any of the ways it looks for fails, as rendered by the
real docker-compose. The last tests feed it rendered configurations directly, for the
syntaxes docker-compose v1 and v2 write."""

import copy
import importlib.util
import os
import re
import shutil
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml

from tests.worker import skip_or_fail

ROOT = Path(__file__).resolve().parents[2]
SCRIPT = ROOT / "scripts" / "check_compose.py"
COMPOSE_FILE = ROOT / "docker-compose.yml"


def _load_checker():
    spec = importlib.util.spec_from_file_location("check_compose", SCRIPT)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


check_compose = _load_checker()


@pytest.fixture
def docker_compose():
    if not (shutil.which("docker-compose") or shutil.which("docker")):
        skip_or_fail("docker-compose is not installed")


def _run(compose_file: Path, tmp_path: Path) -> subprocess.CompletedProcess:
    """The checker as make runs it, on the file's defaults: no .env, and none of the
    variables the file reads taken from this test run's environment (tests/settings.py
    sets HTTPS, for one)."""
    read = set(re.findall(r"\$\{(\w+)", COMPOSE_FILE.read_text()))
    env = {k: v for k, v in os.environ.items() if k not in read}
    empty = tmp_path / "empty.env"
    empty.write_text("")
    command = [sys.executable, str(SCRIPT), "-f", str(compose_file), "--env-file", str(empty)]
    return subprocess.run(
        [*command, "--project-directory", str(ROOT)],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def test_the_shipped_compose_file_passes(docker_compose, tmp_path):
    result = _run(COMPOSE_FILE, tmp_path)
    assert result.returncode == 0, result.stderr
    assert "web ports 127.0.0.1:8000:8000" in result.stdout
    assert "migrate as clinic, web as clinic_app, worker as clinic_app, beat as clinic_app" in (
        result.stdout
    )


Config = dict[str, Any]


def _services(config: Config) -> Config:
    return config["services"]


def _compose_file() -> Config:
    """The shipped file, with its anchors merged. PyYAML's merge shares the nested
    mappings (one environment for web, worker and beat): copy each service apart, so a
    change to one stays in that one."""
    config = yaml.safe_load(COMPOSE_FILE.read_text())
    config["services"] = {name: copy.deepcopy(s) for name, s in config["services"].items()}
    return config


def _publish_everywhere(c: Config) -> None:
    _services(c)["web"]["ports"] = ["8000:8000"]


def _debug_on(c: Config) -> None:
    _services(c)["worker"]["environment"]["DEBUG"] = "true"


def _web_as_owner(c: Config) -> None:
    services = _services(c)
    services["web"]["environment"]["DATABASE_URL"] = services["migrate"]["environment"][
        "DATABASE_URL"
    ]


def _beat_as_superuser(c: Config) -> None:
    env = _services(c)["beat"]["environment"]
    env["DATABASE_URL"] = "postgres://postgres:${POSTGRES_PASSWORD:-clinic}@postgres:5432/clinic"


def _no_migrate(c: Config) -> None:
    services = _services(c)
    del services["migrate"]
    for name in ("web", "worker", "beat"):
        services[name]["depends_on"].pop("migrate")


def _web_does_not_wait(c: Config) -> None:
    _services(c)["web"]["depends_on"].pop("migrate")


def _migrate_forever(c: Config) -> None:
    _services(c)["migrate"]["restart"] = "unless-stopped"


def _migrate_without_grant(c: Config) -> None:
    _services(c)["migrate"]["command"] = "python manage.py migrate --noinput"


def _redis_no_restart(c: Config) -> None:
    del _services(c)["redis"]["restart"]


@pytest.mark.parametrize(
    ("doctor", "expected"),
    [
        (_publish_everywhere, "web: port published on every interface with HTTPS off"),
        (_debug_on, "worker: DEBUG is on"),
        (_web_as_owner, "web: connects to PostgreSQL as clinic, the owner role"),
        (_beat_as_superuser, "beat: connects to PostgreSQL as postgres, the superuser"),
        (_no_migrate, "No migrate service"),
        (_web_does_not_wait, "web: must depend on migrate"),
        (_migrate_forever, "migrate: restart is unless-stopped"),
        (_migrate_without_grant, "migrate: its command must run `manage.py migrate` and then"),
        (_redis_no_restart, "redis: no restart policy"),
    ],
    ids=lambda v: v.__name__.strip("_") if callable(v) else None,
)
def test_a_doctored_compose_file_fails(
    docker_compose, tmp_path, doctor: Callable[[Config], None], expected: str
):
    config = _compose_file()
    doctor(config)
    doctored = tmp_path / "docker-compose.yml"
    doctored.write_text(yaml.safe_dump(config, sort_keys=False))

    result = _run(doctored, tmp_path)

    assert result.returncode == 1, result.stdout + result.stderr
    assert expected in result.stderr
    assert "1 problem(s)" in result.stderr  # that one and nothing else


def test_it_allows_every_interface_behind_https(docker_compose, tmp_path):
    config = _compose_file()
    _publish_everywhere(config)
    _services(config)["web"]["environment"]["HTTPS"] = "true"
    doctored = tmp_path / "docker-compose.yml"
    doctored.write_text(yaml.safe_dump(config, sort_keys=False))
    assert _run(doctored, tmp_path).returncode == 0


def _rendered(**web: Any) -> Config:
    """A minimal rendered stack that passes, with web's entries replaced by `web`."""
    app = {
        "restart": "unless-stopped",
        "depends_on": {"migrate": {"condition": "service_completed_successfully"}},
        "environment": {
            "DEBUG": "false",
            "HTTPS": "false",
            "DATABASE_URL": "postgres://clinic_app:pw@postgres:5432/clinic",
        },
    }
    return {
        "services": {
            "postgres": {
                "image": "postgres:15",
                "restart": "always",
                "environment": {"POSTGRES_USER": "postgres"},
            },
            "migrate": {
                "restart": "no",
                "command": [
                    "sh",
                    "-c",
                    "python manage.py migrate && python manage.py db_grant_runtime_role x",
                ],
                "environment": {"DATABASE_URL": "postgres://clinic:pw@postgres:5432/clinic"},
            },
            "web": {**app, **web},
            "worker": app,
            "beat": app,
        }
    }


@pytest.mark.parametrize(
    ("ports", "exposed"),
    [
        (["127.0.0.1:8000:8000/tcp"], False),
        (["[::1]:8000:8000"], False),
        ([{"target": 8000, "published": "8000", "host_ip": "127.0.0.1"}], False),
        (["8000:8000"], True),
        (["8000"], True),  # a random host port, on every interface
        (["0.0.0.0:8000:8000"], True),
        (["[::]:8000:8000"], True),
        ([{"target": 8000, "published": 8000}], True),
        ([{"target": 8000, "published": "8000", "host_ip": "0.0.0.0"}], True),  # noqa: S104
    ],
    ids=str,
)
def test_it_reads_both_port_syntaxes(ports, exposed):
    found = check_compose.problems(_rendered(ports=ports))
    assert any("every interface" in p for p in found) is exposed, found


def test_the_hosts_network_counts_as_every_interface():
    found = check_compose.problems(_rendered(network_mode="host"))
    assert any("every interface" in p for p in found)


def test_it_reads_list_environments_and_the_https_default():
    config = _rendered()
    # Unset, HTTPS follows DEBUG (settings.py): on in production.
    config["services"]["web"] = {
        **config["services"]["web"],
        "environment": ["DEBUG=false", "DATABASE_URL=postgres://clinic_app@postgres/clinic"],
        "ports": ["8000:8000"],
    }
    assert check_compose.problems(config) == []


def test_a_runtime_service_without_a_named_role_fails():
    config = _rendered()
    config["services"]["worker"] = {
        **config["services"]["worker"],
        "environment": {"DATABASE_URL": "postgres://postgres:5432/clinic"},
    }
    assert check_compose.problems(config) == [
        "worker: DATABASE_URL names no role, so which role it is is unchecked."
    ]
