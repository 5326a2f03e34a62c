import time

import factory
from django.utils import timezone
from django_otp.oath import hotp
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts.models import User
from accounts.roles import Role
from care.demo import demo_episode
from care.models import Episode
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


def confirmed_totp_device(user) -> TOTPDevice:
    """The person's authenticator app, set up (created if they have none)."""
    device = TOTPDevice.objects.filter(user=user, confirmed=True).first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name="Test app", confirmed=True)
    return device


def pass_second_factor(client, user) -> None:
    """Mark the client's signed-in session as past the second factor, as a right TOTP code
    would (with an app set up for the person if they have none)."""
    from django_otp import DEVICE_ID_SESSION_KEY

    session = client.session
    session[DEVICE_ID_SESSION_KEY] = confirmed_totp_device(user).persistent_id
    session.save()


def recovery_codes(user, codes=("abcd2345", "efgh6777")) -> StaticDevice:
    """Give the person these recovery codes (replacing any they had), stored as the app
    stores them."""
    from accounts.mfa import recovery_digest

    StaticDevice.objects.filter(user=user).delete()
    device = StaticDevice.objects.create(user=user, name="Recovery codes", confirmed=True)
    StaticToken.objects.bulk_create(
        StaticToken(device=device, token=recovery_digest(c)) for c in codes
    )
    return device


def totp_code(device: TOTPDevice) -> str:
    """A code the device accepts now, as the person's phone would show it. A code already
    used is never accepted again, so after a recent sign-in this is the next time step's
    code (within the device's tolerance), or it waits for one."""
    while True:
        device.refresh_from_db()
        now = (int(time.time()) - device.t0) // device.step + device.drift
        for t in (now, now + device.tolerance):
            if t > device.last_t:
                return f"{hotp(device.bin_key, t, digits=device.digits):0{device.digits}d}"
        time.sleep(1)


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
    # The patient's open episode of care, or a new one started that day.
    episode = factory.LazyAttribute(
        lambda o: demo_episode(patient=o.patient, on=timezone.localtime(o.started_at).date())
    )


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
    # Its intake's episode, else the patient's open one (or a new one).
    episode = factory.LazyAttribute(
        lambda o: (
            o.intake.episode
            if getattr(o, "intake", None) is not None
            else demo_episode(patient=o.patient, on=timezone.localdate())
        )
    )


class EpisodeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Episode

    patient = factory.SubFactory(PatientFactory)
    start_of_care = factory.LazyFunction(timezone.localdate)
    referral = Episode.Referral.DIRECT


def enrol_tablet(client, *, by, name: str = "Front desk 1"):
    """Make the client's browser one of the clinic's tablets, as a member of staff does
    from This device: the tablet row and its cookie."""
    from django.conf import settings

    from intake.tablets import tablet_enrol

    tablet, raw = tablet_enrol(name=name, by=by)
    client.cookies[settings.TABLET_COOKIE_NAME] = raw
    return tablet


def hand_over_tablet(client, *, intake, by):
    """The front desk, signed in on an enrolled tablet (enrolled here if it is not yet),
    hands it to the patient for `intake`: the same client is then the patient's tablet."""
    from django.conf import settings
    from django.urls import reverse

    if settings.TABLET_COOKIE_NAME not in client.cookies:
        enrol_tablet(client, by=by)
    response = client.post(reverse("intake:kiosk-open", args=[intake.public_id]))
    assert response.status_code == 302 and response.url == reverse("kiosk:resume"), response
    return client


def step_up(client) -> None:
    """Mark the client's (administrator's) session as having just confirmed it is them
    with password and code (accounts.stepup), as the step-up page does."""
    from accounts.stepup import SESSION_KEY

    session = client.session
    session[SESSION_KEY] = int(time.time())
    session.save()
