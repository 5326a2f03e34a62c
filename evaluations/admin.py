from django.contrib import admin

from core.admin import ReadOnlyAdmin
from evaluations.models import Addendum, Evaluation

admin.site.register(Evaluation, ReadOnlyAdmin)
admin.site.register(Addendum, ReadOnlyAdmin)
