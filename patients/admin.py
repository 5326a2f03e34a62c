from django.contrib import admin

from core.admin import ReadOnlyAdmin
from patients.models import Patient


@admin.register(Patient)
class PatientAdmin(ReadOnlyAdmin):
    list_display = ("mrn", "family_name", "given_name", "date_of_birth")
    search_fields = ("=mrn", "search_family")
