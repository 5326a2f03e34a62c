import datetime
from dataclasses import dataclass

from django.conf import settings
from django.db import models
from django.utils import timezone

# Product defaults so a new installation works; the clinic replaces them with wording its
# own counsel approved (Clinic settings). The tablet says so while they are in use.
DEFAULT_CONSENT_TEXT = (
    "I agree to be assessed and treated by the physical therapists of this clinic. "
    "The therapist will explain each assessment and treatment, its benefits and risks, "
    "before it starts. I can ask questions, decline any part of it, or stop at any time."
)
DEFAULT_PRIVACY_NOTICE = (
    "The clinic keeps the information you give us in your health record to plan and "
    "provide your care. Only clinic staff who need it can see it, every look at your record "
    "is logged, and we share it only with your consent or where the law requires."
)

# The same defaults in Spanish: a product translation, for the clinic's counsel to replace
# with wording of their own (Clinic settings, Translations).
DEFAULT_WORDING_BY_LANGUAGE = {
    "es": {
        "consent_version": "product-default-1-es",
        "consent_text": (
            "Acepto que los fisioterapeutas de esta clínica me evalúen y me traten. El "
            "fisioterapeuta me explicará cada evaluación y cada tratamiento, y sus "
            "beneficios y riesgos, antes de empezar. Puedo hacer preguntas, decir que no a "
            "cualquier parte o parar en cualquier momento."
        ),
        "privacy_notice": (
            "La clínica guarda la información que usted nos da en su historia clínica para "
            "planificar y darle su atención. Solo la ve el personal de la clínica que la "
            "necesita, cada vez que alguien mira su historia queda registrado, y solo la "
            "compartimos con su permiso o cuando la ley lo exige."
        ),
    }
}
PRODUCT_DEFAULT_VERSIONS = frozenset(
    {"product-default-1", *(w["consent_version"] for w in DEFAULT_WORDING_BY_LANGUAGE.values())}
)


@dataclass(frozen=True)
class ConsentWording:
    """What the consent screen shows in one language, and the version a signature keeps."""

    language: str
    consent_version: str
    consent_text: str
    privacy_notice: str

    @property
    def is_product_default(self) -> bool:
        return self.consent_version in PRODUCT_DEFAULT_VERSIONS


class ClinicQuerySet(models.QuerySet["Clinic"]):
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
    # Shown on the tablet's consent screen; the version is stored with each signature,
    # so change it whenever the wording changes.
    consent_version = models.CharField(max_length=40, default="product-default-1")
    consent_text = models.TextField(default=DEFAULT_CONSENT_TEXT)
    privacy_notice = models.TextField(default=DEFAULT_PRIVACY_NOTICE)
    # Shown on the emergency screen a follow-up answered at home stops on. 112 reaches the
    # emergency services from a mobile in most countries; the clinic sets its own.
    emergency_number = models.CharField(
        max_length=20,
        default="112",
        help_text="The local emergency number, shown to a patient who answers a follow-up "
        "questionnaire at home with a cauda equina symptom.",
    )
    # Follow-up questionnaires (intake.followup.schedule): how many days before a planned
    # re-evaluation or discharge the packet falls due, and which after discharge to send.
    followup_lead_days = models.PositiveSmallIntegerField(
        "days before a re-evaluation or discharge",
        default=3,
        help_text="A follow-up questionnaire falls due this many days before the visit.",
    )
    followup_after_6w = models.BooleanField("6 weeks after discharge", default=False)
    followup_after_3m = models.BooleanField("3 months after discharge", default=False)
    followup_after_12m = models.BooleanField("12 months after discharge", default=False)
    # An urgent red-flag alert still open when the clinic day ends is shown to the
    # administrator (intake.alerts.escalation_cutoff).
    day_ends_at = models.TimeField(
        "clinic day ends at",
        default=datetime.time(18, 0),
        help_text="An urgent red-flag alert nobody has dispositioned by this time is shown "
        "on the administrator's home page.",
    )
    updated_at = models.DateTimeField(auto_now=True)

    objects = ClinicQuerySet.as_manager()

    class Meta:
        constraints = [models.CheckConstraint(condition=models.Q(pk=1), name="clinic_single_row")]

    def __str__(self) -> str:
        return self.name

    def wording(self, language: str) -> ConsentWording:
        """The consent and privacy wording in `language`: English is the clinic's own
        fields; another language is the clinic's wording for it (ClinicWording), else the
        product default in that language, else English. One query for another language."""
        if language != "en":
            row = ClinicWording.objects.filter(language=language).first()
            if row is not None:
                return ConsentWording(
                    language, row.consent_version, row.consent_text, row.privacy_notice
                )
            if default := DEFAULT_WORDING_BY_LANGUAGE.get(language):
                return ConsentWording(language, **default)
        return ConsentWording("en", self.consent_version, self.consent_text, self.privacy_notice)


class ClinicWording(models.Model):
    """The clinic's consent and privacy wording in a language other than English, with its
    own version (stored with each consent signed in that language)."""

    language = models.CharField(max_length=10, unique=True, choices=settings.LANGUAGES)
    consent_version = models.CharField(max_length=40)
    consent_text = models.TextField()
    privacy_notice = models.TextField()
    updated_at = models.DateTimeField(auto_now=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    def __str__(self) -> str:
        return f"{self.language} {self.consent_version}"


class TranslationApprovalQuerySet(models.QuerySet["TranslationApproval"]):
    def covering(self, language: str, version: str) -> "TranslationApproval | None":
        """The latest approval of this language's product translation at this version."""
        return self.filter(language=language, version=version).order_by("-approved_on").first()


class TranslationApproval(models.Model):
    """A clinic's record that a qualified medical translator and a clinician reviewed a
    product translation of the patient's side (core.languages), at one version. Until one
    covers the version in use, staff pages show that the translation is unreviewed."""

    language = models.CharField(max_length=10, choices=settings.LANGUAGES)
    version = models.CharField(max_length=40)
    translator = models.CharField("medical translator", max_length=200)
    clinician = models.CharField(max_length=200)
    approved_on = models.DateField()
    notes = models.TextField(blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField(default=timezone.now)

    objects = TranslationApprovalQuerySet.as_manager()

    class Meta:
        indexes = [models.Index(fields=["language", "version"])]

    def __str__(self) -> str:
        return f"{self.language} {self.version} approved {self.approved_on}"


class WorkerHeartbeat(models.Model):
    """Last time each Celery worker ran its periodic heartbeat: shows staff whether
    background jobs (PDFs, exports) are being processed."""

    hostname = models.CharField(max_length=255, unique=True)
    last_seen = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return f"{self.hostname} @ {self.last_seen:%Y-%m-%d %H:%M:%S}"
