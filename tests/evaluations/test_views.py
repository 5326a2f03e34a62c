"""The evaluation pages: start, sections, drafts, conflicts, signing, addenda, roles."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from audit.models import AuditEvent
from evaluations import services
from evaluations.models import Addendum, Evaluation
from intake.models import RedFlagAlert
from tests.evaluations.helpers import (
    CLASSIFICATION,
    L5_MOVEMENTS,
    L5_NEURO,
    L5_NEURODYNAMIC,
    OUTCOMES,
    PLAN,
    movement,
    post_section,
    section_url,
)
from tests.factories import TEST_PASSWORD, UserFactory

pytestmark = pytest.mark.django_db


def _outcomes():
    return {**OUTCOMES, "visit_date": timezone.localdate().isoformat(), "psfs_a1": "4"}


def _plan():
    later = (timezone.localdate() + timedelta(days=42)).isoformat()
    return {**PLAN, "goal_1_by": later, "reeval_date": later}


def _complete(client, evaluation):
    for key, data in (
        ("outcomes", _outcomes()),
        ("movements", L5_MOVEMENTS),
        ("neurodynamic", L5_NEURODYNAMIC),
        ("neuro", L5_NEURO),
        ("classification", CLASSIFICATION),
        ("plan", _plan()),
    ):
        response = post_section(client, evaluation, key, data)
        assert response.status_code == 200, (key, response.content.decode()[:2000])
        assert "Saved at" in response.content.decode(), key
    evaluation.refresh_from_db()
    return evaluation


def test_a_therapist_starts_an_evaluation_on_the_latest_submitted_intake(
    therapist_client, patient, intake
):
    response = therapist_client.post(
        reverse("evaluations:start", args=[patient.public_id]), {"kind": "initial"}
    )
    evaluation = Evaluation.objects.get(patient=patient)
    assert response.url == reverse("evaluations:detail", args=[evaluation.public_id])
    assert evaluation.intake == intake and evaluation.status == "draft"
    page = therapist_client.get(response.url).content.decode()
    assert "Intake summary" in page and "Walking the dog" in page
    assert "calf" in page.lower()
    assert AuditEvent.objects.filter(action="create", object_id=str(evaluation.public_id)).exists()


def test_every_section_saves_and_the_findings_are_shown_back(therapist_client, evaluation):
    evaluation = _complete(therapist_client, evaluation)
    rows = {r["movement_code"]: r for r in evaluation.content["movements"]["rows"]}
    assert set(rows) == {"EIL", "FIS"} and rows["EIL"]["order"] == 1
    f = evaluation.findings
    assert f["movements"]["directional_preference"] == "EXTENSION"
    assert "EIL" in f["movements"]["centralised_tests"]
    assert "FIS" in f["movements"]["peripheralised_tests"]
    assert f["neurodynamic"]["angle_comparisons"][0]["difference_deg"] == 40
    assert f["neuro"]["suggested_levels"][0]["roots"] == ["L5"]
    assert f["classification"]["category"] == "RADICULOPATHY_PAINFUL"
    page = therapist_client.get(reverse("evaluations:detail", args=[evaluation.public_id]))
    html = page.content.decode()
    assert 'data-testid="directional-preference">Extension' in html
    assert "40°" in html and "table-warning" in html
    assert "Suggested level, left: <strong>L5</strong>" in html
    assert "Sign the evaluation" in html and 'data-testid="sign-problems"' not in html


def test_invalid_input_is_kept_as_a_draft_and_comes_back_on_reload(therapist_client, evaluation):
    # A recorded test without its after-response: not valid yet, but nothing is lost.
    partial = movement("EIS", repetitions="10", pre_distal_site="BUTTOCK", measure_name="FTF")
    response = post_section(therapist_client, evaluation, "movements", partial)
    assert response.status_code == 200
    assert "Kept as a draft" in response.content.decode()
    evaluation.refresh_from_db()
    assert "movements" not in evaluation.content
    assert evaluation.drafts["movements"]["movements-std-EIS-measure_name"] == ["FTF"]
    page = therapist_client.get(reverse("evaluations:detail", args=[evaluation.public_id]))
    html = page.content.decode()
    assert 'value="FTF"' in html
    assert "Record how the symptoms were after the test." in html
    assert "Repeated movements has changes that are not valid yet." in html
    # The explicit save shows the errors next to the fields, with the input kept.
    explicit = post_section(therapist_client, evaluation, "movements", {**partial, "autosave": "0"})
    assert "Record how the symptoms were after the test." in explicit.content.decode()
    assert 'value="FTF"' in explicit.content.decode()


def test_a_second_tab_saving_a_stale_section_is_told_and_keeps_its_input(
    therapist_client, evaluation
):
    first = post_section(therapist_client, evaluation, "outcomes", _outcomes())
    assert first.status_code == 200
    # Tab B still shows version 0 and saves something else: refused, told, input kept.
    stale = {**_outcomes(), "leg_now": "2", "notes": "typed in tab B", "version": 0}
    response = therapist_client.post(
        section_url(evaluation, "outcomes"), stale, HTTP_HX_REQUEST="true"
    )
    assert response.status_code == 409
    html = response.content.decode()
    assert "Changed elsewhere" in html and "not saved" in html
    assert "typed in tab B" in html
    evaluation.refresh_from_db()
    assert evaluation.content["outcomes"]["leg_now"] == 7
    assert evaluation.section_versions["outcomes"] == 1
    # Autosaves from the stale tab keep being refused...
    again = therapist_client.post(
        section_url(evaluation, "outcomes"), {**stale, "autosave": "1"}, HTTP_HX_REQUEST="true"
    )
    assert again.status_code == 409
    # ...until the therapist deliberately replaces the other version.
    chosen = therapist_client.post(
        section_url(evaluation, "outcomes"),
        {**stale, "overwrite": "1", "autosave": "0"},
        HTTP_HX_REQUEST="true",
    )
    assert chosen.status_code == 200
    evaluation.refresh_from_db()
    assert evaluation.content["outcomes"]["leg_now"] == 2
    assert evaluation.content["outcomes"]["notes"] == "typed in tab B"


def test_signing_needs_the_password_and_a_complete_record(therapist_client, therapist, evaluation):
    sign_url = reverse("evaluations:sign", args=[evaluation.public_id])
    incomplete = therapist_client.post(sign_url, {"password": TEST_PASSWORD})
    assert incomplete.status_code == 200
    assert "Choose a classification category." in incomplete.content.decode()
    evaluation = _complete(therapist_client, evaluation)
    wrong = therapist_client.post(sign_url, {"password": "not-my-password"})
    assert "That password is not right" in wrong.content.decode()
    assert AuditEvent.objects.filter(action="denied", summary__contains="password").exists()
    evaluation.refresh_from_db()
    assert evaluation.status == "draft"
    signed = therapist_client.post(sign_url, {"password": TEST_PASSWORD})
    assert signed.status_code == 302
    evaluation.refresh_from_db()
    assert evaluation.is_signed and evaluation.signed_by == therapist
    assert len(evaluation.content_hash) == 64
    assert services.evaluation_verify(evaluation)
    assert AuditEvent.objects.filter(action="sign", object_id=str(evaluation.public_id)).exists()
    page = therapist_client.get(reverse("evaluations:detail", args=[evaluation.public_id]))
    html = page.content.decode()
    assert "verified, unchanged since signing" in html
    assert "hx-post" not in html.split('id="s-outcomes"')[1].split("</details>")[0]


def test_only_the_author_can_sign(evaluation, client):
    other = UserFactory(username="other-pt", roles=["Physical therapist"])
    client.force_login(other)
    response = client.post(
        reverse("evaluations:sign", args=[evaluation.public_id]), {"password": TEST_PASSWORD}
    )
    assert "Only the therapist who wrote this evaluation can sign it." in response.content.decode()


def test_changes_to_a_signed_evaluation_are_refused_and_audited(therapist_client, evaluation):
    evaluation = _complete(therapist_client, evaluation)
    therapist_client.post(
        reverse("evaluations:sign", args=[evaluation.public_id]), {"password": TEST_PASSWORD}
    )
    evaluation.refresh_from_db()
    before = (evaluation.content, evaluation.content_hash)
    for htmx in (True, False):
        response = post_section(
            therapist_client, evaluation, "outcomes", {**_outcomes(), "leg_now": "0"}, htmx=htmx
        )
        assert response.status_code in (409, 302)
    evaluation.refresh_from_db()
    assert (evaluation.content, evaluation.content_hash) == before
    assert services.evaluation_verify(evaluation)
    refusals = AuditEvent.objects.filter(
        action="denied", object_id=str(evaluation.public_id), summary__contains="signed"
    )
    assert refusals.count() == 2
    with pytest.raises(services.EvaluationLocked):
        services.evaluation_sign(evaluation=evaluation, by=evaluation.therapist, password="x")


def test_a_signed_record_that_was_altered_no_longer_verifies(therapist_client, evaluation):
    evaluation = _complete(therapist_client, evaluation)
    services.evaluation_sign(evaluation=evaluation, by=evaluation.therapist, password=TEST_PASSWORD)
    # Someone edits the row behind the app's back.
    Evaluation.objects.filter(pk=evaluation.pk).update(
        content={**evaluation.content, "outcomes": {"leg_now": 0}}
    )
    evaluation.refresh_from_db()
    assert not services.evaluation_verify(evaluation)
    page = therapist_client.get(reverse("evaluations:detail", args=[evaluation.public_id]))
    assert "does not match" in page.content.decode()


def test_addenda_are_added_beside_the_signed_record(therapist_client, therapist, evaluation):
    evaluation = _complete(therapist_client, evaluation)
    services.evaluation_sign(evaluation=evaluation, by=therapist, password=TEST_PASSWORD)
    url = reverse("evaluations:addendum", args=[evaluation.public_id])
    empty = therapist_client.post(url, {"section": "neuro", "reason": "", "text": ""})
    assert "Say why you are adding this." in empty.content.decode()
    response = therapist_client.post(
        url,
        {"section": "neuro", "reason": "Reflex re-tested", "text": "Achilles 1+ on the left."},
    )
    assert response.status_code == 302
    addendum = Addendum.objects.get(evaluation=evaluation)
    assert addendum.by == therapist and len(addendum.content_hash) == 64
    html = therapist_client.get(reverse("evaluations:detail", args=[evaluation.public_id]))
    html = html.content.decode()
    assert "Reflex re-tested" in html and "Achilles 1+ on the left." in html
    # Shown beside the section it is about, and in the list.
    neuro_part = html.split('id="s-neuro"')[1].split("</details>")[0]
    assert "Reflex re-tested" in neuro_part
    evaluation.refresh_from_db()
    assert services.evaluation_verify(evaluation)


def test_an_upper_motor_neuron_sign_raises_the_staff_alert_once(therapist_client, evaluation):
    data = {**L5_NEURO, "babinski_L": "EXTENSOR"}
    response = post_section(therapist_client, evaluation, "neuro", data)
    assert response.status_code == 200
    assert response["HX-Trigger"] == "alerts-changed"
    alert = RedFlagAlert.objects.get(evaluation=evaluation)
    assert alert.patient == evaluation.patient and alert.acknowledged_at is None
    assert "Babinski" in alert.summary or "upper motor" in alert.summary.lower()
    assert AuditEvent.objects.filter(action="alert", object_id=str(alert.public_id)).exists()
    post_section(therapist_client, evaluation, "neuro", data)
    assert RedFlagAlert.objects.filter(evaluation=evaluation).count() == 1
    banner = therapist_client.get(reverse("intake:alerts-banner"))
    assert evaluation.patient.family_name in banner.content.decode()
    # A new finding (progressive weakness) raises a new alert.
    post_section(therapist_client, evaluation, "neuro", {**data, "progressive_L": "on"})
    assert RedFlagAlert.objects.filter(evaluation=evaluation).count() == 2


def test_progressive_weakness_alone_raises_the_alert(therapist_client, evaluation):
    post_section(therapist_client, evaluation, "neuro", {**L5_NEURO, "progressive_L": "on"})
    assert RedFlagAlert.objects.filter(evaluation=evaluation).exists()


def test_the_alert_page_for_an_evaluation_alert_opens_and_is_acknowledged(
    therapist_client, evaluation
):
    post_section(therapist_client, evaluation, "neuro", {**L5_NEURO, "babinski_R": "EXTENSOR"})
    alert = RedFlagAlert.objects.get(evaluation=evaluation)
    page = therapist_client.get(reverse("intake:alert", args=[alert.public_id]))
    assert page.status_code == 200
    assert "by the neurological examination" in page.content.decode()
    assert reverse("evaluations:detail", args=[evaluation.public_id]) in page.content.decode()
    done = therapist_client.post(
        reverse("intake:alert", args=[alert.public_id]),
        {"outcome": "emergency_referral", "action_note": "Sent to ED for urgent imaging."},
    )
    assert done.status_code == 302
    alert.refresh_from_db()
    assert alert.acknowledged_at is not None


def test_front_desk_is_refused_every_evaluation_page(front_desk_client, evaluation, patient):
    urls = [
        reverse("evaluations:list"),
        reverse("evaluations:detail", args=[evaluation.public_id]),
        reverse("evaluations:progress", args=[patient.public_id]),
        reverse("evaluations:sign", args=[evaluation.public_id]),
        reverse("evaluations:addendum", args=[evaluation.public_id]),
    ]
    for url in urls:
        assert front_desk_client.get(url).status_code == 403, url
    assert front_desk_client.post(section_url(evaluation, "neuro"), {}).status_code == 403
    start = reverse("evaluations:start", args=[patient.public_id])
    assert front_desk_client.post(start, {"kind": "initial"}).status_code == 403
    assert Evaluation.objects.count() == 1


def test_administrators_read_but_cannot_write(admin_client_, evaluation):
    page = admin_client_.get(reverse("evaluations:detail", args=[evaluation.public_id]))
    # Nothing on the page writes to the evaluation (the PDF buttons post to reports/).
    assert page.status_code == 200 and 'hx-post="/evaluations/' not in page.content.decode()
    response = post_section(admin_client_, evaluation, "outcomes", _outcomes())
    assert response.status_code == 403


def test_another_therapist_cannot_edit_a_draft(client, evaluation):
    other = UserFactory(username="other-pt2", roles=["Physical therapist"])
    client.force_login(other)
    response = post_section(client, evaluation, "outcomes", _outcomes())
    assert response.status_code == 403
    assert AuditEvent.objects.filter(action="denied", actor=other).exists()
    page = client.get(reverse("evaluations:detail", args=[evaluation.public_id]))
    assert "only they can edit and sign it" in page.content.decode()


def test_reading_an_evaluation_is_audited(therapist_client, evaluation):
    therapist_client.get(reverse("evaluations:detail", args=[evaluation.public_id]))
    assert AuditEvent.objects.filter(
        action="view", object_id=str(evaluation.public_id), patient=evaluation.patient
    ).exists()


def test_the_suggestion_can_be_adopted_and_the_rationale_stays_the_therapists(
    therapist_client, evaluation
):
    post_section(therapist_client, evaluation, "neuro", L5_NEURO)
    post_section(therapist_client, evaluation, "neurodynamic", L5_NEURODYNAMIC)
    response = post_section(
        therapist_client,
        evaluation,
        "classification",
        {"adopt": "1", "rationale": "My own words.", "autosave": "0"},
    )
    assert response.status_code == 200
    evaluation.refresh_from_db()
    chosen = evaluation.content["classification"]
    assert chosen["category"] == evaluation.findings["classification"]["category"]
    assert chosen["suspected_levels"] == ["L5"] and chosen["rationale"] == "My own words."


def test_progress_shows_charts_with_the_change_since_baseline(
    therapist_client, therapist, patient, intake, evaluation
):
    _complete(therapist_client, evaluation)
    services.evaluation_sign(evaluation=evaluation, by=therapist, password=TEST_PASSWORD)
    again = services.evaluation_start(patient=patient, kind="reevaluation", by=therapist)
    post_section(
        therapist_client,
        again,
        "outcomes",
        {**_outcomes(), "leg_now": "3", "back_now": "2", "distal_site": "BUTTOCK"},
    )
    page = therapist_client.get(reverse("evaluations:progress", args=[patient.public_id]))
    html = page.content.decode()
    assert html.count("<svg") >= 3
    assert "Leg pain fell from 8 to 3" in html
    assert "minimal important change" in html
    assert "centralising" in html


def test_the_evaluation_page_makes_the_same_number_of_queries_for_1_or_30_visits(
    therapist_client, therapist, patient, intake, django_assert_max_num_queries
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    first = services.evaluation_start(patient=patient, kind="initial", by=therapist)
    post_section(therapist_client, first, "outcomes", _outcomes())
    url = reverse("evaluations:detail", args=[first.public_id])
    with CaptureQueriesContext(connection) as one:
        assert therapist_client.get(url).status_code == 200
    for n in range(29):
        e = services.evaluation_start(patient=patient, kind="reevaluation", by=therapist)
        post_section(therapist_client, e, "outcomes", {**_outcomes(), "leg_now": str(n % 10)})
    with CaptureQueriesContext(connection) as many:
        assert therapist_client.get(url).status_code == 200
    assert len(one) == len(many)
    # 22: one more for django-otp's verified device, one for the alerts the sign panel
    # must see dispositioned, one for the episode's treatment notes on the charts, one for
    # the previous signed neuro exam the findings compare this one with, one for the
    # episode's follow-up packets on the charts, one for the patient's MONITOR results to
    # review at this visit.
    assert len(many) <= 22, [q["sql"][:120] for q in many.captured_queries]


def test_a_section_save_makes_a_fixed_number_of_queries(
    therapist_client, evaluation, django_assert_num_queries
):
    post_section(therapist_client, evaluation, "neuro", L5_NEURO)
    evaluation.refresh_from_db()
    # Session, user, permissions (2), the evaluation, then in the transaction: the locked
    # row, intake amendments, instrument packs, update, audit; then the page's clinic and
    # roles; django-otp's verified device; the alerts the sign panel must see
    # dispositioned; and the episode's previous signed neuro exam, compared with this one
    # (serial surveillance: by the save's alert rule, and for the findings box shown back).
    payload = {**L5_NEURO, "autosave": "1", "version": evaluation.section_versions["neuro"]}
    with django_assert_num_queries(18):
        response = therapist_client.post(
            section_url(evaluation, "neuro"), payload, HTTP_HX_REQUEST="true"
        )
    assert response.status_code == 200


@pytest.mark.parametrize(
    "key", ["outcomes", "movements", "neurodynamic", "neuro", "classification", "plan"]
)
@pytest.mark.parametrize(
    "junk",
    ["", "x" * 5000, "<script>alert(1)</script>", "1e999", "-1", "NaN", "\x00", "😀" * 50],
)
def test_junk_in_any_field_gets_a_message_not_a_500(therapist_client, evaluation, key, junk):
    from evaluations import forms as eval_forms

    ctx = services.section_context(evaluation, services.intake_basis(evaluation), odi_licensed=True)
    form = eval_forms.build(key, ctx, stored={})
    names = []
    if hasattr(form, "rows"):
        for row in form.rows:
            names += [row.add_prefix(n) for n in row.fields]
    else:
        names = list(form.fields)
    data = {name: junk for name in names}
    response = post_section(therapist_client, evaluation, key, {**data, "autosave": "0"})
    assert response.status_code == 200
    assert "<script>alert(1)</script>" not in response.content.decode()


def test_untouched_rows_posted_with_their_browser_defaults_are_not_recorded(
    therapist_client, evaluation
):
    """A browser posts every select's first option; a row nobody touched must stay blank."""
    from evaluations import forms as eval_forms

    ctx = services.section_context(
        evaluation, services.intake_basis(evaluation), odi_licensed=False
    )
    for key in ("movements", "neurodynamic"):
        grid = eval_forms.build(key, ctx, stored={})
        data = {"custom_count": "1"}
        for row in grid.rows:
            for name, f in row.fields.items():
                choices = getattr(f, "choices", None)
                if choices and not isinstance(f.widget, eval_forms.forms.CheckboxSelectMultiple):
                    data[row.add_prefix(name)] = str(next(iter(choices))[0])
        response = post_section(therapist_client, evaluation, key, data)
        assert "Saved at" in response.content.decode(), key
        evaluation.refresh_from_db()
        assert evaluation.content[key]["rows"] == [], key
