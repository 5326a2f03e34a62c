"""Every intake belongs to an episode of care, now that care.0003 gave each existing one
its episode."""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("intake", "0008_intake_episode"),
        ("care", "0003_episodes_from_records"),
    ]

    operations = [
        migrations.AlterField(
            model_name="intake",
            name="episode",
            field=models.ForeignKey(
                on_delete=django.db.models.deletion.PROTECT,
                related_name="intakes",
                to="care.episode",
            ),
        ),
    ]
