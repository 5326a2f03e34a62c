"""The episode of care pages: each form saves, and each refusal shows its message beside its
field and keeps what was typed; who may do what; the patient page's episodes."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from audit.models import AuditEvent
from care import services
from care.models import Episode, ReferralContact
from tests.care.conftest import days_ago
from tests.factories import EvaluationFactory

pytestmark = pytest.mark.django_db


def _form_errors(response, form="form") -> dict[str, list[str]]:
    return {k: list(v) for k, v in response.context[form].errors.items()}


def _open_data(**overrides):
    return {
        "start_of_care": days_ago(1).isoformat(),
        "referral": "referred",
        "referrer": "",
        "referral_date": days_ago(3).isoformat(),
        "referral_reason": "Left leg pain below the knee, six weeks",
        **overrides,
    }


# --- Opening ------------------------------------------------------------------------------


def test_the_front_desk_opens_an_episode_referred_by_a_known_clinician(
    front_desk_client, patient, contact
):
    response = front_desk_client.post(
        reverse("care:episode-new", args=[patient.public_id]),
        _open_data(referrer=str(contact.public_id)),
    )
    episode = patient.episodes.get()
    assert response.status_code == 302
    assert response.url == reverse("care:episode", args=[episode.public_id])
    assert episode.referrer == contact and episode.referral_date == days_ago(3)
    assert episode.referral_reason == "Left leg pain below the knee, six weeks"


def test_a_new_referring_clinician_is_typed_inline_and_kept_for_next_time(
    front_desk_client, patient
):
    response = front_desk_client.post(
        reverse("care:episode-new", args=[patient.public_id]),
        _open_data(
            referrer="new",
            **{"contact-name": "Dr Omar Haddad", "contact-organisation": "Spine Clinic"},
        ),
    )
    assert response.status_code == 302
    contact = ReferralContact.objects.get()
    assert str(contact) == "Dr Omar Haddad, Spine Clinic"
    assert patient.episodes.get().referrer == contact


def test_direct_access_needs_no_referrer_and_keeps_no_referral_date(front_desk_client, patient):
    response = front_desk_client.post(
        reverse("care:episode-new", args=[patient.public_id]), _open_data(referral="direct_access")
    )
    assert response.status_code == 302
    episode = patient.episodes.get()
    assert episode.referral == Episode.Referral.DIRECT
    assert episode.referrer is None and episode.referral_date is None


def test_a_second_open_episode_is_refused_beside_the_start_and_keeps_what_was_typed(
    front_desk_client, patient, episode
):
    url = reverse("care:episode-new", args=[patient.public_id])
    page = front_desk_client.get(url).content.decode()
    assert 'data-testid="open-episode-warning"' in page
    response = front_desk_client.post(
        url, _open_data(referrer="new", **{"contact-name": "Dr Typed Inline"})
    )
    assert response.status_code == 200
    errors = _form_errors(response)
    assert "already has an open episode of care" in errors["start_of_care"][0]
    content = response.content.decode()
    assert "Left leg pain below the knee, six weeks" in content
    assert 'value="Dr Typed Inline"' in content
    # Refused as a whole: the clinician typed inline was not added either.
    assert not ReferralContact.objects.exists()
    assert patient.episodes.count() == 1


def test_a_referral_without_its_referrer_is_refused_beside_the_list(front_desk_client, patient):
    response = front_desk_client.post(
        reverse("care:episode-new", args=[patient.public_id]), _open_data()
    )
    assert response.status_code == 200
    assert "Choose the referring clinician" in _form_errors(response)["referrer"][0]
    assert not patient.episodes.exists()


def test_a_new_clinician_with_a_bad_phone_is_refused_beside_it(front_desk_client, patient):
    response = front_desk_client.post(
        reverse("care:episode-new", args=[patient.public_id]),
        _open_data(referrer="new", **{"contact-name": "Dr X", "contact-phone": "call me"}),
    )
    assert response.status_code == 200
    assert "phone" in _form_errors(response, "contact_form")
    assert 'value="call me"' in response.content.decode()
    assert not patient.episodes.exists() and not ReferralContact.objects.exists()


def test_a_start_of_care_in_the_future_is_refused(front_desk_client, patient):
    tomorrow = (timezone.localdate() + timedelta(days=1)).isoformat()
    response = front_desk_client.post(
        reverse("care:episode-new", args=[patient.public_id]),
        _open_data(referral="direct_access", start_of_care=tomorrow),
    )
    assert "cannot be in the future" in _form_errors(response)["start_of_care"][0]
    assert f'value="{tomorrow}"' in response.content.decode()


# --- The episode page -----------------------------------------------------------------------


def test_the_episode_page_shows_referral_certification_and_is_audited(
    front_desk_client, front_desk, episode, contact
):
    services.episode_update_referral(
        by=front_desk,
        episode=episode,
        data={"referral": "referred", "referrer": contact, "referral_reason": "Sciatica"},
    )
    services.episode_update_certification(
        by=front_desk, episode=episode, data={"recertification_due": days_ago(2)}
    )
    response = front_desk_client.get(reverse("care:episode", args=[episode.public_id]))
    content = response.content.decode()
    assert "Dr Priya Shah" in content and "Riverside Practice" in content
    assert "+44 20 7946 0001" in content  # the fax on the contact card
    assert "overdue by 2 days" in content
    assert "10 days since the start of care" in content
    assert AuditEvent.objects.filter(
        action=AuditEvent.Action.VIEW, object_id=str(episode.public_id), patient=episode.patient
    ).exists()


def test_diagnoses_are_shown_to_clinical_readers_only(
    front_desk_client, therapist_client, admin_client_, therapist, episode
):
    services.episode_set_diagnoses(by=therapist, episode=episode, codes=["M54.17"])
    url = reverse("care:episode", args=[episode.public_id])
    assert "Radiculopathy, lumbosacral region" not in front_desk_client.get(url).content.decode()
    for client in (therapist_client, admin_client_):
        assert "M54.17" in client.get(url).content.decode()
    assert "Edit diagnoses" not in admin_client_.get(url).content.decode()


# --- Referral and certification pages ---------------------------------------------------------


def test_the_referral_is_edited_from_its_page(front_desk_client, episode, contact):
    url = reverse("care:referral", args=[episode.public_id])
    assert front_desk_client.get(url).status_code == 200
    response = front_desk_client.post(
        url,
        {
            "start_of_care": episode.start_of_care.isoformat(),
            "referral": "referred",
            "referrer": str(contact.public_id),
            "referral_date": days_ago(12).isoformat(),
            "referral_reason": "",
        },
    )
    assert response.status_code == 302
    episode.refresh_from_db()
    assert episode.referrer == contact


def test_certification_dates_out_of_order_are_refused_beside_the_field(front_desk_client, episode):
    url = reverse("care:certification", args=[episode.public_id])
    data = {
        "plan_sent_on": days_ago(3).isoformat(),
        "plan_signed_on": days_ago(5).isoformat(),
        "certification_start": days_ago(10).isoformat(),
        "certification_end": "",
        "recertification_due": "",
    }
    response = front_desk_client.post(url, data)
    assert response.status_code == 200
    assert "before it was sent" in _form_errors(response)["plan_signed_on"][0]
    assert f'value="{days_ago(10).isoformat()}"' in response.content.decode()
    episode.refresh_from_db()
    assert episode.plan_sent_on is None

    response = front_desk_client.post(url, {**data, "plan_signed_on": days_ago(1).isoformat()})
    assert response.status_code == 302
    episode.refresh_from_db()
    assert (episode.plan_sent_on, episode.plan_signed_on) == (days_ago(3), days_ago(1))


# --- Diagnoses and discharge (therapists) -----------------------------------------------------


def test_the_front_desk_may_not_record_diagnoses_or_discharge(front_desk_client, episode):
    for name in ("care:diagnoses", "care:discharge"):
        url = reverse(name, args=[episode.public_id])
        assert front_desk_client.get(url).status_code == 403
        data = {"code_1": "M54.16", "discharged_on": days_ago(0), "discharge_reason": "goals_met"}
        assert front_desk_client.post(url, data).status_code == 403
    episode.refresh_from_db()
    assert episode.is_open and not episode.diagnoses.exists()
    assert front_desk_client.get(reverse("care:codes"), {"q": "M54"}).status_code == 403


def test_the_therapist_records_diagnoses_from_the_code_list(therapist_client, episode):
    url = reverse("care:diagnoses", args=[episode.public_id])
    page = therapist_client.get(url).content.decode()
    assert '<option value="M54.16">M54.16 Radiculopathy, lumbar region</option>' in page
    response = therapist_client.post(url, {"code_1": "m5417", "code_2": "M51.16"})
    assert response.status_code == 302
    assert [d.code.code for d in episode.diagnoses.all()] == ["M54.17", "M51.16"]


def test_an_unknown_code_is_refused_beside_its_box_and_keeps_what_was_typed(
    therapist_client, episode
):
    url = reverse("care:diagnoses", args=[episode.public_id])
    response = therapist_client.post(
        url, {"code_1": "M54.16", "code_2": "Z99.999", "code_3": "sciatica", "code_4": "m5416"}
    )
    assert response.status_code == 200
    errors = _form_errors(response)
    assert "Z99.999 is not in this clinic's ICD-10-CM code list" in errors["code_2"][0]
    assert "is not written as an ICD-10-CM code" in errors["code_3"][0]
    assert "M54.16 is already given above" in errors["code_4"][0]
    assert "code_1" not in errors
    content = response.content.decode()
    assert 'value="Z99.999"' in content and 'value="sciatica"' in content
    assert not episode.diagnoses.exists()


def test_the_code_look_up_answers_what_is_typed(therapist_client):
    url = reverse("care:codes")
    by_code = therapist_client.get(url, {"code_1": "m5416"}).content.decode()
    assert 'value="M54.16"' in by_code and "M54.17" not in by_code
    by_title = therapist_client.get(url, {"q": "sciatica"}).content.decode()
    assert 'value="M54.31"' in by_title
    assert therapist_client.get(url).content.decode().strip() == ""


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        ({"discharged_on": days_ago(11)}, "discharged_on", "before the start of care"),
        (
            {"discharged_on": timezone.localdate() + timedelta(days=1)},
            "discharged_on",
            "in the future",
        ),
        ({"discharge_reason": "other", "discharge_note": ""}, "discharge_note", "Say why"),
        ({"discharge_reason": ""}, "discharge_reason", "required"),
    ],
)
def test_a_discharge_that_cannot_be_is_refused_beside_its_field(
    therapist_client, episode, data, field, message
):
    typed = {
        "discharged_on": days_ago(1),
        "discharge_reason": "goals_met",
        "discharge_note": "Typed note kept",
        **data,
    }
    typed = {k: (v.isoformat() if hasattr(v, "isoformat") else v) for k, v in typed.items()}
    response = therapist_client.post(reverse("care:discharge", args=[episode.public_id]), typed)
    assert response.status_code == 200
    assert message in _form_errors(response)[field][0]
    content = response.content.decode()
    assert f'value="{typed["discharged_on"]}"' in content
    if typed["discharge_note"]:
        assert "Typed note kept" in content
    episode.refresh_from_db()
    assert episode.is_open


def test_discharge_closes_the_episode_and_its_edit_pages(
    therapist_client, front_desk_client, episode
):
    response = therapist_client.post(
        reverse("care:discharge", args=[episode.public_id]),
        {"discharged_on": days_ago(1).isoformat(), "discharge_reason": "goals_met"},
    )
    assert response.status_code == 302
    episode.refresh_from_db()
    assert not episode.is_open
    for client, name in (
        (front_desk_client, "care:referral"),
        (front_desk_client, "care:certification"),
        (therapist_client, "care:diagnoses"),
        (therapist_client, "care:discharge"),
    ):
        url = reverse(name, args=[episode.public_id])
        response = client.post(url, {"plan_sent_on": days_ago(1).isoformat()}, follow=True)
        assert response.redirect_chain[-1][0] == reverse("care:episode", args=[episode.public_id])
        assert "discharged on" in response.content.decode()
    episode.refresh_from_db()
    assert episode.plan_sent_on is None
    page = front_desk_client.get(reverse("care:episode", args=[episode.public_id]))
    assert 'data-testid="closed-notice"' in page.content.decode()
    assert "Edit referral" not in page.content.decode()


# --- Referring clinicians ---------------------------------------------------------------------


def test_referring_clinicians_are_listed_added_and_edited(front_desk_client, contact):
    assert "Dr Priya Shah" in front_desk_client.get(reverse("care:contacts")).content.decode()
    response = front_desk_client.post(
        reverse("care:contact-new"), {"name": "Dr New", "phone": "+1 555 0100"}
    )
    assert response.status_code == 302
    assert ReferralContact.objects.filter(name="Dr New").exists()
    url = reverse("care:contact-edit", args=[contact.public_id])
    response = front_desk_client.post(url, {"name": "Dr Priya Shah", "fax": "not a fax"})
    assert response.status_code == 200
    assert "fax" in _form_errors(response)
    assert 'value="not a fax"' in response.content.decode()
    response = front_desk_client.post(url, {"name": "Dr Priya Shah-Rao"})
    assert response.status_code == 302
    contact.refresh_from_db()
    assert contact.name == "Dr Priya Shah-Rao" and contact.fax == ""


def test_administrators_read_episodes_and_contacts_but_change_nothing(admin_client_, episode):
    assert admin_client_.get(reverse("care:episode", args=[episode.public_id])).status_code == 200
    assert admin_client_.get(reverse("care:contacts")).status_code == 200
    assert admin_client_.post(reverse("care:contact-new"), {"name": "X"}).status_code == 403
    response = admin_client_.post(
        reverse("care:certification", args=[episode.public_id]),
        {"plan_sent_on": days_ago(1).isoformat()},
    )
    assert response.status_code == 403
    assert not ReferralContact.objects.exists()


# --- The patient page -------------------------------------------------------------------------


def _closed_episode(patient, by, *, started: int, ended: int) -> Episode:
    episode = services.episode_open(
        by=by, patient=patient, data={"start_of_care": days_ago(started)}
    )
    return services.episode_discharge(
        by=by, episode=episode, on=days_ago(ended), reason="goals_met"
    )


def test_the_patient_page_lists_episodes_open_first_with_their_counts(
    therapist_client, therapist, patient
):
    old = _closed_episode(patient, therapist, started=400, ended=300)
    older = _closed_episode(patient, therapist, started=800, ended=700)
    current = services.episode_open(
        by=therapist, patient=patient, data={"start_of_care": days_ago(14)}
    )
    services.episode_set_diagnoses(by=therapist, episode=current, codes=["M54.16", "M51.16"])
    for days in (14, 7):
        EvaluationFactory(
            patient=patient, episode=current, therapist=therapist, visit_date=days_ago(days)
        )
    EvaluationFactory(patient=patient, episode=old, therapist=therapist, visit_date=days_ago(350))

    response = therapist_client.get(reverse("patients:detail", args=[patient.public_id]))
    episodes = response.context["episodes"]
    assert [e.pk for e in episodes] == [current.pk, old.pk, older.pk]
    assert [e.visits for e in episodes] == [2, 1, 0]
    content = response.content.decode()
    assert "2 visits since the start of care" in content
    assert "14 days since the start" in content
    assert "100 days long" in content
    assert "M54.16 Radiculopathy, lumbar region" in content  # the primary diagnosis
    assert 'data-testid="open-episode"' not in content  # one is open already


def test_the_patient_page_offers_to_open_an_episode_when_none_is_open(front_desk_client, patient):
    content = front_desk_client.get(reverse("patients:detail", args=[patient.public_id]))
    assert 'data-testid="open-episode"' in content.content.decode()


def test_the_front_desk_sees_episodes_without_their_diagnoses(
    front_desk_client, therapist, episode
):
    services.episode_set_diagnoses(by=therapist, episode=episode, codes=["M54.16"])
    content = front_desk_client.get(reverse("patients:detail", args=[episode.patient.public_id]))
    assert 'data-testid="episode-row"' in content.content.decode()
    assert "M54.16" not in content.content.decode()


def test_the_patient_page_keeps_a_fixed_number_of_queries_however_many_episodes(
    therapist_client, therapist, patient, django_assert_num_queries
):
    first = _closed_episode(patient, therapist, started=900, ended=800)
    url = reverse("patients:detail", args=[patient.public_id])
    therapist_client.get(url)  # warm the session
    with CaptureQueriesContext(connection) as one:
        therapist_client.get(url)
    for n in range(4):
        _closed_episode(patient, therapist, started=700 - n * 100, ended=650 - n * 100)
    current = services.episode_open(by=therapist, patient=patient)
    services.episode_set_diagnoses(by=therapist, episode=current, codes=["M54.16", "M54.17"])
    EvaluationFactory(patient=patient, episode=current, therapist=therapist)
    EvaluationFactory(patient=patient, episode=first, therapist=therapist)
    with django_assert_num_queries(len(one.captured_queries)):
        response = therapist_client.get(url)
    assert len(response.context["episodes"]) == 6


def test_typed_markup_comes_out_as_text(front_desk_client, therapist_client, therapist, patient):
    markup = '<script>alert(1)</script>"><img src=x onerror=alert(1)>'
    front_desk_client.post(
        reverse("care:episode-new", args=[patient.public_id]),
        _open_data(
            referrer="new",
            referral_reason=markup,
            **{"contact-name": f"Dr {markup}"[:150], "contact-organisation": markup},
        ),
    )
    episode = patient.episodes.get()
    services.episode_discharge(
        by=therapist, episode=episode, on=days_ago(0), reason="other", note=markup
    )
    for url in (
        reverse("care:episode", args=[episode.public_id]),
        reverse("patients:detail", args=[patient.public_id]),
        reverse("care:contacts"),
    ):
        content = therapist_client.get(url).content.decode()
        assert "<script>alert(1)" not in content and "<img src=x" not in content, url
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in content, url


def test_the_episode_page_lists_its_treatment_notes_and_counts_them_as_visits(
    therapist_client, therapist, patient, front_desk_client
):
    from evaluations import note_services
    from tests.evaluations.note_helpers import signed_initial

    initial = signed_initial(patient, therapist, days_ago=5)
    note = note_services.note_start(episode=initial.episode, by=therapist)
    url = reverse("care:episode", args=[initial.episode.public_id])
    page = therapist_client.get(url)
    html = page.content.decode()
    assert page.context["episode"].visits == 2  # the initial evaluation and the note
    assert reverse("evaluations:note-detail", args=[note.public_id]) in html
    assert reverse("evaluations:note-start", args=[initial.episode.public_id]) in html
    # The front desk sees the episode, not its clinical notes, and cannot start one.
    desk = front_desk_client.get(url).content.decode()
    assert 'data-testid="episode-notes"' not in desk
    assert reverse("evaluations:note-start", args=[initial.episode.public_id]) not in desk
