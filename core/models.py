from django.db import models
from django.utils import timezone


class ClinicQuerySet(models.QuerySet):
    def current(self) -> "Clinic":
        """The one clinic this installation serves, created with defaults on first use."""
        clinic, _ = self.get_or_create(pk=1, defaults={"name": "Physical Therapy Clinic"})
        return clinic


class Clinic(models.Model):
    """Letterhead and preferences of the clinic running this installation (one row)."""

    class PaperSize(models.TextChoices):
        A4 = "A4", "A4"
        LETTER = "LETTER", "US Letter"

    name = models.CharField(max_length=200)
    address = models.TextField(blank=True)
    phone = models.CharField(max_length=40, blank=True)
    email = models.EmailField(blank=True)
    paper_size = models.CharField(max_length=10, choices=PaperSize, default=PaperSize.A4)
    logo = models.ImageField(upload_to="clinic/", blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = ClinicQuerySet.as_manager()

    class Meta:
        constraints = [models.CheckConstraint(condition=models.Q(pk=1), name="clinic_single_row")]

    def __str__(self) -> str:
        return self.name


class WorkerHeartbeat(models.Model):
    """Last time each Celery worker ran its periodic heartbeat: shows staff whether
    background jobs (PDFs, exports) are being processed."""

    hostname = models.CharField(max_length=255, unique=True)
    last_seen = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return f"{self.hostname} @ {self.last_seen:%Y-%m-%d %H:%M:%S}"
