from django.contrib import admin

from core.admin import ReadOnlyAdmin
from intake.models import Intake, RedFlagAlert

admin.site.register(Intake, ReadOnlyAdmin)


@admin.register(RedFlagAlert)
class RedFlagAlertAdmin(ReadOnlyAdmin):
    list_display = ("public_id", "level", "ces", "raised_at", "acknowledged_at")
    list_filter = ("level", "ces")
