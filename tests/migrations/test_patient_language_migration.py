"""intake.0014-0015 over a copy of the demo data: forms nobody has started open in the
patient's preferred language; everything answered before keeps English, consents too; back
again drops the language columns and keeps every row."""

import pytest

from tests.migrations.support import migrate, migrate_to_latest, seed_demo

pytestmark = pytest.mark.django_db(transaction=True)

BEFORE = [("intake", "0013_schedule_open_episodes"), ("core", "0004_clinic_day_ends_at")]


def test_unstarted_forms_take_the_patients_language_and_answered_ones_stay_english(settings):
    from intake.models import Intake, IntakeConsent
    from patients.models import Patient
    from tests.factories import IntakeConsentFactory, IntakeFactory, PatientFactory

    settings.DEBUG = True
    seed_demo(patients=12)
    spanish = PatientFactory(preferred_language="es")
    polish = PatientFactory(preferred_language="pl")
    open_form = {"status": Intake.Status.IN_PROGRESS, "submitted_at": None}
    unstarted = IntakeFactory(patient=spanish, answers={}, drafts={}, **open_form)
    unstarted_polish = IntakeFactory(patient=polish, answers={}, drafts={}, **open_form)
    half_done = IntakeFactory(
        patient=PatientFactory(preferred_language="es"),
        answers={"pain": {"back_now": 4}},
        **open_form,
    )
    IntakeConsentFactory(intake=IntakeFactory(patient=spanish, answers={"pain": {"back_now": 2}}))
    intakes_before = Intake.objects.count()
    consents_before = IntakeConsent.objects.count()
    assert intakes_before > 3 and consents_before > 0
    # The demo's patients who prefer Spanish, with a form not yet started.
    demo_unstarted_spanish = set(
        Intake.objects.filter(
            status__in=["in_progress", "scheduled"],
            answers={},
            drafts={},
            patient__preferred_language="es",
        ).values_list("pk", flat=True)
    )
    try:
        migrate(BEFORE)
        migrate_to_latest()

        languages = dict(Intake.objects.values_list("pk", "language"))
        assert Intake.objects.count() == intakes_before
        assert languages[unstarted.pk] == "es"
        assert languages[unstarted_polish.pk] == "en"  # no Polish catalogue: English
        assert languages[half_done.pk] == "en"  # begun in English, stays so
        assert all(languages[pk] == "es" for pk in demo_unstarted_spanish)
        answered = Intake.objects.exclude(answers={}).values_list("language", flat=True)
        assert set(answered) == {"en"}
        assert IntakeConsent.objects.count() == consents_before
        assert set(IntakeConsent.objects.values_list("language", flat=True)) == {"en"}

        migrate(BEFORE)  # and back: every row is still there
        assert Patient.objects.filter(pk=spanish.pk).exists()
        from django.db import connection

        with connection.cursor() as cursor:
            cursor.execute("SELECT COUNT(*) FROM intake_intake")
            assert cursor.fetchone()[0] == intakes_before
    finally:
        migrate_to_latest()
