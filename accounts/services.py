"""Staff account changes, each audited in the same transaction.

Through the clinic's pages nobody changes a superuser (they are managed on the server with
manage.py) or their own roles, and what an administrator does to someone else's sign-in
(a password or two-factor reset) is told to that person at their next sign-in. The views
ask for a fresh step-up (accounts.stepup) before calling the services that need one.
"""

from collections.abc import Iterable

from django.contrib.auth.models import Group
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from accounts import lockout, mfa
from accounts.models import AccountNotice, User
from accounts.roles import Role, forget_cached_roles
from audit.models import AuditEvent
from audit.services import audit_record

PROFILE_FIELDS = ("first_name", "last_name", "email", "licence_number", "is_active")


class ProtectedAccount(Exception):
    """A change the clinic's pages never make: to a superuser, or to one's own roles."""


def _refuse_superuser(user: User) -> None:
    if user.is_superuser:
        raise ProtectedAccount(
            "Superuser accounts are managed on the server (manage.py), not on these pages."
        )


def _by_on(by: User) -> str:
    name = by.get_full_name() or by.get_username()
    return f"{name} on {timezone.localtime():%d %b %Y at %H:%M}"


def _tell(user: User, message: str) -> None:
    AccountNotice.objects.create(user=user, message=message[:255])


def mark_reset(*, user: User, by: User, what: str) -> None:
    """Tell `user` at their next sign-in that `by` reset their `what` (also for a
    superuser's reset in the Django admin)."""
    _tell(user, f"Your {what} was reset by {_by_on(by)}.")


def _check_password(password: str, user: User) -> None:
    try:
        validate_password(password, user)
    except ValidationError as exc:
        raise ValidationError({"password": exc.error_list}) from exc


def _set_roles(user: User, roles: Iterable[Role]) -> None:
    role_names = {Role(r).value for r in roles}
    other_groups = [g for g in user.groups.all() if g.name not in {r.value for r in Role}]
    user.groups.set([*other_groups, *Group.objects.filter(name__in=role_names)])
    forget_cached_roles(user)


@transaction.atomic
def staff_create(
    *,
    by: User | None,
    username: str,
    password: str,
    roles: Iterable[Role],
    first_name: str = "",
    last_name: str = "",
    email: str = "",
    licence_number: str = "",
    must_change_password: bool = True,
) -> User:
    """A new staff account. The administrator chose its first password, so the person
    picks their own at their first sign-in (unless `must_change_password` is off: the
    synthetic demo accounts). `by` is None when no one signed in made it: the demo seed."""
    roles = list(roles)
    if not roles:
        raise ValidationError("Give the person at least one role.")
    user = User(
        username=username,
        first_name=first_name,
        last_name=last_name,
        email=email,
        licence_number=licence_number,
        must_change_password=must_change_password,
    )
    _check_password(password, user)
    user.set_password(password)
    user.full_clean()
    user.save()
    _set_roles(user, roles)
    audit_record(
        actor=by,
        action=AuditEvent.Action.CREATE,
        obj=user,
        summary=f"Created staff account {username}",
        details={"roles": sorted(Role(r).value for r in roles)},
    )
    return user


@transaction.atomic
def staff_update(*, by: User, user: User, data: dict, roles: Iterable[Role]) -> list[str]:
    role_codes = sorted(Role(r).value for r in roles)
    if not role_codes:
        raise ValidationError("Give the person at least one role.")
    user = User.objects.select_for_update().get(pk=user.pk)
    _refuse_superuser(user)
    if user == by and not data.get("is_active", True):
        raise ValidationError("You cannot deactivate your own account.")
    old_roles = sorted(
        user.groups.filter(name__in=[r.value for r in Role]).values_list("name", flat=True)
    )
    if user == by and old_roles != role_codes:
        raise ProtectedAccount(
            "You cannot change your own roles: another administrator does that for you."
        )
    changed = [f for f in PROFILE_FIELDS if f in data and getattr(user, f) != data[f]]
    for name in changed:
        setattr(user, name, data[name])
    if data.get("kiosk_pin"):
        user.set_kiosk_pin(data["kiosk_pin"])
        changed.append("kiosk_pin")
        if user != by:
            _tell(user, f"Your kiosk PIN was set by {_by_on(by)}.")
    if changed:
        user.full_clean()
        user.save()
    if old_roles != role_codes:
        _set_roles(user, [Role(code) for code in role_codes])
        changed.append("roles")
    if changed:
        audit_record(
            actor=by,
            action=AuditEvent.Action.UPDATE,
            obj=user,
            summary=f"Changed staff account {user.username}: {', '.join(changed)}",
            details={"fields": changed, "roles": role_codes, "previous_roles": old_roles},
        )
    return changed


@transaction.atomic
def staff_set_password(*, by: User, user: User, password: str) -> None:
    """An administrator resets someone else's password (after a step-up). The person must
    choose their own at their next sign-in and is told who reset it; their open sessions
    end (Django ties a session to the password)."""
    user = User.objects.select_for_update().get(pk=user.pk)
    _refuse_superuser(user)
    if user == by:
        raise ProtectedAccount("Change your own password under Your password instead.")
    _check_password(password, user)
    user.set_password(password)
    user.must_change_password = True
    user.save(update_fields=["password", "must_change_password"])
    mark_reset(user=user, by=by, what="password")
    audit_record(
        actor=by,
        action=AuditEvent.Action.PASSWORD,
        obj=user,
        summary=f"Reset the password of {user.username} (to be changed at their next sign-in)",
        details={"fields": ["password"]},
    )


@transaction.atomic
def password_change(*, user: User, password: str) -> None:
    """A person sets their own password (the view has checked the current password and,
    for those with an authenticator app, a fresh code)."""
    user = User.objects.select_for_update().get(pk=user.pk)
    _check_password(password, user)
    forced = user.must_change_password
    user.set_password(password)
    user.must_change_password = False
    user.save(update_fields=["password", "must_change_password"])
    audit_record(
        actor=user,
        action=AuditEvent.Action.PASSWORD,
        obj=user,
        summary="Changed their own password" + (" (as required after a reset)" if forced else ""),
        details={"fields": ["password"]},
    )


@transaction.atomic
def staff_unlock(*, by: User, user: User) -> int:
    """Lift a sign-in lockout before its cool-off ends: the failures counted for this
    username from every address, and django-otp's wait after wrong codes. Returns how many
    counted attempts were cleared."""
    _refuse_superuser(user)
    cleared = lockout.clear_all_failures(username=user.get_username())
    mfa.reset_throttling(user)
    audit_record(
        actor=by,
        action=AuditEvent.Action.UNLOCK,
        obj=user,
        summary=f"Unlocked sign-in for {user.username}",
        details={"cleared_attempts": cleared},
    )
    return cleared


@transaction.atomic
def staff_mfa_reset(*, by: User, user: User) -> int:
    """Remove a person's authenticator app and recovery codes (a lost or replaced phone).
    Their sessions stop counting as verified at once, and they set two-factor sign-in up
    again at their next step, and are told who reset it. Returns how many devices were
    removed."""
    _refuse_superuser(user)
    if user == by:
        raise ProtectedAccount("Another administrator resets your own two-factor sign-in.")
    removed = mfa.remove_devices(user)
    if removed:
        _tell(user, f"Your two-factor sign-in was reset by {_by_on(by)}. Set it up again now.")
    audit_record(
        actor=by,
        action=AuditEvent.Action.MFA_RESET,
        obj=user,
        summary=f"Reset two-factor sign-in for {user.username}",
        details={"devices_removed": removed},
    )
    return removed
