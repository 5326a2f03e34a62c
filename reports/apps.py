from django.apps import AppConfig


class ReportsConfig(AppConfig):
    name = "reports"

    def ready(self) -> None:
        # Services and the runner send the next step by task name (reports.dispatch), so
        # they never import reports.tasks; registering the tasks here makes every process
        # (web, shell, worker, tests) know those names from the start.
        from reports import tasks  # noqa: F401
