from django.contrib import admin
from django.urls import include, path

from core import urls as core_urls
from core import views as core_views
from dashboard import urls as dashboard_urls

urlpatterns = [
    # The home page lives in dashboard, which core may not know, but keeps the name it has
    # always had, core:home (templates, redirects, LOGIN_REDIRECT_URL): its routes join the
    # core namespace here, where everything is wired together.
    path("", include(([*dashboard_urls.urlpatterns, *core_urls.urlpatterns], core_urls.app_name))),
    path("healthz", core_views.healthz, name="healthz"),
    path("accounts/", include("accounts.urls")),
    path("patients/", include("patients.urls")),
    path("care/", include("care.urls")),
    path("audit/", include("audit.urls")),
    path("intake/", include("intake.urls")),
    path("kiosk/", include("intake.kiosk_urls")),
    path("evaluations/", include("evaluations.urls")),
    path("reports/", include("reports.urls")),
    path("django-admin/", admin.site.urls),
]

handler400 = "core.errors.bad_request"
handler403 = "core.errors.permission_denied"
handler404 = "core.errors.not_found"
handler500 = "core.errors.server_error"
