"""Forms nobody has started answering open in the patient's preferred language, as new ones
do (intake.language.for_handover). Everything answered before languages existed was
answered in English, and keeps "en"; so do consents already signed."""

from django.db import migrations

# The patient languages when this migration was written (settings.PATIENT_LANGUAGES):
# fixed here, so the migration does the same on every installation.
LANGUAGES = ("en", "es")
OPEN = ("in_progress", "scheduled")


def _served(code: str) -> str:
    code = (code or "").lower()
    if code in LANGUAGES:
        return code
    base = code.split("-")[0]
    return base if base in LANGUAGES else "en"


def forwards(apps, schema_editor):
    Intake = apps.get_model("intake", "Intake")
    unanswered = Intake.objects.filter(status__in=OPEN, answers={}, drafts={}).select_related(
        "patient"
    )
    changed = []
    for intake in unanswered.iterator(chunk_size=500):
        language = _served(intake.patient.preferred_language)
        if language != intake.language:
            intake.language = language
            changed.append(intake)
    Intake.objects.bulk_update(changed, ["language"], batch_size=500)


class Migration(migrations.Migration):
    dependencies = [("intake", "0014_patient_languages"), ("patients", "0001_initial")]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
