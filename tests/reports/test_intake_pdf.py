"""The intake summary PDF: what the patient reported (amendments applied), the red-flag
screen with the action taken, and the scores with their bands, on the letterhead."""

import json
import random
import re
from datetime import timedelta

import pytest
from django.utils import timezone

from accounts.roles import Role
from core.models import Clinic
from intake import results
from intake.demo import demo_answers, demo_results
from intake.models import Intake, IntakeAmendment, RedFlagAlert
from intake.questionnaires import parse_pack
from intake.services import instrument_pack_load
from reports.docs.intake import body_chart_svg
from reports.documents import DOCUMENTS, filename
from reports.pdf import render_document
from tests.factories import IntakeFactory, PatientFactory, UserFactory
from tests.intake.answers import odi_pack_document
from tests.reports.pdftext import (
    assert_header_on_every_page,
    pdf_pages_text,
    pdf_text,
    save_page_images,
)

pytestmark = pytest.mark.django_db


def submitted_intake(
    patient=None, *, seed: int = 7, radicular: bool = True, side: str = "l", **overrides
):
    """A submitted intake with realistic demo answers and the results computed from them,
    leg symptoms drawn on `side` ("l" or "r")."""
    patient = patient or PatientFactory()
    on = timezone.localdate() - timedelta(days=2)
    answers = demo_answers(random.Random(seed), today=on, radicular=radicular)
    chart = answers["where"]["chart"]
    answers["where"]["chart"] = {re.sub(r"_[lr]$", f"_{side}", k): v for k, v in chart.items()}
    answers.update(overrides.pop("answers", {}))
    fields = {
        "answers": answers,
        **demo_results(answers, date_of_birth=patient.date_of_birth, on=on),
        **overrides,
    }
    return IntakeFactory(patient=patient, **fields)


def _render(intake, clinic=None):
    clinic = clinic or Clinic.objects.current()
    subject = DOCUMENTS["intake_summary"].load(intake.public_id)
    return render_document("intake_summary", subject, clinic=clinic)


@pytest.fixture
def clinic(db):
    clinic = Clinic.objects.current()
    clinic.name = "Riverside Physiotherapy"
    clinic.address = "12 Mill Lane\nRiverside\nRV1 2AB"
    clinic.phone = "+44 20 7946 0000"
    clinic.save()
    return clinic


def test_it_prints_scores_with_bands_red_flags_and_the_keele_notice(clinic, patient):
    intake = submitted_intake(patient)
    scores = intake.scores
    rendered = _render(intake, clinic)
    paths = save_page_images(rendered.pdf, "intake-summary")
    text = pdf_text(rendered.pdf)

    assert rendered.pages >= 2 and len(paths) in (0, rendered.pages)
    assert_header_on_every_page(rendered.pdf, clinic=clinic, patient=patient)
    assert "12 Mill Lane, Riverside, RV1 2AB" in text and "+44 20 7946 0000" in text
    # Red-flag screen: the outcome, with the ruleset that made it.
    assert "Red-flag screen" in text
    from intake.templatetags.intake_tags import triage_level

    assert f"Outcome {triage_level(intake.triage['level'])}" in text
    assert f"Ruleset {intake.triage['ruleset_version']}" in text
    # Scores with their bands and algorithm versions.
    leg = scores["nprs"]["leg"]
    assert f"now {leg['now']}, least {leg['best_24h']}, worst {leg['worst_24h']}" in text
    assert f"now {leg['now_band']['label']}, worst {leg['worst_24h_band']['label']}" in text
    assert "nprs-1.0" in text and "psfs-1.0" in text and "startback-1.0" in text
    sb = scores["startback"]
    assert f"total {sb['total']}/9, distress subscale {sb['distress']}/5" in text
    assert f"{sb['risk_group'].upper()} risk subgroup" in text
    assert f"mean {scores['psfs']['mean']}/10" in text
    # No clinic ODI pack: the ODI is named as not licensed, and none of its text printed.
    assert "Oswestry Disability Index Not licensed on this installation" in text
    # Body chart and answers.
    assert "Calf and shin, left" in text
    assert "Copyright (©2021) University of Keele." in text
    assert "Stratford P" in text  # the PSFS citation the licence asks for
    assert "DRAFT" not in text
    assert f"Submitted by {patient.full_name}" in text


def test_it_prints_amended_answers_and_the_alert_action(clinic, patient):
    therapist = UserFactory(
        username="lead", first_name="Sam", last_name="Okafor", roles=[Role.THERAPIST]
    )
    answers = demo_answers(random.Random(7), today=timezone.localdate(), radicular=True)
    answers["redflags"]["CES-3"] = "yes"
    intake = submitted_intake(patient, answers={"redflags": answers["redflags"]})
    assert intake.red_flag_level == "EMERGENCY"
    RedFlagAlert.objects.create(
        intake=intake,
        patient=patient,
        level="EMERGENCY",
        ces=True,
        items=["CES-3"],
        summary="Possible cauda equina syndrome",
        acknowledged_at=timezone.now(),
        acknowledged_by=therapist,
        outcome=RedFlagAlert.Outcome.EMERGENCY_REFERRAL,
        action_note="Sent to the emergency department by ambulance.",
    )
    pain = {**intake.answers["pain"], "nprs_leg_now": 9}
    IntakeAmendment.objects.create(
        intake=intake,
        step="pain",
        before=intake.answers["pain"],
        after=pain,
        reason="Patient misread the leg scale.",
        by=therapist,
    )

    rendered = _render(intake, clinic)
    save_page_images(rendered.pdf, "intake-summary-emergency")
    text = pdf_text(rendered.pdf)

    assert "Outcome Emergency" in text
    assert "Possible cauda equina syndrome" in text
    assert "Emergency referral made, by Sam Okafor" in text
    assert "Sent to the emergency department by ambulance." in text
    assert "Leg pain right now 9" in text  # the amended answer, not the submitted one
    assert "Your pain now amended" in text
    assert "Patient misread the leg scale." in text


def test_a_stopped_intake_prints_as_a_draft_on_every_page(clinic, patient):
    intake = submitted_intake(patient, status=Intake.Status.STOPPED, submitted_at=None)
    rendered = _render(intake, clinic)
    save_page_images(rendered.pdf, "intake-summary-draft")
    pages = pdf_pages_text(rendered.pdf)
    assert all("DRAFT" in page for page in pages)
    assert DOCUMENTS["intake_summary"].unavailable(intake) == ""


def test_an_open_or_cancelled_intake_cannot_be_printed(patient):
    kind = DOCUMENTS["intake_summary"]
    open_ = IntakeFactory(patient=patient, status=Intake.Status.IN_PROGRESS, submitted_at=None)
    cancelled = IntakeFactory(patient=patient, status=Intake.Status.CANCELLED)
    assert kind.unavailable(open_) == "The intake has not been submitted yet."
    assert kind.unavailable(cancelled) == "The intake was cancelled."


def test_the_version_changes_with_an_amendment_and_an_acknowledgement(patient, therapist):
    kind = DOCUMENTS["intake_summary"]
    intake = submitted_intake(patient)
    before = kind.version(kind.load(intake.public_id))
    assert kind.version(kind.load(intake.public_id)) == before
    alert = RedFlagAlert.objects.create(
        intake=intake, patient=patient, level="EMERGENCY", items=["CES-3"], summary="CES"
    )
    raised = kind.version(kind.load(intake.public_id))
    alert.acknowledged_at = timezone.now()
    alert.outcome = RedFlagAlert.Outcome.FALSE_POSITIVE
    alert.save()
    acknowledged = kind.version(kind.load(intake.public_id))
    IntakeAmendment.objects.create(
        intake=intake, step="pain", before={}, after={}, reason="x", by=therapist
    )
    amended = kind.version(kind.load(intake.public_id))
    assert len({before, raised, acknowledged, amended}) == 4


def test_the_file_name_has_the_mrn_and_date_not_the_name(patient):
    intake = submitted_intake(patient)
    name = filename("intake_summary", intake)
    day = timezone.localdate(intake.submitted_at)
    assert name == f"intake-summary-MRN{patient.mrn}-{day:%Y-%m-%d}.pdf"
    assert "Núñez" not in name


def test_load_and_context_take_a_bounded_number_of_queries(
    django_assert_num_queries, clinic, patient, therapist
):
    intake = submitted_intake(patient)
    for n in range(3):
        IntakeAmendment.objects.create(
            intake=intake,
            step="pain",
            before={},
            after=intake.answers["pain"],
            reason=f"{n}",
            by=therapist,
        )
        RedFlagAlert.objects.create(
            intake=intake,
            patient=patient,
            level="URGENT",
            items=[],
            summary=f"{n}",
            acknowledged_at=timezone.now(),
            acknowledged_by=therapist,
        )
    kind = DOCUMENTS["intake_summary"]
    # The intake with patient and consent, its amendments, its alerts; instrument packs.
    with django_assert_num_queries(4):
        kind.context(kind.load(intake.public_id), clinic)


def _odi_answers(pack) -> dict:
    choices = {item["id"]: item["options"][2]["id"] for item in pack.items}
    return {"choices": choices, "sections": dict.fromkeys(choices, 2), "pack_version": pack.version}


def test_a_licensed_odi_prints_its_score_band_text_and_notice(clinic, patient):
    document = {**odi_pack_document(), "copyright": "ODI test notice (c) Test Rights Holder."}
    pack = instrument_pack_load(raw=json.dumps(document).encode())
    answers = {"odi": _odi_answers(parse_pack(json.dumps(pack.content)))}
    intake = submitted_intake(patient, answers=answers)
    intake.scores["odi"] = results.scores(intake.answers, odi_licensed=True)["odi"]
    intake.save()

    text = pdf_text(_render(intake, clinic).pdf)

    odi = intake.scores["odi"]
    assert f"Oswestry Disability Index {odi['percentage']:g}%" in text
    assert odi["band"]["label"] in text
    assert "odi-1.0" in text
    assert "Placeholder statement 2" in text  # the clinic's own licensed wording
    assert "ODI test notice (c) Test Rights Holder." in text


def test_without_the_pack_the_odi_score_prints_but_no_wording(clinic, patient):
    document = odi_pack_document()
    answers = {"odi": _odi_answers(parse_pack(json.dumps(document)))}
    intake = submitted_intake(patient, answers=answers)
    intake.scores["odi"] = results.scores(intake.answers, odi_licensed=True)["odi"]
    intake.save()

    text = pdf_text(_render(intake, clinic).pdf)

    assert f"Oswestry Disability Index {intake.scores['odi']['percentage']:g}%" in text
    assert "Placeholder" not in text
    assert "The question wording is not licensed on this installation" in text
    assert "Fairbank" in text  # the ODI copyright, from the shared notice


def test_the_body_chart_drawing_colours_the_marked_regions_only():
    svg = body_chart_svg(
        {
            "calf_shin_l": ["pain", "numbness"],
            "foot_r": ["numbness"],
            "buttock_l": ["burning"],
            "<script>": ["pain"],  # unknown codes are never drawn, let alone echoed
        }
    )
    assert svg.count('fill="#8a4fa8"') == 1  # pain and numbness: both
    assert svg.count('fill="#3a6ea5"') == 1  # nerve symptoms only
    assert svg.count('fill="#e06040"') == 1  # pain or burning only
    assert "script" not in svg
