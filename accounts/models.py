import uuid

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

    class Meta:
        ordering = ["last_name", "first_name", "username"]
        permissions = [("manage_staff", "Can create and edit staff accounts and their roles")]

    def set_kiosk_pin(self, pin: str) -> None:
        self.kiosk_pin = make_password(pin) if pin else ""

    def check_kiosk_pin(self, pin: str) -> bool:
        return bool(self.kiosk_pin) and check_password(pin, self.kiosk_pin)

    def __str__(self) -> str:
        return self.get_full_name() or self.username
