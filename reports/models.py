import uuid
from datetime import timedelta

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone


class ReportJobQuerySet(models.QuerySet):
    def active(self) -> "ReportJobQuerySet":
        return self.filter(status__in=ReportJob.ACTIVE)

    def expired(self, now=None) -> "ReportJobQuerySet":
        """Finished jobs whose file is past its expiry and not yet removed."""
        return self.filter(expires_at__lte=now or timezone.now(), purged_at__isnull=True).exclude(
            status__in=ReportJob.ACTIVE
        )

    def for_list(self) -> "ReportJobQuerySet":
        return self.select_related("requested_by", "patient").order_by("-created_at")


class ReportJob(models.Model):
    """One PDF document or one batch export, rendered by a Celery job.

    The row is written in the transaction that asks for it and is the job's only state:
    the task receives the job's public id and nothing else, so no patient data travels
    through the broker or its logs. The sweep re-dispatches jobs left pending, so a job
    survives Redis being down when it was asked for and a worker dying mid-job.
    """

    class Kind(models.TextChoices):
        INTAKE_SUMMARY = "intake_summary", "Intake summary"
        EVALUATION = "evaluation", "Evaluation and plan of care"
        PROGRESS = "progress", "Progress report"
        HANDOUT = "handout", "Patient handout"
        REFERRAL_LETTER = "referral_letter", "Referral letter"
        EXPORT = "export", "Batch export"

    class Status(models.TextChoices):
        QUEUED = "queued", "Queued"
        RUNNING = "running", "Running"
        SUCCEEDED = "succeeded", "Ready"
        FAILED = "failed", "Failed"

    ACTIVE = (Status.QUEUED, Status.RUNNING)

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    kind = models.CharField(max_length=20, choices=Kind)
    # Record ids and filter values only; never names or clinical text.
    params = models.JSONField(default=dict, blank=True)
    # Same document of the same record version -> same key: a second request reuses the
    # pending or finished job instead of rendering again.
    dedupe_key = models.CharField(max_length=64, blank=True)
    patient = models.ForeignKey(
        "patients.Patient",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="report_jobs",
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="report_jobs"
    )
    status = models.CharField(max_length=10, choices=Status, default=Status.QUEUED)
    progress = models.PositiveIntegerField(default=0)
    total = models.PositiveIntegerField(default=1)
    # Shown to staff as is: a readable reason, never a traceback.
    error = models.TextField(blank=True)
    # Path under MEDIA_ROOT; served only through the download view, never as a static file.
    file = models.CharField(max_length=255, blank=True)
    filename = models.CharField(max_length=200, blank=True)
    size = models.BigIntegerField(null=True, blank=True)
    sha256 = models.CharField(max_length=64, blank=True)
    pages = models.PositiveIntegerField(null=True, blank=True)

    created_at = models.DateTimeField(default=timezone.now)
    dispatched_at = models.DateTimeField(null=True, blank=True)
    started_at = models.DateTimeField(null=True, blank=True)
    heartbeat_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    expires_at = models.DateTimeField(null=True, blank=True)
    purged_at = models.DateTimeField(null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    # Fencing token of the run that owns the job: a run that lost it (the sweep handed the
    # job to another worker) cannot overwrite the new run's result.
    run_token = models.UUIDField(null=True, blank=True)

    objects = ReportJobQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]
        indexes = [
            models.Index(fields=["status", "created_at"], name="report_status_idx"),
            models.Index(fields=["kind", "-created_at"], name="report_kind_idx"),
            models.Index(fields=["requested_by", "-created_at"], name="report_requester_idx"),
            models.Index(fields=["dedupe_key"], name="report_dedupe_idx"),
            models.Index(
                fields=["expires_at"],
                condition=Q(purged_at__isnull=True),
                name="report_expiry_idx",
            ),
        ]
        constraints = [
            # At most one pending job per document version, even under concurrent clicks.
            models.UniqueConstraint(
                fields=["dedupe_key"],
                condition=Q(status__in=["queued", "running"]) & ~Q(dedupe_key=""),
                name="report_one_pending_per_version",
            ),
        ]
        permissions = [("run_export", "Can run batch exports and download them")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.public_id} ({self.get_status_display()})"

    @property
    def is_export(self) -> bool:
        return self.kind == self.Kind.EXPORT

    @property
    def is_active(self) -> bool:
        return self.status in self.ACTIVE

    @property
    def is_downloadable(self) -> bool:
        return self.status == self.Status.SUCCEEDED and bool(self.file) and not self.purged_at

    @property
    def waiting_long(self) -> bool:
        """Queued for longer than a worker normally takes to start a job."""
        return self.status == self.Status.QUEUED and self.created_at < timezone.now() - (
            timedelta(seconds=30)
        )


class ExportPart(models.Model):
    """A slice of a batch export's documents: the unit of work one task renders.

    Parts run in parallel on as many worker processes as there are; each writes its PDFs
    to the job's folder (one file per document, written atomically) and records each
    file's content hash once it is written. A part redone after a worker died skips only
    the files whose content still matches what was recorded, so no document appears
    twice and none is trusted just because a file is there.
    """

    class Status(models.TextChoices):
        QUEUED = "queued", "Queued"
        RUNNING = "running", "Running"
        DONE = "done", "Done"

    job = models.ForeignKey(ReportJob, on_delete=models.CASCADE, related_name="parts")
    index = models.PositiveIntegerField()
    # [[document kind, subject public id], ...]
    items = models.JSONField(default=list)
    status = models.CharField(max_length=10, choices=Status, default=Status.QUEUED)
    done = models.PositiveIntegerField(default=0)
    # What each finished document is, recorded by the run that wrote it, keyed by its
    # position in `items`: {"0": {"sha256": ..., "size": ...}} for a PDF whose file must
    # have that content, {"1": {"reason": ...}} for one left out and why.
    results = models.JSONField(default=dict, blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    dispatched_at = models.DateTimeField(null=True, blank=True)
    heartbeat_at = models.DateTimeField(null=True, blank=True)
    run_token = models.UUIDField(null=True, blank=True)

    class Meta:
        ordering = ["job", "index"]
        constraints = [
            models.UniqueConstraint(fields=["job", "index"], name="export_part_unique_index")
        ]
        indexes = [models.Index(fields=["status", "heartbeat_at"], name="export_part_status_idx")]

    def __str__(self) -> str:
        return f"Part {self.index} of {self.job_id} ({self.status})"


class ReferralLetter(models.Model):
    """A letter referring the patient on for a surgical or medical opinion, written from a
    signed evaluation whose plan of care asks for a referral, or after a red-flag alert
    that ended in one (reports.letters). The letter row holds what the therapist chose
    (who it is to, the urgency, the reason); the PDF (reports.docs.referral_letter) prints
    the findings, trend and charts from the records as they are."""

    # The plan of care's referral urgencies (evaluations.vocabulary.REFERRAL_URGENCY).
    class Urgency(models.TextChoices):
        EMERGENCY = "emergency", "Emergency: hospital within hours"
        URGENT = "urgent", "Urgent: seen the same day"
        ROUTINE = "routine", "Routine"

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    episode = models.ForeignKey(
        "care.Episode", on_delete=models.PROTECT, related_name="referral_letters"
    )
    # The signed evaluation the letter's findings come from.
    evaluation = models.ForeignKey(
        "evaluations.Evaluation", on_delete=models.PROTECT, related_name="referral_letters"
    )
    addressed_to = models.ForeignKey(
        "care.ReferralContact", on_delete=models.PROTECT, related_name="referral_letters"
    )
    urgency = models.CharField(max_length=10, choices=Urgency)
    reason = models.TextField()
    # The red-flag alert the letter follows, when it follows one.
    alert = models.ForeignKey(
        "intake.RedFlagAlert",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="referral_letters",
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at"]
        indexes = [
            models.Index(fields=["evaluation", "-created_at"], name="letter_evaluation_idx"),
            models.Index(fields=["episode", "-created_at"], name="letter_episode_idx"),
        ]

    def __str__(self) -> str:
        return f"Referral letter {self.public_id} ({self.get_urgency_display()})"

    @property
    def patient(self):
        return self.evaluation.patient
