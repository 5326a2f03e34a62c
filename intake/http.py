"""The request as a patient's device makes it, for the kiosk's annotations.

Django passes a plain HttpRequest; these classes only tell the type checker what
intake.middleware.KioskMiddleware and intake.kiosk_views.kiosk_view set on it. Nothing is
ever built from them.
"""

from typing import TypedDict

from core.http import ClinicRequest
from intake.models import Intake, IntakeAccess
from intake.patient_session import Ended


class KioskSession(TypedDict):
    """What intake.patient_session.start keeps in the session for a patient's device."""

    intake: int  # Intake.pk
    access: int  # IntakeAccess.pk
    kind: str  # IntakeAccess.Kind: "kiosk" or "link"
    seen: int  # last use, in seconds since the epoch


class PatientRequest(ClinicRequest):
    """Any request once the kiosk middleware has run: these are None unless the device
    holds a patient session."""

    kiosk: KioskSession | None
    patient_access: IntakeAccess | None  # the grant the session stands on
    patient_session_ended: Ended | None  # why the session ended on this very request


class KioskRequest(PatientRequest):
    """A request kiosk_view let through: the device holds a patient's intake."""

    kiosk: KioskSession
    patient_access: IntakeAccess
    intake: Intake  # loaded when first read (a SimpleLazyObject standing in for it)
