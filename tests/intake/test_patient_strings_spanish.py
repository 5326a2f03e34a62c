"""Issue 19: the tablet's own words (intake.forms, intake.questions, intake.bodychart, the
screens and the rating of change) show in Spanish under "es", are unchanged in English
(staff pages), and what a form stores is the same codes in either language."""

from datetime import date, timedelta

import pytest
from django.utils import translation

from intake import bodychart, steps
from intake import forms as f
from intake import questions as q
from intake.followup import forms as pf
from intake.followup import steps as packet_steps
from intake.scoring import grc
from patients.models import Patient

ENGLISH = ("en", "en-gb")  # the patient's English, and the staff's


def _context(**patient):
    return f.StepContext(patient=Patient(date_of_birth=date(1960, 5, 4), **patient))


def _choices(field):
    return [(code, str(text)) for code, text in field.choices]


# --- Spanish ----------------------------------------------------------------------------------


def test_the_red_flag_questions_cauda_equina_first_and_their_answers_are_in_spanish():
    with translation.override("es"):
        form = f.RedFlagsForm(context=_context())
        assert list(form.fields)[:2] == ["CES-3", "CES-4"]
        bladder = str(form.fields["CES-3"].label)
        bowel = str(form.fields["CES-4"].label)
        saddle = str(form.fields["CES-2"].label)
        assert bladder.startswith(
            "Desde que empezó este dolor, ¿tiene problemas nuevos para orinar?"
        )
        assert "se le escapa" in bladder
        assert "evacuar (hacer de vientre)" in bowel
        assert "alrededor del ano" in saddle and "genitales" in saddle
        assert _choices(form.fields["CES-3"]) == [("yes", "Sí"), ("no", "No"), ("unsure", "No sé")]
        history = f.HistoryForm(context=_context())
        assert str(history.fields["HX-CANCER"].label) == "¿Ha tenido cáncer alguna vez?"
        packet = pf.PacketRedFlagsForm(context=_context())
        assert str(packet.fields["CES-3"].label) == bladder


def test_the_yes_no_choices_are_in_spanish():
    with translation.override("es"):
        form = f.FeelsForm(context=_context())
        assert _choices(form.fields["attacks"]) == [("yes", "Sí"), ("no", "No")]
        assert str(form.fields["attacks"].label) == "¿El dolor viene de repente, en ataques?"


def test_a_body_chart_region_and_what_is_felt_there_are_in_spanish():
    with translation.override("es"):
        form = f.WhereForm(context=_context())
        regions = {r.code: r for r, _field in form.regions()}
        assert regions["hip_l"].label == "Cadera, izquierda"
        assert regions["saddle"].label.startswith("Zona de la entrepierna")
        assert str(form.fields["chart_knee_r"].label) == "Rodilla, derecha"
        assert [text for _code, text in _choices(form.fields["chart_hip_l"])] == [
            "Dolor",
            "Hormigueo o pinchazos",
            "Adormecimiento",
            "Ardor",
            "Debilidad",
        ]
        rows = f.WhereForm.describe({"chart": {"hip_l": ["pain", "numbness"]}}, _context())
        assert rows == [("Cadera, izquierda", "Dolor, Adormecimiento")]
    # The regions themselves stay English: staff pages, the PDF and "where felt" read them.
    assert bodychart.REGION_BY_CODE["hip_l"].label == "Hip, left"


def test_the_pain_scale_prompts_are_in_spanish():
    with translation.override("es"):
        form = f.PainForm(context=_context())
        assert str(form.fields["nprs_back_now"].label) == "Dolor de espalda en este momento"
        assert str(form.fields["nprs_leg_worst_24h"].label) == (
            "El peor dolor de pierna en las últimas 24 horas"
        )
        assert str(form.fields["nprs_back_now"].help_text) == (
            "0 es sin dolor y 10 es el peor dolor que pueda imaginar."
        )
        packet = pf.PacketPainForm(context=_context())
        assert str(packet.fields["nprs_leg_now"].label) == "Dolor de pierna en este momento"
        nprs = steps.STEP_BY_KEY["pain"]
        assert str(nprs.intro) == "Elija un número del 0 al 10 para cada uno."
        assert str(steps.STEP_BY_KEY["redflags"].title) == "Preguntas importantes"


def test_validation_errors_are_in_spanish():
    with translation.override("es"):
        form = f.RedFlagsForm({}, context=_context())
        assert not form.is_valid()
        assert form.errors["CES-3"] == ["Elija una respuesta, por favor."]
        future = (date.today() + timedelta(days=400)).isoformat()
        when = f.WhenForm({"onset_date": future}, context=_context())
        assert not when.is_valid()
        assert when.errors["onset_date"] == ["La fecha no puede ser en el futuro."]
        psfs = f.PsfsForm({"score_1": "4"}, context=_context())
        assert not psfs.is_valid()
        assert "Diga para qué actividad es este número, por favor." in psfs.errors["activity_1"]
        assert str(psfs.fields["activity_4"].label) == "Actividad 4 (opcional)"


def test_the_global_rating_of_change_is_in_spanish_and_its_result_stays_english():
    with translation.override("es"):
        form = pf.ChangeForm(context=_context())
        assert str(form.fields["grc"].label).startswith("Desde que empezó el tratamiento aquí")
        assert _choices(form.fields["grc"]) == [
            (3, "Mucho mejor"),
            (2, "Mejor"),
            (1, "Un poco mejor"),
            (0, "Más o menos igual"),
            (-1, "Un poco peor"),
            (-2, "Peor"),
            (-3, "Mucho peor"),
        ]
        # What is stored with the score is the project's English wording.
        assert grc.score_grc(3).as_dict()["label"] == "Much better"
        assert str(packet_steps.STEP_BY_KEY["change"].title) == "Desde que empezó el tratamiento"


# --- English unchanged ------------------------------------------------------------------------


@pytest.mark.parametrize("language", ENGLISH)
def test_in_english_the_wording_is_unchanged(language):
    with translation.override(language):
        red_flags = f.RedFlagsForm(context=_context())
        for code, question in q.RED_FLAG_QUESTIONS:
            assert str(red_flags.fields[code].label) == question
        assert _choices(red_flags.fields["CES-3"]) == [
            ("yes", "Yes"),
            ("no", "No"),
            ("unsure", "Not sure"),
        ]
        assert str(red_flags.fields["CES-3"].label).startswith(
            "Since this pain started, have you had new trouble passing urine"
        )
        where = f.WhereForm(context=_context())
        assert [r.label for r, _field in where.regions()] == [r.label for r in bodychart.REGIONS]
        assert where.regions()[5][0].label == "Hip, left"
        pain = f.PainForm(context=_context())
        assert str(pain.fields["nprs_back_now"].label) == "Back pain right now"
        assert str(pain.fields["nprs_back_now"].help_text) == (
            "0 means no pain, 10 the worst pain you can imagine."
        )
        change = pf.ChangeForm(context=_context())
        assert _choices(change.fields["grc"]) == list(grc.CHOICES)
        assert str(change.fields["grc"].label) == grc.QUESTION
        psfs = f.PsfsForm({"score_1": "4"}, context=_context())
        assert not psfs.is_valid()
        assert psfs.errors["activity_1"] == [
            "Please name an activity you find difficult.",
            "Please say which activity this number is for.",
        ]
        assert str(psfs.fields["activity_4"].label) == "Activity 4 (optional)"
        assert str(psfs.fields["score_2"].label) == "How well can you do activity 2 today?"
        assert f.PsfsForm.describe(
            {"activities": [{"id": "a1", "name": "Gardening", "score": 7}]}, _context()
        ) == [("Gardening", "7 out of 10")]
        assert f.ConsentForm.describe({"signed_name": "Ana"}, _context())[:3] == [
            ("Consent to assessment and treatment", "Given"),
            ("Privacy notice", "Read"),
            ("Signed by", "Ana"),
        ]
        assert f.HistoryForm.describe({}, _context())[0] == (
            "Have you ever had cancer?",
            "Not asked",
        )
        assert [str(s.title) for s in steps.SCREENS] == [
            "About you",
            "Consent",
            "Where you feel it",
            "What it feels like",
            "When and how",
            "Your health",
            "Important questions",
            "Check and send",
        ]
        assert str(steps.STEP_BY_KEY["redflags"].intro) == (
            "These questions help us make sure you get the right care quickly. If you are not "
            "sure, choose “Not sure”."
        )


def test_the_wording_modules_hold_english_whatever_the_language():
    """intake.questions and intake.bodychart are read by staff pages, the ruleset's checks
    and evaluation notes as they are: never translated where they are defined."""
    with translation.override("es"):
        assert dict(q.RED_FLAG_QUESTIONS)["CES-4"].startswith("Have you had new trouble")
        assert q.YES_NO_UNSURE[2] == ("unsure", "Not sure")
        assert bodychart.SENSATIONS["numbness"] == "Numbness"
        assert bodychart.region_label("saddle").startswith("Saddle area")
        assert grc.LABELS[-3] == "Much worse"


# --- The same codes in either language -------------------------------------------------------

POSTS = {
    f.FeelsForm: {
        "qualities": ["sharp", "burning"],
        "follows_path": "path",
        "leg_vs_back": "leg_worse",
        "attacks": "no",
        "worse_on_cough": "unsure",
        "weakness": "yes",
    },
    f.WhenForm: {
        "onset_date": "2026-10-01",
        "mechanism": "minor_trauma",
        "previous_episodes": "once_twice",
        "worse_with": ["sitting", "bending"],
        "better_with": ["walking"],
        "pattern_24h": "morning",
        "night_pain": "constant",
        "walking": "5_15",
        "sitting_relief": "na",
        "cart_relief": "yes",
    },
    f.RedFlagsForm: {
        code: ("unsure" if code == "CES-3" else "no") for code, _ in q.RED_FLAG_QUESTIONS
    },
    f.HistoryForm: {
        **{code: "no" for code, _ in q.HISTORY_QUESTIONS},
        "HX-CANCER": "yes",
        "imaging": "yes",
        "imaging_details": "MRI 2025",
        "injections": "no",
        "surgery": "no",
    },
    f.WhereForm: {"chart_hip_l": ["pain", "numbness"], "chart_saddle": ["numbness"]},
    f.PainForm: {code: str(n) for n, (code, _) in enumerate(q.NPRS_ITEMS)},
    f.PsfsForm: {
        "activity_1": "Gardening",
        "score_1": "3",
        "activity_2": "Lifting my grandchild",
        "score_2": "5",
        "activity_3": "Driving",
        "score_3": "8",
    },
    pf.ChangeForm: {"grc": "-1"},
    pf.PacketRedFlagsForm: {code: "no" for code in q.FOLLOW_UP_RED_FLAG_CODES},
    pf.PacketPainForm: {"nprs_back_now": "2", "nprs_leg_now": "6"},
}


@pytest.mark.parametrize("form_class", list(POSTS), ids=lambda c: c.__name__)
def test_a_form_stores_the_same_codes_in_spanish_and_in_english(form_class):
    answers = {}
    for language in ("es", "en", "en-gb"):
        with translation.override(language):
            form = form_class(POSTS[form_class], context=_context())
            assert form.is_valid(), (language, form.errors)
            answers[language] = form.answers()
    assert answers["es"] == answers["en"] == answers["en-gb"]
    # Codes, not words.
    text = repr(answers["es"])
    assert "Sí" not in text and "No sé" not in text and "Dolor" not in text
