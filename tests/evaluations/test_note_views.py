"""The treatment note's pages: who may open and write them, the autosave as the page sends
it, signing and addenda, the re-check's alert on every staff screen, the therapist's home
and the progress charts; each with a fixed number of queries."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from audit.models import AuditEvent
from care.demo import demo_discharge
from evaluations import note_services as services
from evaluations import notes
from evaluations.models import TreatmentNote
from intake.models import RedFlagAlert
from tests.evaluations.note_helpers import form_data, post_note, signed_initial
from tests.factories import TEST_PASSWORD, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def initial(patient, therapist):
    return signed_initial(patient, therapist)


@pytest.fixture
def note(initial, therapist):
    return services.note_start(episode=initial.episode, by=therapist)


def _page(client, note):
    return client.get(reverse("evaluations:note-detail", args=[note.public_id]))


def _start(client, episode, **data):
    return client.post(reverse("evaluations:note-start", args=[episode.public_id]), data)


# --- Opening a note ----------------------------------------------------------------------


def test_the_evaluation_page_offers_a_new_note_while_the_episode_is_open(therapist_client, initial):
    url = reverse("evaluations:detail", args=[initial.public_id])
    html = therapist_client.get(url).content.decode()
    assert 'data-testid="new-note"' in html
    assert reverse("evaluations:note-start", args=[initial.episode.public_id]) in html
    response = _start(therapist_client, initial.episode, next=url)
    note = TreatmentNote.objects.get()
    assert response.status_code == 302
    assert response.url == reverse("evaluations:note-detail", args=[note.public_id])
    demo_discharge(initial.episode, on=timezone.localdate(), reason="goals_met")
    assert 'data-testid="new-note"' not in therapist_client.get(url).content.decode()


def test_a_note_on_a_closed_episode_gets_a_clear_message(therapist_client, initial):
    demo_discharge(initial.episode, on=timezone.localdate(), reason="goals_met")
    back = reverse("evaluations:detail", args=[initial.public_id])
    response = _start(therapist_client, initial.episode, next=back)
    assert response.status_code == 302 and response.url == back
    page = therapist_client.get(back).content.decode()
    assert "This episode of care was discharged on" in page
    assert not TreatmentNote.objects.exists()
    # A "next" off the site is not followed.
    away = _start(therapist_client, initial.episode, next="https://evil.example/")
    assert away.url == reverse("patients:detail", args=[initial.patient.public_id])


def test_the_note_page_shows_the_visit_the_plan_and_the_recheck(therapist_client, note):
    response = _page(therapist_client, note)
    assert response.status_code == 200
    html = response.content.decode()
    assert "Visit 1 since the initial evaluation" in html
    assert "episode of care from" in html
    assert "plan of care from the initial evaluation of" in html
    for row in notes.read(note.content)["interventions"]:
        assert f'data-testid="note-row-{row["code"]}"' in html
    for item in notes.ces_items():
        assert item.staff_text in html
    assert 'hx-post="' + reverse("evaluations:note-save", args=[note.public_id]) in html
    assert "Sign the note" in html
    assert AuditEvent.objects.filter(
        action=AuditEvent.Action.VIEW, object_id=str(note.public_id)
    ).exists()


# --- Who may --------------------------------------------------------------------------------


def test_the_front_desk_sees_no_notes(front_desk_client, note, initial):
    assert _page(front_desk_client, note).status_code == 403
    assert _start(front_desk_client, initial.episode).status_code == 403
    assert post_note(front_desk_client, note, form_data(note)).status_code == 403
    assert TreatmentNote.objects.count() == 1


def test_an_administrator_reads_a_note_and_writes_nothing(admin_client_, note, initial):
    response = _page(admin_client_, note)
    assert response.status_code == 200
    html = response.content.decode()
    assert "<fieldset disabled" in html
    assert "Save the note" not in html and "Sign the note" not in html
    assert _start(admin_client_, initial.episode).status_code == 403
    assert post_note(admin_client_, note, form_data(note)).status_code == 403
    sign = reverse("evaluations:note-sign", args=[note.public_id])
    assert admin_client_.post(sign, {"password": TEST_PASSWORD}).status_code == 403
    note.refresh_from_db()
    assert note.version == 0 and not note.is_signed


def test_another_therapists_draft_is_theirs_to_write(client, note):
    other = UserFactory(username="other-pt", roles=["Physical therapist"])
    client.force_login(other)
    html = _page(client, note).content.decode()
    assert "only they can edit and sign it" in html
    assert post_note(client, note, form_data(note)).status_code == 403
    assert AuditEvent.objects.filter(
        action=AuditEvent.Action.DENIED, summary__contains="another therapist's draft"
    ).exists()


# --- Autosave ------------------------------------------------------------------------------


def test_an_autosave_updates_the_status_and_version_only(therapist_client, note):
    response = post_note(therapist_client, note, {**form_data(note), "autosave": "1"})
    assert response.status_code == 200
    html = response.content.decode()
    assert 'id="v-note" value="1" hx-swap-oob="true"' in html
    assert "Saved at" in html
    assert 'id="f-note"' not in html  # the form the therapist types in is left alone
    assert 'id="note-sign-panel"' in html


def test_an_explicit_save_shows_the_messages_and_keeps_what_was_typed(therapist_client, note):
    data = form_data(note, back_nprs="11")
    response = post_note(therapist_client, note, {**data, "autosave": "0"})
    html = response.content.decode()
    assert response.status_code == 200
    assert "Enter a whole number from 0 to 10." in html
    assert 'value="11"' in html
    assert "Kept as a draft" in html
    # The page shows the draft after a reload too.
    assert "Enter a whole number from 0 to 10." in _page(therapist_client, note).content.decode()


def test_a_stale_tab_is_told_and_nothing_is_saved(therapist_client, note):
    post_note(therapist_client, note, form_data(note))
    response = therapist_client.post(
        reverse("evaluations:note-save", args=[note.public_id]),
        {**form_data(note, leg_nprs="9"), "version": "0", "autosave": "1"},
        HTTP_HX_REQUEST="true",
    )
    assert response.status_code == 409
    assert 'data-testid="conflict"' in response.content.decode()
    note.refresh_from_db()
    assert notes.read(note.content)["leg_nprs"] == 4


def test_without_htmx_a_save_redirects_back_with_a_message(therapist_client, note):
    response = post_note(therapist_client, note, form_data(note), htmx=False)
    assert response.status_code == 302
    page = therapist_client.get(response.url).content.decode()
    assert "Treatment note saved." in page


# --- The re-check ---------------------------------------------------------------------------


def test_a_yes_on_the_recheck_alerts_every_staff_screen_at_once(
    therapist_client, front_desk_client, note
):
    data = {**form_data(note, **{notes.ces_field("CES-2"): "yes"}), "autosave": "1"}
    response = post_note(therapist_client, note, data)
    assert response.status_code == 200
    assert response["HX-Trigger"] == "alerts-changed"
    assert 'data-testid="ces-notice"' in response.content.decode()
    alert = RedFlagAlert.objects.get()
    banner = front_desk_client.get(reverse("intake:alerts-banner")).content.decode()
    assert "Possible cauda equina syndrome" in banner
    page = therapist_client.get(reverse("intake:alert", args=[alert.public_id]))
    html = page.content.decode()
    assert page.status_code == 200
    assert "cauda equina re-check in a treatment note" in html
    assert reverse("evaluations:note-detail", args=[note.public_id]) in html
    assert "saddle area" in html
    note_page = _page(therapist_client, note).content.decode()
    assert 'data-testid="note-alert"' in note_page
    assert "Record what was done on the alert page before signing" in note_page


# --- Sign and addenda -----------------------------------------------------------------------


def test_signing_locks_the_note_and_later_changes_are_addenda(therapist_client, note):
    post_note(therapist_client, note, form_data(note))
    sign = reverse("evaluations:note-sign", args=[note.public_id])
    assert therapist_client.get(sign).status_code == 200
    wrong = therapist_client.post(sign, {"password": "nope"})
    assert "That password is not right" in wrong.content.decode()
    assert therapist_client.post(sign, {"password": TEST_PASSWORD}).status_code == 302
    note.refresh_from_db()
    assert note.is_signed
    html = _page(therapist_client, note).content.decode()
    assert 'data-testid="signed-banner"' in html and "verified, unchanged since signing" in html
    assert "<fieldset disabled" in html
    locked = post_note(therapist_client, note, form_data(note, leg_nprs="0"))
    assert locked.status_code == 409
    addendum = reverse("evaluations:note-addendum", args=[note.public_id])
    assert therapist_client.get(addendum).status_code == 200
    response = therapist_client.post(addendum, {"reason": "Late entry", "text": "Rang later."})
    assert response.status_code == 302
    html = _page(therapist_client, note).content.decode()
    assert 'data-testid="addendum"' in html and "Rang later." in html


def test_the_addendum_page_of_a_draft_sends_the_therapist_back_to_it(therapist_client, note):
    response = therapist_client.get(reverse("evaluations:note-addendum", args=[note.public_id]))
    assert response.status_code == 302
    assert response.url == reverse("evaluations:note-detail", args=[note.public_id])


# --- Home and progress ------------------------------------------------------------------------


def test_the_therapists_home_lists_their_unsigned_notes(therapist_client, note, therapist):
    other = UserFactory(username="other-pt", roles=["Physical therapist"])
    theirs = services.note_start(episode=note.episode, by=other)
    html = therapist_client.get(reverse("core:home")).content.decode()
    assert 'data-testid="my-notes"' in html
    assert reverse("evaluations:note-detail", args=[note.public_id]) in html
    assert reverse("evaluations:note-detail", args=[theirs.public_id]) not in html
    event = AuditEvent.objects.filter(summary="Viewed home worklist").latest("pk")
    assert note.patient.mrn in event.details["shown"]


def test_the_notes_pain_joins_the_episodes_progress_charts(therapist_client, note, initial):
    post_note(therapist_client, note, form_data(note, leg_nprs="1"))
    url = reverse("evaluations:progress", args=[initial.patient.public_id])
    page = therapist_client.get(url)
    leg = next(
        m for m in page.context["page_progress"]["measures"] if m["progress"].code == "leg_pain"
    )
    assert [(p.label, p.value, p.draft) for p in leg["progress"].points][-1] == (
        "Treatment note",
        1.0,
        True,
    )
    html = page.content.decode()
    assert 'data-testid="progress-notes"' in html and "1 treatment note" in html
    evaluation_page = therapist_client.get(reverse("evaluations:detail", args=[initial.public_id]))
    measures = evaluation_page.context["progress"]["measures"]
    leg = next(m for m in measures if m["progress"].code == "leg_pain")
    assert leg["progress"].latest.label == "Treatment note"


# --- Fixed query counts ---------------------------------------------------------------------


def test_the_note_page_makes_a_fixed_number_of_queries(therapist_client, note, therapist):
    _page(therapist_client, note)  # warm the session and the clinic
    with CaptureQueriesContext(connection) as few:
        assert _page(therapist_client, note).status_code == 200
    # Alerts and addenda of its own: still the same queries.
    for n, code in enumerate(("CES-1", "CES-2", "CES-3")):
        services.ces_alert(note, [code], by=therapist, at=timezone.now() + timedelta(seconds=n))
    with CaptureQueriesContext(connection) as many:
        assert _page(therapist_client, note).status_code == 200
    assert len(many) == len(few)
    # Pinned: the session, user, two-factor device and permissions, the note with its
    # patient, episode and plan, its addenda and alerts, the audit entry and the base
    # template's own (the clinic, the user's roles), and the patient's results for review at
    # this visit (MONITOR alerts, intake.templatetags.alert_tags).
    assert len(few) == 12, [q["sql"][:100] for q in few.captured_queries]


def test_the_home_panel_makes_the_same_queries_for_one_or_many_notes(
    therapist_client, note, therapist
):
    therapist_client.get(reverse("core:home"))
    with CaptureQueriesContext(connection) as one:
        therapist_client.get(reverse("core:home"))
    for _ in range(4):
        services.note_start(episode=note.episode, by=therapist)
    with CaptureQueriesContext(connection) as many:
        html = therapist_client.get(reverse("core:home")).content.decode()
    assert html.count("treatment note, visit") == 5
    assert len(many) == len(one)
    # 12 with the list of results for review at the next visit (evaluations.panels).
    assert len(one) == 12, [q["sql"][:80] for q in one.captured_queries]


def test_the_progress_page_makes_the_same_queries_for_one_or_many_notes(
    therapist_client, note, therapist, initial
):
    url = reverse("evaluations:progress", args=[initial.patient.public_id])
    post_note(therapist_client, note, form_data(note))
    therapist_client.get(url)
    with CaptureQueriesContext(connection) as one:
        assert therapist_client.get(url).status_code == 200
    for leg in ("3", "2", "1"):
        more = services.note_start(episode=note.episode, by=therapist)
        post_note(therapist_client, more, form_data(more, leg_nprs=leg))
    with CaptureQueriesContext(connection) as many:
        page = therapist_client.get(url)
    assert len(page.context["notes"]) == 4
    assert len(many) == len(one)
