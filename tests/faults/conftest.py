"""One private stack (tests/stack.py) for the fault tests, started once for the session.

Each test leaves it running: whatever a test stopped is started again afterwards, even
when the test fails, and a failing test gets the tail of every process's log.
"""

import pytest

from tests.stack import Stack, missing_binaries
from tests.worker import skip_or_fail


@pytest.fixture(scope="session")
def stack():
    missing = missing_binaries()
    if missing:
        skip_or_fail(f"a private stack needs {', '.join(missing)}")
    with Stack() as running:
        yield running


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item, call):
    report = yield
    setattr(item, f"report_{report.when}", report)
    return report


@pytest.fixture(autouse=True)
def _restore_and_report(request, stack):
    yield
    failed = any(
        getattr(getattr(request.node, f"report_{when}", None), "failed", False)
        for when in ("setup", "call")
    )
    if failed:
        print(stack.logs(lines=80))
    stack.ensure_running()
