"""Every document kind at its worst-case data, read page by page as a physician would: long
unbroken text wraps, long entries split across pages without leaving a heading alone on
one, the last page holds more than the copyright notices, an alert is listed once with its
referral and urgency, abbreviations are written out, dates are in one format, and a
re-evaluation that did not record a plan item does not call it stopped. The page images
land in test-artifacts/pdf/worst-*.png for a person to look at."""

import html as html_lib
import re

import pytest
from django.utils import timezone

from core.models import Clinic
from evaluations import plan_catalog, services
from evaluations.models import Evaluation
from intake.alerts import alert_acknowledge
from intake.models import RedFlagAlert
from reports.documents import DOCUMENTS
from reports.pdf import render_document, render_html
from tests.factories import PatientFactory
from tests.reports.conftest import make_evaluation, make_intake, make_letter
from tests.reports.pdftext import pdf_pages_text, save_page_images

pytestmark = pytest.mark.django_db

# 3,000 characters without a space, where a browser would run it off the page.
LONG_WORD = "Radiculopathy" * 230 + "END"
# Notes at their longest (4,000 characters), one short line after another: more than a page.
LONG_NOTES = "\n".join(f"Day {n}: walked to the shop and back." for n in range(105))
LONG_GOAL = "Walk to the shops and back without stopping, carry the shopping, " * 3
NOTE = "Referred to the GP for a same-day review of the upgoing plantar response"
ISO_DATE = re.compile(r"\b\d{4}-\d{2}-\d{2}\b")


@pytest.fixture
def clinic(db):
    clinic = Clinic.objects.current()
    clinic.name = "Riverside Physiotherapy"
    clinic.address = "12 Mill Lane\nRiverside\nRV1 2AB"
    clinic.save()
    return clinic


def _forty_items() -> list[dict]:
    """40 plan items, the whole catalog over and over, each with its first choices."""
    items = []
    entries = list(plan_catalog.BY_CODE.values())
    for n in range(40):
        entry = entries[n % len(entries)]
        values = {}
        for param in entry.params:
            if param.kind is plan_catalog.Kind.CHOICE and param.choices:
                values[param.name] = param.choices[n % len(param.choices)][0]
            elif param.kind in (plan_catalog.Kind.INT, plan_catalog.Kind.DECIMAL):
                values[param.name] = param.min or 1
        items.append({"code": entry.code, "values": values})
    return items


def _worst_visits(physio) -> list[Evaluation]:
    """An intake and three visits on one day; the last holds every long thing there is, a
    neuro-exam alert handled by an urgent referral, and a plan it recorded afresh."""
    patient = PatientFactory(
        given_name="Maximiliana-Alexandrina", family_name="Featherstonehaugh-Wolfeschlegel"
    )
    intake = make_intake(patient, days_ago=30)
    intake.answers["history"]["medications"] = LONG_WORD[:2000]
    intake.save()
    first = make_evaluation(patient=patient, therapist=physio, days_ago=30, seed=1)
    second = make_evaluation(
        patient=patient, therapist=physio, kind="reevaluation", days_ago=30, seed=2
    )
    worst = make_evaluation(
        patient=patient, therapist=physio, kind="reevaluation", days_ago=30, seed=3, sign=False
    )
    content = worst.content
    content["outcomes"]["notes"] = LONG_NOTES
    content["classification"]["rationale"] = LONG_WORD
    content["neuro"]["babinski_R"] = "EXTENSOR"
    content["plan"].update(
        items=_forty_items(),
        hep=LONG_WORD,
        goals=[
            {"measure": m, "target": f"{LONG_GOAL}{n}", "by": "2027-01-15"}
            for n, m in enumerate(("leg_pain", "psfs", "walking", "odi"))
        ],
        referral=True,
        referral_to="physician",
        referral_urgency="urgent",
        referral_reason=LONG_WORD[:1000],
    )
    worst.findings = services.derive(worst, services.intake_basis(worst))
    worst.save()
    raised = worst.findings["neuro"]
    alert = RedFlagAlert.objects.create(
        evaluation=worst,
        intake=intake,
        patient=patient,
        level="URGENT",
        items=sorted(raised["alert_items"]),
        summary="Urgent: neuro exam: " + raised["alerts"][0]["text"],
        raised_at=timezone.now(),
    )
    alert_acknowledge(alert=alert, by=physio, outcome="urgent_referral", note=NOTE)
    return [first, second, worst]


def _headings(html: str) -> set[str]:
    found = re.findall(r"<h[1-3][^>]*>(.*?)</h[1-3]>", html, re.DOTALL)
    return {
        re.sub(r"\s+", " ", html_lib.unescape(re.sub(r"<[^>]+>", "", h))).strip() for h in found
    }


def _bodies(pages: list[str], clinic) -> list[str]:
    """Each page's own text, without the running header and footer (extracted last)."""
    return [page[: page.rfind(clinic.name)].strip() for page in pages]


@pytest.fixture
def worst(physio):
    return _worst_visits(physio)


def _subject_id(doc, worst, physio):
    if doc.subject == "intake":
        return worst[-1].intake.public_id
    if doc.subject == "referral_letter":
        # From the last signed visit, after the alert that ended in an urgent referral,
        # with the longest reason there is.
        return make_letter(worst[1], by=physio, reason=LONG_WORD, urgency="urgent").public_id
    return worst[-1].public_id


@pytest.mark.parametrize("kind", list(DOCUMENTS))
def test_every_document_at_its_worst_reads_page_by_page(clinic, worst, physio, kind):
    doc = DOCUMENTS[kind]
    subject = doc.load(_subject_id(doc, worst, physio))

    html = render_html(kind, subject, clinic=clinic)
    rendered = render_document(kind, subject, clinic=clinic)
    save_page_images(rendered.pdf, f"worst-{kind}")
    pages = pdf_pages_text(rendered.pdf)
    bodies = _bodies(pages, clinic)
    text = " ".join(pages)

    headings = _headings(html)
    for number, body in enumerate(bodies, start=1):
        assert body and body not in headings, f"page {number} holds only {body!r}"
    assert not bodies[-1].startswith("Copyright notices"), bodies[-1][:200]
    # The long word wrapped (broken anywhere), every letter of it printed.
    if kind != "progress" or LONG_WORD in html:
        squashed = text.replace(" ", "")
        assert LONG_WORD[:2000] in squashed
    if kind in ("evaluation", "progress"):  # split across pages, not cut at the foot of one
        days = LONG_NOTES.count("\n") + 1
        assert all(f"Day {n}: walked" in text for n in range(days))
    assert ".." not in text
    assert not ISO_DATE.search(text), ISO_DATE.search(text).group(0)


def test_the_evaluation_lists_the_alert_once_with_its_referral_and_urgency(clinic, worst):
    subject = DOCUMENTS["evaluation"].load(worst[-1].public_id)
    text = " ".join(pdf_pages_text(render_document("evaluation", subject, clinic=clinic).pdf))

    assert text.count(NOTE) == 1
    assert text.count("Urgent (same-day) medical referral arranged") == 1
    assert "Physician or GP, urgent: seen the same day" in text


def test_abbreviations_are_written_out_where_first_used(clinic, worst):
    subject = DOCUMENTS["evaluation"].load(worst[-1].public_id)
    text = " ".join(pdf_pages_text(render_document("evaluation", subject, clinic=clinic).pdf))

    for code, words in (("EIL", "extension in lying"), ("SLR", "straight-leg raise")):
        assert code in text
        first = text.index(code)
        assert text[: first + len(code) + 1].endswith(f"{words} ({code})"), code
    assert "clinical practice guideline (CPG)" in text


def test_a_re_evaluation_says_an_item_it_did_not_record_is_not_recorded(clinic, worst):
    content = worst[-1].content
    content["plan"]["items"] = content["plan"]["items"][:1]
    Evaluation.objects.filter(pk=worst[-1].pk).update(content=content)
    subject = DOCUMENTS["progress"].load(worst[-1].public_id)
    text = " ".join(pdf_pages_text(render_document("progress", subject, clinic=clinic).pdf))

    assert "Not recorded at this visit" in text and "Stopped" not in text
