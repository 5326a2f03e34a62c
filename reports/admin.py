from django.contrib import admin

from core.admin import ReadOnlyAdmin
from reports.models import ReportJob


@admin.register(ReportJob)
class ReportJobAdmin(ReadOnlyAdmin):
    list_display = ("public_id", "kind", "status", "created_at", "requested_by")
    list_filter = ("kind", "status")
    list_select_related = ("requested_by",)
