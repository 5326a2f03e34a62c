from django.urls import path

from intake import kiosk_views as views
from intake import language_views, link_views

app_name = "kiosk"

urlpatterns = [
    path("", views.resume, name="resume"),
    path("submit/", views.submit, name="submit"),
    path("done/", views.done, name="done"),
    path("stop/", views.stop, name="stop"),
    path("exit/", views.exit_kiosk, name="exit"),
    path("language/", language_views.switch, name="language"),
    path("link/<str:token>/", link_views.link, name="link"),
    path("<slug:step>/", views.step_view, name="step"),
    path("<slug:step>/autosave/", views.autosave, name="autosave"),
]
