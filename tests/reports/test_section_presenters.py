"""One presenter module per evaluation section feeds the page's findings box and the
documents (evaluations/presenters/): the PDF's section blocks are the registry's."""

import pytest

from evaluations import records
from evaluations.sections import SECTIONS, documented, shown_findings
from reports.docs.evaluation import evaluation_context, load_evaluation
from tests.reports.conftest import make_evaluation


def test_every_section_but_outcomes_prints_through_one_presenter_module():
    # Outcomes are measured against the intake, which only the document builder loads.
    assert {key for key, s in SECTIONS.items() if s.document is None} == {"outcomes"}
    for key, section in SECTIONS.items():
        if section.presenter is not None and section.document is not None:
            assert section.presenter.__module__ == section.document.__module__, key
            assert section.document.__module__ == f"evaluations.presenters.{key}"
    # Its findings box and what the patient reported beside it (printed by the document
    # builder) are still one module's.
    assert SECTIONS["outcomes"].presenter.__module__ == "evaluations.presenters.outcomes"


@pytest.mark.django_db
@pytest.mark.parametrize("vignette", ["L5", "S1"])
def test_the_evaluation_pdf_prints_each_section_as_its_presenter_words_it(physio, vignette):
    evaluation = load_evaluation(make_evaluation(therapist=physio, vignette=vignette).public_id)
    context = evaluation_context(evaluation, clinic=None)
    blocks = documented(evaluation.content, evaluation.findings)
    assert set(blocks) == {"movements", "neurodynamic", "neuro", "classification", "plan"}
    for key, block in blocks.items():
        assert block, f"{key} printed nothing for a complete demo evaluation"
        assert context[key] == block, key
    # The page and the document word the same finding from the same module: the tests the
    # page lists as centralising are the ones the document names.
    page = shown_findings(evaluation.findings, evaluation.content)
    assert page["movements"]["summary"]
    assert blocks["movements"]["centralised"]
    for name in blocks["movements"]["centralised"]:
        assert name in page["movements"]["centralised"]


def test_a_section_with_nothing_recorded_prints_nothing():
    assert documented({}, {}) == {
        "movements": None,
        "neurodynamic": None,
        "neuro": None,
        "classification": None,
        "plan": None,
    }
    assert documented(records.read_content({"plan": {}}), {})["plan"] is None
