from django.apps import AppConfig


class EvaluationsConfig(AppConfig):
    name = "evaluations"

    def ready(self) -> None:
        # Fills in waiting drafts when a follow-up questionnaire comes in.
        from evaluations import receivers  # noqa: F401
