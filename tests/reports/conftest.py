import random
from datetime import timedelta

import pytest
from django.utils import timezone

from accounts.roles import Role
from evaluations.demo import demo_evaluation
from intake.demo import demo_answers, demo_results
from tests.factories import IntakeFactory, PatientFactory, UserFactory


@pytest.fixture
def physio(db):
    return UserFactory(
        username="physio", first_name="Pat", last_name="Physio", roles=[Role.THERAPIST]
    )


def make_intake(patient, *, seed: int = 7, days_ago: int = 30):
    on = timezone.localdate() - timedelta(days=days_ago)
    answers = demo_answers(random.Random(seed), today=on, radicular=True)
    return IntakeFactory(
        patient=patient,
        answers=answers,
        status="submitted",
        submitted_at=timezone.now() - timedelta(days=days_ago),
        **demo_results(answers, date_of_birth=patient.date_of_birth, on=on),
    )


def make_evaluation(
    *, patient=None, therapist, sign=True, kind="initial", days_ago=28, vignette="L5", seed=1
):
    patient = patient or PatientFactory()
    intake = patient.intakes.filter(status="submitted").first() or make_intake(patient)
    return demo_evaluation(
        patient=patient,
        intake=intake,
        therapist=therapist,
        kind=kind,
        visit_date=timezone.localdate() - timedelta(days=days_ago),
        vignette=vignette,
        rng=random.Random(seed),
        improvement=0.5 if kind != "initial" else 0.0,
        sign=sign,
    )


@pytest.fixture
def signed_evaluation(physio):
    return make_evaluation(therapist=physio)


@pytest.fixture
def inline_jobs(settings):
    """Jobs run in the requesting process as soon as their transaction commits."""
    settings.REPORT_JOBS_MODE = "inline"
    return settings


def make_letter(evaluation, *, by, reason: str = "Surgical opinion, please.", urgency="routine"):
    """A referral letter from a signed evaluation, to a new contact: the evaluation's plan
    of care is made to ask for a referral first if it does not."""
    from care.models import ReferralContact
    from reports.letters import plan_referral, referral_letter_create

    if plan_referral(evaluation) is None:
        evaluation.content["plan"].update(
            referral=True,
            referral_to="spinal_surgeon",
            referral_urgency=urgency,
            referral_reason=reason,
        )
        evaluation.save()
    contact = ReferralContact.objects.create(
        name="Dr Imran Shah", profession="Spinal surgeon", created_by=by
    )
    return referral_letter_create(
        evaluation=evaluation, addressed_to=contact, urgency=urgency, reason=reason, by=by
    )
