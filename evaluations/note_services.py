"""Writes to treatment notes: start one from the episode, save it as the therapist goes
(with the conflict check), sign and lock it, add addenda; and the cauda equina re-check's
alert.

Every write is atomic and leaves an audit entry in the same transaction; a refusal is
audited in its own, so the record of it survives. A signed note is locked: saves are
refused (and the refusal audited); changes after signing are addenda. The record's rules
are `evaluations.notes`.
"""

from __future__ import annotations

import datetime
import hashlib
import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.http import HttpRequest, QueryDict
from django.utils import timezone

from accounts.models import User
from audit.models import AuditEvent
from audit.services import audit_patient_record, audit_record
from care.models import Episode
from evaluations import notes, records, signing
from evaluations.exam_alerts import raise_serial_alert
from evaluations.models import Evaluation, NoteAddendum, TreatmentNote
from evaluations.neuro.serial import compare_exams
from evaluations.note_forms import NoteForm
from intake.models import RedFlagAlert


class NoteRefused(Exception):
    """The note cannot be started or signed; `problems` say why, for the therapist."""

    def __init__(self, problems: list[str]):
        super().__init__("; ".join(problems))
        self.problems = problems


class NoteLocked(Exception):
    """The note is signed: it cannot be edited, only added to."""


def _day(on: datetime.date) -> str:
    return f"{on.day} {on:%b %Y}"


# --- The form ---------------------------------------------------------------------------------


def note_bounds(note: TreatmentNote) -> tuple[datetime.date, datetime.date]:
    """The days the visit can be dated: from the episode's start to today, or to the
    discharge if the episode has closed since the note was started."""
    episode = note.episode
    latest = timezone.localdate()
    if episode.discharged_on and episode.discharged_on < latest:
        latest = episode.discharged_on
    return episode.start_of_care, max(latest, episode.start_of_care)


def note_form(note: TreatmentNote, *, data: QueryDict | None = None) -> NoteForm:
    """The note's form: bound to `data` (a save), to the draft kept from the last save
    that did not validate, or showing the last valid save."""
    earliest, latest = note_bounds(note)
    rows = notes.read(note.content).get("interventions") or []
    if data is None and note.drafts:
        data = draft_querydict(note.drafts)
    if data is not None:
        return NoteForm(data, rows=rows, earliest=earliest, latest=latest)
    initial = notes.form_values(note.content, note.visit_date)
    return NoteForm(initial=initial, rows=rows, earliest=earliest, latest=latest)


def _as_querydict(data: QueryDict | Mapping[str, Any]) -> QueryDict:
    if isinstance(data, QueryDict):
        return data
    q = QueryDict(mutable=True)
    for name, value in data.items():
        values = value if isinstance(value, list | tuple) else [value]
        q.setlist(name, [str(v) for v in values])
    return q


def _draft_data(data: QueryDict) -> dict[str, list[str]]:
    # Names and values are storable already (core.text.StorableInputMiddleware).
    skip = {"csrfmiddlewaretoken", "version", "overwrite", "autosave"}
    return {k: data.getlist(k) for k in data if k not in skip}


def draft_querydict(draft: Mapping[str, list[str]]) -> QueryDict:
    q = QueryDict(mutable=True)
    for name, values in draft.items():
        q.setlist(name, [str(v) for v in values])
    return q


# --- Start ------------------------------------------------------------------------------------


def _initial_evaluation(episode: Episode) -> Evaluation | None:
    evaluations = Evaluation.objects.filter(episode=episode).order_by("visit_date", "created_at")
    return evaluations.filter(kind=Evaluation.Kind.INITIAL).first() or evaluations.first()


def _start_problems(episode: Episode) -> list[str]:
    if not episode.is_open:
        ended = f" on {_day(episode.discharged_on)}" if episode.discharged_on else ""
        return [
            f"This episode of care was discharged{ended}: a treatment note cannot be added to "
            "it. If the patient is back for treatment, open a new episode of care first."
        ]
    return []


def note_start(*, episode: Episode, by: User) -> TreatmentNote:
    """Open a draft treatment note for today's visit in an open episode, its interventions
    from the plan of care of the episode's latest signed evaluation. Refused (NoteRefused,
    audited) on a discharged episode or before any evaluation is signed."""
    try:
        return _start(episode_id=episode.pk, by=by)
    except NoteRefused as refused:
        with transaction.atomic():
            audit_record(
                actor=by,
                action=AuditEvent.Action.DENIED,
                patient=episode.patient,
                obj=episode,
                summary="Refused to start a treatment note",
                details={"problems": refused.problems},
            )
        raise


@transaction.atomic
def _start(*, episode_id: int, by: User) -> TreatmentNote:
    # Locked, so two notes started at once count their visits one after the other.
    episode = (
        Episode.objects.select_for_update(of=("self",)).select_related("patient").get(pk=episode_id)
    )
    problems = _start_problems(episode)
    if problems:
        raise NoteRefused(problems)
    plan_from = (
        Evaluation.objects.signed()
        .filter(episode=episode)
        .order_by("-visit_date", "-signed_at")
        .first()
    )
    initial = _initial_evaluation(episode)
    if plan_from is None or initial is None:
        raise NoteRefused(
            [
                "Sign the initial evaluation first: a treatment note follows the plan of care "
                "of the episode's latest signed evaluation."
            ]
        )
    later_evaluations = (
        Evaluation.objects.filter(episode=episode, created_at__gt=initial.created_at)
        .exclude(pk=initial.pk)
        .count()
    )
    visit_number = TreatmentNote.objects.filter(episode=episode).count() + later_evaluations + 1
    plan = records.read("plan", plan_from.content.get("plan"))
    note = TreatmentNote.objects.create(
        patient=episode.patient,
        episode=episode,
        plan_from=plan_from,
        visit_number=visit_number,
        therapist=by,
        content=notes.new_record(plan),
    )
    audit_patient_record(
        note,
        actor=by,
        action=AuditEvent.Action.CREATE,
        summary=f"Started a treatment note (visit {visit_number} since the initial evaluation)",
        details={"episode": str(episode.public_id), "plan_from": str(plan_from.public_id)},
    )
    return note


# --- Save -------------------------------------------------------------------------------------


@dataclass
class NoteSaveResult:
    status: str  # "saved", "invalid" (kept as a draft), "conflict", "locked"
    form: NoteForm
    version: int
    note: TreatmentNote
    alert: RedFlagAlert | None = None
    saved_at: datetime.datetime | None = None


def note_save(
    *,
    note: TreatmentNote,
    data: QueryDict | Mapping[str, Any],
    by: User,
    version: int | None,
    overwrite: int | None = None,
) -> NoteSaveResult:
    """Save what the therapist typed. `version` is the note version the form was showing;
    a mismatch means another tab or device saved in between, so nothing is written and
    the form comes back with the typed input. `overwrite=<current version>` is "Save
    mine", chosen after seeing that warning. Input that does not validate is kept as the
    draft (the last valid save stays the record). Any cauda equina item answered yes (or
    not sure) raises the staff alert in the same transaction, whatever else is wrong."""
    data = _as_querydict(data)
    with transaction.atomic():
        note = (
            TreatmentNote.objects.select_for_update(of=("self",))
            .select_related("patient", "episode")
            .get(pk=note.pk)
        )
        form = note_form(note, data=data)
        current = note.version
        if note.is_signed:
            audit_patient_record(
                note,
                actor=by,
                action=AuditEvent.Action.DENIED,
                summary="Refused a change to the signed treatment note",
            )
            return NoteSaveResult("locked", form, current, note)
        if version != current and overwrite != current:
            return NoteSaveResult("conflict", form, current, note)
        valid = form.is_valid()
        now = timezone.now()
        fields = ["drafts", "version", "updated_at"]
        if valid:
            note.content = form.record
            note.drafts = {}
            fields.append("content")
            if form.visit is not None:
                note.visit_date = form.visit
                fields.append("visit_date")
        else:
            note.drafts = _draft_data(data)
        note.version = current + 1
        note.updated_at = now
        # The audit entry below records every save; history rows are for status changes.
        note.skip_history_when_saving = True
        note.save(update_fields=fields)
        audit_patient_record(
            note,
            actor=by,
            action=AuditEvent.Action.UPDATE,
            summary="Saved the treatment note" + ("" if valid else " (draft with fields to check)"),
            details={"version": note.version, "valid": valid},
        )
        alert = ces_alert(note, notes.ces_positive(form.record), by=by, at=now)
        alert = myotome_alert(note, form.record, by=by, at=now) or alert
        return NoteSaveResult(
            "saved" if valid else "invalid", form, note.version, note, alert, saved_at=now
        )


def ces_alert(
    note: TreatmentNote, items: list[str], *, by: User, at: datetime.datetime
) -> RedFlagAlert | None:
    """The cauda equina re-check's alert: the intake's emergency, shown on every staff
    screen at once. Raised once per distinct set of items: saving the same answers again
    raises nothing, a new item raises it again."""
    if not items:
        return None
    if RedFlagAlert.objects.filter(treatment_note=note, items=items).exists():
        return None
    alert = RedFlagAlert.objects.create(
        treatment_note=note,
        intake=None,
        patient=note.patient,
        level="EMERGENCY",
        ces=True,
        items=items,
        summary=f"Possible cauda equina syndrome ({', '.join(items)}): treatment note re-check"[
            :255
        ],
        raised_at=at,
    )
    audit_patient_record(
        alert,
        actor=by,
        action=AuditEvent.Action.ALERT,
        summary=f"Raised an emergency alert from the treatment note's cauda equina re-check "
        f"({', '.join(items)})",
        details={"items": items, "treatment_note": str(note.public_id)},
    )
    return alert


def myotome_alert(
    note: TreatmentNote, record: Mapping[str, Any], *, by: User, at: datetime.datetime
) -> RedFlagAlert | None:
    """Serial surveillance for the note's quick myotome re-check: a grade below the one
    the episode's last signed neuro exam recorded (evaluations.neuro.serial, its rules)
    raises the staff alert by itself, once per distinct set of changes."""
    grades = (record or {}).get("myotomes") or {}
    if not grades:
        return None
    previous = (
        Evaluation.objects.filter(
            episode_id=note.episode_id,
            status=Evaluation.Status.SIGNED,
            visit_date__lte=note.visit_date,
        )
        .filter(content__has_key="neuro")
        .order_by("-visit_date", "-signed_at")
        .only("public_id", "visit_date", "content")
        .first()
    )
    if previous is None:
        return None
    result = compare_exams(
        records.read("neuro", previous.content.get("neuro")),
        dict(grades),
        previous_on=previous.visit_date,
    )
    return raise_serial_alert(
        result,
        source={"treatment_note": note},
        patient=note.patient,
        intake=None,
        words="treatment note: myotomes weaker",
        by=by,
        at=at,
    )


# --- Sign and lock ----------------------------------------------------------------------------


def _canonical(value: Any) -> str:
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=str)


def content_hash(note: TreatmentNote) -> str:
    """SHA-256 over what was signed: the note's identity, visit, record and signature."""
    payload = {
        "treatment_note": str(note.public_id),
        "patient": str(note.patient.public_id),
        "episode": str(note.episode.public_id),
        "plan_from": note.plan_from_id,
        "visit_number": note.visit_number,
        "visit_date": note.visit_date.isoformat(),
        "therapist": note.therapist_id,
        "content": note.content,
        "signed_by": note.signed_by_id,
        "signed_at": note.signed_at.isoformat() if note.signed_at else None,
    }
    return hashlib.sha256(_canonical(payload).encode()).hexdigest()


def note_verify(note: TreatmentNote) -> bool:
    return note.is_signed and content_hash(note) == note.content_hash


def sign_problems(note: TreatmentNote, *, alerts: list[RedFlagAlert] | None = None) -> list[str]:
    """What must be done before the note can be signed, in plain words. `alerts`: the
    note's red-flag alerts, when the caller has them already."""
    problems = []
    if note.drafts:
        problems.append(
            "Some answers are not valid yet: correct the fields marked on the note first."
        )
    problems += notes.sign_problems(note.content)
    if alerts is None:
        alerts = list(RedFlagAlert.objects.filter(treatment_note=note)) if note.pk else []
    for alert in alerts:
        if alert.acknowledged_at is None:
            problems.append(
                f"This note raised a red-flag alert ({alert.summary}). "
                "Record what was done on the alert page before signing."
            )
    return problems


def note_sign(
    *, note: TreatmentNote, by: User, password: str, request: HttpRequest | None = None
) -> TreatmentNote:
    """Sign and lock, as an evaluation is signed: the password is checked first (through
    the sign-in lockout when there is a request), a wrong one audited in its own
    transaction."""
    if by.pk != note.therapist_id:
        raise NoteRefused(["Only the therapist who wrote this note can sign it."])
    if note.is_signed:
        raise NoteLocked
    if not signing.password_confirmed(
        record=note, by=by, password=password, request=request, stage="password when signing a note"
    ):
        raise NoteRefused([signing.PASSWORD_REFUSED])
    return _sign(note_id=note.pk, by=by)


@transaction.atomic
def _sign(*, note_id: int, by: User) -> TreatmentNote:
    note = (
        TreatmentNote.objects.select_for_update(of=("self",))
        .select_related("patient", "episode")
        .get(pk=note_id)
    )
    if note.is_signed:
        raise NoteLocked
    problems = sign_problems(note)
    if problems:
        raise NoteRefused(problems)
    note.status = TreatmentNote.Status.SIGNED
    note.signed_by = by
    note.signed_at = timezone.now()
    note.content_hash = content_hash(note)
    note.save(update_fields=["status", "signed_by", "signed_at", "content_hash"])
    audit_patient_record(
        note,
        actor=by,
        action=AuditEvent.Action.SIGN,
        summary=f"Signed the treatment note (visit {note.visit_number})",
        details={"content_hash": note.content_hash},
    )
    return note


# --- Addenda ----------------------------------------------------------------------------------


@transaction.atomic
def note_addendum_add(*, note: TreatmentNote, by: User, reason: str, text: str) -> NoteAddendum:
    note = TreatmentNote.objects.select_for_update(of=("self",)).get(pk=note.pk)
    if not note.is_signed:
        raise ValueError("Addenda are for signed notes; edit the draft instead.")
    reason, text = reason.strip(), text.strip()
    if not reason or not text:
        raise ValueError("Give both the reason and the text of the addendum.")
    at = timezone.now()
    digest = hashlib.sha256(
        _canonical(
            {
                "treatment_note": str(note.public_id),
                "note_hash": note.content_hash,
                "reason": reason,
                "text": text,
                "by": by.pk,
                "at": at.isoformat(),
            }
        ).encode()
    ).hexdigest()
    addendum = NoteAddendum.objects.create(
        note=note, by=by, reason=reason, text=text, at=at, content_hash=digest
    )
    audit_patient_record(
        note,
        actor=by,
        action=AuditEvent.Action.CREATE,
        summary=f"Added an addendum to a treatment note: {reason}"[:255],
        details={"addendum": str(addendum.public_id)},
    )
    return addendum
