"""Sign-in events for the audit trail. Django reports them only through signals."""

from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.dispatch import receiver

from audit.models import AuditEvent
from audit.services import audit_record


@receiver(user_logged_in)
def _logged_in(sender, request, user, **kwargs) -> None:
    audit_record(actor=user, action=AuditEvent.Action.LOGIN, obj=user)


@receiver(user_logged_out)
def _logged_out(sender, request, user, **kwargs) -> None:
    if user is not None:
        audit_record(actor=user, action=AuditEvent.Action.LOGOUT, obj=user)


@receiver(user_login_failed)
def _login_failed(sender, credentials, request=None, **kwargs) -> None:
    # The password is never recorded; Django has already masked it in `credentials`.
    username = str(credentials.get("username", ""))[:150]
    audit_record(
        actor=None,
        action=AuditEvent.Action.LOGIN_FAILED,
        summary=f"Failed sign-in as {username!r}",
        details={"username": username},
    )
