"""What signing an evaluation and signing a treatment note share: the signer's password,
checked through the sign-in lockout when there is a request, and a wrong one audited in
its own transaction, so the record of the refusal survives the refusal."""

from __future__ import annotations

from django.db import models, transaction
from django.http import HttpRequest

from accounts.lockout import recheck_password
from accounts.models import User
from audit.models import AuditEvent
from audit.services import audit_patient_record

PASSWORD_REFUSED = "That password is not right. Enter your own sign-in password."  # noqa: S105  (a message)


def password_confirmed(
    *, record: models.Model, by: User, password: str, request: HttpRequest | None, stage: str
) -> bool:
    """Whether `password` is `by`'s; a wrong one counts toward the lockout (with the
    request) and leaves a DENIED entry on `record`, a patient's record."""
    if recheck_password(request=request, user=by, password=password, stage=stage):
        return True
    with transaction.atomic():
        audit_patient_record(
            record,
            actor=by,
            action=AuditEvent.Action.DENIED,
            summary="Signature refused: the password did not match",
        )
    return False
