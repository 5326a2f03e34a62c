from django.urls import path

from evaluations import note_views, views

app_name = "evaluations"

urlpatterns = [
    path("", views.evaluation_list, name="list"),
    path("start/<uuid:patient_id>/", views.start, name="start"),
    path("progress/<uuid:patient_id>/", views.patient_progress, name="progress"),
    path("<uuid:public_id>/", views.detail, name="detail"),
    path("<uuid:public_id>/section/<slug:key>/", views.save_section, name="section"),
    path("<uuid:public_id>/sign/", views.sign, name="sign"),
    path("<uuid:public_id>/addendum/", views.addendum, name="addendum"),
    # Daily treatment notes: the visits between evaluations.
    path("notes/start/<uuid:episode_id>/", note_views.note_start, name="note-start"),
    path("notes/<uuid:public_id>/", note_views.note_detail, name="note-detail"),
    path("notes/<uuid:public_id>/save/", note_views.note_save, name="note-save"),
    path("notes/<uuid:public_id>/sign/", note_views.note_sign, name="note-sign"),
    path("notes/<uuid:public_id>/addendum/", note_views.note_addendum, name="note-addendum"),
]
