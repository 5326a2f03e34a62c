"""Sign-in events for the audit trail. Django and axes report them only through signals."""

from axes.signals import user_locked_out
from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.dispatch import receiver

from accounts import lockout, mfa
from audit.models import AuditEvent
from audit.services import audit_record


@receiver(user_logged_in)
def _logged_in(sender, request, user, **kwargs) -> None:
    needs_code = mfa.required_for(user)
    audit_record(
        actor=user,
        action=AuditEvent.Action.LOGIN,
        obj=user,
        summary="Password accepted; two-factor check next" if needs_code else "",
    )
    # Failed attempts are cleared when the sign-in is complete: here for those who need no
    # second factor, after the code for those who do (accounts/mfa.py).
    if request is not None and not needs_code:
        lockout.clear_failures(request, username=user.get_username())


@receiver(user_logged_out)
def _logged_out(sender, request, user, **kwargs) -> None:
    if user is not None:
        audit_record(actor=user, action=AuditEvent.Action.LOGOUT, obj=user)


@receiver(user_login_failed)
def _login_failed(sender, credentials, request=None, **kwargs) -> None:
    # The password is never recorded; Django has already masked it in `credentials`.
    username = str(credentials.get("username", ""))[:150]
    # What was being checked when it was not the sign-in form (accounts/lockout.py).
    stage = str(credentials.get("stage", ""))[:60]
    user = getattr(request, "user", None)
    actor = (
        user
        if user is not None and user.is_authenticated and user.get_username() == username
        else None
    )
    audit_record(
        actor=actor,
        action=AuditEvent.Action.LOGIN_FAILED,
        summary=f"Failed sign-in as {username!r}" + (f": wrong {stage}" if stage else ""),
        details={"username": username, **({"stage": stage} if stage else {})},
    )


@receiver(user_locked_out)
def _locked_out(sender, request, username, ip_address, **kwargs) -> None:
    # Axes also sends this for each try during a lockout; those are audited as failed
    # sign-ins. Only the failure that starts a lockout carries its count.
    failures = getattr(request, "axes_failures_since_start", None)
    if failures is None:
        return
    username = str(username or "")[:150]
    until = lockout.locked_until(username, ip_address)
    audit_record(
        actor=None,
        action=AuditEvent.Action.LOCKOUT,
        summary=f"Locked out sign-in as {username!r} from this address after "
        f"{failures} failed attempts",
        details={"username": username, "failures": failures, "until": until.isoformat()},
    )
