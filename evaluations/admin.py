from django.contrib import admin

from core.admin import ReadOnlyAdmin
from evaluations.models import Addendum, Evaluation, NoteAddendum, TreatmentNote

admin.site.register(Evaluation, ReadOnlyAdmin)
admin.site.register(Addendum, ReadOnlyAdmin)
admin.site.register(TreatmentNote, ReadOnlyAdmin)
admin.site.register(NoteAddendum, ReadOnlyAdmin)
