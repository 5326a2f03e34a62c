from django.db import migrations


def sync_roles(apps, schema_editor):
    from accounts.roles import sync_role_groups

    sync_role_groups(apps)


class Migration(migrations.Migration):
    """Give therapists the new intake permissions (amend, acknowledge red-flag alerts)."""

    dependencies = [
        ("intake", "0002_tablet_intake"),
        ("accounts", "0003_kiosk_pin"),
    ]

    operations = [migrations.RunPython(sync_roles, migrations.RunPython.noop)]
