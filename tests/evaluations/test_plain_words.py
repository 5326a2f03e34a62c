"""Plain words in, plain words out: the neurodynamic "where felt" is chosen from the body
chart's labelled regions and stored as their codes, and no page of an evaluation shows a
person an internal code where the code has a label."""

import re
from datetime import date, timedelta
from html.parser import HTMLParser

import pytest
from django.urls import reverse
from django.utils import timezone

from accounts.models import User
from core.models import Clinic
from evaluations import forms as eval_forms
from evaluations import mdt, neurodynamic, services
from evaluations.models import Evaluation
from evaluations.vocabulary import LABELS
from intake.bodychart import REGIONS
from reports.docs.evaluation import evaluation_context
from tests.evaluations.helpers import (
    CLASSIFICATION,
    L5_MOVEMENTS,
    L5_NEURO,
    OUTCOMES,
    PLAN,
    movement,
    nd,
    post_section,
)
from tests.factories import TEST_PASSWORD
from tests.migrations.support import seed_demo

pytestmark = pytest.mark.django_db

WHERE = "neurodynamic-std-SLR-L-symptom_location"
SLR_L = {
    **nd(
        "SLR",
        "L",
        onset_angle_deg="40",
        measured_by="INCLINOMETER",
        symptoms_reproduced="FAMILIAR_FULL",
        below_knee="yes",
        sd_manoeuvres=["ANKLE_DF"],
        sd_changed_symptoms="INCREASED",
        interpretation="POSITIVE_NEURAL",
    ),
    **nd("SLR", "R", onset_angle_deg="80", measured_by="INCLINOMETER", symptoms_reproduced="NONE"),
}


def _page(client, evaluation) -> str:
    return client.get(reverse("evaluations:detail", args=[evaluation.public_id])).content.decode()


def _stored_rows(evaluation) -> dict:
    evaluation.refresh_from_db()
    return {r["key"]: r for r in evaluation.content["neurodynamic"]["rows"]}


# --- "Where felt" -------------------------------------------------------------------------------


def test_where_felt_is_chosen_from_the_body_chart_and_stored_as_codes(therapist_client, evaluation):
    data = {**SLR_L, WHERE: ["thigh_back_l", "calf_shin_l"]}
    response = post_section(therapist_client, evaluation, "neurodynamic", data)
    assert "Saved at" in response.content.decode()
    assert _stored_rows(evaluation)["std:SLR:L"]["symptom_location"] == "thigh_back_l, calf_shin_l"
    page = _page(therapist_client, evaluation)
    # Shown back in the chart's words, each region a labelled toggle.
    assert "Back of thigh, left; Calf and shin, left</span></summary>" in page
    assert re.search(
        r'value="thigh_back_l" id="[^"]+" checked><label[^>]*>Back of thigh, left<', page
    )


def test_where_felt_takes_the_intakes_own_labels_as_an_older_draft_typed_them(
    therapist_client, evaluation
):
    # Before the chooser, "where felt" was a text box: a draft may hold what was typed there.
    data = {**SLR_L, WHERE: "Back of thigh, left, calf_shin_l"}
    response = post_section(therapist_client, evaluation, "neurodynamic", data)
    assert "Saved at" in response.content.decode()
    assert _stored_rows(evaluation)["std:SLR:L"]["symptom_location"] == "thigh_back_l, calf_shin_l"


def test_words_that_name_no_region_are_refused_in_words_and_kept_as_a_draft(
    therapist_client, evaluation
):
    data = {**SLR_L, WHERE: "posterior thigh", "autosave": "0"}
    html = post_section(therapist_client, evaluation, "neurodynamic", data).content.decode()
    assert "Not a body chart region: “posterior thigh”. Choose the regions from the list." in html
    evaluation.refresh_from_db()
    assert evaluation.drafts["neurodynamic"][WHERE] == ["posterior thigh"]
    # The fold opens on the message, beside the regions to choose from.
    assert '<details class="region-picker is-invalid" open data-region-picker>' in html


def test_below_the_knee_that_contradicts_the_regions_is_explained_with_their_labels(
    therapist_client, evaluation
):
    data = {**SLR_L, "neurodynamic-std-SLR-L-below_knee": "no", WHERE: ["calf_shin_l"]}
    html = post_section(
        therapist_client, evaluation, "neurodynamic", {**data, "autosave": "0"}
    ).content.decode()
    assert "“No” does not fit where the symptoms were felt: Calf and shin, left." in html
    assert "below_knee" not in _visible(html) and "calf_shin_l" not in _visible(html)


def test_a_stored_record_with_codes_loads_with_labels_unchanged_and_still_verifies(
    therapist_client, therapist, evaluation
):
    """Records saved before the chooser hold the same "code, code" text: nothing to
    migrate. A signed one shows labels and its hash still verifies."""
    _complete(therapist_client, evaluation, neurodynamic={**SLR_L, WHERE: ["calf_shin_l"]})
    evaluation.refresh_from_db()
    content = dict(evaluation.content)
    content["neurodynamic"]["rows"][0]["symptom_location"] = "thigh_back_l,calf_shin_l"
    Evaluation.objects.filter(pk=evaluation.pk).update(content=content)
    evaluation.refresh_from_db()
    services.evaluation_sign(evaluation=evaluation, by=therapist, password=TEST_PASSWORD)
    evaluation.refresh_from_db()
    before = (evaluation.content, evaluation.content_hash)
    page = _page(therapist_client, evaluation)
    assert "Back of thigh, left; Calf and shin, left</span></summary>" in page
    assert "verified, unchanged since signing" in page
    evaluation.refresh_from_db()
    assert (evaluation.content, evaluation.content_hash) == before
    assert "thigh_back_l" not in _visible(page)


def test_a_stored_draft_with_typed_codes_loads_with_labels_and_saves(therapist_client, evaluation):
    draft = {k: [v] if isinstance(v, str) else v for k, v in SLR_L.items()}
    draft[WHERE] = ["thigh_back_l, calf_shin_l"]  # as the old text box posted it
    Evaluation.objects.filter(pk=evaluation.pk).update(drafts={"neurodynamic": draft})
    page = _page(therapist_client, evaluation)
    assert "Back of thigh, left; Calf and shin, left</span></summary>" in page
    assert "thigh_back_l, calf_shin_l" not in page
    # The page posts back what it shows: the boxes, one code each.
    evaluation.refresh_from_db()
    boxes = re.findall(rf'name="{WHERE}" value="([a-z_]+)" id="[^"]+" checked', page)
    response = post_section(therapist_client, evaluation, "neurodynamic", {**SLR_L, WHERE: boxes})
    assert "Saved at" in response.content.decode()
    assert _stored_rows(evaluation)["std:SLR:L"]["symptom_location"] == "thigh_back_l, calf_shin_l"


def test_the_evaluation_pdf_prints_where_felt_in_words(therapist_client, evaluation):
    post_section(therapist_client, evaluation, "neurodynamic", {**SLR_L, WHERE: ["calf_shin_l"]})
    evaluation.refresh_from_db()
    context = evaluation_context(evaluation, Clinic.objects.current())
    slr = next(t for t in context["neurodynamic"]["tests"] if t["side"] == "Left")
    assert slr["location"] == "Calf and shin, left"


def test_every_body_chart_region_is_offered_once_with_its_label():
    ctx = eval_forms.SectionContext(kind="initial", today=date(2026, 11, 21))
    row = eval_forms.build("neurodynamic", ctx).rows[0]
    html = str(row["symptom_location"])
    offered = re.findall(r'value="([a-z_]+)" id="([^"]+)"><label[^>]*for="([^"]+)">([^<]+)<', html)
    assert sorted((code, text) for code, _, _, text in offered) == sorted(
        (r.code, r.label) for r in REGIONS
    )
    assert all(box == target for _, box, target, _ in offered)
    assert len({box for _, box, _, _ in offered}) == len(REGIONS)
    # Grouped by area, and the row and question are named for screen readers.
    assert html.count('<fieldset class="region-area"><legend') == 5
    assert (
        '<legend class="visually-hidden">Straight-leg raise, left: where the symptoms were felt'
        in html
    )


# --- Messages from the clinical rules -----------------------------------------------------


def test_a_test_recorded_twice_for_one_side_is_kept_as_a_draft_with_a_message(
    therapist_client, evaluation
):
    """It once failed the save (the summary refused it) with "SLUMP_LONG_SIT L is
    recorded twice"."""
    row = {"code": "SLUMP_LONG_SIT", "side": "L", "symptoms_reproduced": "NONE"}
    data = {
        "custom_count": "2",
        "autosave": "0",
        **{f"neurodynamic-custom-{n}-{k}": v for n in (1, 2) for k, v in row.items()},
    }
    response = post_section(therapist_client, evaluation, "neurodynamic", data)
    assert response.status_code == 200
    assert "This test is recorded above for this side already." in response.content.decode()
    evaluation.refresh_from_db()
    assert "neurodynamic" in evaluation.drafts and "neurodynamic" not in evaluation.content


@pytest.mark.parametrize(
    ("message", "shown"),
    [
        (
            "Test EIL: NO_EFFECT during testing cannot go with other responses.",
            "“No effect” during testing cannot go with other responses.",
        ),
        (
            "Test EIL is done UNLOADED (table 4.2), not LOADED.",
            "This test is done “Unloaded (lying)”, not “Loaded (standing, sitting)”.",
        ),
        (
            "Test EIL: CENTRALISED, but the most distal symptom moved further out "
            "(THIGH -> BELOW_KNEE).",
            "“Centralised”, but the most distal symptom moved further out "
            "(“Thigh” -> “Below the knee”).",
        ),
        (
            "Test EIL: record the number of repetitions done (§4.2).",
            "Record the number of repetitions done.",
        ),
    ],
)
def test_a_movement_rules_message_names_choices_by_their_labels(message, shown):
    ctx = eval_forms.SectionContext(kind="initial", today=date(2026, 11, 21))
    row = eval_forms.build("movements", ctx, data={}).rows[3]
    row.is_valid()
    row._attach(message)
    assert shown in [str(e) for errors in row.errors.values() for e in errors]


def test_every_choice_of_every_section_is_offered_in_words():
    ctx = eval_forms.SectionContext(
        kind="initial",
        today=date(2026, 11, 21),
        psfs_activities=[{"id": "a1", "activity": "Walking"}],
        odi_licensed=True,
    )
    for key in eval_forms.SECTIONS:
        section = eval_forms.build(key, ctx)
        for form in getattr(section, "rows", None) or [section]:
            for name, f in form.fields.items():
                for value, text in getattr(f, "choices", ()):
                    assert "_" not in str(text), (key, name, value, text)
                    if re.fullmatch(r"[A-Z_]{3,}", str(value)):
                        assert text != value, (key, name, value)


# --- No code on any page ----------------------------------------------------------------------

VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source"}
HIDDEN = {"script", "style", "template"}


class _Visible(HTMLParser):
    """What a person reads or hears on the page: text, the options of every list, what is
    typed in boxes, and the names a screen reader gives (aria-label, title, alt). The
    intake summary (its own templates, under `skip`) is left out when asked."""

    def __init__(self, skip: str | None = None):
        super().__init__(convert_charrefs=True)
        self.skip, self.out, self.stack, self.skipping = skip, [], [], None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag not in VOID:
            self.stack.append(tag)
            if self.skipping is None and self.skip and a.get("id") == self.skip:
                self.skipping = len(self.stack)
        if self._hidden():
            return
        for name in ("aria-label", "title", "alt", "placeholder"):
            if a.get(name):
                self.out.append(a[name])
        if (
            tag == "input"
            and a.get("type", "text") in ("text", "number", "date")
            and a.get("value")
        ):
            self.out.append(a["value"])

    def handle_endtag(self, tag):
        if tag in VOID or tag not in self.stack:
            return
        while self.stack:
            if self.skipping == len(self.stack):
                self.skipping = None
            if self.stack.pop() == tag:
                break

    def handle_data(self, data):
        if data.strip() and not self._hidden():
            self.out.append(data.strip())

    def _hidden(self) -> bool:
        return self.skipping is not None or bool(HIDDEN & set(self.stack))


def _visible(html: str, *, skip: str | None = None) -> str:
    parser = _Visible(skip)
    parser.feed(html)
    return "\n".join(parser.out)


# Internal codes: names joined by underscores (snake_case, SCREAMING_SNAKE), the
# repeated-movement codes, a neurodynamic code with its side ("SLR L"), and the one-word
# vocabulary stored for choices ("EXTENSION", "NONE").
_ONE_WORD = sorted(
    {k for k in LABELS if "_" not in k}
    | {c.value for c in mdt.MovementCode if "_" not in c.value}
    | {"URGENT", "EMERGENCY", "UNCLEAR"} - {"OTHER"},
    key=len,
    reverse=True,
)
CODE = re.compile(
    r"\b[A-Za-z][A-Za-z0-9]*(?:_[A-Za-z0-9]+)+\b"
    rf"|\b(?:{'|'.join(c.value for c in neurodynamic.NeurodynamicCode)}) [LR]\b"
    rf"|\b(?:{'|'.join(_ONE_WORD)})\b"
)


def _codes(html: str) -> list[str]:
    text = _visible(html, skip="s-intake")
    return [
        f"{m.group(0)!r} in {line!r}" for line in text.splitlines() for m in CODE.finditer(line)
    ]


def test_the_code_pattern_finds_what_the_therapist_saw():
    assert _codes('<input type="text" value="thigh_back_l">')
    assert _codes("<p>Centralised: EIL</p>") and _codes("<p>(SLR L; left leg)</p>")
    assert _codes("<p>CPG · partly_verified</p>") and _codes("<dd>Lateral_right</dd>")
    assert _codes('<select aria-label="x"><option>NON_NEURAL_REPRODUCTION</option></select>')
    assert not _codes("<p>Back of thigh, left. Straight-leg raise (SLR position), L5.</p>")
    assert not _codes('<details id="s-intake"><p>Level: NONE</p></details><p>ok</p>')


def _complete(client, evaluation, *, neurodynamic=None, neuro=None, plan=None, movements=None):
    later = (timezone.localdate() + timedelta(days=42)).isoformat()
    for key, data in (
        ("outcomes", {**OUTCOMES, "visit_date": timezone.localdate().isoformat()}),
        ("movements", movements or L5_MOVEMENTS),
        ("neurodynamic", neurodynamic or SLR_L),
        ("neuro", neuro or L5_NEURO),
        ("classification", CLASSIFICATION),
        ("plan", {**PLAN, "goal_1_by": later, "reeval_date": later, **(plan or {})}),
    ):
        response = post_section(client, evaluation, key, data)
        assert "Saved at" in response.content.decode(), (key, response.content.decode()[:3000])


def _pages(client, evaluation) -> dict[str, str]:
    pages = {"detail": _page(client, evaluation)}
    progress = reverse("evaluations:progress", args=[evaluation.patient.public_id])
    pages["progress"] = client.get(progress).content.decode()
    if evaluation.is_signed:
        addendum = reverse("evaluations:addendum", args=[evaluation.public_id])
        pages["addendum"] = client.get(addendum).content.decode()
    return pages


def test_no_page_of_the_demo_evaluations_shows_a_code(client):
    seed_demo(patients=12)
    client.force_login(User.objects.get(username="therapist"))
    signed = Evaluation.objects.filter(status="signed").first()
    services.evaluation_addendum_add(
        evaluation=signed, by=signed.therapist, section="neuro", reason="Re-test", text="Same."
    )
    evaluations = list(Evaluation.objects.all())
    assert {e.status for e in evaluations} == {"draft", "signed"}
    found = []
    for evaluation in evaluations:
        for name, html in _pages(client, evaluation).items():
            found += [f"{evaluation.status} {name}: {c}" for c in _codes(html)]
    assert found == []


def test_no_page_of_a_full_evaluation_shows_a_code_as_a_draft_or_signed(
    therapist_client, therapist, evaluation
):
    """Everything the demo data leaves out: where felt, another test in each grid, side
    glides in the lists, a neuro alert, a referral, an addendum about a section."""
    movements = {
        **L5_MOVEMENTS,
        **movement(
            "SGIS_R",
            order="3",
            repetitions="10",
            pre_distal_site="BELOW_KNEE",
            after_response="CENTRALISED",
            post_distal_site="THIGH",
            during_responses=["CENTRALISING"],
        ),
        "movements-custom-1-movement_code": "OTHER",
        "movements-custom-1-custom_label": "Standing with a shift correction",
        "movements-custom-1-direction": "LATERAL_RIGHT",
        "movements-custom-1-loading": "LOADED",
        "movements-custom-1-repetitions": "5",
        "movements-custom-1-pre_distal_site": "THIGH",
        "movements-custom-1-after_response": "NO_BETTER",
        "movements-custom-1-post_distal_site": "THIGH",
    }
    neurodynamic = {
        **SLR_L,
        WHERE: ["thigh_back_l", "calf_shin_l"],
        **nd("SLUMP", "L", symptoms_reproduced="FAMILIAR_PARTIAL"),
        "neurodynamic-custom-1-code": "OTHER",
        "neurodynamic-custom-1-custom_label": "Sciatic slider in sitting",
        "neurodynamic-custom-1-side": "L",
        "neurodynamic-custom-1-symptoms_reproduced": "FAMILIAR_PARTIAL",
        "neurodynamic-custom-1-symptom_location": ["buttock_l"],
        "neurodynamic-custom-1-below_knee": "no",
    }
    plan = {
        "referral": "on",
        "referral_to": "spinal_surgeon",
        "referral_urgency": "emergency",
        "referral_reason": "Upgoing toe on the right.",
    }
    _complete(
        therapist_client,
        evaluation,
        movements=movements,
        neurodynamic=neurodynamic,
        neuro={**L5_NEURO, "babinski_R": "EXTENSOR"},
        plan=plan,
    )
    evaluation.refresh_from_db()
    draft = _pages(therapist_client, evaluation)
    assert "Side-gliding in standing, right" in _visible(draft["detail"])
    assert "Spinal surgeon · Emergency: hospital within hours" in draft["detail"]
    assert "Suggested: Positive (neural)" in draft["detail"]
    assert "left straight-leg raise" in draft["detail"]
    assert _codes(draft["detail"]) == [] and _codes(draft["progress"]) == []

    alert = evaluation.alerts.get()
    therapist_client.post(
        reverse("intake:alert", args=[alert.public_id]),
        {"outcome": "emergency_referral", "action_note": "Sent to ED."},
    )
    services.evaluation_sign(evaluation=evaluation, by=therapist, password=TEST_PASSWORD)
    services.evaluation_addendum_add(
        evaluation=evaluation, by=therapist, section="neurodynamic", reason="Re-test", text="Same."
    )
    evaluation.refresh_from_db()
    signed = _pages(therapist_client, evaluation)
    # The addendum names its section by title.
    assert "· Neurodynamic tests</div>" in signed["detail"]
    assert "Back of thigh, left; Calf and shin, left" in _visible(signed["detail"])
    assert [c for html in signed.values() for c in _codes(html)] == []
