import uuid

import django.db.models.deletion
import django.utils.timezone
from django.conf import settings
from django.db import migrations, models


def sync_roles(apps, schema_editor):
    """Therapists write and read referral letters; administrators read them."""
    from accounts.roles import sync_role_groups

    sync_role_groups(apps)


class Migration(migrations.Migration):
    """Referral letters (issue 17 point 6): a letter row per referral written from a signed
    evaluation, and its PDF as a report job kind."""

    dependencies = [
        ("accounts", "0005_password_change_and_notices"),
        ("care", "0003_episodes_from_records"),
        ("evaluations", "0007_episode_required"),
        ("intake", "0009_episode_required"),
        ("reports", "0003_export_part_results"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AlterField(
            model_name="reportjob",
            name="kind",
            field=models.CharField(
                choices=[
                    ("intake_summary", "Intake summary"),
                    ("evaluation", "Evaluation and plan of care"),
                    ("progress", "Progress report"),
                    ("handout", "Patient handout"),
                    ("referral_letter", "Referral letter"),
                    ("export", "Batch export"),
                ],
                max_length=20,
            ),
        ),
        migrations.CreateModel(
            name="ReferralLetter",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("public_id", models.UUIDField(default=uuid.uuid4, editable=False, unique=True)),
                (
                    "urgency",
                    models.CharField(
                        choices=[
                            ("emergency", "Emergency: hospital within hours"),
                            ("urgent", "Urgent: seen the same day"),
                            ("routine", "Routine"),
                        ],
                        max_length=10,
                    ),
                ),
                ("reason", models.TextField()),
                ("created_at", models.DateTimeField(default=django.utils.timezone.now)),
                (
                    "addressed_to",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="referral_letters",
                        to="care.referralcontact",
                    ),
                ),
                (
                    "alert",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="referral_letters",
                        to="intake.redflagalert",
                    ),
                ),
                (
                    "created_by",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
                (
                    "episode",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="referral_letters",
                        to="care.episode",
                    ),
                ),
                (
                    "evaluation",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="referral_letters",
                        to="evaluations.evaluation",
                    ),
                ),
            ],
            options={
                "ordering": ["-created_at"],
                "indexes": [
                    models.Index(
                        fields=["evaluation", "-created_at"], name="letter_evaluation_idx"
                    ),
                    models.Index(fields=["episode", "-created_at"], name="letter_episode_idx"),
                ],
            },
        ),
        migrations.RunPython(sync_roles, migrations.RunPython.noop),
    ]
