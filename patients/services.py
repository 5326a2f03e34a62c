"""Every write to a patient record, each with its audit entry in the same transaction."""

from typing import Any

from django.db import IntegrityError, transaction

from audit.models import AuditEvent
from audit.services import audit_record
from patients.models import Patient
from patients.mrn import new_mrn

# Fields a form may set; the MRN, public id and search columns are the system's.
EDITABLE_FIELDS = (
    "given_name",
    "family_name",
    "preferred_name",
    "date_of_birth",
    "sex",
    "phone",
    "email",
    "address_line1",
    "address_line2",
    "city",
    "region",
    "postal_code",
    "country",
    "preferred_language",
    "interpreter_needed",
    "emergency_contact_name",
    "emergency_contact_relationship",
    "emergency_contact_phone",
)

_MRN_ATTEMPTS = 10


@transaction.atomic
def patient_create(*, by, data: dict[str, Any]) -> Patient:
    patient = Patient(**{k: v for k, v in data.items() if k in EDITABLE_FIELDS})
    patient._history_user = by
    patient.full_clean(exclude=["mrn"])
    for _ in range(_MRN_ATTEMPTS):
        patient.mrn = new_mrn()
        try:
            # A savepoint, so a rare MRN collision retries without losing the transaction.
            with transaction.atomic():
                patient.save()
            break
        except IntegrityError:
            if not Patient.objects.filter(mrn=patient.mrn).exists():
                raise
    else:
        raise RuntimeError("Could not allocate a unique MRN")
    audit_record(
        actor=by,
        action=AuditEvent.Action.CREATE,
        patient=patient,
        obj=patient,
        summary=f"Registered patient {patient.mrn}",
    )
    return patient


@transaction.atomic
def patient_update(
    *, by, patient: Patient, data: dict[str, Any], actor_name: str = ""
) -> list[str]:
    """Apply changes; returns the names of the fields that changed (none: nothing written).
    `by` is None when the patient changed their own details on the tablet (`actor_name`)."""
    patient = Patient.objects.select_for_update().get(pk=patient.pk)
    changed = []
    for name in EDITABLE_FIELDS:
        if name in data and getattr(patient, name) != data[name]:
            setattr(patient, name, data[name])
            changed.append(name)
    if not changed:
        return []
    patient.full_clean()
    patient._history_user = by
    patient.save()
    labels = [Patient.field_label(name) for name in changed]
    audit_record(
        actor=by,
        action=AuditEvent.Action.UPDATE,
        patient=patient,
        obj=patient,
        summary=("Changed " + ", ".join(labels))[:255],
        details={"fields": changed},
        actor_name=actor_name,
    )
    return changed
