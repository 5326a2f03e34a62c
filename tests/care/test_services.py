"""care.services: opening, referral, certification, diagnoses and discharge of an episode of
care, each refused with a message naming its field, each change audited."""

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from audit.models import AuditEvent
from care import icd10, services
from care.models import DiagnosisCode, Episode, ReferralContact
from tests.care.conftest import days_ago
from tests.factories import PatientFactory

pytestmark = pytest.mark.django_db


def _errors(exc: pytest.ExceptionInfo[ValidationError]) -> dict[str, list[str]]:
    return exc.value.message_dict if hasattr(exc.value, "error_dict") else {"": exc.value.messages}


def _audits(episode, action=AuditEvent.Action.UPDATE):
    return AuditEvent.objects.filter(
        object_type="episode", object_id=str(episode.public_id), action=action
    )


# --- Opening ------------------------------------------------------------------------------


def test_it_opens_an_episode_with_a_referral_and_audits_it(patient, front_desk, contact):
    episode = services.episode_open(
        by=front_desk,
        patient=patient,
        data={
            "start_of_care": days_ago(2),
            "referral": Episode.Referral.REFERRED,
            "referrer": contact,
            "referral_date": days_ago(5),
            "referral_reason": "L5 radiculopathy, 6 weeks",
        },
    )
    assert episode.is_open and episode.referrer == contact and episode.opened_by == front_desk
    event = _audits(episode, AuditEvent.Action.CREATE).get()
    assert event.patient == patient and event.actor == front_desk


def test_a_second_open_episode_is_refused_with_the_reason(patient, front_desk, episode):
    with pytest.raises(ValidationError, match="already has an open episode of care"):
        services.episode_open(by=front_desk, patient=patient)
    assert patient.episodes.count() == 1


def test_a_referral_needs_its_referrer_but_direct_access_does_not(patient, front_desk, contact):
    with pytest.raises(ValidationError) as exc:
        services.episode_open(
            by=front_desk, patient=patient, data={"referral": Episode.Referral.REFERRED}
        )
    assert "referrer" in _errors(exc)
    assert not patient.episodes.exists()
    # Direct access keeps no referrer even when one is passed.
    episode = services.episode_open(
        by=front_desk,
        patient=patient,
        data={"referral": Episode.Referral.DIRECT, "referrer": contact},
    )
    assert episode.referrer is None


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"start_of_care": timezone.localdate() + timedelta(days=1)}, "start_of_care"),
        (
            {"referral_date": timezone.localdate() + timedelta(days=1)},
            "referral_date",
        ),
        ({"start_of_care": days_ago(10), "referral_date": days_ago(3)}, "referral_date"),
    ],
)
def test_dates_that_cannot_be_are_refused_beside_their_field(patient, front_desk, data, field):
    with pytest.raises(ValidationError) as exc:
        services.episode_open(by=front_desk, patient=patient, data=data)
    assert field in _errors(exc)


def test_a_new_contact_opens_the_patients_episode_once(patient, front_desk, episode):
    assert services.episode_for_new_contact(by=front_desk, patient=patient) == episode
    other = PatientFactory()
    opened = services.episode_for_new_contact(by=front_desk, patient=other)
    assert opened.is_open and opened.referral == Episode.Referral.DIRECT


# --- Referral and certification ----------------------------------------------------------


def test_the_referral_is_recorded_later_and_audited(front_desk, episode, contact):
    changed = services.episode_update_referral(
        by=front_desk,
        episode=episode,
        data={"referral": Episode.Referral.REFERRED, "referrer": contact},
    )
    assert set(changed) == {"referral", "referrer"}
    episode.refresh_from_db()
    assert episode.referrer == contact
    assert _audits(episode).get().details == {"fields": ["referral", "referrer"]}
    # Back to direct access: the referrer goes.
    services.episode_update_referral(
        by=front_desk, episode=episode, data={"referral": Episode.Referral.DIRECT}
    )
    episode.refresh_from_db()
    assert episode.referrer is None


def test_nothing_changed_writes_no_audit_entry(front_desk, episode):
    assert services.episode_update_referral(by=front_desk, episode=episode, data={}) == []
    assert services.episode_update_certification(by=front_desk, episode=episode, data={}) == []
    assert not _audits(episode).exists()


def test_certification_dates_are_recorded_and_audited(front_desk, episode):
    data = {
        "plan_sent_on": days_ago(8),
        "plan_signed_on": days_ago(4),
        "certification_start": days_ago(10),
        "certification_end": days_ago(10) + timedelta(days=89),
        "recertification_due": days_ago(10) + timedelta(days=80),
    }
    changed = services.episode_update_certification(by=front_desk, episode=episode, data=data)
    assert set(changed) == set(data)
    episode.refresh_from_db()
    assert episode.recertification_in_days() == 70
    assert _audits(episode).count() == 1


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"plan_sent_on": days_ago(2), "plan_signed_on": days_ago(5)}, "plan_signed_on"),
        (
            {"certification_start": days_ago(2), "certification_end": days_ago(5)},
            "certification_end",
        ),
        ({"plan_sent_on": timezone.localdate() + timedelta(days=1)}, "plan_sent_on"),
        ({"plan_signed_on": timezone.localdate() + timedelta(days=1)}, "plan_signed_on"),
    ],
)
def test_certification_dates_out_of_order_are_refused(front_desk, episode, data, field):
    with pytest.raises(ValidationError) as exc:
        services.episode_update_certification(by=front_desk, episode=episode, data=data)
    assert field in _errors(exc)
    episode.refresh_from_db()
    assert all(getattr(episode, name) is None for name in data)


# --- Diagnoses --------------------------------------------------------------------------


def test_diagnoses_are_recorded_in_order_normalised_and_audited(therapist, episode):
    after = services.episode_set_diagnoses(
        by=therapist, episode=episode, codes=["m5416", " M51.16 ", "M54.16", ""]
    )
    assert after == ["M54.16", "M51.16"]  # normalised, the repeat dropped
    assert [d.code.code for d in episode.diagnoses.all()] == ["M54.16", "M51.16"]
    assert episode.primary_diagnosis().code.code == "M54.16"
    event = _audits(episode).get()
    assert event.details == {"before": [], "after": ["M54.16", "M51.16"]}
    # The same codes again change nothing and write nothing.
    services.episode_set_diagnoses(by=therapist, episode=episode, codes=["M54.16", "M51.16"])
    assert _audits(episode).count() == 1


def test_unknown_and_malformed_codes_are_refused_naming_each(therapist, episode):
    with pytest.raises(ValidationError) as exc:
        services.episode_set_diagnoses(
            by=therapist, episode=episode, codes=["M54.16", "Z99.999", "sciatica"]
        )
    messages = exc.value.messages
    assert any("Z99.999 is not in this clinic's ICD-10-CM code list" in m for m in messages)
    assert any("'sciatica' is not written as an ICD-10-CM code" in m for m in messages)
    assert not episode.diagnoses.exists()


def test_the_shipped_subset_is_loaded():
    assert (
        DiagnosisCode.objects.filter(code__in=["M54.16", "M54.17", "M51.16", "M48.062"]).count()
        == 4
    )
    assert DiagnosisCode.objects.get(code="M54.16").title == "Radiculopathy, lumbar region"


# --- Discharge ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("on", "reason", "note", "field"),
    [
        (days_ago(11), "goals_met", "", "discharged_on"),  # before the start of care
        (timezone.localdate() + timedelta(days=1), "goals_met", "", "discharged_on"),
        (days_ago(1), "bored", "", "discharge_reason"),
        (days_ago(1), "other", "  ", "discharge_note"),
    ],
)
def test_a_discharge_that_cannot_be_is_refused_beside_its_field(
    therapist, episode, on, reason, note, field
):
    with pytest.raises(ValidationError) as exc:
        services.episode_discharge(by=therapist, episode=episode, on=on, reason=reason, note=note)
    assert field in _errors(exc)
    episode.refresh_from_db()
    assert episode.is_open


def test_discharge_closes_the_episode_and_a_new_one_can_then_be_opened(
    patient, therapist, front_desk, episode
):
    services.episode_discharge(
        by=therapist, episode=episode, on=days_ago(1), reason="other", note="Moved away"
    )
    episode.refresh_from_db()
    assert not episode.is_open
    assert (episode.discharged_on, episode.discharge_reason) == (days_ago(1), "other")
    assert episode.closed_by == therapist and episode.closed_at is not None
    assert episode.days_since_start() == 9  # its length, once closed
    assert _audits(episode).get().details == {
        "discharged_on": days_ago(1).isoformat(),
        "reason": "other",
    }
    again = services.episode_open(by=front_desk, patient=patient)
    assert again.is_open and patient.episodes.count() == 2


def test_a_closed_episode_is_a_closed_record(therapist, front_desk, episode, contact):
    services.episode_discharge(by=therapist, episode=episode, on=days_ago(1), reason="plateau")
    with pytest.raises(ValidationError, match="already discharged"):
        services.episode_discharge(by=therapist, episode=episode, on=days_ago(0), reason="plateau")
    with pytest.raises(ValidationError, match="referral can no longer be changed"):
        services.episode_update_referral(
            by=front_desk,
            episode=episode,
            data={"referral": Episode.Referral.REFERRED, "referrer": contact},
        )
    with pytest.raises(ValidationError, match="certification can no longer be changed"):
        services.episode_update_certification(
            by=front_desk, episode=episode, data={"plan_sent_on": days_ago(1)}
        )
    with pytest.raises(ValidationError, match="diagnosis codes can no longer be changed"):
        services.episode_set_diagnoses(by=therapist, episode=episode, codes=["M54.16"])
    episode.refresh_from_db()
    assert episode.referrer is None and episode.plan_sent_on is None
    assert not episode.diagnoses.exists()
    assert _audits(episode).count() == 1  # the discharge only


# --- Referring clinicians and code lists ----------------------------------------------------


def test_a_referring_clinician_is_added_changed_and_audited(front_desk):
    contact = services.referral_contact_save(by=front_desk, data={"name": "Dr Lee"})
    services.referral_contact_save(
        by=front_desk, contact=contact, data={"name": "Dr Lee", "organisation": "Spine Unit"}
    )
    contact.refresh_from_db()
    assert str(contact) == "Dr Lee, Spine Unit"
    actions = AuditEvent.objects.filter(object_type="referralcontact").values_list(
        "action", flat=True
    )
    assert sorted(actions) == sorted([AuditEvent.Action.CREATE, AuditEvent.Action.UPDATE])


def test_a_referring_clinician_with_a_bad_phone_is_refused(front_desk):
    with pytest.raises(ValidationError) as exc:
        services.referral_contact_save(by=front_desk, data={"name": "Dr X", "phone": "call me"})
    assert "phone" in _errors(exc)
    assert not ReferralContact.objects.exists()


def test_a_code_list_adds_and_updates_and_keeps_a_repeated_code_once():
    codes = [
        icd10.Code("M54.16", "Radiculopathy, lumbar region (new title)"),
        icd10.Code("S33.100A", "Subluxation of unspecified lumbar vertebra, initial"),
        icd10.Code("S33.100A", "Subluxation of unspecified lumbar vertebra, initial encounter"),
    ]
    added, updated = services.diagnosis_codes_load(codes=codes, source="test file")
    assert (added, updated) == (1, 1)
    assert DiagnosisCode.objects.get(code="S33.100A").title.endswith("initial encounter")
    assert DiagnosisCode.objects.get(code="M54.16").source == "test file"
    assert AuditEvent.objects.filter(summary__contains="Loaded ICD-10-CM codes").count() == 1
