import uuid

from django.conf import settings
from django.db import models
from django.utils import timezone
from simple_history.models import HistoricalRecords


class EvaluationQuerySet(models.QuerySet):
    def drafts(self) -> "EvaluationQuerySet":
        return self.filter(status=Evaluation.Status.DRAFT)

    def signed(self) -> "EvaluationQuerySet":
        return self.filter(status=Evaluation.Status.SIGNED)

    def by_therapist(self, user) -> "EvaluationQuerySet":
        return self.filter(therapist=user)


class Evaluation(models.Model):
    """A physical therapist's evaluation of a patient: drafted, then signed and locked."""

    class Kind(models.TextChoices):
        INITIAL = "initial", "Initial evaluation"
        REEVALUATION = "reevaluation", "Re-evaluation"
        DISCHARGE = "discharge", "Discharge"

    class Status(models.TextChoices):
        DRAFT = "draft", "Draft"
        SIGNED = "signed", "Signed"

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    patient = models.ForeignKey(
        "patients.Patient", on_delete=models.PROTECT, related_name="evaluations"
    )
    intake = models.ForeignKey(
        "intake.Intake",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="evaluations",
    )
    kind = models.CharField(max_length=20, choices=Kind, default=Kind.INITIAL)
    status = models.CharField(max_length=10, choices=Status, default=Status.DRAFT)
    therapist = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="evaluations"
    )
    created_at = models.DateTimeField(default=timezone.now)
    signed_at = models.DateTimeField(null=True, blank=True)

    history = HistoricalRecords()
    objects = EvaluationQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]
        indexes = [
            models.Index(fields=["therapist", "status", "-created_at"], name="eval_therapist_idx"),
            models.Index(fields=["patient", "-created_at"], name="eval_patient_idx"),
            models.Index(fields=["status", "-created_at"], name="eval_status_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.public_id} ({self.get_status_display()})"
