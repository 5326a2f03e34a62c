"""Section records carry the version of their format (`evaluations/records.py`): every
draft's records without one are stamped `schema: 1`, the format they were written in.
Nothing else in them changes; newer formats are reached when the records are read.

Signed evaluations are left exactly as signed: their content is frozen under the SHA-256
the signature stored (`services.content_hash`), so stamping them would break it. A record
without a stamp reads as version 1, so they need none."""

from django.db import migrations

# The sections as they were when versions began (a migration does not follow the code).
SECTIONS = ("outcomes", "movements", "neurodynamic", "neuro", "classification", "plan")


def _stamp(apps, schema_editor):
    Evaluation = apps.get_model("evaluations", "Evaluation")
    for evaluation in Evaluation.objects.filter(status="draft").only("content").iterator():
        content = evaluation.content or {}
        changed = False
        for key in SECTIONS:
            record = content.get(key)
            if isinstance(record, dict) and "schema" not in record:
                record["schema"] = 1
                changed = True
        if changed:
            evaluation.save(update_fields=["content"])


class Migration(migrations.Migration):
    dependencies = [("evaluations", "0004_referral_urgency_levels")]

    # Backwards the stamps stay: the code before them ignores a key it does not read.
    operations = [migrations.RunPython(_stamp, migrations.RunPython.noop)]
