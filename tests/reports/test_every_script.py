"""Every script a name can be written in prints: a patient named in Latin with
diacritics, Chinese, Japanese, Korean, Arabic, Hebrew or Devanagari, with an emoji in the
free text, gets every document kind with the name and the text extractable as typed (a
glyph no shipped font has would print as an empty box, and fails the render)."""

import pytest

from core.models import Clinic
from reports.documents import DOCUMENTS
from reports.pdf import render_document
from tests.factories import PatientFactory
from tests.reports.conftest import make_evaluation, make_intake, make_letter
from tests.reports.pdftext import assert_header_on_every_page, pdf_font_names, pdf_text

pytestmark = pytest.mark.django_db

# The name, and the font of the print stylesheet's stack that draws its script.
NAMES = {
    "latin": (("Zoë Łucja", "Ångström-Núñez"), "Noto-Sans"),
    "chinese": (("秀英", "王"), "Noto-Sans-CJK-SC"),
    "japanese": (("さくら", "山田"), "Noto-Sans-CJK-SC"),
    "korean": (("지민", "김"), "Noto-Sans-CJK-SC"),
    "arabic": (("فاطمة", "الحسن"), "Noto-Sans-Arabic"),
    "hebrew": (("נועה", "כהן"), "Noto-Sans-Hebrew"),
    # WeasyPrint's text layer maps each glyph back to one piece of text, so a glyph that
    # stands for different letters in two places (a reph in one word, a plain vowel sign
    # in another) prints right but extracts out of order; this name has no such glyph.
    "devanagari": (("आदित्य", "वर्मा"), "Noto-Sans-Devanagari"),
}
EMOJI_NOTE = "Walks the dog daily 🐕 and feels better 🙂"


@pytest.fixture
def clinic(db):
    clinic = Clinic.objects.current()
    clinic.name = "Riverside Physiotherapy"
    clinic.save()
    return clinic


def _documents(patient, physio) -> dict[str, bytes]:
    intake = make_intake(patient)
    intake.answers["history"]["medications"] = EMOJI_NOTE
    intake.save()
    evaluation = make_evaluation(patient=patient, therapist=physio)
    evaluation.content["plan"]["hep"] = EMOJI_NOTE
    evaluation.content["outcomes"]["notes"] = EMOJI_NOTE
    evaluation.save()
    letter = make_letter(evaluation, by=physio, reason=EMOJI_NOTE)
    subjects = {"intake": intake, "evaluation": evaluation, "referral_letter": letter}
    clinic = Clinic.objects.current()
    out = {}
    for kind, doc in DOCUMENTS.items():
        subject_id = subjects[doc.subject].public_id
        out[kind] = render_document(kind, doc.load(subject_id), clinic=clinic).pdf
    return out


@pytest.mark.parametrize("script", list(NAMES))
def test_a_name_in_any_script_extracts_as_typed_from_every_document(clinic, physio, script):
    (given, family), font = NAMES[script]
    patient = PatientFactory(given_name=given, family_name=family)

    for kind, pdf in _documents(patient, physio).items():
        assert_header_on_every_page(pdf, clinic=clinic, patient=patient)
        assert EMOJI_NOTE in pdf_text(pdf), kind
        fonts = pdf_font_names(pdf)
        # Drawn by the stack's own fonts; the emoji by an outline font, not a colour
        # bitmap one (WeasyPrint draws those as one image per emoji, about 6x slower).
        assert {font, "Symbola"} <= {f.split("-Bold")[0].split("-Semi")[0] for f in fonts}, (
            kind,
            fonts,
        )
        assert not any("Color-Emoji" in f for f in fonts), (kind, fonts)
