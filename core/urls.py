from django.urls import path

from core import views

app_name = "core"
urlpatterns = [
    path("", views.home, name="home"),
    path("clinic/settings/", views.clinic_settings, name="clinic-settings"),
    path("session/", views.session_state, name="session"),
]
