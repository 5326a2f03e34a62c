"""Made inside the stack's own Django (tests/stack.py `Stack.seed`): staff and patients
through the app's services, with made-up names. Reads a JSON spec on standard input and
prints one line, "STACK-SEED <json>":

    {"links": 3, "patients": 1}
    -> {"password": ..., "staff": {"frontdesk": {...}, "therapist": {...}},
        "links": [{"intake": <pk>, "intake_public_id": ..., "token": ..., "dob": ...}],
        "patients": [{"public_id": ..., "dob": ...}]}

`links`: patients with an intake started and a one-time link issued (the patient opens it
on their own device); `patients`: patients with no intake yet (the front desk starts one
and hands the tablet over). A therapist gets a confirmed TOTP device; its key comes
back so the test can make codes.
"""

import json
import sys
from datetime import date

from accounts.roles import Role
from intake import services
from tests.factories import TEST_PASSWORD, PatientFactory, UserFactory, confirmed_totp_device


def main() -> None:
    spec = json.loads(sys.stdin.read() or "{}")
    front_desk = UserFactory(username="frontdesk", roles=[Role.FRONT_DESK])
    therapist = UserFactory(username="therapist", roles=[Role.THERAPIST])
    staff = {
        "frontdesk": {"username": front_desk.username, "totp_key": None},
        "therapist": {
            "username": therapist.username,
            "totp_key": confirmed_totp_device(therapist).key,
        },
    }
    links = []
    for n in range(spec.get("links", 0)):
        dob = date(1960 + n, 3, 5 + n)
        patient = PatientFactory(date_of_birth=dob)
        intake = services.intake_start(patient=patient, by=front_desk)
        _access, token = services.intake_link_create(intake=intake, by=front_desk)
        links.append(
            {
                "intake": intake.pk,
                "intake_public_id": str(intake.public_id),
                "token": token,
                "dob": dob.isoformat(),
            }
        )
    patients = []
    for n in range(spec.get("patients", 0)):
        dob = date(1980 + n, 6, 10 + n)
        patient = PatientFactory(date_of_birth=dob)
        patients.append({"public_id": str(patient.public_id), "dob": dob.isoformat()})
    answer = {"password": TEST_PASSWORD, "staff": staff, "links": links, "patients": patients}
    print("STACK-SEED " + json.dumps(answer))
