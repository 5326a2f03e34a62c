"""Writes to evaluations: start, save a section (with its conflict check), sign, addenda.

Every write is atomic and leaves an audit entry in the same transaction. A signed
evaluation is locked: section saves are refused (and the refusal audited); changes after
signing are addenda.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from django.db import transaction
from django.db.models import Q
from django.http import HttpRequest, QueryDict
from django.utils import timezone

from accounts.models import User
from audit.models import AuditEvent
from audit.services import audit_patient_record
from care.services import episode_for_new_contact
from evaluations import carry, followups, packets, records, sections, signing
from evaluations import findings as findings_mod
from evaluations.forms import OutcomesForm, SectionContext
from evaluations.models import Addendum, Evaluation
from intake.followup import schedule as followup_schedule
from intake.instruments import ODI
from intake.models import Intake, RedFlagAlert
from intake.results import episode
from intake.services import effective_answers, instrument_packs
from patients.models import Patient


class EvaluationLocked(Exception):
    """The evaluation is signed: it cannot be edited, only added to."""


class SignRefused(Exception):
    def __init__(self, problems: list[str]):
        super().__init__("; ".join(problems))
        self.problems = problems


# --- Context ------------------------------------------------------------------------------------


@dataclass
class IntakeBasis:
    """What an evaluation reads from the patient's submitted intake."""

    intake: Intake | None
    answers: dict = field(default_factory=dict)
    episode: dict = field(default_factory=dict)


def intake_basis(evaluation: Evaluation, *, answers: dict | None = None) -> IntakeBasis:
    """`answers`: the intake's effective answers when the caller already has them."""
    intake = evaluation.intake
    if intake is None:
        return IntakeBasis(intake=None)
    if answers is None:
        answers = effective_answers(intake, intake.amendments.all())
    onset = (answers.get("when") or {}).get("onset_date")
    on = evaluation.visit_date
    return IntakeBasis(
        intake=intake,
        answers=answers,
        episode=episode(date.fromisoformat(onset) if onset else None, on),
    )


def section_context(
    evaluation: Evaluation, basis: IntakeBasis, *, odi_licensed: bool
) -> SectionContext:
    psfs = (basis.answers.get("psfs") or {}).get("activities") or []
    age = findings_mod.age_on(evaluation.patient.date_of_birth, evaluation.visit_date)
    outcomes = records.read("outcomes", evaluation.content.get("outcomes"))
    return SectionContext(
        kind=evaluation.kind,
        today=timezone.localdate(),
        date_of_birth=evaluation.patient.date_of_birth,
        psfs_activities=[{"id": a["id"], "activity": a.get("name", "")} for a in psfs],
        odi_licensed=odi_licensed or bool(outcomes.get("odi_sections")),
        intake_inputs=findings_mod.intake_inputs(basis.answers, age=age, episode=basis.episode),
        patient_reported=packets.reported_of(outcomes),
    )


def odi_licensed() -> bool:
    return ODI in instrument_packs()


def derive(evaluation: Evaluation, basis: IntakeBasis) -> dict[str, Any]:
    return findings_mod.derive(
        evaluation.content,
        intake_answers=basis.answers,
        age=findings_mod.age_on(evaluation.patient.date_of_birth, evaluation.visit_date),
        episode=basis.episode,
    )


# --- Start --------------------------------------------------------------------------------------


@transaction.atomic
def evaluation_start(*, patient: Patient, kind: str, by: User) -> Evaluation:
    """Open a draft evaluation in the patient's open episode of care (a new one when none is
    open: direct access), on that episode's latest submitted intake, if any. An intake of
    an earlier episode is never this visit's baseline."""
    if kind not in Evaluation.Kind.values:
        raise ValueError(f"Unknown evaluation kind {kind!r}.")
    episode = episode_for_new_contact(by=by, patient=patient)
    intake = (
        Intake.objects.first_visit()
        .filter(episode=episode, status=Intake.Status.SUBMITTED)
        .order_by("-submitted_at")
        .first()
    )
    evaluation = Evaluation.objects.create(
        patient=patient, episode=episode, intake=intake, kind=kind, therapist=by
    )
    basis = intake_basis(evaluation)
    prefilled = _prefill_outcomes(evaluation, basis)
    evaluation.findings = derive(evaluation, basis)
    evaluation.save(update_fields=["findings", "content"])
    audit_patient_record(
        evaluation,
        actor=by,
        action=AuditEvent.Action.CREATE,
        summary=f"Started {evaluation.get_kind_display().lower()}",
        details={"intake": str(intake.public_id) if intake else None},
    )
    _audit_prefill(evaluation, prefilled, by=by)
    return evaluation


def awaits_prefill(evaluation: Evaluation) -> bool:
    """A draft re-evaluation or discharge whose outcomes nobody has typed yet: a packet
    the patient sends after the draft was opened can still fill them in."""
    return (
        not evaluation.is_signed
        and evaluation.kind != Evaluation.Kind.INITIAL
        and "outcomes" not in evaluation.content
        and "outcomes" not in evaluation.drafts
    )


@transaction.atomic
def evaluations_prefill_from(*, packet: Intake) -> list[Evaluation]:
    """A packet the patient sent after the therapist had opened the re-evaluation or
    discharge it comes before: fill in each waiting draft of the episode it fits (none whose
    outcomes were typed). Returns the drafts filled in."""
    filled = []
    drafts = Evaluation.objects.select_for_update(of=("self",)).filter(
        episode_id=packet.episode_id,
        status=Evaluation.Status.DRAFT,
        kind=packets.KIND_OF_PURPOSE.get(packet.purpose, ""),
    )
    for evaluation in drafts:
        if not awaits_prefill(evaluation):
            continue
        basis = intake_basis(evaluation)
        prefilled = _prefill_outcomes(evaluation, basis)
        if prefilled is None or prefilled[0].pk != packet.pk:
            continue
        evaluation.findings = derive(evaluation, basis)
        evaluation.save(update_fields=["findings", "content"])
        _audit_prefill(evaluation, prefilled, by=None, actor_name=PREFILL_ACTOR)
        filled.append(evaluation)
    return filled


PREFILL_ACTOR = "Patient's follow-up questionnaire"


def _audit_prefill(
    evaluation: Evaluation,
    prefilled: tuple[Intake, list[str]] | None,
    *,
    by: User | None,
    actor_name: str = "",
) -> None:
    if prefilled is not None:
        packet, fields = prefilled
        on = timezone.localdate(packet.submitted_at)
        audit_patient_record(
            evaluation,
            actor_name=actor_name,
            actor=by,
            action=AuditEvent.Action.UPDATE,
            summary=f"Pre-filled the outcomes from the patient's questionnaire of {on:%d %b %Y}",
            details={
                "section": "outcomes",
                "packet": str(packet.public_id),
                "submitted_on": on.isoformat(),
                "prefilled": fields,
                "version": packets.PREFILL_VERSION,
            },
        )


def _prefill_outcomes(
    evaluation: Evaluation, basis: IntakeBasis
) -> tuple[Intake, list[str]] | None:
    """A re-evaluation or discharge opens with its outcomes filled in from the patient's
    follow-up packet, if one fits (`packets.choose_prefill`), for the therapist to confirm
    or correct: the section's record (through its form, checked like anything typed) in
    `evaluation.content`, unsaved. Returns the packet and the fields it filled."""
    packet = followups.prefill_packet(evaluation)
    if packet is None or packet.submitted_at is None:
        return None
    ctx = section_context(evaluation, basis, odi_licensed=odi_licensed())
    answers = effective_answers(packet, packet.amendments.all())
    values = packets.prefill_values(
        answers, psfs_ids=[a["id"] for a in ctx.psfs_activities], odi_licensed=ctx.odi_licensed
    )
    grc = packets.grc_of(packet.scores)
    if not values and grc is None:
        return None
    ctx.patient_reported = packets.reported_block(
        packet_id=str(packet.public_id),
        on=timezone.localdate(packet.submitted_at),
        purpose=packet.purpose,
        values=values,
        grc=grc,
    )
    outcomes = sections.SECTIONS["outcomes"]
    data = OutcomesForm.prefill_data(values, visit_date=evaluation.visit_date.isoformat())
    form = outcomes.build(ctx, data=draft_querydict({k: [v] for k, v in data.items()}))
    if not form.is_valid():  # prefill_values keeps to the form's ranges: not expected
        return None
    evaluation.content["outcomes"] = form.content()
    return packet, list(packets.field_values(values))


# --- Save a section -------------------------------------------------------------------------


@dataclass
class SaveResult:
    status: str  # "saved", "invalid" (kept as a draft), "conflict", "locked"
    form: Any
    version: int
    evaluation: Evaluation
    alert: RedFlagAlert | None = None
    saved_at: Any = None
    ctx: Any = None


def _draft_data(data: QueryDict) -> dict[str, list[str]]:
    # Names and values are storable already (core.text.StorableInputMiddleware).
    return {k: data.getlist(k) for k in data if k != "csrfmiddlewaretoken"}


def draft_querydict(draft: dict[str, list[str]]) -> QueryDict:
    q = QueryDict(mutable=True)
    for k, values in draft.items():
        q.setlist(k, [str(v) for v in values])
    return q


def _version_of(data: QueryDict, name: str) -> int | None:
    try:
        return int(data.get(name, ""))
    except ValueError:
        return None


def evaluation_save_section(
    *, evaluation: Evaluation, key: str, data: QueryDict, by: User
) -> SaveResult:
    """Save one section. `data["version"]` is the section version the form was showing;
    a mismatch means another tab or device saved in between, so nothing is written and the
    form comes back with the typed input and a warning. Pressing "Save mine" sends
    `overwrite=<current version>`, a deliberate choice made after seeing the warning."""
    section = sections.SECTIONS[key]  # KeyError for a key that names no section
    with transaction.atomic():
        evaluation = (
            Evaluation.objects.select_for_update(of=("self",))
            .select_related("patient", "intake")
            .get(pk=evaluation.pk)
        )
        current = int(evaluation.section_versions.get(key, 0))
        basis = intake_basis(evaluation)
        ctx = section_context(evaluation, basis, odi_licensed=odi_licensed())
        if section.prepare is not None:
            data = section.prepare(data, evaluation.findings)
        form = section.build(ctx, data=data)
        if evaluation.is_signed:
            audit_patient_record(
                evaluation,
                actor=by,
                action=AuditEvent.Action.DENIED,
                summary=f"Refused a change to the signed evaluation ({section.title})",
                details={"section": key},
            )
            return SaveResult("locked", form, current, evaluation, ctx=ctx)
        seen = _version_of(data, "version")
        overwrite = _version_of(data, "overwrite")
        if seen != current and overwrite != current:
            return SaveResult("conflict", form, current, evaluation, ctx=ctx)

        valid = form.is_valid()
        now = timezone.now()
        if valid:
            evaluation.content[key] = form.content()
            evaluation.drafts.pop(key, None)
            if key == "outcomes":
                evaluation.visit_date = date.fromisoformat(evaluation.content[key]["visit_date"])
        else:
            evaluation.drafts[key] = _draft_data(data)
        evaluation.section_versions[key] = current + 1
        evaluation.findings = derive(evaluation, basis)
        evaluation.updated_at = now
        # The audit entry below records every save; history rows are for status changes.
        evaluation.skip_history_when_saving = True
        evaluation.save(
            update_fields=[
                "content",
                "drafts",
                "findings",
                "section_versions",
                "updated_at",
                "visit_date",
            ]
        )
        details: dict[str, Any] = {"section": key, "version": current + 1, "valid": valid}
        if (
            valid
            and key == "outcomes"
            and (changed := packets.differences(evaluation.content[key]))
        ):
            # The therapist's corrections of what the patient reported (both are kept).
            details["differs_from_patient"] = sorted(changed)
        summary = f"Saved {section.title.lower()}"
        copied = carry.copied_fields(form, (data.get("copied") or "").split(","))
        if copied and (source := carry.previous_signed(evaluation)) is not None:
            # Kept as newly recorded, but the trail says which values were copied.
            details |= {"copied": copied, "copied_from": str(source.public_id)}
            summary += f", {len(copied)} copied from {source.visit_date:%d %b %Y}"
        audit_patient_record(
            evaluation,
            actor=by,
            action=AuditEvent.Action.UPDATE,
            summary=summary + ("" if valid else " (draft with fields to check)"),
            details=details,
        )
        alert = None
        if valid and section.after_save is not None:
            alert = section.after_save(evaluation, by=by, at=now)
        return SaveResult(
            "saved" if valid else "invalid",
            form,
            current + 1,
            evaluation,
            alert,
            saved_at=now,
            ctx=ctx,
        )


# --- Sign and lock ----------------------------------------------------------------------------


def _canonical(value: Any) -> str:
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=str)


def content_hash(evaluation: Evaluation) -> str:
    """SHA-256 over what was signed: the record's identity, content, findings and the
    signature itself. Any later change to any of them shows as a mismatch."""
    payload = {
        "evaluation": str(evaluation.public_id),
        "patient": str(evaluation.patient.public_id),
        "kind": evaluation.kind,
        "visit_date": evaluation.visit_date.isoformat(),
        "therapist": evaluation.therapist_id,
        # As stored, never as read through `records`: reading upgrades a copy, so the
        # hash of a record signed in an older format still matches.
        "content": evaluation.content,
        "findings": evaluation.findings,
        "signed_by": evaluation.signed_by_id,
        "signed_at": evaluation.signed_at.isoformat() if evaluation.signed_at else None,
    }
    return hashlib.sha256(_canonical(payload).encode()).hexdigest()


def evaluation_verify(evaluation: Evaluation) -> bool:
    return evaluation.is_signed and content_hash(evaluation) == evaluation.content_hash


def _alert_problems(evaluation: Evaluation, plan: dict) -> list[str]:
    """An urgent finding forces a decision before signing: each red-flag alert of this
    evaluation (its neuro exam) or of the intake it opened on must be dispositioned on the
    alert page, and unless it was a false positive (whose reasoning the alert records),
    the plan must hold a referral at least as urgent as the disposition."""
    if evaluation.pk is None:  # not saved yet: nothing can have raised an alert
        return []
    alerts = RedFlagAlert.objects.filter(
        Q(evaluation=evaluation) | Q(intake_id=evaluation.intake_id, intake_id__isnull=False)
    ).order_by("raised_at")
    problems = []
    urgency = plan.get("referral_urgency") if plan.get("referral") else None
    for alert in alerts:
        source = "neuro exam" if alert.evaluation_id else "intake"
        if not alert.acknowledged_at:
            level = alert.get_level_display().lower()
            article = "an" if level[:1] in "aeiou" else "a"
            problems.append(
                f"The {source} raised {article} {level} alert ({alert.summary}). Record what "
                "was done on the alert page before signing."
            )
            continue
        needed = RedFlagAlert.REFERRAL_NEEDED.get(alert.outcome)
        if needed and urgency not in needed:
            wanted = "an emergency" if needed == ("emergency",) else "an urgent (same-day)"
            problems.append(
                f"The {source} alert was dispositioned as “{alert.get_outcome_display()}”: "
                f"record {wanted} referral in the plan of care."
            )
    return problems


def sign_problems(evaluation: Evaluation) -> list[str]:
    """What must be done before the evaluation can be signed, in plain words."""
    problems = []
    titles = sections.SECTION_TITLES
    for key in evaluation.drafts:
        problems.append(f"{titles.get(key, key)} has changes that are not valid yet.")
    c = records.read_content(evaluation.content)
    cls = c.get("classification") or {}
    if not cls.get("category"):
        problems.append("Choose a classification category.")
    if not (cls.get("rationale") or "").strip():
        problems.append("Write the rationale for the classification.")
    plan = c.get("plan") or {}
    if not plan.get("items"):
        problems.append("Add at least one intervention to the plan of care.")
    if evaluation.kind != Evaluation.Kind.DISCHARGE:
        if not plan.get("frequency_per_week") or not plan.get("weeks"):
            problems.append("Give the visit frequency and the number of weeks.")
        if not plan.get("goals"):
            problems.append("Add at least one measurable goal.")
        if not plan.get("reeval_date"):
            problems.append("Set the re-evaluation date.")
    problems += _alert_problems(evaluation, plan)
    return problems


def evaluation_sign(
    *, evaluation: Evaluation, by: User, password: str, request: HttpRequest | None = None
) -> Evaluation:
    """Sign and lock. The password is checked first, and a wrong one is audited in its own
    transaction, so the record of the refusal survives the refusal. With the request, the
    check goes through the sign-in lockout: wrong passwords count toward it and a
    locked-out account cannot sign (accounts/lockout.py)."""
    if by.pk != evaluation.therapist_id:
        raise SignRefused(["Only the therapist who wrote this evaluation can sign it."])
    if evaluation.is_signed:
        raise EvaluationLocked
    if not signing.password_confirmed(
        record=evaluation, by=by, password=password, request=request, stage="password when signing"
    ):
        raise SignRefused([signing.PASSWORD_REFUSED])
    return _sign(evaluation_id=evaluation.pk, by=by)


@transaction.atomic
def _sign(*, evaluation_id: int, by: User) -> Evaluation:
    evaluation = (
        Evaluation.objects.select_for_update(of=("self",))
        .select_related("patient")
        .get(pk=evaluation_id)
    )
    if evaluation.is_signed:
        raise EvaluationLocked
    problems = sign_problems(evaluation)
    if problems:
        raise SignRefused(problems)
    evaluation.status = Evaluation.Status.SIGNED
    evaluation.signed_by = by
    evaluation.signed_at = timezone.now()
    evaluation.content_hash = content_hash(evaluation)
    evaluation.save(update_fields=["status", "signed_by", "signed_at", "content_hash"])
    audit_patient_record(
        evaluation,
        actor=by,
        action=AuditEvent.Action.SIGN,
        summary=f"Signed the {evaluation.get_kind_display().lower()}",
        details={"content_hash": evaluation.content_hash},
    )
    plan = followup_schedule.PlanDates.from_content(evaluation.content)
    if plan is not None and evaluation.kind != Evaluation.Kind.DISCHARGE:
        # The questionnaires the patient answers before the visits this plan books.
        followup_schedule.packets_plan(
            episode=evaluation.episode,
            plan=plan,
            by=by,
            why=f"the plan of care of the {evaluation.get_kind_display().lower()} "
            f"of {evaluation.visit_date:%d %b %Y}",
        )
    return evaluation


ADDENDUM_SECTIONS = [("", "The whole evaluation"), *sections.SECTION_TITLES.items()]


@transaction.atomic
def evaluation_addendum_add(
    *, evaluation: Evaluation, by: User, section: str, reason: str, text: str
) -> Addendum:
    evaluation = Evaluation.objects.select_for_update(of=("self",)).get(pk=evaluation.pk)
    if not evaluation.is_signed:
        raise ValueError("Addenda are for signed evaluations; edit the draft instead.")
    if section not in dict(ADDENDUM_SECTIONS):
        raise ValueError("Choose a section from the list.")
    reason, text = reason.strip(), text.strip()
    if not reason or not text:
        raise ValueError("Give both the reason and the text of the addendum.")
    at = timezone.now()
    digest = hashlib.sha256(
        _canonical(
            {
                "evaluation": str(evaluation.public_id),
                "evaluation_hash": evaluation.content_hash,
                "section": section,
                "reason": reason,
                "text": text,
                "by": by.pk,
                "at": at.isoformat(),
            }
        ).encode()
    ).hexdigest()
    addendum = Addendum.objects.create(
        evaluation=evaluation,
        by=by,
        section=section,
        reason=reason,
        text=text,
        at=at,
        content_hash=digest,
    )
    audit_patient_record(
        evaluation,
        actor=by,
        action=AuditEvent.Action.CREATE,
        summary=f"Added an addendum: {reason}"[:255],
        details={"addendum": str(addendum.public_id), "section": section},
    )
    return addendum
