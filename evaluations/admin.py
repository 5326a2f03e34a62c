from django.contrib import admin

from core.admin import ReadOnlyAdmin
from evaluations.models import Evaluation

admin.site.register(Evaluation, ReadOnlyAdmin)
