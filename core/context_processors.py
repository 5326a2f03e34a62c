from django.conf import settings
from django.http import HttpRequest

from accounts.roles import roles_of
from core.models import Clinic


def clinic(request: HttpRequest) -> dict:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        # The patient's tablet shows the clinic's name and phone, nothing of staff's.
        return {"clinic": Clinic.objects.current()} if getattr(request, "kiosk", None) else {}
    return {
        "clinic": Clinic.objects.current(),
        "user_roles": roles_of(user),
        "DATE_INPUT_ORDER": settings.DATE_INPUT_ORDER,
        "ALERT_POLL_SECONDS": settings.ALERT_POLL_SECONDS,
        "idle_seconds": settings.STAFF_IDLE_MINUTES * 60,
        "idle_warning_seconds": settings.STAFF_IDLE_WARNING_SECONDS,
    }
