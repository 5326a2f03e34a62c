"""Every write to an intake, each atomic and audited in the same transaction.

The patient on the tablet has no account: their writes are audited under the name
PATIENT_ACTOR, tied to the intake and patient, with the device's address and request id.
"""

import secrets
from dataclasses import dataclass
from datetime import timedelta
from uuid import UUID

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from accounts.models import User
from audit.models import AuditEvent
from audit.services import audit_patient_record, audit_record
from care.services import episode_for_new_contact
from core.models import Clinic
from intake import alerts, questionnaires
from intake import language as patient_language
from intake import results as results_mod
from intake.followup import baseline as followup_baseline
from intake.followup import results as followup_results
from intake.followup import services as packet_services
from intake.forms import ABOUT_FIELDS
from intake.models import (
    ClinicTablet,
    InstrumentPack,
    Intake,
    IntakeAccess,
    IntakeAmendment,
    IntakeConsent,
    hash_token,
)
from intake.packs import availability, instrument_packs  # noqa: F401 (read from here)
from intake.steps import steps_for
from intake.triage import CES_ITEMS, TriageResult
from patients.models import Patient
from patients.services import patient_update

PATIENT_ACTOR = patient_language.PATIENT_ACTOR
SYSTEM_ACTOR = "Red-flag triage"


class IntakeClosed(Exception):
    """The intake was submitted, stopped or cancelled: the tablet may not change it."""


class IntakeIncomplete(Exception):
    def __init__(self, steps: list[str]):
        self.steps = steps
        super().__init__(f"unanswered screens: {', '.join(steps)}")


class AccessRefused(Exception):
    """A link that is unknown, used, expired or revoked, or a wrong date of birth.
    `reason` says which: one of LINK_REFUSALS."""

    def __init__(self, message: str, reason: str = ""):
        super().__init__(message)
        self.reason = reason


# Why a link does not open, and what the patient is told. All but a wrong date of birth
# end the link for good: the patient needs a new one from the clinic.
LINK_REFUSALS = {
    "unknown": "This link is not valid. Please ask the clinic for a new one.",
    "ended": "This link has expired or has already been used. Please ask the clinic for a new one.",
    "sent": "This form has already been sent. Thank you.",
    "wrong_dob": "That date of birth does not match our records. Please try again.",
    "locked": "This link has been locked after too many attempts. Please ask the clinic for "
    "a new one.",
}


def _noun(intake: Intake) -> str:
    """What the audit trail calls the form: the intake or a follow-up questionnaire."""
    return "follow-up questionnaire" if intake.is_packet else "intake"


# ---------------------------------------------------------------- packs


@transaction.atomic
def instrument_pack_load(*, raw: bytes, loaded_by: str = "") -> InstrumentPack:
    pack = questionnaires.parse_pack(raw)
    row, created = InstrumentPack.objects.update_or_create(
        instrument=pack.instrument,
        language=pack.language,
        defaults={
            "version": pack.version,
            "licence_reference": pack.licence_reference[:200],
            "licensed_to": pack.licensed_to[:200],
            "expires_on": pack.expires_on,
            "content": pack.document,
            "sha256": pack.sha256,
            "loaded_at": timezone.now(),
        },
    )
    audit_record(
        actor=None,
        actor_name=loaded_by or "manage.py load_instrument_pack",
        action=AuditEvent.Action.CREATE if created else AuditEvent.Action.UPDATE,
        obj=row,
        summary=f"Loaded instrument pack {pack.instrument} {pack.version} ({pack.language})",
        details={"sha256": pack.sha256, "licence": pack.licence_reference},
    )
    return row


# ---------------------------------------------------------------- starting


@transaction.atomic
def intake_start(*, patient: Patient, by: User) -> Intake:
    """Start an intake, or carry on with the patient's open one (a second tap of
    Start must not leave two half-done intakes). It belongs to the patient's open episode
    of care, or starts one (direct access until a referral is recorded)."""
    open_intake = (
        Intake.objects.select_for_update()
        .filter(patient=patient, kind=Intake.Kind.INTAKE, status=Intake.Status.IN_PROGRESS)
        .first()
    )
    if open_intake:
        return open_intake
    intake = Intake(
        patient=patient, started_by=by, episode=episode_for_new_contact(by=by, patient=patient)
    )
    intake._history_user = by
    intake.save()
    audit_patient_record(
        intake,
        actor=by,
        action=AuditEvent.Action.CREATE,
        summary="Started a tablet intake",
    )
    return intake


def _issue(*, intake: Intake, kind: str, by: User, lifetime: timedelta) -> tuple[IntakeAccess, str]:
    patient_language.for_handover(intake)
    raw = secrets.token_urlsafe(32)
    access = IntakeAccess.objects.create(
        intake=intake,
        kind=kind,
        token_hash=hash_token(raw),
        created_by=by,
        expires_at=timezone.now() + lifetime,
    )
    return access, raw


@transaction.atomic
def intake_kiosk_handover(*, intake: Intake, by: User, tablet: ClinicTablet) -> IntakeAccess:
    """Hand one of the clinic's enrolled tablets to the patient: an access used at once,
    valid on that tablet only. A form already open on another tablet closes there."""
    if not intake.is_open:
        raise IntakeClosed
    now = timezone.now()
    intake.accesses.filter(kind=IntakeAccess.Kind.KIOSK, revoked_at__isnull=True).update(
        revoked_at=now
    )
    access, _ = _issue(
        intake=intake,
        kind=IntakeAccess.Kind.KIOSK,
        by=by,
        lifetime=timedelta(seconds=settings.SESSION_COOKIE_AGE),
    )
    access.used_at = now
    access.tablet = tablet
    access.save(update_fields=["used_at", "tablet"])
    audit_patient_record(
        intake,
        actor=by,
        action=AuditEvent.Action.UPDATE,
        summary=f"Handed the tablet “{tablet.name}” to the patient (kiosk mode)",
        details={"access": str(access.public_id), "tablet": str(tablet.public_id)},
    )
    return access


def link_lifetime(intake: Intake) -> timedelta:
    if intake.is_packet:
        return timedelta(days=settings.FOLLOWUP_LINK_DAYS)
    return timedelta(hours=settings.INTAKE_LINK_HOURS)


@transaction.atomic
def intake_link_create(*, intake: Intake, by: User) -> tuple[IntakeAccess, str]:
    """A single-use link for filling in the intake before the visit. Earlier links for
    the intake stop working, and a device still open on one closes at its next request.
    Returns the raw token, shown once."""
    if not intake.is_open:
        raise IntakeClosed
    now = timezone.now()
    intake.accesses.filter(kind=IntakeAccess.Kind.LINK, revoked_at__isnull=True).update(
        revoked_at=now
    )
    access, raw = _issue(
        intake=intake,
        kind=IntakeAccess.Kind.LINK,
        by=by,
        lifetime=link_lifetime(intake),
    )
    audit_patient_record(
        intake,
        actor=by,
        action=AuditEvent.Action.CREATE,
        summary="Created a one-time questionnaire link"
        if intake.is_packet
        else "Created a one-time intake link",
        details={"access": str(access.public_id), "expires_at": access.expires_at.isoformat()},
    )
    return access, raw


def intake_link_lookup(*, token: str) -> tuple[IntakeAccess | None, str]:
    """A link as its page shows it before the date of birth is asked, changing nothing:
    its access (with the intake's kind, to name the form) or None, and why it will not open
    ("" while it can; else a key of LINK_REFUSALS other than a wrong date of birth)."""
    access = (
        IntakeAccess.objects.select_related("intake")
        .only(
            "id",
            "used_at",
            "revoked_at",
            "expires_at",
            "intake__kind",
            "intake__status",
            "intake__language",
        )
        .filter(token_hash=hash_token(token), kind=IntakeAccess.Kind.LINK)
        .first()
    )
    return access, _link_refusal(access)


def _link_refusal(access: IntakeAccess | None) -> str:
    if access is None:
        return "unknown"
    if access.used_at or access.revoked_at or access.expires_at <= timezone.now():
        return "ended"
    if not access.intake.is_open:
        return "sent"
    return ""


def intake_link_redeem(*, token: str, date_of_birth) -> IntakeAccess:
    """Use a link: the patient proves they are its patient with their date of birth.
    Five wrong dates revoke the link. A refusal is raised after the transaction
    commits, so the count of wrong attempts is kept."""
    with transaction.atomic():
        access, refusal = _redeem(token=token, date_of_birth=date_of_birth)
    if refusal:
        raise AccessRefused(LINK_REFUSALS[refusal], reason=refusal)
    assert access is not None  # _redeem finds no access only with a refusal
    return access


def _redeem(*, token: str, date_of_birth) -> tuple[IntakeAccess | None, str]:
    access = (
        IntakeAccess.objects.select_for_update()
        .select_related("intake__patient")
        .filter(token_hash=hash_token(token), kind=IntakeAccess.Kind.LINK)
        .first()
    )
    if refusal := _link_refusal(access):
        return access, refusal
    assert access is not None  # _link_refusal refuses a missing access
    patient = access.intake.patient
    if date_of_birth != patient.date_of_birth:
        access.failed_attempts += 1
        revoked = access.failed_attempts >= IntakeAccess.MAX_FAILED_ATTEMPTS
        if revoked:
            access.revoked_at = timezone.now()
        access.save(update_fields=["failed_attempts", "revoked_at"])
        audit_patient_record(
            access.intake,
            actor=None,
            actor_name="Unverified link holder",
            action=AuditEvent.Action.DENIED,
            summary="Wrong date of birth on "
            + ("a follow-up questionnaire" if access.intake.is_packet else "an intake")
            + " link"
            + (": link revoked" if revoked else ""),
        )
        return access, "locked" if revoked else "wrong_dob"
    access.used_at = timezone.now()
    access.save(update_fields=["used_at"])
    audit_patient_record(
        access.intake,
        actor=None,
        actor_name=PATIENT_ACTOR,
        action=AuditEvent.Action.VIEW,
        summary=f"Opened the {_noun(access.intake)} from a one-time link",
        details={"access": str(access.public_id)},
    )
    return access, ""


# ---------------------------------------------------------------- the tablet


@dataclass(frozen=True)
class SaveOutcome:
    intake: Intake
    stopped: bool = False


def _changed_fields(old: dict, new: dict) -> list[str]:
    return sorted(k for k in old.keys() | new.keys() if old.get(k) != new.get(k))


@transaction.atomic
def intake_save_step(
    *,
    intake_id: int,
    step: str,
    raw: dict[str, list[str]],
    answers: dict | None,
    ces_answers: dict | None = None,
    signature: tuple[str, bytes] | None = None,
    current_step: str | None = None,
) -> SaveOutcome:
    """Save one screen as the patient goes: what they typed (`raw`, kept even when not
    yet valid) and, when the screen is complete, its `answers`. A screen whose answers
    can show cauda equina is triaged on every save and stops the intake at once."""
    intake = Intake.objects.select_for_update().select_related("patient").get(pk=intake_id)
    if not intake.is_open:
        raise IntakeClosed
    now = timezone.now()
    # History versions status changes; an answer saved is in the audit trail instead.
    intake.skip_history_when_saving = True
    old_raw = intake.drafts.get(step, {})
    for name in _changed_fields(old_raw, raw):
        intake.answered_at[f"{step}.{name}"] = now.isoformat()
    intake.drafts[step] = raw
    if answers is not None:
        intake.answers[step] = answers
    else:
        intake.answers.pop(step, None)
    if current_step:
        intake.current_step = current_step
    if signature is not None:
        _save_signature(intake, *signature, at=now)

    stopped = False
    if ces_answers is not None:
        check = {**intake.answers, step: ces_answers}
        triage = results_mod.run_triage(
            check,
            date_of_birth=intake.patient.date_of_birth,
            sex=intake.patient.sex,
            on=timezone.localdate(),
        )
        if triage.ces:
            # A packet's stored result adds what the first visit told us (read only now).
            found = packet_services.stop_triage(intake, check) if intake.is_packet else triage
            _stop_for_red_flag(intake, found, at=now)
            del intake.skip_history_when_saving
            stopped = True
    intake.save(
        update_fields=[
            "drafts",
            "answers",
            "answered_at",
            "current_step",
            "updated_at",
            *(["status", "stopped_at", "triage", "red_flag_level"] if stopped else []),
        ]
    )
    audit_patient_record(
        intake,
        actor=None,
        actor_name=PATIENT_ACTOR,
        action=AuditEvent.Action.UPDATE,
        summary=f"Saved {_noun(intake)} screen “{step}”"
        + (" (complete)" if answers is not None else ""),
    )
    return SaveOutcome(intake=intake, stopped=stopped)


def _save_signature(intake: Intake, signed_name: str, png: bytes, *, at) -> None:
    # The wording shown: the clinic's in the form's language (core.models.Clinic.wording).
    wording = Clinic.objects.current().wording(intake.language)
    IntakeConsent.objects.update_or_create(
        intake=intake,
        defaults={
            "consent_version": wording.consent_version,
            "language": wording.language,
            "consent_text": wording.consent_text,
            "privacy_text": wording.privacy_notice,
            "signed_name": signed_name,
            "signature_png": png,
            "signed_at": at,
        },
    )


def _stop_for_red_flag(
    intake: Intake, found: TriageResult | followup_results.PacketTriage, *, at
) -> None:
    """Stop the form for a cauda equina answer and raise the staff alert at once. A
    packet's triage comes with what it combined from the first visit."""
    result = found.result if isinstance(found, followup_results.PacketTriage) else found
    intake.status = Intake.Status.STOPPED
    intake.stopped_at = at
    intake.triage = found.as_dict()
    intake.red_flag_level = result.level.name
    ces_items = sorted(CES_ITEMS.intersection(result.present))
    alerts.raise_intake_alert(intake, level=result.level.name, ces=True, items=ces_items, at=at)
    audit_patient_record(
        intake,
        actor=None,
        actor_name=SYSTEM_ACTOR,
        action=AuditEvent.Action.ALERT,
        summary=f"{_noun(intake).capitalize()} stopped: possible cauda equina syndrome",
        details={"items": ces_items, "ruleset": result.ruleset_version},
    )


@transaction.atomic
def intake_submit(*, intake_id: int, submission_id: UUID) -> Intake:
    """Send the intake. Idempotent: a second tap (or a retry after a dropped
    connection) finds it submitted and changes nothing."""
    intake = Intake.objects.select_for_update().select_related("patient").get(pk=intake_id)
    if intake.status == Intake.Status.SUBMITTED:
        return intake
    if not intake.is_open:
        raise IntakeClosed
    available = availability(intake.language)
    packs = available.packs
    if intake.is_packet:
        baseline = followup_baseline.for_packet(intake)
        if missing := packet_services.missing_screens(intake, packs=packs, baseline=baseline):
            raise IntakeIncomplete(missing)
        return packet_services.packet_submit(
            intake, submission_id=submission_id, packs=packs, baseline=baseline, by=PATIENT_ACTOR
        )
    missing = [
        s.key for s in steps_for(packs=packs) if s.key != "review" and s.key not in intake.answers
    ]
    if not hasattr(intake, "consent") and "consent" not in missing:
        missing.insert(0, "consent")
    if missing:
        raise IntakeIncomplete(missing)
    now = timezone.now()
    results = results_mod.compute(
        intake.answers,
        date_of_birth=intake.patient.date_of_birth,
        sex=intake.patient.sex,
        on=timezone.localdate(),
        licensed=available.licensed,
        unavailable=available.unavailable,
        language=intake.language,
    )
    about = intake.answers.get("about", {})
    patient_update(
        by=None,
        actor_name=PATIENT_ACTOR,
        patient=intake.patient,
        data={k: about[k] for k in ABOUT_FIELDS if k in about},
    )
    intake.status = Intake.Status.SUBMITTED
    intake.submitted_at = now
    intake.submission_id = submission_id
    intake.triage = {**results.triage, "episode": results.episode}
    intake.red_flag_level = results.red_flag_level
    intake.scores = results.scores
    intake.pattern = results.pattern
    intake.current_step = "review"
    intake.save()
    alerts.raise_for_triage(
        intake,
        level=results.red_flag_level,
        ces=results.ces,
        items=list(results.triage["items"]),
        at=now,
    )
    audit_patient_record(
        intake,
        actor=None,
        actor_name=PATIENT_ACTOR,
        action=AuditEvent.Action.SUBMIT,
        summary=f"Submitted the intake (red flags: {results.red_flag_level})",
        details={
            "ruleset": results.triage["ruleset_version"],
            "algorithm": results.algorithm_version,
        },
    )
    return intake


# ---------------------------------------------------------------- staff


def effective_answers(intake: Intake, amendments) -> dict:
    """The submitted answers with staff amendments applied in order."""
    answers = dict(intake.answers)
    for amendment in amendments:
        answers[amendment.step] = amendment.after
    return answers


@transaction.atomic
def intake_amend(
    *, intake: Intake, step: str, answers: dict, reason: str, by: User
) -> IntakeAmendment:
    intake = Intake.objects.select_for_update().select_related("patient").get(pk=intake.pk)
    if intake.status not in (Intake.Status.SUBMITTED, Intake.Status.STOPPED):
        raise IntakeClosed
    if not reason.strip():
        raise ValueError("An amendment needs a reason")
    amendments = list(intake.amendments.all())
    current = effective_answers(intake, amendments)
    after = {**current, step: answers}
    results = results_mod.compute(
        after,
        date_of_birth=intake.patient.date_of_birth,
        sex=intake.patient.sex,
        on=timezone.localdate(),
        licensed=questionnaires.licensed_when_scored(intake.scores),
        unavailable=questionnaires.not_in_language_when_scored(intake.scores),
        language=intake.language,
    )
    amendment = IntakeAmendment.objects.create(
        intake=intake,
        step=step,
        before=current.get(step, {}),
        after=answers,
        reason=reason.strip(),
        by=by,
        results={
            "triage": {**results.triage, "episode": results.episode},
            "red_flag_level": results.red_flag_level,
            "scores": results.scores,
            "pattern": results.pattern,
        },
    )
    audit_patient_record(
        intake,
        actor=by,
        action=AuditEvent.Action.UPDATE,
        summary=f"Amended intake screen “{step}”",
        details={
            "amendment": str(amendment.public_id),
            "fields": _changed_fields(current.get(step, {}), answers),
            "reason": reason.strip(),
        },
    )
    # A correction can add a red flag the patient did not report (or did not understand):
    # it raises the alert its new result asks for, as a submission would. Once per level
    # and set of items, so re-saving the same correction raises nothing new.
    alerts.raise_for_triage(
        intake,
        level=results.red_flag_level,
        ces=results.ces,
        items=list(results.triage["items"]),
        at=amendment.at,
    )
    return amendment


@transaction.atomic
def intake_cancel(*, intake: Intake, by: User, reason: str) -> Intake:
    intake = Intake.objects.select_for_update().get(pk=intake.pk)
    if not intake.is_open:
        raise IntakeClosed
    intake.status = Intake.Status.CANCELLED
    intake._history_user = by
    intake.save(update_fields=["status", "updated_at"])
    # Every way in: unused links, and a tablet or phone that has the form open now.
    intake.accesses.filter(revoked_at__isnull=True).update(revoked_at=timezone.now())
    audit_patient_record(
        intake,
        actor=by,
        action=AuditEvent.Action.UPDATE,
        summary="Cancelled the intake",
        details={"reason": reason},
    )
    return intake


@transaction.atomic
def intake_close_accesses(*, intake: Intake, by: User) -> int:
    """End every open way into the patient's form (tablet or link) without cancelling the
    intake. Returns how many were closed."""
    closed = intake.accesses.filter(revoked_at__isnull=True).update(revoked_at=timezone.now())
    if closed:
        audit_patient_record(
            intake,
            actor=by,
            action=AuditEvent.Action.UPDATE,
            summary="Closed the patient's form on the tablet or phone",
            details={"closed": closed},
        )
    return closed
