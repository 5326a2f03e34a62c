"""The patient handout: the home exercise programme in plain words, what is causing the
pain, why to keep moving, and the warning signs that mean going to hospital now."""

import random
from datetime import timedelta

import pytest
from django.utils import timezone

from accounts.roles import Role
from core.models import Clinic
from evaluations.demo import demo_evaluation
from reports.docs.handout import HANDOUT_TEXT_VERSION
from reports.documents import DOCUMENTS, filename
from reports.pdf import render_document
from tests.factories import PatientFactory, UserFactory
from tests.reports.pdftext import (
    assert_header_on_every_page,
    pdf_pages_text,
    pdf_text,
    save_page_images,
)
from tests.reports.test_intake_pdf import submitted_intake

pytestmark = pytest.mark.django_db

# Where each demo vignette's leg symptoms are, so the intake matches the examination.
_INTAKE = {
    "L5": (True, "l"),
    "S1": (True, "r"),
    "somatic_extension": (False, "l"),
    "stenosis": (False, "r"),
}


def evaluation_for(patient=None, *, vignette: str = "L5", sign: bool = True, **changes):
    """A complete demo evaluation built through the real section forms."""
    patient = patient or PatientFactory()
    physio = UserFactory(
        username="physio", first_name="Priya", last_name="Shah", roles=[Role.THERAPIST]
    )
    radicular, side = _INTAKE[vignette]
    evaluation = demo_evaluation(
        patient=patient,
        intake=submitted_intake(patient, radicular=radicular, side=side),
        therapist=physio,
        kind="initial",
        visit_date=timezone.localdate() - timedelta(days=1),
        vignette=vignette,
        rng=random.Random(1),
        improvement=0.0,
        sign=sign,
    )
    if changes:
        for key, value in changes.items():
            evaluation.content["plan"][key] = value
        evaluation.save()
    return evaluation


def _render(evaluation, clinic=None):
    clinic = clinic or Clinic.objects.current()
    subject = DOCUMENTS["handout"].load(evaluation.public_id)
    return render_document("handout", subject, clinic=clinic)


@pytest.fixture
def clinic(db):
    clinic = Clinic.objects.current()
    clinic.name = "Riverside Physiotherapy"
    clinic.phone = "+44 20 7946 0000"
    clinic.save()
    return clinic


def test_it_prints_the_exercises_warning_signs_and_explanations(clinic, patient):
    evaluation = evaluation_for(patient, vignette="L5")
    rendered = _render(evaluation, clinic)
    save_page_images(rendered.pdf, "handout")
    text = pdf_text(rendered.pdf)

    assert_header_on_every_page(rendered.pdf, clinic=clinic, patient=patient)
    # The plan's home exercises, in everyday words, and the therapist's own programme.
    assert "Repeated movement exercise Bending backwards, lying on your front, 10 times" in text
    assert "Nerve glide exercise Gentle glide, sciatic nerve" in text
    assert "Prone press-ups 10 x every two to three hours" in text
    assert "Lumbopelvic" not in text and "Pain neuroscience" not in text  # not home items
    # Tailored to the classification: a nerve root problem.
    assert "a nerve in your lower back that is irritated" in text and "sciatica" in text
    assert "Why staying active helps" in text and "Bed rest slows recovery" in text
    # Cauda equina and progressive weakness, in plain words.
    assert "Warning signs: go to hospital now" in text
    for sign in (
        "saddle",
        "trouble passing urine",
        "controlling your bowels",
        "problems with sex",
        "both legs",
        "getting worse",
    ):
        assert sign in text, sign
    assert "cauda equina syndrome" in text
    assert "Call Riverside Physiotherapy on +44 20 7946 0000" in text
    assert f"version {HANDOUT_TEXT_VERSION}" in text
    assert "Plan signed by Priya Shah" in text
    assert "DRAFT" not in text


def test_it_explains_a_stenosis_picture_in_its_own_words(clinic, patient):
    text = pdf_text(_render(evaluation_for(patient, vignette="stenosis"), clinic).pdf)
    assert "The spaces around the nerves in your lower back have become narrower" in text
    assert "Exercise to get you a little out of breath Cycling" in text


def test_an_unsigned_plan_prints_draft_on_every_page(clinic, patient):
    rendered = _render(evaluation_for(patient, sign=False), clinic)
    save_page_images(rendered.pdf, "handout-draft")
    pages = pdf_pages_text(rendered.pdf)
    assert len(pages) >= 2
    assert all("DRAFT" in page for page in pages)
    assert "Unsigned draft" in pages[0]


def test_therapist_text_is_printed_as_text(clinic, patient):
    hostile = '<img src="file:///etc/passwd"> <script>alert(1)</script> & more'
    text = pdf_text(_render(evaluation_for(patient, hep=hostile), clinic).pdf)
    assert '<img src="file:///etc/passwd"> <script>alert(1)</script> & more' in text
    assert "root:" not in text


def test_without_a_plan_there_is_no_handout(patient, therapist):
    from tests.factories import EvaluationFactory

    evaluation = EvaluationFactory(patient=patient, therapist=therapist)
    assert DOCUMENTS["handout"].unavailable(evaluation) == "The evaluation has no plan of care yet."


def test_the_version_follows_the_plan_and_the_signature(patient):
    kind = DOCUMENTS["handout"]
    evaluation = evaluation_for(patient, sign=False)
    draft = kind.version(evaluation)
    evaluation.content["plan"]["hep"] = "Walk daily."
    changed = kind.version(evaluation)
    evaluation.status = evaluation.Status.SIGNED
    evaluation.signed_at = timezone.now()
    signed = kind.version(evaluation)
    assert len({draft, changed, signed}) == 3


def test_the_file_name_has_the_mrn_and_visit_date(patient):
    evaluation = evaluation_for(patient)
    assert filename("handout", evaluation) == (
        f"handout-MRN{patient.mrn}-{evaluation.visit_date:%Y-%m-%d}.pdf"
    )


def test_load_and_context_take_three_queries(django_assert_num_queries, clinic, patient):
    # The evaluation with its patient, signer and intake, then the alerts of each that
    # ended in a referral; the context and the version read nothing more.
    evaluation = evaluation_for(patient)
    kind = DOCUMENTS["handout"]
    with django_assert_num_queries(3):
        subject = kind.load(evaluation.public_id)
    with django_assert_num_queries(0):
        kind.context(subject, clinic)
        kind.version(subject)


REASSURANCE = ("gets better over weeks to months", "settles over weeks to a few months")


@pytest.mark.parametrize(
    ("urgency", "what_to_do"),
    [
        ("emergency", "Go to a hospital emergency department now, today."),
        ("urgent", "You need to see a doctor today."),
        ("routine", "You do not need to go today."),
        ("soon", "You need to see a doctor soon"),  # a record from before the urgencies
    ],
)
def test_a_referral_in_the_plan_replaces_the_reassurance(clinic, patient, urgency, what_to_do):
    evaluation = evaluation_for(
        patient,
        referral=True,
        referral_to="spinal_surgeon",
        referral_urgency=urgency,
        referral_reason="Weakness of the big toe getting worse.",
    )
    rendered = _render(evaluation, clinic)
    save_page_images(rendered.pdf, f"handout-referral-{urgency}")
    text = pdf_text(rendered.pdf)

    assert "You have been referred to a spinal surgeon" in text and what_to_do in text
    assert "Why: Weakness of the big toe getting worse." in text
    assert "Warning signs: go to hospital now" in text and "cauda equina syndrome" in text
    assert not any(words in text for words in REASSURANCE)
    assert text.index("You have been referred") < text.index("Warning signs")


def test_an_alert_that_ended_in_a_referral_does_too(clinic, patient, therapist):
    from intake.alerts import alert_acknowledge
    from intake.models import RedFlagAlert

    evaluation = evaluation_for(patient, vignette="somatic_extension")
    assert (
        "referral" not in evaluation.content["plan"] or not evaluation.content["plan"]["referral"]
    )
    alert = RedFlagAlert.objects.create(
        intake=evaluation.intake,
        patient=patient,
        level="EMERGENCY",
        ces=True,
        items=["CES-2"],
        summary="Possible cauda equina syndrome (CES-2)",
    )
    before = DOCUMENTS["handout"].version(DOCUMENTS["handout"].load(evaluation.public_id))
    alert_acknowledge(
        alert=alert, by=therapist, outcome="emergency_referral", note="Sent to the ED."
    )
    subject = DOCUMENTS["handout"].load(evaluation.public_id)
    text = pdf_text(render_document("handout", subject, clinic=clinic).pdf)

    assert DOCUMENTS["handout"].version(subject) != before
    assert "You have been referred to a doctor" in text
    assert "Go to a hospital emergency department now, today." in text
    assert not any(words in text for words in REASSURANCE)
    assert "Some pain while you exercise is normal" not in text


def test_goals_say_what_they_measure_and_every_exercise_family_is_listed(clinic, patient):
    evaluation = evaluation_for(patient)
    plan = evaluation.content["plan"]
    plan["items"].append(
        {
            "code": "aquatic_exercise",
            "values": {"pool_temperature": 33, "depth": "waist", "minutes": 30},
        }
    )
    evaluation.save()
    text = pdf_text(_render(evaluation, clinic).pdf)

    assert "Leg pain (0 is no pain, 10 the worst): Pain 2/10 or less on most days, by" in text
    assert "The activities you find hard (0 is unable, 10 as before): PSFS average 7/10" in text
    assert "At home" in text and "Nerve glide exercise" in text
    assert "In the pool Exercise in a warm pool 33 °C" in text
