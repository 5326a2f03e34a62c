"""What care tells the apps built on it. care sits below them (it cannot import them), so
a discharge is announced and they act on it in the same transaction (intake.followup
schedules the post-discharge questionnaires)."""

from django.dispatch import Signal

# Sent inside episode_discharge's transaction with `episode` (closed) and `by`.
episode_discharged = Signal()
