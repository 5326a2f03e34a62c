"""The evaluation and progress PDFs: the findings, classification and plan of care for the
referring physician, and the progress (or discharge) report with its charts, read back
from the PDF text."""

import io
import random
import re
from datetime import datetime, time, timedelta

import pytest
from django.utils import timezone
from pypdf import PdfReader

from accounts.roles import Role
from core.models import Clinic
from evaluations import services
from evaluations.demo import demo_evaluation
from evaluations.goals import goal_status
from evaluations.models import Evaluation
from evaluations.progress import Point, measure_progress
from intake.demo import demo_answers, demo_results
from reports.docs import evaluation as doc
from reports.docs import progress as progress_doc
from reports.pdf import render_document, render_html
from tests.factories import TEST_PASSWORD, IntakeFactory, PatientFactory, UserFactory
from tests.reports.pdftext import (
    assert_header_on_every_page,
    pdf_pages_text,
    pdf_text,
    save_page_images,
)

pytestmark = pytest.mark.django_db

HOSTILE = '<b>bold</b> <script>alert(1)</script> <img src="file:///etc/passwd">'


@pytest.fixture
def clinic(db):
    clinic = Clinic.objects.current()
    clinic.name = "Riverside Physiotherapy"
    clinic.address = "12 Mill Lane\nRiverside\nRV1 2AB"
    clinic.save()
    return clinic


@pytest.fixture
def physio(db):
    return UserFactory(
        username="physio",
        first_name="Maya",
        last_name="Okafor",
        licence_number="PT-40917",
        roles=[Role.THERAPIST],
    )


def _intake(patient, *, days_ago: int):
    """A submitted demo intake with left-sided radicular leg symptoms."""
    on = timezone.localdate() - timedelta(days=days_ago)
    answers = demo_answers(random.Random(7), today=on, radicular=True)
    chart = answers["where"]["chart"]
    answers["where"]["chart"] = {re.sub(r"_[lr]$", "_l", k): v for k, v in chart.items()}
    started = timezone.make_aware(datetime.combine(on, time(9)))
    return IntakeFactory(
        patient=patient,
        started_at=started,
        submitted_at=started + timedelta(minutes=15),
        answers=answers,
        **demo_results(answers, date_of_birth=patient.date_of_birth, on=on),
    )


def _visits(patient, physio, *, count: int, sign_last: bool = True, last_kind=None):
    """An L5 radiculopathy seen `count` times, three weeks apart, improving each time."""
    start = 21 * count + 2
    intake = _intake(patient, days_ago=start)
    visits = []
    for n in range(count):
        last = n == count - 1
        kind = Evaluation.Kind.INITIAL if n == 0 else Evaluation.Kind.REEVALUATION
        if last and last_kind:
            kind = last_kind
        visits.append(
            demo_evaluation(
                patient=patient,
                intake=intake,
                therapist=physio,
                kind=kind,
                visit_date=timezone.localdate() - timedelta(days=start - 1 - 21 * n),
                vignette="L5",
                rng=random.Random(n + 1),
                improvement=min(1.0, 0.4 * n),
                sign=sign_last or not last,
            )
        )
    return visits


def _render(kind, evaluation, clinic):
    return render_document(kind, doc.load_evaluation(evaluation.public_id), clinic=clinic)


def test_it_prints_the_evaluation_findings_plan_and_signature(clinic, patient, physio):
    (evaluation,) = _visits(patient, physio, count=1)
    services.evaluation_addendum_add(
        evaluation=evaluation,
        by=physio,
        section="plan",
        reason="Spoke to the GP",
        text="GP agrees with the plan; review in six weeks.",
    )

    rendered = _render("evaluation", evaluation, clinic)
    paths = save_page_images(rendered.pdf, "evaluation-initial")
    text = pdf_text(rendered.pdf)

    assert 3 <= rendered.pages <= 5 and len(paths) in (0, rendered.pages)
    assert_header_on_every_page(rendered.pdf, clinic=clinic, patient=patient)
    assert "Initial evaluation and plan of care" in text
    # Red-flag screen outcome and action.
    assert (
        "Red-flag screen" in text
        and f"Ruleset {evaluation.intake.triage['ruleset_version']}" in text
    )
    # Classification with its evidence, the therapist's choice and rationale.
    assert "Radiculopathy with radicular pain (painful radiculopathy); side: left" in text
    assert "Evidence for" in text and "Objective neurological deficit" in text
    assert "positive left SLR that changes with ankle dorsiflexion" in text
    # Repeated movements: directional preference and centralisation.
    assert "Extension; centralisation seen" in text
    assert "Centralised with extension in lying" in text
    # Neurodynamic: the SLR angles side to side.
    assert "Onset at 41° left and 80° right (hip flexion): difference 39°" in text
    # Neuro exam grid: the weak great-toe extension, 3 on the left and 5 on the right.
    assert re.search(r"Great-toe extension \* extensor hallucis longus L5 3 5", text)
    assert re.search(r"great toe and first web space L5 \* Reduced / Normal Reduced / Normal", text)
    assert "5/5 on both sides: hip flexion (L2/L3), hip adduction (L3)" in text
    assert "Normal on both sides to light touch and pin-prick: L1, L2, L3, L4, S1, S2" in text
    assert "Achilles (ankle jerk) 2+ normal 2+ normal" in text
    # PROM scores with bands and the MCID used, with its citation.
    assert "Leg pain (NPRS) 7 moderate" in text
    assert "2 points or a 30% improvement (Ostelo 2008)" in text
    assert "Ostelo RWJG et al. Spine 2008;33(1):90-94" in text
    # The plan with CPG verbs and grades, goals and the home programme.
    assert "Neural mobilisation: slider, sciatic nerve" in text
    assert "Directional-preference exercise: extension, lying prone" in text
    # Abbreviations are written out where first used.
    assert "clinical practice guideline (CPG): Chronic low back pain (LBP) with leg pain" in text
    assert "2 visits a week for 6 weeks" in text
    assert "Goal 1: Leg pain (NPRS)" in text and "Pain 2/10 or less on most days by" in text
    assert "Prone press-ups 10 x every two to three hours" in text
    # The addendum, the signature and the Keele notice.
    assert "Addenda after signing" in text and "GP agrees with the plan" in text
    signed_at = timezone.localtime(evaluation.signed_at)
    assert f"Maya Okafor (licence PT-40917), {signed_at:%-d %b %Y %H:%M}" in text
    assert "Copyright (©2021) University of Keele" in text
    assert "DRAFT" not in text and "Not signed" not in text


def test_letter_paper_keeps_the_grids_inside_the_page(clinic, patient, physio):
    clinic.paper_size = Clinic.PaperSize.LETTER
    clinic.save()
    (evaluation,) = _visits(patient, physio, count=1)

    rendered = _render("evaluation", evaluation, clinic)
    save_page_images(rendered.pdf, "evaluation-letter")

    assert 3 <= rendered.pages <= 5
    assert_header_on_every_page(rendered.pdf, clinic=clinic, patient=patient)
    box = PdfReader(io.BytesIO(rendered.pdf)).pages[0].mediabox
    assert (round(box.width), round(box.height)) == (612, 792)


@pytest.mark.parametrize(
    ("kind", "title"),
    [
        (Evaluation.Kind.REEVALUATION, "Re-evaluation"),
        (Evaluation.Kind.DISCHARGE, "Discharge evaluation"),
    ],
)
def test_the_title_follows_the_evaluation_kind(clinic, patient, physio, kind, title):
    evaluation = _visits(patient, physio, count=2, last_kind=kind)[-1]
    text = pdf_text(_render("evaluation", evaluation, clinic).pdf)
    assert title in text and "Initial evaluation and plan of care" not in text


def test_a_draft_is_watermarked_on_every_page_and_says_it_is_not_signed(clinic, patient, physio):
    (evaluation,) = _visits(patient, physio, count=1, sign_last=False)

    rendered = _render("evaluation", evaluation, clinic)
    save_page_images(rendered.pdf, "evaluation-draft")
    pages = pdf_pages_text(rendered.pdf)

    assert all("DRAFT" in page for page in pages)
    assert "Not signed — draft" in pdf_text(rendered.pdf)
    assert "Signed by" not in pdf_text(rendered.pdf)


def test_free_text_is_printed_literally(clinic, patient, physio):
    (evaluation,) = _visits(patient, physio, count=1, sign_last=False)
    evaluation.content["classification"]["rationale"] = HOSTILE
    evaluation.content["plan"]["goals"][0]["target"] = HOSTILE
    evaluation.content["plan"]["hep"] = HOSTILE
    evaluation.content["outcomes"]["notes"] = HOSTILE
    evaluation.save()
    subject = doc.load_evaluation(evaluation.public_id)

    html = render_html("evaluation", subject, clinic=clinic)
    text = pdf_text(render_document("evaluation", subject, clinic=clinic).pdf)
    progress_html = render_html("progress", subject, clinic=clinic)

    for page in (html, progress_html):
        assert "<script>" not in page and 'file:///etc/passwd">' not in page
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert text.count(HOSTILE) >= 4


def test_the_progress_report_charts_outcomes_against_the_mcid(clinic, patient, physio):
    visits = _visits(patient, physio, count=3)

    rendered = _render("progress", visits[-1], clinic)
    save_page_images(rendered.pdf, "progress")
    text = pdf_text(rendered.pdf)

    assert 2 <= rendered.pages <= 4
    assert_header_on_every_page(rendered.pdf, clinic=clinic, patient=patient)
    assert "Progress report" in text and "3 visits" in text
    # The charts are vector drawings with their axis titles and labels as text.
    assert "Leg pain (NPRS), 0 to 10: lower is better" in text
    assert "Patient-Specific Functional Scale (PSFS mean), 0 to 10: higher is better" in text
    assert "Most distal symptom: lower is nearer the spine" in text
    assert "within minimal important change (±2)" in text
    assert _line_segments(rendered.pdf, page=0) > 20
    # What each change means against the MCID.
    assert "Leg pain fell from 7 to 3 since the intake" in text
    assert "more than the minimal important change of 2 points (Ostelo 2008)" in text
    assert "Important improvement." in text
    assert "Centralising. Most distal symptom moved from the foot" in text
    # Goals of the previous visit, met or not; classification and plan changes.
    assert "Goals set at the re-evaluation on" in text
    assert "PSFS average 7/10 or more" in text and "Met (latest 8.3" in text
    assert "Not yet met" in text
    assert "Unchanged since the re-evaluation" in text
    assert "Plan changes" in text and "No change to the plan since the re-evaluation" in text
    assert "Neural mobilisation: tensioner" in text
    assert "Maya Okafor (licence PT-40917), " in text and "DRAFT" not in text


def test_a_discharge_evaluation_gives_a_discharge_report(clinic, patient, physio):
    visits = _visits(patient, physio, count=3, last_kind=Evaluation.Kind.DISCHARGE, sign_last=False)

    rendered = _render("progress", visits[-1], clinic)
    save_page_images(rendered.pdf, "discharge-report")
    text = pdf_text(rendered.pdf)

    assert "Discharge report" in text and "Progress report" not in text
    assert "Status at discharge" in text and "Recommendations" in text
    assert "3 (baseline 7): \u22124 points: important improvement" in text
    assert "Hollow points are from unsigned draft evaluations" in text
    assert "Not met (latest 3, the discharge on" in text and "Not yet met" not in text
    assert all("DRAFT" in page for page in pdf_pages_text(rendered.pdf))


def test_without_an_intake_it_prints_exam_alerts_referral_and_the_odi_notice(clinic, physio):
    patient = PatientFactory()
    evaluation = demo_evaluation(
        patient=patient,
        intake=None,
        therapist=physio,
        kind=Evaluation.Kind.INITIAL,
        visit_date=timezone.localdate() - timedelta(days=3),
        vignette="S1",
        rng=random.Random(3),
        improvement=0,
        sign=False,
    )
    content = evaluation.content
    content["neuro"]["babinski_R"] = "EXTENSOR"
    content["outcomes"]["odi_sections"] = {f"odi_{n}": 2 for n in range(1, 11)}
    content["plan"].update(
        referral=True,
        referral_to="spinal_surgeon",
        referral_urgency="urgent",
        referral_reason="Upgoing plantar on the right.",
    )
    evaluation.findings = services.derive(evaluation, services.intake_basis(evaluation))
    evaluation.save()

    rendered = _render("evaluation", evaluation, clinic)
    save_page_images(rendered.pdf, "evaluation-no-intake")
    text = pdf_text(rendered.pdf)

    assert_header_on_every_page(rendered.pdf, clinic=clinic, patient=patient)
    assert "No red-flag screen on record" in text
    assert "Babinski (plantar response) Flexor (down-going) Extensor (up-going)" in text
    assert "Neuro exam: urgent" in text
    assert "Spinal surgeon, urgent: seen the same day: Upgoing plantar on the right." in text
    assert "Oswestry Disability Index (ODI) 40% moderate disability" in text
    assert "10 points or a 30% improvement" in text
    assert doc.ODI_NOTICE in text
    assert "University of Keele" not in text  # no intake, so no STarT Back shown


def _line_segments(pdf: bytes, *, page: int) -> int:
    """How many straight line segments page `page` draws (chart axes, grid and lines)."""
    contents = PdfReader(io.BytesIO(pdf)).pages[page].get_contents().get_data()
    return len(re.findall(rb"[\d.]+ [\d.]+ l\b", contents))


@pytest.mark.parametrize("count", [1, 4])
def test_the_documents_read_a_fixed_number_of_queries(
    clinic, patient, physio, count, django_assert_num_queries
):
    evaluation = _visits(patient, physio, count=count)[-1]

    # The evaluation, its addenda and alerts, the intake's corrections and alerts; the
    # clinic's instrument packs; the visits up to this one, the episode's treatment notes
    # and its follow-up packets.
    with django_assert_num_queries(5):
        subject = doc.load_evaluation(evaluation.public_id)
    with django_assert_num_queries(1):
        doc.evaluation_context(subject, clinic)
    with django_assert_num_queries(3):
        progress_doc.progress_context(subject, clinic)
    with django_assert_num_queries(0):
        doc.evaluation_version(subject)
    with django_assert_num_queries(3):
        progress_doc.progress_version(subject)


def test_versions_change_with_what_the_documents_print(patient, physio):
    first, second = _visits(patient, physio, count=2, sign_last=False)
    before = doc.load_evaluation(second.public_id)
    evaluation, progress = doc.evaluation_version(before), progress_doc.progress_version(before)

    # A change to the earlier visit changes the progress report only.
    first.updated_at = timezone.now()
    first.save(update_fields=["updated_at"])
    after = doc.load_evaluation(second.public_id)
    assert doc.evaluation_version(after) == evaluation
    assert progress_doc.progress_version(after) != progress

    services.evaluation_sign(evaluation=after, by=physio, password=TEST_PASSWORD)
    signed = doc.load_evaluation(second.public_id)
    assert doc.evaluation_version(signed) != evaluation


def test_unavailable_until_something_is_recorded(patient, physio):
    empty = services.evaluation_start(patient=patient, kind="initial", by=physio)
    assert doc.evaluation_unavailable(empty) == "Nothing has been recorded in this evaluation yet."
    assert progress_doc.progress_unavailable(empty)

    (evaluation,) = _visits(PatientFactory(), physio, count=1)
    assert doc.evaluation_unavailable(evaluation) == ""
    assert progress_doc.progress_unavailable(evaluation) == ""
    evaluation.findings["outcomes"] = {}
    assert "no outcome measures" in progress_doc.progress_unavailable(evaluation)


@pytest.mark.parametrize(
    ("target", "code", "latest", "status"),
    [
        ("Pain 2/10 or less on most days", "leg_pain", 2, "met"),
        ("Pain 2/10 or less on most days", "leg_pain", 3, "not_met"),
        ("PSFS average 7/10 or more", "psfs", 7.5, "met"),
        ("ODI under 20%", "odi", 24, "not_met"),
        ("Leg pain 3", "leg_pain", 2, "met"),  # no words: the measure's better direction
        ("Between 2 and 4", "leg_pain", 3, "not_judged"),
        ("Walk 30 minutes", "walking", None, "not_judged"),
    ],
)
def test_goal_status_reads_the_target_number(target, code, latest, status):
    on = timezone.localdate()
    measures = {}
    if latest is not None:
        point = Point(on=on, value=latest, label="Re-evaluation", source="evaluation")
        measures[code] = measure_progress(code, [point])
    goal = {"code": code, "target": target, "by": on - timedelta(days=1)}
    assert goal_status(goal, measures, on=on)["status"] == status


def test_the_progress_report_charts_the_treatment_notes_between_evaluations(physio):
    """A note's leg pain joins the episode's chart, the report counts the note, and saving
    the note changes the report's version."""
    from evaluations import note_services
    from reports.docs.progress import progress_context, progress_version
    from tests.evaluations.note_helpers import form_data, signed_initial
    from tests.factories import PatientFactory
    from tests.reports.conftest import make_evaluation

    patient = PatientFactory()
    initial = signed_initial(patient, physio, days_ago=10)
    note = note_services.note_start(episode=initial.episode, by=physio)
    later = make_evaluation(therapist=physio, patient=patient, kind="reevaluation", days_ago=0)
    assert later.episode_id == initial.episode_id
    before = progress_version(doc.load_evaluation(later.public_id))
    result = note_services.note_save(
        note=note, data=form_data(note, leg_nprs="1"), by=physio, version=note.version
    )
    assert result.status == "saved"
    assert progress_version(doc.load_evaluation(later.public_id)) != before
    context = progress_context(doc.load_evaluation(later.public_id), None)
    assert len(context["notes"]) == 1
    leg = next(m for m in context["measures"] if m["progress"].code == "leg_pain")
    assert any(p.value == 1 for p in leg["progress"].points)
