from django.conf import settings
from django.db import models
from django.utils import timezone


class AppendOnlyError(Exception):
    """Raised when code tries to change or delete an audit entry."""


class AuditEventQuerySet(models.QuerySet):
    def update(self, **kwargs):
        raise AppendOnlyError("Audit entries cannot be changed.")

    def delete(self):
        raise AppendOnlyError("Audit entries cannot be deleted.")

    def for_patient(self, patient) -> "AuditEventQuerySet":
        return self.filter(patient=patient)

    def with_related(self) -> "AuditEventQuerySet":
        return self.select_related("actor", "patient")


class AuditEvent(models.Model):
    """Who viewed, created, changed or exported which record, when and from where.

    Append-only: the model refuses updates and deletes, and on PostgreSQL a trigger
    refuses them for any SQL client too (migration 0002).
    """

    class Action(models.TextChoices):
        VIEW = "view", "Viewed"
        SEARCH = "search", "Searched"
        CREATE = "create", "Created"
        UPDATE = "update", "Changed"
        EXPORT = "export", "Exported"
        DOWNLOAD = "download", "Downloaded"
        LOGIN = "login", "Signed in"
        LOGOUT = "logout", "Signed out"
        LOGIN_FAILED = "login_failed", "Failed sign-in"
        DENIED = "denied", "Refused"
        SUBMIT = "submit", "Submitted"
        ALERT = "alert", "Raised alert"
        ACKNOWLEDGE = "acknowledge", "Acknowledged"
        SIGN = "sign", "Signed"
        # Sign-in security: second factor and lockout.
        MFA_ENROL = "mfa_enrol", "Set up two-factor sign-in"
        MFA_VERIFY = "mfa_verify", "Passed two-factor check"
        MFA_CODES = "mfa_codes", "Made new recovery codes"
        MFA_RESET = "mfa_reset", "Reset two-factor sign-in"
        LOCKOUT = "lockout", "Locked out"
        UNLOCK = "unlock", "Unlocked"
        # An administrator confirming it is them (password and a fresh code) before
        # changing someone else's sign-in; a password chosen or changed.
        STEP_UP = "step_up", "Confirmed identity"
        PASSWORD = "password", "Changed password"
        DELETE = "delete", "Deleted"

    at = models.DateTimeField(default=timezone.now, editable=False)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    # Snapshot of the actor's name at the time, so renaming an account rewrites nothing.
    actor_name = models.CharField(max_length=150, blank=True)
    action = models.CharField(max_length=20, choices=Action)
    object_type = models.CharField(max_length=50, blank=True)
    object_id = models.CharField(max_length=64, blank=True)
    patient = models.ForeignKey(
        "patients.Patient",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="audit_events",
    )
    summary = models.CharField(max_length=255, blank=True)
    details = models.JSONField(default=dict, blank=True)
    ip_address = models.GenericIPAddressField(null=True, blank=True)
    request_id = models.CharField(max_length=64, blank=True)

    objects = AuditEventQuerySet.as_manager()

    class Meta:
        ordering = ["-at", "-id"]
        # One index per filter on the audit browser, newest first.
        indexes = [
            models.Index(fields=["-at", "-id"], name="audit_at_idx"),
            models.Index(fields=["actor", "-at"], name="audit_actor_at_idx"),
            models.Index(fields=["patient", "-at"], name="audit_patient_at_idx"),
            models.Index(fields=["action", "-at"], name="audit_action_at_idx"),
            models.Index(fields=["object_type", "-at"], name="audit_object_at_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.actor_name or 'anonymous'} {self.action}"

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise AppendOnlyError("Audit entries cannot be changed.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise AppendOnlyError("Audit entries cannot be deleted.")
