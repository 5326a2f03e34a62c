"""Staff account changes, each audited in the same transaction."""

from collections.abc import Iterable

from django.contrib.auth.models import Group
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import transaction

from accounts import lockout, mfa
from accounts.models import User
from accounts.roles import Role
from audit.models import AuditEvent
from audit.services import audit_record

PROFILE_FIELDS = ("first_name", "last_name", "email", "licence_number", "is_active")


def _check_password(password: str, user: User) -> None:
    try:
        validate_password(password, user)
    except ValidationError as exc:
        raise ValidationError({"password": exc.error_list}) from exc


def _set_roles(user: User, roles: Iterable[Role]) -> None:
    role_names = {Role(r).value for r in roles}
    other_groups = [g for g in user.groups.all() if g.name not in {r.value for r in Role}]
    user.groups.set([*other_groups, *Group.objects.filter(name__in=role_names)])
    user._roles_cache = None


@transaction.atomic
def staff_create(
    *,
    by: User,
    username: str,
    password: str,
    roles: Iterable[Role],
    first_name: str = "",
    last_name: str = "",
    email: str = "",
    licence_number: str = "",
) -> User:
    roles = list(roles)
    if not roles:
        raise ValidationError("Give the person at least one role.")
    user = User(
        username=username,
        first_name=first_name,
        last_name=last_name,
        email=email,
        licence_number=licence_number,
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
    roles = sorted(Role(r).value for r in roles)
    if not roles:
        raise ValidationError("Give the person at least one role.")
    user = User.objects.select_for_update().get(pk=user.pk)
    if user == by and not data.get("is_active", True):
        raise ValidationError("You cannot deactivate your own account.")
    if user == by and Role.ADMINISTRATOR.value not in roles and not user.is_superuser:
        raise ValidationError("You cannot remove your own administrator role.")
    changed = [f for f in PROFILE_FIELDS if f in data and getattr(user, f) != data[f]]
    for name in changed:
        setattr(user, name, data[name])
    old_roles = sorted(
        user.groups.filter(name__in=[r.value for r in Role]).values_list("name", flat=True)
    )
    if data.get("kiosk_pin"):
        user.set_kiosk_pin(data["kiosk_pin"])
        changed.append("kiosk_pin")
    if changed:
        user.full_clean()
        user.save()
    if old_roles != roles:
        _set_roles(user, roles)
        changed.append("roles")
    if changed:
        audit_record(
            actor=by,
            action=AuditEvent.Action.UPDATE,
            obj=user,
            summary=f"Changed staff account {user.username}: {', '.join(changed)}",
            details={"fields": changed, "roles": roles, "previous_roles": old_roles},
        )
    return changed


@transaction.atomic
def staff_set_password(*, by: User, user: User, password: str) -> None:
    _check_password(password, user)
    user.set_password(password)
    user.save(update_fields=["password"])
    audit_record(
        actor=by,
        action=AuditEvent.Action.UPDATE,
        obj=user,
        summary=f"Set a new password for {user.username}",
        details={"fields": ["password"]},
    )


@transaction.atomic
def staff_unlock(*, by: User, user: User) -> int:
    """Lift a sign-in lockout before its cool-off ends: the failures counted for this
    username from every address, and django-otp's wait after wrong codes. Returns how many
    counted attempts were cleared."""
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
    again at their next step. Returns how many devices were removed."""
    removed = mfa.remove_devices(user)
    audit_record(
        actor=by,
        action=AuditEvent.Action.MFA_RESET,
        obj=user,
        summary=f"Reset two-factor sign-in for {user.username}",
        details={"devices_removed": removed},
    )
    return removed
