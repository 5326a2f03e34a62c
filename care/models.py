"""The episode of care: one course of treatment for one problem, from referral (or direct
access) to discharge. A patient's intakes, evaluations and treatment notes belong to an
episode, so a patient who comes back a year later with a new sciatica starts afresh:
new baseline, new charts, new plan of care.

A patient has at most one open episode (a partial unique index) and any number of closed
ones; discharge closes an episode with a reason, never before it started.
"""

from __future__ import annotations

import datetime
import uuid

from django.conf import settings
from django.db import models
from django.db.models import Case, Count, F, Prefetch, Q, Value, When
from django.utils import timezone

from patients.models import phone_validator


class ReferralContact(models.Model):
    """A clinician who refers patients, kept to be chosen again for the next referral and
    to address letters and plans of care to."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    name = models.CharField(max_length=150)
    profession = models.CharField(
        max_length=100, blank=True, help_text="For example: GP, spinal surgeon, physiatrist."
    )
    organisation = models.CharField(max_length=200, blank=True)
    phone = models.CharField(max_length=30, blank=True, validators=[phone_validator])
    fax = models.CharField(max_length=30, blank=True, validators=[phone_validator])
    secure_address = models.CharField(
        "secure address",
        max_length=254,
        blank=True,
        help_text="Secure email or Direct address for clinical letters.",
    )
    created_at = models.DateTimeField(default=timezone.now)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["name", "organisation", "id"]
        indexes = [models.Index(fields=["name"], name="care_contact_name")]

    def __str__(self) -> str:
        return f"{self.name}, {self.organisation}" if self.organisation else self.name


class DiagnosisCode(models.Model):
    """An ICD-10-CM code the clinic may record (care.icd10): the shipped subset, or the
    clinic's own code file."""

    code = models.CharField(max_length=8, unique=True)
    title = models.CharField(max_length=255)
    source = models.CharField(max_length=120)
    loaded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["code"]

    def __str__(self) -> str:
        return f"{self.code} {self.title}"


class EpisodeQuerySet(models.QuerySet["Episode"]):
    def open(self) -> EpisodeQuerySet:
        return self.filter(status=Episode.Status.OPEN)

    def with_counts(self) -> EpisodeQuerySet:
        """Each episode with `visits`: its visits since the start of care (evaluations and
        treatment notes, by their relations' names: care cannot import the apps built on
        it), in the same query."""
        return self.annotate(
            evaluation_count=Count("evaluations", distinct=True),
            note_count=Count("notes", distinct=True),
        ).annotate(visits=F("evaluation_count") + F("note_count"))

    def for_patient_page(self) -> EpisodeQuerySet:
        """Open first, then the newest; with what the list shows (referrer, visits), in
        one query for the episodes and one for their diagnoses with their codes."""
        return (
            self.with_counts()
            .select_related("referrer")
            .prefetch_related(
                Prefetch("diagnoses", queryset=EpisodeDiagnosis.objects.select_related("code"))
            )
            .order_by(
                Case(When(status=Episode.Status.OPEN, then=Value(0)), default=Value(1)),
                "-start_of_care",
                "-id",
            )
        )


class Episode(models.Model):
    class Status(models.TextChoices):
        OPEN = "open", "Open"
        CLOSED = "closed", "Discharged"

    class Referral(models.TextChoices):
        REFERRED = "referred", "Referred"
        DIRECT = "direct_access", "Direct access (no referral)"
        # Episodes made from records kept before episodes existed: nobody asked.
        NOT_RECORDED = "not_recorded", "Not recorded"

    class DischargeReason(models.TextChoices):
        GOALS_MET = "goals_met", "Goals met"
        PLATEAU = "plateau", "Progress plateaued"
        SELF_DISCHARGED = "self_discharged", "Self-discharged"
        REFERRED_ON = "referred_on", "Referred on"
        OTHER = "other", "Other"

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    patient = models.ForeignKey(
        "patients.Patient", on_delete=models.PROTECT, related_name="episodes"
    )
    status = models.CharField(max_length=10, choices=Status, default=Status.OPEN)
    start_of_care = models.DateField(default=timezone.localdate)
    opened_at = models.DateTimeField(default=timezone.now)
    opened_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )

    referral = models.CharField(max_length=20, choices=Referral, default=Referral.DIRECT)
    referrer = models.ForeignKey(
        ReferralContact, on_delete=models.PROTECT, null=True, blank=True, related_name="episodes"
    )
    referral_date = models.DateField(null=True, blank=True)
    referral_reason = models.TextField(blank=True)

    # The plan of care's certification by the referrer.
    plan_sent_on = models.DateField("plan of care sent", null=True, blank=True)
    plan_signed_on = models.DateField("signed plan received", null=True, blank=True)
    certification_start = models.DateField(null=True, blank=True)
    certification_end = models.DateField(null=True, blank=True)
    recertification_due = models.DateField(null=True, blank=True)

    discharged_on = models.DateField(null=True, blank=True)
    discharge_reason = models.CharField(max_length=20, choices=DischargeReason, blank=True)
    discharge_note = models.TextField(blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    updated_at = models.DateTimeField(auto_now=True)

    objects = EpisodeQuerySet.as_manager()

    class Meta:
        constraints = [
            # The database keeps the rule even if two desks open one at the same moment.
            models.UniqueConstraint(
                fields=["patient"], condition=Q(status="open"), name="care_one_open_episode"
            ),
            models.CheckConstraint(
                condition=Q(discharged_on__isnull=True) | Q(discharged_on__gte=F("start_of_care")),
                name="care_discharge_not_before_start",
            ),
            models.CheckConstraint(
                condition=Q(status="open")
                | (Q(discharged_on__isnull=False) & ~Q(discharge_reason="")),
                name="care_closed_has_discharge",
            ),
        ]
        permissions = [
            ("change_episode_clinical", "Can record diagnoses and discharge episodes of care"),
        ]
        indexes = [
            models.Index(fields=["patient", "status"], name="care_episode_patient"),
            models.Index(fields=["status", "recertification_due"], name="care_episode_recert"),
            # The safety figures' episodes discharged in a period (dashboard.safety).
            models.Index(fields=["discharged_on"], name="care_episode_discharged"),
        ]

    def __str__(self) -> str:
        return f"Episode from {self.start_of_care:%d %b %Y}"

    @property
    def is_open(self) -> bool:
        return self.status == self.Status.OPEN

    def days_since_start(self, today: datetime.date | None = None) -> int:
        """Days from the start of care to today, or to discharge once closed."""
        end = self.discharged_on or today or timezone.localdate()
        return (end - self.start_of_care).days

    def recertification_in_days(self, today: datetime.date | None = None) -> int | None:
        """Days until the plan of care's recertification is due (negative: overdue), or
        None when no date is recorded or the episode is closed."""
        if self.recertification_due is None or not self.is_open:
            return None
        return (self.recertification_due - (today or timezone.localdate())).days

    def primary_diagnosis(self) -> EpisodeDiagnosis | None:
        """The first diagnosis recorded (from a prefetch, when there is one)."""
        return next(iter(self.diagnoses.all()), None)


class EpisodeDiagnosis(models.Model):
    """A diagnosis code recorded on an episode by a therapist, in the order given (the
    first is the primary)."""

    episode = models.ForeignKey(Episode, on_delete=models.CASCADE, related_name="diagnoses")
    code = models.ForeignKey(DiagnosisCode, on_delete=models.PROTECT, related_name="+")
    position = models.PositiveSmallIntegerField(default=0)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["position", "id"]
        constraints = [
            models.UniqueConstraint(fields=["episode", "code"], name="care_diagnosis_once"),
        ]

    def __str__(self) -> str:
        return str(self.code)
