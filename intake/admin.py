from django.contrib import admin

from core.admin import ReadOnlyAdmin
from intake.models import Intake

admin.site.register(Intake, ReadOnlyAdmin)
