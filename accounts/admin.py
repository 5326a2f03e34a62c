from axes import admin as axes_admin
from axes.models import AccessAttempt, AccessFailureLog, AccessLog
from django.contrib import admin
from django.contrib.auth.admin import UserAdmin
from django.db import transaction
from django.db.models import Count
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts.models import User
from accounts.services import mark_reset
from core.admin import ReadOnlyAdmin


@admin.register(User)
class StaffAdmin(UserAdmin):
    # Django's stubs allow a ModelAdmin without fieldsets; UserAdmin always has them.
    fieldsets = (*(UserAdmin.fieldsets or ()), ("Clinic", {"fields": ("licence_number",)}))

    def user_change_password(self, request, id, form_url=""):
        # The new password and its audit entry (core.admin, log_change) commit together.
        with transaction.atomic():
            response = super().user_change_password(request, id, form_url)
            if request.method == "POST" and response.status_code == 302:
                # As on the clinic's pages (accounts.services.staff_set_password): a
                # password chosen for somebody else is changed at their next sign-in, and
                # they are told who set it.
                user = User.objects.get(pk=id)
                if user != request.user:
                    User.objects.filter(pk=user.pk).update(must_change_password=True)
                    mark_reset(user=user, by=request.user, what="password")
            return response


# --- Two-factor devices and sign-in lockout ------------------------------------------------
# The admins these packages register show too much: django-otp's shows an authenticator's
# secret key, and a QR code of it on extra pages, and lets it be edited; axes' shows the form
# data of failed sign-ins. These replace them, read-only: people set up their app on the
# two-factor pages, and administrators reset it or unlock an account under Staff, audited.


class AuthenticatorAppAdmin(ReadOnlyAdmin):
    """An authenticator app (TOTP device) without its secret key. No QR code or config
    page either: those are django-otp's admin's, which this replaces."""

    list_display = ("user", "name", "confirmed", "created_at", "last_used_at")
    list_filter = ("confirmed",)
    list_select_related = ("user",)
    search_fields = ("user__username",)
    fields = (
        "user",
        "name",
        "confirmed",
        "created_at",
        "last_used_at",
        "step",
        "t0",
        "digits",
        "tolerance",
        "drift",
        "throttling_failure_timestamp",
        "throttling_failure_count",
    )
    # The field list already leaves it out; this keeps it out of any form made from it.
    exclude = ("key",)


class RecoveryCodesAdmin(ReadOnlyAdmin):
    """A person's recovery codes: how many are left, never the codes' digests."""

    list_display = ("user", "name", "confirmed", "codes_left", "created_at", "last_used_at")
    list_select_related = ("user",)
    search_fields = ("user__username",)
    fields = ("user", "name", "confirmed", "codes_left", "created_at", "last_used_at")
    readonly_fields = ("codes_left",)

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(codes=Count("token_set"))

    @admin.display(description="Recovery codes left")
    def codes_left(self, device: StaticDevice) -> int:
        return device.codes


class AccessAttemptAdmin(ReadOnlyAdmin, axes_admin.AccessAttemptAdmin):
    """Failed sign-ins, without what was typed in the form (a username typed into the
    password box, a patient's details on a page that asked for a password again)."""

    fieldsets = (
        (None, {"fields": ("username", "path_info", "failures_since_start", "expiration")}),
        ("Meta data", {"fields": ("user_agent", "ip_address", "http_accept")}),
    )
    readonly_fields = [
        f
        for f in axes_admin.AccessAttemptAdmin.readonly_fields
        if f not in ("get_data", "post_data")
    ]
    actions = []


class AccessLogAdmin(ReadOnlyAdmin, axes_admin.AccessLogAdmin):
    pass


class AccessFailureLogAdmin(ReadOnlyAdmin, axes_admin.AccessFailureLogAdmin):
    pass


for model, model_admin in (
    (TOTPDevice, AuthenticatorAppAdmin),
    (StaticDevice, RecoveryCodesAdmin),
    (AccessAttempt, AccessAttemptAdmin),
    (AccessLog, AccessLogAdmin),
    (AccessFailureLog, AccessFailureLogAdmin),
):
    if admin.site.is_registered(model):
        admin.site.unregister(model)
    admin.site.register(model, model_admin)
