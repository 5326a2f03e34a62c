from django.apps import AppConfig


class DashboardConfig(AppConfig):
    """Each role's home page, put together from the panels the apps below provide, and
    the demo data that spans them (seed_demo). The top app: it may import every app
    under it and none imports it (tests/test_architecture.py)."""

    name = "dashboard"
    verbose_name = "Home page"
