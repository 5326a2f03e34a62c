import uuid
from datetime import date, datetime, time, timedelta

from django.conf import settings
from django.db import models
from django.utils import timezone
from simple_history.models import HistoricalRecords


class IntakeQuerySet(models.QuerySet):
    def started_on(self, day: date) -> "IntakeQuerySet":
        """Intakes started on a calendar day in the clinic's time zone."""
        start = timezone.make_aware(datetime.combine(day, time.min))
        return self.filter(started_at__gte=start, started_at__lt=start + timedelta(days=1))

    def submitted(self) -> "IntakeQuerySet":
        return self.filter(status=Intake.Status.SUBMITTED)

    def awaiting_evaluation(self) -> "IntakeQuerySet":
        """Submitted intakes no therapist has opened an evaluation from yet."""
        return self.submitted().filter(evaluations__isnull=True)


class Intake(models.Model):
    """A patient's symptom history, questionnaires and red-flag screen for one episode."""

    class Status(models.TextChoices):
        IN_PROGRESS = "in_progress", "In progress"
        SUBMITTED = "submitted", "Submitted"
        CANCELLED = "cancelled", "Cancelled"

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    patient = models.ForeignKey(
        "patients.Patient", on_delete=models.PROTECT, related_name="intakes"
    )
    status = models.CharField(max_length=20, choices=Status, default=Status.IN_PROGRESS)
    started_at = models.DateTimeField(default=timezone.now)
    submitted_at = models.DateTimeField(null=True, blank=True)
    started_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    history = HistoricalRecords()
    objects = IntakeQuerySet.as_manager()

    class Meta:
        ordering = ["-started_at"]
        indexes = [
            models.Index(fields=["started_at"], name="intake_started_idx"),
            models.Index(fields=["status", "submitted_at"], name="intake_status_submitted_idx"),
            models.Index(fields=["patient", "-started_at"], name="intake_patient_idx"),
        ]

    def __str__(self) -> str:
        return f"Intake {self.public_id} ({self.get_status_display()})"
