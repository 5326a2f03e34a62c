"""The evaluation page holds six sections' forms: every id on it is unique, and every
<label for> points at a control of its own section, so tapping a label never jumps focus to
another section (two "notes" fields once shared id="id_notes")."""

import re
from collections import Counter
from datetime import timedelta
from html.parser import HTMLParser

import pytest
from django.urls import reverse
from django.utils import timezone

from evaluations import services
from evaluations.models import Evaluation
from tests.evaluations.helpers import (
    CLASSIFICATION,
    L5_MOVEMENTS,
    L5_NEURO,
    L5_NEURODYNAMIC,
    OUTCOMES,
    PLAN,
    movement,
    post_section,
)
from tests.factories import TEST_PASSWORD

pytestmark = pytest.mark.django_db

LABELABLE = {"input", "select", "textarea", "button", "meter", "output", "progress"}
VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source"}


class _Page(HTMLParser):
    """Every element with an id (its tag, type and the section form around it), and every
    label with a for= (and the section form around it)."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.ids: list[str] = []
        self.controls: dict[str, tuple[str, str, str | None]] = {}
        self.labels: list[tuple[str, str | None]] = []
        self.stack: list[tuple[str, str | None]] = []

    def _form(self) -> str | None:
        return next((fid for tag, fid in reversed(self.stack) if tag == "form"), None)

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag not in VOID:
            self.stack.append((tag, a.get("id")))
        if a.get("id"):
            self.ids.append(a["id"])
            self.controls[a["id"]] = (tag, a.get("type", ""), self._form())
        if tag == "label" and "for" in a:
            self.labels.append((a["for"], self._form()))

    def handle_startendtag(self, tag, attrs):
        self.handle_starttag(tag, attrs)
        if tag not in VOID:
            self.stack.pop()

    def handle_endtag(self, tag):
        if tag in VOID:
            return
        while self.stack:
            if self.stack.pop()[0] == tag:
                break


def _problems(html: str) -> list[str]:
    page = _Page()
    page.feed(html)
    problems = [f"id {i!r} is used {n} times" for i, n in Counter(page.ids).items() if n > 1]
    for target, form in page.labels:
        if target not in page.controls:
            problems.append(f"label for={target!r} points at nothing")
            continue
        tag, kind, target_form = page.controls[target]
        if tag not in LABELABLE or kind == "hidden":
            problems.append(f"label for={target!r} points at a <{tag}>, not a control")
        elif target_form != form:
            problems.append(f"label for={target!r} in {form} points into {target_form}")
    return problems


def _complete(client, evaluation):
    later = (timezone.localdate() + timedelta(days=42)).isoformat()
    for key, data in (
        ("outcomes", {**OUTCOMES, "visit_date": timezone.localdate().isoformat(), "notes": "x"}),
        ("movements", L5_MOVEMENTS),
        ("neurodynamic", L5_NEURODYNAMIC),
        ("neuro", {**L5_NEURO, "notes": "Neuro notes"}),
        ("classification", CLASSIFICATION),
        ("plan", {**PLAN, "goal_1_by": later, "reeval_date": later}),
    ):
        assert "Saved at" in post_section(client, evaluation, key, data).content.decode(), key


def _page(client, evaluation) -> str:
    response = client.get(reverse("evaluations:detail", args=[evaluation.public_id]))
    assert response.status_code == 200
    return response.content.decode()


def test_the_checker_finds_shared_ids_and_labels_that_point_elsewhere():
    html = (
        '<form id="f-a"><label for="id_notes">A</label><textarea id="id_notes"></textarea></form>'
        '<form id="f-b"><label for="id_notes">B</label><textarea id="id_notes"></textarea>'
        '<label for="nothing">C</label></form>'
    )
    assert _problems(html) == [
        "id 'id_notes' is used 2 times",
        "label for='id_notes' in f-a points into f-b",
        "label for='nothing' points at nothing",
    ]


def test_every_id_on_a_draft_evaluation_is_unique_and_every_label_finds_its_control(
    therapist_client, evaluation
):
    _complete(therapist_client, evaluation)
    # A section kept as a draft, with its messages beside the fields, and another test row.
    post_section(
        therapist_client,
        evaluation,
        "movements",
        {**movement("EIS", repetitions="10", pre_distal_site="BUTTOCK"), "add_row": "1"},
    )
    html = _page(therapist_client, evaluation)
    assert 'id="id_outcomes-notes"' in html and 'id="id_neuro-notes"' in html
    assert _problems(html) == []


def test_every_id_on_a_signed_evaluation_is_unique_and_every_label_finds_its_control(
    therapist_client, therapist, evaluation
):
    _complete(therapist_client, evaluation)
    services.evaluation_sign(evaluation=evaluation, by=therapist, password=TEST_PASSWORD)
    services.evaluation_addendum_add(
        evaluation=evaluation, by=therapist, section="neuro", reason="Re-test", text="Same."
    )
    assert _problems(_page(therapist_client, evaluation)) == []


def test_a_section_saved_by_hand_comes_back_with_the_same_ids(therapist_client, evaluation):
    """The section a Save button re-renders replaces its part of the page: same ids."""
    before = _Page()
    before.feed(_page(therapist_client, evaluation))
    response = post_section(
        therapist_client, evaluation, "outcomes", {**OUTCOMES, "visit_date": "", "autosave": "0"}
    )
    after = _Page()
    after.feed(response.content.decode())
    wrap = {i for i in after.ids if i.startswith("id_outcomes-")}
    assert wrap and wrap <= set(before.ids) | {"id_outcomes-visit_date_error"}
    assert Counter(i for i in after.ids if i.startswith("id_")).most_common(1)[0][1] == 1


def test_field_names_posted_stay_those_of_stored_drafts(therapist_client, evaluation):
    """Only ids carry the section: a draft stored before keeps loading into its fields."""
    Evaluation.objects.filter(pk=evaluation.pk).update(
        drafts={"outcomes": {"notes": ["Kept from before"], "visit_date": ["not a date"]}}
    )
    html = _page(therapist_client, evaluation)
    assert re.search(
        r'<textarea[^>]* id="id_outcomes-notes"[^>]* name="notes"[^>]*>\s*Kept from before<',
        html,
    )
