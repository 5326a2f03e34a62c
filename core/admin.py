from django.contrib import admin

from core.models import Clinic, WorkerHeartbeat


class ReadOnlyAdmin(admin.ModelAdmin):
    """Clinical and audit data changes only through the app, where every change is
    audited. The Django admin is a superuser's read-only window."""

    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


admin.site.register(Clinic, ReadOnlyAdmin)
admin.site.register(WorkerHeartbeat, ReadOnlyAdmin)
