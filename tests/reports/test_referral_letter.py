"""Referral letters (issue 17 point 6): written from a signed evaluation whose plan of care
asks for a surgical or medical opinion, or after a red-flag alert that ended in a referral;
the letter's PDF is a report job like the others. And the plan of care's certification
block in the evaluation PDF."""

from datetime import timedelta
from pathlib import Path

import pytest
from django.conf import settings
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from accounts.roles import Role
from audit.models import AuditEvent
from care.models import DiagnosisCode, EpisodeDiagnosis, ReferralContact
from core.models import Clinic
from evaluations import services as evaluation_services
from evaluations.models import Evaluation
from intake.alerts import alert_acknowledge
from intake.models import RedFlagAlert
from reports import letters
from reports.docs import evaluation as evaluation_doc
from reports.docs import referral_letter as letter_doc
from reports.documents import DOCUMENTS, filename
from reports.models import ReferralLetter, ReportJob
from reports.pdf import render_document, render_html
from tests.factories import TEST_PASSWORD, PatientFactory, UserFactory
from tests.reports.conftest import make_evaluation
from tests.reports.pdftext import assert_header_on_every_page, pdf_text, save_page_images

pytestmark = pytest.mark.django_db

REASON = "Persistent L5 weakness despite six weeks of care: surgical opinion, please."
GREAT_TOE_L = "myo_GREAT_TOE_EXTENSION_L"


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


@pytest.fixture
def surgeon(physio):
    return ReferralContact.objects.create(
        name="Dr Imran Shah",
        profession="Spinal surgeon",
        organisation="St Mary's Spinal Unit",
        phone="+44 20 7946 0000",
        fax="+44 20 7946 0001",
        secure_address="spine.referrals@nhs.example",
        created_by=physio,
    )


@pytest.fixture
def gp(physio):
    return ReferralContact.objects.create(name="Dr Jo Bright", profession="GP", created_by=physio)


def _sign(evaluation, physio):
    evaluation_services.evaluation_sign(evaluation=evaluation, by=physio, password=TEST_PASSWORD)
    return Evaluation.objects.get(pk=evaluation.pk)


def _with_referral(evaluation, *, urgency="routine", reason=REASON):
    evaluation.content["plan"].update(
        referral=True,
        referral_to="spinal_surgeon",
        referral_urgency=urgency,
        referral_reason=reason,
    )
    evaluation.save()
    return evaluation


def _odi(evaluation, score: int) -> None:
    evaluation.content["outcomes"]["odi_sections"] = {f"odi_{n}": score for n in range(1, 11)}


def _course(physio, gp, *, patient=None, referral=True):
    """An L5 radiculopathy seen twice, referred by the GP: the initial evaluation, and a
    re-evaluation four weeks on whose great-toe extension fell from 3/5 to 2/5 while the
    pain and the ODI eased, asking for a surgical opinion. Returns (initial,
    re-evaluation), both signed."""
    patient = patient or PatientFactory(given_name="Ana", family_name="Núñez")
    today = timezone.localdate()
    initial = make_evaluation(patient=patient, therapist=physio, days_ago=28, seed=1, sign=False)
    _odi(initial, 3)
    initial.findings = evaluation_services.derive(
        initial, evaluation_services.intake_basis(initial)
    )
    initial.save()
    initial = _sign(initial, physio)
    episode = initial.episode
    episode.referral, episode.referrer = "referred", gp
    episode.start_of_care = today - timedelta(days=29)
    episode.certification_start = today - timedelta(days=28)
    episode.certification_end = today + timedelta(days=62)
    episode.recertification_due = today + timedelta(days=55)
    episode.plan_sent_on = today - timedelta(days=27)
    episode.save()
    code = DiagnosisCode.objects.get_or_create(
        code="M54.16", defaults={"title": "Radiculopathy, lumbar region", "source": "test"}
    )[0]
    EpisodeDiagnosis.objects.create(episode=episode, code=code, recorded_by=physio)
    again = make_evaluation(
        patient=patient, therapist=physio, kind="reevaluation", days_ago=1, seed=2, sign=False
    )
    again.content["neuro"][GREAT_TOE_L] = "2"
    _odi(again, 2)
    if referral:
        _with_referral(again, urgency="urgent")
    again.findings = evaluation_services.derive(again, evaluation_services.intake_basis(again))
    again.save()
    return initial, _sign(again, physio)


def _letter(evaluation, contact, physio, **kwargs):
    kwargs.setdefault("urgency", "urgent")
    kwargs.setdefault("reason", REASON)
    return letters.referral_letter_create(
        evaluation=evaluation, addressed_to=contact, by=physio, **kwargs
    )


def _referral_alert(evaluation, physio, outcome="urgent_referral"):
    alert = RedFlagAlert.objects.create(
        intake=evaluation.intake,
        patient=evaluation.patient,
        level="URGENT",
        items=["CES-3"],
        summary="Urgent: new saddle numbness",
    )
    return alert_acknowledge(alert=alert, by=physio, outcome=outcome, note="GP called at 10:05")


# --- The service -------------------------------------------------------------------------------


def test_a_letter_is_written_from_a_signed_evaluation_whose_plan_asks_for_a_referral(
    physio, surgeon, gp
):
    _initial, evaluation = _course(physio, gp)
    letter = _letter(evaluation, surgeon, physio)

    assert letter.episode == evaluation.episode and letter.patient == evaluation.patient
    assert (letter.urgency, letter.reason, letter.alert) == ("urgent", REASON, None)
    event = AuditEvent.objects.get(action="create", object_id=str(letter.public_id))
    assert event.object_type == "referralletter"
    assert event.patient == evaluation.patient and event.actor == physio
    assert event.summary == "Wrote a referral letter to Dr Imran Shah"
    assert event.details["urgency"] == "urgent"
    assert event.details["evaluation"] == str(evaluation.public_id)


def test_a_draft_evaluation_is_refused(physio, surgeon):
    draft = _with_referral(make_evaluation(therapist=physio, sign=False))
    with pytest.raises(ValidationError) as refused:
        _letter(draft, surgeon, physio)
    assert refused.value.messages == [letters.NOT_SIGNED]
    assert not ReferralLetter.objects.exists()


@pytest.mark.parametrize(
    ("change", "field", "message"),
    [
        ({"urgency": "soon"}, "urgency", "Choose the urgency: emergency, urgent or routine."),
        ({"urgency": ""}, "urgency", "Choose the urgency: emergency, urgent or routine."),
        ({"addressed_to": None}, "addressed_to", "Choose the clinician the letter is addressed"),
        ({"reason": "   "}, "reason", "Give the reason for the referral."),
    ],
)
def test_bad_input_is_refused_by_field(physio, surgeon, gp, change, field, message):
    _initial, evaluation = _course(physio, gp)
    kwargs = {"addressed_to": surgeon, **change}
    with pytest.raises(ValidationError) as refused:
        letters.referral_letter_create(
            evaluation=evaluation,
            urgency=kwargs.get("urgency", "urgent"),
            reason=kwargs.get("reason", REASON),
            addressed_to=kwargs["addressed_to"],
            by=physio,
        )
    assert refused.value.message_dict[field][0].startswith(message)
    assert not ReferralLetter.objects.exists()
    assert not AuditEvent.objects.filter(summary__startswith="Wrote a referral letter").exists()


def test_nothing_asking_for_a_referral_is_refused(physio, surgeon, gp):
    _initial, evaluation = _course(physio, gp, referral=False)
    assert not letters.letter_allowed(evaluation)
    with pytest.raises(ValidationError) as refused:
        _letter(evaluation, surgeon, physio)
    assert refused.value.message_dict["__all__"] == [letters.NOTHING_ASKS]


def test_an_alert_that_ended_in_a_referral_asks_for_one(physio, surgeon, gp):
    _initial, evaluation = _course(physio, gp, referral=False)
    alert = _referral_alert(evaluation, physio, outcome="emergency_referral")
    assert letters.letter_allowed(evaluation)
    defaults = letters.letter_defaults(evaluation, letters.referral_alerts(evaluation))
    assert (defaults.addressed_to, defaults.urgency, defaults.alert) == (gp, "emergency", alert)
    assert defaults.reason.startswith("Urgent: new saddle numbness. Emergency referral made.")

    # The alert must be named: the plan asks for nothing.
    with pytest.raises(ValidationError) as refused:
        _letter(evaluation, surgeon, physio)
    assert "alert" in refused.value.message_dict
    letter = _letter(evaluation, surgeon, physio, alert=alert, urgency="emergency")
    assert letter.alert == alert


def test_an_alert_that_was_a_false_positive_or_of_another_record_does_not(physio, surgeon, gp):
    _initial, evaluation = _course(physio, gp, referral=False)
    _referral_alert(evaluation, physio, outcome="false_positive")
    assert not letters.letter_allowed(evaluation)
    _i, other = _course(physio, gp, referral=False)
    elsewhere = _referral_alert(other, physio)
    with pytest.raises(ValidationError) as refused:
        _letter(evaluation, surgeon, physio, alert=elsewhere)
    assert "not one of this evaluation's" in refused.value.message_dict["alert"][0]


def test_the_form_starts_from_the_plans_referral_and_the_episodes_referrer(physio, gp):
    _initial, evaluation = _course(physio, gp)
    defaults = letters.letter_defaults(evaluation, [])
    assert (defaults.addressed_to, defaults.urgency, defaults.reason) == (gp, "urgent", REASON)


# --- The page ----------------------------------------------------------------------------------


def _client(client, user):
    client.force_login(user)
    return client


def test_the_evaluation_page_offers_the_letter_only_when_something_asks(
    client, physio, surgeon, gp
):
    _course_without = _course(physio, gp, referral=False)[1]
    _initial, evaluation = _course(physio, gp)
    c = _client(client, physio)
    page = c.get(reverse("evaluations:detail", args=[evaluation.public_id])).content.decode()
    assert reverse("reports:letter-new", args=[evaluation.public_id]) in page
    other = c.get(reverse("evaluations:detail", args=[_course_without.public_id]))
    assert 'data-testid="referral-letter"' not in other.content.decode()


def test_bad_input_is_shown_beside_the_field_and_kept(client, physio, surgeon, gp):
    _initial, evaluation = _course(physio, gp)
    url = reverse("reports:letter-new", args=[evaluation.public_id])
    c = _client(client, physio)
    page = c.get(url)
    assert page.status_code == 200
    form = page.context["form"]
    assert form["addressed_to"].value() == gp.pk and form["urgency"].value() == "urgent"
    assert form["reason"].value() == REASON

    typed = "Worse at night <b>and</b> on walking"
    response = c.post(url, {"addressed_to": "", "urgency": "whenever", "reason": typed})
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert errors["addressed_to"] == ["Choose the clinician the letter is addressed to."]
    assert errors["urgency"] == ["Choose the urgency: emergency, urgent or routine."]
    body = response.content.decode()
    assert "Worse at night &lt;b&gt;and&lt;/b&gt; on walking" in body
    assert not ReferralLetter.objects.exists() and not ReportJob.objects.exists()


def test_a_draft_or_an_evaluation_asking_for_nothing_sends_the_therapist_back(client, physio, gp):
    draft = make_evaluation(therapist=physio, sign=False)
    _initial, nothing = _course(physio, gp, referral=False)
    c = _client(client, physio)
    for evaluation in (draft, nothing):
        response = c.get(reverse("reports:letter-new", args=[evaluation.public_id]))
        assert response.status_code == 302
        assert response.url == reverse("evaluations:detail", args=[evaluation.public_id])


def test_the_front_desk_may_not_and_an_administrator_reads_but_does_not_write(
    client, physio, surgeon, gp, front_desk, administrator
):
    _initial, evaluation = _course(physio, gp)
    letter = _letter(evaluation, surgeon, physio)
    url = reverse("reports:letter-new", args=[evaluation.public_id])
    pdf = reverse("reports:request", args=["referral_letter", letter.public_id])
    post = {"addressed_to": surgeon.pk, "urgency": "urgent", "reason": REASON}

    c = _client(client, front_desk)
    assert c.get(url).status_code == 403 and c.post(url, post).status_code == 403
    assert c.post(pdf).status_code == 403
    c = _client(client, administrator)
    assert c.get(url).status_code == 403 and c.post(url, post).status_code == 403
    assert ReferralLetter.objects.count() == 1
    response = c.post(pdf)
    assert response.status_code == 302
    job = ReportJob.objects.get()
    assert (job.kind, job.requested_by) == ("referral_letter", administrator)
    assert c.get(reverse("reports:job", args=[job.public_id])).status_code == 200
    # The administrator sees the letters on the evaluation page, with their PDF button only.
    page = c.get(reverse("evaluations:detail", args=[evaluation.public_id])).content.decode()
    assert pdf in page and url not in page


def test_the_letter_pdf_renders_as_a_job_with_what_the_surgeon_needs(
    client, clinic, physio, surgeon, gp, inline_jobs, django_capture_on_commit_callbacks
):
    initial, evaluation = _course(physio, gp)
    url = reverse("reports:letter-new", args=[evaluation.public_id])
    c = _client(client, physio)
    with django_capture_on_commit_callbacks(execute=True):
        response = c.post(url, {"addressed_to": surgeon.pk, "urgency": "urgent", "reason": REASON})
    letter = ReferralLetter.objects.get()
    job = ReportJob.objects.get()
    assert response.status_code == 302 and response.url == reverse(
        "reports:job", args=[job.public_id]
    )
    assert job.status == "succeeded", job.error
    assert (job.kind, job.params, job.patient) == (
        "referral_letter",
        {"subject": str(letter.public_id)},
        evaluation.patient,
    )
    assert job.filename == filename("referral_letter", letter)
    assert job.filename.startswith(f"referral-letter-MRN{evaluation.patient.mrn}-")
    pdf = (Path(settings.MEDIA_ROOT) / job.file).read_bytes()
    save_page_images(pdf, "referral-letter")
    text = pdf_text(pdf)
    patient = evaluation.patient

    assert_header_on_every_page(pdf, clinic=clinic, patient=patient)
    # Addressed to the surgeon, about the patient, the urgency prominent.
    for fact in (
        "To: Dr Imran Shah, Spinal surgeon",
        "St Mary's Spinal Unit",
        "Tel. +44 20 7946 0000 · Fax +44 20 7946 0001",
        "Secure address: spine.referrals@nhs.example",
        f"Re: {patient.full_name}, born",
        f"MRN {patient.mrn}",
        "Urgency: URGENT: SEEN THE SAME DAY",
        REASON,
        "Dear Dr Imran Shah,",
    ):
        assert fact in text, fact
    # Findings: diagnosis, classification and its evidence, neuro exam, neurodynamic tests.
    assert "M54.16 Radiculopathy, lumbar region (primary)" in text
    assert "Classification" in text and "Rationale" in text
    assert "Evidence for" in text
    assert "Great-toe extension (L5) Left 2, right 5 (MRC 0\u20135): the sides differ" in text
    assert "Suggested level" in text and "Neurodynamic tests" in text
    # The trend: the great-toe extension that fell since the initial evaluation.
    since = f"{initial.visit_date.day} {initial.visit_date:%b %Y}"
    assert f"L5 great-toe extension left 3/5 → 2/5 since {since}" in text
    # The charts against the minimal important change: leg and back pain, the ODI.
    assert "Leg pain (NPRS), 0 to 10: lower is better" in text
    assert "Back pain (NPRS), 0 to 10: lower is better" in text
    assert "Oswestry Disability Index (ODI), 0 to 100%: lower is better" in text
    assert "Minimal important change used: 10 points or a 30% improvement" in text
    assert evaluation_doc.ODI_NOTICE in text
    assert "Patient-Specific Functional Scale" not in text
    # What was tried, for how long.
    assert "What has been tried" in text
    start = evaluation.episode.start_of_care
    assert f"Since the start of care on {start.day} {start:%b %Y}: 4 weeks" in text
    assert "2 signed evaluations" in text
    assert f"The plan of care from the initial evaluation of {since}" in text
    # Signed off by the therapist.
    assert "Yours sincerely," in text
    assert "Maya Okafor, physical therapist, licence PT-40917" in text
    assert "Written by Maya Okafor" in text
    assert AuditEvent.objects.filter(
        action="export", patient=patient, object_id=str(job.public_id)
    ).exists()


def test_the_letter_after_an_alert_prints_the_alert_and_what_was_done(clinic, physio, surgeon, gp):
    _initial, evaluation = _course(physio, gp, referral=False)
    alert = _referral_alert(evaluation, physio)
    letter = _letter(evaluation, surgeon, physio, alert=alert)
    text = pdf_text(
        render_document(
            "referral_letter", letter_doc.load_letter(letter.public_id), clinic=clinic
        ).pdf
    )
    assert "Red-flag alert Urgent: new saddle numbness" in text
    assert "Urgent (same-day) medical referral arranged" in text and "GP called at 10:05" in text


def test_the_letter_reads_a_fixed_number_of_queries_and_its_version_follows_its_records(
    clinic, physio, surgeon, gp, django_assert_num_queries
):
    _initial, evaluation = _course(physio, gp)
    letter = _letter(evaluation, surgeon, physio)
    doc = DOCUMENTS["referral_letter"]
    # The letter with its records; the episode's diagnoses; the addenda; the intake's
    # corrections. Then the signed visits (and the instrument packs for the ODI notice).
    with django_assert_num_queries(4):
        subject = doc.load(letter.public_id)
    # The signed visits, the signed treatment notes counted, the ODI's notice (it is charted).
    with django_assert_num_queries(3):
        doc.context(subject, clinic)
    with django_assert_num_queries(1):
        version = doc.version(subject)
    assert doc.unavailable(subject) == ""

    def now():
        return doc.version(doc.load(letter.public_id))

    seen = [version]
    evaluation_services.evaluation_addendum_add(
        evaluation=evaluation, by=physio, section="neuro", reason="Re-tested", text="4/5 now."
    )
    seen.append(now())
    surgeon.phone = "+44 20 7946 0999"
    surgeon.save()
    seen.append(now())
    episode = evaluation.episode
    episode.plan_signed_on = timezone.localdate()
    episode.save()
    seen.append(now())
    assert len(set(seen)) == 4
    assert now() == seen[-1]  # nothing changed: the same version


# --- The plan of care's certification block ----------------------------------------------------


def test_the_plan_of_care_prints_its_certification_block(clinic, physio, gp):
    initial, _again = _course(physio, gp)
    episode = initial.episode
    pdf = render_document(
        "evaluation", evaluation_doc.load_evaluation(initial.public_id), clinic=clinic
    ).pdf
    save_page_images(pdf, "evaluation-certification")
    text = pdf_text(pdf)

    def day(d):
        return f"{d.day} {d:%b %Y}"

    assert "Plan of care certification" in text
    assert (
        f"Certification period {day(episode.certification_start)} to "
        f"{day(episode.certification_end)}"
    ) in text
    assert f"Recertification due {day(episode.recertification_due)}" in text
    assert f"Plan of care sent {day(episode.plan_sent_on)}" in text
    assert "Signed plan received" not in text  # not recorded yet
    assert "Signature: Dr Jo Bright, GP" in text and "Date" in text


def test_the_certification_block_says_when_nothing_is_set_yet(clinic, physio):
    evaluation = make_evaluation(therapist=physio)
    text = pdf_text(
        render_document(
            "evaluation", evaluation_doc.load_evaluation(evaluation.public_id), clinic=clinic
        ).pdf
    )
    assert "Certification period Not yet set" in text
    assert "Recertification due Not yet set" in text
    assert "Signature: referring clinician" in text


def test_the_evaluation_version_follows_the_certification(physio, gp):
    initial, _again = _course(physio, gp)
    before = evaluation_doc.evaluation_version(evaluation_doc.load_evaluation(initial.public_id))
    episode = initial.episode
    episode.plan_signed_on = timezone.localdate()
    episode.save()
    after = evaluation_doc.evaluation_version(evaluation_doc.load_evaluation(initial.public_id))
    assert after != before


HOSTILE = '<b>bold</b> <script>alert(1)</script> <img src="file:///etc/passwd">'


def test_free_text_prints_literally_and_is_never_markup(clinic, physio, gp):
    _initial, evaluation = _course(physio, gp)
    contact = ReferralContact.objects.create(
        name=f"Dr {HOSTILE}", organisation=HOSTILE, created_by=physio
    )
    letter = _letter(evaluation, contact, physio, reason=f"Reason {HOSTILE}")
    subject = letter_doc.load_letter(letter.public_id)
    html = render_html("referral_letter", subject, clinic=clinic)
    assert "<script>" not in html and "<b>bold</b>" not in html
    text = pdf_text(render_document("referral_letter", subject, clinic=clinic).pdf)
    assert f"Reason {HOSTILE}" in text and f"To: Dr {HOSTILE}" in text
