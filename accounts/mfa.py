"""Two-factor sign-in for staff: an authenticator app (TOTP, django-otp) and ten single-use
recovery codes (otp_static).

Therapists and administrators (and superusers) always need it, the front desk when
MFA_FRONT_DESK is on, and anyone who has set it up. A session is "verified" once
django_otp.login() has recorded the device that passed; accounts.middleware keeps an
unverified session on the two-factor pages.
"""

import math
from base64 import b32encode, b64encode, urlsafe_b64encode
from dataclasses import dataclass

import qrcode
import qrcode.image.svg
from django.conf import settings
from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone
from django.utils.crypto import salted_hmac
from django_otp import login as otp_login
from django_otp.models import Device
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts import lockout
from accounts.models import User
from accounts.roles import Role, roles_of
from audit.models import AuditEvent
from audit.services import audit_record

RECOVERY_CODE_COUNT = 10
APP_DEVICE_NAME = "Authenticator app"
RECOVERY_DEVICE_NAME = "Recovery codes"
# New recovery codes wait here between the request that made them and the one page that
# shows them; that page takes them out of the session.
SESSION_FRESH_CODES = "mfa_fresh_recovery_codes"
# Recovery codes are stored as an HMAC of the code, keyed by SECRET_KEY (see
# recovery_digest). Changing the salt makes every stored code unusable.
RECOVERY_DIGEST_SALT = "accounts.mfa.recovery-code"


def required_for(user) -> bool:
    if not user.is_authenticated:
        return False
    roles = roles_of(user)
    if user.is_superuser or Role.THERAPIST in roles or Role.ADMINISTRATOR in roles:
        return True
    if Role.FRONT_DESK in roles and settings.MFA_FRONT_DESK:
        return True
    return has_two_factor(user)


def next_step(user) -> str:
    """Where a person who owes the second factor goes: the code, or setting up an app."""
    return "accounts:mfa-verify" if has_two_factor(user) else "accounts:mfa-setup"


def has_two_factor(user) -> bool:
    """Set up: an authenticator app confirmed with a code."""
    return TOTPDevice.objects.filter(user=user, confirmed=True).exists()


def pending_app_device(user: User) -> TOTPDevice:
    """The authenticator app being set up. Reloading the page keeps the same secret, so a
    code scanned before the reload still confirms it."""
    device = TOTPDevice.objects.filter(user=user, confirmed=False).order_by("-pk").first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name=APP_DEVICE_NAME, confirmed=False)
    return device


def secret_text(device: TOTPDevice) -> str:
    """The secret as authenticator apps take it typed in: base32, in groups of four."""
    secret = b32encode(device.bin_key).decode().rstrip("=")
    return " ".join(secret[i : i + 4] for i in range(0, len(secret), 4))


def qr_data_uri(device: TOTPDevice) -> str:
    """The otpauth:// link as an SVG QR code in a data: URI: drawn on the server, no
    script, and an <img> so the page's CSP (no inline style) does not apply inside it."""
    image = qrcode.make(
        device.config_url,
        image_factory=qrcode.image.svg.SvgPathFillImage,
        error_correction=qrcode.constants.ERROR_CORRECT_M,
        box_size=10,
        border=4,
    )
    svg = image.to_string(encoding="unicode")
    return "data:image/svg+xml;base64," + b64encode(svg.encode()).decode()


def normalise(code: str) -> str:
    """Codes as people type them: spaces and dashes dropped, any case."""
    return "".join(code.split()).replace("-", "").lower()


def format_recovery_code(code: str) -> str:
    return f"{code[:4]}-{code[4:]}"


def _is_app_code(code: str) -> bool:
    return len(code) == 6 and code.isdigit()


def recovery_digest(code: str, *, key: str | None = None) -> str:
    """What is stored for a recovery code: 96 bits of an HMAC-SHA256 of the code, keyed by
    SECRET_KEY (or `key`), as 16 characters (the most django-otp's token column holds).
    A copy of the database, such as a backup, then holds no code that signs anyone in,
    and without the key its 40-bit codes cannot be found by trying them all."""
    mac = salted_hmac(RECOVERY_DIGEST_SALT, normalise(code), secret=key, algorithm="sha256")
    return urlsafe_b64encode(mac.digest()[:12]).decode()


def _stored_recovery_token(device: StaticDevice, code: str) -> str:
    """The code's digest as this device stores it: under SECRET_KEY, or under one of
    SECRET_KEY_FALLBACKS for codes made before the key was rotated."""
    if not settings.SECRET_KEY_FALLBACKS:
        return recovery_digest(code)  # one key, one digest: nothing to look up
    keys = [settings.SECRET_KEY, *settings.SECRET_KEY_FALLBACKS]
    digests = [recovery_digest(code, key=key) for key in keys]
    stored = device.token_set.filter(token__in=digests).values_list("token", flat=True).first()
    return stored or digests[0]


def recovery_codes_left(user: User) -> int:
    return StaticToken.objects.filter(device__user=user, device__confirmed=True).count()


def _new_recovery_codes(user: User) -> list[str]:
    """Replace the person's recovery codes with ten new ones (the old stop working). The
    codes are returned to be shown once; only their digests are stored."""
    StaticDevice.objects.filter(user=user).delete()
    device = StaticDevice.objects.create(user=user, name=RECOVERY_DEVICE_NAME, confirmed=True)
    codes: set[str] = set()
    while len(codes) < RECOVERY_CODE_COUNT:
        codes.add(StaticToken.random_token())
    StaticToken.objects.bulk_create(
        StaticToken(device=device, token=recovery_digest(c)) for c in sorted(codes)
    )
    return sorted(codes)


def _mark_verified(request: HttpRequest, user: User, device: Device) -> None:
    otp_login(request, device)
    # The session just gained access to patient records: give it a new key.
    request.session.cycle_key()
    lockout.clear_failures(request, username=user.get_username())


@dataclass(frozen=True)
class CodeCheck:
    device: Device | None = None
    # Seconds before django-otp lets this device try again after wrong codes in a row.
    wait_seconds: int = 0
    recovery_codes_left: int | None = None

    @property
    def passed(self) -> bool:
        return self.device is not None


def _check_code(*, user: User, code: str, purpose: str) -> CodeCheck:
    """Check a code from the app or a recovery code (a used one never passes again:
    django-otp keeps the last time step; recovery codes are deleted). A pass is audited
    with `purpose`; a device django-otp is still throttling is not asked at all."""
    code = normalise(code)
    model = TOTPDevice if _is_app_code(code) else StaticDevice
    passed = None
    left = None
    with transaction.atomic():
        device = model.objects.select_for_update().filter(user=user, confirmed=True).first()
        if device is not None:
            allowed, info = device.verify_is_allowed()
            if not allowed:
                wait = (info or {}).get("locked_until")
                seconds = (wait - timezone.now()).total_seconds() if wait else 1
                return CodeCheck(wait_seconds=max(1, math.ceil(seconds)))
            token = code if model is TOTPDevice else _stored_recovery_token(device, code)
            if device.verify_token(token):
                passed = device
        if passed is not None:
            method = "authenticator app" if model is TOTPDevice else "recovery code"
            if model is StaticDevice:
                left = passed.token_set.count()
            audit_record(
                actor=user,
                action=AuditEvent.Action.MFA_VERIFY,
                obj=user,
                summary=f"Passed the two-factor check with {_article(method)} {method}"
                + (f" ({purpose})" if purpose else ""),
                details={"method": method, "recovery_codes_left": left},
            )
    return CodeCheck(device=passed, recovery_codes_left=left)


def _article(word: str) -> str:
    return "an" if word[:1] in "aeiou" else "a"


def verify(*, request: HttpRequest, user: User, code: str) -> CodeCheck:
    """Check a code at sign-in and, if it passes, mark the session verified. A wrong code
    counts toward the sign-in lockout and is audited (accounts/signals.py); a throttled
    device's wait costs the person no lockout count."""
    check = _check_code(user=user, code=code, purpose="")
    if check.wait_seconds:
        return check
    if not check.passed:
        lockout.record_failure(request, username=user.get_username(), stage="two-factor code")
        return check
    _mark_verified(request, user, check.device)
    return check


def confirm(*, request: HttpRequest, user: User, code: str, purpose: str) -> CodeCheck:
    """A fresh code from a person already signed in (confirming it is them before a
    sensitive change): the same check and lockout as at sign-in, without touching the
    session's verified state."""
    check = _check_code(user=user, code=code, purpose=purpose)
    if not check.passed and not check.wait_seconds:
        lockout.record_failure(
            request, username=user.get_username(), stage=f"two-factor code ({purpose})"
        )
    return check


def enrol(*, request: HttpRequest, user: User, code: str) -> list[str] | None:
    """Confirm the pending authenticator app with a code it shows. On success the session
    is verified and the ten new recovery codes are returned (to be shown once); None if the
    code did not match."""
    with transaction.atomic():
        device = (
            TOTPDevice.objects.select_for_update()
            .filter(user=user, confirmed=False)
            .order_by("-pk")
            .first()
        )
        if device is None or not device.verify_token(normalise(code)):
            return None
        device.confirmed = True
        device.save(update_fields=["confirmed"])
        # Any other app device (an abandoned set-up) would be a second way in.
        TOTPDevice.objects.filter(user=user).exclude(pk=device.pk).delete()
        codes = _new_recovery_codes(user)
        audit_record(
            actor=user,
            action=AuditEvent.Action.MFA_ENROL,
            obj=user,
            summary="Set up two-factor sign-in with an authenticator app",
            details={"recovery_codes": len(codes)},
        )
    _mark_verified(request, user, device)
    return codes


@transaction.atomic
def regenerate_recovery_codes(*, user: User) -> list[str]:
    """New recovery codes for a verified person; the old ones stop working."""
    codes = _new_recovery_codes(user)
    audit_record(
        actor=user,
        action=AuditEvent.Action.MFA_CODES,
        obj=user,
        summary="Made new recovery codes (the old ones no longer work)",
        details={"recovery_codes": len(codes)},
    )
    return codes


def remove_devices(user: User) -> int:
    """Delete the person's app and recovery codes (an administrator's reset). Call inside
    the transaction that audits it."""
    removed = TOTPDevice.objects.filter(user=user).delete()[1].get(TOTPDevice._meta.label, 0)
    removed += StaticDevice.objects.filter(user=user).delete()[1].get(StaticDevice._meta.label, 0)
    return removed


def reset_throttling(user: User) -> None:
    """Let the person's devices take a code at once again (an administrator's unlock)."""
    for model in (TOTPDevice, StaticDevice):
        model.objects.filter(user=user).update(
            throttling_failure_count=0, throttling_failure_timestamp=None
        )
