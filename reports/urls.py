from django.urls import path

from reports import views

app_name = "reports"
urlpatterns = [
    path("", views.job_list, name="list"),
    path("export/", views.export_new, name="export"),
    path("new/<str:kind>/<uuid:subject_id>/", views.request_document, name="request"),
    path("jobs/<uuid:public_id>/", views.job_detail, name="job"),
    path("jobs/<uuid:public_id>/status/", views.job_status, name="status"),
    path("jobs/<uuid:public_id>/retry/", views.job_retry, name="retry"),
    path("jobs/<uuid:public_id>/download/", views.job_download, name="download"),
    path("letters/new/<uuid:evaluation_id>/", views.letter_new, name="letter-new"),
]
