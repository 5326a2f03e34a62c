"""Referral urgencies now match the red-flag levels: emergency, urgent (same day), routine.
"Soon" is no longer offered; a draft that chose it becomes "urgent", the nearer of the two,
so nothing is understated. Signed evaluations keep what they say: their content is locked
and hashed, and the documents print "Soon" as it was signed."""

from django.db import migrations


def _soon_to_urgent(apps, schema_editor):
    Evaluation = apps.get_model("evaluations", "Evaluation")
    for evaluation in Evaluation.objects.filter(status="draft").iterator():
        changed = False
        plan = (evaluation.content or {}).get("plan") or {}
        if plan.get("referral_urgency") == "soon":
            plan["referral_urgency"] = "urgent"
            changed = True
        draft = (evaluation.drafts or {}).get("plan") or {}
        if draft.get("referral_urgency") == ["soon"]:
            draft["referral_urgency"] = ["urgent"]
            changed = True
        if changed:
            evaluation.save(update_fields=["content", "drafts"])


class Migration(migrations.Migration):
    dependencies = [("evaluations", "0003_export_index")]

    operations = [migrations.RunPython(_soon_to_urgent, migrations.RunPython.noop)]
