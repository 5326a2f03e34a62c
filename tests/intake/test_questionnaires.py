"""The questionnaire registry (intake.questionnaires) is the only list of questionnaires.

The registered ones are checked against their engines, screens and packs; then two
made-up questionnaires are registered, one with its wording in the project and one from a
clinic-loaded pack, and followed through every consumer: the tablet's screens and their
packs, the stored scores, the review screen, the staff summary and its scores table, the
intake summary PDF's rows and notices, the evaluation documents' notices and the progress
measures. A consumer that keeps a list of its own fails here instead of leaving a new
questionnaire out without a word.
"""

import json
from datetime import date
from pathlib import Path

import pytest
from django import forms
from django.core.management import call_command
from django.urls import reverse

from core.models import Clinic
from intake import questionnaires as registry
from intake import results, steps
from intake.forms import PackForm, StepForm
from intake.instruments import PackError
from intake.models import Intake
from intake.questionnaires import Licence, ProgressMeasure, Questionnaire, ScoreRow
from intake.scoring import nprs, odi, psfs, startback
from intake.services import instrument_pack_load, instrument_packs
from intake.summary import summary_context
from patients.models import Patient
from reports.docs.intake import intake_context, load_intake
from tests.factories import hand_over_tablet
from tests.intake.answers import HAPPY

TEMPLATES = Path(__file__).resolve().parents[2] / "templates"


# --- The registered questionnaires ------------------------------------------------------------


def test_each_questionnaire_is_its_engines_and_has_one_screen_with_a_template():
    engines = {"nprs": nprs, "startback": startback, "psfs": psfs, "odi": odi}
    assert [q.key for q in registry.QUESTIONNAIRES] == ["nprs", "startback", "psfs", "odi"]
    screens = steps.step_by_key()
    for q in registry.QUESTIONNAIRES:
        assert q.code == engines[q.key].INSTRUMENT_CODE
        assert screens[q.step].form_class is q.form
        assert (TEMPLATES / screens[q.step].template).is_file(), q.step


def test_the_screens_keep_their_order_with_each_questionnaire_where_its_entry_says():
    assert [s.key for s in steps.STEPS] == [
        "about",
        "consent",
        "where",
        "feels",
        "when",
        "pain",
        "history",
        "redflags",
        "startback",
        "psfs",
        "odi",
        "review",
    ]
    assert steps.all_steps() == steps.STEPS


def test_licences_follow_the_specs_licensing_column():
    by_key = registry.by_key()
    assert by_key["nprs"].licence is Licence.OPEN
    assert by_key["psfs"].licence is Licence.OPEN
    assert by_key["startback"].licence is Licence.SHIPPED_PACK
    assert by_key["odi"].licence is Licence.CLINIC_PACK
    # Only the shipped-pack questionnaire has a pack in the repository; never the ODI.
    assert set(registry.shipped_packs()) == {startback.INSTRUMENT_CODE}
    assert registry.pack_steps() == {"startback", "odi"}


@pytest.mark.parametrize("q", [q for q in registry.QUESTIONNAIRES if q.pack_items is not None])
def test_a_pack_is_checked_against_what_its_engine_expects(q):
    document = _pack_document(q.code, q.pack_items)
    assert registry.parse_pack(json.dumps(document)).instrument == q.code
    document["items"] = document["items"][1:]
    with pytest.raises(PackError, match="items must be exactly"):
        registry.parse_pack(json.dumps(document))


def test_a_questionnaire_worded_by_a_pack_needs_what_the_pack_must_hold():
    with pytest.raises(ValueError, match="pack_items"):
        _fake_open(licence=Licence.CLINIC_PACK)


def test_progress_measures_are_the_charts_measures_in_order():
    measures = registry.progress_measures()
    assert [m.code for m in measures] == ["back_pain", "leg_pain", "odi", "psfs"]
    assert measures[0].mcid is nprs.MCID and measures[2].mcid is odi.MCID
    answers = {"pain": {"nprs_back_now": 3, "nprs_leg_now": 6}}
    scores = {"odi": {"percentage": 42.0}, "psfs": {"mean": None}}
    assert registry.baseline_values(answers, scores) == {
        "back_pain": 3,
        "leg_pain": 6,
        "odi": 42.0,
    }


def test_notices_print_copyright_statements_before_citations():
    scores = {"startback": {"copyright_statement": "Keele ©"}, "psfs": {"mean": 5.0}}
    texts = registry.notices(["psfs", "odi", "startback"], scores=scores, packs={})
    assert texts == ["Keele ©", registry.ODI_NOTICE, texts[2]]
    assert texts[2].startswith("Patient-Specific Functional Scale: Stratford")


# --- Two made-up questionnaires, followed through every consumer ---------------------------

FAKE_PACK_CODE = "fake_pack_v1"


class FakeOpenForm(StepForm):
    fake_1 = forms.TypedChoiceField(
        label="How fake is it?",
        choices=[(n, f"Level {n}") for n in range(4)],
        coerce=int,
        widget=forms.RadioSelect,
    )


class FakePackForm(PackForm):
    instrument = FAKE_PACK_CODE


def _score_fake_open(answers):
    return {"total": answers["fake_1"], "algorithm_version": "fake-open-1"} if answers else None


def _score_fake_pack(answers):
    if not answers:
        return None
    return {"total": int(answers.get("fp_1") == "yes"), "algorithm_version": "fake-pack-1"}


def _fake_open(**overrides) -> Questionnaire:
    fields = {
        "key": "fake_open",
        "code": "fake_open_v1",
        "name": "Fake Open Scale",
        "step": "fake_open",
        "title": "A made-up scale",
        "form": FakeOpenForm,
        "after": "odi",
        "score": _score_fake_open,
        "licence": Licence.OPEN,
        "rows": lambda s: [ScoreRow(measure="Fake open", score=f"total {s['total']}")],
        "notice": lambda score, pack: "Fake Open Scale: cite the makers.",
        "notice_kind": registry.NoticeKind.CITATION,
        "progress": (
            ProgressMeasure(
                code="fake_open",
                title="Fake (FOS)",
                unit="points",
                scale_min=0,
                scale_max=3,
                better=registry.LOWER,
                mcid=nprs.MCID,
                noun="Fakeness",
                noun_mid="fakeness",
                tick_step=1,
                baseline=lambda answers, scores: (scores.get("fake_open") or {}).get("total"),
            ),
        ),
        "template": "intake/kiosk/steps/_generic.html",
    }
    return Questionnaire(**{**fields, **overrides})


FAKE_PACK = Questionnaire(
    key="fake_pack",
    code=FAKE_PACK_CODE,
    name="Fake Licensed Questionnaire",
    step="fake_pack",
    title="A made-up licensed one",
    form=FakePackForm,
    after="fake_open",
    score=_score_fake_pack,
    licence=Licence.CLINIC_PACK,
    pack_items={"fp_1": {"no": 0, "yes": 1}},
    rows=lambda s: [ScoreRow(measure="Fake licensed", score=f"scored {s.get('total')}")],
    notice=lambda score, pack: (pack.copyright if pack else "") or "Fake licensed © Nobody.",
    template="intake/kiosk/steps/_generic.html",
)


def _pack_document(code, items) -> dict:
    def options(scores):
        return [
            {"id": option, "text": option.title(), "score": score}
            for option, score in (scores or {f"x{n}": n for n in range(6)}).items()
        ]

    return {
        "format": "clinic-instrument-pack/1",
        "instrument": code,
        "version": "test",
        "language": "en",
        "title": f"{code} (test wording)",
        "licence": {"reference": "TEST-ONLY"},
        "copyright": f"{code} pack © Test Rights Holder.",
        "items": [
            {"id": item, "text": f"Question {item}?", "options": options(scores)}
            for item, scores in items.items()
        ],
    }


@pytest.fixture
def registered(monkeypatch):
    """Both made-up questionnaires in the registry, after the real ones."""
    monkeypatch.setattr(
        registry, "QUESTIONNAIRES", (*registry.QUESTIONNAIRES, _fake_open(), FAKE_PACK)
    )


def _load_fake_pack():
    document = _pack_document(FAKE_PACK_CODE, FAKE_PACK.pack_items)
    return instrument_pack_load(raw=json.dumps(document).encode())


def test_the_screens_the_packs_and_the_scores_follow_the_registry(registered, db):
    assert [s.key for s in steps.all_steps()][-4:] == ["odi", "fake_open", "fake_pack", "review"]
    assert "fake_pack" in registry.pack_steps()
    shown = [s.key for s in steps.steps_for(packs=instrument_packs())]
    assert "fake_open" in shown and "fake_pack" not in shown
    answers = {"fake_open": {"fake_1": 2}, "fake_pack": {"fp_1": "yes"}}
    unlicensed = results.scores(answers, licensed=set())
    assert unlicensed["fake_open"]["total"] == 2
    assert unlicensed["fake_pack"] == {"status": "not_licensed", "instrument": FAKE_PACK_CODE}

    _load_fake_pack()
    packs = instrument_packs()
    assert FAKE_PACK_CODE in packs
    assert "fake_pack" in [s.key for s in steps.steps_for(packs=packs)]
    licensed = results.scores(answers, licensed=registry.licensed(packs))
    assert licensed["fake_pack"]["total"] == 1
    assert registry.licensed_when_scored(licensed) == {FAKE_PACK_CODE}
    assert registry.baseline_values({}, licensed)["fake_open"] == 2
    assert [m.code for m in registry.progress_measures()][-1] == "fake_open"


def test_the_pack_loader_knows_every_registered_questionnaire(registered, db, tmp_path):
    path = tmp_path / "fake.json"
    path.write_text(json.dumps(_pack_document(FAKE_PACK_CODE, FAKE_PACK.pack_items)))
    call_command("load_instrument_pack", str(path))
    assert FAKE_PACK_CODE in instrument_packs()


@pytest.fixture
def kiosk(front_desk_client, front_desk, patient):
    Patient.objects.filter(pk=patient.pk).update(date_of_birth=date(1985, 4, 12))
    front_desk_client.post(reverse("intake:start", args=[patient.public_id]))
    intake = Intake.objects.get(patient=patient)
    hand_over_tablet(front_desk_client, intake=intake, by=front_desk)
    front_desk_client.intake = intake
    return front_desk_client


def _answer(client, step, data):
    response = client.post(reverse("kiosk:step", args=[step]), {**data, "nav": "next"})
    assert response.status_code == 302, (step, response.content.decode()[:2000])
    return response


@pytest.mark.parametrize("licensed", [False, True])
def test_a_registered_questionnaire_is_asked_scored_and_printed_everywhere(
    registered, kiosk, therapist_client, licensed
):
    if licensed:
        _load_fake_pack()
    for step, data in HAPPY.items():
        response = _answer(kiosk, step, data)
    # After the last screen of the intake the tablet goes on to the new questionnaire.
    assert response.url == reverse("kiosk:step", args=["fake_open"])
    page = kiosk.get(response.url).content.decode()
    assert "A made-up scale" in page and "How fake is it?" in page
    response = _answer(kiosk, "fake_open", {"fake_1": "2"})
    if licensed:
        assert response.url == reverse("kiosk:step", args=["fake_pack"])
        # The autosave reads the pack for this screen too: its answer is kept as typed.
        kiosk.post(reverse("kiosk:autosave", args=["fake_pack"]), {"fp_1": "yes"})
        drafts = Intake.objects.get(pk=kiosk.intake.pk).drafts
        assert drafts["fake_pack"] == {"fp_1": ["yes"]}
        assert "Question fp_1?" in kiosk.get(response.url).content.decode()
        response = _answer(kiosk, "fake_pack", {"fp_1": "yes"})
    assert response.url == reverse("kiosk:step", args=["review"])

    review = kiosk.get(response.url).content.decode()
    assert "How fake is it?" in review and "Level 2" in review
    not_asked = "The Fake Licensed Questionnaire is not licensed on this installation"
    assert (not_asked in review) is not licensed
    kiosk.post(reverse("kiosk:submit"), {"submission_id": "6f0a8c9e-2d1b-4a57-9d7e-0c3b1f2a4e55"})

    intake = Intake.objects.get(pk=kiosk.intake.pk)
    assert intake.status == Intake.Status.SUBMITTED
    assert intake.scores["fake_open"] == {"total": 2, "algorithm_version": "fake-open-1"}
    expected_pack = {"total": 1, "algorithm_version": "fake-pack-1"}
    not_licensed = {"status": "not_licensed", "instrument": FAKE_PACK_CODE}
    assert intake.scores["fake_pack"] == (expected_pack if licensed else not_licensed)

    # The staff summary: its screens' answers, its scores table and notices.
    detail = therapist_client.get(reverse("intake:detail", args=[intake.public_id]))
    page = detail.content.decode()
    assert "A made-up scale" in page and "Level 2" in page
    assert "<td>Fake open</td><td>total 2</td>" in page
    assert ("<td>Fake licensed</td><td>scored 1</td>" in page) is licensed
    not_here = '<td colspan="4" class="text-body-secondary">Not licensed on this installation'
    assert (f"<td>Fake Licensed Questionnaire</td>{not_here}" in page) is not licensed
    summary = summary_context(load_intake(intake.public_id), packs=instrument_packs())
    keys = [s["step"].key for s in summary["sections"]]
    assert "fake_open" in keys and ("fake_pack" in keys) is licensed

    # The intake summary PDF: its rows, its screens and its notices.
    context = intake_context(load_intake(intake.public_id), Clinic.objects.current())
    rows = {row.measure: row.score or row.unavailable for row in context["score_rows"]}
    # The same presenter's words as the staff page's.
    assert rows["Fake open"] == "total 2"
    if licensed:
        assert rows["Fake licensed"] == "scored 1"
    else:
        assert rows["Fake Licensed Questionnaire"] == "Not licensed on this installation"
    assert "fake_open" in [s["step"].key for s in context["sections"]]
    assert "Fake Open Scale: cite the makers." in context["notices"]
    pack_notice = f"{FAKE_PACK_CODE} pack © Test Rights Holder."
    assert (pack_notice in context["notices"]) is licensed
    # Citations print after copyright statements.
    assert context["notices"][-1] == "Fake Open Scale: cite the makers."

    # The evaluation documents ask the registry for the notices of what they print.
    assert registry.notices(["fake_pack"], scores={}, packs={}) == ["Fake licensed © Nobody."]


def test_the_staff_page_and_the_pdf_print_each_score_in_the_same_words(therapist_client, patient):
    from django.utils.html import escape

    from tests.reports.conftest import make_intake

    intake = make_intake(patient)
    context = intake_context(load_intake(intake.public_id), Clinic.objects.current())
    staff = registry.staff_score_rows(intake.scores)
    printed = [r for r in context["score_rows"] if not r.measure.startswith("Neuropathic")]
    # The same rows, the PDF in summary order.
    assert sorted(staff, key=lambda r: r.measure) == sorted(printed, key=lambda r: r.measure)
    assert {"Back pain (NPRS 0-10)", "Keele STarT Back"} <= {r.measure for r in staff}
    page = therapist_client.get(reverse("intake:detail", args=[intake.public_id])).content.decode()
    for row in staff:
        assert escape(row.score) in page and escape(row.mcid) in page
