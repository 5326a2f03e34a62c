"""Every write to an episode of care, each with its audit entry in the same transaction.

Rules that a person can break get a `ValidationError` naming the field, so a form shows
the message beside it and keeps what was typed: a second open episode, a discharge
before the start, an unknown ICD-10-CM code, a referral without its referrer.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Sequence
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from audit.models import AuditEvent
from audit.services import audit_patient_record, audit_record
from care import icd10
from care.models import DiagnosisCode, Episode, EpisodeDiagnosis, ReferralContact
from care.signals import episode_discharged
from patients.models import Patient

REFERRAL_FIELDS = ("referral", "referrer", "referral_date", "referral_reason")
CERTIFICATION_FIELDS = (
    "plan_sent_on",
    "plan_signed_on",
    "certification_start",
    "certification_end",
    "recertification_due",
)
CONTACT_FIELDS = ("name", "profession", "organisation", "phone", "fax", "secure_address")
SHIPPED_SOURCE = "ICD-10-CM FY2025 (NCHS/CMS), lumbar radicular subset shipped with the product"


def _check_referral(episode: Episode) -> None:
    errors: dict[str, str] = {}
    if episode.referral == Episode.Referral.REFERRED and episode.referrer_id is None:
        errors["referrer"] = "Choose the referring clinician, or record direct access."
    if episode.referral_date and episode.referral_date > timezone.localdate():
        errors["referral_date"] = "The referral date cannot be in the future."
    if episode.referral_date and episode.referral_date > episode.start_of_care:
        errors["referral_date"] = "The referral cannot be dated after the start of care."
    if errors:
        raise ValidationError(errors)


def _refuse_if_closed(episode: Episode, what: str) -> None:
    """A discharged episode is a closed record: its referral, certification and
    diagnoses stay as they were at discharge."""
    if not episode.is_open:
        on = f" on {episode.discharged_on:%d %b %Y}" if episode.discharged_on else ""
        raise ValidationError(
            f"This episode of care was discharged{on}: its {what} can no longer be changed."
        )


def _check_certification(episode: Episode) -> None:
    errors: dict[str, str] = {}
    today = timezone.localdate()
    if episode.plan_sent_on and episode.plan_sent_on > today:
        errors["plan_sent_on"] = "The plan of care cannot be sent in the future."
    if episode.plan_signed_on and episode.plan_signed_on > today:
        errors["plan_signed_on"] = "The signed plan cannot come back in the future."
    if (
        episode.plan_sent_on
        and episode.plan_signed_on
        and episode.plan_signed_on < episode.plan_sent_on
    ):
        errors.setdefault("plan_signed_on", "The signed plan cannot come back before it was sent.")
    if (
        episode.certification_start
        and episode.certification_end
        and episode.certification_end < episode.certification_start
    ):
        errors["certification_end"] = "The certification period must end after it starts."
    if errors:
        raise ValidationError(errors)


def episode_open_for(patient: Patient) -> Episode | None:
    return Episode.objects.open().filter(patient=patient).first()


@transaction.atomic
def episode_open(*, by: Any, patient: Patient, data: dict[str, Any] | None = None) -> Episode:
    """Open an episode of care for a patient who has none open. Raises ValidationError
    if one is open (the database's partial unique index is the last word, for two desks
    opening one at the same moment)."""
    Patient.objects.select_for_update().filter(pk=patient.pk).first()
    if Episode.objects.open().filter(patient=patient).exists():
        raise ValidationError(
            "This patient already has an open episode of care: discharge it before opening another."
        )
    data = data or {}
    episode = Episode(
        patient=patient,
        opened_by=by,
        **{k: data[k] for k in ("start_of_care", *REFERRAL_FIELDS) if k in data},
    )
    if episode.referral != Episode.Referral.REFERRED:
        episode.referrer = None
    if episode.start_of_care > timezone.localdate():
        raise ValidationError({"start_of_care": "The start of care cannot be in the future."})
    _check_referral(episode)
    try:
        with transaction.atomic():
            episode.save()
    except IntegrityError as e:
        raise ValidationError("This patient already has an open episode of care.") from e
    audit_patient_record(
        episode,
        actor=by,
        action=AuditEvent.Action.CREATE,
        summary=f"Opened an episode of care from {episode.start_of_care:%d %b %Y}",
        details={"referral": episode.referral},
    )
    return episode


@transaction.atomic
def episode_for_new_contact(*, by: Any, patient: Patient) -> Episode:
    """The episode a new intake or evaluation belongs to: the patient's open one, or a new
    one opened for it (direct access until the front desk records a referral)."""
    return episode_open_for(patient) or episode_open(by=by, patient=patient)


def _changed(episode: Episode, data: dict[str, Any], fields: Iterable[str]) -> list[str]:
    changed = []
    for name in fields:
        if name in data and getattr(episode, name) != data[name]:
            setattr(episode, name, data[name])
            changed.append(name)
    return changed


@transaction.atomic
def episode_update_referral(*, by: Any, episode: Episode, data: dict[str, Any]) -> list[str]:
    """Record or correct the referral (front desk or therapist). Returns the fields changed."""
    episode = Episode.objects.select_for_update().get(pk=episode.pk)
    _refuse_if_closed(episode, "referral")
    fields = [*REFERRAL_FIELDS, "start_of_care"]
    changed = _changed(episode, data, fields)
    if episode.referral != Episode.Referral.REFERRED and episode.referrer_id is not None:
        episode.referrer = None
        changed.append("referrer")
    if "start_of_care" in changed and episode.start_of_care > timezone.localdate():
        raise ValidationError({"start_of_care": "The start of care cannot be in the future."})
    _check_referral(episode)
    if changed:
        episode.save()
        audit_patient_record(
            episode,
            actor=by,
            action=AuditEvent.Action.UPDATE,
            summary="Changed the episode's referral",
            details={"fields": sorted(set(changed))},
        )
    return changed


@transaction.atomic
def episode_update_certification(*, by: Any, episode: Episode, data: dict[str, Any]) -> list[str]:
    """Record the plan of care's certification dates. Returns the fields changed."""
    episode = Episode.objects.select_for_update().get(pk=episode.pk)
    _refuse_if_closed(episode, "plan of care certification")
    changed = _changed(episode, data, CERTIFICATION_FIELDS)
    _check_certification(episode)
    if changed:
        episode.save()
        audit_patient_record(
            episode,
            actor=by,
            action=AuditEvent.Action.UPDATE,
            summary="Changed the plan of care's certification",
            details={"fields": changed},
        )
    return changed


def diagnosis_codes_check(texts: Sequence[str]) -> list[DiagnosisCode]:
    """The codes typed, as loaded DiagnosisCode rows in the order typed (duplicates
    dropped). Raises ValidationError naming each code that is malformed or not loaded."""
    wanted: list[str] = []
    errors: list[str] = []
    for text in texts:
        if not text.strip():
            continue
        code = icd10.normalise(text)
        if code is None:
            errors.append(f"{text.strip()!r} is not written as an ICD-10-CM code (e.g. M54.16).")
        elif code not in wanted:
            wanted.append(code)
    rows = {c.code: c for c in DiagnosisCode.objects.filter(code__in=wanted)}
    unknown = [code for code in wanted if code not in rows]
    errors += [f"{code} is not in this clinic's ICD-10-CM code list." for code in unknown]
    if errors:
        raise ValidationError(errors)
    return [rows[code] for code in wanted]


@transaction.atomic
def episode_set_diagnoses(*, by: Any, episode: Episode, codes: Sequence[str]) -> list[str]:
    """Replace the episode's diagnosis codes (therapist), first the primary. Returns the
    codes now recorded."""
    episode = Episode.objects.select_for_update().get(pk=episode.pk)
    _refuse_if_closed(episode, "diagnosis codes")
    chosen = diagnosis_codes_check(codes)
    before = list(episode.diagnoses.values_list("code__code", flat=True))
    after = [c.code for c in chosen]
    if before != after:
        episode.diagnoses.all().delete()
        EpisodeDiagnosis.objects.bulk_create(
            EpisodeDiagnosis(episode=episode, code=c, position=i, recorded_by=by)
            for i, c in enumerate(chosen)
        )
        episode.save(update_fields=["updated_at"])
        audit_patient_record(
            episode,
            actor=by,
            action=AuditEvent.Action.UPDATE,
            summary="Recorded the episode's diagnosis codes",
            details={"before": before, "after": after},
        )
    return after


@transaction.atomic
def episode_discharge(
    *,
    by: Any,
    episode: Episode,
    on: datetime.date,
    reason: str,
    note: str = "",
) -> Episode:
    """Close the episode (discharge). Raises ValidationError on a closed episode, a date
    before the start of care or in the future, or a reason not in the list."""
    episode = Episode.objects.select_for_update().get(pk=episode.pk)
    if not episode.is_open:
        raise ValidationError("This episode of care is already discharged.")
    errors: dict[str, str] = {}
    if on < episode.start_of_care:
        errors["discharged_on"] = (
            f"Discharge cannot be before the start of care ({episode.start_of_care:%d %b %Y})."
        )
    elif on > timezone.localdate():
        errors["discharged_on"] = "Discharge cannot be dated in the future."
    if reason not in Episode.DischargeReason.values:
        errors["discharge_reason"] = "Choose why the episode ends."
    elif reason == Episode.DischargeReason.OTHER and not note.strip():
        errors["discharge_note"] = "Say why, when the reason is other."
    if errors:
        raise ValidationError(errors)
    episode.status = Episode.Status.CLOSED
    episode.discharged_on = on
    episode.discharge_reason = reason
    episode.discharge_note = note.strip()
    episode.closed_at = timezone.now()
    episode.closed_by = by
    episode.save()
    audit_patient_record(
        episode,
        actor=by,
        action=AuditEvent.Action.UPDATE,
        summary=f"Discharged: {episode.get_discharge_reason_display()}",
        details={"discharged_on": on.isoformat(), "reason": reason},
    )
    episode_discharged.send(sender=Episode, episode=episode, by=by)
    return episode


@transaction.atomic
def referral_contact_save(
    *, by: Any, data: dict[str, Any], contact: ReferralContact | None = None
) -> ReferralContact:
    """Create a referring clinician, or change one."""
    created = contact is None
    contact = contact or ReferralContact(created_by=by)
    for name in CONTACT_FIELDS:
        if name in data:
            setattr(contact, name, data[name])
    contact.full_clean(exclude=["created_by"])
    contact.save()
    audit_record(
        actor=by,
        action=AuditEvent.Action.CREATE if created else AuditEvent.Action.UPDATE,
        obj=contact,
        summary=f"{'Added' if created else 'Changed'} referring clinician {contact.name}",
    )
    return contact


@transaction.atomic
def diagnosis_codes_load(
    *, codes: Iterable[icd10.Code], source: str, loaded_by: str = ""
) -> tuple[int, int]:
    """Load a code list (care.icd10.parse_lines): new codes added, titles updated.
    Returns (added, updated). Codes already recorded on episodes are never removed."""
    existing = {c.code: c for c in DiagnosisCode.objects.all()}
    # By code: a file that lists a code twice keeps its last title, added or updated once.
    added: dict[str, DiagnosisCode] = {}
    updated: dict[str, DiagnosisCode] = {}
    now = timezone.now()
    for c in codes:
        row = existing.get(c.code)
        if row is None:
            row = DiagnosisCode(code=c.code, title=c.title, source=source[:120], loaded_at=now)
            existing[c.code] = row
            added[c.code] = row
        elif row.title != c.title:
            row.title, row.source, row.loaded_at = c.title, source[:120], now
            if c.code not in added:
                updated[c.code] = row
    DiagnosisCode.objects.bulk_create(added.values(), batch_size=1000)
    DiagnosisCode.objects.bulk_update(
        updated.values(), ["title", "source", "loaded_at"], batch_size=1000
    )
    audit_record(
        actor=None,
        actor_name=loaded_by or "manage.py load_icd10_codes",
        action=AuditEvent.Action.UPDATE,
        summary=f"Loaded ICD-10-CM codes from {source[:120]}",
        details={"added": len(added), "updated": len(updated)},
    )
    return len(added), len(updated)
