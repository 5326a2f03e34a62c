import hashlib
import uuid
from datetime import date, datetime, time, timedelta
from typing import TYPE_CHECKING

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from simple_history.models import HistoricalRecords

if TYPE_CHECKING:
    from accounts.models import User


class IntakeQuerySet(models.QuerySet):
    def started_on(self, day: date) -> "IntakeQuerySet":
        """Intakes started on a calendar day in the clinic's time zone."""
        start = timezone.make_aware(datetime.combine(day, time.min))
        return self.filter(started_at__gte=start, started_at__lt=start + timedelta(days=1))

    def submitted(self) -> "IntakeQuerySet":
        return self.filter(status=Intake.Status.SUBMITTED)

    def awaiting_evaluation(self) -> "IntakeQuerySet":
        """Submitted intakes no therapist has opened an evaluation from yet."""
        return self.first_visit().submitted().filter(evaluations__isnull=True)

    def flagged(self) -> "IntakeQuerySet":
        """Stopped for a red flag, or submitted with an urgent or emergency finding."""
        return self.filter(
            Q(status=Intake.Status.STOPPED)
            | Q(red_flag_level__in=[Intake.RedFlagLevel.URGENT, Intake.RedFlagLevel.EMERGENCY])
        )

    def first_visit(self) -> "IntakeQuerySet":
        """First-visit intakes only: not the follow-up packets kept beside them."""
        return self.filter(kind=Intake.Kind.INTAKE)

    def packets(self) -> "IntakeQuerySet":
        return self.filter(kind=Intake.Kind.FOLLOW_UP)

    def for_queue(self) -> "IntakeQuerySet":
        return self.select_related("patient", "started_by").order_by("-started_at")


class Intake(models.Model):
    """A patient's symptom history, questionnaires and red-flag screen for one episode.

    `answers` holds each screen's validated answers; `drafts` holds what the patient
    typed, valid or not, so nothing is lost on a reload. After submission both are frozen:
    staff corrections are IntakeAmendment rows, never edits here.
    """

    class Kind(models.TextChoices):
        INTAKE = "intake", "First-visit intake"
        # A short questionnaire later in the episode (intake.followup): same link, tablet,
        # autosave and cauda equina stop as the intake, fewer screens.
        FOLLOW_UP = "follow_up", "Follow-up questionnaire"

    class Purpose(models.TextChoices):
        """What a follow-up packet is for, and so when it is due (intake.followup.schedule)."""

        REEVALUATION = "reevaluation", "Before the re-evaluation"
        DISCHARGE = "discharge", "Before discharge"
        AFTER_6W = "after_6w", "6 weeks after discharge"
        AFTER_3M = "after_3m", "3 months after discharge"
        AFTER_12M = "after_12m", "12 months after discharge"

    class Status(models.TextChoices):
        # A follow-up packet that is due but not yet handed to the patient.
        SCHEDULED = "scheduled", "Due"
        IN_PROGRESS = "in_progress", "In progress"
        STOPPED = "stopped", "Stopped: red flag"
        SUBMITTED = "submitted", "Submitted"
        CANCELLED = "cancelled", "Cancelled"

    class RedFlagLevel(models.TextChoices):
        NONE = "NONE", "None"
        MONITOR = "MONITOR", "Monitor"
        URGENT = "URGENT", "Urgent"
        EMERGENCY = "EMERGENCY", "Emergency"

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    patient = models.ForeignKey(
        "patients.Patient", on_delete=models.PROTECT, related_name="intakes"
    )
    # The course of care this intake starts (or, for a later one, belongs to).
    episode = models.ForeignKey("care.Episode", on_delete=models.PROTECT, related_name="intakes")
    kind = models.CharField(max_length=10, choices=Kind, default=Kind.INTAKE)
    # Follow-up packets only: what for, and the day it is due.
    purpose = models.CharField(max_length=20, choices=Purpose, blank=True)
    due_on = models.DateField(null=True, blank=True)
    status = models.CharField(max_length=20, choices=Status, default=Status.IN_PROGRESS)
    started_at = models.DateTimeField(default=timezone.now)
    submitted_at = models.DateTimeField(null=True, blank=True)
    stopped_at = models.DateTimeField(null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)
    started_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    current_step = models.CharField(max_length=30, blank=True)
    # The language the patient's screens are in (core.languages): set from the patient's
    # preferred language when the form is handed over, changed by the switch on every
    # screen. Answers are stored as codes whatever the language; staff read English.
    language = models.CharField(max_length=10, default="en")
    answers = models.JSONField(default=dict, blank=True)
    drafts = models.JSONField(default=dict, blank=True)
    # "step.field" -> ISO time the patient last changed it (clinical.md 9.4).
    answered_at = models.JSONField(default=dict, blank=True)
    # The id the review page's form carried: a second tap of Submit finds it already used.
    submission_id = models.UUIDField(null=True, blank=True)

    # Results, each carrying its algorithm or ruleset version.
    red_flag_level = models.CharField(max_length=10, choices=RedFlagLevel, blank=True)
    triage = models.JSONField(default=dict, blank=True)
    scores = models.JSONField(default=dict, blank=True)
    pattern = models.JSONField(default=dict, blank=True)

    # Status changes are versioned; the answers are not: they freeze on submission and
    # amendments record every later change (and autosave would write a version a second).
    history = HistoricalRecords(
        excluded_fields=["answers", "drafts", "answered_at", "updated_at", "current_step"]
    )
    objects = IntakeQuerySet.as_manager()

    if TYPE_CHECKING:
        # Who is making this change: simple_history reads it when it writes the history row.
        _history_user: User | None
        # While set, simple_history writes no history row for a save.
        skip_history_when_saving: bool

    class Meta:
        ordering = ["-started_at"]
        indexes = [
            models.Index(fields=["started_at"], name="intake_started_idx"),
            models.Index(fields=["status", "submitted_at"], name="intake_status_submitted_idx"),
            models.Index(fields=["patient", "-started_at"], name="intake_patient_idx"),
            models.Index(fields=["status", "started_at"], name="intake_status_started_idx"),
            models.Index(fields=["red_flag_level", "started_at"], name="intake_flag_started_idx"),
            # The front desk's due, overdue and completed packet lists.
            models.Index(
                fields=["status", "due_on"],
                name="intake_packet_due_idx",
                condition=Q(kind="follow_up"),
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(kind="intake", purpose="", due_on__isnull=True)
                | (Q(kind="follow_up", due_on__isnull=False) & ~Q(purpose="")),
                name="intake_packet_has_purpose_and_due_date",
            ),
            # Scheduling twice (a re-signed plan, a retried job) finds the packet there.
            models.UniqueConstraint(
                fields=["episode", "purpose", "due_on"],
                condition=Q(kind="follow_up") & ~Q(status="cancelled"),
                name="intake_one_packet_per_purpose_and_day",
            ),
        ]
        permissions = [
            ("acknowledge_redflagalert", "Can acknowledge red-flag alerts"),
            # The answers, scores, red-flag items and pattern: clinical content. The front
            # desk sees that an intake is complete and flagged, not what it says.
            ("view_intake_clinical", "Can read intake answers, results and red flags"),
        ]

    def __str__(self) -> str:
        if self.kind == self.Kind.FOLLOW_UP:
            return f"Follow-up {self.public_id} ({self.get_status_display()})"
        return f"Intake {self.public_id} ({self.get_status_display()})"

    @property
    def is_packet(self) -> bool:
        return self.kind == self.Kind.FOLLOW_UP

    @property
    def is_open(self) -> bool:
        return self.status == self.Status.IN_PROGRESS


class IntakeConsent(models.Model):
    """The consent the patient signed: the exact text shown, and their signature."""

    intake = models.OneToOneField(Intake, on_delete=models.PROTECT, related_name="consent")
    consent_version = models.CharField(max_length=40)
    # The language of the wording signed (consent_text and privacy_text are that wording).
    language = models.CharField(max_length=10, default="en")
    consent_text = models.TextField()
    privacy_text = models.TextField()
    signed_name = models.CharField(max_length=200)
    signature_png = models.BinaryField()
    signed_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return f"Consent {self.consent_version} for {self.intake_id}"


def hash_token(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


class ClinicTabletQuerySet(models.QuerySet):
    def active(self) -> "ClinicTabletQuerySet":
        return self.filter(revoked_at__isnull=True)


class ClinicTablet(models.Model):
    """A device the clinic enrolled as one of its intake tablets: a signed-in member of
    staff set a long-lived cookie on it (intake.tablets). Only such a device can be handed
    to a patient in kiosk mode, and only there does the staff unlock (username and
    password or kiosk PIN) work; a patient's own phone, opened from a link, never has one.
    Only a hash of the cookie is stored. Revoking a tablet ends its kiosk sessions at the
    next request."""

    # Wrong unlock tries before the tablet's unlock pauses, and for how long. Counted here,
    # in the database and under a row lock, so parallel requests cannot slip past the
    # limit; and apart from staff sign-in, so a patient at the tablet cannot lock a member
    # of staff out of the clinic's shared address.
    MAX_UNLOCK_FAILURES = 5
    UNLOCK_PAUSE = timedelta(minutes=5)

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    name = models.CharField(max_length=80)
    token_hash = models.CharField(max_length=64, unique=True)
    enrolled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    enrolled_at = models.DateTimeField(default=timezone.now)
    revoked_at = models.DateTimeField(null=True, blank=True)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    unlock_failures = models.PositiveSmallIntegerField(default=0)
    unlock_paused_until = models.DateTimeField(null=True, blank=True)

    objects = ClinicTabletQuerySet.as_manager()

    class Meta:
        ordering = ["name", "enrolled_at"]

    def __str__(self) -> str:
        return self.name

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None


class IntakeAccessQuerySet(models.QuerySet):
    def redeemable(self) -> "IntakeAccessQuerySet":
        return self.filter(
            used_at__isnull=True, revoked_at__isnull=True, expires_at__gt=timezone.now()
        )


class IntakeAccess(models.Model):
    """Permission for one device to fill in one intake: the hand-over of the clinic's
    tablet (kiosk) or a single-use link sent before the visit. Only a hash of a link's
    token is stored, so a database read cannot be turned into working links."""

    class Kind(models.TextChoices):
        KIOSK = "kiosk", "Clinic tablet"
        LINK = "link", "One-time link"

    MAX_FAILED_ATTEMPTS = 5

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    intake = models.ForeignKey(Intake, on_delete=models.PROTECT, related_name="accesses")
    kind = models.CharField(max_length=10, choices=Kind)
    token_hash = models.CharField(max_length=64, unique=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField()
    used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)
    failed_attempts = models.PositiveSmallIntegerField(default=0)
    # The enrolled tablet a kiosk hand-over was made on: the session is valid on that
    # device only (its cookie), and staff unlock it there. Links have none.
    tablet = models.ForeignKey(
        ClinicTablet, null=True, blank=True, on_delete=models.PROTECT, related_name="accesses"
    )

    objects = IntakeAccessQuerySet.as_manager()

    def __str__(self) -> str:
        return f"{self.get_kind_display()} for intake {self.intake_id}"


# The levels that go on every staff screen's banner until dispositioned; a MONITOR result
# waits for the patient's next visit instead (clinical.md 2.1a: safety-net and review).
BANNER_LEVELS = ("EMERGENCY", "URGENT")


class RedFlagAlertQuerySet(models.QuerySet):
    def open(self) -> "RedFlagAlertQuerySet":
        """Not dispositioned yet, whatever the level."""
        return self.filter(acknowledged_at__isnull=True)

    def on_banner(self) -> "RedFlagAlertQuerySet":
        """Open emergency and urgent alerts: the banner every staff screen polls (and the
        partial index alert_open_idx, whose condition this matches)."""
        return self.open().filter(level__in=BANNER_LEVELS)

    def for_review(self) -> "RedFlagAlertQuerySet":
        """Open MONITOR results: to review, with safety-net advice, at the next visit."""
        return self.open().filter(level=Intake.RedFlagLevel.MONITOR)

    def escalated(self, cutoff: datetime) -> "RedFlagAlertQuerySet":
        """Banner alerts raised before `cutoff`, the end of the latest clinic day that has
        passed (intake.alerts.escalation_cutoff), and still open."""
        return self.on_banner().filter(raised_at__lt=cutoff)

    def with_source(self) -> "RedFlagAlertQuerySet":
        """Annotates `source_code` (RedFlagAlert.Source), worked out as `source` does."""
        return self.annotate(
            source_code=models.Case(
                models.When(treatment_note__isnull=False, then=models.Value("note")),
                models.When(evaluation__isnull=False, then=models.Value("neuro_exam")),
                models.When(intake__kind=Intake.Kind.FOLLOW_UP, then=models.Value("packet")),
                default=models.Value("intake"),
                output_field=models.CharField(),
            )
        )


class RedFlagAlert(models.Model):
    """Raised when an intake, a follow-up packet, an evaluation's neuro exam or a treatment
    note finds a red flag. Emergency and urgent alerts are shown on every staff screen
    until a physical therapist dispositions them with one of the actions their level
    allows (intake.alert_actions) and a note; a MONITOR result waits for the patient's next
    visit, where the therapist records the safety-net advice given."""

    class Outcome(models.TextChoices):
        """The disposition's action code. Which ones a level allows, and their wording on
        the form, are the versioned rules in intake/rules/alert_actions.json (the labels
        here must match them: tests/intake/test_alert_disposition.py)."""

        EMERGENCY_REFERRAL = "emergency_referral", "Emergency referral made"
        # The spec's URGENT_REFERRAL (clinical.md 2.8): a same-day medical review arranged.
        URGENT_REFERRAL = "urgent_referral", "Urgent (same-day) medical referral arranged"
        IMAGING_REQUESTED = "imaging_requested", "Imaging requested"
        DISCUSSED_WITH_REFERRER = "discussed_with_referrer", "Discussed with the referrer"
        FALSE_POSITIVE = "false_positive", "False positive: reasoning recorded"
        SAFETY_NET_ADVICE = "safety_net_advice", "Safety-net advice given"

    class Source(models.TextChoices):
        """What raised the alert (not a column: see `source` and with_source())."""

        INTAKE = "intake", "Intake"
        PACKET = "packet", "Follow-up questionnaire"
        NOTE = "note", "Treatment note"
        NEURO_EXAM = "neuro_exam", "Neuro exam"

    # Dispositions recorded before the actions became versioned rules (intake 0012).
    LEGACY_ACTIONS_VERSION = "outcomes-before-alert-actions"

    # The referral urgency an evaluation's plan must hold, at least, before it can be
    # signed once its alert was dispositioned this way (evaluations.services.sign_problems).
    REFERRAL_NEEDED = {
        Outcome.EMERGENCY_REFERRAL: ("emergency",),
        Outcome.URGENT_REFERRAL: ("emergency", "urgent"),
    }

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    # Raised by an intake's red-flag screen, by an evaluation's neuro exam (an upper motor
    # neuron sign or progressive weakness) or by a treatment note's cauda equina re-check;
    # the same banner and acknowledgement whichever raised it.
    intake = models.ForeignKey(
        Intake, null=True, blank=True, on_delete=models.PROTECT, related_name="alerts"
    )
    evaluation = models.ForeignKey(
        "evaluations.Evaluation",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="alerts",
    )
    treatment_note = models.ForeignKey(
        "evaluations.TreatmentNote",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="alerts",
    )
    patient = models.ForeignKey("patients.Patient", on_delete=models.PROTECT, related_name="+")
    level = models.CharField(max_length=10, choices=Intake.RedFlagLevel)
    ces = models.BooleanField(default=False)
    items = models.JSONField(default=list)
    summary = models.CharField(max_length=255)
    raised_at = models.DateTimeField(default=timezone.now)
    acknowledged_at = models.DateTimeField(null=True, blank=True)
    acknowledged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    # The disposition: the action (code), the note, and the version of the action rules
    # it was recorded under; for safety-net advice, the material given and its version.
    outcome = models.CharField(max_length=30, choices=Outcome, blank=True)
    action_note = models.TextField(blank=True)
    actions_version = models.CharField(max_length=40, blank=True)
    safety_net_material = models.CharField(max_length=40, blank=True)
    safety_net_material_label = models.CharField(max_length=200, blank=True)
    safety_net_version = models.CharField(max_length=40, blank=True)

    objects = RedFlagAlertQuerySet.as_manager()

    class Meta:
        ordering = ["raised_at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(intake__isnull=False)
                | Q(evaluation__isnull=False)
                | Q(treatment_note__isnull=False),
                name="alert_has_source",
            ),
        ]
        indexes = [
            # The banner every staff screen polls (and the administrator's escalations):
            # open emergency and urgent alerts only, so the index stays tiny.
            models.Index(
                fields=["raised_at"],
                name="alert_open_idx",
                condition=Q(acknowledged_at__isnull=True, level__in=BANNER_LEVELS),
            ),
            # A patient's MONITOR results still to review at their next visit.
            models.Index(
                fields=["patient", "raised_at"],
                name="alert_review_idx",
                condition=Q(acknowledged_at__isnull=True, level="MONITOR"),
            ),
            # The administrator's safety figures and their lists: a period, by level.
            models.Index(fields=["raised_at"], name="alert_raised_idx"),
            models.Index(fields=["level", "raised_at"], name="alert_level_raised_idx"),
        ]

    def __str__(self) -> str:
        if self.treatment_note_id:
            source = f"treatment note {self.treatment_note_id}"
        elif self.evaluation_id:
            source = f"evaluation {self.evaluation_id}"
        else:
            source = f"intake {self.intake_id}"
        return f"{self.level} alert for {source}"

    @property
    def source(self) -> str:
        """Source code, as with_source() works it out: a note's or an exam's alert may
        name the intake too; the intake's kind tells a packet from a first visit (reads
        `intake`: select it with the alert)."""
        if self.treatment_note_id:
            return self.Source.NOTE
        if self.evaluation_id:
            return self.Source.NEURO_EXAM
        if self.intake is not None and self.intake.kind == Intake.Kind.FOLLOW_UP:
            return self.Source.PACKET
        return self.Source.INTAKE

    def get_source_display(self) -> str:
        return self.Source(self.source).label

    @property
    def is_dispositioned(self) -> bool:
        return self.acknowledged_at is not None


class IntakeAmendment(models.Model):
    """A staff correction to a submitted intake: who, when, why, and what changed.
    The submitted answers stay as they were; the amendment carries the new ones and the
    results recalculated from them."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    intake = models.ForeignKey(Intake, on_delete=models.PROTECT, related_name="amendments")
    step = models.CharField(max_length=30)
    before = models.JSONField(default=dict)
    after = models.JSONField(default=dict)
    reason = models.TextField()
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField(default=timezone.now)
    results = models.JSONField(default=dict)

    class Meta:
        ordering = ["at", "pk"]

    def __str__(self) -> str:
        return f"Amendment to {self.step} of intake {self.intake_id}"


class InstrumentPack(models.Model):
    """A clinic's licensed text for a questionnaire whose wording this project may not
    ship (clinical.md 3.0), loaded with `manage.py load_instrument_pack`."""

    instrument = models.CharField(max_length=40)
    language = models.CharField(max_length=20, default="en")
    version = models.CharField(max_length=40)
    licence_reference = models.CharField(max_length=200)
    licensed_to = models.CharField(max_length=200)
    expires_on = models.DateField(null=True, blank=True)
    content = models.JSONField()
    sha256 = models.CharField(max_length=64)
    loaded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["instrument", "language"], name="instrumentpack_one_per_language"
            )
        ]

    def __str__(self) -> str:
        return f"{self.instrument} {self.version} ({self.language})"

    @property
    def in_force(self) -> bool:
        return self.expires_on is None or self.expires_on >= timezone.localdate()
