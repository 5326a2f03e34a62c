"""Every URL, requested as every kind of user, answers as the table below says.

The table is the access policy. The URL list is generated from the URLconf, so a new
page without a row here fails the suite and cannot slip through unchecked.
"""

import uuid

import pytest
from django.urls import URLPattern, URLResolver, get_resolver

from accounts.roles import Role
from tests.factories import PatientFactory, UserFactory

pytestmark = pytest.mark.django_db

LOGIN = "login"  # anonymous users are sent to the sign-in page
KIOSK = "kiosk"  # a device holding a patient's intake is sent back to it
STEP_UP = "step-up"  # an administrator confirms it is them (password and code) first
OK = 200
DENY = 403

# "kiosk" is one of the clinic's enrolled tablets the front desk has handed to a patient;
# "link" is the patient's own phone, opened from a one-time link. Neither has an account,
# only the intake in its session; neither reaches anything of the staff side, and only the
# tablet has the staff unlock (on the phone, kiosk:exit only says "close this page").
ROLES = ("anonymous", "front_desk", "therapist", "administrator", "no_role", "kiosk", "link")

# url name -> expected GET answer per role (order of ROLES).
MATRIX: dict[str, tuple] = {
    "core:home": (LOGIN, OK, OK, OK, OK, KIOSK, KIOSK),
    "core:clinic-settings": (LOGIN, DENY, DENY, OK, DENY, KIOSK, KIOSK),
    "core:translations": (LOGIN, DENY, DENY, OK, DENY, KIOSK, KIOSK),
    # The idle warning's "how long is left" and "stay signed in": any signed-in person.
    "core:session": (LOGIN, OK, OK, OK, OK, KIOSK, KIOSK),
    # The safety figures' lists behind each figure (they name patients): administrators.
    "core:safety-alerts": (LOGIN, DENY, DENY, OK, DENY, KIOSK, KIOSK),
    "core:safety-episodes": (LOGIN, DENY, DENY, OK, DENY, KIOSK, KIOSK),
    "healthz": (OK, OK, OK, OK, OK, OK, OK),
    "accounts:login": (OK, 302, 302, 302, 302, KIOSK, KIOSK),  # signed-in users go home
    "accounts:logout": (LOGIN, 405, 405, 405, 405, KIOSK, KIOSK),  # POST only
    "accounts:staff-list": (LOGIN, DENY, DENY, OK, DENY, KIOSK, KIOSK),
    # Adding an account, resetting a password and (on the edit page) changing roles or a
    # kiosk PIN ask the administrator to confirm it is them first.
    "accounts:staff-new": (LOGIN, DENY, DENY, STEP_UP, DENY, KIOSK, KIOSK),
    "accounts:staff-edit": (LOGIN, DENY, DENY, OK, DENY, KIOSK, KIOSK),
    "accounts:staff-password": (LOGIN, DENY, DENY, STEP_UP, DENY, KIOSK, KIOSK),
    "accounts:step-up": (LOGIN, DENY, DENY, OK, DENY, KIOSK, KIOSK),
    # Anyone signed in changes their own password.
    "accounts:password": (LOGIN, OK, OK, OK, OK, KIOSK, KIOSK),
    # Two-factor pages: anyone signed in. Therapists and administrators here have passed
    # the second factor, so the check sends them on and set-up says it is on; the front
    # desk and no-role users have no app (they need none), so the check and the recovery
    # codes send them to set-up, which they may use.
    "accounts:mfa-verify": (LOGIN, 302, 302, 302, 302, KIOSK, KIOSK),
    "accounts:mfa-setup": (LOGIN, OK, OK, OK, OK, KIOSK, KIOSK),
    "accounts:mfa-recovery-codes": (LOGIN, 302, OK, OK, 302, KIOSK, KIOSK),
    "accounts:staff-unlock": (LOGIN, 405, 405, 405, 405, KIOSK, KIOSK),  # POST only
    "accounts:staff-mfa-reset": (LOGIN, 405, 405, 405, 405, KIOSK, KIOSK),  # POST only
    "patients:list": (LOGIN, OK, OK, OK, DENY, KIOSK, KIOSK),
    "patients:new": (LOGIN, OK, DENY, OK, DENY, KIOSK, KIOSK),
    "patients:detail": (LOGIN, OK, OK, OK, DENY, KIOSK, KIOSK),
    "patients:edit": (LOGIN, OK, DENY, OK, DENY, KIOSK, KIOSK),
    "audit:list": (LOGIN, DENY, DENY, OK, DENY, KIOSK, KIOSK),
    "intake:queue": (LOGIN, OK, OK, OK, DENY, KIOSK, KIOSK),
    "intake:start": (LOGIN, 405, 405, 405, 405, KIOSK, KIOSK),  # POST only
    "intake:alerts-banner": (
        LOGIN,
        OK,
        OK,
        OK,
        204,
        KIOSK,
        KIOSK,
    ),  # nothing to show without access
    # The front desk sees that an intake is complete and flagged (intake:detail shows them
    # its status only) and the alert banner, never the clinical content: not the alert
    # page, the signature or the intake summary PDF.
    "intake:alert": (LOGIN, DENY, OK, OK, DENY, KIOSK, KIOSK),
    "intake:detail": (LOGIN, OK, OK, OK, DENY, KIOSK, KIOSK),
    "intake:handover": (LOGIN, OK, DENY, DENY, DENY, KIOSK, KIOSK),
    "intake:kiosk-open": (LOGIN, 405, 405, 405, 405, KIOSK, KIOSK),
    "intake:link-create": (LOGIN, 405, 405, 405, 405, KIOSK, KIOSK),
    "intake:cancel": (LOGIN, 405, 405, 405, 405, KIOSK, KIOSK),
    "intake:close-access": (LOGIN, 405, 405, 405, 405, KIOSK, KIOSK),  # POST only
    # Follow-up questionnaires: the front desk hands them over and withdraws them.
    "intake:packets": (LOGIN, OK, DENY, DENY, DENY, KIOSK, KIOSK),
    "intake:packet-cancel": (LOGIN, 405, 405, 405, 405, KIOSK, KIOSK),  # POST only
    # The clinic's tablets: the front desk and administrators enrol the device in hand;
    # administrators list and revoke them.
    "intake:tablets": (LOGIN, DENY, DENY, OK, DENY, KIOSK, KIOSK),
    "intake:tablet-this-device": (LOGIN, OK, DENY, OK, DENY, KIOSK, KIOSK),
    "intake:tablet-revoke": (LOGIN, 405, 405, 405, 405, KIOSK, KIOSK),  # POST only
    "intake:signature": (LOGIN, DENY, OK, OK, DENY, KIOSK, KIOSK),
    "intake:amend": (LOGIN, DENY, OK, DENY, DENY, KIOSK, KIOSK),
    # Evaluations: therapists write, administrators read, front desk sees nothing. The
    # table's record is a draft, so the addendum page sends the therapist back to it.
    "evaluations:list": (LOGIN, DENY, OK, OK, DENY, KIOSK, KIOSK),
    "evaluations:start": (LOGIN, 405, 405, 405, 405, KIOSK, KIOSK),  # POST only
    "evaluations:progress": (LOGIN, DENY, OK, OK, DENY, KIOSK, KIOSK),
    "evaluations:detail": (LOGIN, DENY, OK, OK, DENY, KIOSK, KIOSK),
    "evaluations:section": (LOGIN, 405, 405, 405, 405, KIOSK, KIOSK),
    "evaluations:sign": (LOGIN, DENY, OK, DENY, DENY, KIOSK, KIOSK),
    "evaluations:addendum": (LOGIN, DENY, 302, DENY, DENY, KIOSK, KIOSK),
    # Treatment notes, the same: therapists write, administrators read. The table's note
    # is another therapist's draft: its signing page says only they can sign, and its
    # addendum page sends the therapist back to the draft.
    "evaluations:note-start": (LOGIN, 405, 405, 405, 405, KIOSK, KIOSK),  # POST only
    "evaluations:note-detail": (LOGIN, DENY, OK, OK, DENY, KIOSK, KIOSK),
    "evaluations:note-save": (LOGIN, 405, 405, 405, 405, KIOSK, KIOSK),  # POST only
    "evaluations:note-sign": (LOGIN, DENY, OK, DENY, DENY, KIOSK, KIOSK),
    "evaluations:note-addendum": (LOGIN, DENY, 302, DENY, DENY, KIOSK, KIOSK),
    # PDF jobs: a document's job is open to whoever may read that record (the table's job
    # is an evaluation PDF still queued, so its download is "not found" for them); the job
    # list and batch exports are administrators' only.
    "reports:list": (LOGIN, DENY, DENY, OK, DENY, KIOSK, KIOSK),
    "reports:export": (LOGIN, DENY, DENY, OK, DENY, KIOSK, KIOSK),
    "reports:request": (LOGIN, 405, 405, 405, 405, KIOSK, KIOSK),  # POST only
    "reports:job": (LOGIN, DENY, OK, OK, DENY, KIOSK, KIOSK),
    "reports:status": (LOGIN, DENY, OK, OK, DENY, KIOSK, KIOSK),
    "reports:retry": (LOGIN, 405, 405, 405, 405, KIOSK, KIOSK),
    "reports:download": (LOGIN, DENY, 404, 404, DENY, KIOSK, KIOSK),
    # Referral letters: therapists write them (the table's evaluation is a draft, so the
    # page sends them back to it); administrators read the letters' PDFs, never write one.
    "reports:letter-new": (LOGIN, DENY, 302, DENY, DENY, KIOSK, KIOSK),
    # The patient's side answers only a device holding an intake in its session: without
    # one, everybody (signed in or not) is refused. The tablet itself reaches its intake's
    # screens, the staff unlock (kiosk:exit) and nothing else: every staff URL sends it back.
    "kiosk:resume": (DENY, DENY, DENY, DENY, DENY, 302, 302),
    "kiosk:submit": (DENY, DENY, DENY, DENY, DENY, 405, 405),
    "kiosk:done": (DENY, DENY, DENY, DENY, DENY, KIOSK, KIOSK),
    "kiosk:stop": (DENY, DENY, DENY, DENY, DENY, KIOSK, KIOSK),
    "kiosk:exit": (DENY, DENY, DENY, DENY, DENY, OK, OK),
    "kiosk:step": (DENY, DENY, DENY, DENY, DENY, OK, OK),
    "kiosk:autosave": (DENY, DENY, DENY, DENY, DENY, 405, 405),
    "kiosk:link": (OK, OK, OK, OK, OK, OK, OK),  # asks for the date of birth; uses up nothing
    # The language switch: a POST from any patient screen (before a link is opened too).
    "kiosk:language": (405, 405, 405, 405, 405, 405, 405),
    # Episodes of care: the front desk opens them and records the referral and the
    # certification dates; therapists also record diagnoses (and the code look-up) and
    # discharge; administrators read.
    "care:episode": (LOGIN, OK, OK, OK, DENY, KIOSK, KIOSK),
    "care:episode-new": (LOGIN, OK, OK, DENY, DENY, KIOSK, KIOSK),
    "care:referral": (LOGIN, OK, OK, DENY, DENY, KIOSK, KIOSK),
    "care:certification": (LOGIN, OK, OK, DENY, DENY, KIOSK, KIOSK),
    "care:diagnoses": (LOGIN, DENY, OK, DENY, DENY, KIOSK, KIOSK),
    "care:discharge": (LOGIN, DENY, OK, DENY, DENY, KIOSK, KIOSK),
    "care:codes": (LOGIN, DENY, OK, DENY, DENY, KIOSK, KIOSK),
    "care:contacts": (LOGIN, OK, OK, OK, DENY, KIOSK, KIOSK),
    "care:contact-new": (LOGIN, OK, OK, DENY, DENY, KIOSK, KIOSK),
    "care:contact-edit": (LOGIN, OK, OK, DENY, DENY, KIOSK, KIOSK),
}

# The Django admin has its own staff/superuser gate and is excluded here.
EXCLUDED_NAMESPACES = {"admin"}


def _named_urls(resolver=None, namespace=""):
    resolver = resolver or get_resolver()
    for entry in resolver.url_patterns:
        if isinstance(entry, URLResolver):
            ns = entry.namespace or ""
            if ns in EXCLUDED_NAMESPACES:
                continue
            yield from _named_urls(entry, f"{namespace}{ns}:" if ns else namespace)
        elif isinstance(entry, URLPattern):
            yield f"{namespace}{entry.name}" if entry.name else None, entry


def test_every_url_has_a_row_in_the_access_table():
    names = set()
    for name, pattern in _named_urls():
        assert name, f"URL pattern {pattern.pattern} has no name, so it cannot be in the table"
        names.add(name)
    assert names - MATRIX.keys() == set(), "add these URLs to MATRIX"
    assert MATRIX.keys() - names == set(), "these MATRIX rows name no URL"


@pytest.fixture
def users():
    return {
        "anonymous": None,
        "front_desk": UserFactory(username="m-frontdesk", roles=[Role.FRONT_DESK]),
        "therapist": UserFactory(username="m-therapist", roles=[Role.THERAPIST]),
        "administrator": UserFactory(username="m-admin", roles=[Role.ADMINISTRATOR]),
        "no_role": UserFactory(username="m-none", roles=[]),
        "kiosk": None,
        "link": None,
    }


@pytest.fixture
def records():
    """One of each kind of record the URLs name."""
    from care.models import Episode, ReferralContact
    from evaluations.models import TreatmentNote
    from intake.models import ClinicTablet, RedFlagAlert
    from reports.models import ReportJob
    from tests.factories import EvaluationFactory, IntakeConsentFactory, IntakeFactory

    patient = PatientFactory()
    intake = IntakeFactory(patient=patient)
    IntakeConsentFactory(intake=intake)
    alert = RedFlagAlert.objects.create(
        intake=intake, patient=patient, level="EMERGENCY", ces=True, items=["CES-3"], summary="x"
    )
    evaluation = EvaluationFactory(patient=patient, intake=intake)
    note = TreatmentNote.objects.create(
        patient=patient, episode=evaluation.episode, therapist=evaluation.therapist
    )
    job = ReportJob.objects.create(
        kind=ReportJob.Kind.EVALUATION,
        params={"subject": str(evaluation.public_id)},
        patient=patient,
        requested_by=evaluation.therapist,
    )
    tablet = ClinicTablet.objects.create(
        name="Front desk 1", token_hash="0" * 64, enrolled_by=evaluation.therapist
    )
    # The intake's episode of care, open, referred by a clinician in the clinic's list.
    contact = ReferralContact.objects.create(name="Dr A. Referrer", created_by=job.requested_by)
    episode = intake.episode
    Episode.objects.filter(pk=episode.pk).update(
        referral=Episode.Referral.REFERRED, referrer=contact
    )
    return {
        "patient": patient,
        "intake": intake,
        "alert": alert,
        "evaluation": evaluation,
        "note": note,
        "job": job,
        "tablet": tablet,
        "episode": episode,
        "contact": contact,
    }


def _url_for(name: str, staff_member, records) -> str:
    from django.urls import reverse

    patient, intake = records["patient"], records["intake"]
    kwargs = {}
    if name == "intake:start":
        kwargs = {"patient_id": patient.public_id}
    elif name == "intake:alert":
        kwargs = {"public_id": records["alert"].public_id}
    elif name == "intake:amend":
        kwargs = {"public_id": intake.public_id, "step": "pain"}
    elif name == "intake:tablet-revoke":
        kwargs = {"public_id": records["tablet"].public_id}
    elif name.startswith("intake:") and name not in {
        "intake:queue",
        "intake:alerts-banner",
        "intake:tablets",
        "intake:tablet-this-device",
        "intake:packets",
    }:
        kwargs = {"public_id": intake.public_id}
    elif name in {"evaluations:start", "evaluations:progress"}:
        kwargs = {"patient_id": patient.public_id}
    elif name == "evaluations:section":
        kwargs = {"public_id": records["evaluation"].public_id, "key": "neuro"}
    elif name == "evaluations:note-start":
        kwargs = {"episode_id": records["evaluation"].episode.public_id}
    elif name.startswith("evaluations:note-"):
        kwargs = {"public_id": records["note"].public_id}
    elif name.startswith("evaluations:") and name != "evaluations:list":
        kwargs = {"public_id": records["evaluation"].public_id}
    elif name == "reports:request":
        kwargs = {"kind": "evaluation", "subject_id": records["evaluation"].public_id}
    elif name == "reports:letter-new":
        kwargs = {"evaluation_id": records["evaluation"].public_id}
    elif name in {
        "reports:job",
        "reports:status",
        "reports:retry",
        "reports:download",
    }:
        kwargs = {"public_id": records["job"].public_id}
    elif name in {"kiosk:step", "kiosk:autosave"}:
        kwargs = {"step": "about"}
    elif name == "kiosk:link":
        kwargs = {"token": "not-a-real-token"}
    elif name == "care:episode-new":
        kwargs = {"patient_id": patient.public_id}
    elif name == "care:contact-edit":
        kwargs = {"public_id": records["contact"].public_id}
    elif name.startswith("care:") and name not in {
        "care:codes",
        "care:contacts",
        "care:contact-new",
    }:
        kwargs = {"public_id": records["episode"].public_id}
    elif name.startswith("patients:") and name not in {"patients:list", "patients:new"}:
        kwargs = {"public_id": patient.public_id}
    elif name in {
        "accounts:staff-edit",
        "accounts:staff-password",
        "accounts:staff-unlock",
        "accounts:staff-mfa-reset",
    }:
        kwargs = {"public_id": staff_member.public_id}
    return reverse(name, kwargs=kwargs)


def _hand_over_tablet(client, users, records) -> None:
    """The front desk opens kiosk mode on this client, an enrolled tablet, for a new
    intake of the table's patient: the staff session ends and the device holds only that
    intake."""
    from intake.models import Intake
    from tests.factories import hand_over_tablet

    client.force_login(users["front_desk"])
    intake = Intake.objects.create(patient=records["patient"], episode=records["episode"])
    hand_over_tablet(client, intake=intake, by=users["front_desk"])
    assert "_auth_user_id" not in client.session


def _open_link(client, users, records) -> None:
    """The patient opens a one-time link on their own phone and gives their birth date."""
    from django.urls import reverse

    from intake import services
    from intake.models import Intake

    intake = Intake.objects.create(patient=records["patient"], episode=records["episode"])
    _access, token = services.intake_link_create(intake=intake, by=users["front_desk"])
    response = client.post(
        reverse("kiosk:link", args=[token]),
        {"date_of_birth": records["patient"].date_of_birth.isoformat()},
    )
    assert response.status_code == 302 and response.url == reverse("kiosk:resume"), response


@pytest.mark.parametrize("role", ROLES)
def test_each_role_gets_the_declared_answer_from_every_url(client, users, role, records):
    staff_member = UserFactory(username="someone-else", roles=[Role.THERAPIST])
    if role == "kiosk":
        _hand_over_tablet(client, users, records)
    elif role == "link":
        _open_link(client, users, records)
    elif users[role] is not None:
        client.force_login(users[role])
    wrong = []
    for name, expected_row in MATRIX.items():
        expected = expected_row[ROLES.index(role)]
        response = client.get(_url_for(name, staff_member, records))
        if expected == LOGIN:
            ok = response.status_code == 302 and "/accounts/login/" in response.url
        elif expected == KIOSK:
            ok = response.status_code == 302 and response.url == "/kiosk/"
        elif expected == STEP_UP:
            ok = response.status_code == 302 and response.url.startswith("/accounts/confirm/")
        else:
            ok = response.status_code == expected
        if not ok:
            where = f" -> {response.url}" if response.status_code == 302 else ""
            wrong.append(f"{name}: expected {expected}, got {response.status_code}{where}")
    assert wrong == []


@pytest.mark.parametrize("role", ["front_desk", "therapist", "no_role"])
def test_posts_to_pages_a_role_cannot_open_are_refused_and_change_nothing(client, users, role):
    from django.urls import reverse

    from accounts.models import User
    from patients.models import Patient

    client.force_login(users[role])
    staff_member = UserFactory(username="target", roles=[Role.THERAPIST])
    before = (User.objects.count(), Patient.objects.count())
    response = client.post(
        reverse("accounts:staff-new"),
        {
            "username": "intruder",
            "first_name": "I",
            "last_name": "N",
            "roles": ["Clinic administrator"],
            "password1": "a-long-enough-pass",
            "password2": "a-long-enough-pass",
        },
    )
    assert response.status_code == 403
    response = client.post(
        reverse("accounts:staff-edit", args=[staff_member.public_id]),
        {"first_name": "X", "last_name": "Y", "roles": ["Clinic administrator"], "is_active": "on"},
    )
    assert response.status_code == 403
    assert (User.objects.count(), Patient.objects.count()) == before
    assert not staff_member.groups.filter(name=Role.ADMINISTRATOR.value).exists()


@pytest.mark.parametrize("role", ["therapist", "administrator", "no_role"])
def test_only_the_front_desk_starts_and_hands_over_intakes(client, users, role, records):
    from django.urls import reverse

    from intake.models import Intake, IntakeAccess
    from tests.factories import EpisodeFactory

    client.force_login(users[role])
    patient = PatientFactory()
    assert client.post(reverse("intake:start", args=[patient.public_id])).status_code == 403
    open_intake = Intake.objects.create(patient=patient, episode=EpisodeFactory(patient=patient))
    for name in ("intake:kiosk-open", "intake:link-create", "intake:cancel"):
        response = client.post(reverse(name, args=[open_intake.public_id]), {"reason": "x"})
        assert response.status_code == 403, name
    assert Intake.objects.filter(patient=patient).count() == 1
    assert not IntakeAccess.objects.exists()
    open_intake.refresh_from_db()
    assert open_intake.status == Intake.Status.IN_PROGRESS


@pytest.mark.parametrize("role", ["front_desk", "administrator"])
def test_only_clinicians_acknowledge_alerts_and_amend_intakes(client, users, role, records):
    from django.urls import reverse

    client.force_login(users[role])
    alert = records["alert"]
    response = client.post(
        reverse("intake:alert", args=[alert.public_id]),
        {"outcome": "false_positive", "action_note": "x"},
    )
    assert response.status_code == 403
    alert.refresh_from_db()
    assert alert.acknowledged_at is None
    response = client.post(
        reverse("intake:amend", args=[records["intake"].public_id, "pain"]), {"reason": "x"}
    )
    assert response.status_code == 403
    assert not records["intake"].amendments.exists()


def test_unknown_uuids_are_not_found_not_errors(admin_client_):
    for url in (f"/patients/{uuid.uuid4()}/", f"/accounts/staff/{uuid.uuid4()}/"):
        assert admin_client_.get(url).status_code == 404
