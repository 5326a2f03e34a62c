from django.apps import AppConfig
from django.contrib.admin import apps as admin_apps


class CoreConfig(AppConfig):
    name = "core"
    verbose_name = "Clinic"

    def ready(self) -> None:
        from PIL import Image

        from core import checks  # noqa: F401  (registers the deploy checks)
        from core.images import DECODE_PIXEL_CEILING

        # Every image decoded anywhere in the process (WeasyPrint, the PDF letterhead) is
        # held to this; the forms check the declared size of what people send before it.
        Image.MAX_IMAGE_PIXELS = DECODE_PIXEL_CEILING


class ClinicAdminConfig(admin_apps.AdminConfig):
    """django.contrib.admin with core.admin.ClinicAdminSite as admin.site: every model
    registered with it, the app's own and third-party ones, is audited like the app's
    pages (INSTALLED_APPS names this instead of "django.contrib.admin")."""

    # Not the config Django picks for "core" itself: that is CoreConfig.
    default = False
    default_site = "core.admin.ClinicAdminSite"

    def ready(self) -> None:
        # core.admin defines the site class and also registers models on admin.site. Import
        # it before anything else touches the lazy admin.site: building the site imports
        # it, and a half-imported core.admin would register on a second, discarded site.
        import core.admin  # noqa: F401

        super().ready()
