import uuid
from typing import TYPE_CHECKING

from django.contrib.auth.hashers import check_password, make_password
from django.contrib.auth.models import AbstractUser
from django.db import models


class User(AbstractUser):
    """A member of staff. Never deleted: deactivated, so the audit trail keeps its actor."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    # Professional registration shown in signature blocks (e.g. a PT licence number).
    licence_number = models.CharField("licence or registration number", max_length=50, blank=True)
    # A short PIN that unlocks the intake tablet's kiosk mode; stored hashed, like a password.
    kiosk_pin = models.CharField(max_length=128, blank=True)
    # Set when an administrator chose this password (a new account, a reset): the person
    # must pick their own at their next sign-in, so an administrator never keeps a
    # working password of someone else's (accounts.middleware.PasswordChangeMiddleware).
    must_change_password = models.BooleanField(default=False)

    class Meta:
        ordering = ["last_name", "first_name", "username"]
        permissions = [("manage_staff", "Can create and edit staff accounts and their roles")]

    if TYPE_CHECKING:
        # django_otp's OTPMiddleware gives the request's user this method: whether this
        # session passed the second factor. A user loaded any other way lacks it.
        def is_verified(self) -> bool: ...

    def set_kiosk_pin(self, pin: str) -> None:
        self.kiosk_pin = make_password(pin) if pin else ""

    def check_kiosk_pin(self, pin: str) -> bool:
        return bool(self.kiosk_pin) and check_password(pin, self.kiosk_pin)

    def __str__(self) -> str:
        return self.get_full_name() or self.username


class AccountNotice(models.Model):
    """Something done to a person's sign-in by somebody else (an administrator reset their
    password or two-factor sign-in), told to them the next time they sign in."""

    user = models.ForeignKey(User, on_delete=models.PROTECT, related_name="notices")
    message = models.CharField(max_length=255)
    created_at = models.DateTimeField(auto_now_add=True)
    seen_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["created_at", "pk"]
        indexes = [
            models.Index(
                fields=["user"], name="notice_unseen_idx", condition=models.Q(seen_at__isnull=True)
            )
        ]

    def __str__(self) -> str:
        return self.message
