"""The ground floor's pages. The home page, core:home, joins this namespace from
dashboard/urls.py (clinic/urls.py puts them together)."""

from django.urls import path

from core import views

app_name = "core"
urlpatterns = [
    path("clinic/settings/", views.clinic_settings, name="clinic-settings"),
    path("clinic/translations/", views.translations, name="translations"),
    path("session/", views.session_state, name="session"),
]
