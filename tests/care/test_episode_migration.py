"""care.0003 over a copy of the demo data: one episode of care per patient per intake, the
evaluations in their intake's episode, earlier episodes closed, the latest open unless a
discharge was signed in it, and nothing guessed (referral and reason "not recorded")."""

from datetime import timedelta

import pytest
from django.utils import timezone

from tests.migrations.support import migrate, migrate_to_latest, seed_demo

pytestmark = pytest.mark.django_db(transaction=True)

BEFORE_EPISODES = [
    ("intake", "0007_intake_clinical_permission"),
    ("evaluations", "0005_record_schema"),
]


def _days_ago(days: int):
    return timezone.localdate() - timedelta(days=days)


def _returning_patient(therapist):
    """A patient treated a year ago (intake, initial evaluation, signed discharge) who came
    back with a new intake this month, and a visit recorded with no intake."""
    from evaluations.models import Evaluation
    from tests.factories import EvaluationFactory, IntakeFactory, PatientFactory

    patient = PatientFactory()
    now = timezone.now()
    old = IntakeFactory(patient=patient, started_at=now - timedelta(days=400))
    old_visits = [
        EvaluationFactory(
            patient=patient,
            intake=old,
            therapist=therapist,
            kind=kind,
            status=Evaluation.Status.SIGNED,
            visit_date=(now - timedelta(days=days)).date(),
        )
        for kind, days in (("initial", 399), ("discharge", 350))
    ]
    # The same episode until the migration: today's code would not let it be otherwise.
    new = IntakeFactory(patient=patient, started_at=now - timedelta(days=10))
    new_visit = EvaluationFactory(
        patient=patient,
        intake=new,
        therapist=therapist,
        visit_date=(now - timedelta(days=9)).date(),
    )
    loose = EvaluationFactory(
        patient=patient,
        intake=None,
        therapist=therapist,
        visit_date=(now - timedelta(days=5)).date(),
    )
    return patient, old, new, old_visits, new_visit, loose


def test_each_intake_opens_an_episode_and_visits_follow_their_intake(settings):
    from accounts.roles import Role
    from care.models import Episode
    from evaluations.models import Evaluation
    from intake.models import Intake
    from tests.factories import EvaluationFactory, PatientFactory, UserFactory

    settings.DEBUG = True
    seed_demo(patients=12)
    therapist = UserFactory(roles=[Role.THERAPIST])
    patient, old, new, old_visits, new_visit, loose = _returning_patient(therapist)
    # A patient seen with no intake at all.
    walk_in = PatientFactory()
    walk_in_visit = EvaluationFactory(patient=walk_in, therapist=therapist, intake=None)
    intakes_before = {i.pk: i.patient_id for i in Intake.objects.first_visit()}
    evaluations_before = {e.pk: (e.patient_id, e.intake_id) for e in Evaluation.objects.all()}
    try:
        migrate(BEFORE_EPISODES)
        migrate_to_latest()
    finally:
        migrate_to_latest()

    # One episode per intake, plus one for the walk-in; every record kept, none moved.
    assert Episode.objects.count() == len(intakes_before) + 1
    # First-visit intakes: the follow-up questionnaires intake.0013 books come later.
    for intake in Intake.objects.first_visit().select_related("episode"):
        assert intake.episode.patient_id == intakes_before[intake.pk]
    assert Intake.objects.first_visit().values("episode").distinct().count() == len(intakes_before)
    for evaluation in Evaluation.objects.select_related("episode", "intake"):
        assert (evaluation.patient_id, evaluation.intake_id) == evaluations_before[evaluation.pk]
        assert evaluation.episode.patient_id == evaluation.patient_id
        if evaluation.intake_id:
            assert evaluation.episode_id == evaluation.intake.episode_id
    # At most one open episode per patient, and every closed one has its date and reason.
    for episode in Episode.objects.all():
        assert episode.referral == Episode.Referral.NOT_RECORDED
        if not episode.is_open:
            assert episode.discharged_on >= episode.start_of_care
            assert episode.discharge_reason == "other" and episode.discharge_note
    open_per_patient = Episode.objects.open().values_list("patient_id", flat=True)
    assert len(open_per_patient) == len(set(open_per_patient))

    # The returning patient: last year's course closed on its discharge day at the latest,
    # this year's open, with this month's visit and the visit with no intake in it.
    first, second = Episode.objects.filter(patient=patient).order_by("start_of_care")
    old.refresh_from_db(), new.refresh_from_db()
    assert (old.episode_id, new.episode_id) == (first.pk, second.pk)
    assert not first.is_open and first.discharged_on < second.start_of_care
    assert first.discharged_on == old_visits[1].visit_date
    assert second.is_open
    assert set(second.evaluations.values_list("pk", flat=True)) == {new_visit.pk, loose.pk}
    assert set(first.evaluations.values_list("pk", flat=True)) == {e.pk for e in old_visits}
    walk_in_visit.refresh_from_db()
    (walk_in_episode,) = Episode.objects.filter(patient=walk_in)
    assert walk_in_visit.episode_id == walk_in_episode.pk
    assert walk_in_episode.start_of_care == walk_in_visit.visit_date


def test_a_signed_discharge_in_the_latest_episode_closes_it(settings):
    from accounts.roles import Role
    from care.models import Episode
    from evaluations.models import Evaluation
    from tests.factories import EvaluationFactory, IntakeFactory, PatientFactory, UserFactory

    settings.DEBUG = True
    therapist = UserFactory(roles=[Role.THERAPIST])
    patient = PatientFactory()
    intake = IntakeFactory(patient=patient, started_at=timezone.now() - timedelta(days=40))
    discharge = EvaluationFactory(
        patient=patient,
        intake=intake,
        therapist=therapist,
        kind="discharge",
        status=Evaluation.Status.SIGNED,
        visit_date=timezone.localdate() - timedelta(days=2),
    )
    try:
        migrate(BEFORE_EPISODES)
        migrate_to_latest()
    finally:
        migrate_to_latest()
    (episode,) = Episode.objects.filter(patient=patient)
    assert not episode.is_open and episode.discharged_on == discharge.visit_date


def test_the_migration_runs_back_and_forth(settings):
    from care.models import Episode
    from intake.models import Intake

    settings.DEBUG = True
    seed_demo(patients=5)
    try:
        migrate(BEFORE_EPISODES)
        assert Episode.objects.count() == 0
        migrate_to_latest()
        assert Episode.objects.count() == Intake.objects.first_visit().count()
    finally:
        migrate_to_latest()
