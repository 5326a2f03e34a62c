"""Every evaluation belongs to an episode of care, now that care.0003 gave each existing one
its episode."""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("evaluations", "0006_evaluation_episode"),
        ("care", "0003_episodes_from_records"),
    ]

    operations = [
        migrations.AlterField(
            model_name="evaluation",
            name="episode",
            field=models.ForeignKey(
                on_delete=django.db.models.deletion.PROTECT,
                related_name="evaluations",
                to="care.episode",
            ),
        ),
    ]
