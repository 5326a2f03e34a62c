from django.urls import path

from care import views

app_name = "care"

urlpatterns = [
    path("episodes/<uuid:public_id>/", views.episode_detail, name="episode"),
    path("patients/<uuid:patient_id>/episodes/new/", views.episode_new, name="episode-new"),
    path("episodes/<uuid:public_id>/referral/", views.episode_referral, name="referral"),
    path(
        "episodes/<uuid:public_id>/certification/",
        views.episode_certification,
        name="certification",
    ),
    path("episodes/<uuid:public_id>/diagnoses/", views.episode_diagnoses, name="diagnoses"),
    path("episodes/<uuid:public_id>/discharge/", views.episode_discharge, name="discharge"),
    path("codes/", views.code_options, name="codes"),
    path("contacts/", views.contact_list, name="contacts"),
    path("contacts/new/", views.contact_new, name="contact-new"),
    path("contacts/<uuid:public_id>/edit/", views.contact_edit, name="contact-edit"),
]
