from django.db import migrations, models


class Migration(migrations.Migration):
    """Record each export document's content hash when it is written: a redone part or
    the assembly trusts a file on disk only if its content is the one recorded. Parts
    that were in progress have nothing recorded, so their files are rendered again."""

    dependencies = [
        ("reports", "0002_role_permissions"),
    ]

    operations = [
        migrations.AddField(
            model_name="exportpart",
            name="results",
            field=models.JSONField(blank=True, default=dict),
        ),
    ]
