"""The one way to write an audit entry. Call it inside the same transaction as the
change it records, so the change and its audit entry commit or fail together."""

from collections.abc import Iterable
from typing import Any

from django.db import models

from audit.models import AuditEvent
from core import request_context
from core.text import storable


def _storable(value: Any) -> Any:
    """Text as the audit table can hold it. Entries quote what people sent (filters,
    paths), and what someone typed must never make the request fail to be recorded."""
    if isinstance(value, str):
        return storable(value)
    if isinstance(value, dict):
        return {_storable(k): _storable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_storable(v) for v in value]
    return value


def shown_mrns(*record_lists: Iterable[Any]) -> list[str]:
    """The MRNs of the patients a list page showed, for its VIEW entry: records are
    anything with a `patient` (and `patient_id`), and some have none."""
    return sorted({r.patient.mrn for records in record_lists for r in records if r.patient_id})


def audit_record(
    *,
    actor,
    action: AuditEvent.Action,
    patient=None,
    obj: models.Model | None = None,
    summary: str = "",
    details: dict[str, Any] | None = None,
    actor_name: str = "",
) -> AuditEvent:
    """`actor_name` names an actor with no account, such as a patient on the tablet."""
    info = request_context.current()
    if actor is not None and not actor.is_authenticated:
        actor = None
    object_type, object_id = "", ""
    if obj is not None:
        object_type = obj._meta.model_name or ""
        object_id = str(getattr(obj, "public_id", None) or obj.pk)
    return AuditEvent.objects.create(
        actor=actor,
        actor_name=storable(actor.get_username() if actor is not None else actor_name)[:150],
        action=action,
        object_type=object_type,
        object_id=object_id,
        patient=patient,
        summary=storable(summary)[:255],
        details=_storable(details or {}),
        ip_address=info.ip_address if info else None,
        request_id=info.request_id if info else "",
    )


def audit_patient_record(
    record: models.Model,
    *,
    actor,
    action: AuditEvent.Action,
    summary: str,
    details: dict[str, Any] | None = None,
    actor_name: str = "",
) -> AuditEvent:
    """audit_record for a record that belongs to a patient (it has `.patient`)."""
    return audit_record(
        actor=actor,
        action=action,
        # The records come from the apps above audit, which it cannot name; the
        # docstring's contract is all it has.
        patient=record.patient,  # type: ignore[attr-defined]
        obj=record,
        summary=summary,
        details=details,
        actor_name=actor_name,
    )
