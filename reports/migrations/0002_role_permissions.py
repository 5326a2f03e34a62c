from django.db import migrations


def sync_roles(apps, schema_editor):
    from accounts.roles import sync_role_groups

    sync_role_groups(apps)


class Migration(migrations.Migration):
    """Give administrators the report permissions (job list, batch exports)."""

    dependencies = [
        ("reports", "0001_report_jobs"),
        ("accounts", "0003_kiosk_pin"),
    ]

    operations = [migrations.RunPython(sync_roles, migrations.RunPython.noop)]
