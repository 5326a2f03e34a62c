"""The demo's ground floor: the clinic, its staff of every role, and made-up patients.

`seed_demo` (dashboard/management/commands/seed_demo.py) starts here and the apps above
add their own records on top (intake/demo.py, evaluations/demo.py). Every person is made
up by Faker from a fixed seed. The logins, kiosk PIN and authenticator secrets below are
published (README, scripts/run.sh, `demo_codes`): never use them for a real account.
"""

import random
from collections.abc import Collection

from django_otp.plugins.otp_totp.models import TOTPDevice
from faker import Faker

from accounts.models import User
from accounts.roles import Role
from accounts.services import staff_create
from core.models import Clinic
from patients.models import Patient
from patients.services import patient_create

DEMO_PASSWORD = "demo-clinic-pass"  # noqa: S105  (synthetic demo accounts only)
DEMO_KIOSK_PIN = "2468"  # the demo front desk's tablet unlock PIN, published like the password
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


def demo_loaded() -> bool:
    """Whether the demo staff are already there (the demo is loaded once, never twice)."""
    return User.objects.filter(username="admin").exists()


def demo_clinic() -> Clinic:
    clinic = Clinic.objects.current()
    clinic.name = "Riverside Spine & Nerve Physiotherapy"
    clinic.address = "12 Example Street\nRiverside\nRV1 2AB"
    # Made-up numbers, as everything in the demo: the phone is in the range Ofcom keeps for
    # drama, and the emergency number (which the emergency screen of a follow-up answered
    # at home shows, beside the phone) is a 555 number, so a demo never sends anyone to a
    # real emergency line. A clinic sets its own (112, 999...) under its settings.
    clinic.phone = "+44 20 7946 0000"
    clinic.emergency_number = "555 0199"
    clinic.email = "frontdesk@example.org"
    # The follow-up questionnaires after discharge the demo shows on the returning
    # patient's past course (intake/followup/demo.py).
    clinic.followup_after_6w = True
    clinic.followup_after_3m = True
    clinic.save()
    return clinic


def demo_staff() -> dict[str, User]:
    """The demo logins of DEMO_STAFF, by username, all with DEMO_PASSWORD."""
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
    return staff


def demo_two_factor() -> None:
    """Set up the demo authenticator apps (idempotent: demo databases made before
    two-factor sign-in get them too)."""
    for username, key in DEMO_TOTP_KEYS.items():
        user = User.objects.filter(username=username).first()
        if user is None or TOTPDevice.objects.filter(user=user, confirmed=True).exists():
            continue
        TOTPDevice.objects.create(user=user, name="Demo app", key=key, confirmed=True)


def demo_patients(
    *,
    by: User,
    count: int,
    fake: Faker,
    rng: random.Random,
    older: Collection[int] = (),
) -> list[Patient]:
    """`count` made-up patients registered by `by`. Those whose index is in `older` are
    66-82, old enough for the demo's spinal stenosis story. Draws from `fake` and `rng` in
    a fixed order, so the same seeds give the same people."""
    patients = []
    for i in range(count):
        sex = rng.choice([Patient.Sex.FEMALE, Patient.Sex.MALE])
        given = fake.first_name_female() if sex == Patient.Sex.FEMALE else fake.first_name_male()
        patients.append(
            patient_create(
                by=by,
                data={
                    "given_name": given,
                    "family_name": fake.last_name(),
                    "date_of_birth": fake.date_of_birth(minimum_age=66, maximum_age=82)
                    if i in older
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
    return patients
