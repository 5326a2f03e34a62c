from django.apps import AppConfig


class IntakeConfig(AppConfig):
    name = "intake"

    def ready(self) -> None:
        # Connects the follow-up schedule to care's discharge signal.
        from intake.followup import schedule  # noqa: F401
