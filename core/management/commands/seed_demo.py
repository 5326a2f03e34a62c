"""Synthetic demo data: a clinic, staff of every role, patients, intakes, evaluations.

Every person is made up by Faker from a fixed seed. Refuses to run with DEBUG off
unless --force, so a production database never gets demo logins.
"""

import random
from datetime import timedelta

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice
from faker import Faker

from accounts.models import User
from accounts.roles import Role
from accounts.services import staff_create
from core.models import Clinic
from evaluations.demo import demo_evaluation
from evaluations.models import Evaluation
from intake.demo import demo_answers, demo_results
from intake.models import Intake, RedFlagAlert
from patients.models import Patient
from patients.services import patient_create

DEMO_PASSWORD = "demo-clinic-pass"  # noqa: S105  (synthetic demo accounts only)
DEMO_KIOSK_PIN = "2468"  # the demo front desk's tablet unlock PIN, published like the password
# Past patients (indices 10-29) with a few weeks of history: about a third are followed up
# with one or two re-evaluations, so "Progress over visits" has charts to draw. Two older
# patients present with neurogenic claudication.
FOLLOWED_UP = frozenset({10, 13, 16, 19, 22, 25})
STENOSIS = frozenset({15, 25})
DEMO_STAFF = [
    ("frontdesk", "Fran", "Desk", [Role.FRONT_DESK], ""),
    ("therapist", "Theo", "Reyes", [Role.THERAPIST], "PT-10442"),
    ("therapist2", "Priya", "Sharma", [Role.THERAPIST], "PT-20917"),
    ("admin", "Ada", "Minton", [Role.ADMINISTRATOR], ""),
]
# Therapists and administrators sign in with a second factor. The demo's authenticator
# secrets are fixed and public (the bytes spell what they are), so `demo_codes` can print
# the current code and anyone can add them to an app. Never use them for a real account.
DEMO_TOTP_KEYS = {
    "therapist": b"DEMO-ONLY-therapist1".hex(),
    "therapist2": b"DEMO-ONLY-therapist2".hex(),
    "admin": b"DEMO-ONLY-admin-0001".hex(),
}


class Command(BaseCommand):
    help = "Load synthetic demo data (idempotent). Refuses with DEBUG off unless --force."

    def add_arguments(self, parser):
        parser.add_argument("--patients", type=int, default=40)
        parser.add_argument("--force", action="store_true", help="Allow with DEBUG off.")

    def handle(self, *args, **options):
        if not settings.DEBUG and not options["force"]:
            raise CommandError("Refusing to load demo logins with DEBUG off (use --force).")
        if User.objects.filter(username="admin").exists():
            # Demo databases made before two-factor sign-in get the demo apps too.
            self._demo_two_factor()
            self.stdout.write("Demo data already loaded.")
            return
        with transaction.atomic():
            self._seed(options["patients"])
            self._demo_two_factor()
        self.stdout.write(self.style.SUCCESS("Demo data loaded."))

    def _demo_two_factor(self) -> None:
        """Set up the demo authenticator apps (idempotent)."""
        for username, key in DEMO_TOTP_KEYS.items():
            user = User.objects.filter(username=username).first()
            if user is None or TOTPDevice.objects.filter(user=user, confirmed=True).exists():
                continue
            TOTPDevice.objects.create(user=user, name="Demo app", key=key, confirmed=True)

    def _seed(self, n_patients: int) -> None:
        fake = Faker(["en_GB", "en_US"])
        Faker.seed(2026)
        rng = random.Random(2026)  # noqa: S311  (synthetic demo data, not security)
        clinic = Clinic.objects.current()
        clinic.name = "Riverside Spine & Nerve Physiotherapy"
        clinic.address = "12 Example Street\nRiverside\nRV1 2AB"
        clinic.phone = "+44 20 7946 0000"
        clinic.email = "frontdesk@example.org"
        clinic.save()

        staff = {}
        for username, first, last, roles, licence in DEMO_STAFF:
            staff[username] = staff_create(
                by=None,
                username=username,
                password=DEMO_PASSWORD,
                roles=roles,
                first_name=first,
                last_name=last,
                email=f"{username}@example.org",
                licence_number=licence,
                # Published demo logins: nobody's own password to protect.
                must_change_password=False,
            )
        # The front desk takes a demo tablet back from the patient with this PIN.
        staff["frontdesk"].set_kiosk_pin(DEMO_KIOSK_PIN)
        staff["frontdesk"].save(update_fields=["kiosk_pin"])
        therapists = [staff["therapist"], staff["therapist2"]]

        patients = []
        for i in range(n_patients):
            sex = rng.choice([Patient.Sex.FEMALE, Patient.Sex.MALE])
            given = (
                fake.first_name_female() if sex == Patient.Sex.FEMALE else fake.first_name_male()
            )
            patients.append(
                patient_create(
                    by=staff["frontdesk"],
                    data={
                        "given_name": given,
                        "family_name": fake.last_name(),
                        "date_of_birth": fake.date_of_birth(minimum_age=66, maximum_age=82)
                        if i in STENOSIS
                        else fake.date_of_birth(minimum_age=19, maximum_age=88),
                        "sex": sex,
                        "phone": f"+44 7700 900{rng.randint(0, 999):03d}",
                        "email": f"{given.lower()}.{rng.randint(10, 99)}@example.com",
                        "address_line1": fake.street_address().replace("\n", ", ")[:200],
                        "city": fake.city(),
                        "postal_code": fake.postcode(),
                        "country": "United Kingdom",
                        "preferred_language": rng.choice(["en"] * 8 + ["es", "pl"]),
                        "emergency_contact_name": fake.name(),
                        "emergency_contact_relationship": rng.choice(
                            ["Partner", "Daughter", "Son", "Friend"]
                        ),
                        "emergency_contact_phone": f"+44 7700 901{rng.randint(0, 999):03d}",
                    },
                )
            )

        now = timezone.now()
        today_start = now.replace(hour=8, minute=0, second=0, microsecond=0)
        for i, patient in enumerate(patients):
            if i < 10:
                # Today's clinic: intakes started this morning, some submitted.
                started = min(today_start + timedelta(minutes=20 * i), now)
                submitted = i % 3 != 0
                answers = demo_answers(rng, today=now.date(), radicular=i % 4 != 3)
                extra = {}
                if submitted:
                    extra = demo_results(
                        answers, date_of_birth=patient.date_of_birth, on=now.date()
                    )
                else:
                    # Part-way through: the first screens answered.
                    answers = {k: answers[k] for k in ("about", "consent", "where")}
                    extra = {"current_step": "feels"}
                intake = Intake.objects.create(
                    patient=patient,
                    started_by=staff["frontdesk"],
                    started_at=started,
                    status=Intake.Status.SUBMITTED if submitted else Intake.Status.IN_PROGRESS,
                    submitted_at=started + timedelta(minutes=12) if submitted else None,
                    answers=answers,
                    **extra,
                )
                if i == 9:
                    self._demo_stopped_intake(intake, staff["therapist"], now)
            elif i < 30:
                days_ago = rng.randint(36, 60) if i in FOLLOWED_UP else rng.randint(1, 60)
                started = now - timedelta(days=days_ago, hours=rng.randint(0, 6))
                answers = demo_answers(rng, today=started.date(), radicular=i % 5 != 0)
                if i in STENOSIS:
                    answers["when"].update(
                        worse_with=["standing", "walking"],
                        better_with=["sitting", "bending"],
                        sitting_relief="yes",
                        cart_relief="yes",
                        walking="5_15",
                    )
                intake = Intake.objects.create(
                    patient=patient,
                    started_by=staff["frontdesk"],
                    started_at=started,
                    status=Intake.Status.SUBMITTED,
                    submitted_at=started + timedelta(minutes=15),
                    answers=answers,
                    **demo_results(answers, date_of_birth=patient.date_of_birth, on=started.date()),
                )
                if i < 26:  # the rest still await evaluation
                    self._demo_evaluations(
                        i, patient, intake, therapists[i % 2], rng, today=now.date()
                    )

    def _demo_evaluations(self, i, patient, intake, therapist, rng, *, today) -> None:
        """A signed initial evaluation; for the followed-up patients, re-evaluations every
        three weeks or so with improving outcomes (the latest sometimes still a draft)."""
        chart = intake.answers["where"]["chart"]
        if i in STENOSIS:
            vignette = "stenosis"
        elif i % 5 == 0:  # the intake drew somatic pain (radicular=False)
            vignette = "somatic_extension"
        else:  # radicular: the level on the side the leg pain was drawn
            vignette = "L5" if any(code.endswith("_l") for code in chart) else "S1"
        visit = min(intake.submitted_at.date() + timedelta(days=rng.randint(0, 2)), today)
        visits = [(Evaluation.Kind.INITIAL, visit, 0.0)]
        if i in FOLLOWED_UP:
            for improvement in (0.45, 0.8):
                visit += timedelta(days=rng.randint(18, 24))
                if visit > today:
                    break
                visits.append((Evaluation.Kind.REEVALUATION, visit, improvement))
        for n, (kind, visit_date, improvement) in enumerate(visits, start=1):
            last = n == len(visits)
            demo_evaluation(
                patient=patient,
                intake=intake,
                therapist=therapist,
                kind=kind,
                visit_date=visit_date,
                vignette=vignette,
                rng=rng,
                improvement=improvement,
                sign=not (last and n > 1 and i % 2 == 0),
            )

    def _demo_stopped_intake(self, intake, therapist, now) -> None:
        """One intake stopped by a cauda equina answer, already acknowledged by a
        therapist as a false positive, so the demo shows the whole path without an
        open alert covering every screen."""
        intake.status = Intake.Status.STOPPED
        intake.submitted_at = None
        intake.stopped_at = intake.started_at + timedelta(minutes=6)
        intake.answers = {k: intake.answers[k] for k in ("about", "consent", "where")}
        intake.answers["redflags"] = {"CES-3": "unsure"}
        intake.red_flag_level = Intake.RedFlagLevel.EMERGENCY
        intake.triage = {"level": "EMERGENCY", "items": ["CES-3"], "ces": True, "hits": []}
        intake.scores, intake.pattern = {}, {}
        intake.save()
        RedFlagAlert.objects.create(
            intake=intake,
            patient=intake.patient,
            level="EMERGENCY",
            ces=True,
            items=["CES-3"],
            summary="Possible cauda equina syndrome (CES-3)",
            raised_at=intake.stopped_at,
            acknowledged_at=intake.stopped_at + timedelta(minutes=3),
            acknowledged_by=therapist,
            outcome=RedFlagAlert.Outcome.FALSE_POSITIVE,
            action_note="Demo: patient meant long-standing frequency since prostate surgery "
            "in 2019; no new change, saddle sensation normal on questioning. Safety-netted.",
        )
