"""The home page's route.

The page was core:home before it moved here, and templates, redirects and
LOGIN_REDIRECT_URL still call it that, so clinic/urls.py adds these routes to the core
namespace rather than giving them one of their own.
"""

from django.urls import path

from dashboard import safety_views, views

urlpatterns = [
    path("", views.home, name="home"),
    path("safety/alerts/", safety_views.alert_list, name="safety-alerts"),
    path("safety/episodes/", safety_views.episode_list, name="safety-episodes"),
]
