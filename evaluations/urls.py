from django.urls import path

from evaluations import views

app_name = "evaluations"

urlpatterns = [
    path("", views.evaluation_list, name="list"),
    path("start/<uuid:patient_id>/", views.start, name="start"),
    path("progress/<uuid:patient_id>/", views.patient_progress, name="progress"),
    path("<uuid:public_id>/", views.detail, name="detail"),
    path("<uuid:public_id>/section/<slug:key>/", views.save_section, name="section"),
    path("<uuid:public_id>/sign/", views.sign, name="sign"),
    path("<uuid:public_id>/addendum/", views.addendum, name="addendum"),
]
