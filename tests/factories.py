import factory
from django.utils import timezone

from accounts.models import User
from accounts.roles import Role
from evaluations.models import Evaluation
from intake.models import Intake, IntakeConsent
from patients.models import Patient
from patients.services import patient_create

TEST_PASSWORD = "correct-horse-battery-staple"


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        django_get_or_create = ("username",)
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"staff{n}")
    first_name = factory.Faker("first_name")
    last_name = factory.Faker("last_name")
    email = factory.LazyAttribute(lambda u: f"{u.username}@example.org")
    password = factory.PostGenerationMethodCall("set_password", TEST_PASSWORD)

    @factory.post_generation
    def roles(self, create, extracted, **kwargs):
        from django.contrib.auth.models import Group

        self.save()
        if extracted:
            self.groups.set(Group.objects.filter(name__in=[Role(r).value for r in extracted]))


class PatientFactory(factory.django.DjangoModelFactory):
    """Patients go through the service so MRNs, search columns and history are real."""

    class Meta:
        model = Patient

    given_name = factory.Faker("first_name")
    family_name = factory.Faker("last_name")
    date_of_birth = factory.Faker("date_of_birth", minimum_age=18, maximum_age=90)
    sex = Patient.Sex.FEMALE
    phone = "+44 7700 900123"
    email = factory.Faker("safe_email")
    preferred_language = "en"

    @classmethod
    def _create(cls, model_class, *args, **kwargs):
        return patient_create(by=None, data=kwargs)


class IntakeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Intake

    patient = factory.SubFactory(PatientFactory)
    status = Intake.Status.SUBMITTED
    started_at = factory.LazyFunction(timezone.now)
    submitted_at = factory.LazyFunction(timezone.now)


class IntakeConsentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = IntakeConsent

    intake = factory.SubFactory(IntakeFactory)
    consent_version = "test-1"
    consent_text = "Test consent wording."
    privacy_text = "Test privacy notice."
    signed_name = "Test Patient"
    signature_png = b"\x89PNG\r\n"


class EvaluationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Evaluation

    patient = factory.SubFactory(PatientFactory)
    therapist = factory.SubFactory(UserFactory, roles=[Role.THERAPIST])
