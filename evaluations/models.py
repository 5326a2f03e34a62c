import uuid
from typing import TYPE_CHECKING

from django.conf import settings
from django.db import models
from django.utils import timezone
from simple_history.models import HistoricalRecords

if TYPE_CHECKING:
    from accounts.models import User


class EvaluationQuerySet(models.QuerySet):
    def drafts(self) -> "EvaluationQuerySet":
        return self.filter(status=Evaluation.Status.DRAFT)

    def signed(self) -> "EvaluationQuerySet":
        return self.filter(status=Evaluation.Status.SIGNED)

    def by_therapist(self, user) -> "EvaluationQuerySet":
        return self.filter(therapist=user)

    def for_list(self) -> "EvaluationQuerySet":
        # The list pages show names only: never load the record's content there.
        return self.select_related("patient", "therapist").defer(
            "content", "drafts", "findings", "section_versions"
        )

    def for_progress(self, episode) -> "EvaluationQuerySet":
        """Every evaluation of one episode of care, oldest first, with only what the progress
        charts read (one query however many visits there are). An earlier course of care
        is not this one's progress: its baseline was another intake."""
        return (
            self.filter(episode=episode)
            .order_by("visit_date", "created_at")
            .only("public_id", "kind", "status", "visit_date", "created_at", "content", "findings")
        )


class Evaluation(models.Model):
    """A physical therapist's evaluation of a patient: drafted, then signed and locked.

    The record is one JSON document per section (`content`), validated by the section
    forms and turned into the pure findings functions' inputs; `findings` holds what those
    functions derived, each with its algorithm version. Signing freezes both and stores a
    SHA-256 of them; later changes are `Addendum` rows.
    """

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
    # The course of care this visit belongs to: its intake's, when it has one.
    episode = models.ForeignKey(
        "care.Episode", on_delete=models.PROTECT, related_name="evaluations"
    )
    kind = models.CharField(max_length=20, choices=Kind, default=Kind.INITIAL)
    status = models.CharField(max_length=10, choices=Status, default=Status.DRAFT)
    therapist = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="evaluations"
    )
    visit_date = models.DateField(default=timezone.localdate)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)
    # Validated section data: {"outcomes": {...}, "movements": {...}, ...}.
    content = models.JSONField(default=dict, blank=True)
    # What the therapist typed that did not validate yet, per section, so nothing is lost.
    drafts = models.JSONField(default=dict, blank=True)
    # Derived findings per section, each carrying its algorithm version.
    findings = models.JSONField(default=dict, blank=True)
    # Optimistic locking per section: {"movements": 3}. A save names the version it edited;
    # a save from a stale tab is refused and keeps its input.
    section_versions = models.JSONField(default=dict, blank=True)
    signed_at = models.DateTimeField(null=True, blank=True)
    signed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    content_hash = models.CharField(max_length=64, blank=True)

    history = HistoricalRecords(excluded_fields=["content", "drafts", "findings"])
    objects = EvaluationQuerySet.as_manager()

    if TYPE_CHECKING:
        # Who is making this change: simple_history reads it when it writes the history row.
        _history_user: User | None
        # While set, simple_history writes no history row for a save.
        skip_history_when_saving: bool

    class Meta:
        ordering = ["-created_at"]
        indexes = [
            models.Index(fields=["therapist", "status", "-created_at"], name="eval_therapist_idx"),
            models.Index(fields=["patient", "-created_at"], name="eval_patient_idx"),
            models.Index(fields=["status", "-created_at"], name="eval_status_idx"),
            models.Index(fields=["patient", "visit_date"], name="eval_patient_visit_idx"),
            models.Index(fields=["kind", "-created_at"], name="eval_kind_idx"),
            # The batch export's filter: visit dates in a range, optionally by therapist.
            models.Index(fields=["visit_date", "therapist"], name="eval_visit_therapist_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.public_id} ({self.get_status_display()})"

    @property
    def is_signed(self) -> bool:
        return self.status == self.Status.SIGNED


class Addendum(models.Model):
    """A change to a signed evaluation: who, when, why, and what. The signed record itself
    is never edited."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    evaluation = models.ForeignKey(Evaluation, on_delete=models.PROTECT, related_name="addenda")
    section = models.CharField(max_length=30, blank=True)
    reason = models.CharField(max_length=255)
    text = models.TextField()
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField(default=timezone.now)
    content_hash = models.CharField(max_length=64)

    class Meta:
        ordering = ["at", "pk"]

    def __str__(self) -> str:
        return f"Addendum to evaluation {self.evaluation_id} at {self.at:%Y-%m-%d %H:%M}"

    @property
    def patient(self):
        return self.evaluation.patient


class TreatmentNoteQuerySet(models.QuerySet):
    def drafts(self) -> "TreatmentNoteQuerySet":
        return self.filter(status=TreatmentNote.Status.DRAFT)

    def signed(self) -> "TreatmentNoteQuerySet":
        return self.filter(status=TreatmentNote.Status.SIGNED)

    def by_therapist(self, user) -> "TreatmentNoteQuerySet":
        return self.filter(therapist=user)

    def for_progress(self, episode) -> "TreatmentNoteQuerySet":
        """Every treatment note of one episode of care, oldest first, with only what the
        progress charts and the visit list read (one query however many notes)."""
        return (
            self.filter(episode=episode)
            .order_by("visit_date", "created_at")
            .only("public_id", "status", "visit_date", "visit_number", "created_at", "content")
        )


class TreatmentNote(models.Model):
    """A daily treatment note: one visit between evaluations, following the plan of care of
    the episode's latest signed evaluation. Drafted with autosave, then signed and locked
    like an evaluation (a SHA-256 of what was signed); later changes are `NoteAddendum`
    rows. The record format is `evaluations.notes`."""

    class Status(models.TextChoices):
        DRAFT = "draft", "Draft"
        SIGNED = "signed", "Signed"

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    patient = models.ForeignKey(
        "patients.Patient", on_delete=models.PROTECT, related_name="treatment_notes"
    )
    episode = models.ForeignKey("care.Episode", on_delete=models.PROTECT, related_name="notes")
    # The signed evaluation whose plan of care the note's interventions came from.
    plan_from = models.ForeignKey(
        Evaluation,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="treatment_notes",
    )
    # Visits (notes and evaluations) since the episode's initial evaluation, this one
    # included, as counted when the note was started.
    visit_number = models.PositiveSmallIntegerField(default=1)
    therapist = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="treatment_notes"
    )
    visit_date = models.DateField(default=timezone.localdate)
    status = models.CharField(max_length=10, choices=Status, default=Status.DRAFT)
    # The last valid save, in the format evaluations.notes describes (with its `schema`).
    content = models.JSONField(default=dict, blank=True)
    # What was typed that did not validate yet (the posted fields), so nothing is lost.
    drafts = models.JSONField(default=dict, blank=True)
    # Optimistic locking: a save names the version it edited; a stale tab's is refused.
    version = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)
    signed_at = models.DateTimeField(null=True, blank=True)
    signed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    content_hash = models.CharField(max_length=64, blank=True)

    history = HistoricalRecords(excluded_fields=["content", "drafts"])
    objects = TreatmentNoteQuerySet.as_manager()

    if TYPE_CHECKING:
        _history_user: User | None
        skip_history_when_saving: bool

    class Meta:
        ordering = ["-visit_date", "-created_at"]
        indexes = [
            models.Index(fields=["therapist", "status"], name="note_therapist_idx"),
            models.Index(fields=["episode", "visit_date"], name="note_episode_visit_idx"),
        ]

    def __str__(self) -> str:
        return f"Treatment note {self.public_id} ({self.get_status_display()})"

    @property
    def is_signed(self) -> bool:
        return self.status == self.Status.SIGNED


class NoteAddendum(models.Model):
    """A change to a signed treatment note: who, when, why, and what. The signed note
    itself is never edited."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    note = models.ForeignKey(TreatmentNote, on_delete=models.PROTECT, related_name="addenda")
    reason = models.CharField(max_length=255)
    text = models.TextField()
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField(default=timezone.now)
    content_hash = models.CharField(max_length=64)

    class Meta:
        ordering = ["at", "pk"]

    def __str__(self) -> str:
        return f"Addendum to treatment note {self.note_id} at {self.at:%Y-%m-%d %H:%M}"

    @property
    def patient(self):
        return self.note.patient
